/* SPDX-License-Identifier: ISC */
/*
 * Message channels between multinicd's processes: framing (struct msg_hdr
 * followed by a fixed-size payload) and descriptor passing over a socketpair.
 *
 * Why not bufferevents: a bufferevent reads with read(2), which discards
 * SCM_RIGHTS ancillary data, and descriptors must travel: the supervisor
 * hands a restarted child's peer a new socketpair end, and the fetcher its
 * listening sockets. So a channel keeps libevent's evbuffers for the bytes
 * and two events of its own (EV_READ always, EV_WRITE only while output is
 * pending), reading with recvmsg(2) and writing with sendmsg(2).
 *
 * Pairing descriptors with messages: the sender attaches each descriptor to
 * a sendmsg() whose data starts with the first byte of its message, and
 * never sends past the start of the next descriptor's message without it.
 * A unix stream socket delivers ancillary data with the first byte it was
 * sent with, and a recvmsg() ends after the data that carried descriptors,
 * so they arrive in stream order, each no later than its message is
 * complete: the receiver keeps them in a FIFO (fds_in) and gives the oldest
 * to each descriptor-carrying message as it completes.
 *
 * The end of a channel, whether the peer closed, an I/O error or a broken
 * message: the channel is closed first and then closed() is called, so the
 * callback may msgchan_open() the same struct on a new descriptor, or free
 * it. dispatch() may msgchan_close() its own channel (reading stops there),
 * but must not free it.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "msg.h"
#include "log.h"

#define MSG_READ_SIZE		65536	/* bytes asked of one recvmsg() */
#define MSG_IOV_MAX		16	/* evbuffer chunks per sendmsg() */
#define MSG_FLUSH_TIMEOUT_MS	5000	/* a peer reading nothing this long is gone */

/* A descriptor waiting to leave with the first byte of its message. */
struct msg_pending_fd {
	STAILQ_ENTRY(msg_pending_fd)	 entry;
	uint64_t			 offset;	/* stream position of its message */
	int				 fd;
};

/*
 * Behind ch->outfds. Positions count bytes queued since the channel opened,
 * so they stay valid while ch->out drains.
 */
struct msg_outfd {
	STAILQ_HEAD(, msg_pending_fd)	 queue;
	uint64_t			 sent;		/* stream bytes written so far */
};

enum msg_io {
	MSG_IO_DONE,
	MSG_IO_AGAIN,		/* the socket has nothing, or no room */
	MSG_IO_CLOSED,		/* EOF or an I/O error */
	MSG_IO_MALFORMED,	/* descriptors the channel may not take */
};

#define MSG_NAME(type)	[type] = #type
static const char *const msg_names[] = {
	MSG_NAME(MSG_NONE),
	MSG_NAME(MSG_CONFIG),
	MSG_NAME(MSG_DB_SECRET),
	MSG_NAME(MSG_HTTP_LISTENER),
	MSG_NAME(MSG_CONTROL_LISTENER),
	MSG_NAME(MSG_PEER_CHANNEL),
	MSG_NAME(MSG_START),
	MSG_NAME(MSG_LOG_LEVEL),
	MSG_NAME(MSG_READY),
	MSG_NAME(MSG_PEER_MALFORMED),
	MSG_NAME(MSG_APPLY_COMMAND),
	MSG_NAME(MSG_SNAPSHOT_BEGIN),
	MSG_NAME(MSG_SNAPSHOT_ROW),
	MSG_NAME(MSG_SNAPSHOT_END),
	MSG_NAME(MSG_RESULT),
	MSG_NAME(MSG_RESULTS_END),
	MSG_NAME(MSG_DB_ADDRESS),
	MSG_NAME(MSG_SYNC),
	MSG_NAME(MSG_RELOAD),
	MSG_NAME(MSG_SET_LOG_LEVEL),
	MSG_NAME(MSG_RELOAD_RESULT),
	MSG_NAME(MSG_SANDBOX_STATE),
	MSG_NAME(MSG_SNAPSHOT_UNCHANGED),
	MSG_NAME(MSG_POLL_REQUEST),
};

