/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for common/state.c: the names every process shows for a NIC
 * state and for a kind of drift, and what a value from a peer outside the
 * known ones reads as.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "state.h"

static void
test_state_names(void **state)
{
	(void)state;
	assert_string_equal(nic_state_name(NIC_APPLIED), "applied");
	assert_string_equal(nic_state_name(NIC_PENDING), "pending");
	assert_string_equal(nic_state_name(NIC_WAITING), "waiting");
	assert_string_equal(nic_state_name(NIC_FAILED), "failed");
	assert_string_equal(nic_state_name(NIC_HELD), "held");
	assert_string_equal(nic_state_name(NIC_DELETING), "deleting");
	assert_string_equal(nic_state_name(NIC_STATE_COUNT), "unknown");
	assert_string_equal(nic_state_name(-1), "unknown");
}

/* Bit i of a drift mask is named drift_kind_name(i): the metric's labels. */
static void
test_drift_kind_names(void **state)
{
	static const struct {
		unsigned	 mask;
		const char	*name;
	} kinds[] = {
		{ DRIFT_FILE, "file" },
		{ DRIFT_NAME, "name" },
		{ DRIFT_MTU, "mtu" },
		{ DRIFT_ADDRESS, "address" },
		{ DRIFT_ADMIN, "admin_state" },
		{ DRIFT_ROUTE, "route" },
	};
	unsigned	bit;

	(void)state;
	assert_int_equal(sizeof(kinds) / sizeof(kinds[0]), DRIFT_KINDS);
	for (bit = 0; bit < DRIFT_KINDS; bit++) {
		assert_int_equal(kinds[bit].mask, 1U << bit);
		assert_string_equal(drift_kind_name(bit), kinds[bit].name);
	}
	assert_string_equal(drift_kind_name(DRIFT_KINDS), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_drift_kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
