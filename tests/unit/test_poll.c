/* SPDX-License-Identifier: ISC */
/*
 * Tests for fetcher/poll.c's handling of the applier's poll requests: what
 * a valid request is, a fast poll at once, never two closer than
 * HOTPLUG_POLL_INTERVAL whatever the number of NICs, none while the DB
 * fails or when HOTPLUG_POLL_INTERVAL is 0, and one warning when too many
 * NICs ask.
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
#include "capture.h"
#include "../../fetcher/db.h"
#include "../../fetcher/fetcher.h"
#include "../../fetcher/status.h"

static struct fetcher	f;

static const uint8_t	mac1[MAC_LEN] = { 0xfa, 0x16, 0x3e, 0, 0, 1 };
static const uint8_t	mac2[MAC_LEN] = { 0xfa, 0x16, 0x3e, 0, 0, 2 };

/*
 * A started fetcher whose first poll is long done and whose next regular
 * one is 30 s away; the loop never runs, so nothing is contacted.
 */
static int
setup(void **state)
{
	struct config_secret	secret;

	(void)state;
	log_init("fetcher", LOG_DEST_STDERR, LOG_FORMAT_TEXT, LOG_LEVEL_WARN);
	memset(&f, 0, sizeof(f));
	memset(&secret, 0, sizeof(secret));
	config_defaults(&f.conf);
	strlcpy(f.conf.node_name, "node1", sizeof(f.conf.node_name));
	assert_non_null(f.base = event_base_new());
	assert_non_null(f.db = db_new(f.base, &f.conf, &secret));
	poll_init(&f);
	f.started = 1;
	f.last_poll_start = status_clock() - 20;
	f.next_poll_at = status_clock() + 30;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	event_free(f.poll_ev);
	db_free(f.db);
	event_base_free(f.base);
	return 0;
}

static void
test_request_validation(void **state)
{
	static const struct {
		uint8_t	mac[MAC_LEN];
		uint8_t	pad[2];
		int	valid;
	} cases[] = {
		{ { 0xfa, 0x16, 0x3e, 0, 0, 1 }, { 0, 0 }, 1 },
		{ { 0x02, 0, 0, 0, 0, 0 }, { 0, 0 }, 1 },
		{ { 0, 0, 0, 0, 0, 0 }, { 0, 0 }, 0 },
		{ { 0x01, 0x00, 0x5e, 0, 0, 1 }, { 0, 0 }, 0 },
		{ { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, { 0, 0 }, 0 },
		{ { 0xfa, 0x16, 0x3e, 0, 0, 1 }, { 0, 1 }, 0 },
	};
	struct msg_poll_request	req;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(req.mac, cases[i].mac, MAC_LEN);
		memcpy(req.pad, cases[i].pad, sizeof(req.pad));
		if (poll_request_valid(&req) != cases[i].valid)
			fail_msg("case %zu", i);
	}
}

/* The first request polls at once; the next NIC's waits an interval. */
static void
test_fast_poll_at_once_then_spaced(void **state)
{
	double	now;

	(void)state;
	capture_begin();
	poll_hotplug_request(&f, mac1);
	now = status_clock();
	assert_true(f.poll_hotplug);
	assert_true(f.next_poll_at <= now);
	/*
	 * As if that poll had started now and ended, the next regular one
	 * 30 s away: another NIC waits its turn.
	 */
	f.last_poll_start = now;
	f.next_poll_at = now + 30;
	poll_hotplug_request(&f, mac2);
	assert_true(f.next_poll_at >= now + 0.9);
	assert_true(f.next_poll_at <= status_clock() + 1.0);
	/* The same NIC again changes nothing. */
	f.next_poll_at = now + 30;
	f.poll_hotplug = 0;
	poll_hotplug_request(&f, mac1);
	assert_false(f.poll_hotplug);
	(void)capture_end();
	assert_true(hotplug_active(&f.hotplug));
}

static void
test_no_fast_poll_while_failing(void **state)
{
	double	at = f.next_poll_at;

	(void)state;
	f.backoff.level = 2;
	capture_begin();
	poll_hotplug_request(&f, mac1);
	(void)capture_end();
	assert_false(f.poll_hotplug);
	assert_true(f.next_poll_at == at);
	/* The window is kept: fast polls follow once the DB answers. */
	assert_true(hotplug_active(&f.hotplug));
}

static void
test_off(void **state)
{
	double	at = f.next_poll_at;

	(void)state;
	f.conf.hotplug_poll_interval_ms = 0;
	poll_hotplug_request(&f, mac1);
	assert_false(f.poll_hotplug);
	assert_true(f.next_poll_at == at);
	assert_false(hotplug_active(&f.hotplug));
}

/* Beyond HOTPLUG_MACS_MAX NICs: one warning, not one per NIC and cycle. */
static void
test_full_warns_once(void **state)
{
	uint8_t		mac[MAC_LEN] = { 0xfa, 0x16, 0x3e, 2, 0, 0 };
	const char	*log, *p;
	int		i, warnings = 0;

	(void)state;
	capture_begin();
	for (i = 0; i < HOTPLUG_MACS_MAX + 3; i++) {
		mac[5] = (uint8_t)i;
		poll_hotplug_request(&f, mac);
		poll_hotplug_request(&f, mac);
	}
	log = capture_end();
	for (p = log; (p = strstr(p, "gets none")) != NULL; p++)
		warnings++;
	assert_int_equal(warnings, 1);
	assert_int_equal(f.hotplug.n, HOTPLUG_MACS_MAX);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_request_validation),
		cmocka_unit_test_setup_teardown(
		    test_fast_poll_at_once_then_spaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_fast_poll_while_failing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_warns_once, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