static void	msgchan_read_cb(evutil_socket_t, short, void *);
static void	msgchan_write_cb(evutil_socket_t, short, void *);

/* A type added to msg.h but not here is "unknown"; test_msg says so. */
const char *
msg_type_name(uint32_t type)
{
	if (type >= sizeof(msg_names) / sizeof(msg_names[0]) ||
	    msg_names[type] == NULL)
		return "unknown";
	return msg_names[type];
}

int
msg_type_has_fd(uint32_t type)
{
	switch (type) {
	case MSG_HTTP_LISTENER:
	case MSG_CONTROL_LISTENER:
	case MSG_PEER_CHANNEL:
		return 1;
	default:
		return 0;
	}
}

static int
msg_hdr_valid(const struct msg_hdr *hdr)
{
	return hdr->type != MSG_NONE && hdr->type < MSG_TYPE_MAX &&
	    hdr->len <= MSG_MAX_PAYLOAD;
}

/* errno is EBADMSG for broken framing, ENOMEM when memory is short. */
int
msg_get(struct evbuffer *in, struct msg *m)
{
	struct msg_hdr	 hdr;
	void		*data = NULL;

	m->data = NULL;
	m->fd = -1;
	if (evbuffer_get_length(in) < MSG_HDR_SIZE)
		return 0;
	if (evbuffer_copyout(in, &hdr, sizeof(hdr)) != (ev_ssize_t)sizeof(hdr))
		return 0;
	if (!msg_hdr_valid(&hdr)) {
		errno = EBADMSG;
		return -1;
	}
	if (evbuffer_get_length(in) < MSG_HDR_SIZE + hdr.len)
		return 0;
	/* The payload is copied so a dispatch function may queue more input. */
	if (hdr.len > 0 && (data = malloc(hdr.len)) == NULL)
		return -1;
	if (evbuffer_drain(in, MSG_HDR_SIZE) == -1 || (hdr.len > 0 &&
	    evbuffer_remove(in, data, hdr.len) != (int)hdr.len)) {
		free(data);
		errno = EBADMSG;
		return -1;
	}
	m->hdr = hdr;
	m->data = data;
	return 1;
}

void
msg_free(struct msg *m)
{
	free((void *)m->data);
	m->data = NULL;
}

int
msg_payload(const struct msgchan *ch, const struct msg *m, void *dst,
    size_t size)
{
	if (m->hdr.len != size) {
		log_warnx("%s: %s message of %u bytes, expected %zu", ch->peer,
		    msg_type_name(m->hdr.type), m->hdr.len, size);
		return -1;
	}
	if (size > 0)
		memcpy(dst, m->data, size);
	return 0;
}

int
msg_payload_empty(const struct msgchan *ch, const struct msg *m)
{
	return msg_payload(ch, m, NULL, 0);
}

