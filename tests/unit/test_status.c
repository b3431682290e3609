/* SPDX-License-Identifier: ISC */
/*
 * Tests for fetcher/status.c: the one view of the NICs that GET / and
 * multinicctl share (the applier's verdict merged with rows it has not
 * answered for) and its JSON, nulls and types included.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>

#include <json.h>

#include "../../fetcher/status.h"
#include "state.h"

static struct fetcher	f;

static void
add_row(int64_t id, int held, const char *mac_text, const char *address,
    uint8_t prefix, uint32_t mtu)
{
	struct msg_row	*r = &f.poll.rows[f.poll.nrows++];

	memset(r, 0, sizeof(*r));
	r->row_id = id;
	r->state = held ? ROW_HELD : ROW_VALID;
	strlcpy(r->mac_text, mac_text, sizeof(r->mac_text));
	r->mac_valid = sscanf(mac_text, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
	    &r->mac[0], &r->mac[1], &r->mac[2], &r->mac[3], &r->mac[4],
	    &r->mac[5]) == MAC_LEN;
	if (address != NULL) {
		r->has_address = 1;
		assert_int_equal(inet_pton(AF_INET, address, &r->address), 1);
		r->prefix = prefix;
	}
	r->mtu = mtu;
	if (held) {
		strlcpy(r->field, "macaddress", sizeof(r->field));
		strlcpy(r->reason, "not a MAC", sizeof(r->reason));
	}
}

static struct msg_result *
add_result(int64_t id, int state, const char *name, const char *mac_text)
{
	struct msg_result	*r = &f.results.items[f.results.count++];

	memset(r, 0, sizeof(*r));
	r->row_id = id;
	r->state = state;
	strlcpy(r->name, name, sizeof(r->name));
	strlcpy(r->mac_text, mac_text, sizeof(r->mac_text));
	f.results.acked_generation = 1;
	return r;
}

static int
reset(void **state)
{
	(void)state;
	memset(&f, 0, sizeof(f));
	return 0;
}

static void
test_before_any_verdict(void **state)
{
	struct msg_result	nics[STATUS_NICS_MAX];

	(void)state;
	add_row(1, 0, "fa:16:3e:00:00:01", "10.0.0.5", 24, 1500);
	add_row(2, 1, "not-a-mac", NULL, 0, 1500);
	assert_int_equal(status_nics(&f, nics, STATUS_NICS_MAX), 2);
	assert_int_equal(nics[0].state, NIC_PENDING);
	assert_int_equal(nics[0].row_id, 1);
	assert_string_equal(nics[0].mac_text, "fa:16:3e:00:00:01");
	assert_int_equal(nics[0].prefix, 24);
	assert_int_equal(nics[1].state, NIC_HELD);
	assert_string_equal(nics[1].mac_text, "not-a-mac");
	assert_string_equal(nics[1].reason, "macaddress: not a MAC");
}

/* The verdict first, then rows of a later poll it does not cover yet. */
static void
test_verdict_merged_with_new_rows(void **state)
{
	struct msg_result	nics[STATUS_NICS_MAX];
	struct census		c;

	(void)state;
	add_result(1, NIC_APPLIED, "multinic0", "fa:16:3e:00:00:01");
	add_result(-1, NIC_DELETING, "multinic1", "fa:16:3e:00:00:02");
	add_row(1, 0, "fa:16:3e:00:00:01", "10.0.0.5", 24, 1500);
	add_row(7, 0, "fa:16:3e:00:00:07", NULL, 0, 9000);
	assert_int_equal(status_nics(&f, nics, STATUS_NICS_MAX), 3);
	assert_int_equal(nics[0].row_id, 1);
	assert_int_equal(nics[1].row_id, -1);
	assert_int_equal(nics[2].row_id, 7);
	assert_int_equal(nics[2].state, NIC_PENDING);

	status_census(&f, &c);
	assert_int_equal(c.by_state[NIC_APPLIED], 1);
	assert_int_equal(c.by_state[NIC_DELETING], 1);
	assert_int_equal(c.by_state[NIC_PENDING], 1);
	assert_int_equal(c.processed, 1);
	assert_int_equal(c.failed, 0);
}

