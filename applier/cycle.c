/* SPDX-License-Identifier: ISC */
/*
 * One reconcile cycle per complete snapshot (and, on an event, on the last
 * one again): read the actual state, plan, execute each action as a
 * transaction, and report every outcome to the fetcher. A steady state
 * changes nothing and logs nothing above debug.
 */

#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "applier.h"
#include "log.h"
#include "state.h"
#include "validate.h"

void
cycle_init(struct applier *a)
{
	struct apply_context	*ctx = &a->apply;

	if (journal_boot_id(a->boot_id, sizeof(a->boot_id)) == -1)
		fatal("cannot read the boot id");
	if ((ctx->nl = nl_open()) == NULL)
		fatal("cannot open rtnetlink");
	if (names_load(&a->names, a->conf.state_dir) == -1)
		fatal("cannot read the name map in %s", a->conf.state_dir);
	ctx->conf = &a->conf;
	ctx->renderer = render_for_os(a->conf.os_type);
	ctx->names = &a->names;
	ctx->boot_id = a->boot_id;
	/* Nothing tells the applier yet when the links or files change. */
	a->live_dirty = 1;
	a->files_dirty = 1;
	apply_recover(ctx);
	adopt_existing(a);
	events_open(a);
	watch_init(a);
}

static size_t
read_managed(struct applier *a, struct managed_nic *managed)
{
	size_t	i;

	for (i = 0; i < a->names.count; i++) {
		memcpy(managed[i].mac, a->names.entries[i].mac, MAC_LEN);
		managed[i].slot = a->names.entries[i].slot;
		watch_managed_file(a, &managed[i]);
	}
	/* Without inotify only reading them again tells. */
	a->files_dirty = a->watch.fd == -1;
	return a->names.count;
}

static time_t *
last_change(struct applier *a, const uint8_t *mac)
{
	size_t	i;

	for (i = 0; i < a->nlast_change; i++)
		if (memcmp(a->last_change[i].mac, mac, MAC_LEN) == 0)
			return &a->last_change[i].when;
	if (a->nlast_change >= PLAN_ITEMS_MAX)
		return NULL;
	memcpy(a->last_change[a->nlast_change].mac, mac, MAC_LEN);
	a->last_change[a->nlast_change].when = 0;
	return &a->last_change[a->nlast_change++].when;
}

static void
send_result(struct applier *a, const struct plan_item *item)
{
	struct msg_result	 r;
	time_t			*when;

	memset(&r, 0, sizeof(r));
	r.row_id = item->row_id;
	r.state = item->state;
	r.drift = item->drift;
	r.has_address = item->desired.has_address;
	r.address = item->desired.address;
	r.prefix = item->desired.prefix;
	r.mtu = item->desired.mtu;
	r.route_table = item->desired.route_table;
	r.route_gateway = item->desired.route_gateway;
	if (item->slot >= 0)
		strlcpy(r.name, item->desired.name, sizeof(r.name));
	strlcpy(r.mac_text, item->mac_text, sizeof(r.mac_text));
	strlcpy(r.field, item->field, sizeof(r.field));
	strlcpy(r.reason, item->reason, sizeof(r.reason));
	if (item->mac_valid && (when = last_change(a, item->mac)) != NULL)
		r.last_change = *when;
	if (msg_compose(&a->fetcher, MSG_RESULT, 0, -1, &r, sizeof(r)) == -1)
		log_warn("cannot queue a result");
}

static void
send_results(struct applier *a, uint64_t generation,
    enum results_trigger trigger)
{
	size_t	i;

	if (!msgchan_is_open(&a->fetcher))
		return;
	for (i = 0; i < a->plan.nitems; i++)
		send_result(a, &a->plan.items[i]);
	peer_results_end(a, generation, (uint32_t)a->plan.nitems, trigger);
	a->reported = a->plan;
}

static const char *
action_name(enum plan_action action)
{
	switch (action) {
	case PLAN_CREATE:
		return "create";
	case PLAN_UPDATE:
		return "update";
	case PLAN_DELETE:
		return "delete";
	case PLAN_REMOVE_FILE:
		return "remove the file of";
	default:
		return "leave";
	}
}

static void
drift_text(unsigned drift, char *buf, size_t len)
{
	unsigned	bit;

	buf[0] = '\0';
	for (bit = 0; bit < DRIFT_KINDS; bit++) {
		if (!(drift & (1U << bit)))
			continue;
		if (buf[0] != '\0')
			strlcat(buf, ",", len);
		strlcat(buf, drift_kind_name(bit), len);
	}
}