/* Frees what msgchan_open() allocated and every queued descriptor. */
static void
msgchan_release(struct msgchan *ch)
{
	struct msg_pending_fd	*pending;
	size_t			 i;

	if (ch->ev_read != NULL)
		event_free(ch->ev_read);
	if (ch->ev_write != NULL)
		event_free(ch->ev_write);
	if (ch->in != NULL)
		evbuffer_free(ch->in);
	if (ch->out != NULL)
		evbuffer_free(ch->out);
	ch->ev_read = ch->ev_write = NULL;
	ch->in = ch->out = NULL;
	while (ch->outfds != NULL &&
	    (pending = STAILQ_FIRST(&ch->outfds->queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&ch->outfds->queue, entry);
		(void)close(pending->fd);
		free(pending);
	}
	free(ch->outfds);
	ch->outfds = NULL;
	for (i = 0; i < ch->nfds_in; i++)
		(void)close(ch->fds_in[i]);
	ch->nfds_in = 0;
}

static int
msgchan_alloc(struct msgchan *ch, struct event_base *base, int fd)
{
	if ((ch->outfds = calloc(1, sizeof(*ch->outfds))) == NULL)
		return -1;
	STAILQ_INIT(&ch->outfds->queue);
	ch->in = evbuffer_new();
	ch->out = evbuffer_new();
	ch->ev_read = event_new(base, fd, EV_READ | EV_PERSIST,
	    msgchan_read_cb, ch);
	ch->ev_write = event_new(base, fd, EV_WRITE | EV_PERSIST,
	    msgchan_write_cb, ch);
	if (ch->in == NULL || ch->out == NULL || ch->ev_read == NULL ||
	    ch->ev_write == NULL)
		return -1;
	return 0;
}

/*
 * ch must be closed (or never opened). The peer string must outlive the
 * channel. On failure fd stays the caller's and ch stays closed.
 */
int
msgchan_open(struct msgchan *ch, struct event_base *base, int fd,
    const char *peer, int accept_fds, msg_dispatch_fn dispatch,
    msg_closed_fn closed, void *arg)
{
	int	 flags;

	memset(ch, 0, sizeof(*ch));
	ch->fd = -1;
	ch->peer = peer;
	ch->accept_fds = accept_fds;
	ch->dispatch = dispatch;
	ch->closed = closed;
	ch->arg = arg;
	if (fd < 0) {
		errno = EBADF;
		return -1;
	}
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		log_warn("%s: fcntl O_NONBLOCK", peer);
		return -1;
	}
	if (msgchan_alloc(ch, base, fd) == -1 ||
	    event_add(ch->ev_read, NULL) == -1) {
		log_warnx("%s: cannot set up the channel", peer);
		msgchan_release(ch);
		return -1;
	}
	ch->fd = fd;
	return 0;
}

/* A zeroed struct counts as closed too, so closing one never closes fd 0. */
int
msgchan_is_open(const struct msgchan *ch)
{
	return ch->fd != -1 && ch->in != NULL;
}

void
msgchan_close(struct msgchan *ch)
{
	if (!msgchan_is_open(ch))
		return;
	msgchan_release(ch);
	(void)close(ch->fd);
	ch->fd = -1;
}

/* Every end of a channel goes through here: close it, then tell its owner. */
static void
msgchan_fail(struct msgchan *ch, int malformed)
{
	msg_closed_fn	 closed = ch->closed;
	void		*arg = ch->arg;

	msgchan_close(ch);
	if (closed != NULL)
		closed(ch, malformed, arg);
}

static int
msgchan_keep_fd(struct msgchan *ch, int fd)
{
	if (!ch->accept_fds) {
		log_warnx("%s: sent a descriptor on a channel that takes none",
		    ch->peer);
		(void)close(fd);
		return -1;
	}
	if (ch->nfds_in == MSG_MAX_FDS) {
		log_warnx("%s: more than %d descriptors unclaimed", ch->peer,
		    MSG_MAX_FDS);
		(void)close(fd);
		return -1;
	}
	ch->fds_in[ch->nfds_in++] = fd;
	return 0;
}

/* Takes every received descriptor, so none leaks even when refused. */
static int
msgchan_take_fds(struct msgchan *ch, struct msghdr *mh)
{
	struct cmsghdr	*cmsg;
	size_t		 i, nfds;
	int		 fd, ok = 1;

	for (cmsg = CMSG_FIRSTHDR(mh); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(mh, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfds; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			    sizeof(fd));
			if (msgchan_keep_fd(ch, fd) == -1)
				ok = 0;
		}
	}
	if (mh->msg_flags & MSG_CTRUNC) {
		log_warnx("%s: sent more descriptors than fit", ch->peer);
		ok = 0;
	}
	return ok ? 0 : -1;
}

