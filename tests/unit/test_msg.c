/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for common/msg.c: framing, channels over a real socketpair and
 * event loop, and descriptor passing.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "msg.h"

#define INBOX_MAX	64	/* messages a test keeps for inspection */
#define BURST_COUNT	1000
#define RUN_TIMEOUT_S	10	/* a test waiting longer has failed */

/* One dispatched message, copied since the payload is freed on return. */
struct record {
	struct msg_hdr	 hdr;
	unsigned char	*payload;
	int		 fd;
};

/* What one channel's callbacks saw. */
struct inbox {
	struct record	 rec[INBOX_MAX];
	size_t		 n;		/* messages dispatched */
	size_t		 close_after;	/* dispatch closes after this many */
	int		 closed_calls;
	int		 malformed;
	int		 reopen_fd;	/* closed() reopens the channel on it */
	struct event_base *base;
	size_t		 burst_errors;
};

struct fixture {
	struct event_base *base;
	struct event	*timeout;
	int		 timed_out;
	int		 fds[2];	/* socketpair ends not yet in a channel */
	struct msgchan	 sender;
	struct msgchan	 receiver;
	struct inbox	 at_sender;
	struct inbox	 at_receiver;
};

/* The payload size each message type has on the wire. */
static const struct {
	uint32_t	 type;
	size_t		 size;
	const char	*name;
	int		 has_fd;
} types[] = {
	{ MSG_CONFIG, sizeof(struct config), "MSG_CONFIG", 0 },
	{ MSG_DB_SECRET, sizeof(struct config_secret), "MSG_DB_SECRET", 0 },
	{ MSG_HTTP_LISTENER, 0, "MSG_HTTP_LISTENER", 1 },
	{ MSG_CONTROL_LISTENER, 0, "MSG_CONTROL_LISTENER", 1 },
	{ MSG_PEER_CHANNEL, 0, "MSG_PEER_CHANNEL", 1 },
	{ MSG_START, 0, "MSG_START", 0 },
	{ MSG_LOG_LEVEL, sizeof(struct msg_log_level), "MSG_LOG_LEVEL", 0 },
	{ MSG_READY, 0, "MSG_READY", 0 },
	{ MSG_PEER_MALFORMED, 0, "MSG_PEER_MALFORMED", 0 },
	{ MSG_APPLY_COMMAND, 0, "MSG_APPLY_COMMAND", 0 },
	{ MSG_SNAPSHOT_BEGIN, sizeof(struct msg_snapshot), "MSG_SNAPSHOT_BEGIN",
	    0 },
	{ MSG_SNAPSHOT_ROW, sizeof(struct msg_row), "MSG_SNAPSHOT_ROW", 0 },
	{ MSG_SNAPSHOT_END, sizeof(struct msg_snapshot), "MSG_SNAPSHOT_END", 0 },
	{ MSG_RESULT, sizeof(struct msg_result), "MSG_RESULT", 0 },
	{ MSG_RESULTS_END, sizeof(struct msg_results_end), "MSG_RESULTS_END",
	    0 },
	{ MSG_DB_ADDRESS, sizeof(struct msg_db_address), "MSG_DB_ADDRESS", 0 },
	{ MSG_SYNC, sizeof(struct msg_sync), "MSG_SYNC", 0 },
	{ MSG_RELOAD, 0, "MSG_RELOAD", 0 },
	{ MSG_SET_LOG_LEVEL, sizeof(struct msg_log_level), "MSG_SET_LOG_LEVEL",
	    0 },
	{ MSG_RELOAD_RESULT, sizeof(struct msg_reload_result),
	    "MSG_RELOAD_RESULT", 0 },
	{ MSG_SANDBOX_STATE, sizeof(struct msg_sandbox_state),
	    "MSG_SANDBOX_STATE", 0 },
	{ MSG_SNAPSHOT_UNCHANGED, sizeof(struct msg_snapshot_unchanged),
	    "MSG_SNAPSHOT_UNCHANGED", 0 },
	{ MSG_POLL_REQUEST, sizeof(struct msg_poll_request),
	    "MSG_POLL_REQUEST", 0 },
};
#define NTYPES	(sizeof(types) / sizeof(types[0]))

static void
fill_pattern(unsigned char *buf, size_t len, unsigned seed)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

