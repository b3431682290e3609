/* SPDX-License-Identifier: ISC */
/*
 * Tests for supervisor/proc.c: what proc_reap() does when a child dies.
 * The children are real processes that exit at once; the restart itself
 * (a timer) is only checked to be armed, never run.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>

#include "supervisor_stubs.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
restart_not_run(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	fail_msg("a restart timer ran");
}

static int
setup(void **state)
{
	static const char	*names[CHILD_COUNT] = { "fetcher", "applier" };
	struct supervisor	*sv;
	struct child		*c;
	int			 id;

	if ((sv = calloc(1, sizeof(*sv))) == NULL ||
	    (sv->base = event_base_new()) == NULL)
		return -1;
	for (id = 0; id < CHILD_COUNT; id++) {
		c = &sv->children[id];
		c->sv = sv;
		c->id = id;
		c->name = names[id];
		c->chan.fd = -1;
		c->pending_peer_fd = -1;
		c->restart_delay = RESTART_DELAY_MIN;
		if ((c->restart_ev = evtimer_new(sv->base, restart_not_run,
		    c)) == NULL)
			return -1;
	}
	memset(&stub, 0, sizeof(stub));
	*state = sv;
	return 0;
}

static int
teardown(void **state)
{
	struct supervisor	*sv = *state;
	int			 id;

	for (id = 0; id < CHILD_COUNT; id++)
		event_free(sv->children[id].restart_ev);
	event_base_free(sv->base);
	free(sv);
	return 0;
}

/* A process that has exited, not yet reaped. */
static pid_t
dead_process(void)
{
	siginfo_t	info;
	pid_t		pid;

	assert_true((pid = fork()) != -1);
	if (pid == 0)
		_exit(3);
	assert_int_equal(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), 0);
	return pid;
}

/* Child c, started age seconds ago, dies; the supervisor notices. */
static void
child_dies(struct supervisor *sv, struct child *c, time_t age)
{
	c->pid = dead_process();
	c->started = time(NULL) - age;
	proc_reap(sv);
	assert_int_equal(c->pid, 0);
}

/* Each early death doubles the delay of the next start, up to the cap. */
static void
test_backoff_doubles(void **state)
{
	struct supervisor	*sv = *state;
	struct child		*f = &sv->children[CHILD_FETCHER];
	static const int	 after[] = { 2, 4, 8, 16 };
	size_t			 i;

	for (i = 0; i < NELEM(after); i++) {
		child_dies(sv, f, 0);
		assert_int_equal(f->restart_delay, after[i]);
		assert_true(evtimer_pending(f->restart_ev, NULL));
		evtimer_del(f->restart_ev);
	}
	assert_int_equal(stub.shutdowns, 0);

	f->restart_delay = 32;
	sv->ndeaths = 0;
	child_dies(sv, f, 0);
	assert_int_equal(f->restart_delay, RESTART_DELAY_MAX);
	evtimer_del(f->restart_ev);
	child_dies(sv, f, 0);
	assert_int_equal(f->restart_delay, RESTART_DELAY_MAX);
	evtimer_del(f->restart_ev);
}

/* A child that lived past the window starts again after the least delay. */
static void
test_long_life_resets_backoff(void **state)
{
	struct supervisor	*sv = *state;
	struct child		*a = &sv->children[CHILD_APPLIER];

	a->restart_delay = 32;
	child_dies(sv, a, DEATHS_WINDOW);
	assert_int_equal(a->restart_delay, 2 * RESTART_DELAY_MIN);
	assert_true(evtimer_pending(a->restart_ev, NULL));
	evtimer_del(a->restart_ev);
}

/*
 * DEATHS_MAX deaths of either child within DEATHS_WINDOW stop everything:
 * the deaths before the last one, as ages in seconds. The ring of deaths
 * may have wrapped many times. Recent ages are far from the window's edge:
 * a loaded machine may take seconds between two calls of time().
 */
