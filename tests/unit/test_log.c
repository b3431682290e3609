/* SPDX-License-Identifier: ISC */
/* Unit tests for common/log.c: JSON and text lines, escaping, levels, errno. */

#include <sys/stat.h>

#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json.h>

#include "capture.h"
#include "config.h"
#include "log.h"

/* A DB value trying to end the line and start a forged entry. */
#define HOSTILE	"bad \"mac\"\n{\"level\":\"error\"}"

static int
count_lines(const char *text)
{
	int	n = 0;

	for (; *text != '\0'; text++)
		if (*text == '\n')
			n++;
	return n;
}

static void
assert_keys(struct json_object *obj, const char *const *keys, size_t nkeys)
{
	size_t	i = 0;

	json_object_object_foreach(obj, key, val) {
		(void)val;
		assert_true(i < nkeys);
		assert_string_equal(key, keys[i]);
		i++;
	}
	assert_int_equal(i, nkeys);
}

static const char *
get_string(struct json_object *obj, const char *key)
{
	struct json_object	*val;

	assert_true(json_object_object_get_ex(obj, key, &val));
	assert_true(json_object_is_type(val, json_type_string));
	return json_object_get_string(val);
}

static void
assert_matches(const char *text, const char *pattern)
{
	regex_t	re;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regexec(&re, text, 0, NULL, 0), 0);
	regfree(&re);
}

