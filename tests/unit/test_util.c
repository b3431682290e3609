/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for common/util.c: what a process about to exit still writes
 * of a bufferevent's queue, and the small formatting helpers.
 */

#include <sys/socket.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "util.h"

/*
 * A reply queued on a socket bufferevent whose loop never runs again (the
 * fetcher's SIGTERM came first) still reaches the peer, in full: libevent
 * freezes the start of that queue, so writing it through the evbuffer
 * would fail, as it once did.
 */
static void
test_flush_bufferevent_writes_the_queue(void **state)
{
	struct event_base	*base;
	struct bufferevent	*bev;
	char			*reply, *got;
	size_t			 len = 10000, have = 0;
	ssize_t			 n;
	int			 sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_non_null(base = event_base_new());
	assert_non_null(bev = bufferevent_socket_new(base, sv[0], 0));
	assert_non_null(reply = malloc(len));
	assert_non_null(got = malloc(len));
	memset(reply, 'r', len);
	reply[len - 1] = '\n';
	/* Queued, and the loop has not run: nothing is written yet. */
	assert_int_equal(bufferevent_write(bev, reply, len), 0);
	assert_int_equal(flush_bufferevent(bev, 1000), 0);
	assert_int_equal(close(sv[0]), 0);
	while ((n = read(sv[1], got + have, len - have)) > 0)
		have += (size_t)n;
	assert_int_equal(have, len);
	assert_memory_equal(got, reply, len);
	bufferevent_free(bev);
	event_base_free(base);
	close(sv[1]);
	free(reply);
	free(got);
}

/* A peer that is gone: -1, not a hang or a crash. */
static void
test_flush_bufferevent_peer_gone(void **state)
{
	struct event_base	*base;
	struct bufferevent	*bev;
	int			 sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_non_null(base = event_base_new());
	assert_non_null(bev = bufferevent_socket_new(base, sv[0],
	    BEV_OPT_CLOSE_ON_FREE));
	assert_int_equal(bufferevent_write(bev, "x\n", 2), 0);
	close(sv[1]);
	assert_int_equal(flush_bufferevent(bev, 1000), -1);
	bufferevent_free(bev);
	event_base_free(base);
}

static void
test_format_duration(void **state)
{
	char	buf[32];

	(void)state;
	format_duration(7, buf, sizeof(buf));
	assert_string_equal(buf, "7s");
	format_duration(4 * 60 + 2, buf, sizeof(buf));
	assert_string_equal(buf, "4m2s");
	format_duration(3 * 3600 + 25 * 60 + 10, buf, sizeof(buf));
	assert_string_equal(buf, "3h25m10s");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flush_bufferevent_writes_the_queue),
		cmocka_unit_test(test_flush_bufferevent_peer_gone),
		cmocka_unit_test(test_format_duration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
