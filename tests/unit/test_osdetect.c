/* SPDX-License-Identifier: ISC */
/* Tests for common/osdetect.c: sample os-release files of each family. */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "osdetect.h"

#define SAMPLES	"tests/golden/os-release/"

static const struct {
	const char	*file;
	int		 os_type;
} samples[] = {
	{ "ubuntu-22.04", OS_TYPE_NETPLAN },
	{ "debian-12", OS_TYPE_NETPLAN },
	{ "rhel-9", OS_TYPE_IFCFG },
	{ "rocky-8", OS_TYPE_IFCFG },
	{ "ol-9", OS_TYPE_IFCFG },
	{ "centos-7", OS_TYPE_IFCFG },
	{ "rhel-10", OS_TYPE_NETWORKMANAGER },
	{ "centos-stream-10", OS_TYPE_NETWORKMANAGER },
	{ "almalinux-10", OS_TYPE_NETWORKMANAGER },
	{ "fedora-41", OS_TYPE_NETWORKMANAGER },
	{ "sles-15", OS_TYPE_WICKED },
	{ "opensuse-leap", OS_TYPE_WICKED },
	{ "unknown", -1 },
};

/* A CONFIG_ROOT holding sample as etc/os-release. */
static void
make_root(char *root, size_t len, const char *sample)
{
	char	cmd[PATH_MAX * 2 + 64];

	snprintf(root, len, "/tmp/multinic-osdetect.XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "mkdir %s/etc && cp %s%s %s/etc/os-release",
	    root, SAMPLES, sample, root);
	assert_int_equal(system(cmd), 0);
}

static void
remove_root(const char *root)
{
	char	cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static void
test_samples(void **state)
{
	char	root[PATH_MAX], why[512];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		make_root(root, sizeof(root), samples[i].file);
		why[0] = '\0';
		if (os_detect(root, why, sizeof(why)) != samples[i].os_type)
			fail_msg("%s: wrong OS type (%s)", samples[i].file, why);
		remove_root(root);
	}
}

static void
test_unknown_names_id_and_choices(void **state)
{
	char	root[PATH_MAX], why[512];

	(void)state;
	make_root(root, sizeof(root), "unknown");
	assert_int_equal(os_detect(root, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "\"alpine\""));
	assert_non_null(strstr(why, "netplan, ifcfg, wicked or networkmanager"));
	remove_root(root);
}

static void
test_missing_file(void **state)
{
	char	why[512];

	(void)state;
	assert_int_equal(os_detect("/nonexistent-root", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/nonexistent-root/etc/os-release"));
}

static void
test_id_like_fallback_and_quotes(void **state)
{
	static const struct {
		const char	*text;
		int		 os_type;
	} cases[] = {
		{ "ID='linuxmint'\nID_LIKE='ubuntu debian'\n", OS_TYPE_NETPLAN },
		{ "ID=\"almalinux\"\n", OS_TYPE_IFCFG },
		{ "ID=ol\n", OS_TYPE_IFCFG },
		{ "ID=fedora\nVERSION_ID=39\n", OS_TYPE_NETWORKMANAGER },
		{ "ID=fedora\n", OS_TYPE_NETWORKMANAGER },
		{ "ID=derived\nID_LIKE=fedora\n", OS_TYPE_NETWORKMANAGER },
		{ "ID=rocky\nVERSION_ID=\"9.9\"\n", OS_TYPE_IFCFG },
		{ "ID=rocky\nVERSION_ID=\"10\"\n", OS_TYPE_NETWORKMANAGER },
		{ "ID=ol\nVERSION_ID=11.2\n", OS_TYPE_NETWORKMANAGER },
		{ "ID=derived\nID_LIKE=\"rhel fedora\"\nVERSION_ID=10.1\n",
		    OS_TYPE_NETWORKMANAGER },
		{ "ID=derived\nID_LIKE=\"rhel fedora\"\nVERSION_ID=8\n",
		    OS_TYPE_IFCFG },
		{ "ID=rhel\nVERSION_ID=\"\"\n", OS_TYPE_IFCFG },
		{ "ID=rhel\nVERSION_ID=ten\n", OS_TYPE_IFCFG },
		{ "ID=rhel\nVERSION_ID=10x\n", OS_TYPE_IFCFG },
		{ "ID=centos\nVERSION_ID=0010\n", OS_TYPE_NETWORKMANAGER },
		{ "ID=\"opensuse-tumbleweed\"\n", OS_TYPE_WICKED },
		{ "ID=sled\n", OS_TYPE_WICKED },
		{ "IDX=ubuntu\n", -1 },
		{ "ID=\n", -1 },
		{ "", -1 },
		{ "ID=arch\nID_LIKE=\n", -1 },
	};
	char	id[64];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (os_detect_text(cases[i].text, id, sizeof(id)) !=
		    cases[i].os_type)
			fail_msg("case %zu: wrong OS type", i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_unknown_names_id_and_choices),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_id_like_fallback_and_quotes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