static int
has_pattern(const unsigned char *buf, size_t len, unsigned seed)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (buf[i] != (unsigned char)(seed * 31 + i * 7 + 1))
			return 0;
	return 1;
}

/* Adds one message's bytes as a peer would send them. */
static void
add_raw(struct evbuffer *buf, uint32_t type, uint32_t len, uint32_t peerid,
    const void *payload)
{
	struct msg_hdr	 hdr = { type, len, peerid, 1 };

	assert_int_equal(evbuffer_add(buf, &hdr, sizeof(hdr)), 0);
	if (payload != NULL)
		assert_int_equal(evbuffer_add(buf, payload, len), 0);
}

/* True once every other end of the pipe is closed: read() sees EOF. */
static int
pipe_at_eof(int rd)
{
	struct pollfd	 pfd = { rd, POLLIN, 0 };
	char		 c;

	if (poll(&pfd, 1, 2000) != 1)
		return 0;
	return read(rd, &c, 1) == 0;
}

static int
fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* Callbacks */

static void
record_dispatch(struct msgchan *ch, struct msg *m, void *arg)
{
	struct inbox	*box = arg;
	struct record	*r;

	if (box->n < INBOX_MAX) {
		r = &box->rec[box->n];
		r->hdr = m->hdr;
		r->fd = m->fd;
		if (m->hdr.len > 0) {
			r->payload = malloc(m->hdr.len);
			assert_non_null(r->payload);
			memcpy(r->payload, m->data, m->hdr.len);
		}
	} else if (m->fd != -1)
		close(m->fd);
	box->n++;
	if (box->close_after != 0 && box->n == box->close_after)
		msgchan_close(ch);
}

static void
burst_dispatch(struct msgchan *ch, struct msg *m, void *arg)
{
	struct inbox	*box = arg;

	(void)ch;
	if (m->hdr.type != MSG_CONFIG || m->hdr.peerid != box->n ||
	    m->hdr.len != MSG_MAX_PAYLOAD ||
	    !has_pattern(m->data, m->hdr.len, m->hdr.peerid))
		box->burst_errors++;
	box->n++;
}

static void
record_closed(struct msgchan *ch, int malformed, void *arg)
{
	struct inbox	*box = arg;

	box->closed_calls++;
	box->malformed = malformed;
	assert_false(msgchan_is_open(ch));
	if (box->reopen_fd != -1) {
		assert_int_equal(msgchan_open(ch, box->base, box->reopen_fd,
		    "reopened", 1, record_dispatch, record_closed, box), 0);
		box->reopen_fd = -1;
	}
}

static void
on_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct fixture	*f = arg;

	(void)fd;
	(void)events;
	f->timed_out = 1;
}

/* Fixture */

static int
setup(void **state)
{
	struct fixture	*f;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->base = event_base_new();
	assert_non_null(f->base);
	f->timeout = evtimer_new(f->base, on_timeout, f);
	assert_non_null(f->timeout);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, f->fds), 0);
	f->sender.fd = f->receiver.fd = -1;
	f->at_sender.reopen_fd = f->at_receiver.reopen_fd = -1;
	f->at_sender.base = f->at_receiver.base = f->base;
	*state = f;
	return 0;
}

static void
inbox_clear(struct inbox *box)
{
	size_t	 i;

	for (i = 0; i < box->n && i < INBOX_MAX; i++) {
		free(box->rec[i].payload);
		if (box->rec[i].fd != -1)
			close(box->rec[i].fd);
	}
	if (box->reopen_fd != -1)
		close(box->reopen_fd);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	msgchan_close(&f->sender);
	msgchan_close(&f->receiver);
	if (f->fds[0] != -1)
		close(f->fds[0]);
	if (f->fds[1] != -1)
		close(f->fds[1]);
	inbox_clear(&f->at_sender);
	inbox_clear(&f->at_receiver);
	event_free(f->timeout);
	event_base_free(f->base);
	free(f);
	return 0;
}

static void
open_receiver(struct fixture *f, int accept_fds, msg_dispatch_fn dispatch)
{
	assert_int_equal(msgchan_open(&f->receiver, f->base, f->fds[1],
	    "receiver", accept_fds, dispatch, record_closed, &f->at_receiver),
	    0);
	f->fds[1] = -1;
}

static void
open_sender(struct fixture *f)
{
	assert_int_equal(msgchan_open(&f->sender, f->base, f->fds[0],
	    "sender", 1, record_dispatch, record_closed, &f->at_sender), 0);
	f->fds[0] = -1;
}

