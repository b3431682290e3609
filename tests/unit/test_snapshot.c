/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for snapshot framing: applier/snapshot.c assembles begin, rows
 * and end, and reports a snapshot complete only when its end matches its
 * begin; fetcher/snapshot.c sends nothing without a channel, and decides
 * between a whole snapshot and "unchanged" by the digest of what the
 * applier acknowledged. The round trip through a real channel and the
 * applier's dispatch is in test_peer.c.
 */

#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msg.h"
#include "validate.h"
#include "rows.h"
#include "../../applier/applier.h"
#include "../../fetcher/fetcher.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A fetcher without an applier channel sends nothing and carries on. */
static void
test_send_without_channel(void **state)
{
	struct msgchan	closed_chan;
	struct msg_row	row = held_row(1);

	(void)state;
	memset(&closed_chan, 0, sizeof(closed_chan));
	closed_chan.fd = -1;
	snapshot_send(&closed_chan, 1, 0, &row, 1);
	assert_false(msgchan_is_open(&closed_chan));
}

/* One call of the applier's side, as a message from the fetcher would. */
/* _INC: with msg_snapshot.incomplete set; BEGIN_BAD: set to 2. */
enum step_kind { BEGIN, ROW, BAD_ROW, END, BEGIN_INC, END_INC, BEGIN_BAD };

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
	{ "incomplete", { { BEGIN_INC, 1, 1, 0 }, { ROW, 0, 0, 0 },
	    { END_INC, 1, 1, 1 } }, 3, 1, 1, NULL },
	{ "incomplete flag other than 0 or 1", { { BEGIN_BAD, 1, 0, -1 } }, 1,
	    0, 0, "incomplete flag" },
	{ "begun incomplete, ended complete", { { BEGIN_INC, 1, 0, 0 },
	    { END, 1, 0, -1 } }, 2, 0, 0, "does not match" },
	{ "begun complete, ended incomplete", { { BEGIN, 1, 0, 0 },
	    { END_INC, 1, 0, -1 } }, 2, 0, 0, "does not match" },
	{ "end of the discarded one", { { BEGIN, 1, 1, 0 }, { BEGIN, 2, 1, 0 },
	    { ROW, 0, 0, 0 }, { END, 1, 1, -1 } }, 4, 0, 0, "does not match" },
};

static int
run_step(struct snapshot *s, const struct step *step, int64_t id,
    const char **why)
{
	struct msg_snapshot	bounds = { step->generation, step->count, 0 };
	struct msg_row		row;

	switch (step->kind) {
	case BEGIN_BAD:
		bounds.incomplete = 2;
		return snapshot_begin(s, &bounds, why);
	case BEGIN_INC:
		bounds.incomplete = 1;
		return snapshot_begin(s, &bounds, why);
	case BEGIN:
		return snapshot_begin(s, &bounds, why);
	case END_INC:
		bounds.incomplete = 1;
		return snapshot_end(s, &bounds, why);
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
		if (complete != 0 &&
		    s.incomplete != (seq->steps[0].kind == BEGIN_INC))
			fail_msg("%s: incomplete is %d", seq->what,
			    s.incomplete);
		if (seq->why != NULL &&
		    (why == NULL || strstr(why, seq->why) == NULL))
			fail_msg("%s: why \"%s\", want \"%s\"", seq->what,
			    why != NULL ? why : "(none)", seq->why);
	}
}

/* Equal rows give equal digests; any byte, the count or the flag differs. */
static void
test_digest(void **state)
{
	struct msg_row	rows[3] = { valid_row(1, 1), valid_row(2, 2),
			    held_row(3) };
	struct msg_row	copy[3];
	uint64_t	digest = snapshot_digest(0, rows, 3);

	(void)state;
	memcpy(copy, rows, sizeof(rows));
	assert_true(snapshot_digest(0, copy, 3) == digest);
	assert_true(snapshot_digest(1, rows, 3) != digest);
	assert_true(snapshot_digest(0, rows, 2) != digest);
	assert_true(snapshot_digest(0, rows, 0) != snapshot_digest(1, rows, 0));
	copy[1].mtu++;
	assert_true(snapshot_digest(0, copy, 3) != digest);
	copy[1] = rows[1];
	copy[2].reason[sizeof(copy[2].reason) - 2] = 'x';
	assert_true(snapshot_digest(0, copy, 3) != digest);
	/* The same rows in another order are another snapshot. */
	copy[0] = rows[1];
	copy[1] = rows[0];
	copy[2] = rows[2];
	assert_true(snapshot_digest(0, copy, 3) != digest);
}

