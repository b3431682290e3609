/* SPDX-License-Identifier: ISC */
/*
 * Tests for common/control.c: the control protocol's requests, as the
 * fetcher parses them from any member of the socket's group, and as
 * multinicctl formats them.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "control.h"

struct good_case {
	const char		*line;
	enum control_command	 command;
	int			 allow_delete;
	int			 level;
};

static const struct good_case good_cases[] = {
	{ "{\"command\":\"status\"}", CONTROL_STATUS, 0, 0 },
	{ "{\"command\":\"status\"}\n", CONTROL_STATUS, 0, 0 },
	{ " { \"command\" : \"status\" } \r\n", CONTROL_STATUS, 0, 0 },
	{ "{\"command\":\"show interfaces\"}\n", CONTROL_SHOW_INTERFACES, 0, 0 },
	{ "{\"command\":\"sync\"}\n", CONTROL_SYNC, 0, 0 },
	{ "{\"command\":\"sync\",\"allow_delete\":true}\n", CONTROL_SYNC, 1, 0 },
	{ "{\"allow_delete\":false,\"command\":\"sync\"}\n", CONTROL_SYNC, 0, 0 },
	{ "{\"command\":\"reload\"}\n", CONTROL_RELOAD, 0, 0 },
	{ "{\"command\":\"log\",\"level\":\"debug\"}\n", CONTROL_LOG, 0,
	    LOG_LEVEL_DEBUG },
	{ "{\"command\":\"log\",\"level\":\"error\"}\n", CONTROL_LOG, 0,
	    LOG_LEVEL_ERROR },
	{ "{\"command\":\"log\",\"level\":\"warning\"}\n", CONTROL_LOG, 0,
	    LOG_LEVEL_WARN },
};

struct bad_case {
	const char	*line;
	const char	*why;		/* a part of the reason */
};

static const struct bad_case bad_cases[] = {
	/* Unknown commands */
	{ "{\"command\":\"shutdown\"}", "unknown command \"shutdown\"" },
	{ "{\"command\":\"show\"}", "unknown command \"show\"" },
	{ "{\"command\":\"STATUS\"}", "unknown command \"STATUS\"" },
	{ "{\"command\":\"\"}", "unknown command \"\"" },
	/* A client's bytes come back printable. */
	{ "{\"command\":\"\\u001b[31mred\"}", "unknown command \"?[31mred\"" },
	/* Not JSON, or more than one value */
	{ "", "not valid JSON" },
	{ "nope", "not valid JSON" },
	{ "{\"command\":\"status\"", "not valid JSON" },
	{ "{\"command\":\"status\"} x", "not valid JSON" },
	{ "{\"command\":\"status\"}{\"command\":\"reload\"}", "not valid JSON" },
	{ "{'command':'status'}", "not valid JSON" },
	{ "{\"command\":\"stat\xffus\"}", "not valid JSON" },
	{ "{\"command\":\"status\",\"x\":{\"y\":{\"z\":1}}}", "not valid JSON" },
	/* Wrong shapes and types */
	{ "[\"status\"]", "must be a JSON object" },
	{ "\"status\"", "must be a JSON object" },
	{ "5", "must be a JSON object" },
	{ "null", "must be a JSON object" },
	{ "{}", "has no \"command\"" },
	{ "{\"command\":5}", "\"command\" must be a string" },
	{ "{\"command\":null}", "\"command\" must be a string" },
	{ "{\"command\":[\"status\"]}", "\"command\" must be a string" },
	{ "{\"command\":\"stat\\u0000us\"}", "\"command\" contains a NUL" },
	{ "{\"command\":\"sync\",\"allow_delete\":1}",
	    "\"allow_delete\" must be a boolean" },
	{ "{\"command\":\"sync\",\"allow_delete\":\"true\"}",
	    "\"allow_delete\" must be a boolean" },
	{ "{\"command\":\"log\"}", "log needs a \"level\"" },
	{ "{\"command\":\"log\",\"level\":7}", "\"level\" must be a string" },
	{ "{\"command\":\"log\",\"level\":\"loud\"}",
	    "unknown log level \"loud\"" },
	/* Members that do not go with the command */
	{ "{\"command\":\"status\",\"level\":\"debug\"}", "goes with log only" },
	{ "{\"command\":\"reload\",\"allow_delete\":true}",
	    "goes with sync only" },
	{ "{\"command\":\"status\",\"extra\":1}", "unknown member \"extra\"" },
};

static void
test_good_requests(void **state)
{
	struct control_request	req;
	char			why[CONTROL_ERROR_MAX];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case	*c = &good_cases[i];

		if (control_request_parse(c->line, strlen(c->line), &req, why,
		    sizeof(why)) != 0)
			fail_msg("case %zu (%s): refused: %s", i, c->line, why);
		assert_int_equal(req.command, c->command);
		assert_int_equal(req.allow_delete, c->allow_delete);
		if (c->command == CONTROL_LOG)
			assert_int_equal(req.level, c->level);
	}
}

