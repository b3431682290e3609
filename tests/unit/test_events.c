/* SPDX-License-Identifier: ISC */
/*
 * Tests for the classification in applier/events.c: which kernel events
 * make a cycle (drift of a configured link, a row's NIC appearing, routes
 * the guard watches), which ask for a poll (a new NIC no row names), and
 * which cost nothing (echoes of our own changes, unrelated links).
 */

#include <sys/socket.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "../../applier/applier.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define NEW		(~0U)	/* ifi_change of a link that appears */

#define MAC_CONF	"\xfa\x16\x3e\x00\x00\x01"	/* configured, index 10 */
#define MAC_WAIT	"\xfa\x16\x3e\x00\x00\x02"	/* waiting for its NIC */
#define MAC_FAIL	"\xfa\x16\x3e\x00\x00\x03"	/* failed, index 12 */
#define MAC_HELD	"\xfa\x16\x3e\x00\x00\x04"	/* held, index 13 */
#define MAC_GONE	"\xfa\x16\x3e\x00\x00\x05"	/* deleting, index 14 */
#define MAC_NONE	"\xfa\x16\x3e\x00\x00\x09"	/* in no row */

static struct event_view	view;

static void
watch(const char *mac, int index, enum nic_state state, const char *name)
{
	struct event_watch	*w = &view.watch[view.nwatch++];

	memcpy(w->mac, mac, MAC_LEN);
	w->index = index;
	w->state = state;
	strlcpy(w->desired.name, name, sizeof(w->desired.name));
	w->desired.mtu = 1450;
	w->desired.has_address = 1;
	inet_pton(AF_INET, "10.55.0.5", &w->desired.address);
	w->desired.prefix = 24;
}

static int
setup(void **state)
{
	static const char	*critical[] = { "169.254.169.254", "10.1.0.1" };
	size_t			 i;

	(void)state;
	memset(&view, 0, sizeof(view));
	view.ready = 1;
	watch(MAC_CONF, 10, NIC_APPLIED, "multinic0");
	watch(MAC_WAIT, 0, NIC_WAITING, "multinic1");
	watch(MAC_FAIL, 12, NIC_FAILED, "multinic2");
	watch(MAC_HELD, 13, NIC_HELD, "multinic3");
	watch(MAC_GONE, 14, NIC_DELETING, "multinic4");
	view.protected_links[view.nprotected++] = 2;
	view.protected_patterns = "lo,eth0,cali*";
	for (i = 0; i < NELEM(critical); i++)
		inet_pton(AF_INET, critical[i], &view.critical[view.ncritical++]);
	view.db_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.7", view.db_address);
	return 0;
}

struct link_case {
	const char	*what;
	uint16_t	 type;
	int		 index;
	const char	*name;		/* NULL: damaged, no IFLA_IFNAME */
	const char	*mac;
	uint32_t	 mtu;
	unsigned	 flags;
	const char	*kind;
	int		 master;
	unsigned	 change;
	enum event_verdict verdict;
	int		 peer_netnsid;	/* 1: IFLA_LINK_NETNSID 0 */
};

