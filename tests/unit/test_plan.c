/* SPDX-License-Identifier: ISC */
/*
 * Tests for applier/plan.c (doc/architecture.md, 3.3-3.5, 3.7-3.9): naming,
 * drift, waiting, held rows, protected links, rows that would take over the
 * node's routing, ambiguous MACs, the deletion debounce and the
 * mass-deletion guard. Every input is built by hand;
 * successive snapshots share one plan_memory and an increasing `now`.
 */

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../applier/plan.h"
#include "state.h"
#include "validate.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

#define T0		((time_t)1700000000)	/* the first snapshot */
#define POLL_S		30			/* POLL_INTERVAL */
#define GRACE_S		600			/* DELETE_GRACE */
#define DEFAULT_PROTECTED "lo,eth0,bond*,br*,docker*,cni*,flannel*,cali*," \
			"vxlan*,virbr*,tun*,tap*"
#define LINKS_MAX	32
#define KEEP		(-2)	/* check_item: do not check the slot */

/* One node as the planner sees it, and what it planned. */
struct world {
	struct msg_row		rows[SNAPSHOT_ROWS_MAX];
	size_t			nrows;
	struct nl_link		links[LINKS_MAX];
	size_t			nlinks;
	struct managed_nic	managed[PLAN_SLOTS];
	size_t			nmanaged;
	int			protected_links[4];
	size_t			nprotected;
	struct plan_input	in;
	struct plan_memory	mem;
	struct plan		plan;
};

static int
world_setup(void **state)
{
	struct world	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->in.protected_patterns = DEFAULT_PROTECTED;
	w->in.now = T0;
	w->in.poll_interval_ms = POLL_S * 1000;
	w->in.delete_grace_ms = GRACE_S * 1000;
	w->in.delete_max = 2;
	*state = w;
	return 0;
}

static int
world_teardown(void **state)
{
	free(*state);
	return 0;
}

#define WORLD_TEST(f) \
	cmocka_unit_test_setup_teardown(f, world_setup, world_teardown)

/* fa:16:3e:00:00:nn, an OpenStack port MAC. */
static void
mac_of(int n, uint8_t mac[MAC_LEN])
{
	static const uint8_t	oui[] = { 0xfa, 0x16, 0x3e, 0x00, 0x00 };

	memcpy(mac, oui, sizeof(oui));
	mac[5] = (uint8_t)n;
}

static uint32_t
ipv4(const char *text)
{
	struct in_addr	a;

	if (inet_pton(AF_INET, text, &a) != 1)
		fail_msg("bad test address %s", text);
	return a.s_addr;
}

static const char *
action_name(enum plan_action action)
{
	static const char *const names[] = { "nothing", "create", "update",
	    "delete", "remove_file" };

	return (unsigned)action < NELEM(names) ? names[action] : "?";
}

/* A valid row, as the applier has it after re-validation. */
static struct msg_row *
add_row(struct world *w, int64_t id, int mac_n, const char *address,
    uint8_t prefix, uint32_t mtu)
{
	struct msg_row	*r = &w->rows[w->nrows++];
	char		 why[128];

	memset(r, 0, sizeof(*r));
	r->row_id = id;
	r->state = ROW_VALID;
	r->mac_valid = 1;
	mac_of(mac_n, r->mac);
	validate_format_mac(r->mac, r->mac_text);
	if (address != NULL) {
		r->has_address = 1;
		r->address = ipv4(address);
		r->prefix = prefix;
	}
	r->mtu = mtu;
	if (validate_msg_row(r, why, sizeof(why)) != 0)
		fail_msg("test row %lld is not valid: %s", (long long)id, why);
	return r;
}

/* The usual row: 10.20.0.<mac_n>/24, MTU 1500. */
static struct msg_row *
add_std_row(struct world *w, int64_t id, int mac_n)
{
	char	address[16];

	snprintf(address, sizeof(address), "10.20.0.%d", mac_n);
	return add_row(w, id, mac_n, address, 24, 1500);
}

/* A row validation rejected; its MAC parses or not. */
static struct msg_row *
add_held_row(struct world *w, int64_t id, const char *mac_text,
    const char *field, const char *reason)
{
	struct msg_row	*r = &w->rows[w->nrows++];
	char		 why[128];

	memset(r, 0, sizeof(*r));
	r->row_id = id;
	r->state = ROW_HELD;
	r->mac_valid = validate_parse_mac(mac_text, r->mac) == 0;
	if (r->mac_valid)
		validate_format_mac(r->mac, r->mac_text);
	else
		strlcpy(r->mac_text, mac_text, sizeof(r->mac_text));
	strlcpy(r->field, field, sizeof(r->field));
	strlcpy(r->reason, reason, sizeof(r->reason));
	if (validate_msg_row(r, why, sizeof(why)) != 0)
		fail_msg("test row %lld is not a held row: %s", (long long)id,
		    why);
	return r;
}

/* An Ethernet link, up, MTU 1500, no address; kind "" is a NIC. */
static struct nl_link *
add_link(struct world *w, int index, const char *name, const char *kind,
    int mac_n)
{
	struct nl_link	*l;

	if (w->nlinks == LINKS_MAX)
		fail_msg("too many test links");
	l = &w->links[w->nlinks++];
	memset(l, 0, sizeof(*l));
	l->index = index;
	strlcpy(l->name, name, sizeof(l->name));
	strlcpy(l->kind, kind, sizeof(l->kind));
	mac_of(mac_n, l->mac);
	l->has_mac = 1;
	l->type = ARPHRD_ETHER;
	l->flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST;
	l->mtu = 1500;
	return l;
}

static void
link_add_address(struct nl_link *l, const char *address, uint8_t prefix)
{
	l->addrs[l->naddrs].addr = ipv4(address);
	l->addrs[l->naddrs].prefix = prefix;
	l->naddrs++;
}

/* The file and the name-map entry a row would have once applied. */
static struct nic_config
config_of(const struct msg_row *r, int slot)
{
	struct nic_config	c;

	memset(&c, 0, sizeof(c));
	c.slot = slot;
	snprintf(c.name, sizeof(c.name), "multinic%d", slot);
	memcpy(c.mac, r->mac, MAC_LEN);
	c.has_address = r->has_address;
	c.address = r->address;
	c.prefix = r->prefix;
	c.mtu = r->mtu;
	return c;
}

/* A name-map entry; file NULL: the file is missing. */
static struct managed_nic *
add_managed(struct world *w, int mac_n, int slot,
    const struct nic_config *file)
{
	struct managed_nic	*m;

	if (w->nmanaged == NELEM(w->managed))
		fail_msg("too many managed NICs");
	m = &w->managed[w->nmanaged++];
	memset(m, 0, sizeof(*m));
	mac_of(mac_n, m->mac);
	m->slot = slot;
	if (file != NULL) {
		m->has_file = 1;
		m->file = *file;
	}
	return m;
}

/* The link as the applier leaves it for row r in slot. */
static void
configure_link(struct nl_link *l, const struct msg_row *r, int slot)
{
	snprintf(l->name, sizeof(l->name), "multinic%d", slot);
	l->mtu = r->mtu;
	l->naddrs = 0;
	if (r->has_address) {
		l->addrs[0].addr = r->address;
		l->addrs[0].prefix = r->prefix;
		l->naddrs = 1;
	}
	l->flags |= IFF_UP;
}

static int
link_index_of(int mac_n)
{
	return 100 + mac_n;
}

/*
 * A NIC applied in an earlier cycle: name map, file and live link agree.
 * row_id 0: its row is gone (the file still says what it was).
 */
static struct nl_link *
add_applied_nic(struct world *w, int64_t row_id, int mac_n, int slot)
{
	struct msg_row		 row, *r = &row;
	struct nic_config	 file;
	struct nl_link		*l;
	char			 address[16];

	snprintf(address, sizeof(address), "10.20.0.%d", mac_n);
	if (row_id != 0)
		r = add_row(w, row_id, mac_n, address, 24, 1500);
	else {
		memset(&row, 0, sizeof(row));
		mac_of(mac_n, row.mac);
		row.has_address = 1;
		row.address = ipv4(address);
		row.prefix = 24;
		row.mtu = 1500;
	}
	file = config_of(r, slot);
	add_managed(w, mac_n, slot, &file);
	l = add_link(w, link_index_of(mac_n), "ens", "", mac_n);
	configure_link(l, r, slot);
	return l;
}

static void
run(struct world *w)
{
	w->in.rows = w->rows;
	w->in.nrows = w->nrows;
	w->in.links = w->links;
	w->in.nlinks = w->nlinks;
	w->in.managed = w->managed;
	w->in.nmanaged = w->nmanaged;
	w->in.protected_links = w->protected_links;
	w->in.nprotected = w->nprotected;
	plan_compute(&w->in, &w->mem, &w->plan);
}

static void
run_at(struct world *w, time_t now)
{
	w->in.now = now;
	run(w);
}

static const struct plan_item *
item_of_row(const struct world *w, int64_t row_id)
{
	size_t	i;

	for (i = 0; i < w->plan.nitems; i++)
		if (w->plan.items[i].row_id == row_id)
			return &w->plan.items[i];
	fail_msg("no plan item for row %lld", (long long)row_id);
	abort();	/* not reached: fail_msg() jumps out */
}

/* The item of a managed NIC without a row. */
static const struct plan_item *
item_of_orphan(const struct world *w, int mac_n)
{
	uint8_t	mac[MAC_LEN];
	size_t	i;

	mac_of(mac_n, mac);
	for (i = 0; i < w->plan.nitems; i++)
		if (w->plan.items[i].row_id == -1 &&
		    w->plan.items[i].mac_valid &&
		    memcmp(w->plan.items[i].mac, mac, MAC_LEN) == 0)
			return &w->plan.items[i];
	fail_msg("no plan item for the managed MAC ...:%02x", mac_n);
	abort();	/* not reached: fail_msg() jumps out */
}

static size_t
count_actions(const struct world *w, enum plan_action action)
{
	size_t	i, n = 0;

	for (i = 0; i < w->plan.nitems; i++)
		if (w->plan.items[i].action == action)
			n++;
	return n;
}

static void
check_item(const char *what, const struct plan_item *item,
    enum plan_action action, enum nic_state state, int slot)
{
	if (item->action != action || item->state != state ||
	    (slot != KEEP && item->slot != slot))
		fail_msg("%s: got %s/%s slot %d, want %s/%s slot %d"
		    " (reason \"%s\")", what, action_name(item->action),
		    nic_state_name(item->state), item->slot,
		    action_name(action), nic_state_name(state), slot,
		    item->reason);
}

static void
check_drift(const char *what, const struct plan_item *item, unsigned drift)
{
	if (item->drift != drift)
		fail_msg("%s: drift 0x%02x, want 0x%02x", what, item->drift,
		    drift);
}

static void
check_reason(const char *what, const struct plan_item *item,
    const char *part)
{
	if (strstr(item->reason, part) == NULL)
		fail_msg("%s: reason \"%s\" does not mention \"%s\"", what,
		    item->reason, part);
}

/* ---- names (doc/architecture.md, 3.4) ---- */