static void
open_pair(struct fixture *f, int receiver_accepts_fds)
{
	open_sender(f);
	open_receiver(f, receiver_accepts_fds, record_dispatch);
}

/* Runs the loop until the receiver has want messages or was closed. */
static void
run(struct fixture *f, size_t want)
{
	struct timeval	 tv = { RUN_TIMEOUT_S, 0 };

	f->timed_out = 0;
	assert_int_equal(evtimer_add(f->timeout, &tv), 0);
	while (f->at_receiver.n < want && f->at_receiver.closed_calls == 0 &&
	    !f->timed_out)
		assert_int_not_equal(event_base_loop(f->base, EVLOOP_ONCE), -1);
	evtimer_del(f->timeout);
	assert_false(f->timed_out);
}

static void
make_pipe(int p[2])
{
	assert_int_equal(pipe(p), 0);
}

/* Framing without a channel */

static void
test_type_names(void **state)
{
	uint32_t	 type;
	size_t		 i;

	(void)state;
	for (i = 0; i < NTYPES; i++)
		assert_string_equal(msg_type_name(types[i].type),
		    types[i].name);
	assert_string_equal(msg_type_name(MSG_NONE), "MSG_NONE");
	assert_string_equal(msg_type_name(MSG_TYPE_MAX), "unknown");
	assert_string_equal(msg_type_name(UINT32_MAX), "unknown");
	/* A type added to msg.h needs a name in msg.c and a row in types[]. */
	for (type = MSG_NONE + 1; type < MSG_TYPE_MAX; type++)
		assert_string_not_equal(msg_type_name(type), "unknown");
	assert_int_equal(NTYPES, MSG_TYPE_MAX - 1);
}

static void
test_type_has_fd(void **state)
{
	size_t	 i;

	(void)state;
	for (i = 0; i < NTYPES; i++)
		assert_int_equal(msg_type_has_fd(types[i].type) != 0,
		    types[i].has_fd);
	assert_false(msg_type_has_fd(MSG_NONE));
	assert_false(msg_type_has_fd(MSG_TYPE_MAX));
}

static void
test_get_partial(void **state)
{
	static const uint32_t	 lens[] = { 0, 1, 15, 16, 17, 4096,
				     MSG_MAX_PAYLOAD };
	struct evbuffer		*wire, *in;
	struct msg		 m;
	unsigned char		*payload, byte;
	size_t			 i, total, fed;

	(void)state;
	payload = malloc(MSG_MAX_PAYLOAD);
	assert_non_null(payload);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		wire = evbuffer_new();
		in = evbuffer_new();
		fill_pattern(payload, lens[i], i);
		add_raw(wire, MSG_CONFIG, lens[i], 42 + i, payload);
		total = evbuffer_get_length(wire);
		for (fed = 0; fed < total - 1; fed++) {
			assert_int_equal(evbuffer_remove(wire, &byte, 1), 1);
			assert_int_equal(evbuffer_add(in, &byte, 1), 0);
			assert_int_equal(msg_get(in, &m), 0);
		}
		assert_int_equal(evbuffer_remove(wire, &byte, 1), 1);
		assert_int_equal(evbuffer_add(in, &byte, 1), 0);
		assert_int_equal(msg_get(in, &m), 1);
		assert_int_equal(m.hdr.type, MSG_CONFIG);
		assert_int_equal(m.hdr.len, lens[i]);
		assert_int_equal(m.hdr.peerid, 42 + i);
		assert_int_equal(m.fd, -1);
		assert_true(has_pattern(m.data, lens[i], i));
		assert_int_equal(evbuffer_get_length(in), 0);
		msg_free(&m);
		assert_null(m.data);
		evbuffer_free(wire);
		evbuffer_free(in);
	}
	free(payload);
}

