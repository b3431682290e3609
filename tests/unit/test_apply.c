/* SPDX-License-Identifier: ISC */
/*
 * Tests for applier/apply.c: the transaction around one action and the
 * start-up recovery from the journal, on real files in a temp directory.
 * The links they name do not exist, so no test changes the machine's
 * network (rtnetlink is only read).
 */

#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../applier/apply.h"
#include "../../applier/files.h"
#include "../../applier/journal.h"

#define BOOT_ID		"1b4e28ba-2fa1-11d2-883f-0016d3cca427"
#define NO_SUCH_LINK	0x7ffffff0	/* an ifindex nothing has */

static const uint8_t mac[MAC_LEN] = { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x03 };

struct fixture {
	char			dir[64];
	char			path[PATH_MAX];	/* slot 3's netplan file */
	char			temp[PATH_MAX];	/* its dot-file */
	struct config		conf;
	struct names		names;
	struct apply_context	ctx;
};

static void
make_dir(const char *dir, const char *sub)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	strlcpy(f->dir, "/tmp/test_apply.XXXXXX", sizeof(f->dir));
	if (mkdtemp(f->dir) == NULL)
		return -1;
	make_dir(f->dir, "root");
	make_dir(f->dir, "root/etc");
	make_dir(f->dir, "root/etc/netplan");
	make_dir(f->dir, "state");
	snprintf(f->conf.config_root, sizeof(f->conf.config_root), "%s/root",
	    f->dir);
	snprintf(f->conf.state_dir, sizeof(f->conf.state_dir), "%s/state",
	    f->dir);
	f->conf.apply_mode = APPLY_MODE_NETLINK;
	snprintf(f->path, sizeof(f->path), "%s/etc/netplan/93-multinic3.yaml",
	    f->conf.config_root);
	snprintf(f->temp, sizeof(f->temp),
	    "%s/etc/netplan/.93-multinic3.yaml.tmp", f->conf.config_root);
	f->ctx.conf = &f->conf;
	f->ctx.renderer = &renderer_netplan;
	f->ctx.names = &f->names;
	f->ctx.boot_id = BOOT_ID;
	if ((f->ctx.nl = nl_open()) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 cmd[128];

	nl_close(f->ctx.nl);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void
write_file(const char *path, const char *text)
{
	assert_int_equal(files_write_atomic(path, text, strlen(text), 0600), 0);
}

static int
exists(const char *path)
{
	struct stat	sb;

	return lstat(path, &sb) == 0;
}

static size_t
journal_entries(const struct fixture *f)
{
	struct journal_entry	*entries = NULL;
	size_t			 count;

	assert_int_equal(journal_pending(f->conf.state_dir, &entries, &count),
	    0);
	free(entries);
	return count;
}

/* What the applier journals before creating slot 3 on link index. */
static void
journal_create(struct fixture *f, int index)
{
	struct journal_entry	e;

	memset(&e, 0, sizeof(e));
	/* Source routing off: recovery leaves the host's rules alone. */
	e.routing_slot = -1;
	memcpy(e.mac, mac, MAC_LEN);
	strlcpy(e.boot_id, BOOT_ID, sizeof(e.boot_id));
	strlcpy(e.path, f->path, sizeof(e.path));
	e.old_slot = -1;
	e.had_link = 1;
	e.old_link.index = index;
	strlcpy(e.old_link.name, "ens8", sizeof(e.old_link.name));
	e.old_link.mtu = 1500;
	assert_int_equal(journal_begin(f->conf.state_dir, &e), 0);
}

/*
 * Killed while writing a new NIC's file, and the NIC unplugged before the
 * restart: nothing will rewrite that file, so recovery itself must remove
 * the half-written dot-file, and a link that is gone has no state left to
 * restore: the entry is done.
 */
static void
test_recover_create_of_unplugged_nic(void **state)
{
	struct fixture	*f = *state;

	journal_create(f, NO_SUCH_LINK);
	write_file(f->temp, "# Written by multinicd: changes here are ov");
	assert_int_equal(journal_entries(f), 1);
	apply_recover(&f->ctx);
	assert_false(exists(f->temp));
	assert_false(exists(f->path));
	assert_int_equal(journal_entries(f), 0);
	assert_int_equal(names_slot(&f->names, mac), -1);
}

/* Killed while replacing a file: the old one comes back, the dot-file goes. */
static void
test_recover_update_restores_file(void **state)
{
	struct fixture		*f = *state;
	struct journal_entry	 e;
	char			*text;
	size_t			 len;

	write_file(f->path, "old\n");
	memset(&e, 0, sizeof(e));
	/* Source routing off: recovery leaves the host's rules alone. */
	e.routing_slot = -1;
	memcpy(e.mac, mac, MAC_LEN);
	strlcpy(e.boot_id, "another boot", sizeof(e.boot_id));
	strlcpy(e.path, f->path, sizeof(e.path));
	e.old_slot = 3;
	assert_int_equal(journal_begin(f->conf.state_dir, &e), 0);
	write_file(f->path, "new\n");
	write_file(f->temp, "half");
	apply_recover(&f->ctx);
	assert_int_equal(files_read(f->path, 100, &text, &len), 0);
	assert_string_equal(text, "old\n");
	free(text);
	assert_false(exists(f->temp));
	assert_int_equal(journal_entries(f), 0);
	assert_int_equal(names_slot(&f->names, mac), 3);
}

/*
 * A file that cannot be written was never changed: the rollback leaves it
 * alone (it could not rewrite it either) and the transaction is closed.
 */
static void
test_failed_write_leaves_file_alone(void **state)
{
	struct fixture		*f = *state;
	struct plan_item	 item;
	struct stat		 before, after;
	char			 why[256];

	write_file(f->path, "old\n");
	assert_int_equal(stat(f->path, &before), 0);
	/* A directory where the dot-file goes: every write of path fails. */
	assert_int_equal(mkdir(f->temp, 0700), 0);
	memset(&item, 0, sizeof(item));
	item.action = PLAN_UPDATE;
	item.drift = DRIFT_FILE;
	item.row_id = 7;
	memcpy(item.mac, mac, MAC_LEN);
	item.mac_valid = 1;
	strlcpy(item.mac_text, "fa:16:3e:00:00:03", sizeof(item.mac_text));
	item.slot = 3;
	item.desired.slot = 3;
	strlcpy(item.desired.name, "multinic3", sizeof(item.desired.name));
	memcpy(item.desired.mac, mac, MAC_LEN);
	item.desired.mtu = 9000;
	assert_int_equal(apply_item(&f->ctx, &item, NULL, 0, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "cannot write"));
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	assert_int_equal(journal_entries(f), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_recover_create_of_unplugged_nic, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_recover_update_restores_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failed_write_leaves_file_alone, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
