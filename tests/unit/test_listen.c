/* SPDX-License-Identifier: ISC */
/*
 * Tests for supervisor/listen.c: the STATE_DIR lock, the per-namespace node
 * lock (under a name of this test's own) and the control socket, which
 * replaces a stale socket but nothing that is not a socket.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

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

#include "../../supervisor/supervisor.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct fixture {
	char		dir[64];
	char		sock[PATH_MAX];		/* dir/control.sock */
	struct config	conf;
};

static int
setup(void **state)
{
	struct fixture	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/test_listen.XXXXXX", P_tmpdir);
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->sock, sizeof(f->sock), "%s/control.sock", f->dir);
	strlcpy(f->conf.control_socket, f->sock,
	    sizeof(f->conf.control_socket));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;
	char		 path[PATH_MAX];

	if (unlink(f->sock) == -1 && errno == EISDIR)
		rmdir(f->sock);
	snprintf(path, sizeof(path), "%s/multinicd.lock", f->dir);
	unlink(path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int
connect_to(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd, rc;

	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return rc;
}

/* A socket file with nobody behind it: what a crash leaves. */
static void
make_stale_socket(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd;

	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
}

static void
test_state_dir_lock(void **state)
{
	struct fixture	*f = *state;
	char		 why[512], path[PATH_MAX], pid[32];
	FILE		*fp;
	int		 fd;

	assert_true((fd = listen_lock(f->dir, why, sizeof(why))) != -1);
	snprintf(path, sizeof(path), "%s/multinicd.lock", f->dir);
	assert_non_null(fp = fopen(path, "r"));
	assert_non_null(fgets(pid, sizeof(pid), fp));
	fclose(fp);
	assert_int_equal(atoi(pid), getpid());

	assert_int_equal(listen_lock(f->dir, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "already running"));
	assert_non_null(strstr(why, path));
	close(fd);
	assert_true((fd = listen_lock(f->dir, why, sizeof(why))) != -1);
	close(fd);

	/* A STATE_DIR that cannot be made: below a regular file. */
	snprintf(path, sizeof(path), "%s/multinicd.lock/sub", f->dir);
	assert_int_equal(listen_lock(path, why, sizeof(why)), -1);
	assert_non_null(strstr(why, path));
}

/*
 * One holder per name; a second one names the first one's pid once it
 * listens, and the name is free again when its holder closes it.
 */
static void
test_node_lock(void **state)
{
	char	name[64], why[512], expect[64];
	int	fd;

	(void)state;
	snprintf(name, sizeof(name), "multinic-test-listen-%d", (int)getpid());
	assert_int_equal(setenv("MULTINICD_NODE_LOCK", name, 1), 0);
	assert_true((fd = listen_node_lock(why, sizeof(why))) != -1);
	assert_int_equal(listen_node_lock(why, sizeof(why)), -1);
	assert_non_null(strstr(why, "its pid is unknown"));
	assert_non_null(strstr(why, name));

	assert_int_equal(listen_node_lock_ready(fd), 0);
	assert_int_equal(listen_node_lock(why, sizeof(why)), -1);
	snprintf(expect, sizeof(expect), "pid %d holds", (int)getpid());
	assert_non_null(strstr(why, expect));
	close(fd);
	assert_true((fd = listen_node_lock(why, sizeof(why))) != -1);
	close(fd);
	unsetenv("MULTINICD_NODE_LOCK");
}

static void
test_control_socket_created(void **state)
{
	struct fixture	*f = *state;
	struct stat	 st;
	int		 fd;

	assert_true((fd = listen_control(&f->conf, getgid())) != -1);
	assert_int_equal(lstat(f->sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(connect_to(f->sock), 0);

	/* It answers: a second instance refuses rather than steal it. */
	assert_int_equal(listen_control(&f->conf, getgid()), -1);
	assert_int_equal(connect_to(f->sock), 0);
	close(fd);
}

static void
test_stale_socket_replaced(void **state)
{
	struct fixture	*f = *state;
	int		 fd;

	make_stale_socket(f->sock);
	assert_int_equal(connect_to(f->sock), -1);
	assert_true((fd = listen_control(&f->conf, getgid())) != -1);
	assert_int_equal(connect_to(f->sock), 0);
	close(fd);
}

/* Never removed: whatever a mistyped CONTROL_SOCKET names. */
static void
test_non_socket_kept(void **state)
{
	static const char	*const kinds[] = { "file", "directory",
				    "symlink", "fifo" };
	struct fixture		*f = *state;
	struct stat		 before, after;
	char			 target[PATH_MAX];
	size_t			 i;
	int			 fd;

	snprintf(target, sizeof(target), "%s/target.sock", f->dir);
	for (i = 0; i < NELEM(kinds); i++) {
		switch (i) {
		case 0:
			assert_true((fd = open(f->sock, O_CREAT | O_WRONLY,
			    0600)) != -1);
			assert_int_equal(write(fd, "keep", 4), 4);
			close(fd);
			break;
		case 1:
			assert_int_equal(mkdir(f->sock, 0700), 0);
			break;
		case 2:
			/* Even to a stale socket: lstat, not stat. */
			make_stale_socket(target);
			assert_int_equal(symlink(target, f->sock), 0);
			break;
		case 3:
			assert_int_equal(mkfifo(f->sock, 0600), 0);
			break;
		}
		assert_int_equal(lstat(f->sock, &before), 0);
		if (listen_control(&f->conf, getgid()) != -1)
			fail_msg("a %s at CONTROL_SOCKET was replaced",
			    kinds[i]);
		assert_int_equal(lstat(f->sock, &after), 0);
		assert_int_equal(before.st_ino, after.st_ino);
		assert_int_equal(before.st_mode, after.st_mode);
		if (i == 1)
			assert_int_equal(rmdir(f->sock), 0);
		else
			assert_int_equal(unlink(f->sock), 0);
	}
	assert_int_equal(unlink(target), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_dir_lock, setup,
		    teardown),
		cmocka_unit_test(test_node_lock),
		cmocka_unit_test_setup_teardown(test_control_socket_created,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_socket_replaced,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_socket_kept, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