static void
test_get_several_in_one_buffer(void **state)
{
	struct evbuffer		*in;
	struct msg		 m;
	struct msg_log_level	 level = { LOG_LEVEL_DEBUG };

	(void)state;
	in = evbuffer_new();
	add_raw(in, MSG_START, 0, 1, NULL);
	add_raw(in, MSG_LOG_LEVEL, sizeof(level), 2, &level);
	add_raw(in, MSG_READY, 0, 3, NULL);
	assert_int_equal(msg_get(in, &m), 1);
	assert_int_equal(m.hdr.type, MSG_START);
	assert_null(m.data);
	msg_free(&m);
	assert_int_equal(msg_get(in, &m), 1);
	assert_int_equal(m.hdr.type, MSG_LOG_LEVEL);
	assert_memory_equal(m.data, &level, sizeof(level));
	msg_free(&m);
	assert_int_equal(msg_get(in, &m), 1);
	assert_int_equal(m.hdr.type, MSG_READY);
	msg_free(&m);
	assert_int_equal(msg_get(in, &m), 0);
	evbuffer_free(in);
}

static void
test_get_rejects_broken_headers(void **state)
{
	static const struct {
		uint32_t	 type;
		uint32_t	 len;
		int		 expect;
	} cases[] = {
		{ MSG_CONFIG, MSG_MAX_PAYLOAD + 1, -1 },
		{ MSG_CONFIG, UINT32_MAX, -1 },
		{ MSG_START, MSG_MAX_PAYLOAD + 1, -1 },
		{ MSG_NONE, 0, -1 },
		{ MSG_TYPE_MAX, 0, -1 },
		{ 999, 4, -1 },
		{ UINT32_MAX, 0, -1 },
		/* Well-formed: waits for the payload, or delivers. */
		{ MSG_CONFIG, MSG_MAX_PAYLOAD, 0 },
		{ MSG_START, 0, 1 },
	};
	struct evbuffer	*in;
	struct msg	 m;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in = evbuffer_new();
		add_raw(in, cases[i].type, cases[i].len, 0, NULL);
		errno = 0;
		assert_int_equal(msg_get(in, &m), cases[i].expect);
		if (cases[i].expect == -1) {
			assert_int_equal(errno, EBADMSG);
			assert_int_equal(evbuffer_get_length(in),
			    MSG_HDR_SIZE);
		}
		msg_free(&m);
		evbuffer_free(in);
	}
}

static void
test_payload_sizes(void **state)
{
	struct msgchan	 ch = { .fd = -1, .peer = "test" };
	unsigned char	*wire, *dst;
	struct msg	 m;
	size_t		 i, size;

	(void)state;
	wire = malloc(MSG_MAX_PAYLOAD + 1);
	dst = malloc(MSG_MAX_PAYLOAD + 1);
	assert_non_null(wire);
	assert_non_null(dst);
	for (i = 0; i < NTYPES; i++) {
		size = types[i].size;
		fill_pattern(wire, size + 1, i);
		memset(&m, 0, sizeof(m));
		m.hdr.type = types[i].type;
		m.data = wire;
		m.fd = -1;

		m.hdr.len = size;
		memset(dst, 0, size + 1);
		assert_int_equal(msg_payload(&ch, &m, dst, size), 0);
		assert_memory_equal(dst, wire, size);
		assert_int_equal(dst[size], 0);	/* nothing past size */
		if (size == 0)
			assert_int_equal(msg_payload_empty(&ch, &m), 0);

		/* One byte long, one byte short: refused, dst untouched. */
		m.hdr.len = size + 1;
		memset(dst, 0xa5, size + 1);
		assert_int_equal(msg_payload(&ch, &m, dst, size), -1);
		assert_int_equal(dst[0], 0xa5);
		if (size == 0)
			assert_int_equal(msg_payload_empty(&ch, &m), -1);
		else {
			m.hdr.len = size - 1;
			assert_int_equal(msg_payload(&ch, &m, dst, size), -1);
			assert_int_equal(dst[0], 0xa5);
		}
	}
	free(wire);
	free(dst);
}

/* Channels */

