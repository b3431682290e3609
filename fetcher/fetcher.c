/* SPDX-License-Identifier: ISC */
/*
 * multinicd-fetcher: the unprivileged process exposed to the network. It
 * talks to MariaDB, serves HTTP and the control socket, validates rows and
 * sends snapshots to the applier.
 */

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "child.h"
#include "db.h"
#include "fetcher.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "status.h"

static struct fetcher	fetcher;

static void	fetcher_dispatch_supervisor(struct msgchan *, struct msg *,
		    void *);
static void	fetcher_dispatch_applier(struct msgchan *, struct msg *, void *);

static void
replace_listener(int *slot, int fd)
{
	if (*slot != -1)
		close(*slot);
	*slot = fd;
}

/* evhttp lets go of the old socket before it is closed. */
static void
replace_http_listener(int fd)
{
	if (fetcher.http != NULL)
		http_listen(fetcher.http, fd);
	replace_listener(&fetcher.http_fd, fd);
}

static void
replace_control_listener(int fd)
{
	if (fetcher.control != NULL)
		control_listen(fetcher.control, fd);
	replace_listener(&fetcher.control_fd, fd);
}

static void
apply_config(const struct config *conf)
{
	fetcher.conf = *conf;
	fetcher.have_config = 1;
	log_setlevel(conf->log_level);
	log_setformat(conf->log_format);
	if (fetcher.started)
		poll_reconfigure(&fetcher);
	/* HEALTH_PORT=0 after a reload: no listener follows to replace ours. */
	if (conf->health_port == 0 && fetcher.http_fd != -1)
		replace_http_listener(-1);
}

/*
 * Sent after the configuration, which it completes. Before the start it is
 * kept for db_new(); either way the DB layer's copy is the only one left.
 */
static void
apply_secret(void)
{
	if (!fetcher.started)
		return;
	db_reconfigure(fetcher.db, &fetcher.conf, &fetcher.secret);
	explicit_bzero(&fetcher.secret, sizeof(fetcher.secret));
}

static void
start(void)
{
	if (!fetcher.have_config || fetcher.started)
		fatalx("start message out of order");
	/* What needs files or root happens before the sandbox. */
	db_preload();
	if ((fetcher.db = db_new(fetcher.base, &fetcher.conf,
	    &fetcher.secret)) == NULL)
		fatalx("cannot set up the database layer");
	explicit_bzero(&fetcher.secret, sizeof(fetcher.secret));
	fetcher_sandbox_drop(&fetcher.conf, &fetcher.sandbox);
	/* After the drop, which it inherits; the filter forbids new threads. */
	if (db_start_thread(fetcher.db) == -1)
		fatal("cannot start the database connect thread");
	fetcher_sandbox_filter();
	fetcher.start_time = status_clock();
	if ((fetcher.metrics = metrics_new()) == NULL ||
	    (fetcher.http = http_new(&fetcher)) == NULL ||
	    (fetcher.control = control_new(&fetcher)) == NULL)
		fatalx("cannot set up metrics, HTTP and the control socket");
	http_listen(fetcher.http, fetcher.http_fd);
	control_listen(fetcher.control, fetcher.control_fd);
	child_set_title("fetcher");
	fetcher.started = 1;
	poll_init(&fetcher);
	if (msg_compose(&fetcher.supervisor, MSG_READY, 0, -1, NULL, 0) == -1)
		fatal("cannot queue the ready message");
}

/*
 * db_free() first: it takes the handle of a connect in progress back from
 * the connect thread, which exit() would otherwise race with the client
 * library's clean-up.
 */
static void __attribute__((noreturn))
stop(void)
{
	if (fetcher.control != NULL)
		control_flush(fetcher.control);
	if (fetcher.db != NULL)
		db_free(fetcher.db);
	exit(0);
}

static void
supervisor_closed(struct msgchan *chan, int malformed, void *arg)
{
	(void)chan;
	(void)arg;
	if (malformed)
		fatalx("malformed message from the supervisor");
	/* Nothing to serve without a supervisor. */
	log_info("supervisor gone; exiting");
	stop();
}

static void
applier_closed(struct msgchan *chan, int malformed, void *arg)
{
	(void)chan;
	(void)arg;
	if (malformed)
		fatalx("malformed message from the applier");
	log_debug("applier channel closed; waiting for a new one");
}

static void
open_applier_channel(int fd)
{
	msgchan_close(&fetcher.applier);
	if (msgchan_open(&fetcher.applier, fetcher.base, fd, "applier", 0,
	    fetcher_dispatch_applier, applier_closed, NULL) == -1)
		fatal("cannot open the applier channel");
	/* A new applier knows nothing yet: tell it all at once. */
	fetcher.results.receiving = 0;
	snapshot_forget(&fetcher.ack);
	memset(&fetcher.db_address_sent, 0, sizeof(fetcher.db_address_sent));
	memset(&fetcher.applier_sandbox, 0, sizeof(fetcher.applier_sandbox));
	if (fetcher.started)
		poll_now(&fetcher);
}

