/* SPDX-License-Identifier: ISC */
/*
 * Tests for fetcher/results.c: an "unchanged" answer acknowledges its
 * generation and keeps the previous verdict, and the write-back check
 * still runs against the values the last poll read.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "../../fetcher/dbint.h"
#include "../../fetcher/fetcher.h"
#include "../../fetcher/metrics.h"

static struct fetcher	f;

static int
setup(void **state)
{
	struct config_secret	secret;

	(void)state;
	log_init("fetcher", LOG_DEST_STDERR, LOG_FORMAT_TEXT, LOG_LEVEL_WARN);
	memset(&f, 0, sizeof(f));
	memset(&secret, 0, sizeof(secret));
	config_defaults(&f.conf);
	assert_non_null(f.base = event_base_new());
	assert_non_null(f.metrics = metrics_new());
	/* Nothing is contacted until the loop runs, which it never does. */
	assert_non_null(f.db = db_new(f.base, &f.conf, &secret));
	f.poll.nrows = 1;
	f.poll.rows[0].row_id = 1;
	f.poll.stored_success[0] = 1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	db_free(f.db);
	metrics_free(f.metrics);
	event_base_free(f.base);
	return 0;
}

static void
verdict(uint64_t generation, int state, uint32_t trigger)
{
	struct msg_result	r;
	struct msg_results_end	end;

	memset(&r, 0, sizeof(r));
	memset(&end, 0, sizeof(end));
	r.row_id = 1;
	r.state = state;
	strlcpy(r.mac_text, "fa:16:3e:00:00:01", sizeof(r.mac_text));
	if (trigger != RESULTS_UNCHANGED) {
		results_add(&f, &r);
		end.count = 1;
	}
	end.generation = generation;
	end.trigger = trigger;
	results_end(&f, &end);
}

static void
test_unchanged_keeps_the_verdict(void **state)
{
	(void)state;
	snapshot_sent(&f.ack, 1, 42);
	verdict(1, NIC_APPLIED, RESULTS_SNAPSHOT);
	assert_int_equal(f.results.acked_generation, 1);
	assert_true(f.ack.acked && !f.ack.outstanding);
	assert_int_equal(f.db->nwrites, 0);

	/* The next poll read the same rows: "unchanged", answered as such. */
	snapshot_sent(&f.ack, 2, 42);
	verdict(2, 0, RESULTS_UNCHANGED);
	assert_int_equal(f.results.acked_generation, 2);
	assert_int_equal(f.ack.acked_generation, 2);
	assert_false(f.ack.outstanding);
	assert_int_equal(f.results.count, 1);
	assert_int_equal(f.results.items[0].state, NIC_APPLIED);
	assert_int_equal(f.db->nwrites, 0);
}

/* Someone reset netplan_success: the unchanged verdict writes it again. */
static void
test_unchanged_writes_back(void **state)
{
	(void)state;
	f.poll.stored_success[0] = 0;
	snapshot_sent(&f.ack, 3, 42);
	verdict(3, 0, RESULTS_UNCHANGED);
	assert_int_equal(f.results.acked_generation, 3);
	assert_int_equal(f.db->nwrites, 1);
	assert_int_equal(f.poll.stored_success[0], 1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_unchanged_keeps_the_verdict),
		cmocka_unit_test(test_unchanged_writes_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
