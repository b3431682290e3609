/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for applier/peer.c: the fetcher's messages over a real channel
 * into the applier's own dispatch. Nothing is read before MSG_START and
 * nothing is lost by waiting; after it, a complete snapshot runs a cycle
 * and a message out of order closes the channel and tells the supervisor.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <event2/event.h>

#include "msg.h"
#include "validate.h"
#include "rows.h"
#include "../../applier/applier.h"
#include "../../fetcher/fetcher.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define RUN_TIMEOUT_S	10	/* a test waiting longer has failed */

/* What the cycles run so far were given. */
static struct {
	int		count;
	int		started;	/* the applier's, at the last one */
	enum results_trigger trigger;	/* the last one's */
	int		no_ack;		/* fail as reading the links can */
	uint64_t	generation;
	size_t		nrows;
	int		allow_delete;
	int		retry;
	int		reports;	/* cycle_report() calls */
	int		report_started;	/* the applier's, at the last one */
} cycles;

/*
 * Stands in for cycle.c's at link time: the real one reads and programs
 * links through rtnetlink. This one records what it was given, takes the
 * sync's flags and acknowledges the snapshot as the real one does.
 */
void
cycle_run(struct applier *a, enum results_trigger trigger)
{
	cycles.count++;
	cycles.started = a->started;
	cycles.trigger = trigger;
	cycles.generation = a->snapshot.generation;
	cycles.nrows = a->snapshot.nrows;
	cycles.allow_delete = a->allow_delete_pending;
	cycles.retry = a->retry_pending;
	a->allow_delete_pending = 0;
	a->retry_pending = 0;
	a->planned = 1;
	if (!cycles.no_ack)
		peer_results_end(a, a->snapshot.generation, 0,
		    RESULTS_SNAPSHOT);
}

/* Stands in for cycle.c's, which reads the links: records the call. */
void
cycle_report(struct applier *a)
{
	cycles.reports++;
	cycles.report_started = a->started;
}

static struct applier	applier;

struct fixture {
	struct event_base	*base;
	struct msgchan		 fetcher;	/* the fetcher's end */
	struct msgchan		 supervisor;	/* the supervisor's end */
	int			 malformed;	/* MSG_PEER_MALFORMED received */
	int			 fetcher_gone;	/* the applier closed its end */
	int			 sandbox_states;	/* MSG_SANDBOX_STATE received */
	int			 results_ends;	/* MSG_RESULTS_END received */
	struct msg_results_end	 last_end;
};

static void
supervisor_receive(struct msgchan *chan, struct msg *m, void *arg)
{
	struct fixture	*f = arg;

	(void)chan;
	if (m->hdr.type != MSG_PEER_MALFORMED)
		fail_msg("the supervisor got %s", msg_type_name(m->hdr.type));
	f->malformed++;
}

/* The stand-in cycle sends no results, and nobody else sends anything. */
static void
unexpected(struct msgchan *chan, struct msg *m, void *arg)
{
	(void)arg;
	fail_msg("%s sent %s", chan->peer, msg_type_name(m->hdr.type));
}

/*
 * The applier reports its sandbox on every new channel, and acknowledges
 * snapshots; the stand-in cycle sends no results but the end.
 */
static void
fetcher_receive(struct msgchan *chan, struct msg *m, void *arg)
{
	struct fixture	*f = arg;

	switch (m->hdr.type) {
	case MSG_SANDBOX_STATE:
		f->sandbox_states++;
		break;
	case MSG_RESULTS_END:
		assert_int_equal(msg_payload(chan, m, &f->last_end,
		    sizeof(f->last_end)), 0);
		f->results_ends++;
		break;
	default:
		unexpected(chan, m, arg);
	}
}

static void
fetcher_closed(struct msgchan *chan, int malformed, void *arg)
{
	struct fixture	*f = arg;

	(void)chan;
	assert_false(malformed);
	f->fetcher_gone = 1;
}

static void
open_fetcher_end(struct fixture *f, int fd)
{
	assert_int_equal(msgchan_open(&f->fetcher, f->base, fd, "applier", 0,
	    fetcher_receive, fetcher_closed, f), 0);
	f->fetcher_gone = 0;
}

/* A new channel to the applier, as the supervisor hands one over. */
static void
new_channel(struct fixture *f)
{
	int	fds[2];

	msgchan_close(&f->fetcher);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	open_fetcher_end(f, fds[0]);
	peer_channel(&applier, fds[1]);
}