static void
fetcher_dispatch_supervisor(struct msgchan *chan, struct msg *m, void *arg)
{
	struct config			conf;
	struct msg_log_level		level;
	struct msg_reload_result	reload;

	(void)arg;
	switch (m->hdr.type) {
	case MSG_CONFIG:
		if (msg_payload(chan, m, &conf, sizeof(conf)) == -1)
			fatalx("bad configuration message");
		apply_config(&conf);
		break;
	case MSG_DB_SECRET:
		if (msg_payload(chan, m, &fetcher.secret,
		    sizeof(fetcher.secret)) == -1)
			fatalx("bad secret message");
		apply_secret();
		break;
	case MSG_HTTP_LISTENER:
		replace_http_listener(m->fd);
		break;
	case MSG_CONTROL_LISTENER:
		replace_control_listener(m->fd);
		break;
	case MSG_PEER_CHANNEL:
		open_applier_channel(m->fd);
		break;
	case MSG_START:
		if (msg_payload_empty(chan, m) == -1)
			fatalx("bad start message");
		start();
		break;
	case MSG_LOG_LEVEL:
		if (msg_payload(chan, m, &level, sizeof(level)) == -1)
			fatalx("bad log level message");
		log_setlevel(level.level);
		break;
	case MSG_RELOAD_RESULT:
		if (msg_payload(chan, m, &reload, sizeof(reload)) == -1)
			fatalx("bad reload result message");
		reload.message[sizeof(reload.message) - 1] = '\0';
		if (fetcher.control != NULL)
			control_reload_done(fetcher.control, m->hdr.peerid,
			    &reload);
		break;
	default:
		fatalx("unexpected %s from the supervisor",
		    msg_type_name(m->hdr.type));
	}
}

static void
fetcher_dispatch_applier(struct msgchan *chan, struct msg *m, void *arg)
{
	struct msg_result	result;
	struct msg_results_end	end;
	struct msg_sandbox_state sandbox;
	struct msg_poll_request	request;

	(void)arg;
	switch (m->hdr.type) {
	case MSG_RESULT:
		if (msg_payload(chan, m, &result, sizeof(result)) == -1)
			fatalx("bad result message");
		results_add(&fetcher, &result);
		break;
	case MSG_RESULTS_END:
		if (msg_payload(chan, m, &end, sizeof(end)) == -1 ||
		    end.trigger > RESULTS_EVENT)
			fatalx("bad results end message");
		results_end(&fetcher, &end);
		break;
	case MSG_SANDBOX_STATE:
		if (msg_payload(chan, m, &sandbox, sizeof(sandbox)) == -1 ||
		    sandbox.landlock < SANDBOX_LANDLOCK_UNKNOWN ||
		    sandbox.landlock > SANDBOX_LANDLOCK_UNAVAILABLE)
			fatalx("bad sandbox state message");
		sandbox.reason[sizeof(sandbox.reason) - 1] = '\0';
		fetcher.applier_sandbox = sandbox;
		break;
	case MSG_POLL_REQUEST:
		if (msg_payload(chan, m, &request, sizeof(request)) == -1 ||
		    !poll_request_valid(&request))
			fatalx("bad poll request message");
		poll_hotplug_request(&fetcher, request.mac);
		break;
	default:
		fatalx("unexpected %s from the applier",
		    msg_type_name(m->hdr.type));
	}
}

/*
 * A reload that restarts us sends its answer first: take what the
 * supervisor has sent, so the waiting multinicctl gets it.
 */
static void
on_terminate(evutil_socket_t sig, short events, void *arg)
{
	(void)sig;
	(void)events;
	(void)arg;
	msgchan_drain(&fetcher.supervisor);
	stop();
}

int
fetcher_main(int argc, char *argv[])
{
	struct event	*ev_term;

	child_init(argc, argv, "fetcher");
	fetcher.control_fd = fetcher.http_fd = -1;
	fetcher.applier.fd = -1;
	if ((fetcher.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((ev_term = evsignal_new(fetcher.base, SIGTERM, on_terminate,
	    NULL)) == NULL || evsignal_add(ev_term, NULL) == -1)
		fatalx("cannot watch SIGTERM");
	if (msgchan_open(&fetcher.supervisor, fetcher.base, CHILD_FD_SUPERVISOR,
	    "supervisor", 1, fetcher_dispatch_supervisor, supervisor_closed,
	    NULL) == -1)
		fatal("cannot open the supervisor channel");
	open_applier_channel(CHILD_FD_PEER);
	event_base_dispatch(fetcher.base);
	return 0;
}

int
main(int argc, char *argv[])
{
	return fetcher_main(argc, argv);
}