static void
test_new_mac_takes_lowest_free_slot(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	const struct msg_row	*r;

	r = add_row(w, 7, 1, "192.168.10.20", 24, 1450);
	add_link(w, 5, "ens5", "", 1);
	run(w);
	assert_int_equal(w->plan.nitems, 1);
	item = item_of_row(w, 7);
	check_item("new MAC", item, PLAN_CREATE, NIC_PENDING, 0);
	check_drift("new MAC", item, DRIFT_FILE | DRIFT_NAME | DRIFT_MTU |
	    DRIFT_ADDRESS);
	assert_int_equal(item->link_index, 5);
	assert_true(item->mac_valid);
	assert_string_equal(item->mac_text, "fa:16:3e:00:00:01");
	assert_string_equal(item->desired.name, "multinic0");
	assert_int_equal(item->desired.slot, 0);
	assert_memory_equal(item->desired.mac, r->mac, MAC_LEN);
	assert_int_equal(item->desired.has_address, 1);
	assert_int_equal(item->desired.address, ipv4("192.168.10.20"));
	assert_int_equal(item->desired.prefix, 24);
	assert_int_equal(item->desired.mtu, 1450);
	assert_int_equal(w->plan.deletions_held, 0);
}

struct slot_owner {
	int	mac;		/* 0 ends the list */
	int	slot;
};

struct named_link {
	const char	*name;	/* NULL ends the list */
	int		 mac;
};

struct naming_case {
	const char		*what;
	struct slot_owner	 map[PLAN_SLOTS + 1];	/* the name map */
	struct named_link	 links[4];	/* other MACs' links */
	const char		*row_link;	/* the row's link (MAC 1) */
	int			 want_slot;	/* -1: no free slot */
};

static const struct naming_case naming_cases[] = {
	{ "nothing taken", { { 0, 0 } }, { { NULL, 0 } }, "ens5", 0 },
	{ "map holds 0", { { 20, 0 }, { 0, 0 } }, { { NULL, 0 } }, "ens5", 1 },
	{ "gap: map holds 0 and 2", { { 20, 0 }, { 22, 2 }, { 0, 0 } },
	    { { NULL, 0 } }, "ens5", 1 },
	{ "live multinic0 of an unmanaged MAC", { { 0, 0 } },
	    { { "multinic0", 30 }, { NULL, 0 } }, "ens5", 1 },
	{ "map 0, live multinic1 of another MAC", { { 20, 0 }, { 0, 0 } },
	    { { "multinic1", 30 }, { NULL, 0 } }, "ens5", 2 },
	{ "map and live links together", { { 20, 0 }, { 21, 1 }, { 0, 0 } },
	    { { "multinic2", 30 }, { "multinic4", 31 }, { NULL, 0 } }, "ens5",
	    3 },
	{ "map entry's link carries another name", { { 20, 0 }, { 0, 0 } },
	    { { "ens9", 20 }, { NULL, 0 } }, "ens5", 1 },
	{ "names only look like slots", { { 0, 0 } },
	    { { "multinic10", 30 }, { "multinic", 31 }, { "multinicx", 32 },
	    { "Multinic0", 33 } }, "ens5", 0 },
	{ "own link already multinic5, not in the map", { { 0, 0 } },
	    { { NULL, 0 } }, "multinic5", 5 },
	{ "own link multinic5, map has 0 and 1", { { 20, 0 }, { 21, 1 },
	    { 0, 0 } }, { { NULL, 0 } }, "multinic5", 5 },
	{ "own link multinic5, but the map gives 5 to another MAC",
	    { { 20, 5 }, { 0, 0 } }, { { NULL, 0 } }, "multinic5", 0 },
	{ "managed MAC keeps its slot though 0 is free",
	    { { 1, 7 }, { 0, 0 } }, { { NULL, 0 } }, "ens5", 7 },
	{ "managed MAC keeps its slot whatever its link is called",
	    { { 1, 7 }, { 0, 0 } }, { { NULL, 0 } }, "multinic3", 7 },
	{ "map holds 0..8, live multinic9 of another MAC",
	    { { 20, 0 }, { 21, 1 }, { 22, 2 }, { 23, 3 }, { 24, 4 },
	    { 25, 5 }, { 26, 6 }, { 27, 7 }, { 28, 8 }, { 0, 0 } },
	    { { "multinic9", 30 }, { NULL, 0 } }, "ens5", -1 },
	{ "map holds 0..9", { { 20, 0 }, { 21, 1 }, { 22, 2 }, { 23, 3 },
	    { 24, 4 }, { 25, 5 }, { 26, 6 }, { 27, 7 }, { 28, 8 }, { 29, 9 },
	    { 0, 0 } }, { { NULL, 0 } }, "ens5", -1 },
};

static void
test_naming(void **state)
{
	const struct naming_case	*c;
	const struct plan_item		*item;
	struct world			*w = *state;
	struct nic_config		 file;
	struct msg_row			 other;
	char				 want_name[16];
	size_t				 i, j;

	for (i = 0; i < NELEM(naming_cases); i++) {
		c = &naming_cases[i];
		world_teardown(state);
		assert_int_equal(world_setup(state), 0);
		w = *state;
		add_std_row(w, 1, 1);
		for (j = 0; c->map[j].mac != 0; j++) {
			memset(&other, 0, sizeof(other));
			mac_of(c->map[j].mac, other.mac);
			other.mtu = 1500;
			file = config_of(&other, c->map[j].slot);
			add_managed(w, c->map[j].mac, c->map[j].slot, &file);
		}
		for (j = 0; j < NELEM(c->links) && c->links[j].name != NULL;
		    j++)
			add_link(w, 50 + (int)j, c->links[j].name, "",
			    c->links[j].mac);
		add_link(w, 5, c->row_link, "", 1);
		run(w);
		item = item_of_row(w, 1);
		if (c->want_slot == -1) {
			check_item(c->what, item, PLAN_NOTHING, NIC_FAILED, -1);
			check_reason(c->what, item, "no free multinic slot");
			continue;
		}
		if (item->slot != c->want_slot)
			fail_msg("%s: slot %d, want %d", c->what, item->slot,
			    c->want_slot);
		snprintf(want_name, sizeof(want_name), "multinic%d",
		    c->want_slot);
		if (strcmp(item->desired.name, want_name) != 0)
			fail_msg("%s: desired name %s, want %s", c->what,
			    item->desired.name, want_name);
		if (item->action == PLAN_NOTHING || item->state != NIC_PENDING)
			fail_msg("%s: %s/%s, want a change pending", c->what,
			    action_name(item->action),
			    nic_state_name(item->state));
	}
}

/* Managed MACs keep their slots whatever the order of the rows. */
static void
test_slots_stable_when_rows_reordered(void **state)
{
	struct world	*w = *state;
	struct msg_row	 swap;
	int		 round;

	add_applied_nic(w, 10, 1, 1);
	add_applied_nic(w, 11, 2, 0);
	add_std_row(w, 12, 3);
	add_link(w, 3, "ens3", "", 3);
	for (round = 0; round < 2; round++) {
		run_at(w, T0 + round * POLL_S);
		check_item("first managed", item_of_row(w, 10), PLAN_NOTHING,
		    NIC_APPLIED, 1);
		check_item("second managed", item_of_row(w, 11), PLAN_NOTHING,
		    NIC_APPLIED, 0);
		check_item("new", item_of_row(w, 12), PLAN_CREATE, NIC_PENDING,
		    2);
		/* Reverse the rows for the next round. */
		swap = w->rows[0];
		w->rows[0] = w->rows[2];
		w->rows[2] = swap;
	}
}

/*
 * A MAC applied in one cycle keeps its slot in the next, when a new row
 * comes first.
 */
static void
test_slot_kept_across_cycles(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	struct nic_config	 file;
	struct nl_link		*l;

	add_std_row(w, 20, 2);
	l = add_link(w, 2, "ens2", "", 2);
	run(w);
	item = item_of_row(w, 20);
	check_item("cycle 1", item, PLAN_CREATE, NIC_PENDING, 0);

	/* The applier did it: map, file, link. */
	file = item->desired;
	add_managed(w, 2, 0, &file);
	configure_link(l, &w->rows[0], 0);
	/* A new row with a lower id (and MAC) arrives first. */
	w->rows[1] = w->rows[0];
	w->nrows = 0;
	add_std_row(w, 5, 1);
	w->nrows = 2;
	add_link(w, 1, "ens1", "", 1);
	run_at(w, T0 + POLL_S);
	check_item("cycle 2, applied MAC", item_of_row(w, 20), PLAN_NOTHING,
	    NIC_APPLIED, 0);
	check_drift("cycle 2, applied MAC", item_of_row(w, 20), 0);
	check_item("cycle 2, new MAC", item_of_row(w, 5), PLAN_CREATE,
	    NIC_PENDING, 1);
}

static void
test_no_free_slot(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	char			 name[IFNAMSIZ];
	int			 n;

	for (n = 1; n <= 11; n++) {
		add_std_row(w, n, n);
		snprintf(name, sizeof(name), "ens%d", n);
		add_link(w, n, name, "", n);
	}
	run(w);
	assert_int_equal(w->plan.nitems, 11);
	for (n = 1; n <= 10; n++)
		check_item("one of ten", item_of_row(w, n), PLAN_CREATE,
		    NIC_PENDING, n - 1);
	item = item_of_row(w, 11);
	check_item("eleventh", item, PLAN_NOTHING, NIC_FAILED, -1);
	assert_string_equal(item->reason, "no free multinic slot");
}

/* A mixed node: every kind of item at once. */
static void
build_mixed_node(struct world *w)
{
	add_applied_nic(w, 1, 1, 4);
	add_applied_nic(w, 0, 2, 0)->mtu = 9000;
	add_std_row(w, 3, 3);
	add_link(w, 3, "ens3", "", 3);
	add_std_row(w, 4, 4);
	add_link(w, 4, "multinic7", "", 4);
	add_std_row(w, 5, 5);		/* waiting */
	add_held_row(w, 6, "FA:16:3E:00:00:06", "mtu", "outside 68..9216");
	add_std_row(w, 7, 7);
	add_link(w, 70, "veth7a", "veth", 7);
	add_link(w, 71, "veth7b", "veth", 7);
	add_link(w, 8, "eth0", "", 8);
	add_std_row(w, 8, 8);
	add_link(w, 9, "ens9", "", 9);
	add_std_row(w, 9, 9);
	w->protected_links[w->nprotected++] = 9;
}

static void
test_deterministic(void **state)
{
	struct world		*w = *state;
	struct plan_memory	 start;
	struct plan		*first;
	int			 cycle;

	if ((first = calloc(1, sizeof(*first))) == NULL)
		fail_msg("calloc");
	build_mixed_node(w);
	for (cycle = 0; cycle < 3; cycle++) {
		start = w->mem;
		run_at(w, T0 + cycle * POLL_S);
		*first = w->plan;
		w->mem = start;
		run_at(w, T0 + cycle * POLL_S);
		assert_int_equal(first->nitems, w->plan.nitems);
		assert_memory_equal(first, &w->plan, sizeof(*first));
	}
	assert_int_equal(w->plan.nitems, 9);
	free(first);
}

/* ---- failed actions and their retries ---- */

