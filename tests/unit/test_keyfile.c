/* SPDX-License-Identifier: ISC */
/*
 * Tests for the NetworkManager keyfile renderer (applier/keyfile.c): golden
 * files, round trips, the UUID derived from the MAC, source routing's keys,
 * and refusal of what cannot be written or read safely.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../applier/files.h"
#include "../../applier/render.h"
#include "../../applier/srcroute.h"
#include "config.h"

#define GOLDEN	"tests/golden/networkmanager/"
#define NM	renderer_networkmanager

/* The lines of multinic0-address after the header, to edit one by one. */
#define L_CONNECTION	"[connection]\nid=multinic0\n"
#define L_UUID		"uuid=0eea2fc8-b57f-5f24-8e0f-2aea4eaa0b15\n"
#define L_REST_CONN	"type=ethernet\ninterface-name=multinic0\n" \
			"autoconnect=true\n"
#define L_ETHERNET	"\n[ethernet]\nmac-address=fa:16:3e:00:00:01\n" \
			"mtu=1500\n"
#define L_IPV4		"\n[ipv4]\nmethod=manual\naddress1=10.0.0.5/24\n"
#define L_IPV6		"\n[ipv6]\nmethod=ignore\n"
#define GOOD		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN \
			L_ETHERNET L_IPV4 L_IPV6

static const struct {
	const char	*golden;
	int		 slot;
	const char	*addr;
	uint8_t		 prefix;
	uint32_t	 mtu;
	uint8_t		 mac[6];
	struct srcroute_conf routing;	/* table_base 0: off */
} goldens[] = {
	{ "multinic0-address.nmconnection", 0, "10.0.0.5", 24, 1500,
	    { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x01 }, { 0, 0 } },
	{ "multinic3-no-address.nmconnection", 3, NULL, 0, 9000,
	    { 0xfa, 0x16, 0x3e, 0xab, 0xcd, 0xef }, { 1000, 1 } },
	{ "multinic9-jumbo.nmconnection", 9, "192.168.100.200", 28, 9216,
	    { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 }, { 0, 0 } },
	/*
	 * Source routing as srcroute.c computes it: a table with a default
	 * route via the first host, and a /31's on-link route only.
	 */
	{ "multinic2-source-routing.nmconnection", 2, "10.0.2.5", 24, 1500,
	    { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x03 }, { 1000, 1 } },
	{ "multinic4-source-routing-on-link.nmconnection", 4, "10.0.4.9", 31,
	    1500, { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x05 }, { 2000, 1 } },
};

static struct nic_config
nic_of(size_t i)
{
	struct nic_config	n;

	memset(&n, 0, sizeof(n));
	n.slot = goldens[i].slot;
	snprintf(n.name, sizeof(n.name), "multinic%d", n.slot);
	memcpy(n.mac, goldens[i].mac, sizeof(n.mac));
	if (goldens[i].addr != NULL) {
		n.has_address = 1;
		assert_int_equal(inet_pton(AF_INET, goldens[i].addr,
		    &n.address), 1);
		n.prefix = goldens[i].prefix;
	}
	n.mtu = goldens[i].mtu;
	srcroute_nic(&goldens[i].routing, &n);
	return n;
}

static void
test_golden_and_round_trip(void **state)
{
	struct nic_config	 want, back;
	char			 buf[4096], err[128], path[PATH_MAX], *golden;
	size_t			 len, glen, i;

	(void)state;
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		want = nic_of(i);
		assert_int_equal(NM.render(&want, buf, sizeof(buf), &len, err,
		    sizeof(err)), 0);
		snprintf(path, sizeof(path), GOLDEN "%s", goldens[i].golden);
		if (files_read(path, 65536, &golden, &glen) == -1)
			fail_msg("cannot read %s", path);
		assert_int_equal(len, glen);
		assert_memory_equal(buf, golden, len);
		assert_int_equal(NM.parse(golden, glen, &back, err,
		    sizeof(err)), 0);
		assert_true(render_nic_equal(&back, &want));
		free(golden);
	}
}

/*
 * RFC 4122 version 5 over our namespace and the MAC's text: the values are
 * what Python's uuid.uuid5() gives for the same namespace and names.
 */
