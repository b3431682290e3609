/* SPDX-License-Identifier: ISC */
/*
 * Tests for the ifcfg and wicked renderers (applier/ifcfg.c, wicked.c,
 * sysconfig.c) and the udev rule file (applier/render.c): golden files,
 * round trips, and refusal of what cannot be written or read safely.
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

#define GOLDEN	"tests/golden/"

static struct nic_config
nic(int slot, const char *addr, uint8_t prefix, uint32_t mtu, uint8_t last)
{
	struct nic_config	n;

	memset(&n, 0, sizeof(n));
	n.slot = slot;
	snprintf(n.name, sizeof(n.name), "multinic%d", slot);
	memcpy(n.mac, (uint8_t[]){ 0xfa, 0x16, 0x3e, 0, 0, last }, 6);
	if (addr != NULL) {
		n.has_address = 1;
		inet_pton(AF_INET, addr, &n.address);
		n.prefix = prefix;
	}
	n.mtu = mtu;
	return n;
}

static const struct {
	const struct renderer	*r;
	const char		*golden;
	int			 slot;
	const char		*addr;
	uint8_t			 prefix;
	uint32_t		 mtu;
	uint8_t			 mac_last;
} goldens[] = {
	{ &renderer_ifcfg, "ifcfg/multinic0-address", 0, "10.0.0.5", 24, 1500,
	    0x01 },
	{ &renderer_wicked, "wicked/multinic0-address", 0, "10.0.0.5", 24, 1500,
	    0x01 },
};

static void
read_golden(const char *name, char **data, size_t *len)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof(path), GOLDEN "%s", name);
	if (files_read(path, 65536, data, len) == -1)
		fail_msg("cannot read %s", path);
}

static void
test_golden_and_round_trip(void **state)
{
	struct nic_config	 want, back;
	char			 buf[4096], err[128], *golden;
	size_t			 len, glen, i;

	(void)state;
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		want = nic(goldens[i].slot, goldens[i].addr, goldens[i].prefix,
		    goldens[i].mtu, goldens[i].mac_last);
		assert_int_equal(goldens[i].r->render(&want, buf, sizeof(buf),
		    &len, err, sizeof(err)), 0);
		read_golden(goldens[i].golden, &golden, &glen);
		assert_int_equal(len, glen);
		assert_memory_equal(buf, golden, len);
		assert_int_equal(goldens[i].r->parse(golden, glen, &back, err,
		    sizeof(err)), 0);
		assert_int_equal(back.slot, want.slot);
		assert_string_equal(back.name, want.name);
		assert_memory_equal(back.mac, want.mac, 6);
		assert_int_equal(back.has_address, want.has_address);
		assert_int_equal(back.address, want.address);
		assert_int_equal(back.prefix, want.prefix);
		assert_int_equal(back.mtu, want.mtu);
		free(golden);
	}
}

static void
test_no_address_golden(void **state)
{
	const struct renderer	*rs[] = { &renderer_ifcfg, &renderer_wicked };
	const char		*files[] = { "ifcfg/multinic3-no-address",
				    "wicked/multinic3-no-address" };
	struct nic_config	 want = nic(3, NULL, 0, 9000, 0), back;
	char			 buf[4096], err[128], *golden;
	size_t			 len, glen, i;

	(void)state;
	memcpy(want.mac, (uint8_t[]){ 0xfa, 0x16, 0x3e, 0xab, 0xcd, 0xef }, 6);
	for (i = 0; i < 2; i++) {
		assert_int_equal(rs[i]->render(&want, buf, sizeof(buf), &len,
		    err, sizeof(err)), 0);
		read_golden(files[i], &golden, &glen);
		assert_int_equal(len, glen);
		assert_memory_equal(buf, golden, len);
		assert_int_equal(rs[i]->parse(golden, glen, &back, err,
		    sizeof(err)), 0);
		assert_int_equal(back.has_address, 0);
		assert_int_equal(back.mtu, 9000);
		free(golden);
	}
}

static void
test_render_refuses(void **state)
{
	const struct renderer	*rs[] = { &renderer_ifcfg, &renderer_wicked,
				    &renderer_netplan };
	struct nic_config	 bad[4];
	char			 buf[4096], err[128];
	size_t			 len, i, j;

	(void)state;
	bad[0] = nic(10, "10.0.0.5", 24, 1500, 1);
	bad[1] = nic(1, "10.0.0.5", 24, 20, 1);
	bad[2] = nic(1, "10.0.0.5", 0, 1500, 1);
	bad[3] = nic(1, "10.0.0.5", 24, 1500, 1);
	strlcpy(bad[3].name, "eth0", sizeof(bad[3].name));
	for (i = 0; i < 3; i++)
		for (j = 0; j < 4; j++) {
			err[0] = '\0';
			assert_int_equal(rs[i]->render(&bad[j], buf,
			    sizeof(buf), &len, err, sizeof(err)), -1);
			assert_true(err[0] != '\0');
		}
}

static void
test_parse_refuses(void **state)
{
	static const struct {
		const struct renderer	*r;
		const char		*text;
	} cases[] = {
		{ &renderer_ifcfg, "DEVICE=\"multinic0\"\n" },
		{ &renderer_ifcfg, RENDER_HEADER "DEVICE=\"multinic0\"\n"
		    "HWADDR=\"fa:16:3e:00:00:01\"\nMTU=\"1500\"\n"
		    "IPADDR=\"1.2.3.4\"; rm -rf /\"\n" },
		{ &renderer_ifcfg, RENDER_HEADER "DEVICE=\"multinic0\"\n"
		    "HWADDR=\"fa:16:3e:00:00:01\"\nMTU=\"1500\"\nGATEWAY="
		    "\"10.0.0.1\"\n" },
		{ &renderer_ifcfg, RENDER_HEADER "DEVICE=\"multinic0\"\n"
		    "HWADDR=\"fa:16:3e:00:00:01\"\nMTU=\"$(reboot)\"\n" },
		{ &renderer_ifcfg, RENDER_HEADER "DEVICE=\"eth0\"\n"
		    "HWADDR=\"fa:16:3e:00:00:01\"\nMTU=\"1500\"\n" },
		{ &renderer_ifcfg, RENDER_HEADER "DEVICE=\"multinic0\"\n"
		    "NAME=\"multinic1\"\nHWADDR=\"fa:16:3e:00:00:01\"\n"
		    "MTU=\"1500\"\n" },
		{ &renderer_wicked, RENDER_HEADER "STARTMODE='auto'\n" },
		{ &renderer_wicked, RENDER_HEADER "# multinic0 fa:16:3e:00:00:01\n"
		    "STARTMODE='auto'\nBOOTPROTO='dhcp'\nMTU='1500'\n" },
		{ &renderer_wicked, RENDER_HEADER "# multinic0 fa:16:3e:00:00:01\n"
		    "STARTMODE='auto'\nBOOTPROTO='static'\n" },
		{ &renderer_wicked, RENDER_HEADER "# multinic0 fa:16:3e:00:00:01\n"
		    "MTU='1500'\nIPADDR='10.0.0.5'\n" },
		{ &renderer_wicked, RENDER_HEADER "# multinic0 fa:16:3e:00:00:01\n"
		    "MTU='1500'\nIPADDR=\"10.0.0.5/24\"\n" },
	};
	struct nic_config	back;
	char			err[128];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i].r->parse(cases[i].text, strlen(cases[i].text),
		    &back, err, sizeof(err)) != -1)
			fail_msg("case %zu parsed", i);
}

static void
test_owns(void **state)
{
	(void)state;
	assert_true(renderer_ifcfg.owns("ifcfg-multinic0"));
	assert_true(renderer_wicked.owns("ifcfg-multinic9"));
	assert_false(renderer_ifcfg.owns("ifcfg-multinic10"));
	assert_false(renderer_ifcfg.owns("ifcfg-eth0"));
	assert_false(renderer_ifcfg.owns(".ifcfg-multinic0.tmp"));
}

static void
test_udev_rules(void **state)
{
	uint8_t	macs[2][6] = { { 0xfa, 0x16, 0x3e, 0, 0, 1 },
			    { 0xfa, 0x16, 0x3e, 0xab, 0xcd, 0xef } };
	int	slots[2] = { 0, 3 };
	char	root[] = "/tmp/multinic-udev.XXXXXX", path[PATH_MAX], cmd[256];
	char	*data, *golden;
	size_t	len, glen;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/etc/udev/rules.d", root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(render_udev_rules(root, (const uint8_t (*)[6])macs,
	    slots, 2), 0);
	snprintf(path, sizeof(path), "%s/etc/udev/rules.d/70-multinic.rules",
	    root);
	assert_int_equal(files_read(path, 65536, &data, &len), 0);
	read_golden("udev/70-multinic.rules", &golden, &glen);
	assert_int_equal(len, glen);
	assert_memory_equal(data, golden, len);
	free(data);
	free(golden);
	assert_int_equal(render_udev_rules(root, NULL, NULL, 0), 0);
	assert_int_equal(files_read(path, 65536, &data, &len), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

/*
 * Source routing's own files: golden, read back from a root as the cycle
 * reads them, a hand edit refused, nothing written without a table.
 */