static void
test_bad_requests(void **state)
{
	struct control_request	req;
	char			why[CONTROL_ERROR_MAX];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case	*c = &bad_cases[i];

		why[0] = '\0';
		if (control_request_parse(c->line, strlen(c->line), &req, why,
		    sizeof(why)) != -1)
			fail_msg("case %zu (%s): accepted", i, c->line);
		if (strstr(why, c->why) == NULL)
			fail_msg("case %zu (%s): reason \"%s\" lacks \"%s\"",
			    i, c->line, why, c->why);
	}
}

/* A NUL byte in the line, which strlen-based code would cut short. */
static void
test_nul_byte_refused(void **state)
{
	static const char	line[] = "{\"command\":\"status\"}\0garbage\n";
	struct control_request	req;
	char			why[CONTROL_ERROR_MAX];

	(void)state;
	assert_int_equal(control_request_parse(line, sizeof(line) - 1, &req,
	    why, sizeof(why)), -1);
	assert_non_null(strstr(why, "NUL byte"));
}

/* Padding a valid request with blanks up to a length, newline included. */
static void
padded_request(char *buf, size_t total)
{
	static const char	request[] = "{\"command\":\"status\"}";

	memset(buf, ' ', total);
	memcpy(buf, request, sizeof(request) - 1);
	buf[total - 1] = '\n';
}

static void
test_size_limit(void **state)
{
	char			line[CONTROL_REQUEST_MAX * 4];
	struct control_request	req;
	char			why[CONTROL_ERROR_MAX];

	(void)state;
	/* The largest request accepted: the cap, its newline included. */
	padded_request(line, CONTROL_REQUEST_MAX);
	assert_int_equal(control_request_parse(line, CONTROL_REQUEST_MAX,
	    &req, why, sizeof(why)), 0);
	assert_int_equal(req.command, CONTROL_STATUS);

	padded_request(line, CONTROL_REQUEST_MAX + 1);
	assert_int_equal(control_request_parse(line, CONTROL_REQUEST_MAX + 1,
	    &req, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "request longer than"));

	padded_request(line, sizeof(line));
	assert_int_equal(control_request_parse(line, sizeof(line), &req, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "request longer than"));
}

/* A long hostile value is cut in the reason, which still fits. */
static void
test_long_value_quoted_short(void **state)
{
	char			line[512], name[300];
	struct control_request	req;
	char			why[CONTROL_ERROR_MAX];

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(line, sizeof(line), "{\"command\":\"%s\"}", name);
	assert_int_equal(control_request_parse(line, strlen(line), &req, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "unknown command \"aaa"));
	assert_non_null(strstr(why, "...\""));
	assert_true(strlen(why) < 80);
}

/* What multinicctl sends is what the fetcher reads back. */
static void
test_format_round_trip(void **state)
{
	static const struct control_request	requests[] = {
		{ CONTROL_STATUS, 0, 0 },
		{ CONTROL_SHOW_INTERFACES, 0, 0 },
		{ CONTROL_SYNC, 0, 0 },
		{ CONTROL_SYNC, 1, 0 },
		{ CONTROL_RELOAD, 0, 0 },
		{ CONTROL_LOG, 0, LOG_LEVEL_ERROR },
		{ CONTROL_LOG, 0, LOG_LEVEL_WARN },
		{ CONTROL_LOG, 0, LOG_LEVEL_INFO },
		{ CONTROL_LOG, 0, LOG_LEVEL_DEBUG },
	};
	struct control_request	back;
	char			line[CONTROL_REQUEST_MAX], why[CONTROL_ERROR_MAX];
	size_t			i;
	int			len;

	(void)state;
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		len = control_request_format(&requests[i], line, sizeof(line));
		assert_true(len > 0);
		assert_int_equal(line[len - 1], '\n');
		assert_ptr_equal(memchr(line, '\n', len), line + len - 1);
		if (control_request_parse(line, len, &back, why,
		    sizeof(why)) != 0)
			fail_msg("request %zu (%s): refused: %s", i, line, why);
		assert_int_equal(back.command, requests[i].command);
		assert_int_equal(back.allow_delete, requests[i].allow_delete);
		assert_int_equal(back.level, requests[i].level);
	}
	/* Too small a buffer is an error, not a cut request. */
	assert_int_equal(control_request_format(&requests[0], line, 8), -1);
}

static void
test_privileged_commands(void **state)
{
	(void)state;
	assert_false(control_command_privileged(CONTROL_STATUS));
	assert_false(control_command_privileged(CONTROL_SHOW_INTERFACES));
	assert_true(control_command_privileged(CONTROL_SYNC));
	assert_true(control_command_privileged(CONTROL_RELOAD));
	assert_true(control_command_privileged(CONTROL_LOG));
	assert_true(control_command_privileged(CONTROL_COMMAND_COUNT));
	assert_string_equal(control_command_name(CONTROL_SHOW_INTERFACES),
	    "show interfaces");
	assert_string_equal(control_command_name(CONTROL_COMMAND_COUNT),
	    "unknown");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_good_requests),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_nul_byte_refused),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_long_value_quoted_short),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_privileged_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