/* The cycle's side: executing the item failed with reason and was undone. */
static void
fail_item(struct world *w, int64_t row_id, const char *reason, time_t now)
{
	struct plan_item	*item = (struct plan_item *)item_of_row(w, row_id);

	strlcpy(item->reason, reason, sizeof(item->reason));
	item->state = NIC_FAILED;
	plan_failed(&w->mem, item, nl_link_by_index(w->links, w->nlinks,
	    item->link_index), now, POLL_S * 1000);
}

/*
 * Unchanged inputs: a failed action waits one poll interval, then two,
 * four...: a change the kernel refuses does not bounce the link every
 * cycle. It stays failed with its reason meanwhile.
 */
static void
test_failed_action_backs_off(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	static const int	 waits[] = { 1, 2, 4, 8 };
	time_t			 now = T0;
	size_t			 i;

	add_row(w, 1, 1, "10.20.0.1", 24, 9000);
	add_link(w, 1, "ens1", "", 1);
	run_at(w, now);
	check_item("first try", item_of_row(w, 1), PLAN_CREATE, NIC_PENDING, 0);
	for (i = 0; i < NELEM(waits); i++) {
		fail_item(w, 1, "cannot set MTU 9000 on multinic0", now);
		run_at(w, now + waits[i] * POLL_S - 1);
		item = item_of_row(w, 1);
		check_item("waiting to retry", item, PLAN_NOTHING, NIC_FAILED,
		    0);
		assert_string_equal(item->reason,
		    "cannot set MTU 9000 on multinic0");
		now += waits[i] * POLL_S;
		run_at(w, now);
		check_item("retried", item_of_row(w, 1), PLAN_CREATE,
		    NIC_PENDING, 0);
	}
}

static void
test_failed_action_wait_capped(void **state)
{
	struct world	*w = *state;
	time_t		 now = T0;
	int		 i;

	add_std_row(w, 1, 1);
	add_link(w, 1, "ens1", "", 1);
	run_at(w, now);
	for (i = 0; i < 12; i++) {
		fail_item(w, 1, "refused", now);
		now += PLAN_RETRY_MAX_S;
		run_at(w, now);
		check_item("retried within the cap", item_of_row(w, 1),
		    PLAN_CREATE, NIC_PENDING, 0);
	}
}

/* Anything the action was planned from changes: tried again at once. */
static void
test_failed_action_retried_on_change(void **state)
{
	struct world	*w = *state;
	struct msg_row	*row;
	struct nl_link	*link;

	row = add_std_row(w, 1, 1);
	link = add_link(w, 1, "ens1", "", 1);
	run_at(w, T0);
	fail_item(w, 1, "refused", T0);
	row->mtu = 1450;
	run_at(w, T0 + 1);
	check_item("row changed", item_of_row(w, 1), PLAN_CREATE, NIC_PENDING,
	    0);
	fail_item(w, 1, "refused", T0 + 1);
	link->flags &= ~IFF_UP;
	run_at(w, T0 + 2);
	check_item("link changed", item_of_row(w, 1), PLAN_CREATE, NIC_PENDING,
	    0);
	fail_item(w, 1, "refused", T0 + 2);
	w->in.retry_now = 1;
	run_at(w, T0 + 3);
	w->in.retry_now = 0;
	check_item("multinicctl sync", item_of_row(w, 1), PLAN_CREATE,
	    NIC_PENDING, 0);
}

/* Success forgets the failure: the next failure waits one interval again. */
static void
test_success_forgets_failure(void **state)
{
	struct world	*w = *state;
	struct nl_link	*link;

	add_std_row(w, 1, 1);
	link = add_link(w, 1, "ens1", "", 1);
	run_at(w, T0);
	fail_item(w, 1, "refused", T0);
	run_at(w, T0 + POLL_S);
	fail_item(w, 1, "refused", T0 + POLL_S);
	run_at(w, T0 + 3 * POLL_S);
	plan_succeeded(&w->mem, item_of_row(w, 1));
	assert_int_equal(w->mem.nfailures, 0);
	link->flags &= ~IFF_UP;		/* drifted later */
	run_at(w, T0 + 4 * POLL_S);
	fail_item(w, 1, "refused", T0 + 4 * POLL_S);
	run_at(w, T0 + 5 * POLL_S);
	check_item("one interval", item_of_row(w, 1), PLAN_CREATE, NIC_PENDING,
	    0);
}

/* A failure whose row went away is not kept. */
static void
test_failure_of_gone_row_forgotten(void **state)
{
	struct world	*w = *state;

	add_std_row(w, 1, 1);
	add_link(w, 1, "ens1", "", 1);
	run_at(w, T0);
	fail_item(w, 1, "refused", T0);
	w->nrows = 0;
	run_at(w, T0 + 1);
	assert_int_equal(w->mem.nfailures, 0);
}

/* A failed deletion backs off the same way. */
static void
test_failed_delete_backs_off(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 0, 2, 1);
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	item = item_of_orphan(w, 2);
	check_item("deleting", item, PLAN_DELETE, NIC_DELETING, 1);
	strlcpy(((struct plan_item *)item)->reason, "cannot remove",
	    sizeof(item->reason));
	plan_failed(&w->mem, item, nl_link_by_index(w->links, w->nlinks,
	    item->link_index), T0 + POLL_S, POLL_S * 1000);
	run_at(w, T0 + POLL_S + 1);
	check_item("waiting to retry", item_of_orphan(w, 2), PLAN_NOTHING,
	    NIC_FAILED, 1);
	run_at(w, T0 + 2 * POLL_S);
	check_item("retried", item_of_orphan(w, 2), PLAN_DELETE, NIC_DELETING,
	    1);
}

/* ---- drift (doc/architecture.md, 3.5) ---- */

#define MUT_NAME		0x0001	/* link called ens9 */
#define MUT_MTU			0x0002	/* live MTU 9000 */
#define MUT_ADDRESS		0x0004	/* live 10.20.0.99/24 */
#define MUT_PREFIX		0x0008	/* live /16 */
#define MUT_EXTRA_ADDRESS	0x0010	/* live also 10.99.0.1/24 */
#define MUT_NO_ADDRESS		0x0020	/* live without IPv4 */
#define MUT_TRUNCATED		0x0040	/* more addresses than dumped */
#define MUT_DOWN		0x0080	/* admin down */
#define MUT_FILE_MTU		0x0100	/* file says 9000 */
#define MUT_FILE_ADDRESS	0x0200	/* file says 10.20.0.99 */
#define MUT_FILE_NO_ADDRESS	0x0400
#define MUT_FILE_MISSING	0x0800
#define MUT_FILE_NAME		0x1000	/* file names another slot */
#define MUT_UNMANAGED		0x2000	/* no name-map entry, no file */
#define MUT_NO_CARRIER		0x4000	/* up without carrier */

struct drift_case {
	const char		*what;
	int			 row_has_address;
	unsigned		 mutations;
	int			 links_untouched;
	unsigned		 drift;
	enum plan_action	 action;
	enum nic_state		 state;
};

static const struct drift_case drift_cases[] = {
	{ "steady state", 1, 0, 0, 0, PLAN_NOTHING, NIC_APPLIED },
	{ "steady state without an address", 0, 0, 0, 0, PLAN_NOTHING,
	    NIC_APPLIED },
	{ "no carrier is not drift", 1, MUT_NO_CARRIER, 0, 0, PLAN_NOTHING,
	    NIC_APPLIED },
	{ "name differs", 1, MUT_NAME, 0, DRIFT_NAME, PLAN_UPDATE,
	    NIC_PENDING },
	{ "mtu differs", 1, MUT_MTU, 0, DRIFT_MTU, PLAN_UPDATE, NIC_PENDING },
	{ "address differs", 1, MUT_ADDRESS, 0, DRIFT_ADDRESS, PLAN_UPDATE,
	    NIC_PENDING },
	{ "prefix differs", 1, MUT_PREFIX, 0, DRIFT_ADDRESS, PLAN_UPDATE,
	    NIC_PENDING },
	{ "an extra address", 1, MUT_EXTRA_ADDRESS, 0, DRIFT_ADDRESS,
	    PLAN_UPDATE, NIC_PENDING },
	{ "address missing", 1, MUT_NO_ADDRESS, 0, DRIFT_ADDRESS, PLAN_UPDATE,
	    NIC_PENDING },
	{ "an address on a row without one", 0, MUT_EXTRA_ADDRESS, 0,
	    DRIFT_ADDRESS, PLAN_UPDATE, NIC_PENDING },
	{ "addresses truncated", 1, MUT_TRUNCATED, 0, DRIFT_ADDRESS,
	    PLAN_UPDATE, NIC_PENDING },
	{ "addresses truncated, row without one", 0, MUT_TRUNCATED, 0,
	    DRIFT_ADDRESS, PLAN_UPDATE, NIC_PENDING },
	{ "link down", 1, MUT_DOWN, 0, DRIFT_ADMIN, PLAN_UPDATE, NIC_PENDING },
	{ "file mtu differs", 1, MUT_FILE_MTU, 0, DRIFT_FILE, PLAN_UPDATE,
	    NIC_PENDING },
	{ "file address differs", 1, MUT_FILE_ADDRESS, 0, DRIFT_FILE,
	    PLAN_UPDATE, NIC_PENDING },
	{ "file without the address", 1, MUT_FILE_NO_ADDRESS, 0, DRIFT_FILE,
	    PLAN_UPDATE, NIC_PENDING },
	{ "file names another slot", 1, MUT_FILE_NAME, 0, DRIFT_FILE,
	    PLAN_UPDATE, NIC_PENDING },
	{ "managed, file missing", 1, MUT_FILE_MISSING, 0, DRIFT_FILE,
	    PLAN_UPDATE, NIC_PENDING },
	{ "unmanaged, link already as desired", 1, MUT_UNMANAGED, 0,
	    DRIFT_FILE, PLAN_CREATE, NIC_PENDING },
	{ "name, mtu and admin state at once", 1,
	    MUT_NAME | MUT_MTU | MUT_DOWN, 0,
	    DRIFT_NAME | DRIFT_MTU | DRIFT_ADMIN, PLAN_UPDATE, NIC_PENDING },
	{ "everything", 1, MUT_NAME | MUT_MTU | MUT_ADDRESS | MUT_DOWN |
	    MUT_FILE_MTU, 0, DRIFT_FILE | DRIFT_NAME | DRIFT_MTU |
	    DRIFT_ADDRESS | DRIFT_ADMIN, PLAN_UPDATE, NIC_PENDING },
	{ "files mode: live drift ignored", 1, MUT_NAME | MUT_MTU |
	    MUT_ADDRESS | MUT_DOWN, 1, 0, PLAN_NOTHING, NIC_APPLIED },
	{ "files mode: file drift only", 1, MUT_FILE_MTU | MUT_MTU |
	    MUT_DOWN, 1, DRIFT_FILE, PLAN_UPDATE, NIC_PENDING },
	{ "files mode: unmanaged", 1, MUT_UNMANAGED | MUT_MTU | MUT_DOWN, 1,
	    DRIFT_FILE, PLAN_CREATE, NIC_PENDING },
};

