/* SPDX-License-Identifier: ISC */
/*
 * One reconcile cycle per complete snapshot: read the actual state, plan,
 * execute each action as a transaction, and report every outcome to the
 * fetcher. A steady state changes nothing and logs nothing above debug.
 */

#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "applier.h"
#include "files.h"
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
	if (a->conf.source_routing && !render_carries_routes(ctx->renderer))
		log_warnx("SOURCE_ROUTING=on: %s files do not carry the routes"
		    " and rules yet; they are set live only",
		    ctx->renderer->name);
	ctx->names = &a->names;
	ctx->boot_id = a->boot_id;
	apply_recover(ctx);
	adopt_existing(a);
}

/* A managed MAC's file, if it is there, ours, and about that MAC. */
static void
read_managed_file(struct applier *a, struct managed_nic *m)
{
	const struct renderer	*r = a->apply.renderer;
	char			 path[PATH_MAX], err[128];
	int			 ours;

	m->has_file = 0;
	if (r->path(a->conf.config_root, m->slot, path, sizeof(path)) == -1)
		return;
	/*
	 * An adopted file of the earlier agent lacks our header: read for
	 * what it says (a deletion needs it), then rewritten as ours.
	 */
	switch (render_read_file(r, path, &m->file, &ours, err, sizeof(err))) {
	case -1:
		if (errno != ENOENT)
			log_warn("%s", path);
		break;
	case -2:
		log_warnx("%s: %s; it will be rewritten", path, err);
		break;
	default:
		if (memcmp(m->file.mac, m->mac, MAC_LEN) == 0 &&
		    m->file.slot == m->slot)
			m->has_file = ours;
	}
	/* Source routing's own files (ifcfg, wicked) are part of it. */
	if (m->has_file && r->nextra > 0 && render_read_extras(r,
	    a->conf.config_root, &m->file, err, sizeof(err)) == -1) {
		log_warnx("%s; it will be rewritten", err);
		m->has_file = 0;
	}
}

static size_t
read_managed(struct applier *a, struct managed_nic *managed)
{
	size_t	i;

	for (i = 0; i < a->names.count; i++) {
		memcpy(managed[i].mac, a->names.entries[i].mac, MAC_LEN);
		managed[i].slot = a->names.entries[i].slot;
		read_managed_file(a, &managed[i]);
	}
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
send_results(struct applier *a, uint64_t generation)
{
	struct msg_results_end	end;
	size_t			i;

	if (!msgchan_is_open(&a->fetcher))
		return;
	for (i = 0; i < a->plan.nitems; i++)
		send_result(a, &a->plan.items[i]);
	memset(&end, 0, sizeof(end));
	end.generation = generation;
	end.count = (uint32_t)a->plan.nitems;
	end.deletions_held = (uint32_t)a->plan.deletions_held;
	if (msg_compose(&a->fetcher, MSG_RESULTS_END, 0, -1, &end,
	    sizeof(end)) == -1)
		log_warn("cannot queue the results");
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
	log_info("%sd %s (%s)%s%s", deleting ? "delete" :
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
plan_cycle(struct applier *a, const struct nl_link *links, size_t nlinks)
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
	in.allow_delete = a->allow_delete_pending;
	in.retry_now = a->retry_pending;
	in.incomplete = a->snapshot.incomplete;
	plan_routing(a, &in, &routing, &routing_live);
	a->allow_delete_pending = 0;
	a->retry_pending = 0;
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
	send_results(a, 0);
}

/* ifcfg and wicked name NICs at boot by udev rules: one per managed NIC. */
static void
write_udev_rules(struct applier *a)
{
	uint8_t	macs[NAMES_MAX][6];
	int	slots[NAMES_MAX];
	size_t	i;

	if (!a->apply.renderer->udev_rules || a->conf.dry_run)
		return;
	for (i = 0; i < a->names.count; i++) {
		memcpy(macs[i], a->names.entries[i].mac, MAC_LEN);
		slots[i] = a->names.entries[i].slot;
	}
	if (render_udev_rules(a->conf.config_root,
	    (const uint8_t (*)[6])macs, slots, a->names.count) == -1)
		log_warn("cannot write the udev rules");
}

/*
 * A link can only be programmed from a fresh view: an earlier action in
 * this cycle may have renamed a link that a later one looks at.
 */
void
cycle_run(struct applier *a)
{
	struct nl_link	*links;
	size_t		 nlinks, i, changed = 0;

	/* The fetcher is not trusted: its rows are checked together too. */
	validate_duplicates(a->snapshot.rows, a->snapshot.nrows);
	a->ndry_now = 0;
	snapshot_log(&a->snapshot);
	if (read_actual(a, &links, &nlinks) == -1)
		return;
	plan_cycle(a, links, nlinks);
	a->planned = 1;
	for (i = 0; i < a->plan.nitems; i++) {
		if (a->plan.items[i].action == PLAN_NOTHING)
			continue;
		free(links);
		if (read_actual(a, &links, &nlinks) == -1)
			return;
		execute(a, &a->plan.items[i], links, nlinks);
		if (a->plan.items[i].state != NIC_FAILED)
			changed++;
	}
	free(links);
	memcpy(a->dry_logged, a->dry_now, a->ndry_now * sizeof(a->dry_now[0]));
	a->ndry_logged = a->ndry_now;
	log_refusals(a);
	write_udev_rules(a);
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
	send_results(a, a->snapshot.generation);
}
