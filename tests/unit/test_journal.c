/* SPDX-License-Identifier: ISC */
/*
 * Tests for applier/journal.c: entries written and read back on real files
 * in a temp directory. Recovery (tests/unit/test_apply.c) undoes whatever
 * journal_pending() returns, so an entry that is cut short, altered or
 * filed under another MAC must never come back from it.
 */

#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
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

#include "validate.h"
#include "../../applier/files.h"
#include "../../applier/journal.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define BOOT_ID		"1b4e28ba-2fa1-11d2-883f-0016d3cca427"
#define MAC_TEXT	"fa:16:3e:00:00:03"
#define OLD_CONFIG	"network: {version: 2}\n"

static const uint8_t mac[MAC_LEN] = { 0xfa, 0x16, 0x3e, 0x00, 0x00, 0x03 };

struct fixture {
	char	dir[64];		/* STATE_DIR */
	char	config[PATH_MAX];	/* the managed file */
	char	entry[PATH_MAX];	/* STATE_DIR/journal/MAC_TEXT */
};

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/test_journal.XXXXXX", P_tmpdir);
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->config, sizeof(f->config), "%s/90-multinic3.yaml", f->dir);
	snprintf(f->entry, sizeof(f->entry), "%s/journal/%s", f->dir,
	    MAC_TEXT);
	*state = f;
	return 0;
}

/* Empties a directory the tests made: it holds only plain files. */
static void
remove_dir(const char *path)
{
	char		 file[PATH_MAX];
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		unlink(file);
	}
	closedir(d);
	rmdir(path);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 sub[PATH_MAX];

	snprintf(sub, sizeof(sub), "%s/journal", f->dir);
	remove_dir(sub);
	snprintf(sub, sizeof(sub), "%s/backup", f->dir);
	remove_dir(sub);
	remove_dir(f->dir);
	free(f);
	return 0;
}

/* An update of slot 3 on a live link with two addresses. */
static void
make_entry(const struct fixture *f, struct journal_entry *e)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->mac, mac, MAC_LEN);
	strlcpy(e->boot_id, BOOT_ID, sizeof(e->boot_id));
	strlcpy(e->path, f->config, sizeof(e->path));
	e->old_slot = 3;
	e->had_link = 1;
	e->old_link.index = 7;
	strlcpy(e->old_link.name, "multinic3", sizeof(e->old_link.name));
	e->old_link.mtu = 9000;
	e->old_link.flags = IFF_UP;
	e->old_link.naddrs = 2;
	assert_int_equal(inet_pton(AF_INET, "10.0.0.5",
	    &e->old_link.addrs[0].addr), 1);
	e->old_link.addrs[0].prefix = 24;
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1",
	    &e->old_link.addrs[1].addr), 1);
	e->old_link.addrs[1].prefix = 32;
	/* Source routing: its routes file, a rule and two routes. */
	snprintf(e->extra[0].path, sizeof(e->extra[0].path),
	    "%s/route-multinic3", f->dir);
	e->routing_slot = 3;
	e->old_routing.nrules = 1;
	e->old_routing.rules[0].priority = 1003;
	e->old_routing.rules[0].table = 1003;
	e->old_routing.rules[0].src = e->old_link.addrs[0].addr;
	e->old_routing.rules[0].src_len = 32;
	e->old_routing.nroutes = 2;
	e->old_routing.routes[0].table = 1003;
	assert_int_equal(inet_pton(AF_INET, "10.0.0.0",
	    &e->old_routing.routes[0].dst), 1);
	e->old_routing.routes[0].dst_len = 24;
	e->old_routing.routes[0].prefsrc = e->old_link.addrs[0].addr;
	e->old_routing.routes[0].oif = 7;
	e->old_routing.routes[0].scope = 253;
	e->old_routing.routes[0].type = 1;
	e->old_routing.routes[1].table = 1003;
	assert_int_equal(inet_pton(AF_INET, "10.0.0.1",
	    &e->old_routing.routes[1].gateway), 1);
	e->old_routing.routes[1].metric = 100;
	e->old_routing.routes[1].oif = 7;
	e->old_routing.routes[1].type = 1;
}