static const struct link_case link_cases[] = {
	{ "our own change echoed", RTM_NEWLINK, 10, "multinic0", MAC_CONF,
	    1450, IFF_UP, "", 0, IFF_UP, EVENT_IGNORE, 0 },
	{ "configured link's MTU changed", RTM_NEWLINK, 10, "multinic0",
	    MAC_CONF, 1400, IFF_UP, "", 0, 0, EVENT_RECONCILE, 0 },
	{ "configured link set down", RTM_NEWLINK, 10, "multinic0", MAC_CONF,
	    1450, 0, "", 0, IFF_UP, EVENT_RECONCILE, 0 },
	{ "configured link renamed", RTM_NEWLINK, 10, "eth9", MAC_CONF, 1450,
	    IFF_UP, "", 0, 0, EVENT_RECONCILE, 0 },
	{ "configured link's MAC changed", RTM_NEWLINK, 10, "multinic0",
	    MAC_NONE, 1450, IFF_UP, "", 0, 0, EVENT_RECONCILE, 0 },
	{ "configured link removed", RTM_DELLINK, 10, "multinic0", MAC_CONF,
	    1450, IFF_UP, "", 0, 0, EVENT_RECONCILE, 0 },
	{ "a waiting row's NIC appears", RTM_NEWLINK, 20, "ens5", MAC_WAIT,
	    1500, 0, "", 0, NEW, EVENT_RECONCILE, 0 },
	{ "a waiting row's NIC changes", RTM_NEWLINK, 20, "ens5", MAC_WAIT,
	    1500, IFF_UP, "", 0, IFF_UP, EVENT_RECONCILE, 0 },
	{ "a waiting row's MAC on a bridge", RTM_NEWLINK, 20, "br5", MAC_WAIT,
	    1500, 0, "bridge", 0, NEW, EVENT_IGNORE, 0 },
	{ "a failed NIC's link changes", RTM_NEWLINK, 12, "ens6", MAC_FAIL,
	    1500, IFF_UP, "", 0, 0, EVENT_RECONCILE, 0 },
	{ "a held NIC's link drifts", RTM_NEWLINK, 13, "ens7", MAC_HELD, 1400,
	    0, "", 0, 0, EVENT_IGNORE, 0 },
	{ "a held row's MAC appears", RTM_NEWLINK, 21, "ens7", MAC_HELD, 1500,
	    0, "", 0, NEW, EVENT_IGNORE, 0 },
	{ "a deleting NIC's link changes", RTM_NEWLINK, 14, "multinic4",
	    MAC_GONE, 1400, 0, "", 0, 0, EVENT_IGNORE, 0 },
	{ "a new NIC no row names", RTM_NEWLINK, 22, "ens9", MAC_NONE, 1500,
	    0, "", 0, NEW, EVENT_NEW_NIC, 0 },
	{ "a new veth no row names", RTM_NEWLINK, 22, "veth9", MAC_NONE, 1500,
	    0, "veth", 0, NEW, EVENT_NEW_NIC, 0 },
	{ "a known unmanaged NIC changes", RTM_NEWLINK, 22, "ens9", MAC_NONE,
	    1500, IFF_UP, "", 0, IFF_UP, EVENT_IGNORE, 0 },
	{ "a new bridge", RTM_NEWLINK, 23, "br0", MAC_NONE, 1500, 0,
	    "bridge", 0, NEW, EVENT_IGNORE, 0 },
	{ "a new vlan", RTM_NEWLINK, 23, "ens9.5", MAC_NONE, 1500, 0, "vlan",
	    0, NEW, EVENT_IGNORE, 0 },
	{ "a new enslaved NIC", RTM_NEWLINK, 23, "ens9", MAC_NONE, 1500, 0,
	    "", 3, NEW, EVENT_IGNORE, 0 },
	{ "a new protected veth (cali*)", RTM_NEWLINK, 23, "cali12ab",
	    MAC_NONE, 1500, 0, "veth", 0, NEW, EVENT_IGNORE, 0 },
	{ "a new veth whose peer is in a pod", RTM_NEWLINK, 24, "lxc12ab",
	    MAC_NONE, 1500, 0, "veth", 0, NEW, EVENT_IGNORE, 1 },
	{ "a new NIC whose parent is in another namespace", RTM_NEWLINK, 24,
	    "ens10", MAC_NONE, 1500, 0, "", 0, NEW, EVENT_IGNORE, 1 },
	{ "an unrelated link removed", RTM_DELLINK, 23, "ens9", MAC_NONE,
	    1500, 0, "", 0, 0, EVENT_IGNORE, 0 },
	{ "a damaged message", RTM_NEWLINK, 22, NULL, MAC_NONE, 1500, 0, "",
	    0, NEW, EVENT_RECONCILE, 0 },
};

static const struct nlmsghdr *
link_msg(char *buf, const struct link_case *c)
{
	struct nlmsghdr		*nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg	*ifm;
	struct nlattr		*nest;

	nlh->nlmsg_type = c->type;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_type = ARPHRD_ETHER;
	ifm->ifi_index = c->index;
	ifm->ifi_flags = c->flags;
	ifm->ifi_change = c->change;
	if (c->name != NULL)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, c->name);
	mnl_attr_put(nlh, IFLA_ADDRESS, MAC_LEN, c->mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, c->mtu);
	if (c->master != 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)c->master);
	if (c->peer_netnsid)
		mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 0);
	if (c->kind[0] != '\0') {
		nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, c->kind);
		mnl_attr_nest_end(nlh, nest);
	}
	return nlh;
}

static void
test_links(void **state)
{
	_Alignas(8) char	 buf[1024];
	const struct link_case	*c;
	struct nl_link		 link;
	enum event_verdict	 got;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(link_cases); i++) {
		c = &link_cases[i];
		memset(buf, 0, sizeof(buf));
		got = events_classify(&view, link_msg(buf, c), &link);
		if (got != c->verdict)
			fail_msg("%s: %d, not %d", c->what, got, c->verdict);
		if (c->name != NULL && link.index != c->index)
			fail_msg("%s: link %d, not %d", c->what, link.index,
			    c->index);
	}
}