static void
mutate_link(struct nl_link *l, unsigned mutations)
{
	if (mutations & MUT_NAME)
		strlcpy(l->name, "ens9", sizeof(l->name));
	if (mutations & MUT_MTU)
		l->mtu = 9000;
	if (mutations & MUT_ADDRESS)
		l->addrs[0].addr = ipv4("10.20.0.99");
	if (mutations & MUT_PREFIX)
		l->addrs[0].prefix = 16;
	if (mutations & MUT_EXTRA_ADDRESS)
		link_add_address(l, "10.99.0.1", 24);
	if (mutations & MUT_NO_ADDRESS)
		l->naddrs = 0;
	/* The dump overflowed: what was kept says nothing of the rest. */
	if (mutations & MUT_TRUNCATED)
		l->addrs_truncated = 1;
	if (mutations & MUT_DOWN)
		l->flags &= ~(unsigned)IFF_UP;
	if (mutations & MUT_NO_CARRIER)
		l->flags &= ~(unsigned)IFF_RUNNING;
	else
		l->flags |= IFF_RUNNING;
}

static void
mutate_file(struct nic_config *file, unsigned mutations)
{
	if (mutations & MUT_FILE_MTU)
		file->mtu = 9000;
	if (mutations & MUT_FILE_ADDRESS)
		file->address = ipv4("10.20.0.99");
	if (mutations & MUT_FILE_NO_ADDRESS) {
		file->has_address = 0;
		file->address = 0;
		file->prefix = 0;
	}
	if (mutations & MUT_FILE_NAME) {
		file->slot = 4;
		strlcpy(file->name, "multinic4", sizeof(file->name));
	}
}

static void
run_drift_case(void **state, const struct drift_case *c)
{
	struct world		*w;
	const struct msg_row	*r;
	const struct plan_item	*item;
	struct nic_config	 file;
	struct nl_link		*l;

	world_teardown(state);
	assert_int_equal(world_setup(state), 0);
	w = *state;
	w->in.links_untouched = c->links_untouched;
	r = c->row_has_address ? add_row(w, 1, 1, "10.20.0.5", 24, 1450) :
	    add_row(w, 1, 1, NULL, 0, 1450);
	file = config_of(r, 3);
	mutate_file(&file, c->mutations);
	if (!(c->mutations & MUT_UNMANAGED))
		add_managed(w, 1, 3, c->mutations & MUT_FILE_MISSING ? NULL :
		    &file);
	l = add_link(w, 12, "ens", "", 1);
	configure_link(l, r, 3);
	mutate_link(l, c->mutations);
	run(w);
	assert_int_equal(w->plan.nitems, 1);
	item = item_of_row(w, 1);
	check_item(c->what, item, c->action, c->state, 3);
	check_drift(c->what, item, c->drift);
	if (item->link_index != 12)
		fail_msg("%s: link_index %d", c->what, item->link_index);
	/* Whatever the drift, the desired state is the row's. */
	if (strcmp(item->desired.name, "multinic3") != 0 ||
	    item->desired.slot != 3 ||
	    item->desired.mtu != 1450 ||
	    item->desired.has_address != c->row_has_address ||
	    (c->row_has_address &&
	    (item->desired.address != ipv4("10.20.0.5") ||
	    item->desired.prefix != 24)))
		fail_msg("%s: desired state is not the row's", c->what);
}

static void
test_drift(void **state)
{
	size_t	i;

	for (i = 0; i < NELEM(drift_cases); i++)
		run_drift_case(state, &drift_cases[i]);
}

/* A steady node stays steady, cycle after cycle. */
static void
test_steady_state_many_cycles(void **state)
{
	struct world	*w = *state;
	size_t		 i;
	int		 cycle;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 3, 3, 5);
	add_link(w, 1, "eth0", "", 40);
	w->protected_links[w->nprotected++] = 1;
	for (cycle = 0; cycle < 5; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		assert_int_equal(w->plan.nitems, 3);
		for (i = 0; i < w->plan.nitems; i++) {
			check_item("steady", &w->plan.items[i], PLAN_NOTHING,
			    NIC_APPLIED, KEEP);
			check_drift("steady", &w->plan.items[i], 0);
		}
		assert_int_equal(w->plan.deletions_held, 0);
		assert_int_equal(w->mem.held_since, 0);
		assert_int_equal(w->mem.nabsent, 0);
	}
}

/*
 * Source routing: a missing or different rule or route is DRIFT_ROUTE, a
 * file without them DRIFT_FILE where the format carries them; off, a rule
 * left at the slot's priority is drift too; nothing read, nothing compared.
 */
static void
test_route_drift(void **state)
{
	struct world		*w = *state;
	struct srcroute_conf	 on = { 1000, 1 };
	struct srcroute_live	 live;
	struct srcroute_set	 wanted;
	struct nl_link		*l;
	const struct plan_item	*item;

	l = add_applied_nic(w, 1, 5, 2);
	memset(&live, 0, sizeof(live));
	live.read = 1;
	w->in.srcroute = &on;
	w->in.srcroute_live = &live;
	w->in.files_carry_routes = 1;
	run(w);
	item = item_of_row(w, 1);
	check_item("on, nothing there", item, PLAN_UPDATE, NIC_PENDING, 2);
	check_drift("on, nothing there", item, DRIFT_FILE | DRIFT_ROUTE);
	assert_int_equal(item->desired.route_table, 1002);
	assert_int_equal(item->desired.route_gateway, ipv4("10.20.0.1"));

	/* As applied: the file has them and the kernel too. */
	w->managed[0].file = item->desired;
	srcroute_wanted(&item->desired, l->index, &wanted);
	live.rules[live.nrules++] = wanted.rules[0];
	live.routes[live.nroutes++] = wanted.routes[0];
	live.routes[live.nroutes++] = wanted.routes[1];
	run(w);
	check_item("on, applied", item_of_row(w, 1), PLAN_NOTHING, NIC_APPLIED,
	    2);

	live.nroutes = 1;
	run(w);
	check_drift("a route gone", item_of_row(w, 1), DRIFT_ROUTE);

	/* A format without routes in its file: only the live part counts. */
	w->in.files_carry_routes = 0;
	w->managed[0].file.route_table = 0;
	w->managed[0].file.route_gateway = 0;
	live.nroutes = 2;
	run(w);
	check_item("ifcfg, applied", item_of_row(w, 1), PLAN_NOTHING,
	    NIC_APPLIED, 2);

	/* Off: the rule left at priority 1002 goes. */
	w->in.srcroute = NULL;
	run(w);
	check_drift("off, rule left", item_of_row(w, 1), DRIFT_ROUTE);
	assert_int_equal(item_of_row(w, 1)->desired.route_table, 0);
	live.read = 0;
	run(w);
	check_item("not read", item_of_row(w, 1), PLAN_NOTHING, NIC_APPLIED,
	    2);
}

/* ---- waiting (doc/architecture.md, 3.7) ---- */

static void
test_waiting_for_nic(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	int			 cycle;

	add_applied_nic(w, 1, 1, 0);
	add_std_row(w, 2, 2);
	add_link(w, 3, "ens3", "", 3);		/* another MAC */
	for (cycle = 0; cycle < 4; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		item = item_of_row(w, 2);
		check_item("waiting", item, PLAN_NOTHING, NIC_WAITING, KEEP);
		assert_int_equal(item->link_index, 0);
		check_drift("waiting", item, 0);
		assert_int_equal(count_actions(w, PLAN_DELETE) +
		    count_actions(w, PLAN_REMOVE_FILE), 0);
	}
	/* The NIC appears: applied in the next cycle. */
	add_link(w, 2, "ens2", "", 2);
	run_at(w, T0 + 4 * POLL_S);
	check_item("appeared", item_of_row(w, 2), PLAN_CREATE, NIC_PENDING, 1);
}

/* A managed NIC unplugged while its row stays: waiting, not deleted. */
static void
test_managed_nic_unplugged_waits(void **state)
{
	struct world	*w = *state;
	int		 cycle;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	w->nlinks = 1;				/* MAC 2's link is gone */
	for (cycle = 0; cycle < 4; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		check_item("unplugged", item_of_row(w, 2), PLAN_NOTHING,
		    NIC_WAITING, 1);
		assert_int_equal(w->plan.nitems, 2);
	}
}

/* ---- held rows (doc/architecture.md, 3.5: frozen) ---- */

static void
test_held_row_freezes_managed_nic(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	size_t			 i;
	int			 cycle;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2)->mtu = 9000;	/* drifted, too */
	add_held_row(w, 3, "FA-16-3E-00-00-03", "address",
	    "not inside 10.1.0.0/24");
	for (cycle = 0; cycle < 8; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		assert_int_equal(w->plan.nitems, 3);
		item = item_of_row(w, 3);
		check_item("held", item, PLAN_NOTHING, NIC_HELD, 2);
		check_drift("held", item, 0);
		check_reason("held", item, "address");
		check_reason("held", item, "not inside 10.1.0.0/24");
		assert_string_equal(item->mac_text, "fa:16:3e:00:00:03");
		for (i = 0; i < w->plan.nitems; i++)
			if (w->plan.items[i].row_id == -1)
				fail_msg("cycle %d: the held MAC became an"
				    " orphan", cycle);
		assert_int_equal(count_actions(w, PLAN_NOTHING), 3);
	}
	/* Even when its NIC is gone from the node. */
	w->nlinks = 2;
	for (cycle = 8; cycle < 12; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		check_item("held, NIC gone", item_of_row(w, 3), PLAN_NOTHING,
		    NIC_HELD, 2);
		assert_int_equal(count_actions(w, PLAN_NOTHING), 3);
	}
}

/* A held row for a new MAC takes no slot from a valid one. */
static void
test_held_row_takes_no_slot(void **state)
{
	struct world	*w = *state;

	add_held_row(w, 1, "fa:16:3e:00:00:01", "cidr", "host bits set");
	add_link(w, 1, "ens1", "", 1);
	add_std_row(w, 2, 2);
	add_link(w, 2, "ens2", "", 2);
	run(w);
	check_item("held", item_of_row(w, 1), PLAN_NOTHING, NIC_HELD, -1);
	check_item("valid", item_of_row(w, 2), PLAN_CREATE, NIC_PENDING, 0);
}

/* ---- protected links (doc/architecture.md, 3.9) ---- */

static void
test_route_link_is_held(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	size_t			 i;

	add_std_row(w, 1, 1);
	add_link(w, 2, "ens3", "", 1);		/* default route */
	add_std_row(w, 2, 2);
	add_link(w, 7, "ens7", "", 2);		/* route to the DB */
	add_std_row(w, 3, 3);
	add_link(w, 8, "ens8", "", 3);
	w->protected_links[w->nprotected++] = 2;
	w->protected_links[w->nprotected++] = 7;
	run(w);
	for (i = 1; i <= 2; i++) {
		item = item_of_row(w, (int64_t)i);
		check_item("route link", item, PLAN_NOTHING, NIC_HELD, KEEP);
		check_reason("route link", item, "route");
		check_drift("route link", item, 0);
	}
	check_item("other link", item_of_row(w, 3), PLAN_CREATE, NIC_PENDING,
	    KEEP);
}

struct protected_case {
	const char	*what;
	const char	*name;
	const char	*kind;
	const char	*patterns;	/* PROTECTED_INTERFACES */
	int		 held;
};

