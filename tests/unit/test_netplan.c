/* SPDX-License-Identifier: ISC */
/*
 * Tests for the netplan renderer (applier/netplan.c): golden files, round
 * trips, refusals on both sides, and the real `netplan generate` as judge.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../applier/render.h"

#define GOLDEN_DIR	"tests/golden/netplan/"
#define FILE_MAX	(1024 * 1024 + 1)

static struct nic_config
nic(int slot, const char *addr, uint8_t prefix, uint32_t mtu,
    const uint8_t mac[6])
{
	struct nic_config	n;

	memset(&n, 0, sizeof(n));
	n.slot = slot;
	snprintf(n.name, sizeof(n.name), "multinic%d", slot);
	memcpy(n.mac, mac, 6);
	if (addr != NULL) {
		n.has_address = 1;
		assert_int_equal(inet_pton(AF_INET, addr, &n.address), 1);
		n.prefix = prefix;
	}
	n.mtu = mtu;
	return n;
}

static const struct golden {
	const char	*file;
	int		 slot;
	const char	*addr;
	uint8_t		 prefix;
	uint32_t	 mtu;
	uint8_t		 mac[6];
	uint32_t	 table;		/* source routing; 0: off */
	const char	*gateway;
} goldens[] = {
	{ "multinic0-address.yaml", 0, "10.0.0.5", 24, 1500,
	    { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x01 }, 0, NULL },
	{ "multinic3-no-address.yaml", 3, NULL, 0, 1450,
	    { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x04 }, 0, NULL },
	/* A MAC YAML 1.1 would read as a number unquoted; host bits kept. */
	{ "multinic9-jumbo.yaml", 9, "192.168.200.77", 30, 9216,
	    { 0x12, 0x34, 0x56, 0x12, 0x34, 0x56 }, 0, NULL },
	/* Source routing: a table with a default route, and on-link only. */
	{ "multinic2-source-routing.yaml", 2, "10.0.2.5", 24, 1500,
	    { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x03 }, 1002, "10.0.2.1" },
	{ "multinic4-source-routing-on-link.yaml", 4, "10.0.4.9", 31, 1500,
	    { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x05 }, 2004, NULL },
};
#define NGOLDENS	(sizeof(goldens) / sizeof(goldens[0]))

static struct nic_config
golden_nic(const struct golden *g)
{
	struct nic_config	n = nic(g->slot, g->addr, g->prefix, g->mtu,
				    g->mac);

	n.route_table = g->table;
	if (g->gateway != NULL)
		assert_int_equal(inet_pton(AF_INET, g->gateway,
		    &n.route_gateway), 1);
	return n;
}

/* The Makefile runs tests from the repo root; MULTINIC_SRCDIR overrides. */
static void
golden_path(const char *file, char *buf, size_t len)
{
	const char	*srcdir = getenv("MULTINIC_SRCDIR");

	snprintf(buf, len, "%s/" GOLDEN_DIR "%s", srcdir != NULL ? srcdir :
	    ".", file);
}

/* A malloc'd copy of path's content, NUL-terminated. */
static char *
read_file(const char *path, size_t *len)
{
	FILE	*f;
	char	*data;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	data = malloc(FILE_MAX + 1);
	assert_non_null(data);
	*len = fread(data, 1, FILE_MAX, f);
	assert_int_equal(ferror(f), 0);
	fclose(f);
	data[*len] = '\0';
	return data;
}

static char *
read_golden(const char *file, size_t *len)
{
	char	path[PATH_MAX];

	golden_path(file, path, sizeof(path));
	return read_file(path, len);
}