static int
setup(void **state)
{
	struct fixture	*f;
	int		 fds[2];

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->base = event_base_new();
	assert_non_null(f->base);
	memset(&applier, 0, sizeof(applier));
	memset(&cycles, 0, sizeof(cycles));
	applier.base = f->base;
	peer_init(&applier);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	assert_int_equal(msgchan_open(&applier.supervisor, f->base, fds[0],
	    "supervisor", 1, unexpected, NULL, NULL), 0);
	assert_int_equal(msgchan_open(&f->supervisor, f->base, fds[1],
	    "applier", 0, supervisor_receive, NULL, f), 0);
	f->fetcher.fd = -1;
	new_channel(f);
	*state = f;
	return 0;
}

/* What start() in applier.c does once its sandbox and rtnetlink are up. */
static void
start_applier(void)
{
	applier.started = 1;
	peer_start(&applier);
}

static int
setup_started(void **state)
{
	setup(state);
	start_applier();
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	msgchan_close(&applier.fetcher);
	msgchan_close(&applier.supervisor);
	if (applier.fetcher_unread != -1)
		close(applier.fetcher_unread);
	msgchan_close(&f->fetcher);
	msgchan_close(&f->supervisor);
	event_base_free(f->base);
	free(f);
	return 0;
}

static int
cycle_ran(const struct fixture *f)
{
	(void)f;
	return cycles.count > 0;
}

static int
refused(const struct fixture *f)
{
	return f->malformed > 0;
}

static int
fetcher_gone(const struct fixture *f)
{
	return f->fetcher_gone;
}

static int
row_received(const struct fixture *f)
{
	(void)f;
	return applier.snapshot.nrows > 0;
}

/* Runs the loop until done() says so, failing after RUN_TIMEOUT_S. */
static void
run_until(struct fixture *f, int (*done)(const struct fixture *))
{
	time_t	deadline = time(NULL) + RUN_TIMEOUT_S;

	while (!done(f) && time(NULL) < deadline)
		assert_int_not_equal(event_base_loop(f->base,
		    EVLOOP_ONCE | EVLOOP_NONBLOCK), -1);
	assert_true(done(f));
}

/*
 * The applier restarted and its fetcher at once sends all it knows: the
 * DB address, a sync it was asked for, a snapshot. All of it reaches the
 * applier's socket before MSG_START; none of it may be acted on, or even
 * read, until then, and all of it must be there afterwards.
 */
static void
test_nothing_read_before_start(void **state)
{
	struct fixture		*f = *state;
	struct msg_db_address	 db = { AF_INET, { 192, 0, 2, 1 } };
	struct msg_sync		 sync = { 1 };
	struct msg_row		 rows[2];

	rows[0] = valid_row(7, 1);
	rows[1] = held_row(8);
	assert_int_equal(msg_compose(&f->fetcher, MSG_DB_ADDRESS, 0, -1, &db,
	    sizeof(db)), 0);
	assert_int_equal(msg_compose(&f->fetcher, MSG_SYNC, 0, -1, &sync,
	    sizeof(sync)), 0);
	snapshot_send(&f->fetcher, 42, 0, rows, NELEM(rows));
	assert_int_equal(msgchan_flush(&f->fetcher), 0);
	/* The bytes are in the socket: a channel being read wakes now. */
	assert_int_not_equal(event_base_loop(f->base, EVLOOP_NONBLOCK), -1);
	assert_int_equal(cycles.count, 0);
	assert_int_equal(cycles.reports, 0);
	assert_false(applier.snapshot.receiving);
	assert_int_equal(applier.snapshot.nrows, 0);
	assert_false(applier.apply.guard.have_db_address);
	assert_false(applier.retry_pending);
	assert_int_equal(f->malformed, 0);

	start_applier();
	/* What it manages goes to the fetcher first, once, when started. */
	assert_int_equal(cycles.reports, 1);
	assert_true(cycles.report_started);
	run_until(f, cycle_ran);
	assert_int_equal(cycles.count, 1);
	assert_true(cycles.started);
	assert_int_equal(cycles.generation, 42);
	assert_int_equal(cycles.nrows, NELEM(rows));
	assert_true(cycles.allow_delete);
	assert_true(cycles.retry);
	assert_memory_equal(applier.snapshot.rows, rows, sizeof(rows));
	assert_true(applier.apply.guard.have_db_address);
	assert_int_equal(applier.apply.guard.db_family, AF_INET);
	assert_memory_equal(applier.apply.guard.db_address, db.addr,
	    sizeof(db.addr));
	assert_int_equal(f->malformed, 0);
}