static const struct protected_case protected_cases[] = {
	{ "eth0", "eth0", "", DEFAULT_PROTECTED, 1 },
	{ "br-ex as a NIC", "br-ex", "", DEFAULT_PROTECTED, 1 },
	{ "Calico veth", "cali1a2b3c4d5e", "veth", DEFAULT_PROTECTED, 1 },
	{ "docker veth", "docker-veth1", "veth", DEFAULT_PROTECTED, 1 },
	{ "tap NIC", "tap0", "", DEFAULT_PROTECTED, 1 },
	{ "hot-plugged ens", "ens5", "", DEFAULT_PROTECTED, 0 },
	{ "hot-plugged enp", "enp0s5", "", DEFAULT_PROTECTED, 0 },
	{ "eth1 is not eth0", "eth1", "", DEFAULT_PROTECTED, 0 },
	{ "a site's own pattern", "ens5", "", "lo,ens*", 1 },
	{ "empty list", "eth0", "", "", 0 },
	{ "no list", "eth0", "", NULL, 0 },
};

static void
test_protected_by_name(void **state)
{
	const struct protected_case	*c;
	const struct plan_item		*item;
	struct world			*w;
	size_t				 i;

	for (i = 0; i < NELEM(protected_cases); i++) {
		c = &protected_cases[i];
		world_teardown(state);
		assert_int_equal(world_setup(state), 0);
		w = *state;
		w->in.protected_patterns = c->patterns;
		add_std_row(w, 1, 1);
		add_link(w, 4, c->name, c->kind, 1);
		run(w);
		item = item_of_row(w, 1);
		if (c->held) {
			check_item(c->what, item, PLAN_NOTHING, NIC_HELD, KEEP);
			check_reason(c->what, item, c->name);
			check_reason(c->what, item, "PROTECTED_INTERFACES");
			/* What multinic_rows_rejected_total counts it under. */
			assert_string_equal(item->field, "protected");
		} else
			check_item(c->what, item, PLAN_CREATE, NIC_PENDING, 0);
	}
}

/*
 * doc/architecture.md, 3.9: loopback and links matching PROTECTED_INTERFACES
 * are protected, and a row naming such a MAC is held with the reason, whether
 * or not the link could be a candidate.
 */
static void
test_protected_non_candidate_is_held(void **state)
{
	static const struct {
		const char	*what;
		const char	*name;
		const char	*kind;
		int		 loopback;
		int		 master;
	} cases[] = {
		{ "loopback", "lo", "", 1, 0 },
		{ "bridge br-ex", "br-ex", "bridge", 0, 0 },
		{ "eth0 enslaved to bond0", "eth0", "", 0, 9 },
	};
	const struct plan_item	*item;
	struct world		*w;
	struct nl_link		*l;
	char			 failures[512] = "";
	size_t			 i;

	/* Every case runs, so one report names all that fail. */
	for (i = 0; i < NELEM(cases); i++) {
		world_teardown(state);
		assert_int_equal(world_setup(state), 0);
		w = *state;
		add_std_row(w, 1, 1);
		l = add_link(w, 1, cases[i].name, cases[i].kind, 1);
		l->master = cases[i].master;
		if (cases[i].loopback) {
			/* validate refuses the zero MAC: set it by hand. */
			memset(l->mac, 0, MAC_LEN);
			memset(w->rows[0].mac, 0, MAC_LEN);
			l->type = ARPHRD_LOOPBACK;
			l->flags = IFF_UP | IFF_LOOPBACK;
		}
		run(w);
		item = item_of_row(w, 1);
		if (item->action != PLAN_NOTHING || item->state != NIC_HELD) {
			strlcat(failures, "\n  ", sizeof(failures));
			strlcat(failures, cases[i].what, sizeof(failures));
			strlcat(failures, ": ", sizeof(failures));
			strlcat(failures, nic_state_name(item->state),
			    sizeof(failures));
			strlcat(failures, " (", sizeof(failures));
			strlcat(failures, item->reason, sizeof(failures));
			strlcat(failures, ")", sizeof(failures));
		}
	}
	if (failures[0] != '\0')
		fail_msg("rows naming a protected link's MAC, not held:%s",
		    failures);
}

/* ---- rows that would take over the node's routing (doc/architecture.md, 3.12) ---- */

struct routing_case {
	const char	*what;
	const char	*address;
	uint8_t		 prefix;
	uint32_t	 min_prefix_len;
	const char	*field;		/* NULL: not held */
	const char	*reason;
};

static const struct routing_case routing_cases[] = {
	{ "a /1, as in the report", "200.2.0.5", 1, 8, "cidr",
	    "cidr: a /1 is shorter than MIN_PREFIX_LEN (/8)" },
	{ "a /7 below the default floor", "10.0.0.5", 7, 8, "cidr",
	    "a /7 is shorter" },
	{ "a /8 at the floor", "10.0.0.5", 8, 8, NULL, NULL },
	{ "a /16 below a floor of 24", "10.31.0.5", 16, 24, "cidr",
	    "(/24)" },
	{ "a /24 at a floor of 24", "10.31.0.5", 24, 24, NULL, NULL },
	{ "no floor", "200.2.0.5", 1, 0, NULL, NULL },
	{ "the default gateway", "10.30.0.1", 24, 8, "address",
	    "address: 10.30.0.1 is the default gateway" },
	{ "the metadata service", "169.254.169.254", 16, 8, "address",
	    "address: 169.254.169.254 is the metadata service" },
	{ "the database server", "10.40.0.7", 24, 8, "address",
	    "address: 10.40.0.7 is the database server" },
	{ "a protected destination", "10.60.0.9", 24, 8, "address",
	    "address: 10.60.0.9 is in PROTECTED_DESTINATIONS" },
	{ "the primary NIC's address", "10.30.0.10", 24, 8, "address",
	    "address: 10.30.0.10 is on protected link eth0" },
	{ "a second NIC in the primary's subnet", "10.30.0.20", 24, 8, NULL,
	    NULL },
	{ "a subnet holding a protected destination", "10.60.0.5", 24, 8,
	    NULL, NULL },
	{ "the address of an unprotected link", "10.70.0.5", 24, 8, NULL,
	    NULL },
};

static const struct plan_critical routing_critical[] = {
	{ 0, "the default gateway", 2 },
	{ 0, "the database server", 2 },
	{ 0, "the metadata service", 2 },
	{ 0, "in PROTECTED_DESTINATIONS", 2 },
};

/*
 * eth0 (index 2, default route) holds 10.30.0.10/24 and its gateway is
 * 10.30.0.1; ens9 is another NIC multinicd does not manage.
 */
static void
routing_world(struct world *w, struct plan_critical *critical)
{
	static const char *const addrs[] = { "10.30.0.1", "10.40.0.7",
	    "169.254.169.254", "10.60.0.9" };
	struct nl_link	*eth0, *ens9;
	size_t		 i;

	for (i = 0; i < NELEM(routing_critical); i++) {
		critical[i] = routing_critical[i];
		critical[i].addr = ipv4(addrs[i]);
	}
	w->in.critical = critical;
	w->in.ncritical = NELEM(routing_critical);
	eth0 = add_link(w, 2, "eth0", "", 50);
	link_add_address(eth0, "10.30.0.10", 24);
	w->protected_links[w->nprotected++] = 2;
	ens9 = add_link(w, 9, "ens9", "", 9);
	link_add_address(ens9, "10.70.0.5", 24);
}

static void
test_row_taking_routing_is_held(void **state)
{
	struct plan_critical		 critical[NELEM(routing_critical)];
	const struct routing_case	*c;
	const struct plan_item		*item;
	struct world			*w;
	size_t				 i;

	for (i = 0; i < NELEM(routing_cases); i++) {
		c = &routing_cases[i];
		world_teardown(state);
		assert_int_equal(world_setup(state), 0);
		w = *state;
		routing_world(w, critical);
		w->in.min_prefix_len = c->min_prefix_len;
		add_row(w, 1, 1, c->address, c->prefix, 1500);
		add_link(w, 5, "ens5", "", 1);
		run(w);
		item = item_of_row(w, 1);
		if (c->field == NULL) {
			check_item(c->what, item, PLAN_CREATE, NIC_PENDING, 0);
			assert_string_equal(item->field, "");
			continue;
		}
		check_item(c->what, item, PLAN_NOTHING, NIC_HELD, -1);
		check_reason(c->what, item, c->reason);
		if (strcmp(item->field, c->field) != 0)
			fail_msg("%s: field \"%s\", want \"%s\"", c->what,
			    item->field, c->field);
	}
}

/* A NIC applied before its row turned dangerous is frozen, not undone. */
static void
test_managed_nic_frozen_by_routing_hold(void **state)
{
	struct world		*w = *state;
	struct plan_critical	 critical[NELEM(routing_critical)];
	const struct plan_item	*item;

	routing_world(w, critical);
	w->in.min_prefix_len = 8;
	add_applied_nic(w, 1, 1, 3);
	w->rows[0].address = ipv4("169.254.169.254");
	w->rows[0].prefix = 16;
	run(w);
	item = item_of_row(w, 1);
	check_item("frozen", item, PLAN_NOTHING, NIC_HELD, 3);
	check_reason("frozen", item, "metadata");
}

/* The cycle's side: the change moved a critical route and was undone. */
static void
hold_item(struct world *w, int64_t row_id, time_t now)
{
	struct plan_item	*item = (struct plan_item *)item_of_row(w, row_id);

	strlcpy(item->field, "route", sizeof(item->field));
	strlcpy(item->reason, "route: the route to 10.60.0.9 moved",
	    sizeof(item->reason));
	item->state = NIC_HELD;
	plan_failed(&w->mem, item, nl_link_by_index(w->links, w->nlinks,
	    item->link_index), now, POLL_S * 1000);
}

/*
 * A moved route holds the row with its reason however long the inputs stay
 * as they are; a changed row or multinicctl sync tries it again.
 */
static void
test_moved_route_holds_until_change(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	struct msg_row		*row;

	row = add_std_row(w, 1, 1);
	add_link(w, 1, "ens1", "", 1);
	run_at(w, T0);
	hold_item(w, 1, T0);
	run_at(w, T0 + PLAN_RETRY_MAX_S * 10);
	item = item_of_row(w, 1);
	check_item("unchanged", item, PLAN_NOTHING, NIC_HELD, 0);
	assert_string_equal(item->field, "route");
	check_reason("unchanged", item, "route: the route to 10.60.0.9");
	w->in.retry_now = 1;
	run_at(w, T0 + PLAN_RETRY_MAX_S * 11);
	w->in.retry_now = 0;
	check_item("multinicctl sync", item_of_row(w, 1), PLAN_CREATE,
	    NIC_PENDING, 0);
	hold_item(w, 1, T0 + PLAN_RETRY_MAX_S * 11);
	row->address = ipv4("10.20.0.77");
	run_at(w, T0 + PLAN_RETRY_MAX_S * 11 + 1);
	check_item("row changed", item_of_row(w, 1), PLAN_CREATE, NIC_PENDING,
	    0);
}

struct name_protected_case {
	const char	*patterns;
	const char	*name;
	int		 protected;
};

