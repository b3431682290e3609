/* SPDX-License-Identifier: ISC */
/*
 * The planner (doc/architecture.md, 3.3-3.5, 3.8, 3.9): names, drift, deletions
 * and the guards that keep an error or an empty answer from de-configuring a
 * NIC.
 */

#include <arpa/inet.h>

#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "validate.h"

#define IFNAME_PATTERN_MAX	64

/* Everything the planner works out once per cycle. */
struct planner {
	const struct plan_input	*in;
	struct plan_memory	*mem;
	struct plan		*plan;
	int			 slot_taken[PLAN_SLOTS];
};

int
plan_name_protected(const char *patterns, const char *name)
{
	char		 pattern[IFNAME_PATTERN_MAX];
	const char	*p = patterns, *end;
	size_t		 len;

	while (p != NULL && *p != '\0') {
		end = strchr(p, ',');
		len = end == NULL ? strlen(p) : (size_t)(end - p);
		if (len < sizeof(pattern)) {
			memcpy(pattern, p, len);
			pattern[len] = '\0';
			if (fnmatch(pattern, name, 0) == 0)
				return 1;
		}
		p = end == NULL ? NULL : end + 1;
	}
	return 0;
}

/* "multinic3" -> 3; -1 for any other name. */
static int
slot_of_name(const char *name)
{
	if (strncmp(name, "multinic", 8) != 0 || name[8] < '0' ||
	    name[8] > '9' || name[9] != '\0')
		return -1;
	return name[8] - '0';
}

static const struct managed_nic *
managed_by_mac(const struct plan_input *in, const uint8_t *mac)
{
	size_t	i;

	for (i = 0; i < in->nmanaged; i++)
		if (memcmp(in->managed[i].mac, mac, MAC_LEN) == 0)
			return &in->managed[i];
	return NULL;
}

/* The single candidate link carrying mac; *count says how many do. */
static const struct nl_link *
candidate_by_mac(const struct plan_input *in, const uint8_t *mac,
    size_t *count)
{
	const struct nl_link	*found = NULL;
	size_t			 i;

	*count = 0;
	for (i = 0; i < in->nlinks; i++) {
		if (!in->links[i].has_mac || !nl_link_is_candidate(&in->links[i]) ||
		    memcmp(in->links[i].mac, mac, MAC_LEN) != 0)
			continue;
		found = &in->links[i];
		(*count)++;
	}
	return *count == 1 ? found : NULL;
}

static int
link_protected(const struct plan_input *in, const struct nl_link *link,
    const char **why)
{
	size_t	i;

	if (link->flags & IFF_LOOPBACK) {
		*why = "loopback";
		return 1;
	}
	for (i = 0; i < in->nprotected; i++) {
		if (in->protected_links[i] == link->index) {
			*why = "carries the default route or the route to the"
			    " database";
			return 1;
		}
	}
	if (plan_name_protected(in->protected_patterns, link->name)) {
		*why = "matches PROTECTED_INTERFACES";
		return 1;
	}
	return 0;
}

/*
 * Slots held by the name map, and by live links named multinicN (whoever
 * owns them): a new MAC must not take a name that is in use.
 */
static void
mark_taken_slots(struct planner *p)
{
	const struct plan_input	*in = p->in;
	size_t			 i;
	int			 slot;

	for (i = 0; i < in->nmanaged; i++)
		if (in->managed[i].slot >= 0 && in->managed[i].slot < PLAN_SLOTS)
			p->slot_taken[in->managed[i].slot] = 1;
	for (i = 0; i < in->nlinks; i++)
		if ((slot = slot_of_name(in->links[i].name)) != -1)
			p->slot_taken[slot] = 1;
}

/* No other MAC of the name map holds slot. */
static int
managed_slot_free(const struct plan_input *in, int slot)
{
	size_t	i;

	for (i = 0; i < in->nmanaged; i++)
		if (in->managed[i].slot == slot)
			return 0;
	return 1;
}

/* A managed MAC keeps its slot; a link already named multinicN keeps N. */
static int
assign_slot(struct planner *p, const uint8_t *mac, const struct nl_link *link)
{
	const struct managed_nic	*m = managed_by_mac(p->in, mac);
	int				 slot;

	if (m != NULL)
		return m->slot;
	if (link != NULL && (slot = slot_of_name(link->name)) != -1 &&
	    managed_slot_free(p->in, slot))
		return slot;
	for (slot = 0; slot < PLAN_SLOTS; slot++) {
		if (!p->slot_taken[slot]) {
			p->slot_taken[slot] = 1;
			return slot;
		}
	}
	return -1;
}

