/* SPDX-License-Identifier: ISC */
/*
 * Tests for applier/srcroute.c: the table and gateway a NIC gets, what
 * render_check() refuses of them, the rules and routes wanted, and a
 * slot's part of what the kernel has.
 */

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <linux/rtnetlink.h>

#include "../../applier/srcroute.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static uint32_t
ip(const char *text)
{
	uint32_t	addr = 0;

	if (text != NULL)
		assert_int_equal(inet_pton(AF_INET, text, &addr), 1);
	return addr;
}

static struct nic_config
nic(int slot, const char *address, uint8_t prefix)
{
	struct nic_config	n;

	memset(&n, 0, sizeof(n));
	n.slot = slot;
	snprintf(n.name, sizeof(n.name), "multinic%d", slot);
	n.mtu = 1500;
	if (address != NULL) {
		n.has_address = 1;
		n.address = ip(address);
		n.prefix = prefix;
	}
	return n;
}

/* SOURCE_ROUTING* and a NIC: the table and gateway it gets. */
static void
test_table_and_gateway(void **state)
{
	static const struct {
		uint32_t	 base;
		int		 first;
		int		 slot;
		const char	*address;
		uint8_t		 prefix;
		uint32_t	 table;
		const char	*gateway;
	} cases[] = {
		{ 1000, 1, 0, "10.0.0.5", 24, 1000, "10.0.0.1" },
		{ 1000, 1, 3, "10.0.3.77", 24, 1003, "10.0.3.1" },
		{ 5000, 1, 9, "172.16.5.9", 20, 5009, "172.16.0.1" },
		/* The NIC is the first host itself: on-link only. */
		{ 1000, 1, 1, "10.0.1.1", 24, 1001, NULL },
		{ 1000, 1, 2, "10.0.2.6", 30, 1002, "10.0.2.5" },
		/* A /31 has no first host; a /32 no subnet. */
		{ 1000, 1, 4, "10.0.4.9", 31, 1004, NULL },
		{ 1000, 1, 5, "10.0.5.9", 32, 0, NULL },
		{ 1000, 0, 6, "10.0.6.9", 24, 1006, NULL },
		{ 0, 1, 7, "10.0.7.9", 24, 0, NULL },		/* off */
		{ 1000, 1, 8, NULL, 0, 0, NULL },		/* no address */
	};
	struct srcroute_conf	conf;
	struct nic_config	n;
	char			err[128];
	size_t			i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		conf.table_base = cases[i].base;
		conf.gateway_first = cases[i].first;
		n = nic(cases[i].slot, cases[i].address, cases[i].prefix);
		srcroute_nic(&conf, &n);
		if (n.route_table != cases[i].table ||
		    n.route_gateway != ip(cases[i].gateway))
			fail_msg("case %zu: table %u gateway %08x", i,
			    n.route_table, n.route_gateway);
		if (srcroute_check(&n, err, sizeof(err)) != 0)
			fail_msg("case %zu refused: %s", i, err);
	}
	n = nic(0, "10.0.0.5", 24);
	srcroute_nic(NULL, &n);
	assert_int_equal(n.route_table, 0);
}

/* What a file or a peer might say, values the planner never makes. */
static void
test_check_refuses(void **state)
{
	static const struct {
		const char	*address;
		uint8_t		 prefix;
		uint32_t	 table;
		const char	*gateway;
		const char	*reason;
	} cases[] = {
		{ "10.0.0.5", 24, 0, "10.0.0.1", "without a routing table" },
		{ "10.0.0.5", 24, 254, NULL, "the kernel's" },
		{ "10.0.0.5", 24, 255, NULL, "the kernel's" },
		{ "10.0.0.5", 32, 1000, NULL, "needs an address" },
		{ NULL, 0, 1000, NULL, "needs an address" },
		{ "10.0.0.5", 24, 1000, "10.0.1.1", "no other host" },
		{ "10.0.0.5", 24, 1000, "10.0.0.5", "no other host" },
		{ "10.0.0.5", 24, 1000, "10.0.0.0", "no other host" },
		{ "10.0.0.5", 24, 1000, "10.0.0.255", "no other host" },
	};
	struct nic_config	n;
	char			err[128];
	size_t			i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		n = nic(0, cases[i].address, cases[i].prefix);
		n.route_table = cases[i].table;
		n.route_gateway = ip(cases[i].gateway);
		err[0] = '\0';
		if (srcroute_check(&n, err, sizeof(err)) != -1)
			fail_msg("case %zu accepted", i);
		if (strstr(err, cases[i].reason) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err,
			    cases[i].reason);
	}
}