static size_t
pending(const struct fixture *f, struct journal_entry **entries)
{
	size_t	count = 99;

	*entries = NULL;
	assert_int_equal(journal_pending(f->dir, entries, &count), 0);
	return count;
}

static char *
read_text(const char *path, size_t *len)
{
	char	*text;

	assert_int_equal(files_read(path, 65536, &text, len), 0);
	return text;
}

static void
test_boot_id(void **state)
{
	char	id[BOOT_ID_MAX], small[8];

	(void)state;
	assert_int_equal(journal_boot_id(id, sizeof(id)), 0);
	assert_int_equal(strlen(id), 36);
	assert_null(strchr(id, '\n'));
	/* A cut id would be another boot's. */
	assert_int_equal(journal_boot_id(small, sizeof(small)), -1);
}

static void
test_no_journal_is_empty(void **state)
{
	struct fixture		*f = *state;
	struct journal_entry	*entries;

	assert_int_equal(pending(f, &entries), 0);
	free(entries);
}

/* Everything recovery needs comes back as it went in, old file included. */
static void
test_round_trip_with_backup(void **state)
{
	struct fixture		*f = *state;
	struct journal_entry	 e, *entries;
	struct stat		 st;
	char			*text, temp[PATH_MAX];
	size_t			 len;

	assert_int_equal(files_write_atomic(f->config, OLD_CONFIG,
	    strlen(OLD_CONFIG), 0600), 0);
	make_entry(f, &e);
	assert_int_equal(journal_begin(f->dir, &e), 0);
	assert_int_equal(e.had_file, 1);
	text = read_text(e.backup, &len);
	assert_string_equal(text, OLD_CONFIG);
	free(text);
	/* Copied, not moved: the old file stays live until replaced. */
	assert_int_equal(stat(f->config, &st), 0);
	assert_int_equal(stat(f->entry, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(temp, sizeof(temp), "%s/journal/." MAC_TEXT ".tmp", f->dir);
	assert_int_equal(stat(temp, &st), -1);

	assert_int_equal(pending(f, &entries), 1);
	assert_memory_equal(entries[0].mac, mac, MAC_LEN);
	assert_string_equal(entries[0].boot_id, BOOT_ID);
	assert_string_equal(entries[0].path, f->config);
	assert_int_equal(entries[0].had_file, 1);
	assert_string_equal(entries[0].backup, e.backup);
	assert_int_equal(entries[0].old_slot, 3);
	assert_int_equal(entries[0].had_link, 1);
	assert_int_equal(entries[0].old_link.index, 7);
	assert_string_equal(entries[0].old_link.name, "multinic3");
	assert_int_equal(entries[0].old_link.mtu, 9000);
	assert_int_equal(entries[0].old_link.flags, IFF_UP);
	assert_int_equal(entries[0].old_link.naddrs, 2);
	assert_memory_equal(entries[0].old_link.addrs, e.old_link.addrs,
	    2 * sizeof(e.old_link.addrs[0]));
	assert_int_equal(entries[0].routing_slot, 3);
	assert_string_equal(entries[0].extra[0].path, e.extra[0].path);
	assert_int_equal(entries[0].extra[0].had, 0);
	assert_string_equal(entries[0].extra[1].path, "");
	assert_true(srcroute_set_equal(&entries[0].old_routing,
	    &e.old_routing));
	free(entries);

	assert_int_equal(journal_done(f->dir, mac), 0);
	assert_int_equal(pending(f, &entries), 0);
	free(entries);
	assert_int_equal(journal_done(f->dir, mac), 0);
}

/* A create: no old file, no slot, no link. */
static void
test_create_has_no_backup(void **state)
{
	struct fixture		*f = *state;
	struct journal_entry	 e, *entries;

	make_entry(f, &e);
	e.old_slot = -1;
	e.had_link = 0;
	memset(&e.old_link, 0, sizeof(e.old_link));
	assert_int_equal(journal_begin(f->dir, &e), 0);
	assert_int_equal(e.had_file, 0);
	assert_int_equal(pending(f, &entries), 1);
	assert_int_equal(entries[0].had_file, 0);
	assert_int_equal(entries[0].old_slot, -1);
	assert_int_equal(entries[0].had_link, 0);
	assert_int_equal(entries[0].old_link.naddrs, 0);
	free(entries);
}

/* One entry per MAC: the next action of the same NIC replaces it. */
static void
test_one_entry_per_mac(void **state)
{
	struct fixture		*f = *state;
	struct journal_entry	 e, *entries;

	make_entry(f, &e);
	assert_int_equal(journal_begin(f->dir, &e), 0);
	e.old_slot = 5;
	assert_int_equal(journal_begin(f->dir, &e), 0);
	assert_int_equal(pending(f, &entries), 1);
	assert_int_equal(entries[0].old_slot, 5);
	free(entries);
}

/*
 * A crash or a full disk may leave an entry cut anywhere: none of its
 * prefixes is an entry to act on (cut after "path=", it would read as a
 * create and recovery would delete the live file), and it stays on disk.
 */
static void
test_truncated_entry_refused(void **state)
{
	struct fixture		*f = *state;
	struct journal_entry	 e, *entries;
	struct stat		 st;
	char			*text;
	size_t			 len, cut;

	assert_int_equal(files_write_atomic(f->config, OLD_CONFIG,
	    strlen(OLD_CONFIG), 0600), 0);
	make_entry(f, &e);
	assert_int_equal(journal_begin(f->dir, &e), 0);
	text = read_text(f->entry, &len);
	for (cut = 0; cut < len; cut++) {
		assert_int_equal(files_write_atomic(f->entry, text, cut, 0600),
		    0);
		if (pending(f, &entries) != 0)
			fail_msg("entry cut at %zu of %zu bytes was returned",
			    cut, len);
		free(entries);
		assert_int_equal(stat(f->entry, &st), 0);
	}
	free(text);
}

/* Each line replaces the one with its key (or is added): all refused. */
static void
test_hostile_fields_refused(void **state)
{
	static const char *const bad[] = {
		"mac=zz:16:3e:00:00:03",
		"mac=fa:16:3e:00:00:04",	/* not the file's MAC */
		"boot_id=0123456789012345678901234567890123456789",
		"path=etc/netplan/90-multinic3.yaml",
		"path=",
		"had_file=2",
		"had_file=-1",
		"old_slot=10",
		"old_slot=-2",
		"had_link=1x",
		"link_index=-1",
		"link_mtu=65536",
		"link_up=yes",
		"link_addrs=10.0.0.5/33",
		"link_addrs=10.0.0.5",
		"link_addrs=10.0.0.256/24",
		"link_addrs=1.1.1.1/1,1.1.1.2/1,1.1.1.3/1,1.1.1.4/1,1.1.1.5/1,"
		    "1.1.1.6/1,1.1.1.7/1,1.1.1.8/1,1.1.1.9/1,1.1.1.10/1,"
		    "1.1.1.11/1,1.1.1.12/1,1.1.1.13/1,1.1.1.14/1,1.1.1.15/1,"
		    "1.1.1.16/1,1.1.1.17/1",
		"link_name=abcdefghijklmnopq",
		"routing_slot=10",
		"routing_rules=1003:0:10.0.0.5/32",
		"routing_rules=1003:1003:10.0.0.5/33",
		"routing_rules=1003:1003:10.0.0.5",
		"routing_rules=1003:1003:10.0.0.5/32:1",
		"routing_routes=1003:10.0.0.0/24:0.0.0.0:10.0.0.5:0:7:253:1",
		"routing_routes=1003:10.0.0.0/24:0.0.0.0:10.0.0.5:0:7:256:1:0",
		"routing_routes=1003:10.0.0.0/24:0.0.0.0:10.0.0.5:0:-7:253:1:0",
		"routing_routes=0:10.0.0.0/24:0.0.0.0:10.0.0.5:0:7:253:1:0",
		"unknown=1",
		"no equals sign",
		"had_file=0",			/* a second had_file */
	};
	struct fixture		*f = *state;
	struct journal_entry	 e, *entries;
	char			*text, *line, *next, altered[8192], key[32];
	size_t			 len, i, used;
	int			 replaced, duplicate;

	make_entry(f, &e);
	assert_int_equal(journal_begin(f->dir, &e), 0);
	text = read_text(f->entry, &len);
	for (i = 0; i < NELEM(bad); i++) {
		strlcpy(key, bad[i], sizeof(key));
		key[strcspn(key, "=")] = '\0';
		used = 0;
		duplicate = i + 1 == NELEM(bad);
		replaced = duplicate;
		for (line = text; *line != '\0'; line = next) {
			next = strchr(line, '\n') + 1;
			if (!replaced && strncmp(line, key, strlen(key)) == 0 &&
			    line[strlen(key)] == '=') {
				used += snprintf(altered + used,
				    sizeof(altered) - used, "%s\n", bad[i]);
				replaced = 1;
			} else
				used += snprintf(altered + used,
				    sizeof(altered) - used, "%.*s",
				    (int)(next - line), line);
		}
		if (!replaced || duplicate)
			used += snprintf(altered + used, sizeof(altered) - used,
			    "%s\n", bad[i]);
		assert_true(used < sizeof(altered));
		assert_int_equal(files_write_atomic(f->entry, altered, used,
		    0600), 0);
		if (pending(f, &entries) != 0)
			fail_msg("entry with \"%s\" was returned", bad[i]);
		free(entries);
	}
	free(text);
}

/*
 * An entry of a multinicd from before source routing has no routing keys:
 * still recovered, with no routing to restore; one with only some is cut.
 */
static void
test_entry_without_routing(void **state)
{
	struct fixture		*f = *state;
	struct journal_entry	 e, *entries;
	char			*text, entry[8192], *rest;
	size_t			 len;

	make_entry(f, &e);
	assert_int_equal(journal_begin(f->dir, &e), 0);
	text = read_text(f->entry, &len);
	assert_true(strlcpy(entry, text, sizeof(entry)) < sizeof(entry));
	free(text);
	assert_int_equal(strncmp(entry, "extra0=", 7), 0);
	rest = strstr(entry, "\nmac=") + 1;
	assert_int_equal(files_write_atomic(f->entry, rest, strlen(rest),
	    0600), 0);
	assert_int_equal(pending(f, &entries), 1);
	assert_int_equal(entries[0].routing_slot, -1);
	assert_int_equal(entries[0].old_routing.nrules, 0);
	free(entries);
	rest = strstr(entry, "\nrouting_rules=") + 1;
	assert_int_equal(files_write_atomic(f->entry, rest, strlen(rest),
	    0600), 0);
	assert_int_equal(pending(f, &entries), 0);
	free(entries);
}

/* Not entries: the dot-files of an interrupted write, an oversized file. */
static void
test_stray_files_skipped(void **state)
{
	struct fixture		*f = *state;
	struct journal_entry	 e, *entries;
	char			 path[PATH_MAX], *big;

	make_entry(f, &e);
	assert_int_equal(journal_begin(f->dir, &e), 0);
	snprintf(path, sizeof(path), "%s/journal/.fa:16:3e:00:00:04.tmp",
	    f->dir);
	assert_int_equal(files_write_atomic(path, "mac=", 4, 0600), 0);
	assert_non_null(big = calloc(1, 16384));
	memset(big, '\n', 16384);
	snprintf(path, sizeof(path), "%s/journal/fa:16:3e:00:00:05", f->dir);
	assert_int_equal(files_write_atomic(path, big, 16384, 0600), 0);
	free(big);
	assert_int_equal(pending(f, &entries), 1);
	assert_memory_equal(entries[0].mac, mac, MAC_LEN);
	free(entries);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_id),
		cmocka_unit_test_setup_teardown(test_no_journal_is_empty,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_with_backup,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_has_no_backup,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_entry_per_mac, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_truncated_entry_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_fields_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_without_routing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stray_files_skipped,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