static struct plan_item *
new_item(struct planner *p, const uint8_t *mac, int mac_valid,
    const char *mac_text)
{
	struct plan_item	*item = &p->plan->items[p->plan->nitems++];

	memset(item, 0, sizeof(*item));
	item->row_id = -1;
	item->slot = -1;
	item->mac_valid = mac_valid;
	/* Normalised when it parses; as the row has it otherwise. */
	if (mac_valid) {
		memcpy(item->mac, mac, MAC_LEN);
		validate_format_mac(mac, item->mac_text);
	} else
		strlcpy(item->mac_text, mac_text, sizeof(item->mac_text));
	return item;
}

static void
set_reason(struct plan_item *item, enum nic_state state, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
set_reason(struct plan_item *item, enum nic_state state, const char *fmt,
    ...)
{
	va_list	ap;

	item->state = state;
	va_start(ap, fmt);
	vsnprintf(item->reason, sizeof(item->reason), fmt, ap);
	va_end(ap);
}

static void
set_held(struct plan_item *item, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Held by the planner's own checks: field is what the metric counts. */
static void
set_held(struct plan_item *item, const char *field, const char *fmt, ...)
{
	va_list	ap;

	item->state = NIC_HELD;
	strlcpy(item->field, field, sizeof(item->field));
	va_start(ap, fmt);
	vsnprintf(item->reason, sizeof(item->reason), fmt, ap);
	va_end(ap);
}

/* The live IPv4 set must be exactly the desired one. */
static int
addresses_differ(const struct nl_link *link, const struct nic_config *want)
{
	if (link->addrs_truncated)
		return 1;
	if (!want->has_address)
		return link->naddrs != 0;
	return link->naddrs != 1 || link->addrs[0].addr != want->address ||
	    link->addrs[0].prefix != want->prefix;
}

/* What the file should say: without routes when the format has none. */
static int
file_differs(const struct plan_input *in, const struct managed_nic *m,
    const struct nic_config *want)
{
	struct nic_config	file_want = *want;

	if (m == NULL || !m->has_file)
		return 1;
	if (!in->files_carry_routes) {
		file_want.route_table = 0;
		file_want.route_gateway = 0;
	}
	return !render_nic_equal(&m->file, &file_want);
}

/* The NIC's rule and table as its desired state asks, nothing else. */
static int
routes_differ(const struct plan_input *in, const struct nl_link *link,
    const struct nic_config *want)
{
	struct srcroute_set	wanted, live;

	if (in->srcroute_live == NULL || !in->srcroute_live->read)
		return 0;
	srcroute_wanted(want, link->index, &wanted);
	srcroute_slot(in->srcroute_live, want->slot, want->route_table, &live);
	return !srcroute_set_equal(&wanted, &live);
}

static unsigned
drift_of(const struct planner *p, const struct managed_nic *m,
    const struct nl_link *link, const struct nic_config *want)
{
	unsigned	drift = 0;

	if (file_differs(p->in, m, want))
		drift |= DRIFT_FILE;
	if (p->in->links_untouched)
		return drift;
	if (strcmp(link->name, want->name) != 0)
		drift |= DRIFT_NAME;
	if (link->mtu != want->mtu)
		drift |= DRIFT_MTU;
	if (addresses_differ(link, want))
		drift |= DRIFT_ADDRESS;
	if (!(link->flags & IFF_UP))
		drift |= DRIFT_ADMIN;
	if (routes_differ(p->in, link, want))
		drift |= DRIFT_ROUTE;
	return drift;
}

static void
desired_config(const struct plan_input *in, struct nic_config *want,
    const struct msg_row *row, int slot)
{
	memset(want, 0, sizeof(*want));
	want->slot = slot;
	snprintf(want->name, sizeof(want->name), "multinic%d", slot);
	memcpy(want->mac, row->mac, MAC_LEN);
	want->has_address = row->has_address;
	want->address = row->address;
	want->prefix = row->prefix;
	want->mtu = row->mtu;
	srcroute_nic(in->srcroute, want);
}

/* A frozen NIC keeps the slot the name map gives its MAC, if any. */
static void
keep_managed_slot(const struct planner *p, struct plan_item *item)
{
	const struct managed_nic	*m;

	if (item->mac_valid && (m = managed_by_mac(p->in, item->mac)) != NULL)
		item->slot = m->slot;
}

static void
plan_held_row(struct planner *p, const struct msg_row *row)
{
	struct plan_item	*item;

	item = new_item(p, row->mac, row->mac_valid, row->mac_text);
	item->row_id = row->row_id;
	keep_managed_slot(p, item);
	/* Frozen: whatever it has now it keeps. */
	set_reason(item, NIC_HELD, "%s: %s", row->field, row->reason);
}

static int
link_has_addr(const struct nl_link *link, const struct nl_addr *a)
{
	size_t	i;

	for (i = 0; i < link->naddrs; i++)
		if (link->addrs[i].addr == a->addr &&
		    link->addrs[i].prefix == a->prefix)
			return 1;
	return 0;
}

/* The same link in everything an action looks at (addresses in any order). */
static int
link_same(const struct nl_link *a, const struct nl_link *b)
{
	size_t	i;

	if (a->index != b->index || strcmp(a->name, b->name) != 0 ||
	    a->mtu != b->mtu || (a->flags & IFF_UP) != (b->flags & IFF_UP) ||
	    a->naddrs != b->naddrs || a->addrs_truncated != b->addrs_truncated)
		return 0;
	for (i = 0; i < a->naddrs; i++)
		if (!link_has_addr(b, &a->addrs[i]))
			return 0;
	return 1;
}

static struct plan_failure *
failure_of(struct plan_memory *mem, const uint8_t *mac)
{
	size_t	i;

	for (i = 0; i < mem->nfailures; i++)
		if (memcmp(mem->failures[i].mac, mac, MAC_LEN) == 0)
			return &mem->failures[i];
	return NULL;
}

static void
forget_failure(struct plan_memory *mem, struct plan_failure *f)
{
	*f = mem->failures[--mem->nfailures];
}

static int
failure_inputs_same(const struct plan_failure *f,
    const struct plan_item *item, const struct nl_link *link)
{
	return f->action == item->action && f->drift == item->drift &&
	    render_nic_equal(&f->desired, &item->desired) &&
	    f->had_link == (link != NULL) &&
	    (link == NULL || link_same(&f->link, link));
}

/*
 * An action that failed on these very inputs waits for its retry time; one
 * whose inputs changed is tried again at once, and so is every one after
 * multinicctl sync or a wall clock stepped back.
 */
static void
hold_back_retry(struct planner *p, struct plan_item *item,
    const struct nl_link *link)
{
	struct plan_failure	*f = failure_of(p->mem, item->mac);
	time_t			 now = p->in->now;

	if (f == NULL)
		return;
	if (p->in->retry_now || !failure_inputs_same(f, item, link)) {
		forget_failure(p->mem, f);
		return;
	}
	/* A moved route is a verdict on these inputs, not a hiccup. */
	if (!f->held && (now >= f->retry_at ||
	    now < f->retry_at - (time_t)f->wait_s))
		return;
	item->action = PLAN_NOTHING;
	strlcpy(item->field, f->field, sizeof(item->field));
	set_reason(item, f->held ? NIC_HELD : NIC_FAILED, "%s", f->reason);
}

/* Sets the action for a valid row whose NIC is on the node. */
static void
plan_present(struct planner *p, struct plan_item *item,
    const struct nl_link *link)
{
	const struct managed_nic	*m = managed_by_mac(p->in, item->mac);

	item->link_index = link->index;
	item->drift = drift_of(p, m, link, &item->desired);
	if (item->drift == 0) {
		item->state = NIC_APPLIED;
		return;
	}
	item->action = m == NULL ? PLAN_CREATE : PLAN_UPDATE;
	item->state = NIC_PENDING;
	hold_back_retry(p, item, link);
}

static int
link_carries(const struct nl_link *link, uint32_t addr)
{
	size_t	i;

	for (i = 0; i < link->naddrs; i++)
		if (link->addrs[i].addr == addr)
			return 1;
	return 0;
}

/*
 * Valid rows that would take over the node's routing
 * (doc/architecture.md, 3.12): a prefix covering a good part of IPv4, or an
 * address the node reaches elsewhere. The route check after the change
 * catches the rest.
 */
static int
row_takes_routing(const struct plan_input *in, const struct msg_row *row,
    struct plan_item *item)
{
	char		 text[INET_ADDRSTRLEN];
	const char	*why;
	size_t		 i;

	if (!row->has_address)
		return 0;
	if (row->prefix < in->min_prefix_len) {
		set_held(item, "cidr", "cidr: a /%u is shorter than"
		    " MIN_PREFIX_LEN (/%u)", row->prefix, in->min_prefix_len);
		return 1;
	}
	inet_ntop(AF_INET, &row->address, text, sizeof(text));
	for (i = 0; i < in->ncritical; i++) {
		if (in->critical[i].addr == row->address) {
			set_held(item, "address", "address: %s is %s", text,
			    in->critical[i].what);
			return 1;
		}
	}
	for (i = 0; i < in->nlinks; i++) {
		if (link_carries(&in->links[i], row->address) &&
		    link_protected(in, &in->links[i], &why)) {
			set_held(item, "address", "address: %s is on protected"
			    " link %s", text, in->links[i].name);
			return 1;
		}
	}
	return 0;
}

/*
 * A protected link carrying mac, candidate or not: a row naming a bridge's,
 * a bond port's or the loopback's MAC is held, never just left waiting.
 */
static const struct nl_link *
protected_by_mac(const struct plan_input *in, const uint8_t *mac,
    const char **why)
{
	size_t	i;

	for (i = 0; i < in->nlinks; i++)
		if (in->links[i].has_mac &&
		    memcmp(in->links[i].mac, mac, MAC_LEN) == 0 &&
		    link_protected(in, &in->links[i], why))
			return &in->links[i];
	return NULL;
}

static void
plan_valid_row(struct planner *p, const struct msg_row *row)
{
	struct plan_item	*item;
	const struct nl_link	*link;
	const char		*why;
	size_t			 count;

	item = new_item(p, row->mac, 1, row->mac_text);
	item->row_id = row->row_id;
	if ((link = protected_by_mac(p->in, row->mac, &why)) != NULL) {
		keep_managed_slot(p, item);
		item->link_index = link->index;
		set_held(item, "protected", "link %s is protected: %s",
		    link->name, why);
		return;
	}
	if (row_takes_routing(p->in, row, item)) {
		keep_managed_slot(p, item);
		return;
	}
	link = candidate_by_mac(p->in, row->mac, &count);
	if (count > 1) {
		set_reason(item, NIC_FAILED, "MAC on %zu candidate links"
		    " (ambiguous)", count);
		return;
	}
	if ((item->slot = assign_slot(p, row->mac, link)) == -1) {
		set_reason(item, NIC_FAILED, "no free multinic slot");
		return;
	}
	desired_config(p->in, &item->desired, row, item->slot);
	if (link == NULL) {
		set_reason(item, NIC_WAITING, "no link with this MAC yet");
		return;
	}
	plan_present(p, item, link);
}

static int
row_names_mac(const struct plan_input *in, const uint8_t *mac)
{
	size_t	i;

	for (i = 0; i < in->nrows; i++)
		if (in->rows[i].mac_valid &&
		    memcmp(in->rows[i].mac, mac, MAC_LEN) == 0)
			return 1;
	return 0;
}

/*
 * Counts this snapshot against each managed MAC without a row, and forgets
 * MACs that have a row again or are no longer managed.
 */
static void
update_absence(struct planner *p, int counted)
{
	const struct plan_input	*in = p->in;
	struct plan_memory	 next;
	size_t			 i, j;

	memset(&next, 0, sizeof(next));
	next.last_counted = p->mem->last_counted;
	next.held_since = p->mem->held_since;
	memcpy(next.failures, p->mem->failures, sizeof(next.failures));
	next.nfailures = p->mem->nfailures;
	for (i = 0; i < in->nmanaged && next.nabsent < PLAN_SLOTS; i++) {
		if (row_names_mac(in, in->managed[i].mac))
			continue;
		memcpy(next.absent[next.nabsent].mac, in->managed[i].mac,
		    MAC_LEN);
		for (j = 0; j < p->mem->nabsent; j++)
			if (memcmp(p->mem->absent[j].mac, in->managed[i].mac,
			    MAC_LEN) == 0)
				next.absent[next.nabsent].absent =
				    p->mem->absent[j].absent;
		if (counted)
			next.absent[next.nabsent].absent++;
		next.nabsent++;
	}
	*p->mem = next;
}

static unsigned
absent_count(const struct plan_memory *mem, const uint8_t *mac)
{
	size_t	i;

	for (i = 0; i < mem->nabsent; i++)
		if (memcmp(mem->absent[i].mac, mac, MAC_LEN) == 0)
			return mem->absent[i].absent;
	return 0;
}

/* The row id of a held row whose MAC does not parse, or -1. */
static int64_t
unreadable_mac_row(const struct plan_input *in)
{
	size_t	i;

	for (i = 0; i < in->nrows; i++)
		if (!in->rows[i].mac_valid)
			return in->rows[i].row_id;
	return -1;
}

static void
plan_orphan(struct planner *p, const struct managed_nic *m)
{
	int64_t			 unreadable = unreadable_mac_row(p->in);
	struct plan_item	*item;
	const struct nl_link	*link;
	char			 mac_text[VALIDATE_MAC_TEXT_SIZE];
	const char		*why;
	size_t			 count;

	validate_format_mac(m->mac, mac_text);
	item = new_item(p, m->mac, 1, mac_text);
	item->slot = m->slot;
	item->desired = m->file;
	link = candidate_by_mac(p->in, m->mac, &count);
	if (p->in->incomplete) {
		set_reason(item, NIC_DELETING, "deletion waits: the node has"
		    " more rows than one snapshot holds");
		item->link_index = link != NULL ? link->index : 0;
		return;
	}
	if (absent_count(p->mem, m->mac) < PLAN_ABSENT_TO_DELETE) {
		set_reason(item, NIC_DELETING, "row gone; deleted once absent"
		    " from %d snapshots", PLAN_ABSENT_TO_DELETE);
		item->link_index = link != NULL ? link->index : 0;
		return;
	}
	/* That row may be this NIC's, mistyped: when in doubt, keep it. */
	if (unreadable != -1) {
		set_reason(item, NIC_DELETING, "deletion waits: row %lld has a"
		    " MAC that does not parse", (long long)unreadable);
		item->link_index = link != NULL ? link->index : 0;
		return;
	}
	if (link != NULL && link_protected(p->in, link, &why)) {
		set_reason(item, NIC_DELETING, "deletion waits: link %s is"
		    " protected: %s", link->name, why);
		item->link_index = link->index;
		return;
	}
	item->state = NIC_DELETING;
	if (link == NULL || p->in->links_untouched) {
		item->action = PLAN_REMOVE_FILE;
		hold_back_retry(p, item, NULL);
		return;
	}
	item->link_index = link->index;
	item->action = PLAN_DELETE;
	hold_back_retry(p, item, link);
}

static size_t
managed_live_links(const struct planner *p)
{
	size_t	i, count, live = 0;

	for (i = 0; i < p->in->nmanaged; i++)
		if (candidate_by_mac(p->in, p->in->managed[i].mac, &count) !=
		    NULL)
			live++;
	return live;
}

/*
 * A deletion that would de-configure every managed live link, or more than
 * DELETE_MAX_PER_CYCLE, waits for DELETE_GRACE or sync --allow-delete: it is
 * what a wrong node name or an emptied table looks like.
 */
static void
guard_deletions(struct planner *p)
{
	const struct plan_input	*in = p->in;
	size_t			 i, deleting = 0, live = managed_live_links(p);

	for (i = 0; i < p->plan->nitems; i++)
		if (p->plan->items[i].action == PLAN_DELETE)
			deleting++;
	if (deleting == 0 || in->allow_delete ||
	    (deleting < live && deleting <= in->delete_max)) {
		p->mem->held_since = 0;
		return;
	}
	/* A wall clock stepped back starts the grace again. */
	if (p->mem->held_since == 0 || in->now < p->mem->held_since)
		p->mem->held_since = in->now;
	if ((uint64_t)(in->now - p->mem->held_since) * 1000 >=
	    in->delete_grace_ms)
		return;
	p->plan->deletions_held = 1;
	for (i = 0; i < p->plan->nitems; i++) {
		if (p->plan->items[i].action != PLAN_DELETE)
			continue;
		p->plan->items[i].action = PLAN_NOTHING;
		set_reason(&p->plan->items[i], NIC_DELETING, "deletion held:"
		    " %zu of %zu managed links would go; waiting for"
		    " DELETE_GRACE or multinicctl sync --allow-delete",
		    deleting, live);
	}
}

int
plan_snapshot_counts(struct plan_memory *mem, time_t now,
    uint32_t poll_interval_ms)
{
	/* A wall clock stepped back makes no snapshot count. */
	if (mem->last_counted != 0 && (now < mem->last_counted ||
	    (uint64_t)(now - mem->last_counted) * 1000 <
	    poll_interval_ms / 2))
		return 0;
	mem->last_counted = now;
	return 1;
}

/*
 * Nothing in this plan or the memory behind it moves with time or waits for
 * a later cycle. Anything unsure answers no: the caller then runs a cycle.
 */
int
plan_is_steady(const struct plan *plan, const struct plan_memory *mem)
{
	const struct plan_item	*item;
	size_t			 i;

	/* A retry's clock, a deletion's count, DELETE_GRACE. */
	if (mem->nfailures != 0 || mem->nabsent != 0 || mem->held_since != 0 ||
	    plan->deletions_held)
		return 0;
	for (i = 0; i < plan->nitems; i++) {
		item = &plan->items[i];
		/* A dry run keeps its actions planned: never steady. */
		if (item->action != PLAN_NOTHING || item->drift != 0)
			return 0;
		switch (item->state) {
		case NIC_APPLIED:
		case NIC_WAITING:
		case NIC_HELD:
			break;
		default:
			return 0;
		}
	}
	return 1;
}

/* A failure whose MAC has nothing to do any more is forgotten. */
static void
prune_failures(struct planner *p)
{
	const struct plan_item	*item;
	size_t			 i, j;
	int			 pending;

	for (i = 0; i < p->mem->nfailures; ) {
		pending = 0;
		for (j = 0; j < p->plan->nitems; j++) {
			item = &p->plan->items[j];
			if (item->mac_valid && memcmp(item->mac,
			    p->mem->failures[i].mac, MAC_LEN) == 0 &&
			    (item->action != PLAN_NOTHING ||
			    item->state == NIC_FAILED ||
			    (item->state == NIC_HELD &&
			    p->mem->failures[i].held)))
				pending = 1;
		}
		if (pending)
			i++;
		else
			forget_failure(p->mem, &p->mem->failures[i]);
	}
}

void
plan_failed(struct plan_memory *mem, const struct plan_item *item,
    const struct nl_link *planned_on, time_t now, uint32_t poll_interval_ms)
{
	struct plan_failure	*f = failure_of(mem, item->mac);
	uint32_t		 first = poll_interval_ms < 1000 ? 1 :
				    poll_interval_ms / 1000;

	/* Still there: the retry of the same inputs failed again. */
	if (f != NULL)
		f->wait_s = f->wait_s * 2 > PLAN_RETRY_MAX_S ?
		    PLAN_RETRY_MAX_S : f->wait_s * 2;
	else if (mem->nfailures < PLAN_SLOTS) {
		f = &mem->failures[mem->nfailures++];
		f->wait_s = first > PLAN_RETRY_MAX_S ? PLAN_RETRY_MAX_S : first;
	} else
		return;
	memcpy(f->mac, item->mac, MAC_LEN);
	f->action = item->action;
	f->drift = item->drift;
	f->desired = item->desired;
	f->had_link = planned_on != NULL;
	if (planned_on != NULL)
		f->link = *planned_on;
	f->retry_at = now + (time_t)f->wait_s;
	f->held = item->state == NIC_HELD;
	strlcpy(f->field, item->field, sizeof(f->field));
	strlcpy(f->reason, item->reason, sizeof(f->reason));
}

void
plan_succeeded(struct plan_memory *mem, const struct plan_item *item)
{
	struct plan_failure	*f = failure_of(mem, item->mac);

	if (f != NULL)
		forget_failure(mem, f);
}

void
plan_compute(const struct plan_input *in, struct plan_memory *mem,
    struct plan *plan)
{
	struct planner	p = { in, mem, plan, { 0 } };
	size_t		i;

	memset(plan, 0, sizeof(*plan));
	mark_taken_slots(&p);
	/* In id order, so slot assignment is deterministic. */
	for (i = 0; i < in->nrows && plan->nitems < PLAN_ITEMS_MAX; i++) {
		if (in->rows[i].state == ROW_HELD)
			plan_held_row(&p, &in->rows[i]);
		else
			plan_valid_row(&p, &in->rows[i]);
	}
	/*
	 * An incomplete snapshot says nothing about the rows it lacks, and a
	 * snapshot planned again is not a new one.
	 */
	update_absence(&p, !in->incomplete && !in->repeat &&
	    plan_snapshot_counts(mem, in->now, in->poll_interval_ms));
	for (i = 0; i < in->nmanaged && plan->nitems < PLAN_ITEMS_MAX; i++)
		if (!row_names_mac(in, in->managed[i].mac))
			plan_orphan(&p, &in->managed[i]);
	guard_deletions(&p);
	prune_failures(&p);
}