static void
write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int	fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd == -1)
		fail_msg("cannot create %s", path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void
assert_same_nic(const struct nic_config *want, const struct nic_config *got)
{
	assert_int_equal(got->slot, want->slot);
	assert_string_equal(got->name, want->name);
	assert_memory_equal(got->mac, want->mac, 6);
	assert_int_equal(got->has_address, want->has_address);
	if (want->has_address) {
		assert_int_equal(got->address, want->address);
		assert_int_equal(got->prefix, want->prefix);
	}
	assert_int_equal(got->mtu, want->mtu);
	assert_int_equal(got->route_table, want->route_table);
	assert_int_equal(got->route_gateway, want->route_gateway);
}

static void
test_render_matches_golden(void **state)
{
	struct nic_config	want;
	char			buf[4096], err[128], *golden;
	size_t			len, glen, i;

	(void)state;
	for (i = 0; i < NGOLDENS; i++) {
		want = golden_nic(&goldens[i]);
		golden = read_golden(goldens[i].file, &glen);
		if (renderer_netplan.render(&want, buf, sizeof(buf), &len, err,
		    sizeof(err)) == -1)
			fail_msg("%s: %s", goldens[i].file, err);
		if (len != glen || memcmp(buf, golden, len) != 0)
			fail_msg("%s differs; rendered:\n%.*s", goldens[i].file,
			    (int)len, buf);
		free(golden);
	}
}

static void
test_parse_golden_round_trip(void **state)
{
	struct nic_config	want, got;
	char			err[128], *golden;
	size_t			glen, i;

	(void)state;
	for (i = 0; i < NGOLDENS; i++) {
		want = golden_nic(&goldens[i]);
		golden = read_golden(goldens[i].file, &glen);
		if (renderer_netplan.parse(golden, glen, &got, err,
		    sizeof(err)) == -1)
			fail_msg("%s: %s", goldens[i].file, err);
		assert_same_nic(&want, &got);
		free(golden);
	}
}

/* The second wall: values are validated before, but never trusted. */
static void
test_render_refuses(void **state)
{
	static const uint8_t	mac[6] = { 0xfa, 0x16, 0x3e, 0, 0, 1 };
	static const struct {
		int		 slot;
		const char	*name, *addr, *reason;
		uint8_t		 prefix;
		uint32_t	 mtu;
	} cases[] = {
		{ 10, "multinic10", NULL, "slot", 0, 1500 },
		{ -1, "multinic-1", NULL, "slot", 0, 1500 },
		{ 0, "multinic1", NULL, "name", 0, 1500 },
		{ 0, "multinic0x", NULL, "name", 0, 1500 },
		{ 0, "eth0", NULL, "name", 0, 1500 },
		{ 0, "multinic0", NULL, "MTU", 0, 20 },
		{ 0, "multinic0", NULL, "MTU", 0, 67 },
		{ 0, "multinic0", NULL, "MTU", 0, 9217 },
		{ 0, "multinic0", "10.0.0.5", "prefix", 0, 1500 },
		{ 0, "multinic0", "10.0.0.5", "prefix", 33, 1500 },
	};
	struct nic_config	n;
	char			buf[4096], err[128];
	size_t			len, i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = nic(0, cases[i].addr, cases[i].prefix, cases[i].mtu, mac);
		n.slot = cases[i].slot;
		strlcpy(n.name, cases[i].name, sizeof(n.name));
		err[0] = '\0';
		if (renderer_netplan.render(&n, buf, sizeof(buf), &len, err,
		    sizeof(err)) != -1)
			fail_msg("case %zu rendered", i);
		if (strstr(err, cases[i].reason) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err,
			    cases[i].reason);
		assert_int_equal(len, 0);
	}
	/* A prefix means nothing without an address. */
	n = nic(0, NULL, 0, 68, mac);
	assert_int_equal(renderer_netplan.render(&n, buf, sizeof(buf), &len,
	    err, sizeof(err)), 0);
}

