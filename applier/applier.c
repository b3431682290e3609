/* SPDX-License-Identifier: ISC */
/*
 * multinicd-applier: the root process that renames links, sets MTU and
 * addresses and writes the persistent configuration. It never execs, has no
 * socket but rtnetlink, and trusts nothing the fetcher sends.
 */

#include <signal.h>
#include <stdlib.h>

#include <event2/event.h>

#include "applier.h"
#include "caps.h"
#include "child.h"
#include "log.h"

static struct applier	applier;

static void	applier_dispatch_supervisor(struct msgchan *, struct msg *,
		    void *);

static void
apply_config(const struct config *conf)
{
	applier.conf = *conf;
	applier.have_config = 1;
	/* PROTECTED_INTERFACES, DRY_RUN and more: the plan may differ. */
	applier.replan = 1;
	log_setlevel(conf->log_level);
	log_setformat(conf->log_format);
}

static void
start(void)
{
	if (!applier.have_config || applier.started)
		fatalx("start message out of order");
	applier_sandbox(&applier.conf, &applier.sandbox);
	cycle_init(&applier);
	child_set_title("applier");
	applier.started = 1;
	/* Only now, sandboxed and with rtnetlink, is the fetcher heard. */
	peer_start(&applier);
	if (msg_compose(&applier.supervisor, MSG_READY, 0, -1, NULL, 0) == -1)
		fatal("cannot queue the ready message");
}

static void
supervisor_closed(struct msgchan *chan, int malformed, void *arg)
{
	(void)chan;
	(void)arg;
	if (malformed)
		fatalx("malformed message from the supervisor");
	log_info("supervisor gone; exiting");
	exit(0);
}

static void
applier_dispatch_supervisor(struct msgchan *chan, struct msg *m, void *arg)
{
	struct config		conf;
	struct msg_log_level	level;

	(void)arg;
	switch (m->hdr.type) {
	case MSG_CONFIG:
		if (msg_payload(chan, m, &conf, sizeof(conf)) == -1)
			fatalx("bad configuration message");
		apply_config(&conf);
		break;
	case MSG_PEER_CHANNEL:
		peer_channel(&applier, m->fd);
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
	default:
		fatalx("unexpected %s from the supervisor",
		    msg_type_name(m->hdr.type));
	}
}

static void
on_terminate(evutil_socket_t sig, short events, void *arg)
{
	(void)sig;
	(void)events;
	(void)arg;
	exit(0);
}

int
applier_main(int argc, char *argv[])
{
	struct event	*ev_term;

	child_init(argc, argv, "applier");
	/*
	 * Before the first message is read. CAP_NET_ADMIN renames links and
	 * sets MTUs, addresses and link state; nothing else: the files the
	 * applier writes are root's own (no CAP_DAC_OVERRIDE, CAP_FOWNER or
	 * CAP_CHOWN), and an empty bounding set costs nothing in a process
	 * that never execs.
	 */
	caps_limit(0, CAPS_BIT(CAP_NET_ADMIN), CAPS_ALL);
	if ((applier.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((ev_term = evsignal_new(applier.base, SIGTERM, on_terminate,
	    NULL)) == NULL || evsignal_add(ev_term, NULL) == -1)
		fatalx("cannot watch SIGTERM");
	if (msgchan_open(&applier.supervisor, applier.base, CHILD_FD_SUPERVISOR,
	    "supervisor", 1, applier_dispatch_supervisor, supervisor_closed,
	    NULL) == -1)
		fatal("cannot open the supervisor channel");
	peer_init(&applier);
	peer_channel(&applier, CHILD_FD_PEER);
	event_base_dispatch(applier.base);
	return 0;
}

int
main(int argc, char *argv[])
{
	return applier_main(argc, argv);
}
