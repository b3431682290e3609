/*
 * Unit tests for snapshot framing: fetcher/snapshot.c sends begin, rows and
 * end over a real channel, applier/snapshot.c assembles them and acts only
 * on a complete snapshot whose end matches its begin.
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
#include "../../applier/applier.h"
#include "../../fetcher/fetcher.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define RUN_TIMEOUT_S	10	/* a test waiting longer has failed */

/* The applier's side of one channel: what assembling the messages gave. */
struct receiver {
	struct snapshot	 snapshot;
	int		 complete;	/* snapshot_end returned 1 */
	int		 refused;	/* a call returned -1 */
	const char	*why;
};

struct fixture {
	struct event_base	*base;
	struct msgchan		 fetcher;
	struct msgchan		 applier;
	struct receiver		 receiver;
};

static void
receive(struct msgchan *chan, struct msg *m, void *arg)
{
	struct receiver		*r = arg;
	struct msg_snapshot	 bounds;
	struct msg_row		 row;
	int			 rc;

	switch (m->hdr.type) {
	case MSG_SNAPSHOT_BEGIN:
		assert_int_equal(msg_payload(chan, m, &bounds, sizeof(bounds)), 0);
		rc = snapshot_begin(&r->snapshot, &bounds, &r->why);
		break;
	case MSG_SNAPSHOT_ROW:
		assert_int_equal(msg_payload(chan, m, &row, sizeof(row)), 0);
		rc = snapshot_row(&r->snapshot, &row, &r->why);
		break;
	case MSG_SNAPSHOT_END:
		assert_int_equal(msg_payload(chan, m, &bounds, sizeof(bounds)), 0);
		rc = snapshot_end(&r->snapshot, &bounds, &r->why);
		break;
	default:
		fail_msg("unexpected message type %u", m->hdr.type);
		return;
	}
	if (rc == -1)
		r->refused = 1;
	if (rc == 1)
		r->complete = 1;
}