static const struct name_protected_case name_protected_cases[] = {
	{ DEFAULT_PROTECTED, "lo", 1 },
	{ DEFAULT_PROTECTED, "eth0", 1 },
	{ DEFAULT_PROTECTED, "bond0", 1 },
	{ DEFAULT_PROTECTED, "br-ex", 1 },
	{ DEFAULT_PROTECTED, "br-int", 1 },
	{ DEFAULT_PROTECTED, "docker0", 1 },
	{ DEFAULT_PROTECTED, "cni0", 1 },
	{ DEFAULT_PROTECTED, "flannel.1", 1 },
	{ DEFAULT_PROTECTED, "cali0123456789a", 1 },
	{ DEFAULT_PROTECTED, "vxlan.calico", 1 },
	{ DEFAULT_PROTECTED, "virbr0", 1 },
	{ DEFAULT_PROTECTED, "tun0", 1 },
	{ DEFAULT_PROTECTED, "tap1b2c3d4e-5f", 1 },
	{ DEFAULT_PROTECTED, "ens3", 0 },
	{ DEFAULT_PROTECTED, "enp1s0", 0 },
	{ DEFAULT_PROTECTED, "eth1", 0 },
	{ DEFAULT_PROTECTED, "multinic0", 0 },
	{ DEFAULT_PROTECTED, "xbr0", 0 },		/* patterns anchor */
	{ DEFAULT_PROTECTED, "lo0", 0 },
	{ DEFAULT_PROTECTED, "ETH0", 0 },		/* case matters */
	{ "eth0", "eth0", 1 },
	{ "eth0", "eth", 0 },
	{ "eth0,", "eth0", 1 },				/* trailing comma */
	{ ",eth0", "eth0", 1 },				/* leading comma */
	{ "a,,eth0", "eth0", 1 },			/* empty element */
	{ "eth[0-1]", "eth1", 1 },
	{ "eth[0-1]", "eth2", 0 },
	{ "en?3", "ens3", 1 },
	{ "*", "anything", 1 },
	{ "", "eth0", 0 },
	{ NULL, "eth0", 0 },
	/* An element too long to be a pattern is skipped, not cut short... */
	{ "*xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0 },
	/* ...and does not stop the rest of the list. */
	{ "eth0xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx*,"
	    "ens3", "ens3", 1 },
};

static void
test_name_protected(void **state)
{
	const struct name_protected_case	*c;
	size_t					 i;

	(void)state;
	for (i = 0; i < NELEM(name_protected_cases); i++) {
		c = &name_protected_cases[i];
		if (plan_name_protected(c->patterns, c->name) != c->protected)
			fail_msg("patterns \"%s\", name \"%s\": want %s",
			    c->patterns != NULL ? c->patterns : "(null)",
			    c->name, c->protected ? "protected" :
			    "not protected");
	}
}

/* ---- ambiguous MACs (doc/architecture.md, 3.3) ---- */

static void
test_two_candidates_are_ambiguous(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;

	add_std_row(w, 1, 1);
	add_link(w, 10, "veth-a", "veth", 1);
	add_link(w, 11, "veth-b", "veth", 1);
	add_std_row(w, 2, 2);
	add_link(w, 12, "ens12", "", 2);
	run(w);
	item = item_of_row(w, 1);
	check_item("two veths", item, PLAN_NOTHING, NIC_FAILED, -1);
	check_reason("two veths", item, "ambiguous");
	assert_int_equal(item->link_index, 0);
	/* The refused MAC took no slot. */
	check_item("next row", item_of_row(w, 2), PLAN_CREATE, NIC_PENDING, 0);
}

/* Calico: many veths with ee:ee:ee:ee:ee:ee. */
static void
test_calico_mac_is_ambiguous(void **state)
{
	struct world		*w = *state;
	struct msg_row		*r;
	struct nl_link		*l;
	char			 name[IFNAMSIZ];
	int			 i;

	w->in.protected_patterns = "lo";
	r = add_row(w, 1, 1, "10.20.0.1", 24, 1500);
	memset(r->mac, 0xee, MAC_LEN);
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "cali%02d", i);
		l = add_link(w, 20 + i, name, "veth", 0);
		memset(l->mac, 0xee, MAC_LEN);
	}
	run(w);
	check_item("calico", item_of_row(w, 1), PLAN_NOTHING, NIC_FAILED, -1);
	check_reason("calico", item_of_row(w, 1), "20");
	check_reason("calico", item_of_row(w, 1), "ambiguous");
}

struct sharer_case {
	const char	*what;
	const char	*name;
	const char	*kind;
	int		 master;
	unsigned short	 type;
};

/* Links that share or borrow a MAC: never candidates. */
static const struct sharer_case sharer_cases[] = {
	{ "bridge", "mnbr0", "bridge", 0, ARPHRD_ETHER },
	{ "vlan", "ens5.100", "vlan", 0, ARPHRD_ETHER },
	{ "macvlan", "mv0", "macvlan", 0, ARPHRD_ETHER },
	{ "macvtap", "mvtap0", "macvtap", 0, ARPHRD_ETHER },
	{ "ipvlan", "ipv0", "ipvlan", 0, ARPHRD_ETHER },
	{ "bond", "mnbond0", "bond", 0, ARPHRD_ETHER },
	{ "team", "team0", "team", 0, ARPHRD_ETHER },
	{ "vxlan", "vx0", "vxlan", 0, ARPHRD_ETHER },
	{ "enslaved veth", "veth-s", "veth", 3, ARPHRD_ETHER },
	{ "enslaved NIC", "ens9", "", 3, ARPHRD_ETHER },
	{ "not Ethernet", "ib0", "", 0, ARPHRD_INFINIBAND },
};

static void
test_sharers_are_not_candidates(void **state)
{
	const struct sharer_case	*c;
	const struct plan_item		*item;
	struct world			*w;
	struct nl_link			*l;
	size_t				 i;
	int				 with_veth;

	for (i = 0; i < NELEM(sharer_cases); i++) {
		c = &sharer_cases[i];
		for (with_veth = 1; with_veth >= 0; with_veth--) {
			world_teardown(state);
			assert_int_equal(world_setup(state), 0);
			w = *state;
			add_std_row(w, 1, 1);
			l = add_link(w, 30, c->name, c->kind, 1);
			l->master = c->master;
			l->type = c->type;
			if (with_veth)
				add_link(w, 31, "veth-m", "veth", 1);
			run(w);
			item = item_of_row(w, 1);
			if (with_veth) {
				check_item(c->what, item, PLAN_CREATE,
				    NIC_PENDING, 0);
				if (item->link_index != 31)
					fail_msg("%s: link_index %d, want the"
					    " veth's", c->what,
					    item->link_index);
			} else {
				check_item(c->what, item, PLAN_NOTHING,
				    NIC_WAITING, KEEP);
				assert_int_equal(item->link_index, 0);
			}
		}
	}
}

/* ---- deletion debounce (doc/architecture.md, 3.8) ---- */

static void
test_deletion_debounced(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);		/* row gone */

	run_at(w, T0);
	item = item_of_orphan(w, 3);
	check_item("first snapshot", item, PLAN_NOTHING, NIC_DELETING, 2);
	assert_int_equal(item->row_id, -1);
	assert_string_equal(item->mac_text, "fa:16:3e:00:00:03");
	assert_int_equal(item->link_index, link_index_of(3));
	assert_string_equal(item->desired.name, "multinic2");

	/* Less than POLL_INTERVAL/2 later: does not count. */
	run_at(w, T0 + POLL_S / 2 - 1);
	check_item("early snapshot", item_of_orphan(w, 3), PLAN_NOTHING,
	    NIC_DELETING, 2);
	run_at(w, T0 + POLL_S / 2 - 1);
	check_item("same second", item_of_orphan(w, 3), PLAN_NOTHING,
	    NIC_DELETING, 2);

	/* POLL_INTERVAL/2 after the first counted one: counts. */
	run_at(w, T0 + POLL_S / 2);
	item = item_of_orphan(w, 3);
	check_item("second counted snapshot", item, PLAN_DELETE, NIC_DELETING,
	    2);
	assert_int_equal(item->link_index, link_index_of(3));
	assert_int_equal(w->plan.deletions_held, 0);
	check_item("kept", item_of_row(w, 1), PLAN_NOTHING, NIC_APPLIED, 0);
	check_item("kept", item_of_row(w, 2), PLAN_NOTHING, NIC_APPLIED, 1);
	assert_int_equal(count_actions(w, PLAN_DELETE), 1);
}

/* Sub-second polls: POLL_INTERVAL=1s counts snapshots 500 ms apart. */
static void
test_debounce_short_interval(void **state)
{
	struct world	*w = *state;

	w->in.poll_interval_ms = 1000;
	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);
	run_at(w, T0);
	check_item("first", item_of_orphan(w, 3), PLAN_NOTHING, NIC_DELETING,
	    2);
	run_at(w, T0 + 1);
	check_item("second", item_of_orphan(w, 3), PLAN_DELETE, NIC_DELETING,
	    2);
}

static void
test_nic_gone_removes_file_never_held(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	int			 mac;

	/* Every managed NIC gone from the node with its row: not held. */
	for (mac = 1; mac <= 4; mac++)
		add_applied_nic(w, 0, mac, mac - 1);
	w->nlinks = 0;
	run_at(w, T0);
	for (mac = 1; mac <= 4; mac++)
		check_item("first", item_of_orphan(w, mac), PLAN_NOTHING,
		    NIC_DELETING, mac - 1);
	run_at(w, T0 + POLL_S);
	for (mac = 1; mac <= 4; mac++) {
		item = item_of_orphan(w, mac);
		check_item("gone", item, PLAN_REMOVE_FILE, NIC_DELETING,
		    mac - 1);
		assert_int_equal(item->link_index, 0);
	}
	assert_int_equal(w->plan.deletions_held, 0);
	assert_int_equal(w->mem.held_since, 0);
}

/* With a live deletion held, a gone NIC's file is still removed. */
static void
test_file_removal_not_held_by_guard(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 0, 1, 0);
	add_applied_nic(w, 0, 2, 1);
	w->nlinks = 1;				/* MAC 2 gone */
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	assert_int_equal(w->plan.deletions_held, 1);
	check_item("live, held", item_of_orphan(w, 1), PLAN_NOTHING,
	    NIC_DELETING, 0);
	check_item("gone", item_of_orphan(w, 2), PLAN_REMOVE_FILE,
	    NIC_DELETING, 1);
}

/* APPLY_MODE=files: links are left alone, only the file goes. */
static void
test_files_mode_deletes_file_only(void **state)
{
	struct world	*w = *state;

	w->in.links_untouched = 1;
	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	check_item("files mode", item_of_orphan(w, 3), PLAN_REMOVE_FILE,
	    NIC_DELETING, 2);
	assert_int_equal(count_actions(w, PLAN_DELETE), 0);
}

