/* SPDX-License-Identifier: ISC */
/*
 * Rows for the unit tests of the channel between fetcher and applier: made
 * by the real validation, so they are what the fetcher would send. Include
 * it after <cmocka.h>.
 */
#ifndef MULTINIC_TEST_ROWS_H
#define MULTINIC_TEST_ROWS_H

#include <arpa/inet.h>

#include "validate.h"

static struct msg_row
valid_row(int64_t id, uint8_t last_octet)
{
	struct db_row	in = { id, NULL, "10.0.0.5", "10.0.0.0/24", "1500" };
	struct msg_row	out;
	char		mac[] = "fa:16:3e:00:00:00";

	mac[sizeof(mac) - 2] = "0123456789abcdef"[last_octet & 0xf];
	in.macaddress = mac;
	validate_row(&in, &out);
	assert_int_equal(out.state, ROW_VALID);
	/* Distinct addresses, so a set of them has no duplicates. */
	out.address = htonl(0x0a000000 | (last_octet + 1));
	return out;
}

static struct msg_row
held_row(int64_t id)
{
	struct db_row	in = { id, "fa:16-3e:00:00:01", NULL, NULL, NULL };
	struct msg_row	out;

	validate_row(&in, &out);
	assert_int_equal(out.state, ROW_HELD);
	return out;
}

#endif