static void
test_deaths_within_window_stop(void **state)
{
	static const struct {
		const char	*name;
		size_t		 ndeaths;	/* recorded so far */
		time_t		 ages[DEATHS_MAX];
		int		 stops;
	} cases[] = {
		{ "first death", 0, { 0 }, 0 },
		{ "four recent", 4, { 0, 1, 20, 30 }, 1 },
		{ "three recent", 3, { 0, 1, 20 }, 0 },
		{ "one at the window's end", 4, { 0, 1, 20, DEATHS_WINDOW },
		    0 },
		{ "all old", 5, { 61, 100, 500, 1000, 5000 }, 0 },
		{ "wrapped, all recent", 1003, { 1, 2, 3, 4, 5 }, 1 },
		{ "wrapped, one old left", 1003, { 1, 2, 3, 1000, 5 }, 1 },
		{ "wrapped, two old", 1003, { 1, 2, 900, 1000, 5 }, 0 },
	};
	struct supervisor	*sv = *state;
	struct child		*f = &sv->children[CHILD_FETCHER];
	time_t			 now;
	size_t			 i, j;

	for (i = 0; i < NELEM(cases); i++) {
		now = time(NULL);
		memset(&stub, 0, sizeof(stub));
		sv->stopping = 0;
		sv->ndeaths = cases[i].ndeaths;
		for (j = 0; j < DEATHS_MAX; j++)
			sv->deaths[j] = j < cases[i].ndeaths ?
			    now - cases[i].ages[j] : 0;
		child_dies(sv, f, 0);
		if (stub.shutdowns != cases[i].stops)
			fail_msg("%s: %d shutdowns", cases[i].name,
			    stub.shutdowns);
		if (cases[i].stops) {
			assert_int_equal(stub.status, 1);
			assert_false(evtimer_pending(f->restart_ev, NULL));
		} else
			assert_true(evtimer_pending(f->restart_ev, NULL));
		evtimer_del(f->restart_ev);
	}
}

/* The limit is the node's: the deaths of both children count together. */
static void
test_both_children_count(void **state)
{
	struct supervisor	*sv = *state;
	int			 i;

	for (i = 0; i < DEATHS_MAX - 1; i++) {
		child_dies(sv, &sv->children[i % CHILD_COUNT], 0);
		evtimer_del(sv->children[i % CHILD_COUNT].restart_ev);
	}
	assert_int_equal(stub.shutdowns, 0);
	child_dies(sv, &sv->children[CHILD_APPLIER], 0);
	assert_int_equal(stub.shutdowns, 1);
}

/* Stopping: a child that exits is not started again, nor counted. */
static void
test_no_restart_when_stopping(void **state)
{
	struct supervisor	*sv = *state;
	struct child		*f = &sv->children[CHILD_FETCHER];

	sv->stopping = 1;
	child_dies(sv, f, 0);
	assert_false(evtimer_pending(f->restart_ev, NULL));
	assert_int_equal(sv->ndeaths, 0);
	assert_int_equal(f->restart_delay, RESTART_DELAY_MIN);
	assert_false(proc_running(sv));
}

/* Not a child's pid (APPLY_COMMAND's): no death, no restart. */
static void
test_other_process_not_a_death(void **state)
{
	struct supervisor	*sv = *state;
	int			 id;

	sv->children[CHILD_APPLIER].pid = getpid();
	dead_process();
	proc_reap(sv);
	assert_int_equal(sv->ndeaths, 0);
	assert_int_equal(sv->children[CHILD_APPLIER].pid, getpid());
	assert_true(proc_running(sv));
	for (id = 0; id < CHILD_COUNT; id++)
		assert_false(evtimer_pending(sv->children[id].restart_ev,
		    NULL));
	sv->children[CHILD_APPLIER].pid = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backoff_doubles, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_life_resets_backoff,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_deaths_within_window_stop,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_both_children_count,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_restart_when_stopping,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_process_not_a_death,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
