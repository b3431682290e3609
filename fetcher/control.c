/* SPDX-License-Identifier: ISC */
/*
 * The control socket: one request line and one reply per connection
 * (include/control.h). The fetcher faces local users here, so every client
 * is bounded: request size, a deadline per connection, clients per uid and
 * in all, and the rate of accepts. Peer credentials decide whether a command
 * may change things, and root always finds a slot.
 */

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <json.h>

#include "config.h"
#include "control.h"
#include "fetcher.h"
#include "listener.h"
#include "log.h"
#include "status.h"
#include "util.h"

/*
 * Any member of the socket's group can connect, so no one of them may take
 * every slot: a uid other than 0 holds at most CONTROL_CLIENTS_PER_UID, all
 * of them together at most CONTROL_CLIENTS_MAX - CONTROL_ROOT_RESERVED, and a
 * client over a limit is refused rather than pushing anyone out. Root may
 * use every slot; at the cap its newest client closes its own oldest.
 */
#define CONTROL_CLIENTS_MAX	32
#define CONTROL_ROOT_RESERVED	8
#define CONTROL_CLIENTS_PER_UID	4
#define CONTROL_TIMEOUT_S	5	/* from accept to the reply's last byte */
#define CONTROL_FLUSH_MS	1000	/* for each reply, when exiting */
/*
 * Accepts are a token bucket, so a connect flood costs the loop a bounded
 * share and the database, HTTP and the applier's channel go on. Once it is
 * empty the listener rests CONTROL_ACCEPT_PAUSE_MS; connects wait in the
 * kernel's backlog meanwhile.
 */
#define CONTROL_ACCEPT_RATE	2000	/* per second */
#define CONTROL_ACCEPT_BURST	64
#define CONTROL_ACCEPT_PAUSE_MS	10
/* A flood is logged when it starts and, with its count, once it is over. */
#define CONTROL_REFUSED_QUIET_S	10

struct control_client {
	TAILQ_ENTRY(control_client)	 entry;
	struct control			*ctl;
	struct bufferevent		*bev;
	struct event			*deadline;
	uid_t				 uid;
	pid_t				 pid;
	int				 answered;
	uint32_t			 reload_request;	/* awaits its result */
};

struct control {
	struct fetcher				*f;
	struct evconnlistener			*listener;
	TAILQ_HEAD(, control_client)		 clients;	/* oldest first */
	size_t					 nclients;
	uint32_t				 last_reload;	/* request ids */
	struct event				*resume_ev;
	double					 tokens_at;	/* last refill */
	unsigned int				 tokens;
	struct event				*quiet_ev;
	uint64_t				 refused_episode;
	uint64_t				 refused_total;
};

static void
control_client_free(struct control_client *c)
{
	TAILQ_REMOVE(&c->ctl->clients, c, entry);
	c->ctl->nclients--;
	bufferevent_free(c->bev);
	if (c->deadline != NULL)
		event_free(c->deadline);
	free(c);
}

/* --- Replies --- */

/* The reply is queued; the client is freed once it has left. */
static void
control_send(struct control_client *c, struct json_object *reply)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	const char	*text;

	c->answered = 1;
	bufferevent_disable(c->bev, EV_READ);
	text = reply == NULL ? NULL : json_object_to_json_string_ext(reply,
	    JSON_C_TO_STRING_PLAIN);
	if (text == NULL)
		text = "{\"ok\":false,\"error\":\"out of memory\"}";
	if (evbuffer_add_printf(out, "%s\n", text) < 0) {
		log_warnx("control: cannot queue a reply");
		control_client_free(c);
	}
	json_object_put(reply);
}

/* Takes result (which may be NULL: memory is short). */
static void
control_reply_ok(struct control_client *c, struct json_object *result)
{
	struct json_object	*reply;

	if (result == NULL || (reply = json_object_new_object()) == NULL) {
		json_object_put(result);
		control_send(c, NULL);
		return;
	}
	if (status_json_add(reply, "ok", json_object_new_boolean(1)) == -1 ||
	    status_json_add(reply, "result", result) == -1) {
		json_object_put(reply);
		reply = NULL;
	}
	control_send(c, reply);
}