static void
test_routing_files(void **state)
{
	static const struct {
		const struct renderer	*r;
		const char		*dir;
		const char		*golden[2];
	} cases[] = {
		{ &renderer_ifcfg, "etc/sysconfig/network-scripts",
		    { "ifcfg/route-multinic2", "ifcfg/rule-multinic2" } },
		{ &renderer_wicked, "etc/sysconfig/network",
		    { "wicked/ifroute-multinic2", "wicked/ifrule-multinic2" } },
	};
	struct nic_config	want, back;
	char			root[PATH_MAX], path[PATH_MAX];
	char			cmd[PATH_MAX + 32], err[128];
	char			buf[4096], *golden;
	size_t			len, glen, i;
	int			which;

	(void)state;
	snprintf(root, sizeof(root), "%s/multinic-routing.XXXXXX", P_tmpdir);
	assert_non_null(mkdtemp(root));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(cmd, sizeof(cmd), "mkdir -p %s/%s", root, cases[i].dir);
		assert_int_equal(system(cmd), 0);
		want = nic(2, "10.0.2.5", 24, 1500, 0x03);
		want.route_table = 1002;
		inet_pton(AF_INET, "10.0.2.1", &want.route_gateway);
		assert_int_equal(cases[i].r->nextra, 2);
		for (which = 0; which < 2; which++) {
			assert_int_equal(cases[i].r->extra_render(&want, which,
			    buf, sizeof(buf), &len, err, sizeof(err)), 0);
			read_golden(cases[i].golden[which], &golden, &glen);
			if (len != glen || memcmp(buf, golden, len) != 0)
				fail_msg("%s differs; rendered:\n%.*s",
				    cases[i].golden[which], (int)len, buf);
			free(golden);
			assert_int_equal(cases[i].r->extra_path(root, 2, which,
			    path, sizeof(path)), 0);
			assert_int_equal(files_write_atomic(path, buf, len,
			    0600), 0);
		}
		back = nic(2, "10.0.2.5", 24, 1500, 0x03);
		if (render_read_extras(cases[i].r, root, &back, err,
		    sizeof(err)) == -1)
			fail_msg("%s: %s", cases[i].r->name, err);
		assert_true(render_nic_equal(&back, &want));
		/* Another table by hand: not ours any more. */
		assert_int_equal(files_write_atomic(path, RENDER_HEADER
		    "ipv4 from 10.0.2.5/32 table 7 priority 1002\n",
		    strlen(RENDER_HEADER) + 44, 0600), 0);
		assert_int_equal(render_read_extras(cases[i].r, root, &back,
		    err, sizeof(err)), -1);
		assert_non_null(strstr(err, "not as multinicd writes it"));
		assert_int_equal(back.route_table, 0);
		/* No table: no files, and none read back is no routing. */
		want.route_table = 0;
		want.route_gateway = 0;
		for (which = 0; which < 2; which++) {
			assert_int_equal(cases[i].r->extra_render(&want, which,
			    buf, sizeof(buf), &len, err, sizeof(err)), 0);
			assert_int_equal(len, 0);
			assert_int_equal(cases[i].r->extra_path(root, 2, which,
			    path, sizeof(path)), 0);
			assert_int_equal(files_remove(path), 0);
		}
		assert_int_equal(render_read_extras(cases[i].r, root, &back,
		    err, sizeof(err)), 0);
		assert_int_equal(back.route_table, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_and_round_trip),
		cmocka_unit_test(test_no_address_golden),
		cmocka_unit_test(test_render_refuses),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_owns),
		cmocka_unit_test(test_udev_rules),
		cmocka_unit_test(test_routing_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
