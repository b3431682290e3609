/*
 * The fetcher's HTTP server: status, liveness, readiness and metrics over
 * evhttp, with explicit limits, since libevent 2.1's defaults are unlimited
 * and it has no cap on open connections: that one is counted here.
 */

#include <sys/param.h>
#include <sys/utsname.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <json.h>

#include "fetcher.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "state.h"

#define HTTP_CONNECTIONS_MAX	64
#define HTTP_HEADERS_MAX	8192	/* request line and headers */
#define HTTP_BODY_MAX		1024	/* none read; a small one gets 405 */
#define HTTP_TIMEOUT_S		10	/* idle, reading or writing */
#define HTTP_UNHEALTHY_POLLS	3	/* intervals without a good poll */

/*
 * Every method evhttp parses reaches our callback, so that the ones we do
 * not serve get 405 with an Allow header (evhttp itself would answer 501).
 */
#define HTTP_METHODS	(EVHTTP_REQ_GET | EVHTTP_REQ_POST |		\
	EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |		\
	EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |	\
	EVHTTP_REQ_PATCH)

/* An open connection; until registered, we hold a reference to bev. */
struct http_conn {
	struct bufferevent		*bev;
	struct evhttp_connection	*evcon;		/* NULL: not registered */
	double				 last_active;
};

struct http {
	struct fetcher			*f;
	struct evhttp			*evhttp;
	struct evhttp_bound_socket	*bound;
	struct event			*register_ev;
	struct http_conn		 conns[HTTP_CONNECTIONS_MAX];
	size_t				 nconns;
	/* Uptime counts from this fetcher's start: a restarted one from 0. */
	double				 started;
};

/* What GET / reports about the interfaces. */
struct census {
	unsigned	by_state[NIC_STATE_COUNT];
	unsigned	processed;	/* rows applied */
	unsigned	failed;		/* failed or held */
};

static double
now(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- The connection cap --- */

static void
conn_remove(struct http *h, size_t i)
{
	h->conns[i] = h->conns[--h->nconns];
}

static void
conn_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http	*h = arg;
	size_t		 i;

	for (i = 0; i < h->nconns; i++)
		if (h->conns[i].evcon == evcon) {
			conn_remove(h, i);
			return;
		}
}

/*
 * libevent 2.1 tells a server nothing about a new connection but the
 * bufferevent it asks for (2.2 has evhttp_set_newreqcb). evhttp then passes
 * its connection as that bufferevent's callback argument, which is how we
 * reach it to learn when it closes. Our reference keeps the bufferevent
 * valid even if evhttp dropped the connection in between.
 */
static void
conn_register_pending(struct http *h)
{
	struct bufferevent	*bev;
	bufferevent_event_cb	 eventcb;
	void			*cbarg;
	size_t			 i = 0;

	while (i < h->nconns) {
		if (h->conns[i].evcon != NULL) {
			i++;
			continue;
		}
		bev = h->conns[i].bev;
		bufferevent_getcb(bev, NULL, NULL, &eventcb, &cbarg);
		if (eventcb == NULL || cbarg == NULL)
			conn_remove(h, i);	/* freed by evhttp already */
		else {
			if (evhttp_connection_get_bufferevent(cbarg) != bev)
				fatalx("evhttp's connection is not its"
				    " bufferevent's argument");
			h->conns[i].evcon = cbarg;
			evhttp_connection_set_closecb(cbarg, conn_closed, h);
			i++;
		}
		bufferevent_decref(bev);
	}
}

static void
conn_register_due(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	conn_register_pending(arg);
}

/*
 * At the cap the least recently active connection goes, not the new one:
 * idle or slow clients cannot lock out a health check, which needs its
 * connection for a few milliseconds only.
 */
static void
conn_evict(struct http *h)
{
	struct evhttp_connection	*victim = NULL;
	double				 oldest = 0;
	size_t				 i;

	for (i = 0; i < h->nconns; i++)
		if (h->conns[i].evcon != NULL && (victim == NULL ||
		    h->conns[i].last_active < oldest)) {
			victim = h->conns[i].evcon;
			oldest = h->conns[i].last_active;
		}
	if (victim == NULL)
		return;
	log_debug("HTTP: %d connections open; closing the least active",
	    HTTP_CONNECTIONS_MAX);
	evhttp_connection_free(victim);
	/* evhttp calls conn_closed only for a connected one: make sure. */
	conn_closed(victim, h);
}

/* evhttp's bufferevent callback: one call per accepted connection. */
static struct bufferevent *
conn_new(struct event_base *base, void *arg)
{
	struct http		*h = arg;
	struct bufferevent	*bev;

	/* Connections accepted before this one in a burst are set up by now. */
	conn_register_pending(h);
	if (h->nconns >= HTTP_CONNECTIONS_MAX)
		conn_evict(h);
	/* NULL: evhttp makes its own, uncounted; only when memory is short. */
	if (h->nconns >= HTTP_CONNECTIONS_MAX ||
	    (bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)) ==
	    NULL)
		return NULL;
	bufferevent_incref(bev);
	h->conns[h->nconns++] = (struct http_conn){ bev, NULL, now() };
	event_active(h->register_ev, EV_TIMEOUT, 0);
	return bev;
}