/* A moved route holds the row (doc/architecture.md, 3.12); the rest fail. */
static void
failed(struct plan_item *item, int rc, const char *why)
{
	if (rc != APPLY_HELD) {
		item->state = NIC_FAILED;
		strlcpy(item->reason, why, sizeof(item->reason));
		return;
	}
	item->state = NIC_HELD;
	strlcpy(item->field, "route", sizeof(item->field));
	strlcpy(item->reason, "route: ", sizeof(item->reason));
	strlcat(item->reason, why, sizeof(item->reason));
}

/*
 * A dry run plans the same actions every poll while nothing changes: each
 * is logged at info when it is new or differs from the last cycle's.
 */
static void
log_dry_run(struct applier *a, const struct plan_item *item,
    const char *drift)
{
	struct dry_run_action	 now;
	char			 address[INET_ADDRSTRLEN + 4] = "no address";
	char			 ip[INET_ADDRSTRLEN], routing[64];
	size_t			 i;
	int			 seen = 0;

	memset(&now, 0, sizeof(now));
	memcpy(now.mac, item->mac, MAC_LEN);
	now.action = item->action;
	now.drift = item->drift;
	now.desired = item->desired;
	for (i = 0; i < a->ndry_logged && !seen; i++)
		seen = memcmp(&a->dry_logged[i], &now, sizeof(now)) == 0;
	if (a->ndry_now < PLAN_ITEMS_MAX)
		a->dry_now[a->ndry_now++] = now;
	if (item->desired.has_address &&
	    inet_ntop(AF_INET, &item->desired.address, ip, sizeof(ip)) != NULL)
		snprintf(address, sizeof(address), "%s/%u", ip,
		    item->desired.prefix);
	srcroute_text(&item->desired, routing, sizeof(routing));
	log_fields(seen ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, NULL, 0,
	    "dry run: would %s %s (%s): mtu %u, %s%s%s%s%s",
	    action_name(item->action), item->desired.name, item->mac_text,
	    item->desired.mtu, address, routing[0] ? ", source routing " : "",
	    routing, drift[0] ? "; drift: " : "", drift);
}

/* The outcome becomes the item's state: what status and the DB see. */
static void
execute(struct applier *a, struct plan_item *item, const struct nl_link *links,
    size_t nlinks)
{
	char	why[ROW_REASON_MAX], drift[64];
	time_t	*when;
	int	rc, deleting = item->action == PLAN_DELETE ||
		    item->action == PLAN_REMOVE_FILE;

	drift_text(item->drift, drift, sizeof(drift));
	if (a->conf.dry_run) {
		log_dry_run(a, item, drift);
		snprintf(item->reason, sizeof(item->reason), "dry run: would"
		    " %s", action_name(item->action));
		item->state = deleting ? NIC_DELETING : NIC_PENDING;
		return;
	}
	if ((rc = apply_item(&a->apply, item, links, nlinks, why,
	    sizeof(why))) != 0) {
		log_warnx("cannot %s %s (%s): %s; rolled back%s",
		    action_name(item->action), item->desired.name,
		    item->mac_text, why, rc == APPLY_HELD ? ", held" : "");
		failed(item, rc, why);
		plan_failed(&a->memory, item, nl_link_by_index(links, nlinks,
		    item->link_index), time(NULL), a->conf.poll_interval_ms);
		return;
	}
	plan_succeeded(&a->memory, item);
	/* A fight was logged when it started: its repairs are not news. */
	log_fields(fight_on(&a->fights, item->mac) ? LOG_LEVEL_DEBUG :
	    LOG_LEVEL_INFO, NULL, 0, "%sd %s (%s)%s%s", deleting ? "delete" :
	    action_name(item->action), item->desired.name, item->mac_text,
	    drift[0] ? ": " : "", drift);
	if ((when = last_change(a, item->mac)) != NULL)
		*when = time(NULL);
	item->state = deleting ? NIC_DELETING : NIC_APPLIED;
	if (deleting) {
		item->row_id = -1;
		strlcpy(item->reason, "deleted", sizeof(item->reason));
	}
}

static int
refusal_reported(const struct applier *a, const struct plan_item *item)
{
	size_t	i;

	for (i = 0; i < a->nrefusals; i++)
		if (a->refusals[i].row_id == item->row_id &&
		    strcmp(a->refusals[i].reason, item->reason) == 0)
			return 1;
	return 0;
}