static void
test_row_reappearing_resets_count(void **state)
{
	struct world	*w = *state;
	struct msg_row	 row3;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 3, 3, 2);
	row3 = w->rows[2];
	w->nrows = 2;				/* row 3 missing */
	run_at(w, T0);
	check_item("absent once", item_of_orphan(w, 3), PLAN_NOTHING,
	    NIC_DELETING, 2);
	w->rows[w->nrows++] = row3;		/* back */
	run_at(w, T0 + POLL_S);
	check_item("back", item_of_row(w, 3), PLAN_NOTHING, NIC_APPLIED, 2);
	assert_int_equal(w->mem.nabsent, 0);
	w->nrows = 2;				/* missing again */
	run_at(w, T0 + 2 * POLL_S);
	check_item("absent once more", item_of_orphan(w, 3), PLAN_NOTHING,
	    NIC_DELETING, 2);
	run_at(w, T0 + 3 * POLL_S);
	check_item("absent twice", item_of_orphan(w, 3), PLAN_DELETE,
	    NIC_DELETING, 2);
}

/* A held row's MAC counts as present: no debounce starts. */
static void
test_held_row_is_not_absence(void **state)
{
	struct world	*w = *state;
	int		 cycle;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);
	add_held_row(w, 3, "fa:16:3e:00:00:03", "mtu", "outside 68..9216");
	for (cycle = 0; cycle < 4; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		assert_int_equal(w->mem.nabsent, 0);
		assert_int_equal(count_actions(w, PLAN_DELETE), 0);
	}
}

/*
 * A snapshot of the first SNAPSHOT_ROWS_MAX rows of a node that has more
 * says nothing about the rest: a NIC without a row there is not deleted,
 * its absence is not counted, and its rows still apply.
 */
static void
test_incomplete_snapshot_deletes_nothing(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	int			 cycle;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);		/* its row may be beyond */
	w->in.incomplete = 1;
	for (cycle = 0; cycle < 4; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		item = item_of_orphan(w, 3);
		check_item("incomplete", item, PLAN_NOTHING, NIC_DELETING, 2);
		assert_non_null(strstr(item->reason, "more rows"));
		assert_int_equal(count_actions(w, PLAN_DELETE), 0);
		check_item("kept", item_of_row(w, 1), PLAN_NOTHING,
		    NIC_APPLIED, 0);
	}
	/* Complete again: the debounce starts from nothing. */
	w->in.incomplete = 0;
	run_at(w, T0 + 4 * POLL_S);
	check_item("first complete", item_of_orphan(w, 3), PLAN_NOTHING,
	    NIC_DELETING, 2);
	run_at(w, T0 + 5 * POLL_S);
	check_item("second complete", item_of_orphan(w, 3), PLAN_DELETE,
	    NIC_DELETING, 2);
}

/*
 * doc/architecture.md, 3.8: a snapshot counts when it is at least
 * POLL_INTERVAL/2 after the previous counted one; one taken before it (the wall
 * clock stepped back) is not.
 */
static void
test_clock_step_back_does_not_count(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);
	run_at(w, T0);
	run_at(w, T0 - 3600);
	check_item("clock stepped back", item_of_orphan(w, 3), PLAN_NOTHING,
	    NIC_DELETING, 2);
}

/*
 * doc/architecture.md, 3.13: a cycle a kernel event makes plans the same
 * snapshot again; however late, it counts for no deletion.
 */
static void
test_event_cycle_does_not_count(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);
	run_at(w, T0);
	w->in.repeat = 1;
	run_at(w, T0 + POLL_S);
	check_item("the same snapshot, on an event", item_of_orphan(w, 3),
	    PLAN_NOTHING, NIC_DELETING, 2);
	w->in.repeat = 0;
	run_at(w, T0 + POLL_S);
	check_item("the next snapshot", item_of_orphan(w, 3), PLAN_DELETE,
	    NIC_DELETING, 2);
}

/*
 * A managed MAC now on two candidate links: neither is de-configured (which
 * one would it be?) and neither counts as a managed live link.
 */
static void
test_orphan_on_ambiguous_links(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);
	add_link(w, 60, "veth-3", "veth", 3);
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	item = item_of_orphan(w, 3);
	if (item->action == PLAN_DELETE)
		fail_msg("an ambiguous link is to be de-configured");
	assert_int_equal(item->link_index, 0);
	assert_int_equal(w->plan.deletions_held, 0);
}

/* ---- the mass-deletion guard (doc/architecture.md, 3.8) ---- */

static void
check_all_held(const struct world *w, const char *what)
{
	const struct plan_item	*item;
	size_t			 i;

	if (w->plan.deletions_held != 1)
		fail_msg("%s: deletions not held", what);
	if (count_actions(w, PLAN_DELETE) != 0)
		fail_msg("%s: %zu deletions planned", what,
		    count_actions(w, PLAN_DELETE));
	for (i = 0; i < w->plan.nitems; i++) {
		item = &w->plan.items[i];
		if (item->row_id != -1)
			continue;
		check_item(what, item, PLAN_NOTHING, NIC_DELETING, KEEP);
		check_reason(what, item, "held");
	}
}

/* An empty answer: every managed live link would go. */
static void
test_guard_all_links(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 0, 1, 0);
	add_applied_nic(w, 0, 2, 1);
	run_at(w, T0);
	assert_int_equal(w->plan.deletions_held, 0);
	assert_int_equal(w->mem.held_since, 0);
	run_at(w, T0 + POLL_S);
	check_all_held(w, "all links");
	assert_int_equal(w->mem.held_since, T0 + POLL_S);
	run_at(w, T0 + 2 * POLL_S);
	check_all_held(w, "all links, later");
	assert_int_equal(w->mem.held_since, T0 + POLL_S);
}

/* One managed link, its row gone: also "every managed live link". */
static void
test_guard_single_link(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 0, 1, 0);
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	check_all_held(w, "the only link");
}

static void
test_guard_more_than_max(void **state)
{
	struct world	*w = *state;
	int		 mac;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	for (mac = 3; mac <= 5; mac++)
		add_applied_nic(w, 0, mac, mac - 1);
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	check_all_held(w, "3 of 5, max 2");
	check_reason("3 of 5", item_of_orphan(w, 3), "3 of 5");

	/* The same node with DELETE_MAX_PER_CYCLE=3. */
	w->in.delete_max = 3;
	run_at(w, T0 + 2 * POLL_S);
	assert_int_equal(w->plan.deletions_held, 0);
	assert_int_equal(count_actions(w, PLAN_DELETE), 3);
	assert_int_equal(w->mem.held_since, 0);
}

/* Exactly DELETE_MAX_PER_CYCLE is allowed. */
static void
test_guard_at_max(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 0, 2, 1);
	add_applied_nic(w, 0, 3, 2);
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	assert_int_equal(w->plan.deletions_held, 0);
	assert_int_equal(count_actions(w, PLAN_DELETE), 2);
}

static void
test_guard_allow_delete(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 0, 1, 0);
	add_applied_nic(w, 0, 2, 1);
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	check_all_held(w, "before sync --allow-delete");
	w->in.allow_delete = 1;
	run_at(w, T0 + 2 * POLL_S);
	assert_int_equal(w->plan.deletions_held, 0);
	check_item("allowed", item_of_orphan(w, 1), PLAN_DELETE, NIC_DELETING,
	    0);
	check_item("allowed", item_of_orphan(w, 2), PLAN_DELETE, NIC_DELETING,
	    1);
	assert_int_equal(w->mem.held_since, 0);
}

/* allow_delete does not skip the debounce. */
static void
test_allow_delete_keeps_debounce(void **state)
{
	struct world	*w = *state;

	w->in.allow_delete = 1;
	add_applied_nic(w, 0, 1, 0);
	run_at(w, T0);
	check_item("first snapshot", item_of_orphan(w, 1), PLAN_NOTHING,
	    NIC_DELETING, 0);
}

static void
test_guard_grace(void **state)
{
	struct world	*w = *state;
	time_t		 held;

	add_applied_nic(w, 0, 1, 0);
	add_applied_nic(w, 0, 2, 1);
	run_at(w, T0);
	held = T0 + POLL_S;
	run_at(w, held);
	check_all_held(w, "held");
	run_at(w, held + GRACE_S - 1);
	check_all_held(w, "just before DELETE_GRACE");
	run_at(w, held + GRACE_S);
	assert_int_equal(w->plan.deletions_held, 0);
	assert_int_equal(count_actions(w, PLAN_DELETE), 2);
}

static void
test_guard_resets(void **state)
{
	struct world	*w = *state;
	struct msg_row	 rows[2];

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	memcpy(rows, w->rows, sizeof(rows));
	w->nrows = 0;				/* the table looks empty */
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	check_all_held(w, "empty answer");
	assert_int_equal(w->mem.held_since, T0 + POLL_S);

	memcpy(w->rows, rows, sizeof(rows));	/* the rows are back */
	w->nrows = 2;
	run_at(w, T0 + 2 * POLL_S);
	assert_int_equal(w->plan.deletions_held, 0);
	assert_int_equal(w->mem.held_since, 0);
	assert_int_equal(count_actions(w, PLAN_NOTHING), 2);

	/* Empty again: a fresh hold, with a fresh DELETE_GRACE. */
	w->nrows = 0;
	run_at(w, T0 + 3 * POLL_S);
	run_at(w, T0 + 4 * POLL_S);
	check_all_held(w, "empty again");
	assert_int_equal(w->mem.held_since, T0 + 4 * POLL_S);
	run_at(w, T0 + POLL_S + GRACE_S);
	check_all_held(w, "the first hold's grace does not count");
}

/*
 * doc/architecture.md, 3.8: held for DELETE_GRACE; a wall clock stepped back
 * is not it.
 */
static void
test_guard_clock_step_back(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 0, 1, 0);
	add_applied_nic(w, 0, 2, 1);
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	check_all_held(w, "held");
	run_at(w, T0 + POLL_S - 3600);
	check_all_held(w, "clock stepped back an hour");
}

/* ---- a row whose MAC does not parse ---- */

static void
test_unreadable_mac_keeps_orphans(void **state)
{
	struct world		*w = *state;
	const struct plan_item	*item;
	int			 cycle;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);		/* live */
	add_applied_nic(w, 0, 4, 3);
	w->nlinks = 3;				/* MAC 4 gone */
	add_held_row(w, 42, "fa:16:3e:00:00:0g", "macaddress",
	    "is not a MAC address");
	for (cycle = 0; cycle < 5; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		item = item_of_orphan(w, 3);
		check_item("live orphan", item, PLAN_NOTHING, NIC_DELETING, 2);
		if (cycle > 0)
			check_reason("live orphan", item, "row 42");
		item = item_of_orphan(w, 4);
		check_item("gone orphan", item, PLAN_NOTHING, NIC_DELETING, 3);
		if (cycle > 0)
			check_reason("gone orphan", item, "row 42");
	}
	item = item_of_row(w, 42);
	check_item("unreadable row", item, PLAN_NOTHING, NIC_HELD, -1);
	assert_false(item->mac_valid);
	assert_string_equal(item->mac_text, "fa:16:3e:00:00:0g");
	check_reason("unreadable row", item, "macaddress");

	/* Fixed in the DB: the orphans go (they were counted meanwhile). */
	w->nrows--;
	run_at(w, T0 + 5 * POLL_S);
	check_item("live orphan", item_of_orphan(w, 3), PLAN_DELETE,
	    NIC_DELETING, 2);
	check_item("gone orphan", item_of_orphan(w, 4), PLAN_REMOVE_FILE,
	    NIC_DELETING, 3);
}

/*
 * doc/architecture.md, 3.9: protected links are never touched. A managed NIC
 * whose link now carries the default route (or the route to the DB) must not be
 * de-configured when its row goes.
 */
