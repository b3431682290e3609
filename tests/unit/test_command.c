/* SPDX-License-Identifier: ISC */
/*
 * Tests for supervisor/command.c: APPLY_COMMAND run for real (echo, true,
 * false), its output logged, one run at a time with one more run when asked
 * during a run, and nothing run outside APPLY_MODE=command.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>

#include "capture.h"
#include "log.h"
#include "../../supervisor/supervisor.h"

static int
setup(void **state)
{
	struct supervisor	*sv;

	if ((sv = calloc(1, sizeof(*sv))) == NULL ||
	    (sv->base = event_base_new()) == NULL)
		return -1;
	sv->conf.apply_mode = APPLY_MODE_COMMAND;
	log_init("supervisor", LOG_DEST_STDERR, LOG_FORMAT_TEXT,
	    LOG_LEVEL_INFO);
	*state = sv;
	return 0;
}

static int
teardown(void **state)
{
	struct supervisor	*sv = *state;

	event_base_free(sv->base);
	free(sv);
	return 0;
}

/*
 * What proc_reap() does for a pid that is no child, without the event
 * loop's help: the command is this process's only child.
 */
static void
reap_command(struct supervisor *sv)
{
	pid_t	pid;
	int	status;

	assert_non_null(sv->command);
	assert_true((pid = waitpid(-1, &status, 0)) > 0);
	command_reaped(sv, pid, status);
}

static void
test_not_in_command_mode(void **state)
{
	struct supervisor	*sv = *state;
	const char		*log;

	sv->conf.apply_mode = APPLY_MODE_NETLINK;
	strlcpy(sv->conf.apply_command, "/bin/true",
	    sizeof(sv->conf.apply_command));
	capture_begin();
	command_run(sv);
	log = capture_end();
	assert_null(sv->command);
	assert_non_null(strstr(log, "outside APPLY_MODE=command; ignored"));
}

static void
test_blank_command_not_run(void **state)
{
	struct supervisor	*sv = *state;
	const char		*log;

	strlcpy(sv->conf.apply_command, " \t ",
	    sizeof(sv->conf.apply_command));
	capture_begin();
	command_run(sv);
	log = capture_end();
	assert_null(sv->command);
	assert_non_null(strstr(log, "cannot run APPLY_COMMAND"));
}

/*
 * Blanks split the arguments, no shell reads them. All of the output is
 * logged, even when the exit is seen before the event loop read any of
 * it, and a last line without a newline.
 */
static void
test_output_logged(void **state)
{
	struct supervisor	*sv = *state;
	const char		*log;

	strlcpy(sv->conf.apply_command, "/usr/bin/printf  a\\n%s\\nb;$HOME",
	    sizeof(sv->conf.apply_command));
	capture_begin();
	command_run(sv);
	reap_command(sv);
	log = capture_end();
	assert_null(sv->command);
	assert_non_null(strstr(log, "APPLY_COMMAND: a\n"));
	assert_non_null(strstr(log, "APPLY_COMMAND: \n"));
	assert_non_null(strstr(log, "APPLY_COMMAND: b;$HOME\n"));
	assert_non_null(strstr(log, "APPLY_COMMAND done"));
}

/* More than one read's worth, all of it there when the exit is seen. */
static void
test_long_output_logged(void **state)
{
	struct supervisor	*sv = *state;
	const char		*log, *p;
	int			 lines = 0;

	strlcpy(sv->conf.apply_command, "/usr/bin/seq -w 1 9999",
	    sizeof(sv->conf.apply_command));
	capture_begin();
	command_run(sv);
	reap_command(sv);
	log = capture_end();
	for (p = log; (p = strstr(p, "APPLY_COMMAND: ")) != NULL; p++)
		lines++;
	assert_int_equal(lines, 9999);
	assert_non_null(strstr(log, "APPLY_COMMAND: 9999\n"));
}

static void
test_exit_status_logged(void **state)
{
	struct supervisor	*sv = *state;
	const char		*log;

	strlcpy(sv->conf.apply_command, "/bin/false",
	    sizeof(sv->conf.apply_command));
	capture_begin();
	command_run(sv);
	reap_command(sv);
	strlcpy(sv->conf.apply_command, "/nonexistent/apply",
	    sizeof(sv->conf.apply_command));
	command_run(sv);
	reap_command(sv);
	log = capture_end();
	assert_non_null(strstr(log, "APPLY_COMMAND exited with status 1"));
	assert_non_null(strstr(log, "APPLY_COMMAND exited with status 127"));
}

/* Asked twice during a run: one more run after it, not two at once. */
static void
test_request_during_run_reruns_once(void **state)
{
	struct supervisor	*sv = *state;
	struct apply_command	*first;
	const char		*log, *p;
	int			 runs = 0;

	strlcpy(sv->conf.apply_command, "/bin/true",
	    sizeof(sv->conf.apply_command));
	capture_begin();
	command_run(sv);
	first = sv->command;
	command_run(sv);
	command_run(sv);
	assert_ptr_equal(sv->command, first);
	reap_command(sv);
	assert_non_null(sv->command);
	reap_command(sv);
	log = capture_end();
	assert_null(sv->command);
	for (p = log; (p = strstr(p, "running APPLY_COMMAND")) != NULL; p++)
		runs++;
	assert_int_equal(runs, 2);
}

/* An unknown pid (a reaped fetcher's, say) is not the command's. */
static void
test_other_pid_ignored(void **state)
{
	struct supervisor	*sv = *state;

	strlcpy(sv->conf.apply_command, "/bin/true",
	    sizeof(sv->conf.apply_command));
	command_reaped(sv, 1, 0);
	capture_begin();
	command_run(sv);
	command_reaped(sv, getpid(), 0);
	assert_non_null(sv->command);
	reap_command(sv);
	capture_end();
	assert_null(sv->command);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_not_in_command_mode,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_blank_command_not_run,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_logged, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_output_logged, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_exit_status_logged,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_request_during_run_reruns_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_pid_ignored, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
