/* SPDX-License-Identifier: ISC */
/*
 * Tests for applier/fight.c: when repairs of a MAC make a fight, how the
 * event-driven repairs back off (doubling to the cap), and when it ends.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../applier/fight.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_WAIT	30000	/* POLL_INTERVAL=30s */
#define LINK		7	/* the link's index */

static const uint8_t	mac_a[MAC_LEN] = { 0xfa, 0x16, 0x3e, 0, 0, 1 };
static const uint8_t	mac_b[MAC_LEN] = { 0xfa, 0x16, 0x3e, 0, 0, 2 };

/* Repairs at these times, and what each one makes of it. */
struct start_case {
	const char	*what;
	uint64_t	 at[5];
	size_t		 n;
	enum fight_news	 last;
};

static const struct start_case start_cases[] = {
	{ "one repair", { 1000 }, 1, FIGHT_QUIET },
	{ "two repairs", { 1000, 2000 }, 2, FIGHT_QUIET },
	{ "three within the window", { 1000, 2000, 3000 }, 3, FIGHT_STARTED },
	{ "three spread over more than the window",
	    { 1000, 16000, 1000 + FIGHT_WINDOW_MS + 1 }, 3, FIGHT_QUIET },
	{ "three exactly the window apart",
	    { 1000, 2000, 1000 + FIGHT_WINDOW_MS }, 3, FIGHT_STARTED },
	{ "the last three within the window",
	    { 0, 40000, 41000, 42000 }, 4, FIGHT_STARTED },
	{ "a clock that went back", { 50000, 60000, 10000 }, 3, FIGHT_QUIET },
};

static void
test_start(void **state)
{
	struct fights	f;
	size_t		i, j;
	enum fight_news	news;

	(void)state;
	for (i = 0; i < NELEM(start_cases); i++) {
		memset(&f, 0, sizeof(f));
		news = FIGHT_QUIET;
		for (j = 0; j < start_cases[i].n; j++)
			news = fight_repaired(&f, mac_a, LINK,
			    start_cases[i].at[j], MAX_WAIT);
		if (news != start_cases[i].last)
			fail_msg("%s: %d, not %d", start_cases[i].what, news,
			    start_cases[i].last);
	}
}

/* Started once: the later repairs of the fight are not news. */
static void
test_started_once(void **state)
{
	struct fights	f;
	uint64_t	t;
	int		started = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	for (t = 1000; t < 20000; t += 1000)
		started += fight_repaired(&f, mac_a, LINK, t, MAX_WAIT) ==
		    FIGHT_STARTED;
	assert_int_equal(started, 1);
}

static void
test_backoff_doubles_to_cap(void **state)
{
	static const uint64_t	waits[] = { 1000, 2000, 4000, 8000, 16000,
				    30000, 30000 };
	struct fights		f;
	uint64_t		t = 1000, until = 0;
	size_t			i;

	(void)state;
	memset(&f, 0, sizeof(f));
	fight_repaired(&f, mac_a, LINK, t, MAX_WAIT);
	fight_repaired(&f, mac_a, LINK, t, MAX_WAIT);
	for (i = 0; i < NELEM(waits); i++) {
		fight_repaired(&f, mac_a, LINK, t, MAX_WAIT);
		assert_false(fight_may_repair(&f, mac_a, LINK, t, &until));
		assert_int_equal(until - t, waits[i]);
		assert_false(fight_may_repair(&f, mac_a, LINK, until - 1,
		    &until));
		assert_true(fight_may_repair(&f, mac_a, LINK, until, &until));
		t = until;
	}
}

/* A short poll interval caps the first wait too. */
static void
test_cap_below_first_wait(void **state)
{
	struct fights	f;
	uint64_t	until = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	fight_repaired(&f, mac_a, LINK, 100, 500);
	fight_repaired(&f, mac_a, LINK, 200, 500);
	assert_int_equal(fight_repaired(&f, mac_a, LINK, 300, 500), FIGHT_STARTED);
	assert_false(fight_may_repair(&f, mac_a, LINK, 300, &until));
	assert_int_equal(until, 800);
}

static void
test_other_mac_unaffected(void **state)
{
	struct fights	f;
	uint64_t	until = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	fight_repaired(&f, mac_a, LINK, 1000, MAX_WAIT);
	fight_repaired(&f, mac_a, LINK, 2000, MAX_WAIT);
	fight_repaired(&f, mac_a, LINK, 3000, MAX_WAIT);
	fight_repaired(&f, mac_b, LINK, 3000, MAX_WAIT);
	assert_false(fight_may_repair(&f, mac_a, LINK, 3000, &until));
	assert_true(fight_may_repair(&f, mac_b, LINK, 3000, &until));
	assert_true(fight_may_repair(&f, (const uint8_t[MAC_LEN]){ 1 }, LINK, 3000,
	    &until));
}