static int
msgchan_pop_fd(struct msgchan *ch)
{
	int	 fd;

	if (ch->nfds_in == 0)
		return -1;
	fd = ch->fds_in[0];
	ch->nfds_in--;
	memmove(&ch->fds_in[0], &ch->fds_in[1], ch->nfds_in * sizeof(int));
	return fd;
}

static enum msg_io
msgchan_recv_error(struct msgchan *ch)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return MSG_IO_AGAIN;
	if (errno == ECONNRESET)
		log_debug("%s: connection reset", ch->peer);
	else
		log_warn("%s: recvmsg", ch->peer);
	return MSG_IO_CLOSED;
}

/* Keeps the n bytes recvmsg() put into the space reserved in ch->in. */
static enum msg_io
msgchan_commit_input(struct msgchan *ch, struct evbuffer_iovec *vec,
    int nvec, size_t n)
{
	if (n <= vec[0].iov_len) {
		vec[0].iov_len = n;
		nvec = 1;
	} else
		vec[1].iov_len = n - vec[0].iov_len;
	if (evbuffer_commit_space(ch->in, vec, nvec) == -1) {
		log_warnx("%s: cannot keep input", ch->peer);
		return MSG_IO_CLOSED;
	}
	return MSG_IO_DONE;
}

/* Reads once into ch->in, collecting descriptors into ch->fds_in. */
static enum msg_io
msgchan_recv(struct msgchan *ch)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int) * MSG_MAX_FDS)];
	}			 cmsgbuf;
	struct evbuffer_iovec	 vec[2];
	struct iovec		 iov[2];
	struct msghdr		 mh;
	ssize_t			 n;
	int			 i, nvec;

	if ((nvec = evbuffer_reserve_space(ch->in, MSG_READ_SIZE, vec, 2))
	    == -1) {
		log_warnx("%s: out of memory for input", ch->peer);
		return MSG_IO_CLOSED;
	}
	for (i = 0; i < nvec; i++) {
		iov[i].iov_base = vec[i].iov_base;
		iov[i].iov_len = vec[i].iov_len;
	}
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = nvec;
	mh.msg_control = cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	do {
		n = recvmsg(ch->fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return msgchan_recv_error(ch);
	if (msgchan_take_fds(ch, &mh) == -1)
		return MSG_IO_MALFORMED;
	if (n == 0) {
		if (evbuffer_get_length(ch->in) > 0)
			log_warnx("%s: closed in the middle of a message",
			    ch->peer);
		return MSG_IO_CLOSED;
	}
	return msgchan_commit_input(ch, vec, nvec, n);
}

static void
msgchan_log_broken(const struct msgchan *ch)
{
	struct msg_hdr	 hdr;

	if (evbuffer_copyout(ch->in, &hdr, sizeof(hdr)) !=
	    (ev_ssize_t)sizeof(hdr))
		return;
	log_warnx("%s: broken framing: type %u, %u bytes", ch->peer,
	    hdr.type, hdr.len);
}

/* Hands every complete message to dispatch(), unless it closes ch. */
static void
msgchan_dispatch_all(struct msgchan *ch)
{
	struct msg	 m;
	int		 rv;

	while ((rv = msg_get(ch->in, &m)) == 1) {
		if (msg_type_has_fd(m.hdr.type) &&
		    (m.fd = msgchan_pop_fd(ch)) == -1) {
			log_warnx("%s: %s message without a descriptor",
			    ch->peer, msg_type_name(m.hdr.type));
			msg_free(&m);
			msgchan_fail(ch, 1);
			return;
		}
		ch->dispatch(ch, &m, ch->arg);
		msg_free(&m);
		if (!msgchan_is_open(ch))
			return;
	}
	if (rv == -1 && errno == EBADMSG) {
		msgchan_log_broken(ch);
		msgchan_fail(ch, 1);
	} else if (rv == -1) {
		log_warn("%s: message", ch->peer);
		msgchan_fail(ch, 0);
	}
}

/* One read and what it brings; 1 when more may be waiting. */
static int
msgchan_read_once(struct msgchan *ch)
{
	switch (msgchan_recv(ch)) {
	case MSG_IO_CLOSED:
		msgchan_fail(ch, 0);
		return 0;
	case MSG_IO_MALFORMED:
		msgchan_fail(ch, 1);
		return 0;
	case MSG_IO_DONE:
		msgchan_dispatch_all(ch);
		return 1;
	default:
		return 0;
	}
}

void
msgchan_drain(struct msgchan *ch)
{
	while (msgchan_is_open(ch) && msgchan_read_once(ch))
		;
}

static void
msgchan_read_cb(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	(void)msgchan_read_once(arg);
}

/* Appends header and payload at once, so a failure leaves no half message. */
static int
msg_append(struct evbuffer *out, const struct msg_hdr *hdr, const void *data,
    size_t len)
{
	struct evbuffer_iovec	 vec;

	if (evbuffer_reserve_space(out, MSG_HDR_SIZE + len, &vec, 1) != 1)
		return -1;
	memcpy(vec.iov_base, hdr, MSG_HDR_SIZE);
	if (len > 0)
		memcpy((char *)vec.iov_base + MSG_HDR_SIZE, data, len);
	vec.iov_len = MSG_HDR_SIZE + len;
	return evbuffer_commit_space(out, &vec, 1);
}

/*
 * The header's pid, from getpid() once per process rather than once per
 * message. A fork (daemon(3), the supervisor starting a child or a
 * command) forgets it, so a child never sends its parent's.
 */
static pid_t	msg_pid;

static void
msg_pid_forget(void)
{
	msg_pid = 0;
}

static pid_t
msg_own_pid(void)
{
	static int	watching_forks;

	if (msg_pid != 0)
		return msg_pid;
	if (!watching_forks) {
		if (pthread_atfork(NULL, NULL, msg_pid_forget) != 0)
			return getpid();
		watching_forks = 1;
	}
	return msg_pid = getpid();
}

/*
 * On failure fd stays the caller's. Types outside the protocol are refused
 * too: the peer would drop the channel on them.
 */
int
msg_compose(struct msgchan *ch, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct msg_hdr		 hdr;
	struct msg_pending_fd	*pending = NULL;
	uint64_t		 offset;

	if (!msgchan_is_open(ch)) {
		errno = EBADF;
		return -1;
	}
	if (len > MSG_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return -1;
	}
	if (type == MSG_NONE || type >= MSG_TYPE_MAX ||
	    (fd >= 0) != msg_type_has_fd(type)) {
		errno = EINVAL;
		return -1;
	}
	if (fd >= 0 && (pending = calloc(1, sizeof(*pending))) == NULL)
		return -1;
	hdr.type = type;
	hdr.len = len;
	hdr.peerid = peerid;
	hdr.pid = msg_own_pid();
	offset = ch->outfds->sent + evbuffer_get_length(ch->out);
	if (msg_append(ch->out, &hdr, data, len) == -1) {
		free(pending);
		return -1;
	}
	if (pending != NULL) {
		pending->offset = offset;
		pending->fd = fd;
		STAILQ_INSERT_TAIL(&ch->outfds->queue, pending, entry);
	}
	/*
	 * The socket is nearly always writable: the write runs once this
	 * round of callbacks is done, with every message they composed, and
	 * waits for EV_WRITE (an epoll_ctl each way) only when it is full.
	 */
	event_active(ch->ev_write, EV_WRITE, 1);
	return 0;
}

/* Points iov at the first limit bytes of out; fewer if they are scattered. */
static int
msgchan_out_iov(struct evbuffer *out, size_t limit, struct iovec *iov)
{
	struct evbuffer_iovec	 vec[MSG_IOV_MAX];
	size_t			 left = limit;
	int			 i, n;

	n = evbuffer_peek(out, limit, NULL, vec, MSG_IOV_MAX);
	if (n > MSG_IOV_MAX)
		n = MSG_IOV_MAX;
	for (i = 0; i < n && left > 0; i++) {
		iov[i].iov_base = vec[i].iov_base;
		iov[i].iov_len = vec[i].iov_len < left ? vec[i].iov_len : left;
		left -= iov[i].iov_len;
	}
	return i;
}

static ssize_t
msgchan_send_error(struct msgchan *ch)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	if (errno == EPIPE || errno == ECONNRESET)
		log_debug("%s: peer has gone", ch->peer);
	else
		log_warn("%s: sendmsg", ch->peer);
	return -1;
}