static void
test_round_trip_every_type(void **state)
{
	struct fixture	*f = *state;
	unsigned char	*payload;
	struct record	*r;
	struct stat	 st;
	struct msg	 m;
	int		 p[2], pipe_rd[NTYPES];
	size_t		 i;

	open_pair(f, 1);
	payload = malloc(MSG_MAX_PAYLOAD);
	assert_non_null(payload);
	for (i = 0; i < NTYPES; i++) {
		pipe_rd[i] = -1;
		p[1] = -1;
		if (types[i].has_fd) {
			make_pipe(p);
			pipe_rd[i] = p[0];
		}
		fill_pattern(payload, types[i].size, i);
		assert_int_equal(msg_compose(&f->sender, types[i].type, 100 + i,
		    p[1], payload, types[i].size), 0);
	}
	run(f, NTYPES);
	assert_int_equal(f->at_receiver.n, NTYPES);
	assert_int_equal(f->at_receiver.closed_calls, 0);
	for (i = 0; i < NTYPES; i++) {
		r = &f->at_receiver.rec[i];
		assert_int_equal(r->hdr.type, types[i].type);
		assert_int_equal(r->hdr.peerid, 100 + i);
		assert_int_equal(r->hdr.pid, getpid());
		assert_int_equal(r->hdr.len, types[i].size);
		assert_true(has_pattern(r->payload, types[i].size, i));
		m.hdr = r->hdr;
		m.data = r->payload;
		assert_int_equal(msg_payload(&f->receiver, &m, payload,
		    types[i].size), 0);
		if (!types[i].has_fd) {
			assert_int_equal(r->fd, -1);
			continue;
		}
		assert_int_equal(fstat(r->fd, &st), 0);
		assert_true(S_ISFIFO(st.st_mode));
		assert_true(fcntl(r->fd, F_GETFD) & FD_CLOEXEC);
		close(r->fd);
		r->fd = -1;
		assert_true(pipe_at_eof(pipe_rd[i]));
		close(pipe_rd[i]);
	}
	free(payload);
}