static void
test_render_bounded_by_buffer(void **state)
{
	struct nic_config	n = golden_nic(&goldens[0]);
	char			buf[4096], err[128], *golden;
	size_t			len, glen, hlen = strlen(RENDER_HEADER);

	(void)state;
	golden = read_golden(goldens[0].file, &glen);
	assert_int_equal(renderer_netplan.render(&n, buf, glen, &len, err,
	    sizeof(err)), 0);
	assert_int_equal(len, glen);
	assert_int_equal(renderer_netplan.render(&n, buf, glen - 1, &len, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	assert_int_equal(len, 0);
	assert_int_equal(renderer_netplan.render(&n, buf, hlen, &len, err,
	    sizeof(err)), -1);
	assert_int_equal(renderer_netplan.render(&n, buf, hlen + 10, &len, err,
	    sizeof(err)), -1);
	free(golden);
}

#define HDR	RENDER_HEADER
#define NET	"network:\n  version: 2\n  ethernets:\n"
#define IF0	"    multinic0:\n"
#define MATCH	"      match:\n        macaddress: \"fa:16:3e:00:00:01\"\n"
#define MATCHED	"      match:\n        macaddress: "
#define NAME0	"      set-name: multinic0\n"
#define ADDR	"      addresses:\n      - 10.0.0.5/24\n"
#define MTU	"      mtu: 1500\n"
#define DHCP	"      dhcp4: false\n"
#define GOOD	HDR NET IF0 MATCH NAME0 ADDR MTU DHCP
/* Source routing as multinic0 with 10.0.0.5/24 and table 1000 has it. */
#define ROUTE	"      routes:\n      - to: 10.0.0.0/24\n        scope: link\n" \
		"        from: 10.0.0.5\n        table: 1000\n"
#define DEFLT	"      - to: 0.0.0.0/0\n        via: 10.0.0.1\n" \
		"        table: 1000\n"
#define POLICY	"      routing-policy:\n      - from: 10.0.0.5/32\n" \
		"        table: 1000\n        priority: 1000\n"

/* Each is one hand edit away from GOOD; err must say what is wrong. */
static const struct {
	const char	*text, *reason;
} bad_files[] = {
	{ NET IF0 MATCH NAME0 ADDR MTU DHCP, "header" },
	{ "\n" GOOD, "header" },
	{ "# Written by someone else.\n" NET IF0 MATCH NAME0 MTU DHCP,
	    "header" },
	{ HDR, "no YAML document" },
	{ GOOD "      dhcp6: false\n", "unknown key \"dhcp6\"" },
	{ HDR NET IF0 "      match:\n        name: \"ens*\"\n"
	    "        macaddress: \"fa:16:3e:00:00:01\"\n" NAME0 MTU DHCP,
	    "unknown key \"name\"" },
	{ HDR "network:\n  renderer: networkd\n  version: 2\n  ethernets:\n"
	    IF0 MATCH NAME0 MTU DHCP, "unknown key \"renderer\"" },
	{ GOOD "other: 1\n", "unknown key \"other\"" },
	{ GOOD "    multinic1:\n" MATCH "      set-name: multinic1\n" MTU DHCP,
	    "exactly one interface" },
	{ HDR NET, "exactly one interface" },
	{ HDR NET "    multinic10:\n" MATCH "      set-name: multinic10\n" MTU
	    DHCP, "not multinic0..9" },
	{ HDR NET "    eth0:\n" MATCH "      set-name: eth0\n" MTU DHCP,
	    "not multinic0..9" },
	{ HDR NET IF0 MATCHED "\"fa:16:3e:00:00\"\n"
	    NAME0 MTU DHCP, "macaddress" },
	{ HDR NET IF0 MATCHED "\"fa:16:3e:00-00:01\"\n"
	    NAME0 MTU DHCP, "macaddress" },
	{ HDR NET IF0 MATCHED "FA-16-3E-00-00-01\n"
	    NAME0 MTU DHCP, "lower case with colons" },
	{ HDR NET IF0 MATCHED "\"FA:16:3E:00:00:01\"\n"
	    NAME0 MTU DHCP, "lower case with colons" },
	{ HDR NET IF0 NAME0 MTU DHCP, "match: missing" },
	{ HDR NET IF0 MATCH "      set-name: multinic1\n" MTU DHCP,
	    "set-name" },
	{ HDR NET IF0 MATCH MTU DHCP, "set-name" },
	{ HDR NET IF0 MATCH NAME0 "      mtu: abc\n" DHCP, "mtu" },
	{ HDR NET IF0 MATCH NAME0 "      mtu: 20\n" DHCP, "mtu" },
	{ HDR NET IF0 MATCH NAME0 "      mtu: 9217\n" DHCP, "mtu" },
	{ HDR NET IF0 MATCH NAME0 "      mtu: 01500\n" DHCP, "mtu" },
	{ HDR NET IF0 MATCH NAME0 "      mtu: \"1500\"\n" DHCP, "mtu" },
	{ HDR NET IF0 MATCH NAME0 "      mtu: !!int 1500\n" DHCP, "mtu" },
	{ HDR NET IF0 MATCH NAME0 DHCP, "mtu" },
	{ HDR NET IF0 MATCH NAME0 MTU "      dhcp4: true\n", "dhcp4" },
	{ HDR NET IF0 MATCH NAME0 MTU "      dhcp4: no\n", "dhcp4" },
	{ HDR NET IF0 MATCH NAME0 MTU, "dhcp4" },
	{ HDR "network:\n  version: 3\n  ethernets:\n" IF0 MATCH NAME0 MTU
	    DHCP, "version" },
	{ HDR NET IF0 MATCH NAME0 "      addresses:\n      - 10.0.0.5/24\n"
	    "      - 10.0.0.6/24\n" MTU DHCP, "more than one" },
	{ HDR NET IF0 MATCH NAME0 "      addresses:\n      - 10.0.0.5/0\n"
	    MTU DHCP, "addresses" },
	{ HDR NET IF0 MATCH NAME0 "      addresses:\n      - 10.0.0.5/33\n"
	    MTU DHCP, "addresses" },
	{ HDR NET IF0 MATCH NAME0 "      addresses:\n      - 010.0.0.5/24\n"
	    MTU DHCP, "addresses" },
	{ HDR NET IF0 MATCH NAME0 "      addresses:\n      - 10.0.0.5\n"
	    MTU DHCP, "addresses" },
	{ HDR NET IF0 MATCH NAME0 "      addresses: 10.0.0.5/24\n" MTU DHCP,
	    "not a list" },
	{ HDR NET IF0 MATCH NAME0 MTU "      mtu: 9000\n" DHCP,
	    "duplicate key \"mtu\"" },
	{ GOOD "---\n" NET IF0 MATCH NAME0 MTU DHCP, "more than one" },
	{ HDR NET IF0 MATCH NAME0 "      mtu: [1500\n" DHCP, "YAML error" },
	{ HDR "- network\n", "not a mapping" },
	{ HDR NET IF0 "      match: \"fa:16:3e:00:00:01\"\n" NAME0 MTU DHCP,
	    "not a mapping" },
	{ GOOD ROUTE, "routing-policy: not those of source routing" },
	{ GOOD POLICY, "routing-policy: not those of source routing" },
	{ GOOD ROUTE DEFLT DEFLT POLICY, "not those of source routing" },
	{ GOOD ROUTE "        metric: 10\n" POLICY, "unknown key \"metric\"" },
	{ GOOD "      routes:\n      - to: 10.0.0.0/24\n        scope: link\n"
	    "        from: 10.0.0.5\n        table: \"1000\"\n" POLICY,
	    "table missing or not a plain number" },
	{ GOOD "      routes:\n      - to: 10.0.0.0/24\n        scope: link\n"
	    "        from: 10.0.0.5\n        table: 255\n" POLICY,
	    "the kernel's" },
	{ GOOD "      routes:\n      - to: 10.0.0.0/16\n        scope: link\n"
	    "        from: 10.0.0.5\n        table: 1000\n" POLICY,
	    "routes.to: not what source routing writes" },
	{ GOOD ROUTE "      - to: 0.0.0.0/0\n        via: 10.0.1.1\n"
	    "        table: 1000\n" POLICY, "no other host of the NIC's subnet" },
	{ GOOD ROUTE DEFLT "      routing-policy:\n      - from: 10.0.0.5/32\n"
	    "        table: 1000\n        priority: 1001\n",
	    "routing-policy.priority: not what" },
	{ GOOD ROUTE "      - to: 0.0.0.0/0\n        via: 10.0.0.1\n"
	    "        table: 1001\n" POLICY, "routes.table: not what" },
	{ HDR NET IF0 MATCH NAME0 MTU DHCP ROUTE POLICY,
	    "needs an address" },
};

static void
test_parse_refuses_hand_edits(void **state)
{
	struct nic_config	got;
	char			err[128];
	size_t			i;

	(void)state;
	/* The table is only meaningful if its base file is accepted. */
	assert_int_equal(renderer_netplan.parse(GOOD, strlen(GOOD), &got, err,
	    sizeof(err)), 0);
	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		err[0] = '\0';
		if (renderer_netplan.parse(bad_files[i].text,
		    strlen(bad_files[i].text), &got, err, sizeof(err)) != -1)
			fail_msg("case %zu parsed:\n%s", i, bad_files[i].text);
		if (strstr(err, bad_files[i].reason) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err,
			    bad_files[i].reason);
		assert_int_equal(got.mtu, 0);
	}
}

/* What netplan reads the same way as what we write is fine too. */
static void
test_parse_accepts_equivalents(void **state)
{
	static const char	*texts[] = {
		HDR NET IF0 MATCH NAME0 "      addresses: []\n" MTU DHCP,
		HDR NET IF0 MATCHED "fa:16:3e:00:00:01\n"
		    NAME0 MTU DHCP,
		HDR "network: {version: 2, ethernets: {multinic0: {match:"
		    " {macaddress: 'fa:16:3e:00:00:01'}, set-name: multinic0,"
		    " mtu: 1500, dhcp4: false}}}\n",
	};
	struct nic_config	got;
	char			err[128];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (renderer_netplan.parse(texts[i], strlen(texts[i]), &got,
		    err, sizeof(err)) == -1)
			fail_msg("case %zu: %s", i, err);
		assert_int_equal(got.has_address, 0);
		assert_int_equal(got.mtu, 1500);
		assert_int_equal(got.mac[5], 1);
	}
}