static void
test_wanted(void **state)
{
	struct nic_config	n = nic(3, "10.0.3.77", 24);
	struct srcroute_set	set;

	(void)state;
	n.route_table = 1003;
	n.route_gateway = ip("10.0.3.1");
	srcroute_wanted(&n, 42, &set);
	assert_int_equal(set.nrules, 1);
	assert_int_equal(set.rules[0].priority, 1003);
	assert_int_equal(set.rules[0].table, 1003);
	assert_int_equal(set.rules[0].src, n.address);
	assert_int_equal(set.rules[0].src_len, 32);
	assert_int_equal(set.nroutes, 2);
	assert_int_equal(set.routes[0].dst, ip("10.0.3.0"));
	assert_int_equal(set.routes[0].dst_len, 24);
	assert_int_equal(set.routes[0].prefsrc, n.address);
	assert_int_equal(set.routes[0].scope, RT_SCOPE_LINK);
	assert_int_equal(set.routes[0].oif, 42);
	assert_int_equal(set.routes[1].dst_len, 0);
	assert_int_equal(set.routes[1].gateway, n.route_gateway);
	assert_int_equal(set.routes[1].scope, RT_SCOPE_UNIVERSE);
	n.route_gateway = 0;
	srcroute_wanted(&n, 42, &set);
	assert_int_equal(set.nroutes, 1);
	n.route_table = 0;
	srcroute_wanted(&n, 42, &set);
	assert_int_equal(set.nrules + set.nroutes, 0);
}

/*
 * A slot's rules are those at its priority; its routes those of the tables
 * they name and of its own table, never of main or local.
 */
static void
test_slot_and_equality(void **state)
{
	struct srcroute_live	live;
	struct srcroute_set	have, want;
	struct nic_config	n = nic(1, "10.0.1.5", 24);

	(void)state;
	n.route_table = 1001;
	n.route_gateway = ip("10.0.1.1");
	srcroute_wanted(&n, 7, &want);
	memset(&live, 0, sizeof(live));
	live.read = 1;
	live.table_base = 1000;
	live.rules[live.nrules++] = want.rules[0];
	/* Slot 2's rule, pointing at main: never a table of ours. */
	live.rules[live.nrules] = want.rules[0];
	live.rules[live.nrules].priority = 1002;
	live.rules[live.nrules++].table = RT_TABLE_MAIN;
	live.routes[live.nroutes++] = want.routes[1];
	live.routes[live.nroutes++] = want.routes[0];
	live.routes[live.nroutes] = want.routes[0];
	live.routes[live.nroutes++].table = RT_TABLE_MAIN;
	srcroute_slot(&live, 1, 1001, &have);
	assert_int_equal(have.nrules, 1);
	assert_int_equal(have.nroutes, 2);
	assert_true(srcroute_set_equal(&have, &want));
	srcroute_slot(&live, 2, 0, &have);
	assert_int_equal(have.nrules, 1);
	assert_int_equal(have.nroutes, 0);
	assert_true(srcroute_table_ours(1005, &live));
	assert_false(srcroute_table_ours(RT_TABLE_MAIN, &live));
	assert_false(srcroute_table_ours(2000, &live));
	/* A route that differs in one field is drift. */
	live.routes[0].metric = 100;
	srcroute_slot(&live, 1, 1001, &have);
	assert_false(srcroute_set_equal(&have, &want));
	live.routes[0].metric = 0;
	live.rules[0].other = 1;
	srcroute_slot(&live, 1, 1001, &have);
	assert_false(srcroute_set_equal(&have, &want));
	live.rules[0].other = 0;
	live.truncated = 1;
	srcroute_slot(&live, 1, 1001, &have);
	assert_false(srcroute_set_equal(&have, &want));
}

static void
test_text(void **state)
{
	struct nic_config	n = nic(3, "10.0.3.77", 24);
	char			buf[64];

	(void)state;
	srcroute_text(&n, buf, sizeof(buf));
	assert_string_equal(buf, "");
	n.route_table = 1003;
	srcroute_text(&n, buf, sizeof(buf));
	assert_string_equal(buf, "table 1003, on-link only");
	n.route_gateway = ip("10.0.3.1");
	srcroute_text(&n, buf, sizeof(buf));
	assert_string_equal(buf, "table 1003 via 10.0.3.1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_and_gateway),
		cmocka_unit_test(test_check_refuses),
		cmocka_unit_test(test_wanted),
		cmocka_unit_test(test_slot_and_equality),
		cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