/* The applier leaves a held row's values out; the row has them. */
static void
test_held_result_shows_the_row(void **state)
{
	struct msg_result	nics[STATUS_NICS_MAX];
	struct census		c;

	(void)state;
	add_result(3, NIC_HELD, "", "not-a-mac");
	add_result(4, NIC_FAILED, "multinic2", "fa:16:3e:00:00:04");
	add_row(3, 1, "not-a-mac", "10.0.0.6", 25, 1400);
	add_row(4, 0, "fa:16:3e:00:00:04", NULL, 0, 1500);
	assert_int_equal(status_nics(&f, nics, STATUS_NICS_MAX), 2);
	assert_int_equal(nics[0].has_address, 1);
	assert_int_equal(nics[0].prefix, 25);
	assert_int_equal(nics[0].mtu, 1400);
	/* Only held ones: a failed result is the applier's word. */
	assert_int_equal(nics[1].mtu, 0);

	status_census(&f, &c);
	assert_int_equal(c.failed, 2);
	assert_int_equal(c.processed, 0);
}

static void
test_cap_respected(void **state)
{
	struct msg_result	nics[2];
	int64_t			id;

	(void)state;
	for (id = 0; id < 5; id++)
		add_row(id, 0, "fa:16:3e:00:00:01", NULL, 0, 1500);
	assert_int_equal(status_nics(&f, nics, 2), 2);
}

static struct json_object *
member(struct json_object *obj, const char *key)
{
	struct json_object	*val = NULL;

	if (!json_object_object_get_ex(obj, key, &val))
		fail_msg("no member \"%s\" in %s", key,
		    json_object_to_json_string(obj));
	return val;
}

static void
test_json_types_and_nulls(void **state)
{
	struct json_object	*nics, *nic;
	struct msg_result	*r;

	(void)state;
	r = add_result(9, NIC_APPLIED, "multinic0", "fa:16:3e:00:00:09");
	r->has_address = 1;
	assert_int_equal(inet_pton(AF_INET, "10.1.2.3", &r->address), 1);
	r->prefix = 16;
	r->mtu = 9000;
	r->last_change = 1700000000;
	add_result(-1, NIC_DELETING, "", "fa:16:3e:00:00:0a");
	assert_non_null(nics = status_json_nics(&f));
	assert_int_equal(json_object_array_length(nics), 2);

	nic = json_object_array_get_idx(nics, 0);
	assert_string_equal(json_object_get_string(member(nic, "name")),
	    "multinic0");
	assert_string_equal(json_object_get_string(member(nic, "address")),
	    "10.1.2.3");
	assert_true(json_object_is_type(member(nic, "prefix"), json_type_int));
	assert_int_equal(json_object_get_int(member(nic, "prefix")), 16);
	assert_int_equal(json_object_get_int(member(nic, "mtu")), 9000);
	assert_int_equal(json_object_get_int64(member(nic, "row_id")), 9);
	assert_string_equal(json_object_get_string(member(nic, "state")),
	    "applied");
	assert_string_equal(json_object_get_string(member(nic, "last_change")),
	    "2023-11-14T22:13:20Z");
	assert_null(member(nic, "reason"));

	nic = json_object_array_get_idx(nics, 1);
	assert_null(member(nic, "name"));
	assert_null(member(nic, "address"));
	assert_null(member(nic, "prefix"));
	assert_null(member(nic, "mtu"));
	assert_null(member(nic, "row_id"));
	assert_null(member(nic, "last_change"));
	assert_string_equal(json_object_get_string(member(nic, "state")),
	    "deleting");
	json_object_put(nics);
}

