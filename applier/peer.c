/* SPDX-License-Identifier: ISC */
/*
 * The applier's channel to the fetcher: when it is read, and what each of
 * the fetcher's messages does. The fetcher faces the network, so a message
 * that breaks the protocol ends the channel and the supervisor restarts it.
 */

#include <sys/socket.h>

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "applier.h"
#include "log.h"

void
peer_init(struct applier *a)
{
	a->fetcher.fd = -1;
	a->fetcher_unread = -1;
}

static void
fetcher_misbehaved(struct applier *a, const char *what)
{
	log_warnx("fetcher: %s; closing its channel", what);
	msgchan_close(&a->fetcher);
	a->snapshot.receiving = 0;
	a->snapshot.acknowledged = 0;
	if (msg_compose(&a->supervisor, MSG_PEER_MALFORMED, 0, -1, NULL,
	    0) == -1)
		fatal("cannot queue the malformed-peer message");
}

static void
fetcher_closed(struct msgchan *chan, int malformed, void *arg)
{
	struct applier	*a = arg;

	(void)chan;
	a->snapshot.receiving = 0;
	a->snapshot.acknowledged = 0;
	if (malformed)
		fetcher_misbehaved(a, "broken message framing");
	else
		log_debug("fetcher channel closed; waiting for a new one");
}

static void
open_channel(struct applier *a, int fd)
{
	if (msgchan_open(&a->fetcher, a->base, fd, "fetcher", 0,
	    applier_dispatch_fetcher, fetcher_closed, a) == -1)
		fatal("cannot open the fetcher channel");
	/* A new fetcher knows nothing of our sandbox: its status shows it. */
	if (msg_compose(&a->fetcher, MSG_SANDBOX_STATE, 0, -1, &a->sandbox,
	    sizeof(a->sandbox)) == -1)
		fatal("cannot queue the sandbox state");
	cycle_report(a);
}

/*
 * Before MSG_START the applier has neither its sandbox nor rtnetlink, so a
 * channel that comes then is kept unread until peer_start(): what the
 * fetcher sends waits in the socket, in order, and nothing is lost.
 * Dropping it instead would lose what the fetcher sends once: the DB
 * address (sent again only when it changes) and a sync's allow-delete. And
 * no byte from the fetcher is parsed outside the sandbox.
 */
void
peer_channel(struct applier *a, int fd)
{
	msgchan_close(&a->fetcher);
	if (a->fetcher_unread != -1)
		(void)close(a->fetcher_unread);
	a->fetcher_unread = -1;
	/*
	 * A snapshot begun on the old channel is not continued on this one,
	 * and what the old one acknowledged is not this one's to repeat.
	 */
	a->snapshot.receiving = 0;
	a->snapshot.acknowledged = 0;
	if (a->started)
		open_channel(a, fd);
	else
		a->fetcher_unread = fd;
}

/* Called once a->started is set: reads what waited. */
void
peer_start(struct applier *a)
{
	int	fd = a->fetcher_unread;

	if (fd == -1)
		return;
	a->fetcher_unread = -1;
	open_channel(a, fd);
}

/* multinicctl sync: acted on with the next snapshot. */
static void
sync_requested(struct applier *a, const struct msg_sync *sync)
{
	/* Failed actions are tried again at once, too. */
	a->retry_pending = 1;
	if (sync->allow_delete)
		a->allow_delete_pending = 1;
}

/* Where the fetcher reaches the DB: the route there is never touched. */
static int
set_db_address(struct applier *a, const struct msg_db_address *db)
{
	struct apply_guard	*g = &a->apply.guard;

	switch (db->family) {
	case 0:
		g->have_db_address = 0;
		a->replan = 1;
		return 0;
	case AF_INET:
	case AF_INET6:
		g->have_db_address = 1;
		g->db_family = db->family;
		memcpy(g->db_address, db->addr, sizeof(g->db_address));
		/* The route there is protected: the plan may differ. */
		a->replan = 1;
		return 0;
	default:
		return -1;
	}
}

void
peer_results_end(struct applier *a, uint64_t generation, uint32_t count,
    enum results_trigger trigger)
{
	struct msg_results_end	end;