static void
test_orphan_on_protected_link_not_deleted(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);
	w->protected_links[w->nprotected++] = link_index_of(3);
	run_at(w, T0);
	run_at(w, T0 + POLL_S);
	run_at(w, T0 + 2 * POLL_S);
	if (item_of_orphan(w, 3)->action == PLAN_DELETE)
		fail_msg("the link carrying the default route is to be"
		    " de-configured");
}

/* ---- steady plans (an unchanged snapshot may be answered without a cycle) ---- */

/* Applied, waiting and held NICs: the same plan at any later time. */
static void
test_steady_plans(void **state)
{
	struct world	*w = *state;
	int		 cycle;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_std_row(w, 3, 3);			/* its NIC not plugged in */
	add_held_row(w, 4, "fa:16:3e:00:00:04", "address", "not an address");
	add_link(w, 1, "eth0", "", 40);
	w->protected_links[w->nprotected++] = 1;
	for (cycle = 0; cycle < 3; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		check_item("waiting", item_of_row(w, 3), PLAN_NOTHING,
		    NIC_WAITING, KEEP);
		check_item("held", item_of_row(w, 4), PLAN_NOTHING, NIC_HELD,
		    KEEP);
		assert_true(plan_is_steady(&w->plan, &w->mem));
	}
	/* No rows and nothing managed: nothing to do, ever. */
	memset(&w->plan, 0, sizeof(w->plan));
	memset(&w->mem, 0, sizeof(w->mem));
	assert_true(plan_is_steady(&w->plan, &w->mem));
}

static void
test_not_steady_with_action(void **state)
{
	struct world	*w = *state;

	add_std_row(w, 1, 1);
	add_link(w, 1, "ens1", "", 1);
	run(w);
	check_item("new", item_of_row(w, 1), PLAN_CREATE, NIC_PENDING, 0);
	assert_false(plan_is_steady(&w->plan, &w->mem));
}

static void
test_not_steady_with_drift(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 1, 1, 0)->mtu = 9000;
	run(w);
	check_item("drifted", item_of_row(w, 1), PLAN_UPDATE, NIC_PENDING, 0);
	assert_false(plan_is_steady(&w->plan, &w->mem));
}

/* A failure waits for its retry: the clock alone changes the plan. */
static void
test_not_steady_while_retry_waits(void **state)
{
	struct world		*w = *state;
	struct nic_config	 file;

	add_std_row(w, 1, 1);
	add_link(w, 1, "ens1", "", 1);
	run_at(w, T0);
	fail_item(w, 1, "cannot set the MTU", T0);
	run_at(w, T0 + 1);
	check_item("waiting to retry", item_of_row(w, 1), PLAN_NOTHING,
	    NIC_FAILED, 0);
	assert_false(plan_is_steady(&w->plan, &w->mem));
	/* Applied at last: the failure is forgotten, steady again. */
	file = config_of(&w->rows[0], 0);
	configure_link(&w->links[0], &w->rows[0], 0);
	add_managed(w, 1, 0, &file);
	run_at(w, T0 + 2);
	check_item("applied", item_of_row(w, 1), PLAN_NOTHING, NIC_APPLIED, 0);
	assert_int_equal(w->mem.nfailures, 0);
	assert_true(plan_is_steady(&w->plan, &w->mem));
}

/* A refusal of the planner's own (ambiguous MAC) is not trusted to stay. */
static void
test_not_steady_when_failed(void **state)
{
	struct world	*w = *state;

	add_std_row(w, 1, 1);
	add_link(w, 10, "veth-a", "veth", 1);
	add_link(w, 11, "veth-b", "veth", 1);
	run(w);
	check_item("ambiguous", item_of_row(w, 1), PLAN_NOTHING, NIC_FAILED,
	    -1);
	assert_false(plan_is_steady(&w->plan, &w->mem));
}

/* A row gone is being counted toward its deletion, then held. */
static void
test_not_steady_while_deleting(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 0, 1, 0);
	run_at(w, T0);
	check_item("absent once", item_of_orphan(w, 1), PLAN_NOTHING,
	    NIC_DELETING, 0);
	assert_false(plan_is_steady(&w->plan, &w->mem));
	run_at(w, T0 + POLL_S);
	assert_int_equal(w->plan.deletions_held, 1);
	assert_false(plan_is_steady(&w->plan, &w->mem));
	/* Its row back: nothing counted, nothing held. */
	add_row(w, 1, 1, "10.20.0.1", 24, 1500);
	run_at(w, T0 + 2 * POLL_S);
	check_item("row back", item_of_row(w, 1), PLAN_NOTHING, NIC_APPLIED,
	    0);
	assert_int_equal(w->mem.held_since, 0);
	assert_true(plan_is_steady(&w->plan, &w->mem));
}

/* An incomplete snapshot leaves a MAC without a row waiting: not steady. */
static void
test_not_steady_when_incomplete(void **state)
{
	struct world	*w = *state;

	add_applied_nic(w, 0, 1, 0);
	w->in.incomplete = 1;
	run(w);
	check_item("incomplete", item_of_orphan(w, 1), PLAN_NOTHING,
	    NIC_DELETING, 0);
	assert_false(plan_is_steady(&w->plan, &w->mem));
}

/* A dry run plans its actions every cycle: never steady. */
static void
test_not_steady_in_dry_run(void **state)
{
	struct world	*w = *state;
	int		 cycle;

	add_std_row(w, 1, 1);
	add_link(w, 1, "ens1", "", 1);
	/* Nothing is executed: the same action, cycle after cycle. */
	for (cycle = 0; cycle < 3; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		check_item("dry run", item_of_row(w, 1), PLAN_CREATE,
		    NIC_PENDING, 0);
		assert_false(plan_is_steady(&w->plan, &w->mem));
	}
}

/*
 * The last snapshot planned again (a file or link event) is not a new
 * one: however late, it counts no absence, so it deletes nothing.
 */
static void
test_repeat_counts_nothing(void **state)
{
	struct world	*w = *state;
	int		 cycle;

	add_applied_nic(w, 1, 1, 0);
	add_applied_nic(w, 2, 2, 1);
	add_applied_nic(w, 0, 3, 2);		/* row gone */
	run_at(w, T0);
	w->in.repeat = 1;
	for (cycle = 1; cycle <= 4; cycle++) {
		run_at(w, T0 + cycle * POLL_S);
		check_item("repeat", item_of_orphan(w, 3), PLAN_NOTHING,
		    NIC_DELETING, 2);
		assert_int_equal(w->mem.last_counted, T0);
	}
	w->in.repeat = 0;
	run_at(w, T0 + 5 * POLL_S);
	check_item("next snapshot", item_of_orphan(w, 3), PLAN_DELETE,
	    NIC_DELETING, 2);
}

/* An unchanged snapshot counts as a snapshot would, by the same rule. */
static void
test_snapshot_counts(void **state)
{
	struct world	*w = *state;

	assert_true(plan_snapshot_counts(&w->mem, T0, POLL_S * 1000));
	assert_int_equal(w->mem.last_counted, T0);
	assert_false(plan_snapshot_counts(&w->mem, T0 + POLL_S / 2 - 1,
	    POLL_S * 1000));
	assert_int_equal(w->mem.last_counted, T0);
	assert_true(plan_snapshot_counts(&w->mem, T0 + POLL_S / 2,
	    POLL_S * 1000));
	assert_int_equal(w->mem.last_counted, T0 + POLL_S / 2);
	/* A clock stepped back counts nothing. */
	assert_false(plan_snapshot_counts(&w->mem, T0, POLL_S * 1000));
	assert_int_equal(w->mem.last_counted, T0 + POLL_S / 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		WORLD_TEST(test_new_mac_takes_lowest_free_slot),
		WORLD_TEST(test_naming),
		WORLD_TEST(test_slots_stable_when_rows_reordered),
		WORLD_TEST(test_slot_kept_across_cycles),
		WORLD_TEST(test_no_free_slot),
		WORLD_TEST(test_deterministic),
		WORLD_TEST(test_drift),
		WORLD_TEST(test_steady_state_many_cycles),
		WORLD_TEST(test_route_drift),
		WORLD_TEST(test_waiting_for_nic),
		WORLD_TEST(test_managed_nic_unplugged_waits),
		WORLD_TEST(test_held_row_freezes_managed_nic),
		WORLD_TEST(test_held_row_takes_no_slot),
		WORLD_TEST(test_route_link_is_held),
		WORLD_TEST(test_protected_by_name),
		WORLD_TEST(test_row_taking_routing_is_held),
		WORLD_TEST(test_managed_nic_frozen_by_routing_hold),
		WORLD_TEST(test_moved_route_holds_until_change),
		WORLD_TEST(test_protected_non_candidate_is_held),
		WORLD_TEST(test_name_protected),
		WORLD_TEST(test_two_candidates_are_ambiguous),
		WORLD_TEST(test_calico_mac_is_ambiguous),
		WORLD_TEST(test_sharers_are_not_candidates),
		WORLD_TEST(test_deletion_debounced),
		WORLD_TEST(test_debounce_short_interval),
		WORLD_TEST(test_nic_gone_removes_file_never_held),
		WORLD_TEST(test_file_removal_not_held_by_guard),
		WORLD_TEST(test_files_mode_deletes_file_only),
		WORLD_TEST(test_row_reappearing_resets_count),
		WORLD_TEST(test_held_row_is_not_absence),
		WORLD_TEST(test_incomplete_snapshot_deletes_nothing),
		WORLD_TEST(test_clock_step_back_does_not_count),
		WORLD_TEST(test_event_cycle_does_not_count),
		WORLD_TEST(test_orphan_on_ambiguous_links),
		WORLD_TEST(test_guard_all_links),
		WORLD_TEST(test_guard_single_link),
		WORLD_TEST(test_guard_more_than_max),
		WORLD_TEST(test_guard_at_max),
		WORLD_TEST(test_guard_allow_delete),
		WORLD_TEST(test_allow_delete_keeps_debounce),
		WORLD_TEST(test_guard_grace),
		WORLD_TEST(test_guard_resets),
		WORLD_TEST(test_guard_clock_step_back),
		WORLD_TEST(test_unreadable_mac_keeps_orphans),
		WORLD_TEST(test_orphan_on_protected_link_not_deleted),
		WORLD_TEST(test_failed_action_backs_off),
		WORLD_TEST(test_failed_action_wait_capped),
		WORLD_TEST(test_failed_action_retried_on_change),
		WORLD_TEST(test_success_forgets_failure),
		WORLD_TEST(test_failure_of_gone_row_forgotten),
		WORLD_TEST(test_failed_delete_backs_off),
		WORLD_TEST(test_steady_plans),
		WORLD_TEST(test_not_steady_with_action),
		WORLD_TEST(test_not_steady_with_drift),
		WORLD_TEST(test_not_steady_while_retry_waits),
		WORLD_TEST(test_not_steady_when_failed),
		WORLD_TEST(test_not_steady_while_deleting),
		WORLD_TEST(test_not_steady_when_incomplete),
		WORLD_TEST(test_not_steady_in_dry_run),
		WORLD_TEST(test_repeat_counts_nothing),
		WORLD_TEST(test_snapshot_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
