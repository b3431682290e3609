/* SPDX-License-Identifier: ISC */
/*
 * The fetcher's HTTP server: status, liveness, readiness and metrics over
 * evhttp, with explicit limits, since libevent 2.1's defaults are unlimited
 * and it has no cap on open connections: that one is counted here.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <json.h>

#include "fetcher.h"
#include "http.h"
#include "listener.h"
#include "log.h"
#include "metrics.h"
#include "status.h"
#include "util.h"

#define HTTP_CONNECTIONS_MAX	64
#define HTTP_HEADERS_MAX	8192	/* request line and headers */
#define HTTP_BODY_MAX		1024	/* none read; a small one gets 405 */
#define HTTP_TIMEOUT_S		10	/* idle, reading or writing */
#define HTTP_UNHEALTHY_POLLS	3	/* intervals without a good poll */

/*
 * Every method reaches our callback, so that the ones we do not serve get
 * 405 with an Allow header. evhttp would answer 501 itself to one it does
 * not allow, and libevent 2.1 files every method it does not know
 * (PROPFIND, lower-case get) under an internal bit: allowing all sixteen
 * bits lets those through too.
 */
#define HTTP_METHODS	0xffff

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
};

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
	h->conns[h->nconns++] = (struct http_conn){ bev, NULL, status_clock() };
	event_active(h->register_ev, EV_TIMEOUT, 0);
	return bev;
}

static void
conn_touch(struct http *h, struct evhttp_connection *evcon)
{
	size_t	i;

	for (i = 0; i < h->nconns; i++)
		if (h->conns[i].evcon == evcon)
			h->conns[i].last_active = status_clock();
}

/* --- What the endpoints report --- */

/*
 * Unhealthy once the last successful poll (or the start, before the
 * first) is older than 3 poll intervals, however long the backoff makes
 * the retries wait: an operator pages on it. Degraded from the first
 * failed poll, and until a first one succeeds.
 */
static const char *
health(const struct fetcher *f, const struct census *c)
{
	uint64_t	limit = HTTP_UNHEALTHY_POLLS * f->conf.poll_interval_ms;

	if (metrics_ms_since_success(f->metrics) > limit)
		return "unhealthy";
	if (f->poll.last_sync == 0 || f->poll.last_error[0] != '\0' ||
	    c->failed > 0 || f->results.deletions_held)
		return "degraded";
	return "healthy";
}

/* NULL when memory is short: then the caller answers 500. */
static struct json_object *
json_status(const struct http *h, const struct census *c, const char *status)
{
	struct json_object	*obj;
	char			 uptime[32];
	int			 rc = 0;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	format_duration((unsigned long)status_uptime(h->f), uptime,
	    sizeof(uptime));
	rc |= status_json_add(obj, "status", json_object_new_string(status));
	rc |= status_json_add(obj, "uptime", json_object_new_string(uptime));
	rc |= status_json_add(obj, "processed_vms",
	    json_object_new_int64(c->processed));
	rc |= status_json_add(obj, "failed_configs",
	    json_object_new_int64(c->failed));
	rc |= status_json_common(h->f, c, obj);
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

	status_census(h->f, &c);
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

/*
 * evhttp takes any HTTP/1.x and answers in the version asked for, so
 * "HTTP/1.9" would get "HTTP/1.9 200 OK". Only 1.0 and 1.1 are served; the
 * refusal is itself written as 1.1, the newest version we speak. libevent
 * 2.1 has no accessor for the version: http_struct.h is its only window.
 */
static int
version_supported(struct evhttp_request *req)
{
	if (req->major == 1 && (req->minor == 0 || req->minor == 1))
		return 1;
	req->major = 1;
	req->minor = 1;
	return 0;
}

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
	if (!version_supported(req))
		reply_text(req, 505, "HTTP Version Not Supported",
		    "HTTP version not supported");
	else if (i == sizeof(routes) / sizeof(routes[0]))
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
		listener_unguard(evhttp_bound_socket_get_listener(h->bound));
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
	else if (listener_guard(evhttp_bound_socket_get_listener(h->bound),
	    "HTTP") == -1)
		log_warnx("HTTP: accepting, but cannot pause after errors");
	else
		log_debug("HTTP: accepting connections");
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	conn_register_pending(h);	/* drops our references */
	if (h->bound != NULL)
		listener_unguard(evhttp_bound_socket_get_listener(h->bound));
	if (h->evhttp != NULL)
		evhttp_free(h->evhttp);
	if (h->register_ev != NULL)
		event_free(h->register_ev);
	free(h);
}
