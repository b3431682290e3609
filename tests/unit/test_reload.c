/* SPDX-License-Identifier: ISC */
/*
 * Tests for supervisor/reload.c: which configuration change restarts which
 * child (a key its sandbox was built from), and an invalid configuration
 * changing nothing. The children are real processes that wait for a
 * signal; a restart is the SIGTERM they get.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>

#include "supervisor_stubs.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct fixture {
	char			dir[64];	/* STATE_DIR */
	char			other[64];	/* another one */
	struct supervisor	sv;
};

static int
setup(void **state)
{
	struct fixture	*f;
	char		 why[256];
	int		 id;

	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->sv.base = event_base_new()) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/test_reload.XXXXXX", P_tmpdir);
	snprintf(f->other, sizeof(f->other), "%s/test_reload.XXXXXX",
	    P_tmpdir);
	if (mkdtemp(f->dir) == NULL || mkdtemp(f->other) == NULL)
		return -1;
	config_defaults(&f->sv.conf);
	strlcpy(f->sv.conf.state_dir, f->dir, sizeof(f->sv.conf.state_dir));
	snprintf(f->sv.conf.control_socket, sizeof(f->sv.conf.control_socket),
	    "%s/no-socket", f->dir);
	f->sv.conf.health_port = 0;
	f->sv.http_fd = -1;
	f->sv.control_fd = -1;
	if ((f->sv.lock_fd = listen_lock(f->dir, why, sizeof(why))) == -1)
		return -1;
	for (id = 0; id < CHILD_COUNT; id++) {
		f->sv.children[id].sv = &f->sv;
		f->sv.children[id].id = id;
		f->sv.children[id].name = id == CHILD_FETCHER ? "fetcher" :
		    "applier";
		f->sv.children[id].chan.fd = -1;
	}
	memset(&stub, 0, sizeof(stub));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 path[PATH_MAX];

	close(f->sv.lock_fd);
	snprintf(path, sizeof(path), "%s/multinicd.lock", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/multinicd.lock", f->other);
	unlink(path);
	rmdir(f->dir);
	rmdir(f->other);
	event_base_free(f->sv.base);
	free(f);
	return 0;
}

static pid_t
waiting_process(void)
{
	pid_t	pid;

	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/* Whether the child was asked to stop; then it is gone either way. */
static int
restarted(struct child *c)
{
	int	status, asked = c->restart_now;

	if (!asked)
		assert_int_equal(kill(c->pid, SIGKILL), 0);
	assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), asked ? SIGTERM : SIGKILL);
	c->pid = 0;
	c->restart_now = 0;
	return asked;
}

#define SET_STRING(field, value) \
	strlcpy(conf->field, (value), sizeof(conf->field))

static void
change(struct config *conf, const struct fixture *f, int what)
{
	switch (what) {
	case 0:
		break;
	case 1:
		SET_STRING(privsep_user, "nobody");
		break;
	case 2:
		SET_STRING(state_dir, f->other);
		break;
	case 3:
		SET_STRING(db_socket, "/run/mysqld/other.sock");
		break;
	case 4:
		SET_STRING(db_tls_ca, "/etc/ssl/other-ca.pem");
		break;
	case 5:
		conf->landlock = !conf->landlock;
		break;
	case 6:
		SET_STRING(config_root, "/srv/root");
		break;
	case 7:
		conf->os_type = conf->os_type == OS_TYPE_IFCFG ?
		    OS_TYPE_WICKED : OS_TYPE_IFCFG;
		break;
	case 8:
		conf->poll_interval_ms += 1000;
		SET_STRING(db_host, "db.example.org");
		SET_STRING(node_name, "other-node");
		break;
	case 9:
		conf->apply_mode = APPLY_MODE_FILES;
		conf->dry_run = !conf->dry_run;
		break;
	}
}

static void
test_restart_follows_sandbox_keys(void **state)
{
	static const struct {
		const char	*change;
		int		 fetcher;	/* restarted */
		int		 applier;
	} cases[] = {
		{ "nothing", 0, 0 },
		{ "PRIVSEP_USER", 1, 0 },
		{ "STATE_DIR", 1, 1 },
		{ "DB_SOCKET", 1, 0 },
		{ "DB_TLS_CA", 1, 0 },
		{ "LANDLOCK", 1, 1 },
		{ "CONFIG_ROOT", 0, 1 },
		{ "OS_TYPE", 0, 1 },
		{ "POLL_INTERVAL, DB_HOST, NODE_NAME", 0, 0 },
		{ "APPLY_MODE, DRY_RUN", 0, 0 },
	};
	struct fixture	*f = *state;
	struct child	*fetcher = &f->sv.children[CHILD_FETCHER];
	struct child	*applier = &f->sv.children[CHILD_APPLIER];
	struct config	 before = f->sv.conf;
	char		 why[256];
	size_t		 i;
	int		 got_f, got_a;

	for (i = 0; i < NELEM(cases); i++) {
		f->sv.conf = before;
		stub.next = before;
		change(&stub.next, f, (int)i);
		fetcher->pid = waiting_process();
		applier->pid = waiting_process();
		supervisor_reload(&f->sv, 0);
		assert_memory_equal(&f->sv.conf, &stub.next,
		    sizeof(stub.next));
		got_f = restarted(fetcher);
		got_a = restarted(applier);
		if (got_f != cases[i].fetcher || got_a != cases[i].applier)
			fail_msg("%s: fetcher %s, applier %s", cases[i].change,
			    got_f ? "restarted" : "kept",
			    got_a ? "restarted" : "kept");
		/* The lock follows STATE_DIR: back to the first one. */
		if (strcmp(f->sv.conf.state_dir, f->dir) != 0) {
			close(f->sv.lock_fd);
			assert_true((f->sv.lock_fd = listen_lock(f->dir, why,
			    sizeof(why))) != -1);
		}
	}
}

/* An invalid file, or a STATE_DIR another instance holds: nothing moves. */
static void
test_refused_reload_changes_nothing(void **state)
{
	struct fixture	*f = *state;
	struct config	 before = f->sv.conf;
	char		 why[256];
	int		 other_lock, what;

	assert_true((other_lock = listen_lock(f->other, why,
	    sizeof(why))) != -1);
	for (what = 0; what < 2; what++) {
		stub.load_fails = what == 0;
		stub.next = before;
		change(&stub.next, f, 2);	/* STATE_DIR */
		f->sv.children[CHILD_FETCHER].pid = waiting_process();
		f->sv.children[CHILD_APPLIER].pid = waiting_process();
		supervisor_reload(&f->sv, 0);
		assert_memory_equal(&f->sv.conf, &before, sizeof(before));
		assert_false(restarted(&f->sv.children[CHILD_FETCHER]));
		assert_false(restarted(&f->sv.children[CHILD_APPLIER]));
	}
	close(other_lock);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_restart_follows_sandbox_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_refused_reload_changes_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