static void
test_json_fields(void **state)
{
	static const char *const keys[] = { "time", "level", "proc", "msg",
	    "row_id", "reason", "interface_name" };
	struct log_field	 fields[] = { LOG_NUM("row_id", 42),
	    LOG_STR("reason", HOSTILE), LOG_STR("interface_name", "ens5"),
	    LOG_STR("level", "forged") };
	struct json_object	*obj, *val;
	const char		*out;

	(void)state;
	log_init("fetcher", LOG_DEST_STDERR, LOG_FORMAT_JSON, LOG_LEVEL_INFO);
	capture_begin();
	log_fields(LOG_LEVEL_WARN, fields, 4, "row %d rejected\n", 42);
	out = capture_end();

	assert_int_equal(count_lines(out), 1);
	assert_non_null(obj = json_tokener_parse(out));
	assert_keys(obj, keys, 7);
	assert_matches(get_string(obj, "time"),
	    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$");
	assert_string_equal(get_string(obj, "level"), "warn");
	assert_string_equal(get_string(obj, "proc"), "fetcher");
	assert_string_equal(get_string(obj, "msg"), "row 42 rejected\n");
	assert_string_equal(get_string(obj, "reason"), HOSTILE);
	assert_true(json_object_object_get_ex(obj, "row_id", &val));
	assert_true(json_object_is_type(val, json_type_int));
	assert_int_equal(json_object_get_int64(val), 42);
	assert_null(strstr(out, "\\/"));
	json_object_put(obj);
}

static void
test_json_warn_errno(void **state)
{
	static const char *const keys[] = { "time", "level", "proc", "msg",
	    "error" };
	struct json_object	*obj;

	(void)state;
	log_init("applier", LOG_DEST_STDERR, LOG_FORMAT_JSON, LOG_LEVEL_INFO);
	capture_begin();
	errno = ENOENT;
	log_warn("open %s", "/etc/netplan/x.yaml");
	assert_int_equal(errno, ENOENT);
	errno = EPERM;
	log_warnx("no errno");
	assert_int_equal(errno, EPERM);
	assert_non_null(obj = json_tokener_parse(capture_end()));
	assert_keys(obj, keys, 5);
	assert_string_equal(get_string(obj, "msg"), "open /etc/netplan/x.yaml");
	assert_string_equal(get_string(obj, "error"), strerror(ENOENT));
	json_object_put(obj);
	assert_non_null(strstr(captured, "\"msg\":\"no errno\"}\n"));
}

static void
test_text_escaping(void **state)
{
	struct log_field	 fields[] = { LOG_STR("interface_name", "ens5"),
	    LOG_NUM("row_id", -7), LOG_STR("reason", HOSTILE),
	    LOG_STR("empty", "") };
	const char		*out;

	(void)state;
	log_init("fetcher", LOG_DEST_STDERR, LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
	capture_begin();
	log_fields(LOG_LEVEL_WARN, fields, 4, "line\none\x01");
	out = capture_end();

	assert_int_equal(count_lines(out), 1);
	assert_matches(out, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z "
	    "warn  fetcher: ");
	assert_non_null(strstr(out, "fetcher: line\\none\\x01 interface_name=ens5"
	    " row_id=-7 reason=\"bad \\\"mac\\\"\\n{\\\"level\\\":\\\"error\\\"}\""
	    " empty=\"\"\n"));
}

static void
test_levels(void **state)
{
	const char	*out;

	(void)state;
	log_init("supervisor", LOG_DEST_STDERR, LOG_FORMAT_JSON, LOG_LEVEL_ERROR);
	assert_int_equal(log_getlevel(), LOG_LEVEL_ERROR);
	capture_begin();
	log_warnx("dropped warn");
	log_info("dropped info");
	log_error("kept error");
	log_setlevel(LOG_LEVEL_DEBUG);
	log_debug("kept debug");
	log_setlevel(LOG_LEVEL_INFO);
	log_debug("dropped debug");
	out = capture_end();

	assert_int_equal(log_getlevel(), LOG_LEVEL_INFO);
	assert_int_equal(count_lines(out), 2);
	assert_null(strstr(out, "dropped"));
	assert_non_null(strstr(out, "\"level\":\"error\""));
	assert_non_null(strstr(out, "\"level\":\"debug\""));
}

static void
test_pipe_prefix(void **state)
{
	const char	*out;

	(void)state;
	log_init("applier", LOG_DEST_PIPE, LOG_FORMAT_JSON, LOG_LEVEL_INFO);
	capture_begin();
	log_warnx("to syslog");
	log_info("info");
	out = capture_end();
	/* The supervisor's syslog adds the time. */
	assert_string_equal(out,
	    "<4>{\"level\":\"warn\",\"proc\":\"applier\",\"msg\":\"to syslog\"}\n"
	    "<6>{\"level\":\"info\",\"proc\":\"applier\",\"msg\":\"info\"}\n");
}

/* JOURNAL_STREAM names stderr's device and inode, as systemd sets it. */
static void
set_journal_stream(int matching)
{
	struct stat	sb;
	char		stream[64];

	assert_int_equal(fstat(STDERR_FILENO, &sb), 0);
	snprintf(stream, sizeof(stream), "%ju:%ju", (uintmax_t)sb.st_dev,
	    (uintmax_t)sb.st_ino + (matching ? 0 : 1));
	assert_int_equal(setenv("JOURNAL_STREAM", stream, 1), 0);
}

/* Under journald: the priority as "<N>", readable text, no time. */
static void
test_journal_stream(void **state)
{
	struct log_field	 fields[] = { LOG_NUM("row_id", 42),
	    LOG_STR("reason", "bad mac") };
	const char		*out;

	(void)state;
	capture_begin();
	set_journal_stream(1);
	log_init("fetcher", LOG_DEST_STDERR, LOG_FORMAT_AUTO, LOG_LEVEL_INFO);
	assert_true(log_stderr_is_journal());
	log_fields(LOG_LEVEL_WARN, fields, 2, "row %d rejected", 42);
	log_info("poll done");
	log_debug("not shown");
	errno = ENOENT;
	log_warn("open");
	out = capture_end();
	assert_int_equal(unsetenv("JOURNAL_STREAM"), 0);
	assert_string_equal(out,
	    "<4>fetcher: row 42 rejected row_id=42 reason=\"bad mac\"\n"
	    "<6>fetcher: poll done\n"
	    "<4>fetcher: open error=\"No such file or directory\"\n");
}

/* A stderr redirected elsewhere than the journal's stream gets JSON. */
static void
test_journal_stream_other(void **state)
{
	const char	*out;

	(void)state;
	capture_begin();
	set_journal_stream(0);
	log_init("fetcher", LOG_DEST_STDERR, LOG_FORMAT_AUTO, LOG_LEVEL_INFO);
	assert_false(log_stderr_is_journal());
	log_warnx("to a file");
	out = capture_end();
	assert_int_equal(unsetenv("JOURNAL_STREAM"), 0);
	assert_matches(out, "^\\{\"time\":\"[0-9T:.-]+Z\",\"level\":\"warn\","
	    "\"proc\":\"fetcher\",\"msg\":\"to a file\"\\}\n$");
}

/* The supervisor hands JOURNAL to children, whose environment is empty. */
static void
test_journal_format_given(void **state)
{
	const char	*out;

	(void)state;
	log_init("applier", LOG_DEST_STDERR, LOG_FORMAT_AUTO, LOG_LEVEL_INFO);
	log_setformat(LOG_FORMAT_JOURNAL);
	capture_begin();
	log_error("renamed");
	out = capture_end();
	assert_string_equal(out, "<3>applier: renamed\n");
}

static void
test_long_message(void **state)
{
	char			 big[5000];
	struct json_object	*obj;
	const char		*out;

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_init("fetcher", LOG_DEST_STDERR, LOG_FORMAT_JSON, LOG_LEVEL_INFO);
	capture_begin();
	log_info("%s", big);
	out = capture_end();
	assert_int_equal(count_lines(out), 1);
	assert_non_null(obj = json_tokener_parse(out));
	assert_true(strlen(get_string(obj, "msg")) < 2048);
	json_object_put(obj);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_json_warn_errno),
		cmocka_unit_test(test_text_escaping),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_pipe_prefix),
		cmocka_unit_test(test_journal_stream),
		cmocka_unit_test(test_journal_stream_other),
		cmocka_unit_test(test_journal_format_given),
		cmocka_unit_test(test_long_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