/*
 * The earlier agent's files: our shape without our header. Read for what
 * they say, and marked as not ours; a file of ours is marked ours; one of
 * another shape is refused either way.
 */
static void
test_parse_shape_without_header(void **state)
{
	static const char	 theirs[] = NET IF0 MATCH NAME0 MTU DHCP;
	static const char	 ours[] = HDR NET IF0 MATCH NAME0 MTU DHCP;
	static const char	 other[] = NET IF0 MATCH NAME0 MTU DHCP
				    "      dhcp6: true\n";
	struct nic_config	 got;
	char			 err[128];
	int			 is_ours = -1;

	(void)state;
	assert_int_equal(renderer_netplan.parse(theirs, strlen(theirs), &got,
	    err, sizeof(err)), -1);
	assert_int_equal(render_parse_shape(&renderer_netplan, theirs,
	    strlen(theirs), &got, &is_ours, err, sizeof(err)), 0);
	assert_int_equal(is_ours, 0);
	assert_int_equal(got.slot, 0);
	assert_int_equal(got.mtu, 1500);
	assert_int_equal(got.mac[5], 1);
	assert_int_equal(render_parse_shape(&renderer_netplan, ours,
	    strlen(ours), &got, &is_ours, err, sizeof(err)), 0);
	assert_int_equal(is_ours, 1);
	assert_int_equal(render_parse_shape(&renderer_netplan, other,
	    strlen(other), &got, &is_ours, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "dhcp6"));
}

