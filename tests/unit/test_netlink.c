/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the pure part of applier/netlink.c: which links a row's MAC
 * may match (doc/architecture.md, 3.3), and lookup by index. The rtnetlink
 * calls themselves need a network namespace and are not tested here.
 */

#include <net/if.h>
#include <net/if_arp.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../applier/netlink.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct candidate_case {
	const char	*what;
	const char	*kind;
	unsigned short	 type;
	unsigned	 flags;
	int		 master;
	int		 has_mac;
	int		 candidate;
};

static const struct candidate_case candidate_cases[] = {
	{ "physical NIC", "", ARPHRD_ETHER, IFF_UP, 0, 1, 1 },
	{ "NIC that is down", "", ARPHRD_ETHER, 0, 0, 1, 1 },
	{ "veth", "veth", ARPHRD_ETHER, IFF_UP, 0, 1, 1 },
	{ "dummy", "dummy", ARPHRD_ETHER, 0, 0, 1, 1 },
	{ "loopback", "", ARPHRD_LOOPBACK, IFF_UP | IFF_LOOPBACK, 0, 1, 0 },
	{ "IFF_LOOPBACK on an ether link", "", ARPHRD_ETHER, IFF_LOOPBACK,
	    0, 1, 0 },
	{ "NIC enslaved to a bond", "", ARPHRD_ETHER, IFF_UP, 4, 1, 0 },
	{ "veth enslaved to a bridge", "veth", ARPHRD_ETHER, IFF_UP, 4, 1, 0 },
	{ "NIC without a 6-byte address", "", ARPHRD_ETHER, 0, 0, 0, 0 },
	{ "NIC of another type (InfiniBand)", "", ARPHRD_INFINIBAND, 0, 0, 0,
	    0 },
	{ "tunnel without a kind (sit)", "", ARPHRD_SIT, 0, 0, 0, 0 },
	{ "VLAN", "vlan", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "bridge", "bridge", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "bond", "bond", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "team", "team", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "macvlan", "macvlan", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "macvtap", "macvtap", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "ipvlan", "ipvlan", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "vxlan", "vxlan", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "tap (kind tun)", "tun", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "tun", "tun", ARPHRD_NONE, IFF_UP, 0, 0, 0 },
	{ "gretap", "gretap", ARPHRD_ETHER, IFF_UP, 0, 1, 0 },
	{ "a kind never heard of", "frobnicator", ARPHRD_ETHER, 0, 0, 1, 0 },
	{ "a kind that starts like veth", "veth2", ARPHRD_ETHER, 0, 0, 1, 0 },
};

static struct nl_link
make_link(const struct candidate_case *c)
{
	struct nl_link	l;

	memset(&l, 0, sizeof(l));
	l.index = 3;
	strlcpy(l.name, "ens5", sizeof(l.name));
	strlcpy(l.kind, c->kind, sizeof(l.kind));
	l.type = c->type;
	l.flags = c->flags;
	l.master = c->master;
	l.has_mac = c->has_mac;
	if (c->has_mac)
		memcpy(l.mac, "\xfa\x16\x3e\x00\x00\x01", sizeof(l.mac));
	l.mtu = 1500;
	return l;
}

static void
test_candidates(void **state)
{
	struct nl_link	l;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(candidate_cases); i++) {
		l = make_link(&candidate_cases[i]);
		if (nl_link_is_candidate(&l) != candidate_cases[i].candidate)
			fail_msg("%s: expected %s", candidate_cases[i].what,
			    candidate_cases[i].candidate ? "a candidate" :
			    "not a candidate");
	}
}

/* Addresses and the parent link do not change the answer. */
static void
test_candidate_ignores_addresses_and_parent(void **state)
{
	struct nl_link	l = make_link(&candidate_cases[0]);

	(void)state;
	l.naddrs = 1;
	l.addrs_truncated = 1;
	l.link = 9;
	assert_true(nl_link_is_candidate(&l));
}

static void
test_by_index(void **state)
{
	struct nl_link	links[3];

	(void)state;
	memset(links, 0, sizeof(links));
	links[0].index = 1;
	links[1].index = 7;
	links[2].index = 3;
	assert_ptr_equal(nl_link_by_index(links, NELEM(links), 7), &links[1]);
	assert_ptr_equal(nl_link_by_index(links, NELEM(links), 3), &links[2]);
	assert_null(nl_link_by_index(links, NELEM(links), 2));
	assert_null(nl_link_by_index(links, 0, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_candidate_ignores_addresses_and_parent),
		cmocka_unit_test(test_by_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