static void
conn_touch(struct http *h, struct evhttp_connection *evcon)
{
	size_t	i;

	for (i = 0; i < h->nconns; i++)
		if (h->conns[i].evcon == evcon)
			h->conns[i].last_active = now();
}

/* --- What the endpoints report --- */

static void
census_take(const struct fetcher *f, struct census *c)
{
	const struct msg_result	*r;
	size_t			 i;

	memset(c, 0, sizeof(*c));
	/* Before the applier's first verdict, the fetcher's own view. */
	if (f->results.acked_generation == 0) {
		for (i = 0; i < f->poll.nrows; i++)
			c->by_state[f->poll.rows[i].state == ROW_HELD ?
			    NIC_HELD : NIC_PENDING]++;
		c->failed = c->by_state[NIC_HELD];
		return;
	}
	for (i = 0; i < f->results.count; i++) {
		r = &f->results.items[i];
		if (r->state < 0 || r->state >= NIC_STATE_COUNT)
			continue;
		c->by_state[r->state]++;
		if (r->state == NIC_APPLIED && r->row_id >= 0)
			c->processed++;
		if (r->state == NIC_FAILED || r->state == NIC_HELD)
			c->failed++;
	}
}

/*
 * Unhealthy after 3 poll intervals without a successful poll, each
 * interval as long as the backoff's current delay when that is longer: a
 * node waiting for a retry it was told to wait for is not yet unhealthy.
 */
static const char *
health(const struct fetcher *f, const struct census *c)
{
	uint64_t	interval, limit;

	interval = MAX(f->conf.poll_interval_ms, f->backoff.current_ms);
	limit = HTTP_UNHEALTHY_POLLS * interval;
	if (metrics_ms_since_success(f->metrics) > limit)
		return "unhealthy";
	if (c->failed > 0 || f->results.deletions_held)
		return "degraded";
	return "healthy";
}