static void
test_uuid_from_mac(void **state)
{
	static const struct {
		size_t		 golden;
		const char	*uuid;
	} cases[] = {
		{ 0, "uuid=0eea2fc8-b57f-5f24-8e0f-2aea4eaa0b15\n" },
		{ 1, "uuid=580f5e6e-1caa-5661-85dd-33efb31e52cb\n" },
		{ 2, "uuid=e1c2044c-7a63-5f20-9bef-519abffe01b3\n" },
	};
	struct nic_config	n;
	char			buf[4096], again[4096], err[128];
	size_t			len, againlen, i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = nic_of(cases[i].golden);
		assert_int_equal(NM.render(&n, buf, sizeof(buf), &len, err,
		    sizeof(err)), 0);
		buf[len] = '\0';
		assert_non_null(strstr(buf, cases[i].uuid));
		/* Another slot, address and MTU: the same MAC, the same UUID. */
		n.slot = 5;
		strlcpy(n.name, "multinic5", sizeof(n.name));
		n.has_address = 0;
		n.mtu = 1400;
		assert_int_equal(NM.render(&n, again, sizeof(again), &againlen,
		    err, sizeof(err)), 0);
		again[againlen] = '\0';
		assert_non_null(strstr(again, cases[i].uuid));
	}
}