static void
test_fd_passing_pipe(void **state)
{
	struct fixture	*f = *state;
	char		 buf[16];
	int		 p[2];

	open_pair(f, 1);
	make_pipe(p);
	assert_int_equal(msg_compose(&f->sender, MSG_PEER_CHANNEL, 7, p[1],
	    NULL, 0), 0);
	run(f, 1);
	assert_int_equal(f->at_receiver.rec[0].hdr.type, MSG_PEER_CHANNEL);
	assert_int_not_equal(f->at_receiver.rec[0].fd, -1);
	assert_int_equal(write(f->at_receiver.rec[0].fd, "hello", 5), 5);
	close(f->at_receiver.rec[0].fd);
	f->at_receiver.rec[0].fd = -1;
	assert_int_equal(read(p[0], buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	/* The sender closed its copy once sent. */
	assert_true(pipe_at_eof(p[0]));
	close(p[0]);
}

/*
 * Descriptor messages between fd-less ones, all queued before the loop runs
 * so they share sends and reads: each descriptor must reach its own message.
 */
static void
test_fd_order_interleaved(void **state)
{
	struct fixture		*f = *state;
	struct msg_log_level	 level;
	struct record		*r;
	int			 pipe_rd[INBOX_MAX], p[2];
	size_t			 i, count = 40;
	char			 c;

	open_pair(f, 1);
	for (i = 0; i < count; i++) {
		pipe_rd[i] = -1;
		if (i % 3 == 1 || i % 7 == 0) {
			make_pipe(p);
			pipe_rd[i] = p[0];
			assert_int_equal(msg_compose(&f->sender,
			    i % 2 ? MSG_PEER_CHANNEL : MSG_HTTP_LISTENER, i,
			    p[1], NULL, 0), 0);
		} else {
			level.level = i;
			assert_int_equal(msg_compose(&f->sender, MSG_LOG_LEVEL,
			    i, -1, &level, sizeof(level)), 0);
		}
	}
	run(f, count);
	assert_int_equal(f->at_receiver.n, count);
	for (i = 0; i < count; i++) {
		r = &f->at_receiver.rec[i];
		assert_int_equal(r->hdr.peerid, i);
		if (pipe_rd[i] == -1) {
			assert_int_equal(r->hdr.type, MSG_LOG_LEVEL);
			assert_int_equal(r->fd, -1);
			continue;
		}
		c = (char)i;
		assert_int_equal(write(r->fd, &c, 1), 1);
		assert_int_equal(read(pipe_rd[i], &c, 1), 1);
		assert_int_equal(c, (char)i);
		close(r->fd);
		r->fd = -1;
		assert_true(pipe_at_eof(pipe_rd[i]));
		close(pipe_rd[i]);
	}
}

static void
test_refuses_fds(void **state)
{
	struct fixture	*f = *state;
	int		 p[2];

	open_pair(f, 0);
	make_pipe(p);
	assert_int_equal(msg_compose(&f->sender, MSG_PEER_CHANNEL, 0, p[1],
	    NULL, 0), 0);
	run(f, 1);
	assert_int_equal(f->at_receiver.n, 0);
	assert_int_equal(f->at_receiver.closed_calls, 1);
	assert_int_equal(f->at_receiver.malformed, 1);
	assert_false(msgchan_is_open(&f->receiver));
	assert_true(pipe_at_eof(p[0]));
	close(p[0]);
}

static void
test_peer_close(void **state)
{
	struct fixture	*f = *state;

	open_pair(f, 1);
	assert_int_equal(msg_compose(&f->sender, MSG_READY, 0, -1, NULL, 0),
	    0);
	assert_int_equal(msgchan_flush(&f->sender), 0);
	msgchan_close(&f->sender);
	run(f, 2);
	assert_int_equal(f->at_receiver.n, 1);
	assert_int_equal(f->at_receiver.closed_calls, 1);
	assert_int_equal(f->at_receiver.malformed, 0);
	assert_false(msgchan_is_open(&f->receiver));
	assert_int_equal(f->at_sender.closed_calls, 0);
}

static void
test_burst(void **state)
{
	struct fixture	*f = *state;
	unsigned char	*payload;
	size_t		 i;

	open_sender(f);
	open_receiver(f, 1, burst_dispatch);
	payload = malloc(MSG_MAX_PAYLOAD);
	assert_non_null(payload);
	for (i = 0; i < BURST_COUNT; i++) {
		fill_pattern(payload, MSG_MAX_PAYLOAD, i);
		assert_int_equal(msg_compose(&f->sender, MSG_CONFIG, i, -1,
		    payload, MSG_MAX_PAYLOAD), 0);
	}
	free(payload);
	run(f, BURST_COUNT);
	assert_int_equal(f->at_receiver.n, BURST_COUNT);
	assert_int_equal(f->at_receiver.burst_errors, 0);
	assert_int_equal(f->at_receiver.closed_calls, 0);
	assert_int_equal(evbuffer_get_length(f->sender.out), 0);
}

static void
test_compose_rejects(void **state)
{
	struct fixture	*f = *state;
	static char	 big[MSG_MAX_PAYLOAD + 1];
	int		 p[2];
	struct {
		uint32_t	 type;
		int		 with_fd;
		size_t		 len;
		int		 err;
	} cases[] = {
		{ MSG_CONFIG, 0, MSG_MAX_PAYLOAD + 1, EMSGSIZE },
		{ MSG_PEER_CHANNEL, 1, MSG_MAX_PAYLOAD + 1, EMSGSIZE },
		{ MSG_CONFIG, 1, sizeof(struct config), EINVAL },
		{ MSG_START, 1, 0, EINVAL },
		{ MSG_PEER_CHANNEL, 0, 0, EINVAL },
		{ MSG_HTTP_LISTENER, 0, 0, EINVAL },
		{ MSG_NONE, 0, 0, EINVAL },
		{ MSG_TYPE_MAX, 0, 0, EINVAL },
	};
	size_t		 i;

	open_pair(f, 1);
	make_pipe(p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		errno = 0;
		assert_int_equal(msg_compose(&f->sender, cases[i].type, 0,
		    cases[i].with_fd ? p[1] : -1, big, cases[i].len), -1);
		assert_int_equal(errno, cases[i].err);
		/* Refused: nothing queued, the descriptor still ours. */
		assert_int_equal(evbuffer_get_length(f->sender.out), 0);
		assert_true(fd_is_open(p[1]));
	}
	close(p[0]);
	close(p[1]);
	msgchan_close(&f->sender);
	errno = 0;
	assert_int_equal(msg_compose(&f->sender, MSG_START, 0, -1, NULL, 0),
	    -1);
	assert_int_equal(errno, EBADF);
}

static void
test_flush(void **state)
{
	struct fixture	*f = *state;
	int		 p[2];

	open_pair(f, 1);
	make_pipe(p);
	assert_int_equal(msg_compose(&f->sender, MSG_START, 1, -1, NULL, 0),
	    0);
	assert_int_equal(msg_compose(&f->sender, MSG_PEER_CHANNEL, 2, p[1],
	    NULL, 0), 0);
	assert_int_equal(msgchan_flush(&f->sender), 0);
	assert_int_equal(evbuffer_get_length(f->sender.out), 0);
	/* Already on the wire: the receiver gets both without the sender. */
	msgchan_close(&f->sender);
	run(f, 2);
	assert_int_equal(f->at_receiver.n, 2);
	assert_int_equal(f->at_receiver.rec[1].hdr.type, MSG_PEER_CHANNEL);
	assert_int_not_equal(f->at_receiver.rec[1].fd, -1);
	close(p[0]);
	assert_int_equal(msgchan_flush(&f->sender), -1);
}

/* Counts the messages of a burst on fd; exits 0 if all arrived intact. */
static void
drain_burst(int fd, size_t count)
{
	struct evbuffer	*in = evbuffer_new();
	struct msg	 m;
	size_t		 n = 0;
	int		 rv;

	while (n < count && in != NULL && evbuffer_read(in, fd, 65536) > 0) {
		while ((rv = msg_get(in, &m)) == 1) {
			if (m.hdr.peerid != n ||
			    !has_pattern(m.data, m.hdr.len, n))
				_exit(2);
			msg_free(&m);
			n++;
		}
		if (rv == -1)
			_exit(3);
	}
	_exit(n == count ? 0 : 1);
}

/* More than the socket holds: flush must wait for the reader, not fail. */
static void
test_flush_waits_for_reader(void **state)
{
	struct fixture	*f = *state;
	unsigned char	*payload;
	size_t		 i, count = 200;
	pid_t		 pid;
	int		 status;

	open_sender(f);
	payload = malloc(MSG_MAX_PAYLOAD);
	assert_non_null(payload);
	for (i = 0; i < count; i++) {
		fill_pattern(payload, MSG_MAX_PAYLOAD, i);
		assert_int_equal(msg_compose(&f->sender, MSG_CONFIG, i, -1,
		    payload, MSG_MAX_PAYLOAD), 0);
	}
	free(payload);
	pid = fork();
	assert_int_not_equal(pid, -1);
	if (pid == 0)
		drain_burst(f->fds[1], count);
	assert_int_equal(msgchan_flush(&f->sender), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Bytes a broken or hostile peer could send; each must end the channel. */
static void
test_malformed_streams(void **state)
{
	static const struct {
		uint32_t	 type;
		uint32_t	 len;
	} cases[] = {
		{ 999, 0 },
		{ MSG_NONE, 0 },
		{ MSG_TYPE_MAX, 0 },
		{ MSG_CONFIG, MSG_MAX_PAYLOAD + 1 },
		{ MSG_PEER_CHANNEL, 0 },	/* no descriptor with it */
	};
	struct fixture	*f;
	struct msg_hdr	 hdr;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(setup(state), 0);
		f = *state;
		open_receiver(f, 1, record_dispatch);
		hdr = (struct msg_hdr){ cases[i].type, cases[i].len, 0, 1 };
		assert_int_equal(write(f->fds[0], &hdr, sizeof(hdr)),
		    sizeof(hdr));
		run(f, 1);
		assert_int_equal(f->at_receiver.n, 0);
		assert_int_equal(f->at_receiver.closed_calls, 1);
		assert_int_equal(f->at_receiver.malformed, 1);
		assert_int_equal(teardown(state), 0);
	}
	*state = NULL;
}

/* More descriptors than may wait unclaimed, all in one send. */
static void
test_too_many_fds(void **state)
{
	struct fixture	*f = *state;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int) *
				    (MSG_MAX_FDS + 1))];
	}		 cmsgbuf;
	struct msg_hdr	 hdr = { MSG_PEER_CHANNEL, 0, 0, 1 };
	struct iovec	 iov = { &hdr, sizeof(hdr) };
	struct msghdr	 mh;
	int		 rd[MSG_MAX_FDS + 1], wr[MSG_MAX_FDS + 1], p[2];
	size_t		 i;

	open_receiver(f, 1, record_dispatch);
	for (i = 0; i < MSG_MAX_FDS + 1; i++) {
		make_pipe(p);
		rd[i] = p[0];
		wr[i] = p[1];
	}
	memset(&cmsgbuf, 0, sizeof(cmsgbuf));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	cmsgbuf.hdr.cmsg_level = SOL_SOCKET;
	cmsgbuf.hdr.cmsg_type = SCM_RIGHTS;
	cmsgbuf.hdr.cmsg_len = CMSG_LEN(sizeof(wr));
	memcpy(CMSG_DATA(&cmsgbuf.hdr), wr, sizeof(wr));
	assert_int_equal(sendmsg(f->fds[0], &mh, 0), sizeof(hdr));
	for (i = 0; i < MSG_MAX_FDS + 1; i++)
		close(wr[i]);
	run(f, 1);
	assert_int_equal(f->at_receiver.n, 0);
	assert_int_equal(f->at_receiver.closed_calls, 1);
	assert_int_equal(f->at_receiver.malformed, 1);
	for (i = 0; i < MSG_MAX_FDS + 1; i++) {
		assert_true(pipe_at_eof(rd[i]));
		close(rd[i]);
	}
}