/* The fetcher restarted before the applier started: only the last counts. */
static void
test_new_channel_before_start(void **state)
{
	struct fixture	*f = *state;

	new_channel(f);
	assert_false(msgchan_is_open(&applier.fetcher));
	snapshot_send(&f->fetcher, 5, 0, NULL, 0);
	assert_int_equal(msgchan_flush(&f->fetcher), 0);
	start_applier();
	run_until(f, cycle_ran);
	assert_int_equal(cycles.generation, 5);
}

/* The channel kept unread is closed when a newer one replaces it. */
static void
test_replaced_channel_closed(void **state)
{
	struct fixture	*f = *state;
	int		 fds[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	peer_channel(&applier, fds[1]);
	run_until(f, fetcher_gone);
	assert_int_equal(applier.fetcher_unread, fds[1]);
	close(fds[0]);
}

static void
test_round_trip(void **state)
{
	struct fixture	*f = *state;
	struct msg_row	 rows[3];

	rows[0] = valid_row(7, 1);
	rows[1] = held_row(8);
	rows[2] = valid_row(9, 2);
	snapshot_send(&f->fetcher, 42, 0, rows, NELEM(rows));
	run_until(f, cycle_ran);
	assert_int_equal(cycles.generation, 42);
	assert_int_equal(applier.snapshot.nrows, NELEM(rows));
	assert_memory_equal(applier.snapshot.rows, rows, sizeof(rows));
	assert_false(cycles.retry);
}

/* An empty answer is a snapshot of no rows, not the absence of one. */
static void
test_empty_snapshot(void **state)
{
	struct fixture	*f = *state;

	snapshot_send(&f->fetcher, 3, 0, NULL, 0);
	run_until(f, cycle_ran);
	assert_int_equal(cycles.generation, 3);
	assert_int_equal(cycles.nrows, 0);
}

static void
test_full_snapshot(void **state)
{
	struct fixture	*f = *state;
	struct msg_row	 rows[SNAPSHOT_ROWS_MAX];
	size_t		 i;

	for (i = 0; i < NELEM(rows); i++)
		rows[i] = held_row((int64_t)i + 1);
	snapshot_send(&f->fetcher, 5, 0, rows, NELEM(rows));
	run_until(f, cycle_ran);
	assert_int_equal(applier.snapshot.nrows, SNAPSHOT_ROWS_MAX);
	assert_memory_equal(applier.snapshot.rows, rows, sizeof(rows));
}

/* A snapshot begun on a channel cannot be finished on the next one. */
static void
test_new_channel_ends_snapshot(void **state)
{
	struct fixture		*f = *state;
	struct msg_snapshot	 bounds = { 1, 2, 0 };
	struct msg_row		 rows[2];

	rows[0] = valid_row(1, 1);
	rows[1] = valid_row(2, 2);
	assert_int_equal(msg_compose(&f->fetcher, MSG_SNAPSHOT_BEGIN, 0, -1,
	    &bounds, sizeof(bounds)), 0);
	assert_int_equal(msg_compose(&f->fetcher, MSG_SNAPSHOT_ROW, 0, -1,
	    &rows[0], sizeof(rows[0])), 0);
	run_until(f, row_received);
	new_channel(f);
	assert_int_equal(msg_compose(&f->fetcher, MSG_SNAPSHOT_ROW, 0, -1,
	    &rows[1], sizeof(rows[1])), 0);
	assert_int_equal(msg_compose(&f->fetcher, MSG_SNAPSHOT_END, 0, -1,
	    &bounds, sizeof(bounds)), 0);
	run_until(f, refused);
	assert_int_equal(cycles.count, 0);
}

/* One message as a fetcher, hostile or confused, might send it. */
struct frame {
	uint32_t	type;
	uint64_t	generation;	/* begin, end */
	uint32_t	value;		/* begin, end: count; sync: allow_delete;
					   DB address: family; unchanged:
					   previous */
	size_t		short_by;	/* bytes cut off the payload */
};

struct disorder {
	const char	*what;
	struct frame	 frames[5];
	size_t		 nframes;
	uint64_t	 cycle;		/* generation acted on; 0: none */
	int		 refused;	/* the channel closed, supervisor told */
};

#define BEGIN(g, n)	{ MSG_SNAPSHOT_BEGIN, g, n, 0 }
#define ROW		{ MSG_SNAPSHOT_ROW, 0, 0, 0 }
#define END(g, n)	{ MSG_SNAPSHOT_END, g, n, 0 }
#define UNCHANGED(g, p)	{ MSG_SNAPSHOT_UNCHANGED, g, p, 0 }

static const struct disorder disorders[] = {
	{ "a row without a begin, then a snapshot", { ROW, BEGIN(1, 0),
	    END(1, 0) }, 3, 0, 1 },
	{ "an end without a begin", { END(1, 0) }, 1, 0, 1 },
	{ "a second begin", { BEGIN(1, 2), ROW, BEGIN(2, 1), ROW, END(2, 1) },
	    5, 2, 0 },
	{ "the end of the discarded snapshot", { BEGIN(1, 1), BEGIN(2, 1), ROW,
	    END(1, 1) }, 4, 0, 1 },
	{ "a row after the end", { BEGIN(1, 0), END(1, 0), ROW }, 3, 1, 1 },
	{ "too many rows announced", { BEGIN(1, SNAPSHOT_ROWS_MAX + 1) }, 1, 0,
	    1 },
	{ "a short begin", { { MSG_SNAPSHOT_BEGIN, 1, 0, 1 } }, 1, 0, 1 },
	{ "a result", { { MSG_RESULT, 0, 0, 0 } }, 1, 0, 1 },
	{ "a results end", { { MSG_RESULTS_END, 0, 0, 0 } }, 1, 0, 1 },
	{ "a start", { { MSG_START, 0, 0, 0 } }, 1, 0, 1 },
	{ "a configuration", { { MSG_CONFIG, 0, 0, 0 } }, 1, 0, 1 },
	{ "a channel without its descriptor", { { MSG_PEER_CHANNEL, 0, 0, 0 } },
	    1, 0, 1 },
	{ "a sync with allow-delete 2", { { MSG_SYNC, 0, 2, 0 } }, 1, 0, 1 },
	{ "a DB address of no known family", { { MSG_DB_ADDRESS, 0, 99, 0 } },
	    1, 0, 1 },
	{ "a sync, then a snapshot", { { MSG_SYNC, 0, 1, 0 }, BEGIN(3, 0),
	    END(3, 0) }, 3, 3, 0 },
	{ "an unchanged snapshot before any", { UNCHANGED(2, 1) }, 1, 0, 1 },
	{ "an unchanged snapshot of generation 0", { UNCHANGED(1, 0) }, 1, 0,
	    1 },
	{ "an unchanged snapshot of another previous", { BEGIN(1, 0),
	    END(1, 0), UNCHANGED(3, 2) }, 3, 1, 1 },
	{ "an unchanged snapshot during a snapshot", { BEGIN(1, 0), END(1, 0),
	    BEGIN(2, 1), UNCHANGED(3, 1) }, 4, 1, 1 },
	{ "an unchanged snapshot repeating its own generation", { BEGIN(4, 0),
	    END(4, 0), UNCHANGED(4, 4) }, 3, 4, 1 },
	{ "an unchanged snapshot going back", { BEGIN(4, 0), END(4, 0),
	    UNCHANGED(3, 4) }, 3, 4, 1 },
	{ "a short unchanged snapshot", { BEGIN(1, 0), END(1, 0),
	    { MSG_SNAPSHOT_UNCHANGED, 2, 1, 1 } }, 3, 1, 1 },
};

/* Writes one frame as raw bytes: msg_compose() would refuse some. */
static void
send_frame(struct fixture *f, const struct frame *frame, int64_t id)
{
	union {
		struct msg_snapshot	bounds;
		struct msg_row		row;
		struct msg_result	result;
		struct msg_results_end	end;
		struct msg_sync		sync;
		struct msg_db_address	db;
		struct msg_snapshot_unchanged unchanged;
		struct config		conf;
	}		payload;
	struct msg_hdr	hdr = { frame->type, 0, 0, (uint32_t)getpid() };
	char		buf[MSG_HDR_SIZE + sizeof(payload)];

	memset(&payload, 0, sizeof(payload));
	switch (frame->type) {
	case MSG_SNAPSHOT_BEGIN:
	case MSG_SNAPSHOT_END:
		payload.bounds.generation = frame->generation;
		payload.bounds.count = frame->value;
		hdr.len = sizeof(payload.bounds);
		break;
	case MSG_SNAPSHOT_UNCHANGED:
		payload.unchanged.generation = frame->generation;
		payload.unchanged.previous = frame->value;
		hdr.len = sizeof(payload.unchanged);
		break;
	case MSG_SNAPSHOT_ROW:
		payload.row = valid_row(id, (uint8_t)id);
		hdr.len = sizeof(payload.row);
		break;
	case MSG_RESULT:
		hdr.len = sizeof(payload.result);
		break;
	case MSG_RESULTS_END:
		hdr.len = sizeof(payload.end);
		break;
	case MSG_SYNC:
		payload.sync.allow_delete = frame->value;
		hdr.len = sizeof(payload.sync);
		break;
	case MSG_DB_ADDRESS:
		payload.db.family = (int32_t)frame->value;
		hdr.len = sizeof(payload.db);
		break;
	case MSG_CONFIG:
		hdr.len = sizeof(payload.conf);
		break;
	default:
		break;		/* no payload */
	}
	hdr.len -= frame->short_by;
	memcpy(buf, &hdr, MSG_HDR_SIZE);
	memcpy(buf + MSG_HDR_SIZE, &payload, hdr.len);
	assert_int_equal(write(f->fetcher.fd, buf, MSG_HDR_SIZE + hdr.len),
	    (ssize_t)(MSG_HDR_SIZE + hdr.len));
}

/* Each must leave both processes running; the fetcher's channel may end. */
static void
test_out_of_order(void **state)
{
	const struct disorder	*d;
	size_t			 i, k;
	struct fixture		*f;

	(void)state;
	for (i = 0; i < NELEM(disorders); i++) {
		d = &disorders[i];
		setup_started((void **)&f);
		for (k = 0; k < d->nframes; k++)
			send_frame(f, &d->frames[k], (int64_t)k + 1);
		run_until(f, d->refused ? refused : cycle_ran);
		if (cycles.count != (d->cycle != 0) ||
		    cycles.generation != d->cycle)
			fail_msg("%s: %d cycles of generation %llu, want %llu",
			    d->what, cycles.count,
			    (unsigned long long)cycles.generation,
			    (unsigned long long)d->cycle);
		if (msgchan_is_open(&applier.fetcher) == d->refused)
			fail_msg("%s: channel %s", d->what, d->refused ?
			    "still open" : "closed");
		teardown((void **)&f);
	}
}

/* ---- unchanged snapshots ---- */

static int
results_ended(const struct fixture *f)
{
	return f->results_ends > 0;
}

static int
two_cycles(const struct fixture *f)
{
	(void)f;
	return cycles.count >= 2;
}

static void
send_unchanged(struct fixture *f, uint64_t generation, uint64_t previous)
{
	struct msg_snapshot_unchanged	u = { generation, previous };

	assert_int_equal(msg_compose(&f->fetcher, MSG_SNAPSHOT_UNCHANGED, 0,
	    -1, &u, sizeof(u)), 0);
}

/* A snapshot acted on and acknowledged; nothing dirty since. */
static void
acknowledged_snapshot(struct fixture *f, uint64_t generation)
{
	struct msg_row	rows[1];

	rows[0] = valid_row(7, 1);
	snapshot_send(&f->fetcher, generation, 0, rows, NELEM(rows));
	run_until(f, cycle_ran);
	run_until(f, results_ended);
	assert_int_equal(f->last_end.generation, generation);
	assert_int_equal(applier.snapshot.acknowledged, generation);
	f->results_ends = 0;
	applier.live_dirty = 0;
	applier.files_dirty = 0;
	applier.replan = 0;
}

/*
 * Nothing can have changed and the plan is steady: the answer is the end
 * alone, count 0, for the new generation, and no cycle runs.
 */
static void
test_unchanged_answered(void **state)
{
	struct fixture	*f = *state;
	int		 i;

	acknowledged_snapshot(f, 42);
	for (i = 1; i <= 3; i++) {
		send_unchanged(f, 42 + i, 42 + i - 1);
		run_until(f, results_ended);
		f->results_ends = 0;
		assert_int_equal(f->last_end.generation, 42 + i);
		assert_int_equal(f->last_end.count, 0);
		assert_int_equal(f->last_end.deletions_held, 0);
		assert_int_equal(f->last_end.trigger, RESULTS_UNCHANGED);
		assert_int_equal(applier.snapshot.acknowledged, 42 + i);
		assert_int_equal(applier.snapshot.generation, 42 + i);
	}
	assert_int_equal(cycles.count, 1);
	assert_int_equal(f->malformed, 0);
	/* The rows stand. */
	assert_int_equal(applier.snapshot.nrows, 1);
	assert_int_equal(applier.snapshot.rows[0].row_id, 7);
}

/* What makes an unchanged snapshot a cycle all the same. */
struct unsure {
	const char	*what;
	void		(*make)(struct applier *);
};

static void
live_unknown(struct applier *a)
{
	a->live_dirty = 1;
}

static void
file_changed(struct applier *a)
{
	a->files_dirty = 1;
}

static void
config_changed(struct applier *a)
{
	a->replan = 1;
}

static void
sync_asked(struct applier *a)
{
	a->retry_pending = 1;
}

static void
allow_delete_asked(struct applier *a)
{
	a->allow_delete_pending = 1;
}

static void
action_planned(struct applier *a)
{
	a->plan.nitems = 1;
	a->plan.items[0].action = PLAN_CREATE;
	a->plan.items[0].state = NIC_PENDING;
}

static void
retry_waiting(struct applier *a)
{
	a->memory.nfailures = 1;
}

static void
deletion_held(struct applier *a)
{
	a->plan.deletions_held = 1;
	a->memory.held_since = 1;
}

static void
inventory_only(struct applier *a)
{
	a->planned = 0;
}

static const struct unsure unsures[] = {
	{ "the live state may have changed", live_unknown },
	{ "a managed file changed", file_changed },
	{ "the configuration changed", config_changed },
	{ "a sync waits", sync_asked },
	{ "an allow-delete waits", allow_delete_asked },
	{ "an action is planned", action_planned },
	{ "a failure waits for its retry", retry_waiting },
	{ "deletions are held", deletion_held },
	{ "no cycle has run", inventory_only },
};

static void
test_unchanged_runs_cycle(void **state)
{
	const struct unsure	*u;
	struct fixture		*f;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(unsures); i++) {
		u = &unsures[i];
		setup_started((void **)&f);
		acknowledged_snapshot(f, 10);
		u->make(&applier);
		send_unchanged(f, 11, 10);
		run_until(f, two_cycles);
		if (cycles.trigger != RESULTS_UNCHANGED ||
		    cycles.generation != 11)
			fail_msg("%s: cycle for %d, generation %llu", u->what,
			    cycles.trigger,
			    (unsigned long long)cycles.generation);
		run_until(f, results_ended);
		assert_int_equal(f->last_end.generation, 11);
		assert_int_equal(applier.snapshot.acknowledged, 11);
		assert_int_equal(f->malformed, 0);
		teardown((void **)&f);
	}
}