static void
test_render_refuses(void **state)
{
	struct nic_config	bad[4];
	char			buf[4096], err[128];
	size_t			len, i;

	(void)state;
	for (i = 0; i < 4; i++)
		bad[i] = nic_of(0);
	bad[0].slot = 10;
	bad[1].mtu = 20;
	bad[2].prefix = 33;
	strlcpy(bad[3].name, "eth0", sizeof(bad[3].name));
	for (i = 0; i < 4; i++) {
		err[0] = '\0';
		assert_int_equal(NM.render(&bad[i], buf, sizeof(buf), &len, err,
		    sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
	/* Too small a buffer is a refusal, never a cut file. */
	bad[0] = nic_of(0);
	assert_int_equal(NM.render(&bad[0], buf, 64, &len, err, sizeof(err)),
	    -1);
}

static void
test_parse_refuses(void **state)
{
	static const char *const cases[] = {
		/* Not ours: no header. */
		L_CONNECTION L_UUID L_REST_CONN L_ETHERNET L_IPV4 L_IPV6,
		/* A key before any group, a group twice, an unknown group. */
		RENDER_HEADER "id=multinic0\n" L_CONNECTION L_UUID L_REST_CONN
		    L_ETHERNET L_IPV4 L_IPV6,
		GOOD L_IPV6,
		GOOD "\n[proxy]\n",
		GOOD "\n[ethernet2]\n",
		/* A key twice, an unknown key, a key in the wrong group. */
		RENDER_HEADER L_CONNECTION L_UUID L_UUID L_REST_CONN
		    L_ETHERNET L_IPV4 L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    "cloned-mac-address=fa:16:3e:00:00:02\n" L_IPV4 L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    L_IPV4 "gateway=10.0.0.1\n" L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    L_IPV4 "address2=10.0.0.6/24\n" L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN
		    "mtu=1500\n" L_ETHERNET L_IPV4 L_IPV6,
		/* Fixed values changed. */
		RENDER_HEADER L_CONNECTION L_UUID "type=wifi\n"
		    "interface-name=multinic0\nautoconnect=true\n" L_ETHERNET
		    L_IPV4 L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID "type=ethernet\n"
		    "interface-name=multinic0\nautoconnect=false\n" L_ETHERNET
		    L_IPV4 L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    L_IPV4 "\n[ipv6]\nmethod=auto\n",
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    "\n[ipv4]\nmethod=auto\n" L_IPV6,
		/* Missing pieces. */
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    L_IPV4,
		RENDER_HEADER L_CONNECTION L_REST_CONN L_ETHERNET L_IPV4
		    L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    "\n[ipv4]\nmethod=manual\n" L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    "\n[ipv4]\nmethod=disabled\naddress1=10.0.0.5/24\n" L_IPV6,
		/* Names that disagree or are not ours. */
		RENDER_HEADER "[connection]\nid=multinic1\n" L_UUID L_REST_CONN
		    L_ETHERNET L_IPV4 L_IPV6,
		RENDER_HEADER "[connection]\nid=eth0\n" L_UUID "type=ethernet\n"
		    "interface-name=eth0\nautoconnect=true\n" L_ETHERNET L_IPV4
		    L_IPV6,
		/* The UUID of another MAC. */
		RENDER_HEADER L_CONNECTION
		    "uuid=580f5e6e-1caa-5661-85dd-33efb31e52cb\n" L_REST_CONN
		    L_ETHERNET L_IPV4 L_IPV6,
		/* Bad values, and what GKeyFile would read differently. */
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN
		    "\n[ethernet]\nmac-address=fa:16:3e:00:00\nmtu=1500\n"
		    L_IPV4 L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN
		    "\n[ethernet]\nmac-address=fa:16:3e:00:00:01\nmtu=60\n"
		    L_IPV4 L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    "\n[ipv4]\nmethod=manual\naddress1=10.0.0.5/0\n" L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    "\n[ipv4]\nmethod=manual\naddress1=10.0.0.5\n" L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    "\n[ipv4]\nmethod=manual\naddress1=10.0.0.5/24,10.0.0.1\n"
		    L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN L_ETHERNET
		    "\n[ipv4]\nmethod=manual\naddress1=10.0.0.5/24;\n" L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN
		    "\n[ethernet]\nmac-address=fa:16:3e:00:00:01\nmtu= 1500\n"
		    L_IPV4 L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN
		    "\n[ethernet]\nmac-address=fa:16:3e:00:00:01\nmtu=1500\\\n"
		    L_IPV4 L_IPV6,
		RENDER_HEADER L_CONNECTION L_UUID L_REST_CONN
		    "\n[ethernet]\nmac-address=fa:16:3e:00:00:01\nmtu=1500\r\n"
		    L_IPV4 L_IPV6,
		RENDER_HEADER "[connection] \nid=multinic0\n" L_UUID
		    L_REST_CONN L_ETHERNET L_IPV4 L_IPV6,
	};
	struct nic_config	back;
	char			err[128];
	size_t			i;

	(void)state;
	assert_int_equal(NM.parse(GOOD, strlen(GOOD), &back, err, sizeof(err)),
	    0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (NM.parse(cases[i], strlen(cases[i]), &back, err,
		    sizeof(err)) != -1)
			fail_msg("case %zu parsed", i);
}

/* multinic2's golden file with the first "from" replaced by "to". */
static char *
routing_edited(const char *from, const char *to, size_t *len)
{
	char	*golden, *at, *edited;
	size_t	 glen, head;

	if (files_read(GOLDEN "multinic2-source-routing.nmconnection", 65536,
	    &golden, &glen) == -1)
		fail_msg("cannot read multinic2's golden file");
	if ((at = strstr(golden, from)) == NULL)
		fail_msg("\"%s\" not in multinic2's golden file", from);
	head = (size_t)(at - golden);
	*len = glen - strlen(from) + strlen(to);
	if ((edited = malloc(*len + 1)) == NULL)
		fail_msg("out of memory");
	memcpy(edited, golden, head);
	memcpy(edited + head, to, strlen(to));
	memcpy(edited + head + strlen(to), at + strlen(from),
	    glen - head - strlen(from));
	edited[*len] = '\0';
	free(golden);
	return edited;
}

/*
 * Source routing's keys carry srcroute.c's numbers, read back exactly:
 * anything NetworkManager would set up otherwise is not ours.
 */
static void
test_routing(void **state)
{
	static const struct {
		const char	*from;
		const char	*to;
	} edits[] = {
		/* The numbers, one key at a time. */
		{ "route1=10.0.2.0/24", "route1=10.0.0.0/16" },
		{ "0.0.0.0,0\n", "0.0.0.0,100\n" },
		{ "scope=253", "scope=254" },
		{ "src=10.0.2.5", "src=10.0.2.6" },
		{ "table=1002\nroute2", "table=1003\nroute2" },
		{ "10.0.2.1,0", "10.0.2.1,100" },
		{ "route2=0.0.0.0/0", "route2=10.0.0.0/8" },
		{ "10.0.2.1,0", "10.0.3.1,0" },
		{ "route2_options=table=1002", "route2_options=table=1003" },
		{ "priority 1002", "priority 1003" },
		{ "from 10.0.2.5/32", "from 10.0.2.5" },
		{ "1002\n\n", "1003\n\n" },
		/* The kernel's main table; no table at all. */
		{ "table=1002\nroute2", "table=254\nroute2" },
		{ "scope=253,src=10.0.2.5,table=1002", "scope=253,src=10.0.2.5" },
		/* Another shape: order, blanks, a key missing or added. */
		{ "scope=253,src=10.0.2.5,table=1002",
		    "table=1002,scope=253,src=10.0.2.5" },
		{ "routing-rule1=priority", "routing-rule1= priority" },
		{ "route2_options=table=1002\n", "" },
		{ "route2=0.0.0.0/0,10.0.2.1,0\n", "" },
		{ "routing-rule1=priority 1002 from 10.0.2.5/32 table 1002\n",
		    "" },
		{ "route1=10.0.2.0/24,0.0.0.0,0\n", "" },
		{ "route2=", "route3=" },
		{ "\n\n[ipv6]", "\nrouting-rule2=priority 1002 from 10.0.2.5/32"
		    " table 1002\n\n[ipv6]" },
		/* Routes on a NIC without an address. */
		{ "method=manual\naddress1=10.0.2.5/24\n", "method=disabled\n" },
	};
	struct nic_config	 want, back;
	char			 buf[4096], err[128], *text;
	size_t			 len, i;

	(void)state;
	want = nic_of(3);
	assert_int_equal(want.route_table, 1002);
	assert_int_equal(want.route_gateway, htonl(0x0a000201));
	want = nic_of(4);
	assert_int_equal(want.route_table, 2004);
	assert_int_equal(want.route_gateway, 0);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		text = routing_edited(edits[i].from, edits[i].to, &len);
		if (NM.parse(text, len, &back, err, sizeof(err)) != -1)
			fail_msg("edit %zu parsed", i);
		free(text);
	}
	/* What srcroute_check() refuses is never written. */
	want = nic_of(3);
	want.route_gateway = htonl(0x0a000301);
	assert_int_equal(NM.render(&want, buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	want = nic_of(1);
	want.route_table = 1003;
	assert_int_equal(NM.render(&want, buf, sizeof(buf), &len, err,
	    sizeof(err)), -1);
	assert_true(render_carries_routes(&NM));
}

/* Comments and blank lines are NetworkManager's too: they change nothing. */
static void
test_parse_comments(void **state)
{
	static const char text[] = RENDER_HEADER "# a note\n\n" L_CONNECTION
	    L_UUID L_REST_CONN "# another\n" L_ETHERNET L_IPV4 L_IPV6 "\n";
	struct nic_config	back;
	char			err[128];
	int			ours;

	(void)state;
	assert_int_equal(NM.parse(text, strlen(text), &back, err, sizeof(err)),
	    0);
	assert_int_equal(back.slot, 0);
	assert_int_equal(back.mtu, 1500);
	/* A file without our header reads, but is not ours. */
	assert_int_equal(render_parse_shape(&NM, text + strlen(RENDER_HEADER),
	    strlen(text) - strlen(RENDER_HEADER), &back, &ours, err,
	    sizeof(err)), 0);
	assert_false(ours);
}

static void
test_owns_path_and_selection(void **state)
{
	static const struct {
		const char	*name;
		int		 ours;
	} owns[] = {
		{ "multinic0.nmconnection", 1 },
		{ "multinic9.nmconnection", 1 },
		{ "multinic10.nmconnection", 0 },
		{ "multinic0.nmconnection.tmp", 0 },
		{ ".multinic0.nmconnection", 0 },
		{ "multinic0", 0 },
		{ "eth0.nmconnection", 0 },
		{ "", 0 },
	};
	char	buf[PATH_MAX];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(owns) / sizeof(owns[0]); i++)
		if (NM.owns(owns[i].name) != owns[i].ours)
			fail_msg("owns(\"%s\") != %d", owns[i].name,
			    owns[i].ours);
	assert_int_equal(NM.path("/", 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
	    "/etc/NetworkManager/system-connections/multinic0.nmconnection");
	assert_int_equal(NM.path("/host", 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/host/etc/NetworkManager/system-connections/"
	    "multinic3.nmconnection");
	assert_int_equal(NM.path("/", 10, buf, sizeof(buf)), -1);
	assert_int_equal(NM.path("/", 0, buf, 20), -1);
	assert_string_equal(NM.name, "networkmanager");
	assert_true(NM.udev_rules);
	assert_ptr_equal(render_for_os(OS_TYPE_NETWORKMANAGER), &NM);
	assert_string_equal(config_os_type_name(OS_TYPE_NETWORKMANAGER),
	    "networkmanager");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_and_round_trip),
		cmocka_unit_test(test_uuid_from_mac),
		cmocka_unit_test(test_render_refuses),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_parse_comments),
		cmocka_unit_test(test_owns_path_and_selection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