/* Rows validation held: the fetcher logged them. */
static int
row_held(const struct applier *a, int64_t row_id)
{
	size_t	i;

	for (i = 0; i < a->snapshot.nrows; i++)
		if (a->snapshot.rows[i].row_id == row_id)
			return a->snapshot.rows[i].state == ROW_HELD;
	return 0;
}

/*
 * A row the planner refuses (ambiguous MAC, protected link, no free slot)
 * or whose failed action waits for its retry: one line when that starts or
 * its reason changes, none while it stays. A failure of an action executed
 * in this cycle was logged where it happened.
 */
static void
log_refusals(struct applier *a)
{
	struct refusal		 now[PLAN_ITEMS_MAX];
	const struct plan_item	*item;
	size_t			 i, n = 0;

	for (i = 0; i < a->plan.nitems && n < PLAN_ITEMS_MAX; i++) {
		item = &a->plan.items[i];
		if (item->row_id < 0 || (item->state != NIC_FAILED &&
		    item->state != NIC_HELD) || row_held(a, item->row_id))
			continue;
		if (item->action == PLAN_NOTHING && !refusal_reported(a, item))
			log_fields(LOG_LEVEL_WARN, (struct log_field[]){
			    LOG_NUM("row_id", item->row_id),
			    LOG_STR("mac_address", item->mac_text),
			    LOG_STR("reason", item->reason) }, 3,
			    "row %lld (%s) %s: %s", (long long)item->row_id,
			    item->mac_text, nic_state_name(item->state),
			    item->reason);
		now[n].row_id = item->row_id;
		strlcpy(now[n].reason, item->reason, sizeof(now[n].reason));
		n++;
	}
	memcpy(a->refusals, now, n * sizeof(now[0]));
	a->nrefusals = n;
}

static int
read_actual(struct applier *a, struct nl_link **links, size_t *nlinks)
{
	int	rc;

	if ((rc = nl_dump_links(a->apply.nl, links, nlinks)) < 0) {
		log_warnx("cannot read the links: %s", nl_strerror(rc));
		return -1;
	}
	if ((rc = apply_guard_read(&a->apply, &a->apply.guard)) < 0) {
		log_warnx("cannot read the routes: %s", nl_strerror(rc));
		free(*links);
		return -1;
	}
	return 0;
}

/* SOURCE_ROUTING*, and the kernel's part unless links are left alone. */
static void
plan_routing(struct applier *a, struct plan_input *in,
    struct srcroute_conf *conf, struct srcroute_live *live)
{
	int	rc;

	conf->table_base = a->conf.source_routing ?
	    a->conf.source_routing_table_base : 0;
	conf->gateway_first = a->conf.source_routing_gateway ==
	    SOURCE_ROUTING_GATEWAY_FIRST;
	in->srcroute = conf;
	in->files_carry_routes = render_carries_routes(a->apply.renderer);
	if (in->links_untouched)
		return;
	if ((rc = srcroute_read(a->apply.nl, conf->table_base, live)) < 0)
		log_warnx("cannot read the routing rules: %s",
		    nl_strerror(rc));
	else
		in->srcroute_live = live;
}

static void
plan_cycle(struct applier *a, const struct nl_link *links, size_t nlinks,
    int repeat)
{
	struct managed_nic	managed[NAMES_MAX];
	struct plan_input	in;
	struct srcroute_conf	routing;
	struct srcroute_live	routing_live;
	int			protected[NL_DEFAULT_ROUTES_MAX + 1];
	size_t			nprotected = a->apply.guard.defaults.nlinks;

	memcpy(protected, a->apply.guard.defaults.links,
	    nprotected * sizeof(int));
	if (a->apply.guard.db_link != 0)
		protected[nprotected++] = a->apply.guard.db_link;
	memset(&in, 0, sizeof(in));
	in.rows = a->snapshot.rows;
	in.nrows = a->snapshot.nrows;
	in.links = links;
	in.nlinks = nlinks;
	in.managed = managed;
	in.nmanaged = read_managed(a, managed);
	in.protected_links = protected;
	in.nprotected = nprotected;
	in.protected_patterns = a->conf.protected_interfaces;
	in.critical = a->apply.guard.critical;
	in.ncritical = a->apply.guard.ncritical;
	in.min_prefix_len = a->conf.min_prefix_len;
	in.links_untouched = a->conf.apply_mode == APPLY_MODE_FILES;
	in.now = time(NULL);
	in.poll_interval_ms = a->conf.poll_interval_ms;
	in.delete_grace_ms = a->conf.delete_grace_ms;
	in.delete_max = a->conf.delete_max_per_cycle;
	in.incomplete = a->snapshot.incomplete;
	plan_routing(a, &in, &routing, &routing_live);
	/* A sync is acted on with the next snapshot, not an event. */
	in.repeat = repeat;
	if (!repeat) {
		in.allow_delete = a->allow_delete_pending;
		in.retry_now = a->retry_pending;
		a->allow_delete_pending = 0;
		a->retry_pending = 0;
	}
	plan_compute(&in, &a->memory, &a->plan);
}