/*
 * Sends from the start of ch->out up to where the next descriptor's message
 * begins, attaching the descriptor whose message comes first. Returns the
 * bytes sent, 0 when the socket is full, -1 on error.
 */
static ssize_t
msgchan_send_chunk(struct msgchan *ch)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}			 cmsgbuf;
	struct iovec		 iov[MSG_IOV_MAX];
	struct msghdr		 mh;
	struct msg_pending_fd	*first, *next;
	uint64_t		 sent = ch->outfds->sent;
	size_t			 limit = evbuffer_get_length(ch->out);
	ssize_t			 n;

	first = STAILQ_FIRST(&ch->outfds->queue);
	if (first != NULL && first->offset != sent)
		first = NULL;		/* not yet its message's turn */
	next = first != NULL ? STAILQ_NEXT(first, entry) :
	    STAILQ_FIRST(&ch->outfds->queue);
	if (next != NULL && next->offset - sent < limit)
		limit = next->offset - sent;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = msgchan_out_iov(ch->out, limit, iov);
	if (first != NULL) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		cmsgbuf.hdr.cmsg_level = SOL_SOCKET;
		cmsgbuf.hdr.cmsg_type = SCM_RIGHTS;
		cmsgbuf.hdr.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&cmsgbuf.hdr), &first->fd, sizeof(int));
	}
	do {
		n = sendmsg(ch->fd, &mh, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return msgchan_send_error(ch);

	if (first != NULL) {
		STAILQ_REMOVE_HEAD(&ch->outfds->queue, entry);
		(void)close(first->fd);
		free(first);
	}
	(void)evbuffer_drain(ch->out, n);
	ch->outfds->sent += n;
	return n;
}

static void
msgchan_write_cb(evutil_socket_t fd, short events, void *arg)
{
	struct msgchan	*ch = arg;
	ssize_t		 n;

	(void)fd;
	(void)events;
	while (evbuffer_get_length(ch->out) > 0) {
		if ((n = msgchan_send_chunk(ch)) == -1) {
			msgchan_fail(ch, 0);
			return;
		}
		if (n == 0) {
			/* Full: EV_WRITE calls again once there is room. */
			if (event_add(ch->ev_write, NULL) == -1)
				msgchan_fail(ch, 0);
			return;
		}
	}
	(void)event_del(ch->ev_write);
}

/* Gives up when the peer reads nothing for a while: we are about to exit. */
int
msgchan_flush(struct msgchan *ch)
{
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 ready;

	if (!msgchan_is_open(ch)) {
		errno = EBADF;
		return -1;
	}
	while (evbuffer_get_length(ch->out) > 0) {
		if ((n = msgchan_send_chunk(ch)) == -1)
			return -1;
		if (n > 0)
			continue;
		pfd.fd = ch->fd;
		pfd.events = POLLOUT;
		ready = poll(&pfd, 1, MSG_FLUSH_TIMEOUT_MS);
		if (ready == -1 && errno != EINTR) {
			log_warn("%s: poll", ch->peer);
			return -1;
		}
		if (ready == 0) {
			log_warnx("%s: not reading, output dropped", ch->peer);
			errno = ETIMEDOUT;
			return -1;
		}
	}
	(void)event_del(ch->ev_write);
	return 0;
}