static void
format_uptime(double seconds, char *buf, size_t len)
{
	unsigned long	s = seconds > 0 ? (unsigned long)seconds : 0;

	if (s >= 3600)
		snprintf(buf, len, "%luh%lum%lus", s / 3600, s / 60 % 60,
		    s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%lum%lus", s / 60, s % 60);
	else
		snprintf(buf, len, "%lus", s);
}

static void
node_name(const struct fetcher *f, char *buf, size_t len)
{
	struct utsname	uts;

	if (f->conf.node_name[0] != '\0')
		strlcpy(buf, f->conf.node_name, len);
	else if (uname(&uts) == 0)
		strlcpy(buf, uts.nodename, len);
	else
		strlcpy(buf, "", len);
}

/* 0, or -1 when memory is short (val is released either way). */
static int
json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (val == NULL || json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

/* Every state, with 0 where there is none: clients need not guess. */
static struct json_object *
json_interfaces(const struct census *c)
{
	struct json_object	*obj;
	int			 state;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	for (state = 0; state < NIC_STATE_COUNT; state++)
		if (json_add(obj, nic_state_name(state),
		    json_object_new_int64(c->by_state[state])) == -1) {
			json_object_put(obj);
			return NULL;
		}
	return obj;
}

/* RFC 3339 in UTC: gmtime needs no /etc/localtime inside the sandbox. */
static struct json_object *
json_last_sync(time_t when)
{
	struct tm	tm;
	char		text[32];

	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return NULL;
	return json_object_new_string(text);
}

/* NULL when memory is short: then the caller answers 500. */
static struct json_object *
json_status(const struct http *h, const struct census *c, const char *status)
{
	const struct fetcher	*f = h->f;
	struct json_object	*obj;
	char			 uptime[32], node[CONFIG_NAME_MAX];
	double			 up = now() - h->started;
	int			 rc = 0;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	format_uptime(up, uptime, sizeof(uptime));
	node_name(f, node, sizeof(node));
	rc |= json_add(obj, "status", json_object_new_string(status));
	rc |= json_add(obj, "uptime", json_object_new_string(uptime));
	rc |= json_add(obj, "uptime_seconds",
	    json_object_new_int64((int64_t)up));
	rc |= json_add(obj, "processed_vms",
	    json_object_new_int64(c->processed));
	rc |= json_add(obj, "failed_configs", json_object_new_int64(c->failed));
	rc |= json_add(obj, "database_connected",
	    json_object_new_boolean(f->poll.db_connected != 0));
	if (f->poll.last_sync == 0)
		rc |= json_object_object_add(obj, "last_sync", NULL) != 0;
	else
		rc |= json_add(obj, "last_sync",
		    json_last_sync(f->poll.last_sync));
	rc |= json_add(obj, "interfaces", json_interfaces(c));
	rc |= json_add(obj, "version",
	    json_object_new_string(MULTINIC_VERSION));
	rc |= json_add(obj, "node_name", json_object_new_string(node));
	if (rc != 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

/* --- Endpoints --- */

/* Out of memory: evhttp's own short error page, without our partial body. */
static void
reply_error(struct evhttp_request *req)
{
	struct evbuffer	*body = evhttp_request_get_output_buffer(req);

	evbuffer_drain(body, evbuffer_get_length(body));
	evhttp_send_error(req, 500, NULL);
}

/* The body is already in the request's output buffer. */
static void
reply(struct evhttp_request *req, int code, const char *reason,
    const char *type)
{
	struct evkeyvalq	*headers;

	headers = evhttp_request_get_output_headers(req);
	if (evhttp_add_header(headers, "Content-Type", type) == -1 ||
	    evhttp_add_header(headers, "Cache-Control", "no-store") == -1)
		reply_error(req);
	else
		evhttp_send_reply(req, code, reason, NULL);
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *text)
{
	if (evbuffer_add_printf(evhttp_request_get_output_buffer(req), "%s\n",
	    text) < 0)
		reply_error(req);
	else
		reply(req, code, reason, "text/plain; charset=utf-8");
}

static void
serve_status(struct http *h, struct evhttp_request *req)
{
	struct census		 c;
	struct json_object	*obj;
	const char		*status, *text;
	int			 healthy;

	census_take(h->f, &c);
	status = health(h->f, &c);
	healthy = strcmp(status, "unhealthy") != 0;
	if ((obj = json_status(h, &c, status)) == NULL ||
	    (text = json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN)) == NULL ||
	    evbuffer_add_printf(evhttp_request_get_output_buffer(req), "%s\n",
	    text) < 0)
		reply_error(req);
	else
		reply(req, healthy ? 200 : 503, healthy ? "OK" :
		    "Service Unavailable", "application/json");
	json_object_put(obj);
}

static void
serve_healthz(struct http *h, struct evhttp_request *req)
{
	(void)h;
	reply_text(req, 200, "OK", "ok");
}

static void
serve_readyz(struct http *h, struct evhttp_request *req)
{
	if (h->f->results.acked_generation > 0)
		reply_text(req, 200, "OK", "ready");
	else
		reply_text(req, 503, "Service Unavailable", "not ready");
}

static void
serve_metrics(struct http *h, struct evhttp_request *req)
{
	if (metrics_render(h->f->metrics, h->f,
	    evhttp_request_get_output_buffer(req)) == -1)
		reply_error(req);
	else
		reply(req, 200, "OK",
		    "text/plain; version=0.0.4; charset=utf-8");
}

static const struct {
	const char	*path;
	void		(*serve)(struct http *, struct evhttp_request *);
} routes[] = {
	{ "/",		serve_status },
	{ "/healthz",	serve_healthz },
	{ "/readyz",	serve_readyz },
	{ "/metrics",	serve_metrics },
};

static void
http_request(struct evhttp_request *req, void *arg)
{
	struct http		*h = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type	 method = evhttp_request_get_command(req);
	const char		*path = NULL;
	size_t			 i;

	if (uri != NULL)
		path = evhttp_uri_get_path(uri);
	conn_touch(h, evhttp_request_get_connection(req));
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (path != NULL && strcmp(path, routes[i].path) == 0)
			break;
	if (i == sizeof(routes) / sizeof(routes[0]))
		reply_text(req, 404, "Not Found", "not found");
	else if (method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed",
		    "method not allowed");
	} else
		routes[i].serve(h, req);
}

/* --- Set-up --- */

struct http *
http_new(struct fetcher *f)
{
	struct http	*h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->f = f;
	h->started = now();
	if ((h->evhttp = evhttp_new(f->base)) == NULL ||
	    (h->register_ev = event_new(f->base, -1, 0, conn_register_due,
	    h)) == NULL) {
		http_free(h);
		return NULL;
	}
	evhttp_set_max_headers_size(h->evhttp, HTTP_HEADERS_MAX);
	evhttp_set_max_body_size(h->evhttp, HTTP_BODY_MAX);
	evhttp_set_timeout(h->evhttp, HTTP_TIMEOUT_S);
	evhttp_set_allowed_methods(h->evhttp, HTTP_METHODS);
	evhttp_set_bevcb(h->evhttp, conn_new, h);
	evhttp_set_gencb(h->evhttp, http_request, h);
	return h;
}

void
http_listen(struct http *h, int fd)
{
	/* evhttp_accept_socket does not own the descriptor: the caller does. */
	if (h->bound != NULL) {
		evhttp_del_accept_socket(h->evhttp, h->bound);
		h->bound = NULL;
	}
	if (fd == -1) {
		log_debug("HTTP off");
		return;
	}
	/*
	 * The supervisor's socket is blocking, and evconnlistener accepts
	 * until EAGAIN: without this the whole fetcher would wait in accept.
	 */
	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    (h->bound = evhttp_accept_socket_with_handle(h->evhttp, fd)) ==
	    NULL)
		log_warn("HTTP: cannot accept on the listening socket");
	else
		log_debug("HTTP: accepting connections");
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	conn_register_pending(h);	/* drops our references */
	if (h->evhttp != NULL)
		evhttp_free(h->evhttp);
	if (h->register_ev != NULL)
		event_free(h->register_ev);
	free(h);
}