/* Before the first complete snapshot nothing happens. */
static void
test_not_ready(void **state)
{
	_Alignas(8) char	buf[1024];
	struct nl_link		link;

	(void)state;
	view.ready = 0;
	assert_int_equal(events_classify(&view, link_msg(buf, &link_cases[6]),
	    &link), EVENT_IGNORE);
	assert_int_equal(events_classify(&view, link_msg(buf, &link_cases[13]),
	    &link), EVENT_IGNORE);
}

/* APPLY_MODE=files leaves links alone: only a row's NIC appearing counts. */
static void
test_links_untouched(void **state)
{
	_Alignas(8) char	buf[1024];
	struct nl_link		link;

	(void)state;
	view.links_untouched = 1;
	assert_int_equal(events_classify(&view, link_msg(buf, &link_cases[1]),
	    &link), EVENT_IGNORE);
	assert_int_equal(events_classify(&view, link_msg(buf, &link_cases[6]),
	    &link), EVENT_RECONCILE);
}

struct addr_case {
	const char	*what;
	uint16_t	 type;
	uint8_t		 family;
	int		 index;
	const char	*addr;
	uint8_t		 prefix;
	enum event_verdict verdict;
};

static const struct addr_case addr_cases[] = {
	{ "our address added (echo)", RTM_NEWADDR, AF_INET, 10, "10.55.0.5",
	    24, EVENT_IGNORE },
	{ "another address added", RTM_NEWADDR, AF_INET, 10, "10.55.0.6", 24,
	    EVENT_RECONCILE },
	{ "our address with another prefix", RTM_NEWADDR, AF_INET, 10,
	    "10.55.0.5", 16, EVENT_RECONCILE },
	{ "our address removed", RTM_DELADDR, AF_INET, 10, "10.55.0.5", 24,
	    EVENT_RECONCILE },
	{ "another address removed (echo)", RTM_DELADDR, AF_INET, 10,
	    "10.55.9.9", 24, EVENT_IGNORE },
	{ "an address on an unrelated link", RTM_NEWADDR, AF_INET, 30,
	    "10.99.0.1", 32, EVENT_IGNORE },
	{ "an address on a failed NIC's link", RTM_NEWADDR, AF_INET, 12,
	    "10.55.0.5", 24, EVENT_RECONCILE },
	{ "an address on a held NIC's link", RTM_DELADDR, AF_INET, 13,
	    "10.55.0.5", 24, EVENT_IGNORE },
	{ "an IPv6 address", RTM_NEWADDR, AF_INET6, 10, "fe80::1", 64,
	    EVENT_IGNORE },
	{ "a damaged prefix", RTM_NEWADDR, AF_INET, 10, "10.55.0.5", 40,
	    EVENT_RECONCILE },
};

static void
test_addresses(void **state)
{
	_Alignas(8) char	 buf[512];
	const struct addr_case	*c;
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	struct nl_link		 link;
	uint8_t			 addr[16];
	enum event_verdict	 got;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(addr_cases); i++) {
		c = &addr_cases[i];
		memset(buf, 0, sizeof(buf));
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = c->type;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = c->family;
		ifa->ifa_prefixlen = c->prefix;
		ifa->ifa_index = (uint32_t)c->index;
		assert_int_equal(inet_pton(c->family, c->addr, addr), 1);
		mnl_attr_put(nlh, IFA_LOCAL, c->family == AF_INET ? 4 : 16,
		    addr);
		got = events_classify(&view, nlh, &link);
		if (got != c->verdict)
			fail_msg("%s: %d, not %d", c->what, got, c->verdict);
	}
}

struct route_case {
	const char	*what;
	uint8_t		 family;
	const char	*dst;		/* NULL: none (a default route) */
	uint8_t		 dst_len;
	enum event_verdict verdict;
};