	if (!msgchan_is_open(&a->fetcher))
		return;
	memset(&end, 0, sizeof(end));
	end.generation = generation;
	end.count = count;
	end.deletions_held = (uint32_t)a->plan.deletions_held;
	end.trigger = trigger;
	if (msg_compose(&a->fetcher, MSG_RESULTS_END, 0, -1, &end,
	    sizeof(end)) == -1) {
		log_warn("cannot queue the results");
		return;
	}
	/* An event's results repeat a generation; they acknowledge none. */
	if (generation != 0 && trigger != RESULTS_EVENT)
		a->snapshot.acknowledged = generation;
}

/*
 * Nothing the last cycle read can have changed, and its plan would come
 * out the same at any time: rows, files, live state, configuration.
 */
static int
nothing_to_do(const struct applier *a)
{
	return a->planned && !a->live_dirty && !a->files_dirty &&
	    !a->replan && !a->retry_pending && !a->allow_delete_pending &&
	    plan_is_steady(&a->plan, &a->memory);
}

/* The rows stand as a new generation: often the last verdict does too. */
static void
unchanged_received(struct applier *a)
{
	log_debug("snapshot %llu: %zu rows, unchanged",
	    (unsigned long long)a->snapshot.generation, a->snapshot.nrows);
	if (!nothing_to_do(a)) {
		cycle_run(a, RESULTS_UNCHANGED);
		return;
	}
	/* It counts toward deletions as a snapshot would. */
	(void)plan_snapshot_counts(&a->memory, time(NULL),
	    a->conf.poll_interval_ms);
	peer_results_end(a, a->snapshot.generation, 0, RESULTS_UNCHANGED);
}

/*
 * Every message out of order is refused here or in snapshot.c: a row or an
 * end outside a snapshot, an unchanged snapshot during one or of rows not
 * acknowledged on this channel, and any type the fetcher never sends
 * (results, the supervisor's messages). A begin during a snapshot only
 * discards it.
 */
void
applier_dispatch_fetcher(struct msgchan *chan, struct msg *m, void *arg)
{
	struct applier		*a = arg;
	struct msg_snapshot	 bounds;
	struct msg_snapshot_unchanged unchanged;
	struct msg_row		 row;
	struct msg_sync		 sync;
	struct msg_db_address	 db;
	const char		*why = NULL;

	switch (m->hdr.type) {
	case MSG_SNAPSHOT_BEGIN:
		if (msg_payload(chan, m, &bounds, sizeof(bounds)) == -1)
			why = "bad snapshot begin";
		else
			snapshot_begin(&a->snapshot, &bounds, &why);
		break;
	case MSG_SNAPSHOT_ROW:
		if (msg_payload(chan, m, &row, sizeof(row)) == -1)
			why = "bad snapshot row";
		else
			snapshot_row(&a->snapshot, &row, &why);
		break;
	case MSG_SNAPSHOT_END:
		if (msg_payload(chan, m, &bounds, sizeof(bounds)) == -1)
			why = "bad snapshot end";
		else if (snapshot_end(&a->snapshot, &bounds, &why) == 1)
			cycle_run(a, RESULTS_SNAPSHOT);
		break;
	case MSG_SNAPSHOT_UNCHANGED:
		if (msg_payload(chan, m, &unchanged, sizeof(unchanged)) == -1)
			why = "bad unchanged snapshot";
		else if (snapshot_unchanged(&a->snapshot, &unchanged,
		    &why) == 1)
			unchanged_received(a);
		break;
	case MSG_SYNC:
		if (msg_payload(chan, m, &sync, sizeof(sync)) == -1 ||
		    sync.allow_delete > 1)
			why = "bad sync message";
		else
			sync_requested(a, &sync);
		break;
	case MSG_DB_ADDRESS:
		if (msg_payload(chan, m, &db, sizeof(db)) == -1 ||
		    set_db_address(a, &db) == -1)
			why = "bad database address message";
		break;
	default:
		why = msg_type_name(m->hdr.type);
		break;
	}
	if (why != NULL)
		fetcher_misbehaved(a, why);
}
