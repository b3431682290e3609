/* SPDX-License-Identifier: ISC */
/*
 * Tests for applier/watch.c on real files in a temp directory: a managed
 * file is read again when it changed, by inotify or by stat fingerprints;
 * a change by someone else asks for a cycle, the applier's own write (a
 * rename recognised by its fingerprint) does not; without inotify, or once
 * its directory is gone, fingerprints serve.
 */

#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>

#include "capture.h"
#include "../../applier/applier.h"
#include "../../applier/files.h"
#include "util.h"

#define RUN_TIMEOUT_S	10	/* a test waiting longer has failed */

static const uint8_t	macs[2][MAC_LEN] = {
	{ 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x01 },
	{ 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x02 },
};

static struct applier	applier;

struct fixture {
	char	dir[64];
	char	netplan[128];
	char	path[2][192];	/* slot 0's and slot 1's file */
};

static int
setup(void **state)
{
	struct fixture	*f;
	char		 sub[96];
	int		 slot;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	strlcpy(f->dir, "/tmp/test_watch.XXXXXX", sizeof(f->dir));
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(sub, sizeof(sub), "%s/root/etc", f->dir);
	if (mkdir_p(sub, 0755) == -1)
		return -1;
	snprintf(f->netplan, sizeof(f->netplan), "%s/netplan", sub);
	if (mkdir(f->netplan, 0755) == -1)
		return -1;
	memset(&applier, 0, sizeof(applier));
	if ((applier.base = event_base_new()) == NULL)
		return -1;
	snprintf(applier.conf.config_root, sizeof(applier.conf.config_root),
	    "%s/root", f->dir);
	applier.apply.renderer = &renderer_netplan;
	applier.watch.fd = -1;
	for (slot = 0; slot < 2; slot++) {
		if (names_set(&applier.names, macs[slot], slot) == -1)
			return -1;
		snprintf(f->path[slot], sizeof(f->path[slot]),
		    "%s/9%d-multinic%d.yaml", f->netplan, slot, slot);
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 cmd[128];

	if (applier.watch.ev != NULL)
		event_free(applier.watch.ev);
	if (applier.watch.fd != -1)
		close(applier.watch.fd);
	if (applier.cycle_timer != NULL)
		event_free(applier.cycle_timer);
	event_base_free(applier.base);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Writes slot's file as the applier would, with that MTU. */
static void
write_slot(const struct fixture *f, int slot, uint32_t mtu)
{
	struct nic_config	nic;
	char			text[1024], err[128];
	size_t			len;

	memset(&nic, 0, sizeof(nic));
	nic.slot = slot;
	snprintf(nic.name, sizeof(nic.name), "multinic%d", slot);
	memcpy(nic.mac, macs[slot], MAC_LEN);
	nic.mtu = mtu;
	assert_int_equal(renderer_netplan.render(&nic, text, sizeof(text), &len,
	    err, sizeof(err)), 0);
	assert_int_equal(files_write_atomic(f->path[slot], text, len, 0600), 0);
}

/* The MTU slot's file says as the cycle sees it; 0: no file of ours. */
static uint32_t
mtu_read(int slot)
{
	struct managed_nic	m;

	memset(&m, 0, sizeof(m));
	memcpy(m.mac, macs[slot], MAC_LEN);
	m.slot = slot;
	watch_managed_file(&applier, &m);
	return m.has_file ? m.file.mtu : 0;
}

static void
run_until(int (*done)(void))
{
	time_t	deadline = time(NULL) + RUN_TIMEOUT_S;

	while (!done() && time(NULL) < deadline)
		assert_int_not_equal(event_base_loop(applier.base,
		    EVLOOP_ONCE | EVLOOP_NONBLOCK), -1);
	assert_true(done());
}

static int
files_dirty(void)
{
	return applier.files_dirty;
}

static int
slot0_forgotten(void)
{
	return !applier.watch.files[0].valid;
}

static int
slot1_forgotten(void)
{
	return !applier.watch.files[1].valid;
}

static int
watch_gone(void)
{
	return applier.watch.fd == -1;
}

static void
start_watch(void)
{
	capture_begin();
	watch_init(&applier);
	assert_non_null(strstr(capture_end(),
	    "managed files: watched by inotify"));
	assert_int_not_equal(applier.watch.fd, -1);
}

/* Without inotify, each read compares the file's fingerprint. */
static void
test_fingerprints(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(mtu_read(0), 0);
	write_slot(f, 0, 1500);
	assert_int_equal(mtu_read(0), 1500);
	assert_int_equal(mtu_read(0), 1500);
	write_slot(f, 0, 9000);
	assert_int_equal(mtu_read(0), 9000);
	assert_int_equal(unlink(f->path[0]), 0);
	assert_int_equal(mtu_read(0), 0);
	write_slot(f, 0, 1400);
	assert_int_equal(mtu_read(0), 1400);
}

/* A file of another MAC or slot is no file of this one. */
static void
test_file_of_another_mac(void **state)
{
	struct fixture		*f = *state;
	struct managed_nic	 m;

	write_slot(f, 0, 1500);
	memset(&m, 0, sizeof(m));
	memcpy(m.mac, macs[1], MAC_LEN);
	m.slot = 0;
	watch_managed_file(&applier, &m);
	assert_false(m.has_file);
}

/* A file renamed over ours by someone else: read again, a cycle asked. */
static void
test_inotify_foreign_rename(void **state)
{
	struct fixture	*f = *state;
	const char	*log;

	write_slot(f, 0, 1500);
	start_watch();
	assert_int_equal(mtu_read(0), 1500);
	capture_begin();
	write_slot(f, 0, 9000);
	run_until(files_dirty);
	log = capture_end();
	assert_non_null(strstr(log, f->path[0]));
	assert_non_null(strstr(log, "changed outside multinicd"));
	assert_non_null(applier.cycle_timer);
	assert_int_equal(mtu_read(0), 9000);
}

/* Written in place: always someone else's, whatever the fingerprint. */
static void
test_inotify_write_in_place(void **state)
{
	struct fixture	*f = *state;
	int		 fd;

	write_slot(f, 0, 1500);
	start_watch();
	assert_int_equal(mtu_read(0), 1500);
	capture_begin();
	assert_int_not_equal(fd = open(f->path[0], O_WRONLY | O_APPEND), -1);
	assert_int_equal(write(fd, "#\n", 2), 2);
	close(fd);
	run_until(slot0_forgotten);
	(void)capture_end();
	assert_true(applier.files_dirty);
}

/*
 * The applier's own write, synced as the cycle does, is no change: when
 * the next event (someone else's, on slot 1) has been handled, the one of
 * the write before it was, and slot 0 stayed as read.
 */
static void
test_inotify_own_write(void **state)
{
	struct fixture	*f = *state;
	const char	*log;
	int		 fd;

	write_slot(f, 0, 1500);
	write_slot(f, 1, 1500);
	start_watch();
	assert_int_equal(mtu_read(0), 1500);
	assert_int_equal(mtu_read(1), 1500);
	write_slot(f, 0, 9000);
	watch_sync(&applier);
	capture_begin();
	assert_int_not_equal(fd = open(f->path[1], O_WRONLY | O_APPEND), -1);
	assert_int_equal(write(fd, "#\n", 2), 2);
	close(fd);
	run_until(slot1_forgotten);
	log = capture_end();
	assert_true(applier.watch.files[0].valid);
	assert_null(strstr(log, f->path[0]));
	assert_non_null(strstr(log, f->path[1]));
	assert_int_equal(mtu_read(0), 9000);
}

static void
test_inotify_deleted(void **state)
{
	struct fixture	*f = *state;

	write_slot(f, 0, 1500);
	start_watch();
	assert_int_equal(mtu_read(0), 1500);
	capture_begin();
	assert_int_equal(unlink(f->path[0]), 0);
	run_until(slot0_forgotten);
	(void)capture_end();
	assert_int_equal(mtu_read(0), 0);
}

/* Its directory gone, the watch ends and fingerprints serve. */
static void
test_inotify_directory_removed(void **state)
{
	struct fixture	*f = *state;

	start_watch();
	capture_begin();
	assert_int_equal(rmdir(f->netplan), 0);
	run_until(watch_gone);
	assert_non_null(strstr(capture_end(),
	    "checked by stat fingerprints each cycle from now on"));
	assert_null(applier.watch.ev);
	assert_true(applier.files_dirty);
}

/* inotify cannot serve: the log says which method and why. */
static void
test_fallback_said(void **state)
{
	struct fixture	*f = *state;
	const char	*log;

	assert_int_equal(rmdir(f->netplan), 0);
	capture_begin();
	watch_init(&applier);
	log = capture_end();
	assert_int_equal(applier.watch.fd, -1);
	assert_null(applier.watch.ev);
	assert_non_null(strstr(log, "managed files: checked by stat"
	    " fingerprints each cycle (inotify_add_watch"));
	assert_non_null(strstr(log, "No such file or directory"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fingerprints, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_file_of_another_mac, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_inotify_foreign_rename,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_inotify_write_in_place,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_inotify_own_write, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_inotify_deleted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_inotify_directory_removed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback_said, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