static void
test_dispatch_closes_channel(void **state)
{
	struct fixture	*f = *state;
	size_t		 i;

	open_pair(f, 1);
	f->at_receiver.close_after = 2;
	for (i = 0; i < 5; i++)
		assert_int_equal(msg_compose(&f->sender, MSG_READY, i, -1,
		    NULL, 0), 0);
	assert_int_equal(msgchan_flush(&f->sender), 0);
	run(f, 2);
	/* Give the loop a chance to touch the closed channel by mistake. */
	assert_int_equal(event_base_loop(f->base, EVLOOP_NONBLOCK), 1);
	assert_int_equal(f->at_receiver.n, 2);
	assert_int_equal(f->at_receiver.closed_calls, 0);
	assert_false(msgchan_is_open(&f->receiver));
	msgchan_close(&f->receiver);	/* twice is fine */
}

static void
test_closed_callback_reopens(void **state)
{
	struct fixture	*f = *state;
	int		 second[2];

	open_pair(f, 1);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, second), 0);
	f->at_receiver.reopen_fd = second[1];
	msgchan_close(&f->sender);
	run(f, 1);
	assert_int_equal(f->at_receiver.closed_calls, 1);
	assert_true(msgchan_is_open(&f->receiver));
	assert_string_equal(f->receiver.peer, "reopened");

	assert_int_equal(msgchan_open(&f->sender, f->base, second[0], "sender",
	    1, record_dispatch, record_closed, &f->at_sender), 0);
	assert_int_equal(msg_compose(&f->sender, MSG_START, 9, -1, NULL, 0),
	    0);
	f->at_receiver.closed_calls = 0;
	run(f, 1);
	assert_int_equal(f->at_receiver.n, 1);
	assert_int_equal(f->at_receiver.rec[0].hdr.peerid, 9);
}

