/*
 * multinicd-applier: the root process that renames links, sets MTU and
 * addresses and writes the persistent configuration. It never execs, has no
 * socket but rtnetlink, and trusts nothing the fetcher sends.
 */

#include <sys/socket.h>

#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/event.h>

#include "applier.h"
#include "child.h"
#include "log.h"

static struct applier	applier;

static void	applier_dispatch_supervisor(struct msgchan *, struct msg *,
		    void *);
static void	applier_dispatch_fetcher(struct msgchan *, struct msg *, void *);

static void
apply_config(const struct config *conf)
{
	applier.conf = *conf;
	applier.have_config = 1;
	log_setlevel(conf->log_level);
	log_setformat(conf->log_format);
}

static void
start(void)
{
	if (!applier.have_config || applier.started)
		fatalx("start message out of order");
	applier_sandbox(&applier.conf);
	cycle_init(&applier);
	child_set_title("applier");
	applier.started = 1;
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

/*
 * The fetcher is exposed to the network: a message from it that breaks the
 * protocol ends the channel, and the supervisor restarts the fetcher.
 */
static void
fetcher_misbehaved(const char *what)
{
	log_warnx("fetcher: %s; closing its channel", what);
	msgchan_close(&applier.fetcher);
	applier.snapshot.receiving = 0;
	if (msg_compose(&applier.supervisor, MSG_PEER_MALFORMED, 0, -1, NULL,
	    0) == -1)
		fatal("cannot queue the malformed-peer message");
}

static void
fetcher_closed(struct msgchan *chan, int malformed, void *arg)
{
	(void)chan;
	(void)arg;
	applier.snapshot.receiving = 0;
	if (malformed)
		fetcher_misbehaved("broken message framing");
	else
		log_debug("fetcher channel closed; waiting for a new one");
}

static void
open_fetcher_channel(int fd)
{
	msgchan_close(&applier.fetcher);
	if (msgchan_open(&applier.fetcher, applier.base, fd, "fetcher", 0,
	    applier_dispatch_fetcher, fetcher_closed, NULL) == -1)
		fatal("cannot open the fetcher channel");
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
		open_fetcher_channel(m->fd);
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
snapshot_complete(void)
{
	cycle_run(&applier);
}

/* Where the fetcher reaches the DB: the route there is never touched. */
static int
set_db_address(const struct msg_db_address *db)
{
	struct apply_guard	*g = &applier.apply.guard;

	switch (db->family) {
	case 0:
		g->have_db_address = 0;
		return 0;
	case AF_INET:
	case AF_INET6:
		g->have_db_address = 1;
		g->db_family = db->family;
		memcpy(g->db_address, db->addr, sizeof(g->db_address));
		return 0;
	default:
		return -1;
	}
}

static void
applier_dispatch_fetcher(struct msgchan *chan, struct msg *m, void *arg)
{
	struct msg_snapshot	 bounds;
	struct msg_row		 row;
	struct msg_sync		 sync;
	struct msg_db_address	 db;
	const char		*why = NULL;

	(void)arg;
	switch (m->hdr.type) {
	case MSG_SNAPSHOT_BEGIN:
		if (msg_payload(chan, m, &bounds, sizeof(bounds)) == -1)
			why = "bad snapshot begin";
		else
			snapshot_begin(&applier.snapshot, &bounds, &why);
		break;
	case MSG_SNAPSHOT_ROW:
		if (msg_payload(chan, m, &row, sizeof(row)) == -1)
			why = "bad snapshot row";
		else
			snapshot_row(&applier.snapshot, &row, &why);
		break;
	case MSG_SNAPSHOT_END:
		if (msg_payload(chan, m, &bounds, sizeof(bounds)) == -1)
			why = "bad snapshot end";
		else if (snapshot_end(&applier.snapshot, &bounds, &why) == 1)
			snapshot_complete();
		break;
	case MSG_SYNC:
		if (msg_payload(chan, m, &sync, sizeof(sync)) == -1 ||
		    sync.allow_delete > 1)
			why = "bad sync message";
		else {
			/* Failed actions are tried again at once, too. */
			applier.retry_pending = 1;
			if (sync.allow_delete)
				applier.allow_delete_pending = 1;
		}
		break;
	case MSG_DB_ADDRESS:
		if (msg_payload(chan, m, &db, sizeof(db)) == -1 ||
		    set_db_address(&db) == -1)
			why = "bad database address message";
		break;
	default:
		why = msg_type_name(m->hdr.type);
		break;
	}
	if (why != NULL)
		fetcher_misbehaved(why);
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
	applier.fetcher.fd = -1;
	if ((applier.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((ev_term = evsignal_new(applier.base, SIGTERM, on_terminate,
	    NULL)) == NULL || evsignal_add(ev_term, NULL) == -1)
		fatalx("cannot watch SIGTERM");
	if (msgchan_open(&applier.supervisor, applier.base, CHILD_FD_SUPERVISOR,
	    "supervisor", 1, applier_dispatch_supervisor, supervisor_closed,
	    NULL) == -1)
		fatal("cannot open the supervisor channel");
	open_fetcher_channel(CHILD_FD_PEER);
	event_base_dispatch(applier.base);
	return 0;
}

int
main(int argc, char *argv[])
{
	return applier_main(argc, argv);
}
