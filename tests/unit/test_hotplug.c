/* SPDX-License-Identifier: ISC */
/*
 * Tests for fetcher/hotplug.c: a window per MAC that ends when a row names
 * it or when it is over, one window per MAC in a cool-down, a cap on the
 * MACs tracked, and a log line when a window starts and ends.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "capture.h"
#include "../../fetcher/hotplug.h"

#define WINDOW_MS	60000

static const uint8_t	mac1[MAC_LEN] = { 0xfa, 0x16, 0x3e, 0, 0, 1 };
static const uint8_t	mac2[MAC_LEN] = { 0xfa, 0x16, 0x3e, 0, 0, 2 };

/* A row whose MAC is fa:16:3e:00:00:0N. */
static struct msg_row
row_for(int64_t id, uint8_t n)
{
	struct msg_row	row;

	memset(&row, 0, sizeof(row));
	row.row_id = id;
	row.mac_valid = 1;
	memcpy(row.mac, mac1, MAC_LEN);
	row.mac[5] = n;
	return row;
}

static int
setup(void **state)
{
	(void)state;
	log_init("fetcher", LOG_DEST_STDERR, LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
	return 0;
}

static void
test_window_ends_with_a_row(void **state)
{
	struct hotplug	h;
	struct msg_row	rows[2] = { row_for(1, 2), row_for(2, 1) };
	const char	*log;

	(void)state;
	memset(&h, 0, sizeof(h));
	capture_begin();
	assert_int_equal(hotplug_request(&h, mac1, WINDOW_MS, 100),
	    HOTPLUG_STARTED);
	assert_true(hotplug_active(&h));
	/* A row for another MAC leaves the window open. */
	hotplug_rows(&h, rows, 1, 101);
	assert_true(hotplug_active(&h));
	hotplug_rows(&h, rows, 2, 102);
	assert_false(hotplug_active(&h));
	log = capture_end();
	assert_non_null(strstr(log, "no row names NIC fa:16:3e:00:00:01 yet"));
	assert_non_null(strstr(log, "NIC fa:16:3e:00:00:01: a row names it"));
}

static void
test_window_ends_when_over(void **state)
{
	struct hotplug	h;
	const char	*log;

	(void)state;
	memset(&h, 0, sizeof(h));
	capture_begin();
	assert_int_equal(hotplug_request(&h, mac1, WINDOW_MS, 100),
	    HOTPLUG_STARTED);
	hotplug_expire(&h, 100 + WINDOW_MS / 1000 - 1);
	assert_true(hotplug_active(&h));
	hotplug_expire(&h, 100 + WINDOW_MS / 1000);
	assert_false(hotplug_active(&h));
	log = capture_end();
	assert_non_null(strstr(log, "its window is over"));
}

/* One burst per MAC: again only after the cool-down. */
static void
test_one_window_per_mac(void **state)
{
	struct hotplug	h;
	struct msg_row	row = row_for(1, 1);
	double		ended = 110;

	(void)state;
	memset(&h, 0, sizeof(h));
	capture_begin();
	assert_int_equal(hotplug_request(&h, mac1, WINDOW_MS, 100),
	    HOTPLUG_STARTED);
	assert_int_equal(hotplug_request(&h, mac1, WINDOW_MS, 105),
	    HOTPLUG_ACTIVE);
	hotplug_rows(&h, &row, 1, ended);
	assert_int_equal(hotplug_request(&h, mac1, WINDOW_MS, ended + 1),
	    HOTPLUG_COOLING);
	assert_int_equal(hotplug_request(&h, mac1, WINDOW_MS,
	    ended + HOTPLUG_COOLDOWN_S - 1), HOTPLUG_COOLING);
	assert_int_equal(hotplug_request(&h, mac2, WINDOW_MS, ended + 2),
	    HOTPLUG_STARTED);
	assert_int_equal(hotplug_request(&h, mac1, WINDOW_MS,
	    ended + HOTPLUG_COOLDOWN_S), HOTPLUG_STARTED);
	(void)capture_end();
}

/* At most HOTPLUG_MACS_MAX MACs, cool-downs included; over ones free places. */
static void
test_cap(void **state)
{
	struct hotplug	h;
	uint8_t		mac[MAC_LEN] = { 0xfa, 0x16, 0x3e, 1, 0, 0 };
	size_t		i;

	(void)state;
	memset(&h, 0, sizeof(h));
	capture_begin();
	for (i = 0; i < HOTPLUG_MACS_MAX; i++) {
		mac[5] = (uint8_t)i;
		assert_int_equal(hotplug_request(&h, mac, WINDOW_MS, 100),
		    HOTPLUG_STARTED);
	}
	mac[5] = 0xff;
	assert_int_equal(hotplug_request(&h, mac, WINDOW_MS, 101),
	    HOTPLUG_FULL);
	/* The windows end; their cool-downs still hold the places. */
	hotplug_expire(&h, 100 + WINDOW_MS / 1000);
	assert_false(hotplug_active(&h));
	assert_int_equal(hotplug_request(&h, mac, WINDOW_MS, 200),
	    HOTPLUG_FULL);
	assert_int_equal(hotplug_request(&h, mac, WINDOW_MS,
	    100 + WINDOW_MS / 1000 + HOTPLUG_COOLDOWN_S), HOTPLUG_STARTED);
	assert_int_equal(h.n, 1);
	(void)capture_end();
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_window_ends_with_a_row),
		cmocka_unit_test(test_window_ends_when_over),
		cmocka_unit_test(test_one_window_per_mac),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