/* Text from the applier is a fixed-size field: read no further than it. */
static void
test_json_unterminated_text(void **state)
{
	struct json_object	*nics, *nic;
	struct msg_result	*r;

	(void)state;
	r = add_result(1, NIC_FAILED, "", "");
	memset(r->mac_text, 'a', sizeof(r->mac_text));
	memset(r->reason, 'b', sizeof(r->reason));
	r->state = 99;		/* outside the enum */
	assert_non_null(nics = status_json_nics(&f));
	nic = json_object_array_get_idx(nics, 0);
	assert_int_equal(json_object_get_string_len(member(nic, "mac")),
	    sizeof(r->mac_text));
	assert_int_equal(json_object_get_string_len(member(nic, "reason")),
	    sizeof(r->reason));
	assert_string_equal(json_object_get_string(member(nic, "state")),
	    "unknown");
	json_object_put(nics);
}

/* What GET / and multinicctl status share. */
static void
test_json_common(void **state)
{
	struct json_object	*obj, *counts;
	struct census		 c;
	int			 s;

	(void)state;
	add_result(1, NIC_APPLIED, "multinic0", "fa:16:3e:00:00:01");
	f.poll.db_connected = 1;
	f.poll.polls = 3;
	f.poll.generation = 2;
	f.results.acked_generation = 1;
	strlcpy(f.conf.node_name, "node1", sizeof(f.conf.node_name));
	f.start_time = status_clock();
	status_census(&f, &c);
	assert_non_null(obj = json_object_new_object());
	assert_int_equal(status_json_common(&f, &c, obj), 0);
	assert_string_equal(json_object_get_string(member(obj, "node_name")),
	    "node1");
	assert_true(json_object_get_boolean(member(obj,
	    "database_connected")));
	assert_true(json_object_is_type(member(obj, "uptime_seconds"),
	    json_type_int));
	assert_null(member(obj, "last_sync"));
	assert_null(member(obj, "last_error"));
	assert_int_equal(json_object_get_int64(member(obj, "polls")), 3);
	assert_int_equal(json_object_get_int64(member(obj,
	    "snapshot_generation")), 2);
	assert_int_equal(json_object_get_int64(member(obj,
	    "applied_generation")), 1);
	counts = member(obj, "interfaces");
	assert_int_equal(json_object_object_length(counts), NIC_STATE_COUNT);
	for (s = 0; s < NIC_STATE_COUNT; s++)
		assert_true(json_object_is_type(member(counts,
		    nic_state_name(s)), json_type_int));
	assert_int_equal(json_object_get_int(member(counts, "applied")), 1);
	json_object_put(obj);
}

/* After a failed poll: not connected, and why. */
static void
test_json_failed_poll(void **state)
{
	struct json_object	*obj;
	struct census		 c;

	(void)state;
	f.poll.db_connected = 0;
	strlcpy(f.poll.last_error, "execute the SELECT: Table 'multi_interface'"
	    " doesn't exist", sizeof(f.poll.last_error));
	f.start_time = status_clock();
	status_census(&f, &c);
	assert_non_null(obj = json_object_new_object());
	assert_int_equal(status_json_common(&f, &c, obj), 0);
	assert_false(json_object_get_boolean(member(obj,
	    "database_connected")));
	assert_string_equal(json_object_get_string(member(obj, "last_error")),
	    f.poll.last_error);
	json_object_put(obj);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup(test_before_any_verdict, reset),
		cmocka_unit_test_setup(test_verdict_merged_with_new_rows, reset),
		cmocka_unit_test_setup(test_held_result_shows_the_row, reset),
		cmocka_unit_test_setup(test_cap_respected, reset),
		cmocka_unit_test_setup(test_json_types_and_nulls, reset),
		cmocka_unit_test_setup(test_json_unterminated_text, reset),
		cmocka_unit_test_setup(test_json_common, reset),
		cmocka_unit_test_setup(test_json_failed_poll, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