static const struct route_case route_cases[] = {
	{ "an IPv4 default route", AF_INET, NULL, 0, EVENT_RECONCILE },
	{ "an IPv6 default route", AF_INET6, NULL, 0, EVENT_RECONCILE },
	{ "a route covering the DB server", AF_INET, "192.0.2.0", 24,
	    EVENT_RECONCILE },
	{ "a host route to the DB server", AF_INET, "192.0.2.7", 32,
	    EVENT_RECONCILE },
	{ "a route beside the DB server", AF_INET, "192.0.2.8", 29,
	    EVENT_IGNORE },
	{ "a route covering the metadata service", AF_INET, "169.254.0.0",
	    16, EVENT_RECONCILE },
	{ "a route covering a gateway", AF_INET, "10.1.0.0", 23,
	    EVENT_RECONCILE },
	{ "a route next to a gateway", AF_INET, "10.1.0.128", 25,
	    EVENT_IGNORE },
	{ "our row's connected route (echo)", AF_INET, "10.55.0.0", 24,
	    EVENT_IGNORE },
	{ "our row's local route (echo)", AF_INET, "10.55.0.5", 32,
	    EVENT_IGNORE },
	{ "an IPv6 route, the DB on IPv4", AF_INET6, "2001:db8::", 32,
	    EVENT_IGNORE },
	{ "a damaged prefix length", AF_INET, "10.0.0.0", 33,
	    EVENT_RECONCILE },
};

static void
test_routes(void **state)
{
	_Alignas(8) char	 buf[512];
	const struct route_case	*c;
	struct nlmsghdr		*nlh;
	struct rtmsg		*rtm;
	struct nl_link		 link;
	uint8_t			 dst[16];
	enum event_verdict	 got;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(route_cases); i++) {
		c = &route_cases[i];
		memset(buf, 0, sizeof(buf));
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = i % 2 ? RTM_DELROUTE : RTM_NEWROUTE;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = c->family;
		rtm->rtm_dst_len = c->dst_len;
		if (c->dst != NULL) {
			assert_int_equal(inet_pton(c->family, c->dst, dst), 1);
			mnl_attr_put(nlh, RTA_DST,
			    c->family == AF_INET ? 4 : 16, dst);
		}
		got = events_classify(&view, nlh, &link);
		if (got != c->verdict)
			fail_msg("%s: %d, not %d", c->what, got, c->verdict);
	}
}

/* msg_type, table (0: main, by rtm_table), source routing on: verdict. */
static void
srcroute_case(uint16_t type, uint32_t table, int on, enum event_verdict want)
{
	_Alignas(8) char	 buf[256];
	struct nlmsghdr		*nlh;
	struct rtmsg		*rtm;
	struct nl_link		 link;
	uint8_t			 dst[4] = { 10, 77, 0, 0 };

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	/* A rule's header (struct fib_rule_hdr) is as long as a route's. */
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	if (type == RTM_NEWROUTE || type == RTM_DELROUTE) {
		rtm->rtm_dst_len = 24;
		rtm->rtm_table = table > 255 ? RT_TABLE_UNSPEC : table;
		mnl_attr_put(nlh, RTA_DST, sizeof(dst), dst);
		if (table > 255)
			mnl_attr_put_u32(nlh, RTA_TABLE, table);
	}
	view.srcroute_base = on ? 1000 : 0;
	if (events_classify(&view, nlh, &link) != want)
		fail_msg("type %u table %u, source routing %s: not %d", type,
		    table, on ? "on" : "off", want);
}

/*
 * With source routing, a route of a NIC's table or any rule may be ours:
 * a cycle looks; without it, neither matters.
 */
static void
test_source_routing(void **state)
{
	(void)state;
	srcroute_case(RTM_DELROUTE, 1003, 1, EVENT_RECONCILE);
	srcroute_case(RTM_NEWROUTE, 1009, 1, EVENT_RECONCILE);
	srcroute_case(RTM_DELROUTE, 1010, 1, EVENT_IGNORE);
	srcroute_case(RTM_DELROUTE, 999, 1, EVENT_IGNORE);
	srcroute_case(RTM_DELROUTE, RT_TABLE_MAIN, 1, EVENT_IGNORE);
	srcroute_case(RTM_DELROUTE, 1003, 0, EVENT_IGNORE);
	srcroute_case(RTM_DELRULE, 0, 1, EVENT_RECONCILE);
	srcroute_case(RTM_NEWRULE, 0, 1, EVENT_RECONCILE);
	srcroute_case(RTM_DELRULE, 0, 0, EVENT_IGNORE);
}

static void
test_other_messages(void **state)
{
	_Alignas(8) char	 buf[64];
	struct nlmsghdr		*nlh;
	struct nl_link		 link;

	(void)state;
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	assert_int_equal(events_classify(&view, nlh, &link), EVENT_IGNORE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_links, setup),
		cmocka_unit_test_setup(test_not_ready, setup),
		cmocka_unit_test_setup(test_links_untouched, setup),
		cmocka_unit_test_setup(test_addresses, setup),
		cmocka_unit_test_setup(test_routes, setup),
		cmocka_unit_test_setup(test_source_routing, setup),
		cmocka_unit_test_setup(test_other_messages, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
