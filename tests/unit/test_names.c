/* SPDX-License-Identifier: ISC */
/*
 * Tests for applier/names.c: the MAC-to-slot map in STATE_DIR, on real
 * files in a temp directory. The map decides which NICs the applier owns,
 * so a file it did not write must never widen that, nor crash it.
 */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../applier/files.h"
#include "../../applier/names.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct fixture {
	char	dir[64];
	char	path[PATH_MAX];		/* STATE_DIR/names */
};

static void
mac_of(int n, uint8_t mac[MAC_LEN])
{
	static const uint8_t	base[MAC_LEN] = { 0xfa, 0x16, 0x3e, 0, 0, 0 };

	memcpy(mac, base, MAC_LEN);
	mac[MAC_LEN - 1] = (uint8_t)n;
}

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/test_names.XXXXXX", P_tmpdir);
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/names", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	/* Only what the tests make: the map, or a directory in its place. */
	if (unlink(f->path) == -1 && errno == EISDIR)
		rmdir(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void
write_map(const struct fixture *f, const char *text, size_t len)
{
	assert_int_equal(files_write_atomic(f->path, text, len, 0600), 0);
}

static void
test_missing_map_is_empty(void **state)
{
	struct fixture	*f = *state;
	struct names	 names;

	names.count = 7;
	names.on_disk = 1;
	assert_int_equal(names_load(&names, f->dir), 0);
	assert_int_equal(names.count, 0);
	/* What tells a first start (adopt.c) from a map emptied since. */
	assert_false(names.on_disk);
}

/* Saved and loaded back, byte for byte the same: the map is stable. */
static void
test_round_trip(void **state)
{
	struct fixture	*f = *state;
	struct names	 names = { .count = 0 }, loaded;
	struct stat	 st;
	char		*first, *second;
	size_t		 len1, len2;
	uint8_t		 mac[MAC_LEN];
	int		 i;

	for (i = 0; i < 3; i++) {
		mac_of(i, mac);
		assert_int_equal(names_set(&names, mac, 9 - 2 * i), 0);
	}
	assert_int_equal(names_save(&names, f->dir), 0);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(files_read(f->path, 4096, &first, &len1), 0);
	assert_non_null(strstr(first, "fa:16:3e:00:00:01 7\n"));

	assert_int_equal(names_load(&loaded, f->dir), 0);
	assert_int_equal(loaded.count, 3);
	for (i = 0; i < 3; i++) {
		mac_of(i, mac);
		assert_int_equal(names_slot(&loaded, mac), 9 - 2 * i);
	}
	assert_int_equal(names_save(&loaded, f->dir), 0);
	assert_int_equal(files_read(f->path, 4096, &second, &len2), 0);
	assert_int_equal(len1, len2);
	assert_memory_equal(first, second, len1);
	free(first);
	free(second);
}

/* One slot per MAC, one MAC per slot, at most NAMES_MAX of them. */
static void
test_set_rules(void **state)
{
	struct names	names = { .count = 0 };
	uint8_t		mac[MAC_LEN], other[MAC_LEN];
	int		slot;

	(void)state;
	mac_of(1, mac);
	mac_of(2, other);
	assert_int_equal(names_set(&names, mac, 4), 0);
	assert_int_equal(names_set(&names, mac, 4), 0);
	assert_int_equal(names_set(&names, mac, 5), -1);
	assert_int_equal(names_set(&names, other, 4), -1);
	assert_int_equal(names_slot(&names, mac), 4);
	assert_int_equal(names_slot(&names, other), -1);
	assert_int_equal(names.count, 1);

	names_remove(&names, mac);
	names_remove(&names, mac);
	assert_int_equal(names.count, 0);
	assert_int_equal(names_set(&names, other, 4), 0);

	names.count = 0;
	for (slot = 0; slot < NAMES_MAX; slot++) {
		mac_of(slot, mac);
		assert_int_equal(names_set(&names, mac, slot), 0);
	}
	mac_of(NAMES_MAX, mac);
	assert_int_equal(names_set(&names, mac, 0), -1);
	assert_int_equal(names.count, NAMES_MAX);
}

/* Removing one entry keeps every other MAC on its slot. */
static void
test_remove_keeps_others(void **state)
{
	struct names	names = { .count = 0 };
	uint8_t		mac[MAC_LEN];
	int		i;

	(void)state;
	for (i = 0; i < 5; i++) {
		mac_of(i, mac);
		assert_int_equal(names_set(&names, mac, i), 0);
	}
	mac_of(1, mac);
	names_remove(&names, mac);
	assert_int_equal(names.count, 4);
	assert_int_equal(names_slot(&names, mac), -1);
	for (i = 0; i < 5; i++) {
		mac_of(i, mac);
		if (i != 1)
			assert_int_equal(names_slot(&names, mac), i);
	}
}

/* A full map survives the disk: its file is within the read limit. */
static void
test_full_map_round_trip(void **state)
{
	struct fixture	*f = *state;
	struct names	 names = { .count = 0 }, loaded;
	uint8_t		 mac[MAC_LEN];
	int		 slot;

	for (slot = 0; slot < NAMES_MAX; slot++) {
		mac_of(0xf0 + slot, mac);
		assert_int_equal(names_set(&names, mac, NAMES_MAX - 1 - slot),
		    0);
	}
	assert_int_equal(names_save(&names, f->dir), 0);
	assert_int_equal(names_load(&loaded, f->dir), 0);
	assert_int_equal(loaded.count, NAMES_MAX);
	assert_true(loaded.on_disk);
	assert_memory_equal(loaded.entries, names.entries,
	    sizeof(names.entries));
}

/*
 * Each line sits between two good ones: the good ones load, the bad one is
 * skipped, and nothing else takes a slot.
 */
static void
test_hostile_lines(void **state)
{
	static const char *const bad[] = {
		"fa:16:3e:00:00:aa0",		/* no blank before the slot */
		"fa:16:3e:00:00:aa1",
		"fa:16:3e:00:00:aa",		/* no slot */
		"fa:16:3e:00:00:aa 10",		/* past the last slot */
		"fa:16:3e:00:00:aa -1",
		"fa:16:3e:00:00:aa 4294967299",	/* 3 once truncated */
		"fa:16:3e:00:00:aa 99999999999999999999",
		"fa:16:3e:00:00:aa 3x",
		"fa:16:3e:00:00:aa 3 extra",
		"fa:16:3e:00:00:aa 0x3",
		"fa:16:3e:00:00 3",
		"fa:16:3e:00:00:aa:bb 3",
		"zz:16:3e:00:00:aa 3",
		"fa-16:3e:00:00:aa 3",
		"fa:16:3e:00:00:01 3",		/* MAC taken, other slot */
		"fa:16:3e:00:00:aa 1",		/* slot taken */
		"3 fa:16:3e:00:00:aa",
		"fa:16:3e:00:00:aa%n%n%n 3",
		" ",
	};
	struct fixture	*f = *state;
	struct names	 names;
	uint8_t		 mac[MAC_LEN];
	char		 text[512];
	size_t		 i;
	int		 len;

	for (i = 0; i < NELEM(bad); i++) {
		len = snprintf(text, sizeof(text), "# comment\n"
		    "fa:16:3e:00:00:01 1\n%s\nfa:16:3e:00:00:02\t2\n", bad[i]);
		write_map(f, text, (size_t)len);
		assert_int_equal(names_load(&names, f->dir), 0);
		if (names.count != 2)
			fail_msg("line \"%s\": %zu entries", bad[i],
			    names.count);
		mac_of(1, mac);
		assert_int_equal(names_slot(&names, mac), 1);
		mac_of(2, mac);
		assert_int_equal(names_slot(&names, mac), 2);
	}
}

/* More lines than slots: the first NAMES_MAX distinct ones, no overflow. */
static void
test_too_many_lines(void **state)
{
	struct fixture	*f = *state;
	struct names	 names;
	char		 text[4096];
	size_t		 len = 0;
	int		 i;

	for (i = 0; i < 40; i++)
		len += snprintf(text + len, sizeof(text) - len,
		    "fa:16:3e:00:01:%02x %d\n", i, i % 12);
	write_map(f, text, len);
	assert_int_equal(names_load(&names, f->dir), 0);
	assert_int_equal(names.count, NAMES_MAX);
	for (i = 0; i < NAMES_MAX; i++)
		assert_int_equal(names.entries[i].slot, i);
}

/* A NUL ends the text: what follows is not read as more lines. */
static void
test_nul_byte(void **state)
{
	static const char	text[] = "fa:16:3e:00:00:01 1\n\0"
				    "fa:16:3e:00:00:02 2\n";
	struct fixture		*f = *state;
	struct names		 names;

	write_map(f, text, sizeof(text) - 1);
	assert_int_equal(names_load(&names, f->dir), 0);
	assert_int_equal(names.count, 1);
}

/* Not a map to trust: too big, or not a regular file. */
static void
test_unreadable_map_refused(void **state)
{
	struct fixture	*f = *state;
	struct names	 names;
	char		*big;

	assert_non_null(big = malloc(8192));
	memset(big, '#', 8192);
	write_map(f, big, 8192);
	free(big);
	assert_int_equal(names_load(&names, f->dir), -1);
	assert_int_equal(names.count, 0);

	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(mkdir(f->path, 0700), 0);
	/* A stale errno of an earlier call must not pass for "no map". */
	errno = ENOENT;
	assert_int_equal(names_load(&names, f->dir), -1);
	assert_int_equal(names.count, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_map_is_empty,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test(test_set_rules),
		cmocka_unit_test(test_remove_keeps_others),
		cmocka_unit_test_setup_teardown(test_full_map_round_trip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_too_many_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_map_refused,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