/* What the old channel acknowledged, the new fetcher cannot repeat. */
static void
test_unchanged_after_new_channel(void **state)
{
	struct fixture	*f = *state;

	acknowledged_snapshot(f, 5);
	new_channel(f);
	assert_int_equal(applier.snapshot.acknowledged, 0);
	send_unchanged(f, 6, 5);
	run_until(f, refused);
	assert_int_equal(cycles.count, 1);
}

/*
 * A snapshot whose cycle could not run (links unreadable) was not
 * acknowledged: its rows replaced the acknowledged ones, so neither
 * generation may be repeated.
 */
static void
test_unchanged_of_unacknowledged(void **state)
{
	static const uint64_t	 previous[] = { 1, 2 };
	struct fixture		*f;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(previous); i++) {
		setup_started((void **)&f);
		acknowledged_snapshot(f, 1);
		cycles.no_ack = 1;
		snapshot_send(&f->fetcher, 2, 0, NULL, 0);
		run_until(f, two_cycles);
		assert_int_equal(applier.snapshot.acknowledged, 0);
		send_unchanged(f, 3, previous[i]);
		run_until(f, refused);
		assert_int_equal(cycles.count, 2);
		teardown((void **)&f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_read_before_start,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_channel_before_start,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_channel_closed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup_started,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_snapshot,
		    setup_started, teardown),
		cmocka_unit_test_setup_teardown(test_full_snapshot,
		    setup_started, teardown),
		cmocka_unit_test_setup_teardown(test_new_channel_ends_snapshot,
		    setup_started, teardown),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test_setup_teardown(test_unchanged_answered,
		    setup_started, teardown),
		cmocka_unit_test(test_unchanged_runs_cycle),
		cmocka_unit_test_setup_teardown(test_unchanged_after_new_channel,
		    setup_started, teardown),
		cmocka_unit_test(test_unchanged_of_unacknowledged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