static const struct nl_link *
live_link_of(const uint8_t *mac, const struct nl_link *links, size_t nlinks)
{
	size_t	i;

	for (i = 0; i < nlinks; i++)
		if (links[i].has_mac && memcmp(links[i].mac, mac, MAC_LEN) == 0)
			return &links[i];
	return NULL;
}

/*
 * Before its first snapshot the applier knows what it manages from the
 * name map, each MAC's file and the live links: a daemon restarted while
 * the database is down shows the NICs it configured, not none. Nothing
 * is changed, and no row is named.
 */
static void
plan_inventory(struct applier *a, const struct nl_link *links, size_t nlinks)
{
	struct managed_nic	 managed[NAMES_MAX];
	struct plan_item	*item;
	size_t			 i, n = read_managed(a, managed);

	memset(&a->plan, 0, sizeof(a->plan));
	for (i = 0; i < n; i++) {
		item = &a->plan.items[a->plan.nitems++];
		item->action = PLAN_NOTHING;
		item->row_id = -1;
		memcpy(item->mac, managed[i].mac, MAC_LEN);
		item->mac_valid = 1;
		validate_format_mac(item->mac, item->mac_text);
		item->slot = managed[i].slot;
		if (managed[i].has_file)
			item->desired = managed[i].file;
		else
			snprintf(item->desired.name, sizeof(item->desired.name),
			    "multinic%d", item->slot);
		if (live_link_of(item->mac, links, nlinks) == NULL) {
			item->state = NIC_WAITING;
			strlcpy(item->reason, "not on the node; no snapshot"
			    " yet", sizeof(item->reason));
		} else {
			item->state = NIC_APPLIED;
			strlcpy(item->reason, "as configured before this"
			    " start; no snapshot yet", sizeof(item->reason));
		}
	}
}

/*
 * To a new fetcher channel: the last verdict, or before any cycle what
 * the applier manages. Generation 0 answers no snapshot, so the fetcher
 * neither counts it as work done nor becomes ready on it.
 */
void
cycle_report(struct applier *a)
{
	struct nl_link	*links;
	size_t		 nlinks;
	int		 rc;

	if (!a->planned) {
		if ((rc = nl_dump_links(a->apply.nl, &links, &nlinks)) < 0) {
			log_warnx("cannot read the links: %s",
			    nl_strerror(rc));
			return;
		}
		plan_inventory(a, links, nlinks);
		free(links);
	}
	send_results(a, 0, RESULTS_SNAPSHOT);
}

/*
 * An unchanged snapshot needs no results when the plan is steady and as
 * last reported: the fetcher holds that verdict already.
 */
static int
same_verdict(const struct applier *a)
{
	return plan_is_steady(&a->plan, &a->memory) &&
	    a->plan.nitems == a->reported.nitems &&
	    a->plan.deletions_held == a->reported.deletions_held &&
	    memcmp(a->plan.items, a->reported.items,
	    a->plan.nitems * sizeof(a->plan.items[0])) == 0;
}

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A repair of the live link, not only of the file. */
static int
repairs_link(const struct plan_item *item)
{
	return item->action == PLAN_UPDATE && (item->drift & ~DRIFT_FILE);
}

static void
fight_due(evutil_socket_t fd, short what, void *arg)
{
	struct applier	*a = arg;

	(void)fd;
	(void)what;
	a->fight_due_ms = 0;
	cycle_soon(a, "a deferred repair is due");
}

/*
 * While another agent keeps setting a link back, an event repairs it only
 * after the fight's backoff: the poll still does each cycle.
 */
