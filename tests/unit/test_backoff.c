/* Tests for fetcher/backoff.c: growth, cap, jitter bounds, no overflow. */

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
