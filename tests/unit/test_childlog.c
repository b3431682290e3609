/* SPDX-License-Identifier: ISC */
/*
 * Tests for supervisor/childlog.c: a child's "<priority>line" on its log
 * pipe becomes one syslog line at that priority, whatever the child
 * writes. syslog is recorded here instead of sent to the machine's.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>

#include "../../supervisor/supervisor.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define LINES_MAX	64

static struct {
	int	count;
	int	prio[LINES_MAX];
	char	*text[LINES_MAX];
	size_t	longest;
} logged;

static void
record(int prio, const char *fmt, va_list ap)
{
	char	*text;

	assert_true(vasprintf(&text, fmt, ap) != -1);
	if (strlen(text) > logged.longest)
		logged.longest = strlen(text);
	if (logged.count == LINES_MAX) {
		free(text);
		return;
	}
	logged.prio[logged.count] = prio;
	logged.text[logged.count++] = text;
}

/*
 * Stand in for libc's at link time: childlog.c calls the first with
 * _FORTIFY_SOURCE, the second without.
 */
void
__syslog_chk(int prio, int flag, const char *fmt, ...)
{
	va_list	ap;

	(void)flag;
	va_start(ap, fmt);
	record(prio, fmt, ap);
	va_end(ap);
}

void
syslog(int prio, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	record(prio, fmt, ap);
	va_end(ap);
}

static void
forget(void)
{
	int	i;

	for (i = 0; i < logged.count; i++)
		free(logged.text[i]);
	memset(&logged, 0, sizeof(logged));
}

/* What a child writes, up to its exit: forwarded until end of file. */
static void
child_writes(const char *text, size_t len)
{
	struct supervisor	sv = { .base = NULL };
	struct child		c = { .name = "applier" };
	int			fd;

	forget();
	assert_non_null(sv.base = event_base_new());
	assert_int_equal(childlog_pipe(&sv, &c, &fd), 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	assert_int_equal(event_base_dispatch(sv.base), 1);	/* no events left */
	assert_null(c.log_bev);
	event_base_free(sv.base);
}

static void
test_priorities(void **state)
{
	static const struct {
		const char	*line;
		int		 prio;
		const char	*text;
	} cases[] = {
		{ "<3>disk on fire", LOG_ERR, "applier: disk on fire" },
		{ "<7>debug", LOG_DEBUG, "applier: debug" },
		{ "<0>", LOG_EMERG, "applier: " },
		{ "no priority", LOG_WARNING, "applier: no priority" },
		{ "<8>past debug", LOG_WARNING, "applier: past debug" },
		{ "<-1>negative", LOG_WARNING, "applier: negative" },
		{ "<x>word", LOG_WARNING, "applier: word" },
		{ "<3 unclosed", LOG_WARNING, "applier: <3 unclosed" },
		{ " <3>not first", LOG_WARNING, "applier:  <3>not first" },
		{ "%s%n%s", LOG_WARNING, "applier: %s%n%s" },
		{ "<6><3>twice", LOG_INFO, "applier: <3>twice" },
	};
	char	text[256];
	size_t	i;
	int	len;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		len = snprintf(text, sizeof(text), "%s\n", cases[i].line);
		child_writes(text, (size_t)len);
		if (logged.count != 1 || logged.prio[0] != cases[i].prio ||
		    strcmp(logged.text[0], cases[i].text) != 0)
			fail_msg("\"%s\": %d lines, the first \"%s\" at %d",
			    cases[i].line, logged.count, logged.count ?
			    logged.text[0] : "", logged.count ?
			    logged.prio[0] : -1);
	}
	forget();
}

/* Many lines in one write: each is a line of its own, in order. */
static void
test_lines_in_order(void **state)
{
	static const char	text[] = "<6>one\n<4>two\n\nthree\n";

	(void)state;
	child_writes(text, sizeof(text) - 1);
	assert_int_equal(logged.count, 4);
	assert_string_equal(logged.text[0], "applier: one");
	assert_int_equal(logged.prio[1], LOG_WARNING);
	assert_string_equal(logged.text[1], "applier: two");
	assert_string_equal(logged.text[2], "applier: ");
	assert_string_equal(logged.text[3], "applier: three");
	forget();
}

/* A runaway line is cut, never buffered or sent whole; the next is kept. */
static void
test_runaway_line_cut(void **state)
{
	const size_t	 len = 40000;	/* more than a pipe read, under its size */
	char		*text;

	(void)state;
	assert_non_null(text = malloc(len + 16));
	memset(text, 'x', len);
	memcpy(text + len, "\n<6>next\n", 9);
	child_writes(text, len + 9);
	free(text);
	assert_true(logged.longest < len);
	assert_true(logged.count >= 1);
	assert_string_equal(logged.text[logged.count - 1], "applier: next");
	assert_int_equal(logged.prio[logged.count - 1], LOG_INFO);
	forget();
}

/* A child's last words lack a newline when it dies mid-line: kept too. */
static void
test_last_line_without_newline(void **state)
{
	static const char	text[] = "<6>first\n<3>last words";

	(void)state;
	child_writes(text, sizeof(text) - 1);
	assert_int_equal(logged.count, 2);
	assert_string_equal(logged.text[1], "applier: last words");
	assert_int_equal(logged.prio[1], LOG_ERR);
	forget();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_lines_in_order),
		cmocka_unit_test(test_runaway_line_cut),
		cmocka_unit_test(test_last_line_without_newline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