/* Quiet for twice the cap (at least the window) after the last repair. */
static void
test_ends_when_quiet(void **state)
{
	struct fights	f;
	uint64_t	until = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(fight_steady(&f, mac_a, 1000, MAX_WAIT), FIGHT_QUIET);
	fight_repaired(&f, mac_a, LINK, 1000, MAX_WAIT);
	fight_repaired(&f, mac_a, LINK, 2000, MAX_WAIT);
	fight_repaired(&f, mac_a, LINK, 3000, MAX_WAIT);
	assert_int_equal(fight_steady(&f, mac_a, 3000 + 2 * MAX_WAIT - 1,
	    MAX_WAIT), FIGHT_QUIET);
	assert_false(fight_may_repair(&f, mac_a, LINK, 3500, &until));
	assert_true(fight_on(&f, mac_a));
	assert_false(fight_on(&f, mac_b));
	assert_int_equal(fight_steady(&f, mac_a, 3000 + 2 * MAX_WAIT,
	    MAX_WAIT), FIGHT_ENDED);
	assert_false(fight_on(&f, mac_a));
	assert_int_equal(fight_steady(&f, mac_a, 3000 + 3 * MAX_WAIT,
	    MAX_WAIT), FIGHT_QUIET);
	assert_true(fight_may_repair(&f, mac_a, LINK, 3000 + 2 * MAX_WAIT, &until));
	/* A new episode needs the threshold again, and starts at 1 s. */
	assert_int_equal(fight_repaired(&f, mac_a, LINK, 100000, MAX_WAIT),
	    FIGHT_QUIET);
	fight_repaired(&f, mac_a, LINK, 101000, MAX_WAIT);
	assert_int_equal(fight_repaired(&f, mac_a, LINK, 102000, MAX_WAIT),
	    FIGHT_STARTED);
	assert_false(fight_may_repair(&f, mac_a, LINK, 102000, &until));
	assert_int_equal(until, 103000);
}

static void
test_quiet_floor_is_window(void **state)
{
	struct fights	f;

	(void)state;
	memset(&f, 0, sizeof(f));
	fight_repaired(&f, mac_a, LINK, 0, 1000);
	fight_repaired(&f, mac_a, LINK, 10, 1000);
	fight_repaired(&f, mac_a, LINK, 20, 1000);
	assert_int_equal(fight_steady(&f, mac_a, 20 + FIGHT_WINDOW_MS - 1,
	    1000), FIGHT_QUIET);
	assert_int_equal(fight_steady(&f, mac_a, 20 + FIGHT_WINDOW_MS, 1000),
	    FIGHT_ENDED);
}

/* More MACs than entries: the table stays bounded, a fight is kept. */
static void
test_table_full(void **state)
{
	struct fights	f;
	uint8_t		mac[MAC_LEN] = { 0 };
	uint64_t	until = 0;
	size_t		i;

	(void)state;
	memset(&f, 0, sizeof(f));
	fight_repaired(&f, mac_a, LINK, 1000, MAX_WAIT);
	fight_repaired(&f, mac_a, LINK, 1001, MAX_WAIT);
	fight_repaired(&f, mac_a, LINK, 1002, MAX_WAIT);
	for (i = 0; i < 3 * PLAN_ITEMS_MAX; i++) {
		mac[5] = (uint8_t)i;
		mac[4] = (uint8_t)(i >> 8) + 1;
		fight_repaired(&f, mac, LINK, 1100 + i, MAX_WAIT);
	}
	assert_int_equal(f.count, PLAN_ITEMS_MAX);
	assert_false(fight_may_repair(&f, mac_a, LINK, 1500, &until));
}

/*
 * A NIC unplugged and plugged again comes back as another link: its
 * configuration is a new NIC's, not a fight, however often it happens.
 */
static void
test_new_link_is_no_fight(void **state)
{
	struct fights	f;
	uint64_t	until = 0;
	int		link;

	(void)state;
	memset(&f, 0, sizeof(f));
	for (link = 1; link <= 5; link++) {
		assert_true(fight_may_repair(&f, mac_a, link, link * 100,
		    &until));
		assert_int_equal(fight_repaired(&f, mac_a, link, link * 100,
		    MAX_WAIT), FIGHT_QUIET);
	}
	assert_false(fight_on(&f, mac_a));
	/* The same link three times is one. */
	fight_repaired(&f, mac_a, 5, 600, MAX_WAIT);
	assert_int_equal(fight_repaired(&f, mac_a, 5, 700, MAX_WAIT),
	    FIGHT_STARTED);
	assert_false(fight_may_repair(&f, mac_a, 5, 700, &until));
	/* Plugged again while it was fought over: repaired at once. */
	assert_true(fight_may_repair(&f, mac_a, 6, 700, &until));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_started_once),
		cmocka_unit_test(test_backoff_doubles_to_cap),
		cmocka_unit_test(test_cap_below_first_wait),
		cmocka_unit_test(test_other_mac_unaffected),
		cmocka_unit_test(test_ends_when_quiet),
		cmocka_unit_test(test_quiet_floor_is_window),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_new_link_is_no_fight),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
