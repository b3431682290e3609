/* SPDX-License-Identifier: ISC */
/*
 * The applier's verdict on each snapshot: kept for status and health, and
 * written back to the table as netplan_success where it changed.
 */

#include <string.h>

#include "db.h"
#include "fetcher.h"
#include "log.h"
#include "metrics.h"

void
results_add(struct fetcher *f, const struct msg_result *r)
{
	struct results	*res = &f->results;

	if (res->receiving >= RESULTS_MAX)
		fatalx("the applier sent more than %d results", RESULTS_MAX);
	res->incoming[res->receiving++] = *r;
}

static int *
stored_success(struct poll_state *p, int64_t row_id)
{
	size_t	i;

	for (i = 0; i < p->nrows; i++)
		if (p->rows[i].row_id == row_id)
			return &p->stored_success[i];
	return NULL;
}

/*
 * A read-only replica refuses every write-back, every cycle: the first
 * failure is a warning, the retries are counted but logged at debug, until
 * a write-back succeeds again.
 */
static void
write_done(void *arg, int64_t id, int ok, const char *error)
{
	struct fetcher	*f = arg;

	if (!ok) {
		metrics_writeback_failed(f->metrics);
		/* Retried next cycle: the stored value still differs. */
		if (f->results.writeback_failing)
			log_debug("row %lld: writing netplan_success failed: %s",
			    (long long)id, error);
		else
			log_warnx("row %lld: writing netplan_success failed: %s "
			    "(retried each cycle, logged again only after a "
			    "write succeeds)", (long long)id, error);
		f->results.writeback_failing = 1;
		return;
	}
	if (f->results.writeback_failing)
		log_info("row %lld: netplan_success written; write-backs work "
		    "again", (long long)id);
	else
		log_debug("row %lld: netplan_success written", (long long)id);
	f->results.writeback_failing = 0;
}

/* Only where the value changes: a steady state writes nothing. */
static void
write_back(struct fetcher *f, const struct msg_result *r)
{
	int	*stored, success = r->state == NIC_APPLIED;

	if (r->row_id < 0 || f->conf.dry_run ||
	    (stored = stored_success(&f->poll, r->row_id)) == NULL ||
	    *stored == success)
		return;
	if (db_write_result(f->db, r->row_id, success, write_done, f) == -1) {
		log_warnx("row %lld: cannot queue the write-back",
		    (long long)r->row_id);
		metrics_writeback_failed(f->metrics);
		return;
	}
	*stored = success;
}

/*
 * The previous verdict stands for this generation: it is acknowledged, the
 * per-NIC results stay, and the write-back check runs again against the
 * netplan_success values this poll read (someone may have changed them).
 */
static void
results_unchanged(struct fetcher *f, const struct msg_results_end *end)
{
	struct results	*res = &f->results;
	size_t		 i;

	if (end->count != 0 || end->generation == 0)
		fatalx("the applier answered an unchanged snapshot with %u"
		    " results for generation %llu", end->count,
		    (unsigned long long)end->generation);
	res->acked_generation = end->generation;
	res->deletions_held = end->deletions_held != 0;
	snapshot_acked(&f->ack, end->generation);
	for (i = 0; i < res->count; i++)
		write_back(f, &res->items[i]);
}

void
results_end(struct fetcher *f, const struct msg_results_end *end)
{
	struct results	*res = &f->results;
	size_t		 i;

	if (end->trigger > RESULTS_EVENT)
		fatalx("the applier sent results with trigger %u",
		    end->trigger);
	if (end->count != res->receiving)
		fatalx("the applier announced %u results and sent %zu",
		    end->count, res->receiving);
	if (end->trigger == RESULTS_UNCHANGED) {
		results_unchanged(f, end);
		return;
	}
	/*
	 * Generation 0 is a report of what the applier manages, no verdict.
	 * A kernel event's verdict is the last snapshot's again: it updates
	 * what status shows and the DB holds, but acknowledges no poll.
	 */
	if (end->trigger == RESULTS_EVENT) {
		metrics_verdict(f->metrics, res->items, res->count,
		    res->incoming, res->receiving, 0);
		metrics_event_repairs(f->metrics, res->incoming,
		    res->receiving);
	} else if (end->generation > 0) {
		metrics_verdict(f->metrics, res->items, res->count,
		    res->incoming, res->receiving, end->generation);
		res->acked_generation = end->generation;
		snapshot_acked(&f->ack, end->generation);
	}
	memcpy(res->items, res->incoming, res->receiving * sizeof(res->items[0]));
	res->count = res->receiving;
	res->receiving = 0;
	res->deletions_held = end->deletions_held != 0;
	for (i = 0; i < res->count; i++)
		write_back(f, &res->items[i]);
}
