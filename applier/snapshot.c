/* SPDX-License-Identifier: ISC */
/*
 * Assembles snapshots from the fetcher. Every message is checked: the
 * bounds must match, rows must not exceed the announced count, and every
 * row is re-validated. Only a complete snapshot is acted upon; a partial one
 * (the fetcher died mid-way) is discarded when the next begins.
 */

#include <stdio.h>

#include "applier.h"
#include "log.h"
#include "validate.h"

/* Returns -1 with why set when the fetcher broke the protocol. */
int
snapshot_begin(struct snapshot *s, const struct msg_snapshot *b,
    const char **why)
{
	if (b->count > SNAPSHOT_ROWS_MAX) {
		*why = "snapshot with too many rows";
		return -1;
	}
	if (b->incomplete > 1) {
		*why = "snapshot with a bad incomplete flag";
		return -1;
	}
	if (s->receiving)
		log_warnx("snapshot %llu incomplete; discarded",
		    (unsigned long long)s->generation);
	s->receiving = 1;
	/* The rows are overwritten from here: none stands any more. */
	s->complete = 0;
	s->acknowledged = 0;
	s->generation = b->generation;
	s->expected = b->count;
	s->incomplete = (int)b->incomplete;
	s->nrows = 0;
	return 0;
}

int
snapshot_row(struct snapshot *s, const struct msg_row *r, const char **why)
{
	static char	reason[160];
	char		detail[128];

	if (!s->receiving || s->nrows >= s->expected) {
		*why = "snapshot row outside a snapshot";
		return -1;
	}
	if (validate_msg_row(r, detail, sizeof(detail)) == -1) {
		snprintf(reason, sizeof(reason), "incoherent row: %s", detail);
		*why = reason;
		return -1;
	}
	s->rows[s->nrows++] = *r;
	return 0;
}

/* Returns 1 when a complete snapshot is ready in s->rows. */
int
snapshot_end(struct snapshot *s, const struct msg_snapshot *b,
    const char **why)
{
	if (!s->receiving || b->generation != s->generation ||
	    b->count != s->expected || (int)b->incomplete != s->incomplete ||
	    s->nrows != s->expected) {
		*why = "snapshot end does not match its begin";
		return -1;
	}
	s->receiving = 0;
	s->complete = 1;
	return 1;
}

/*
 * The fetcher may repeat only rows the applier holds and has acknowledged
 * on this channel; generations only grow.
 */
int
snapshot_unchanged(struct snapshot *s, const struct msg_snapshot_unchanged *u,
    const char **why)
{
	if (s->receiving) {
		*why = "unchanged snapshot during a snapshot";
		return -1;
	}
	if (!s->complete || s->acknowledged == 0 ||
	    u->previous != s->acknowledged) {
		*why = "unchanged snapshot of rows not acknowledged";
		return -1;
	}
	if (u->generation <= u->previous) {
		*why = "unchanged snapshot with an older generation";
		return -1;
	}
	s->generation = u->generation;
	return 1;
}

void
snapshot_log(const struct snapshot *s)
{
	const struct msg_row	*r;
	size_t			 i;

	log_debug("snapshot %llu: %zu rows%s", (unsigned long long)s->generation,
	    s->nrows, s->incomplete ? ", incomplete" : "");
	for (i = 0; i < s->nrows; i++) {
		r = &s->rows[i];
		log_debug("snapshot %llu row %lld: %s mac %s%s%s",
		    (unsigned long long)s->generation, (long long)r->row_id,
		    r->state == ROW_HELD ? "held" : "valid", r->mac_text,
		    r->state == ROW_HELD ? ": " : "", r->reason);
	}
}
