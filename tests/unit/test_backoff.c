/* SPDX-License-Identifier: ISC */
/*
 * Tests for fetcher/backoff.c: growth, cap, jitter bounds, no overflow,
 * a reload that keeps the failures counted, and the splay and jitter of
 * regular polls.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../fetcher/backoff.h"

static void
test_first_failure_waits_one_interval(void **state)
{
	struct backoff	b;

	(void)state;
	backoff_init(&b, 30000, 300000, 2.0);
	assert_int_equal(backoff_fail(&b, 0), 30000);
	assert_int_equal(b.level, 1);
}

static void
test_grows_by_multiplier_until_cap(void **state)
{
	static const uint32_t	expected[] = { 1000, 2000, 4000, 8000, 10000,
				    10000 };
	struct backoff		b;
	size_t			i;

	(void)state;
	backoff_init(&b, 1000, 10000, 2.0);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		assert_int_equal(backoff_fail(&b, 0), expected[i]);
}

static void
test_no_overflow_after_many_failures(void **state)
{
	struct backoff	b;
	uint32_t	delay;
	int		i;

	(void)state;
	backoff_init(&b, 1000, 7 * 24 * 3600 * 1000U, 100.0);
	for (i = 0; i < 1000; i++) {
		delay = backoff_fail(&b, (uint32_t)i * 2654435761U);
		assert_true(delay >= 900);
		assert_true(delay <= 7 * 24 * 3600 * 1000U);
	}
	assert_int_equal(b.current_ms, 7 * 24 * 3600 * 1000U);
	assert_int_equal(b.level, 1000);
}

static void
test_jitter_bounded(void **state)
{
	struct backoff	b;
	uint32_t	delay, random;

	(void)state;
	for (random = 0; random < 5000; random += 7) {
		backoff_init(&b, 30000, 300000, 2.0);
		delay = backoff_fail(&b, random * 2246822519U);
		assert_true(delay >= 27000);
		assert_true(delay <= 30000);
	}
}

static void
test_multiplier_one_keeps_interval(void **state)
{
	struct backoff	b;
	int		i;

	(void)state;
	backoff_init(&b, 5000, 60000, 1.0);
	for (i = 0; i < 10; i++)
		assert_int_equal(backoff_fail(&b, 0), 5000);
}

static void
test_reset_after_success(void **state)
{
	struct backoff	b;

	(void)state;
	backoff_init(&b, 1000, 60000, 3.0);
	backoff_fail(&b, 0);
	backoff_fail(&b, 0);
	assert_int_equal(b.current_ms, 3000);
	backoff_reset(&b);
	assert_int_equal(b.level, 0);
	assert_int_equal(backoff_fail(&b, 0), 1000);
}

static void
test_max_below_base_is_base(void **state)
{
	struct backoff	b;

	(void)state;
	backoff_init(&b, 5000, 1000, 2.0);
	backoff_fail(&b, 0);
	assert_int_equal(backoff_fail(&b, 0), 5000);
}

/* The largest cap there is, and the largest random value: no wrap-around. */
static void
test_no_overflow_at_uint32_max(void **state)
{
	struct backoff	b;
	uint32_t	delay;
	int		i;

	(void)state;
	backoff_init(&b, 1000, UINT32_MAX, 2.0);
	for (i = 0; i < 1000; i++) {
		delay = backoff_fail(&b, UINT32_MAX);
		assert_true(delay >= b.current_ms - b.current_ms / 10);
		assert_true(delay <= b.current_ms);
	}
	assert_int_equal(b.current_ms, UINT32_MAX);
	assert_int_equal(b.level, 1000);
}

/* Once capped, every delay stays within the cap less 10%, whatever random. */
static void
test_cap_respected_with_jitter(void **state)
{
	struct backoff	b;
	uint32_t	delay;
	int		i;

	(void)state;
	backoff_init(&b, 1000, 60000, 3.0);
	for (i = 0; i < 1000; i++) {
		delay = backoff_fail(&b, (uint32_t)i * 2654435761U + 12345);
		assert_true(delay <= 60000);
		if (i >= 4)
			assert_true(delay >= 54000);
	}
}

/* The jitter is there: nodes that failed together spread their retries. */
static void
test_jitter_spreads(void **state)
{
	struct backoff	b;
	uint32_t	delay, lowest = UINT32_MAX, highest = 0, random;

	(void)state;
	for (random = 0; random < 1000; random++) {
		backoff_init(&b, 30000, 300000, 2.0);
		delay = backoff_fail(&b, random * 2246822519U);
		lowest = delay < lowest ? delay : lowest;
		highest = delay > highest ? delay : highest;
	}
	assert_true(lowest < 27300);
	assert_true(highest > 29700);
}

static void
test_fractional_multiplier(void **state)
{
	static const uint32_t	expected[] = { 1000, 1500, 2250, 3375, 5062,
				    7593, 10000 };
	struct backoff		b;
	size_t			i;

	(void)state;
	backoff_init(&b, 1000, 10000, 1.5);
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		assert_int_equal(backoff_fail(&b, 0), expected[i]);
}