/* Every cut before the last key fails; only the final newline may go. */
static void
test_parse_refuses_truncated(void **state)
{
	struct nic_config	got;
	char			err[128], *golden;
	size_t			glen, cut, i;

	(void)state;
	for (i = 0; i < NGOLDENS; i++) {
		golden = read_golden(goldens[i].file, &glen);
		for (cut = 0; cut + 1 < glen; cut++)
			if (renderer_netplan.parse(golden, cut, &got, err,
			    sizeof(err)) != -1)
				fail_msg("%s cut at %zu parsed",
				    goldens[i].file, cut);
		assert_int_equal(renderer_netplan.parse(golden, glen - 1, &got,
		    err, sizeof(err)), 0);
		free(golden);
	}
}

static void
test_parse_refuses_huge_input(void **state)
{
	struct nic_config	got;
	char			err[128], *huge;
	size_t			len = 1024 * 1024, glen = strlen(GOOD);

	(void)state;
	/* A valid file padded with comments: refused for its size alone. */
	huge = malloc(len);
	assert_non_null(huge);
	memset(huge, '#', len);
	memcpy(huge, GOOD, glen);
	huge[len - 1] = '\n';
	assert_int_equal(renderer_netplan.parse(huge, len, &got, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	free(huge);
}

static void
test_owns(void **state)
{
	static const struct {
		const char	*name;
		int		 ours;
	} cases[] = {
		{ "90-multinic0.yaml", 1 },
		{ "93-multinic3.yaml", 1 },
		{ "99-multinic9.yaml", 1 },
		{ "90-multinic10.yaml", 0 },
		{ "91-multinic0.yaml", 0 },
		{ "90-multinic0.yaml.bak", 0 },
		{ ".90-multinic0.yaml", 0 },
		{ "90-multinic0.yml", 0 },
		{ "80-multinic0.yaml", 0 },
		{ "9a-multinica.yaml", 0 },
		{ "50-cloud-init.yaml", 0 },
		{ "", 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (renderer_netplan.owns(cases[i].name) != cases[i].ours)
			fail_msg("owns(\"%s\") != %d", cases[i].name,
			    cases[i].ours);
}

static void
test_path(void **state)
{
	static const struct {
		const char	*root, *want;
		int		 slot;
	} cases[] = {
		{ "/", "/etc/netplan/90-multinic0.yaml", 0 },
		{ "/host", "/host/etc/netplan/93-multinic3.yaml", 3 },
		{ "/host/", "/host/etc/netplan/99-multinic9.yaml", 9 },
	};
	char	buf[PATH_MAX];
	size_t	i;

	(void)state;
	assert_string_equal(renderer_netplan.name, "netplan");
	assert_string_equal(renderer_netplan.dir, "etc/netplan");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(renderer_netplan.path(cases[i].root,
		    cases[i].slot, buf, sizeof(buf)), 0);
		assert_string_equal(buf, cases[i].want);
	}
	assert_int_equal(renderer_netplan.path("/", 10, buf, sizeof(buf)), -1);
	assert_int_equal(renderer_netplan.path("/", -1, buf, sizeof(buf)), -1);
	/* Exactly the bytes plus NUL fit; one less does not. */
	assert_int_equal(renderer_netplan.path("/", 0, buf, 31), 0);
	assert_int_equal(renderer_netplan.path("/", 0, buf, 30), -1);
}

/* The real netplan, if the machine has it: CI installs netplan.io. */
static int
netplan_on_path(void)
{
	char	*path, *dir, *save, exe[PATH_MAX];
	int	 found = 0;

	if (getenv("PATH") == NULL || (path = strdup(getenv("PATH"))) == NULL)
		return 0;
	for (dir = strtok_r(path, ":", &save); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &save)) {
		snprintf(exe, sizeof(exe), "%s/netplan", dir);
		found = access(exe, X_OK) == 0;
	}
	free(path);
	return found;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A test's scratch root; teardown removes it even after a failure. */
struct netplan_root {
	char	dir[64];	/* "" while there is none */
	char	log[PATH_MAX];
};

static void
netplan_root_remove(struct netplan_root *root)
{
	if (root->dir[0] == '\0')
		return;
	if (nftw(root->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == -1)
		fail_msg("cannot remove %s", root->dir);
	root->dir[0] = '\0';
}

static int
netplan_setup(void **state)
{
	return (*state = calloc(1, sizeof(struct netplan_root))) == NULL;
}

static int
netplan_teardown(void **state)
{
	netplan_root_remove(*state);
	free(*state);
	return 0;
}

/* A fresh root holding one netplan file, mode 0600 as the applier writes. */
static void
netplan_root(struct netplan_root *root, const char *file, const char *text,
    size_t len)
{
	char	path[PATH_MAX];

	if (!netplan_on_path())
		fail_msg("netplan is not on PATH: install netplan.io (the"
		    " rendered files must pass the real netplan generate)");
	netplan_root_remove(root);
	strlcpy(root->dir, "/tmp/test_netplan.XXXXXX", sizeof(root->dir));
	assert_non_null(mkdtemp(root->dir));
	snprintf(path, sizeof(path), "%s/etc", root->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/netplan", root->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/etc/netplan/%s", root->dir, file);
	write_file(path, text, len, 0600);
	snprintf(root->log, sizeof(root->log), "%s/netplan.log", root->dir);
}

/* `netplan generate --root-dir`: its exit status; its output in root->log. */
static int
netplan_generate(struct netplan_root *root)
{
	pid_t	pid;
	int	status, fd;

	if ((pid = fork()) == -1)
		fail_msg("fork");
	if (pid == 0) {
		fd = open(root->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
			_exit(126);
		execlp("netplan", "netplan", "generate", "--root-dir",
		    root->dir, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
assert_generated(const struct netplan_root *root, const char *suffix,
    const char *want)
{
	char	path[PATH_MAX], *text;
	size_t	len;

	snprintf(path, sizeof(path), "%s/run/systemd/network/10-netplan-%s",
	    root->dir, suffix);
	text = read_file(path, &len);
	if (strstr(text, want) == NULL)
		fail_msg("%s lacks \"%s\":\n%s", path, want, text);
	free(text);
}

/* netplan understood every key: set-name, MAC, MTU, address. */
static void
assert_netplan_output(const struct netplan_root *root, const struct golden *g)
{
	char	suffix[32], want[64];

	snprintf(suffix, sizeof(suffix), "multinic%d.link", g->slot);
	snprintf(want, sizeof(want), "Name=multinic%d", g->slot);
	assert_generated(root, suffix, want);
	snprintf(want, sizeof(want), "%02x:%02x:%02x:%02x:%02x:%02x",
	    g->mac[0], g->mac[1], g->mac[2], g->mac[3], g->mac[4], g->mac[5]);
	assert_generated(root, suffix, want);
	snprintf(suffix, sizeof(suffix), "multinic%d.network", g->slot);
	snprintf(want, sizeof(want), "MTUBytes=%u", g->mtu);
	assert_generated(root, suffix, want);
	if (g->addr != NULL) {
		snprintf(want, sizeof(want), "Address=%s/%u", g->addr,
		    g->prefix);
		assert_generated(root, suffix, want);
	}
	if (g->table == 0)
		return;
	snprintf(want, sizeof(want), "Table=%u", g->table);
	assert_generated(root, suffix, want);
	assert_generated(root, suffix, "Scope=link");
	snprintf(want, sizeof(want), "PreferredSource=%s", g->addr);
	assert_generated(root, suffix, want);
	snprintf(want, sizeof(want), "From=%s/32", g->addr);
	assert_generated(root, suffix, want);
	snprintf(want, sizeof(want), "Priority=%u", 1000 + g->slot);
	assert_generated(root, suffix, want);
	if (g->gateway != NULL) {
		snprintf(want, sizeof(want), "Gateway=%s", g->gateway);
		assert_generated(root, suffix, want);
	}
}

static void
print_log(const struct netplan_root *root)
{
	char	*text;
	size_t	 len;

	text = read_file(root->log, &len);
	if (len > 0)
		print_message("netplan generate: %s", text);
	free(text);
}

static void
test_netplan_generate_accepts_goldens(void **state)
{
	struct netplan_root	*root = *state;
	char			 file[32], *golden;
	size_t			 glen, i;
	int			 rc;

	for (i = 0; i < NGOLDENS; i++) {
		golden = read_golden(goldens[i].file, &glen);
		snprintf(file, sizeof(file), "9%d-multinic%d.yaml",
		    goldens[i].slot, goldens[i].slot);
		netplan_root(root, file, golden, glen);
		if ((rc = netplan_generate(root)) != 0) {
			print_log(root);
			fail_msg("netplan generate refused %s: exit %d",
			    goldens[i].file, rc);
		}
		assert_netplan_output(root, &goldens[i]);
		free(golden);
	}
}

/* Proves the check above can fail: netplan refuses a broken MTU. */
static void
test_netplan_generate_refuses_broken(void **state)
{
	static const char	broken[] = HDR NET IF0 MATCH NAME0
				    "      mtu: abc\n" DHCP;
	struct netplan_root	*root = *state;
	char			*log;
	size_t			 len;

	netplan_root(root, "90-multinic0.yaml", broken, strlen(broken));
	assert_int_not_equal(netplan_generate(root), 0);
	log = read_file(root->log, &len);
	if (strstr(log, "90-multinic0.yaml") == NULL)
		fail_msg("netplan's complaint does not name the file: %s", log);
	print_message("netplan generate (expected to fail): %s", log);
	free(log);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_render_matches_golden),
		cmocka_unit_test(test_parse_shape_without_header),
		cmocka_unit_test(test_parse_golden_round_trip),
		cmocka_unit_test(test_render_refuses),
		cmocka_unit_test(test_render_bounded_by_buffer),
		cmocka_unit_test(test_parse_refuses_hand_edits),
		cmocka_unit_test(test_parse_accepts_equivalents),
		cmocka_unit_test(test_parse_refuses_truncated),
		cmocka_unit_test(test_parse_refuses_huge_input),
		cmocka_unit_test(test_owns),
		cmocka_unit_test(test_path),
		cmocka_unit_test_setup_teardown(
		    test_netplan_generate_accepts_goldens, netplan_setup,
		    netplan_teardown),
		cmocka_unit_test_setup_teardown(
		    test_netplan_generate_refuses_broken, netplan_setup,
		    netplan_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