/* What the fetcher does after each poll, and what the applier answers. */
enum ack_step {
	SEND,		/* a poll with digest D: send, full or unchanged */
	ACK,		/* the applier acknowledges generation G */
	NEW_CHANNEL,	/* a restarted applier */
};

struct ack_case {
	enum ack_step	step;
	uint64_t	value;		/* SEND: digest; ACK: generation */
	int		sync;		/* SEND: multinicctl sync asked */
	int		unchanged;	/* SEND: expected "unchanged" */
	uint64_t	previous;	/* SEND unchanged: the generation named */
};

static const struct {
	const char	*what;
	struct ack_case	 steps[8];
	size_t		 nsteps;
} ack_cases[] = {
	{ "no ack yet: whole", { { SEND, 7, 0, 0, 0 }, { SEND, 7, 0, 0, 0 } },
	    2 },
	{ "acked, same rows: unchanged", { { SEND, 7, 0, 0, 0 },
	    { ACK, 1, 0, 0, 0 }, { SEND, 7, 0, 1, 1 }, { ACK, 2, 0, 0, 0 },
	    { SEND, 7, 0, 1, 2 } }, 5 },
	{ "acked, other rows: whole", { { SEND, 7, 0, 0, 0 },
	    { ACK, 1, 0, 0, 0 }, { SEND, 8, 0, 0, 0 }, { ACK, 2, 0, 0, 0 },
	    { SEND, 8, 0, 1, 2 }, { ACK, 3, 0, 0, 0 }, { SEND, 7, 0, 0, 0 } },
	    7 },
	{ "ack outstanding: whole", { { SEND, 7, 0, 0, 0 }, { ACK, 1, 0, 0, 0 },
	    { SEND, 7, 0, 1, 1 }, { SEND, 7, 0, 0, 0 } }, 4 },
	{ "ack of an older one: still outstanding", { { SEND, 7, 0, 0, 0 },
	    { SEND, 7, 0, 0, 0 }, { ACK, 1, 0, 0, 0 }, { SEND, 7, 0, 0, 0 },
	    { ACK, 3, 0, 0, 0 }, { SEND, 7, 0, 1, 3 } }, 6 },
	{ "a new channel forgets the ack", { { SEND, 7, 0, 0, 0 },
	    { ACK, 1, 0, 0, 0 }, { NEW_CHANNEL, 0, 0, 0, 0 },
	    { SEND, 7, 0, 0, 0 }, { ACK, 2, 0, 0, 0 }, { SEND, 7, 0, 1, 2 } },
	    6 },
	{ "sync: whole, then unchanged again", { { SEND, 7, 0, 0, 0 },
	    { ACK, 1, 0, 0, 0 }, { SEND, 7, 1, 0, 0 }, { ACK, 2, 0, 0, 0 },
	    { SEND, 7, 0, 1, 2 } }, 5 },
};

static void
test_unchanged_or_whole(void **state)
{
	const struct ack_case	*c;
	struct snapshot_ack	 ack;
	uint64_t		 generation;
	size_t			 i, j;

	(void)state;
	for (i = 0; i < NELEM(ack_cases); i++) {
		snapshot_forget(&ack);
		generation = 0;
		for (j = 0; j < ack_cases[i].nsteps; j++) {
			c = &ack_cases[i].steps[j];
			switch (c->step) {
			case SEND:
				if (snapshot_is_unchanged(&ack, c->value,
				    c->sync) != c->unchanged)
					fail_msg("%s: step %zu", ack_cases[i].what,
					    j);
				if (c->unchanged &&
				    ack.acked_generation != c->previous)
					fail_msg("%s: step %zu names %llu",
					    ack_cases[i].what, j,
					    (unsigned long long)
					    ack.acked_generation);
				snapshot_sent(&ack, ++generation, c->value);
				break;
			case ACK:
				snapshot_acked(&ack, c->value);
				break;
			case NEW_CHANNEL:
				snapshot_forget(&ack);
				break;
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_without_channel),
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_unchanged_or_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
