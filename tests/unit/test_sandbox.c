/* SPDX-License-Identifier: ISC */
/*
 * Tests for the children's seccomp filters (applier/sandbox.c,
 * fetcher/sandbox.c, common/sandbox.c): each probe runs in a child that
 * loads the real filter, then makes one call; a refused call kills it.
 */

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../applier/applier.h"
#include "../../fetcher/fetcher.h"
#include "sandbox.h"

enum probe {
	PROBE_NETLINK_ROUTE,
	PROBE_NETLINK_OTHER,
	PROBE_INET_DGRAM,
	PROBE_INET_STREAM,
	PROBE_INET6_DGRAM,
	PROBE_INET_RAW,
	PROBE_PACKET,
	PROBE_UNIX_STREAM,
	PROBE_UNIX_DGRAM,
	PROBE_IOCTL_FIONREAD,
	PROBE_IOCTL_SIOCGIFCONF,
	PROBE_MMAP_EXEC,
	PROBE_INOTIFY_INIT,
	PROBE_INOTIFY_INIT_BLOCKING,
	PROBE_INOTIFY_WATCH,
	PROBE_INOTIFY_WATCH_OTHER_MASK,
};

/*
 * The result does not matter: only whether the filter let the call in.
 * Raw system calls: a sanitizer's interceptors would make calls of their
 * own, on first use, that the filter rightly refuses.
 */
static void
probe_call(enum probe probe)
{
	struct ifconf	 ifc = { 0 };
	int		 n;

	switch (probe) {
	case PROBE_NETLINK_ROUTE:
		(void)syscall(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
		break;
	case PROBE_NETLINK_OTHER:
		(void)syscall(SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_AUDIT);
		break;
	case PROBE_INET_DGRAM:
		(void)syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
		break;
	case PROBE_INET_STREAM:
		(void)syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		break;
	case PROBE_INET6_DGRAM:
		(void)syscall(SYS_socket, AF_INET6, SOCK_DGRAM, 0);
		break;
	case PROBE_INET_RAW:
		(void)syscall(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_UDP);
		break;
	case PROBE_PACKET:
		(void)syscall(SYS_socket, AF_PACKET, SOCK_RAW, 0);
		break;
	case PROBE_UNIX_STREAM:
		(void)syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
		break;
	case PROBE_UNIX_DGRAM:
		(void)syscall(SYS_socket, AF_UNIX, SOCK_DGRAM, 0);
		break;
	case PROBE_IOCTL_FIONREAD:
		(void)syscall(SYS_ioctl, STDIN_FILENO, FIONREAD, &n);
		break;
	case PROBE_IOCTL_SIOCGIFCONF:
		(void)syscall(SYS_ioctl, STDIN_FILENO, SIOCGIFCONF, &ifc);
		break;
	case PROBE_MMAP_EXEC:
		(void)syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		break;
	case PROBE_INOTIFY_INIT:
		(void)syscall(SYS_inotify_init1, WATCH_INOTIFY_FLAGS);
		break;
	case PROBE_INOTIFY_INIT_BLOCKING:
		(void)syscall(SYS_inotify_init1, IN_CLOEXEC);
		break;
	case PROBE_INOTIFY_WATCH:
		(void)syscall(SYS_inotify_add_watch, -1, "/", WATCH_INOTIFY_MASK);
		break;
	case PROBE_INOTIFY_WATCH_OTHER_MASK:
		(void)syscall(SYS_inotify_add_watch, -1, "/", IN_ALL_EVENTS);
		break;
	}
}

/*
 * 1 if the probe ran under filter and the call came back, 0 if the filter
 * killed the child (SIGSYS). Exits by the raw exit_group: no atexit
 * handler runs under the filter, nor a sanitizer's _exit interceptor,
 * which calls sigaltstack(2).
 */
static int
probe_allowed(void (*filter)(void), enum probe probe)
{
	pid_t	pid;
	int	status;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		sandbox_no_new_privs();
		filter();
		probe_call(probe);
		syscall(SYS_exit_group, 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		assert_int_equal(WTERMSIG(status), SIGSYS);
		return 0;
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return 1;
}

static void
test_applier_sockets(void **state)
{
	(void)state;
	assert_true(probe_allowed(applier_sandbox_filter, PROBE_NETLINK_ROUTE));
	assert_false(probe_allowed(applier_sandbox_filter, PROBE_NETLINK_OTHER));
	assert_false(probe_allowed(applier_sandbox_filter, PROBE_INET_DGRAM));
	assert_false(probe_allowed(applier_sandbox_filter, PROBE_INET_STREAM));
	assert_false(probe_allowed(applier_sandbox_filter, PROBE_INET6_DGRAM));
	assert_false(probe_allowed(applier_sandbox_filter, PROBE_PACKET));
	assert_false(probe_allowed(applier_sandbox_filter, PROBE_UNIX_STREAM));
	assert_false(probe_allowed(applier_sandbox_filter, PROBE_UNIX_DGRAM));
}

static void
test_applier_ioctl_and_mmap(void **state)
{
	(void)state;
	assert_true(probe_allowed(applier_sandbox_filter, PROBE_IOCTL_FIONREAD));
	assert_false(probe_allowed(applier_sandbox_filter,
	    PROBE_IOCTL_SIOCGIFCONF));
	assert_false(probe_allowed(applier_sandbox_filter, PROBE_MMAP_EXEC));
}

/* watch.c's inotify, with its own flags and mask only. */
static void
test_applier_inotify(void **state)
{
	(void)state;
	assert_true(probe_allowed(applier_sandbox_filter, PROBE_INOTIFY_INIT));
	assert_false(probe_allowed(applier_sandbox_filter,
	    PROBE_INOTIFY_INIT_BLOCKING));
	assert_true(probe_allowed(applier_sandbox_filter, PROBE_INOTIFY_WATCH));
	assert_false(probe_allowed(applier_sandbox_filter,
	    PROBE_INOTIFY_WATCH_OTHER_MASK));
	assert_false(probe_allowed(fetcher_sandbox_filter, PROBE_INOTIFY_INIT));
}

static void
test_fetcher_sockets(void **state)
{
	(void)state;
	assert_true(probe_allowed(fetcher_sandbox_filter, PROBE_INET_DGRAM));
	assert_true(probe_allowed(fetcher_sandbox_filter, PROBE_INET_STREAM));
	assert_true(probe_allowed(fetcher_sandbox_filter, PROBE_UNIX_STREAM));
	assert_false(probe_allowed(fetcher_sandbox_filter, PROBE_INET_RAW));
	assert_false(probe_allowed(fetcher_sandbox_filter, PROBE_PACKET));
	assert_false(probe_allowed(fetcher_sandbox_filter, PROBE_NETLINK_ROUTE));
	assert_false(probe_allowed(fetcher_sandbox_filter, PROBE_UNIX_DGRAM));
}

static void
test_fetcher_ioctl(void **state)
{
	(void)state;
	assert_true(probe_allowed(fetcher_sandbox_filter, PROBE_IOCTL_FIONREAD));
	assert_false(probe_allowed(fetcher_sandbox_filter,
	    PROBE_IOCTL_SIOCGIFCONF));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_applier_sockets),
		cmocka_unit_test(test_applier_ioctl_and_mmap),
		cmocka_unit_test(test_applier_inotify),
		cmocka_unit_test(test_fetcher_sockets),
		cmocka_unit_test(test_fetcher_ioctl),
	};

	/* A filter that only logs refuses nothing to test. */
	if (SECCOMP_AUDIT)
		return 0;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