static void
closed(struct msgchan *chan, int malformed, void *arg)
{
	(void)chan;
	(void)arg;
	assert_false(malformed);
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
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	assert_int_equal(msgchan_open(&f->fetcher, f->base, fds[0], "applier",
	    0, receive, closed, NULL), 0);
	assert_int_equal(msgchan_open(&f->applier, f->base, fds[1], "fetcher",
	    0, receive, closed, &f->receiver), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	msgchan_close(&f->fetcher);
	msgchan_close(&f->applier);
	event_base_free(f->base);
	free(f);
	return 0;
}

/* Runs the loop until the applier has a complete snapshot or refused one. */
static void
run(struct fixture *f)
{
	time_t	deadline = time(NULL) + RUN_TIMEOUT_S;

	while (!f->receiver.complete && !f->receiver.refused &&
	    time(NULL) < deadline)
		assert_int_not_equal(event_base_loop(f->base,
		    EVLOOP_ONCE | EVLOOP_NONBLOCK), -1);
	assert_true(f->receiver.complete || f->receiver.refused);
}

static struct msg_row
valid_row(int64_t id, uint8_t last_octet)
{
	struct db_row	in = { id, NULL, "10.0.0.5", "10.0.0.0/24", "1500" };
	struct msg_row	out;
	char		mac[] = "fa:16:3e:00:00:00";

	mac[sizeof(mac) - 2] = "0123456789abcdef"[last_octet & 0xf];
	in.macaddress = mac;
	validate_row(&in, &out);
	assert_int_equal(out.state, ROW_VALID);
	/* Distinct addresses, so a set of them has no duplicates. */
	out.address = htonl(0x0a000000 | (last_octet + 1));
	return out;
}

static struct msg_row
held_row(int64_t id)
{
	struct db_row	in = { id, "fa:16-3e:00:00:01", NULL, NULL, NULL };
	struct msg_row	out;

	validate_row(&in, &out);
	assert_int_equal(out.state, ROW_HELD);
	return out;
}

static void
test_round_trip(void **state)
{
	struct fixture	*f = *state;
	struct msg_row	 rows[3];

	rows[0] = valid_row(7, 1);
	rows[1] = held_row(8);
	rows[2] = valid_row(9, 2);
	snapshot_send(&f->fetcher, 42, rows, NELEM(rows));
	run(f);
	assert_true(f->receiver.complete);
	assert_int_equal(f->receiver.snapshot.generation, 42);
	assert_int_equal(f->receiver.snapshot.nrows, NELEM(rows));
	assert_memory_equal(f->receiver.snapshot.rows, rows, sizeof(rows));
}

/* An empty answer is a snapshot of no rows, not the absence of one. */
static void
test_empty_snapshot(void **state)
{
	struct fixture	*f = *state;

	snapshot_send(&f->fetcher, 3, NULL, 0);
	run(f);
	assert_true(f->receiver.complete);
	assert_int_equal(f->receiver.snapshot.generation, 3);
	assert_int_equal(f->receiver.snapshot.nrows, 0);
}

static void
test_full_snapshot(void **state)
{
	struct fixture	*f = *state;
	struct msg_row	 rows[SNAPSHOT_ROWS_MAX];
	size_t		 i;

	for (i = 0; i < NELEM(rows); i++)
		rows[i] = held_row((int64_t)i + 1);
	snapshot_send(&f->fetcher, 5, rows, NELEM(rows));
	run(f);
	assert_true(f->receiver.complete);
	assert_int_equal(f->receiver.snapshot.nrows, SNAPSHOT_ROWS_MAX);
	assert_memory_equal(f->receiver.snapshot.rows, rows, sizeof(rows));
}

/* A fetcher without an applier channel sends nothing and carries on. */
static void
test_send_without_channel(void **state)
{
	struct msgchan	closed_chan;
	struct msg_row	row = held_row(1);

	(void)state;
	memset(&closed_chan, 0, sizeof(closed_chan));
	closed_chan.fd = -1;
	snapshot_send(&closed_chan, 1, &row, 1);
	assert_false(msgchan_is_open(&closed_chan));
}

/* One call of the applier's side, as a message from the fetcher would. */
enum step_kind { BEGIN, ROW, BAD_ROW, END };

struct step {
	enum step_kind	kind;
	uint64_t	generation;	/* BEGIN, END */
	uint32_t	count;		/* BEGIN, END */
	int		want;		/* return value */
};

struct sequence {
	const char	*what;
	struct step	 steps[8];
	size_t		 nsteps;
	uint64_t	 generation;	/* of the complete snapshot, 0: none */
	size_t		 nrows;
	const char	*why;		/* part of the last refusal */
};

static const struct sequence sequences[] = {
	{ "complete", { { BEGIN, 1, 2, 0 }, { ROW, 0, 0, 0 },
	    { ROW, 0, 0, 0 }, { END, 1, 2, 1 } }, 4, 1, 2, NULL },
	{ "empty", { { BEGIN, 4, 0, 0 }, { END, 4, 0, 1 } }, 2, 4, 0, NULL },
	{ "end without begin", { { END, 1, 0, -1 } }, 1, 0, 0,
	    "does not match" },
	{ "end of another generation", { { BEGIN, 1, 1, 0 }, { ROW, 0, 0, 0 },
	    { END, 2, 1, -1 } }, 3, 0, 0, "does not match" },
	{ "end with another count", { { BEGIN, 1, 1, 0 }, { ROW, 0, 0, 0 },
	    { END, 1, 2, -1 } }, 3, 0, 0, "does not match" },
	{ "fewer rows than announced", { { BEGIN, 1, 2, 0 }, { ROW, 0, 0, 0 },
	    { END, 1, 2, -1 } }, 3, 0, 0, "does not match" },
	{ "more rows than announced", { { BEGIN, 1, 1, 0 }, { ROW, 0, 0, 0 },
	    { ROW, 0, 0, -1 } }, 3, 0, 0, "outside a snapshot" },
	{ "row before any begin", { { ROW, 0, 0, -1 } }, 1, 0, 0,
	    "outside a snapshot" },
	{ "row after the end", { { BEGIN, 1, 0, 0 }, { END, 1, 0, 1 },
	    { ROW, 0, 0, -1 } }, 3, 1, 0, "outside a snapshot" },
	{ "second end", { { BEGIN, 1, 0, 0 }, { END, 1, 0, 1 },
	    { END, 1, 0, -1 } }, 3, 1, 0, "does not match" },
	{ "too many rows announced", { { BEGIN, 1, SNAPSHOT_ROWS_MAX + 1, -1 } },
	    1, 0, 0, "too many rows" },
	{ "incoherent row", { { BEGIN, 1, 1, 0 }, { BAD_ROW, 0, 0, -1 } }, 2,
	    0, 0, "incoherent row" },
	/* The fetcher died mid-way: the next begin discards the partial one. */
	{ "partial, then complete", { { BEGIN, 1, 3, 0 }, { ROW, 0, 0, 0 },
	    { BEGIN, 2, 1, 0 }, { ROW, 0, 0, 0 }, { END, 2, 1, 1 } }, 5, 2, 1,
	    NULL },
	{ "end of the discarded one", { { BEGIN, 1, 1, 0 }, { BEGIN, 2, 1, 0 },
	    { ROW, 0, 0, 0 }, { END, 1, 1, -1 } }, 4, 0, 0, "does not match" },
};

static int
run_step(struct snapshot *s, const struct step *step, int64_t id,
    const char **why)
{
	struct msg_snapshot	bounds = { step->generation, step->count };
	struct msg_row		row;

	switch (step->kind) {
	case BEGIN:
		return snapshot_begin(s, &bounds, why);
	case ROW:
		row = valid_row(id, (uint8_t)id);
		return snapshot_row(s, &row, why);
	case BAD_ROW:
		row = valid_row(id, (uint8_t)id);
		row.mac_valid = 0;
		return snapshot_row(s, &row, why);
	case END:
		return snapshot_end(s, &bounds, why);
	}
	return -2;
}

static void
test_sequences(void **state)
{
	static struct snapshot	 s;
	const struct sequence	*seq;
	const char		*why;
	size_t			 i, k;
	uint64_t		 complete;
	int			 rc;

	(void)state;
	for (i = 0; i < NELEM(sequences); i++) {
		seq = &sequences[i];
		memset(&s, 0, sizeof(s));
		why = NULL;
		complete = 0;
		for (k = 0; k < seq->nsteps; k++) {
			rc = run_step(&s, &seq->steps[k], (int64_t)k + 1, &why);
			if (rc != seq->steps[k].want)
				fail_msg("%s: step %zu returned %d, want %d (%s)",
				    seq->what, k, rc, seq->steps[k].want,
				    why != NULL ? why : "");
			if (rc == 1)
				complete = s.generation;
		}
		if (complete != seq->generation)
			fail_msg("%s: complete generation %llu, want %llu",
			    seq->what, (unsigned long long)complete,
			    (unsigned long long)seq->generation);
		if (complete != 0 && s.nrows != seq->nrows)
			fail_msg("%s: %zu rows, want %zu", seq->what, s.nrows,
			    seq->nrows);
		if (seq->why != NULL &&
		    (why == NULL || strstr(why, seq->why) == NULL))
			fail_msg("%s: why \"%s\", want \"%s\"", seq->what,
			    why != NULL ? why : "(none)", seq->why);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_snapshot, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full_snapshot, setup,
		    teardown),
		cmocka_unit_test(test_send_without_channel),
		cmocka_unit_test(test_sequences),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