static int
repair_deferred(struct applier *a, struct plan_item *item)
{
	struct timeval	tv;
	uint64_t	now = now_ms(), until;

	if (!repairs_link(item) || fight_may_repair(&a->fights, item->mac,
	    item->link_index, now, &until))
		return 0;
	/* The earliest deferred repair sets the timer. */
	item->action = PLAN_NOTHING;
	item->state = NIC_PENDING;
	snprintf(item->reason, sizeof(item->reason), "repair deferred %llu ms:"
	    " another agent keeps changing the link",
	    (unsigned long long)(until - now));
	if (a->fight_timer == NULL && (a->fight_timer = evtimer_new(a->base,
	    fight_due, a)) == NULL)
		fatalx("cannot make the fight timer");
	if (a->fight_due_ms != 0 && a->fight_due_ms <= until)
		return 1;
	a->fight_due_ms = until;
	tv.tv_sec = (time_t)((until - now) / 1000);
	tv.tv_usec = (suseconds_t)((until - now) % 1000 * 1000);
	if (evtimer_add(a->fight_timer, &tv) == -1)
		fatalx("cannot arm the fight timer");
	return 1;
}

/*
 * Counts a repair an event made (a poll's repairs come once an interval,
 * and a changed row is no fight); the start of a fight is logged once.
 */
static void
note_repair(struct applier *a, const struct plan_item *item,
    enum results_trigger trigger)
{
	if (trigger != RESULTS_EVENT || !repairs_link(item) ||
	    a->conf.dry_run || item->state != NIC_APPLIED)
		return;
	if (fight_repaired(&a->fights, item->mac, item->link_index, now_ms(),
	    a->conf.poll_interval_ms) == FIGHT_STARTED)
		log_warnx("%s (%s): repaired %d times within %d s: another"
		    " agent keeps changing it; repairs on its events back off"
		    " up to POLL_INTERVAL", item->desired.name, item->mac_text,
		    FIGHT_THRESHOLD, FIGHT_WINDOW_MS / 1000);
}

static void
note_steady(struct applier *a, const struct plan_item *item)
{
	if (item->mac_valid && item->state == NIC_APPLIED &&
	    fight_steady(&a->fights, item->mac, now_ms(),
	    a->conf.poll_interval_ms) == FIGHT_ENDED)
		log_info("%s (%s): left alone for a while; the fight is over,"
		    " repairs no longer back off", item->desired.name,
		    item->mac_text);
}

/* Did any NIC's state change since the last cycle (status shows it)? */
static int
states_changed(const struct plan *before, const struct plan *after)
{
	size_t	i;

	if (before->nitems != after->nitems)
		return 1;
	for (i = 0; i < after->nitems; i++)
		if (before->items[i].state != after->items[i].state ||
		    before->items[i].row_id != after->items[i].row_id ||
		    memcmp(before->items[i].mac, after->items[i].mac,
		    MAC_LEN) != 0 ||
		    strcmp(before->items[i].reason, after->items[i].reason) != 0)
			return 1;
	return 0;
}

/*
 * The plan's actions, each from a fresh view: an earlier action may have
 * renamed a link that a later one looks at. *acted counts those tried.
 * Returns -1 when the live state could not be read.
 */
static int
execute_plan(struct applier *a, struct nl_link **links, size_t *nlinks,
    enum results_trigger trigger, size_t *acted, size_t *changed)
{
	struct plan_item	*item;
	size_t			 i;

	for (i = 0; i < a->plan.nitems; i++) {
		item = &a->plan.items[i];
		if (item->action == PLAN_NOTHING) {
			note_steady(a, item);
			continue;
		}
		if (trigger == RESULTS_EVENT && repair_deferred(a, item))
			continue;
		free(*links);
		if (read_actual(a, links, nlinks) == -1)
			return -1;
		execute(a, item, *links, *nlinks);
		(*acted)++;
		note_repair(a, item, trigger);
		if (item->state != NIC_FAILED)
			(*changed)++;
	}
	return 0;
}