static void
control_reply_message(struct control_client *c, const char *message)
{
	struct json_object	*result;

	if ((result = json_object_new_object()) != NULL &&
	    status_json_add(result, "message",
	    json_object_new_string(message)) == -1) {
		json_object_put(result);
		result = NULL;
	}
	control_reply_ok(c, result);
}

static void
control_reply_error(struct control_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
control_reply_error(struct control_client *c, const char *fmt, ...)
{
	struct json_object	*reply;
	char			 error[CONTROL_ERROR_MAX];
	va_list			 ap;

	va_start(ap, fmt);
	vsnprintf(error, sizeof(error), fmt, ap);
	va_end(ap);
	if ((reply = json_object_new_object()) != NULL &&
	    (status_json_add(reply, "ok", json_object_new_boolean(0)) == -1 ||
	    status_json_add(reply, "error",
	    json_object_new_string(error)) == -1)) {
		json_object_put(reply);
		reply = NULL;
	}
	control_send(c, reply);
}

/* --- Commands --- */

static struct json_object *
control_status(const struct fetcher *f)
{
	struct json_object	*obj;
	struct census		 c;
	int			 rc = 0;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	status_census(f, &c);
	rc |= status_json_common(f, &c, obj);
	rc |= status_json_add(obj, "os_type",
	    json_object_new_string(config_os_type_name(f->conf.os_type)));
	rc |= status_json_add(obj, "deletion_held",
	    json_object_new_boolean(f->results.deletions_held != 0));
	if (rc != 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/*
 * The applier acts on the flag with the snapshot the poll brings; the poll
 * is what a sync is for, so it goes ahead even when the applier is away.
 */
static void
control_sync(struct control_client *c, const struct control_request *req)
{
	struct fetcher	*f = c->ctl->f;
	struct msg_sync	 sync = { .allow_delete = req->allow_delete != 0 };

	if (!msgchan_is_open(&f->applier) || msg_compose(&f->applier,
	    MSG_SYNC, 0, -1, &sync, sizeof(sync)) == -1) {
		if (req->allow_delete) {
			control_reply_error(c, "the applier is not reachable"
			    " (restarting?); held deletions stay held, try"
			    " again");
			return;
		}
		log_warnx("control: sync: the applier is not reachable");
	}
	poll_sync(f);
	control_reply_message(c, req->allow_delete ? "poll started; held"
	    " deletions are released with its snapshot" : "poll started");
}

/*
 * The client waits for the supervisor's verdict (control_reload_done()),
 * which names the first error of a configuration it refused.
 */
static void
control_reload(struct control_client *c)
{
	struct control	*ctl = c->ctl;

	if (++ctl->last_reload == 0)
		ctl->last_reload = 1;
	if (msg_compose(&ctl->f->supervisor, MSG_RELOAD, ctl->last_reload, -1,
	    NULL, 0) == -1) {
		log_warn("control: cannot ask the supervisor to reload");
		control_reply_error(c, "cannot reach the supervisor");
		return;
	}
	c->reload_request = ctl->last_reload;
}

void
control_reload_done(struct control *ctl, uint32_t request,
    const struct msg_reload_result *result)
{
	struct control_client	*c;

	TAILQ_FOREACH(c, &ctl->clients, entry) {
		if (c->reload_request != request || c->answered)
			continue;
		if (result->ok)
			control_reply_message(c, result->message);
		else
			control_reply_error(c, "%s", result->message);
		return;
	}
	log_debug("control: reload %u answered after its client left",
	    (unsigned)request);
}

static void
control_log_level(struct control_client *c, const struct control_request *req)
{
	struct msg_log_level	level = { .level = req->level };
	char			message[64];

	if (msg_compose(&c->ctl->f->supervisor, MSG_SET_LOG_LEVEL, 0, -1,
	    &level, sizeof(level)) == -1) {
		control_reply_error(c, "cannot reach the supervisor");
		return;
	}
	snprintf(message, sizeof(message), "log level set to %s",
	    config_log_level_name(req->level));
	control_reply_message(c, message);
}

/* Changing commands need root: the socket's group may only look. */
static int
control_permitted(struct control_client *c, const struct control_request *req)
{
	const char	*name = control_command_name(req->command);

	if (!control_command_privileged(req->command)) {
		log_debug("control: %s from uid %u pid %d", name,
		    (unsigned)c->uid, (int)c->pid);
		return 1;
	}
	if (c->uid != 0) {
		log_info("control: %s refused to uid %u pid %d", name,
		    (unsigned)c->uid, (int)c->pid);
		control_reply_error(c, "permission denied: %s changes the"
		    " daemon and needs root (uid 0); you are uid %u", name,
		    (unsigned)c->uid);
		return 0;
	}
	log_info("control: %s from uid 0 pid %d", name, (int)c->pid);
	return 1;
}

static void
control_execute(struct control_client *c, const struct control_request *req)
{
	if (!control_permitted(c, req))
		return;
	switch (req->command) {
	case CONTROL_STATUS:
		control_reply_ok(c, control_status(c->ctl->f));
		break;
	case CONTROL_SHOW_INTERFACES:
		control_reply_ok(c, status_json_nics(c->ctl->f));
		break;
	case CONTROL_SYNC:
		control_sync(c, req);
		break;
	case CONTROL_RELOAD:
		control_reload(c);
		break;
	case CONTROL_LOG:
		control_log_level(c, req);
		break;
	default:
		control_reply_error(c, "unknown command");
		break;
	}
}

/* --- Connections --- */

static void
control_handle_line(struct control_client *c, size_t len)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct control_request	 req;
	char			 why[CONTROL_ERROR_MAX];
	const char		*line;

	if ((line = (const char *)evbuffer_pullup(in, len)) == NULL) {
		control_reply_error(c, "out of memory");
		return;
	}
	if (control_request_parse(line, len, &req, why, sizeof(why)) == -1) {
		log_debug("control: bad request from uid %u pid %d: %s",
		    (unsigned)c->uid, (int)c->pid, why);
		control_reply_error(c, "%s", why);
		return;
	}
	control_execute(c, &req);
}

static void
control_read(struct bufferevent *bev, void *arg)
{
	struct control_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 eol;
	size_t			 eol_len;

	if (c->answered)
		return;
	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
	if (eol.pos != -1 && (size_t)eol.pos < CONTROL_REQUEST_MAX)
		control_handle_line(c, (size_t)eol.pos + eol_len);
	else if (eol.pos != -1 ||
	    evbuffer_get_length(in) >= CONTROL_REQUEST_MAX)
		control_reply_error(c, "request longer than %d bytes",
		    CONTROL_REQUEST_MAX - 1);
}

/* Once the reply has left, the connection is done. */
static void
control_written(struct bufferevent *bev, void *arg)
{
	struct control_client	*c = arg;

	(void)bev;
	if (c->answered)
		control_client_free(c);
}

static void
control_event(struct bufferevent *bev, short events, void *arg)
{
	struct control_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);

	/* A client that half-closes after its request still gets its reply. */
	if ((events & BEV_EVENT_EOF) && !c->answered &&
	    evbuffer_get_length(in) > 0) {
		control_handle_line(c, evbuffer_get_length(in));
		return;
	}
	control_client_free(c);
}

static void
control_deadline(evutil_socket_t fd, short events, void *arg)
{
	struct control_client	*c = arg;
	struct timeval		 flush = { 1, 0 };

	(void)fd;
	(void)events;
	/* One more second to deliver the news; the write is immediate. */
	if (c->reload_request != 0 && !c->answered &&
	    evtimer_add(c->deadline, &flush) == 0) {
		control_reply_error(c, "no answer from the supervisor within %d"
		    " s; its log has the reload's outcome", CONTROL_TIMEOUT_S);
		return;
	}
	log_debug("control: uid %u pid %d took longer than %d s; closed",
	    (unsigned)c->uid, (int)c->pid, CONTROL_TIMEOUT_S);
	control_client_free(c);
}

static int
control_client_start(struct control_client *c)
{
	struct timeval	timeout = { CONTROL_TIMEOUT_S, 0 };

	bufferevent_setcb(c->bev, control_read, control_written,
	    control_event, c);
	/* Reading stops at the cap, so a client cannot make us buffer more. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CONTROL_REQUEST_MAX);
	if (bufferevent_enable(c->bev, EV_READ) == -1 ||
	    evtimer_add(c->deadline, &timeout) == -1)
		return -1;
	return 0;
}

/* --- Admission --- */

static void
control_resume(evutil_socket_t fd, short events, void *arg)
{
	struct control	*ctl = arg;

	(void)fd;
	(void)events;
	if (ctl->listener != NULL)
		evconnlistener_enable(ctl->listener);
}

/* One token per accept; the listener rests once the bucket is empty. */
static void
control_take_token(struct control *ctl)
{
	struct timeval	pause = { 0, CONTROL_ACCEPT_PAUSE_MS * 1000 };
	double		now = status_clock();
	uint64_t	refill;

	refill = (uint64_t)((now - ctl->tokens_at) * CONTROL_ACCEPT_RATE);
	if (refill > 0) {
		ctl->tokens = refill >= CONTROL_ACCEPT_BURST - ctl->tokens ?
		    CONTROL_ACCEPT_BURST : ctl->tokens + (unsigned int)refill;
		ctl->tokens_at = now;
	}
	if (ctl->tokens > 0)
		ctl->tokens--;
	if (ctl->tokens == 0 && ctl->listener != NULL) {
		evconnlistener_disable(ctl->listener);
		if (evtimer_add(ctl->resume_ev, &pause) == -1)
			evconnlistener_enable(ctl->listener);
	}
}

static void
control_quiet(evutil_socket_t fd, short events, void *arg)
{
	struct control	*ctl = arg;

	(void)fd;
	(void)events;
	log_warnx("control: no refusal for %d s; %llu connections were refused"
	    " (%llu since start)", CONTROL_REFUSED_QUIET_S,
	    (unsigned long long)ctl->refused_episode,
	    (unsigned long long)ctl->refused_total);
	ctl->refused_episode = 0;
}

/*
 * The refused client is told why when its socket has room, which a new
 * one has. One line when refusals start, one with the count when they stop.
 */
static void
control_refuse(struct control *ctl, int fd, const struct ucred *cred,
    const char *why)
{
	struct timeval	quiet = { CONTROL_REFUSED_QUIET_S, 0 };
	char		reply[CONTROL_ERROR_MAX + 64];
	int		n;

	n = snprintf(reply, sizeof(reply), "{\"ok\":false,\"error\":\"%s;"
	    " try again later\"}\n", why);
	if (n > 0 && (size_t)n < sizeof(reply))
		(void)send(fd, reply, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	close(fd);
	if (ctl->refused_episode++ == 0)
		log_warnx("control: refusing connections: %s (uid %u pid %d);"
		    " counted until none comes for %d s", why,
		    (unsigned)cred->uid, (int)cred->pid,
		    CONTROL_REFUSED_QUIET_S);
	ctl->refused_total++;
	if (evtimer_add(ctl->quiet_ev, &quiet) == -1)
		log_warnx("control: cannot time the refusals");
}

/*
 * Whether a client of uid gets a slot: NULL, with *evict set when root is
 * at the cap and must close its own oldest; else why not, in why.
 */
static const char *
control_admit(const struct control *ctl, uid_t uid,
    struct control_client **evict, char *why, size_t whylen)
{
	struct control_client	*c, *oldest = NULL;
	size_t			 mine = 0, unprivileged = 0;

	*evict = NULL;
	TAILQ_FOREACH(c, &ctl->clients, entry) {
		if (c->uid == uid && mine++ == 0)
			oldest = c;
		if (c->uid != 0)
			unprivileged++;
	}
	if (uid == 0) {
		if (ctl->nclients < CONTROL_CLIENTS_MAX)
			return NULL;
		if ((*evict = oldest) != NULL)
			return NULL;
		snprintf(why, whylen, "%d clients connected",
		    CONTROL_CLIENTS_MAX);
	} else if (mine >= CONTROL_CLIENTS_PER_UID)
		snprintf(why, whylen, "uid %u has %d connections open, the"
		    " most one user may have", (unsigned)uid,
		    CONTROL_CLIENTS_PER_UID);
	else if (unprivileged >= CONTROL_CLIENTS_MAX - CONTROL_ROOT_RESERVED)
		snprintf(why, whylen, "%d clients other than root connected,"
		    " the rest is kept for root",
		    CONTROL_CLIENTS_MAX - CONTROL_ROOT_RESERVED);
	else
		return NULL;
	return why;
}

static void
control_client_add(struct control *ctl, int fd, const struct ucred *cred)
{
	struct control_client	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->bev = bufferevent_socket_new(ctl->f->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_warnx("control: out of memory; connection closed");
		free(c);
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->uid = cred->uid;
	c->pid = cred->pid;
	TAILQ_INSERT_TAIL(&ctl->clients, c, entry);
	ctl->nclients++;
	if ((c->deadline = evtimer_new(ctl->f->base, control_deadline, c)) ==
	    NULL || control_client_start(c) == -1) {
		log_warnx("control: cannot watch a connection; closed");
		control_client_free(c);
	}
}

static void
control_accept(struct evconnlistener *listener, evutil_socket_t fd,
    struct sockaddr *addr, int socklen, void *arg)
{
	struct control		*ctl = arg;
	struct control_client	*evict;
	struct ucred		 cred;
	socklen_t		 len = sizeof(cred);
	char			 why[CONTROL_ERROR_MAX];

	(void)listener;
	(void)addr;
	(void)socklen;
	control_take_token(ctl);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("control: SO_PEERCRED");
		close(fd);
		return;
	}
	if (control_admit(ctl, cred.uid, &evict, why, sizeof(why)) != NULL) {
		control_refuse(ctl, fd, &cred, why);
		return;
	}
	if (evict != NULL) {
		log_debug("control: %d clients connected; closing root's"
		    " oldest", CONTROL_CLIENTS_MAX);
		control_client_free(evict);
	}
	control_client_add(ctl, fd, &cred);
}

struct control *
control_new(struct fetcher *f)
{
	struct control	*ctl;

	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		return NULL;
	ctl->f = f;
	TAILQ_INIT(&ctl->clients);
	ctl->tokens = CONTROL_ACCEPT_BURST;
	ctl->tokens_at = status_clock();
	if ((ctl->resume_ev = evtimer_new(f->base, control_resume, ctl)) ==
	    NULL || (ctl->quiet_ev = evtimer_new(f->base, control_quiet,
	    ctl)) == NULL) {
		if (ctl->resume_ev != NULL)
			event_free(ctl->resume_ev);
		free(ctl);
		return NULL;
	}
	return ctl;
}

void
control_listen(struct control *ctl, int fd)
{
	if (ctl->listener != NULL) {
		listener_unguard(ctl->listener);
		evconnlistener_free(ctl->listener);
		ctl->listener = NULL;
	}
	if (fd == -1)
		return;
	/*
	 * The supervisor's socket is blocking; the listener accepts until
	 * EAGAIN. Backlog 0: listen(2) was called as root already.
	 */
	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    (ctl->listener = evconnlistener_new(ctl->f->base, control_accept,
	    ctl, 0, 0, fd)) == NULL)
		log_warn("control: cannot accept on the control socket");
	else if (listener_guard(ctl->listener, "control") == -1)
		log_warnx("control: accepting, but cannot pause after errors");
	else
		log_debug("control: accepting connections");
}

/* Writes each answered client's reply, waiting a little; for exit. */
void
control_flush(struct control *ctl)
{
	struct control_client	*c;

	TAILQ_FOREACH(c, &ctl->clients, entry)
		if (c->answered &&
		    flush_bufferevent(c->bev, CONTROL_FLUSH_MS) == -1)
			log_debug("control: the reply to uid %u pid %d was"
			    " not delivered", (unsigned)c->uid, (int)c->pid);
}