/* A reload keeps the failures so far, within the new bounds. */
static void
test_reconfigure_keeps_level(void **state)
{
	struct backoff	b;

	(void)state;
	backoff_init(&b, 1000, 60000, 2.0);
	backoff_fail(&b, 0);
	backoff_fail(&b, 0);
	backoff_fail(&b, 0);
	assert_int_equal(b.current_ms, 4000);
	backoff_reconfigure(&b, 1000, 3000, 2.0);
	assert_int_equal(b.level, 3);
	assert_int_equal(b.current_ms, 3000);
	assert_int_equal(backoff_fail(&b, 0), 3000);
	backoff_reconfigure(&b, 5000, 60000, 2.0);
	assert_int_equal(b.level, 4);
	assert_int_equal(b.current_ms, 5000);
	assert_int_equal(backoff_fail(&b, 0), 10000);
}

/* Without failures, a reload is a fresh start with the new bounds. */
static void
test_reconfigure_without_failures(void **state)
{
	struct backoff	b;

	(void)state;
	backoff_init(&b, 1000, 60000, 2.0);
	backoff_reconfigure(&b, 30000, 300000, 3.0);
	assert_int_equal(b.level, 0);
	assert_int_equal(backoff_fail(&b, 0), 30000);
	assert_int_equal(backoff_fail(&b, 0), 90000);
}

/* Every regular poll: the interval less 0..10%, both ends reached. */
static void
test_regular_jitter_bounds(void **state)
{
	static const uint32_t	intervals[] = { 1000, 1001, 30000, 9, 0,
				    UINT32_MAX };
	uint32_t		delay, lowest, highest, random;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++) {
		lowest = UINT32_MAX;
		highest = 0;
		for (random = 0; random < 20000; random++) {
			delay = delay_jitter(intervals[i], random);
			lowest = delay < lowest ? delay : lowest;
			highest = delay > highest ? delay : highest;
		}
		assert_int_equal(highest, intervals[i]);
		if (intervals[i] <= 20000)
			assert_int_equal(lowest,
			    intervals[i] - intervals[i] / 10);
		assert_true(lowest >= intervals[i] - intervals[i] / 10);
	}
	assert_int_equal(delay_jitter(UINT32_MAX, UINT32_MAX),
	    UINT32_MAX - UINT32_MAX % (UINT32_MAX / 10 + 1));
}

/* The second poll: anywhere in the second half of the interval. */
static void
test_splay_bounds(void **state)
{
	static const uint32_t	intervals[] = { 1000, 1001, 30000, 1, 0,
				    UINT32_MAX };
	uint32_t		delay, lowest, highest, random;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(intervals) / sizeof(intervals[0]); i++) {
		lowest = UINT32_MAX;
		highest = 0;
		for (random = 0; random < 40000; random++) {
			delay = delay_splay(intervals[i], random);
			lowest = delay < lowest ? delay : lowest;
			highest = delay > highest ? delay : highest;
		}
		assert_int_equal(highest, intervals[i]);
		assert_true(lowest >= intervals[i] - intervals[i] / 2);
		if (intervals[i] <= 40000)
			assert_int_equal(lowest,
			    intervals[i] - intervals[i] / 2);
	}
}

/*
 * The values spread: 10,000 nodes seeded differently put their second
 * polls over the whole half interval, a tenth of it in each tenth.
 */
static void
test_random_spreads(void **state)
{
	size_t		buckets[10] = { 0 }, i;
	uint64_t	seed;
	uint32_t	delay, a, b;

	(void)state;
	for (i = 0; i < 10000; i++) {
		seed = i * 0x2545f4914f6cdd1dULL;
		delay = delay_splay(30000, delay_random(&seed));
		assert_true(delay >= 15000 && delay <= 30000);
		buckets[delay == 30000 ? 9 : (delay - 15000) / 1500]++;
	}
	for (i = 0; i < 10; i++)
		assert_true(buckets[i] > 800 && buckets[i] < 1200);
	/* Successive values of one state differ. */
	seed = 0;
	a = delay_random(&seed);
	b = delay_random(&seed);
	assert_true(a != b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_failure_waits_one_interval),
		cmocka_unit_test(test_grows_by_multiplier_until_cap),
		cmocka_unit_test(test_no_overflow_after_many_failures),
		cmocka_unit_test(test_jitter_bounded),
		cmocka_unit_test(test_multiplier_one_keeps_interval),
		cmocka_unit_test(test_reset_after_success),
		cmocka_unit_test(test_max_below_base_is_base),
		cmocka_unit_test(test_no_overflow_at_uint32_max),
		cmocka_unit_test(test_cap_respected_with_jitter),
		cmocka_unit_test(test_jitter_spreads),
		cmocka_unit_test(test_fractional_multiplier),
		cmocka_unit_test(test_reconfigure_keeps_level),
		cmocka_unit_test(test_regular_jitter_bounds),
		cmocka_unit_test(test_splay_bounds),
		cmocka_unit_test(test_random_spreads),
		cmocka_unit_test(test_reconfigure_without_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