/* Closing with descriptors still queued must not leak them. */
static void
test_close_releases_queued_fds(void **state)
{
	struct fixture	*f = *state;
	int		 p[2], q[2];

	open_pair(f, 1);
	make_pipe(p);
	make_pipe(q);
	assert_int_equal(msg_compose(&f->sender, MSG_PEER_CHANNEL, 0, p[1],
	    NULL, 0), 0);
	assert_int_equal(msg_compose(&f->sender, MSG_CONTROL_LISTENER, 0,
	    q[1], NULL, 0), 0);
	msgchan_close(&f->sender);
	msgchan_close(&f->sender);
	assert_false(msgchan_is_open(&f->sender));
	assert_true(pipe_at_eof(p[0]));
	assert_true(pipe_at_eof(q[0]));
	close(p[0]);
	close(q[0]);
}

static void
test_open_rejects_bad_fd(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(msgchan_open(&f->sender, f->base, -1, "sender", 1,
	    record_dispatch, record_closed, &f->at_sender), -1);
	assert_false(msgchan_is_open(&f->sender));
	msgchan_close(&f->sender);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_type_has_fd),
		cmocka_unit_test(test_get_partial),
		cmocka_unit_test(test_get_several_in_one_buffer),
		cmocka_unit_test(test_get_rejects_broken_headers),
		cmocka_unit_test(test_payload_sizes),
		cmocka_unit_test_setup_teardown(test_round_trip_every_type,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_passing_pipe,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fd_order_interleaved,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_fds,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_close,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compose_rejects,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_waits_for_reader,
		    setup, teardown),
		cmocka_unit_test(test_malformed_streams),
		cmocka_unit_test_setup_teardown(test_too_many_fds,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_dispatch_closes_channel,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_callback_reopens,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_releases_queued_fds,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_rejects_bad_fd,
		    setup, teardown),
	};

	/* Expected warnings (refused sizes, broken peers) stay quiet. */
	log_init("test_msg", LOG_DEST_STDERR, LOG_FORMAT_TEXT, LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