/* After the actions: logs, udev rules, APPLY_COMMAND, the hold warning. */
static void
cycle_after(struct applier *a, size_t changed)
{
	memcpy(a->dry_logged, a->dry_now, a->ndry_now * sizeof(a->dry_now[0]));
	a->ndry_logged = a->ndry_now;
	log_refusals(a);
	if (!a->conf.dry_run)
		watch_udev_rules(a);
	if (!a->conf.dry_run && a->conf.apply_mode != APPLY_MODE_FILES)
		apply_routing_orphans(&a->apply);
	/* The network stack's own tool reads the files we changed. */
	if (changed > 0 && !a->conf.dry_run &&
	    a->conf.apply_mode == APPLY_MODE_COMMAND &&
	    msg_compose(&a->supervisor, MSG_APPLY_COMMAND, 0, -1, NULL, 0) == -1)
		log_warn("cannot ask for APPLY_COMMAND");
	/* Once per hold, not once per cycle. */
	if (a->plan.deletions_held && a->memory.held_since != a->hold_logged)
		log_warnx("deletions held: would de-configure too many links;"
		    " waiting for DELETE_GRACE or multinicctl sync"
		    " --allow-delete");
	a->hold_logged = a->memory.held_since;
}

/*
 * One reconcile of the last complete snapshot against the live state read
 * now. trigger RESULTS_SNAPSHOT: a new snapshot, always answered.
 * RESULTS_UNCHANGED: the same rows as a new generation, answered with a
 * count of 0 when the plan is steady and as last reported, else with every
 * result as for a snapshot. RESULTS_EVENT: the same snapshot again,
 * answered only when it changed something, so the echo of our own changes
 * ends in a quiet cycle.
 */
static void
cycle(struct applier *a, enum results_trigger trigger)
{
	static struct plan	 before;
	struct nl_link		*links;
	size_t			 nlinks, acted = 0, changed = 0;
	int			 rc;

	a->ndry_now = 0;
	if (read_actual(a, &links, &nlinks) == -1)
		return;
	if (events_synced(a))
		a->live_dirty = 0;
	a->replan = 0;
	before = a->plan;
	plan_cycle(a, links, nlinks, trigger == RESULTS_EVENT);
	a->planned = 1;
	if (trigger == RESULTS_UNCHANGED && same_verdict(a)) {
		free(links);
		events_watch(a);
		if (!a->conf.dry_run)
			watch_udev_rules(a);
		peer_results_end(a, a->snapshot.generation, 0,
		    RESULTS_UNCHANGED);
		return;
	}
	rc = execute_plan(a, &links, &nlinks, trigger, &acted, &changed);
	free(links);
	/* Written or rolled back by us: what the files are now is ours. */
	if (acted > 0 && !a->conf.dry_run)
		watch_sync(a);
	if (rc == -1)
		return;
	if (acted > 0)
		a->live_dirty = 1;
	events_watch(a);
	cycle_after(a, changed);
	if (trigger == RESULTS_EVENT && acted == 0 &&
	    !states_changed(&before, &a->plan))
		return;
	send_results(a, a->snapshot.generation, trigger == RESULTS_EVENT ?
	    RESULTS_EVENT : RESULTS_SNAPSHOT);
}

/* A snapshot's cycle, or an unchanged snapshot's that must look again. */
void
cycle_run(struct applier *a, enum results_trigger trigger)
{
	/* The fetcher is not trusted: its rows are checked together too. */
	validate_duplicates(a->snapshot.rows, a->snapshot.nrows);
	if (trigger == RESULTS_SNAPSHOT)
		snapshot_log(&a->snapshot);
	cycle(a, trigger);
}

/*
 * Only on a snapshot a cycle has planned, and not while the next is being
 * received (its rows replace the last one's): that snapshot's own cycle
 * reads the live state anyway.
 */
static void
cycle_due(evutil_socket_t fd, short what, void *arg)
{
	struct applier	*a = arg;

	(void)fd;
	(void)what;
	log_debug("event cycle: %s", a->cycle_why);
	a->cycle_why = NULL;
	if (!a->planned || !a->snapshot.complete || a->snapshot.receiving)
		return;
	cycle(a, RESULTS_EVENT);
}

/* A burst of events (a rename: down, rename, up) within this is one cycle. */
#define CYCLE_SOON_MS	15

void
cycle_soon(struct applier *a, const char *why)
{
	struct timeval	tv = { 0, CYCLE_SOON_MS * 1000 };

	if (a->cycle_timer == NULL && (a->cycle_timer = evtimer_new(a->base,
	    cycle_due, a)) == NULL)
		fatalx("cannot make the cycle timer");
	if (a->cycle_why != NULL)
		return;
	a->cycle_why = why;
	if (evtimer_add(a->cycle_timer, &tv) == -1)
		fatalx("cannot arm the cycle timer");
}
