/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for common/validate.c: row validation as the fetcher does it,
 * duplicate detection, and the applier's re-check of received rows.
 */

#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "msg.h"
#include "validate.h"

#define MAC	"fa:16:3e:00:00:01"
#define ADDR	"10.0.0.5"
#define CIDR	"10.0.0.0/24"
#define WHY_MAX	256

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* A row validate_row must hold (or pass), and what it must say. */
struct row_case {
	const char	*what;
	struct db_row	 in;
	int		 state;
	const char	*field;		/* held: the column named */
	const char	*reason;	/* held: part of the reason */
};

/* A row that must pass, with the values the applier will use. */
struct valid_case {
	const char	*what;
	struct db_row	 in;
	const char	*mac;		/* normalised */
	const char	*address;	/* NULL: no IPv4 address */
	uint8_t		 prefix;
	uint32_t	 mtu;
};

static const struct valid_case valid_cases[] = {
	{ "colon MAC", { 1, MAC, ADDR, CIDR, NULL },
	    MAC, ADDR, 24, 1500 },
	{ "dash MAC", { 1, "fa-16-3e-00-00-01", ADDR, CIDR, NULL },
	    MAC, ADDR, 24, 1500 },
	{ "upper-case MAC", { 1, "FA:16:3E:0A:BC:DE", ADDR, CIDR, NULL },
	    "fa:16:3e:0a:bc:de", ADDR, 24, 1500 },
	{ "mixed-case dash MAC", { 1, "Fa-16-3e-0A-bC-dE", ADDR, CIDR, NULL },
	    "fa:16:3e:0a:bc:de", ADDR, 24, 1500 },
	{ "locally administered MAC", { 1, "02:00:00:00:00:01", ADDR, CIDR,
	    NULL }, "02:00:00:00:00:01", ADDR, 24, 1500 },
	{ "no address, no CIDR", { 1, MAC, NULL, NULL, NULL },
	    MAC, NULL, 0, 1500 },
	{ "no address, MTU 9000", { 1, MAC, NULL, NULL, "9000" },
	    MAC, NULL, 0, 9000 },
	{ "CIDR with host bits", { 1, MAC, ADDR, "10.0.0.7/24", NULL },
	    MAC, ADDR, 24, 1500 },
	{ "CIDR is the address", { 1, MAC, ADDR, "10.0.0.5/24", NULL },
	    MAC, ADDR, 24, 1500 },
	{ "/8", { 1, MAC, "10.200.3.4", "10.0.0.0/8", NULL },
	    MAC, "10.200.3.4", 8, 1500 },
	{ "/1", { 1, MAC, "10.0.0.5", "0.0.0.0/1", NULL },
	    MAC, "10.0.0.5", 1, 1500 },
	{ "/32", { 1, MAC, ADDR, "10.0.0.5/32", NULL },
	    MAC, ADDR, 32, 1500 },
	{ "/31 lower address", { 1, MAC, "10.0.0.4", "10.0.0.4/31", NULL },
	    MAC, "10.0.0.4", 31, 1500 },
	{ "/31 upper address", { 1, MAC, "10.0.0.5", "10.0.0.4/31", NULL },
	    MAC, "10.0.0.5", 31, 1500 },
	{ "/30 host", { 1, MAC, "10.0.0.6", "10.0.0.4/30", NULL },
	    MAC, "10.0.0.6", 30, 1500 },
	{ "first host", { 1, MAC, "10.0.0.1", CIDR, NULL },
	    MAC, "10.0.0.1", 24, 1500 },
	{ "last host", { 1, MAC, "10.0.0.254", CIDR, NULL },
	    MAC, "10.0.0.254", 24, 1500 },
	{ "zero last octet", { 1, MAC, "10.0.1.0", "10.0.0.0/16", NULL },
	    MAC, "10.0.1.0", 16, 1500 },
	{ "link-local", { 1, MAC, "169.254.1.1", "169.254.0.0/16", NULL },
	    MAC, "169.254.1.1", 16, 1500 },
	{ "MTU NULL", { 1, MAC, ADDR, CIDR, NULL }, MAC, ADDR, 24, 1500 },
	{ "MTU 68", { 1, MAC, ADDR, CIDR, "68" }, MAC, ADDR, 24, 68 },
	{ "MTU 9216", { 1, MAC, ADDR, CIDR, "9216" }, MAC, ADDR, 24, 9216 },
	{ "MTU 1450", { 1, MAC, ADDR, CIDR, "1450" }, MAC, ADDR, 24, 1450 },
};

static const struct row_case row_cases[] = {
	/* MAC */
	{ "mixed separators", { 1, "fa:16-3e:00:00:01", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "mixed separators" },
	{ "5 groups", { 1, "fa:16:3e:00:00", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "not 6 groups" },
	{ "7 groups", { 1, "fa:16:3e:00:00:01:02", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "longer than 17" },
	{ "7 short groups", { 1, "f:16:3e:0:0:1:2", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "not 6 groups" },
	{ "3-digit group", { 1, "fa:16:3e:000:00:1", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "not 6 groups" },
	{ "1-digit group", { 1, "fa:16:3e:0:00:01", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "not 6 groups" },
	{ "non-hex", { 1, "fa:16:3e:00:00:0g", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "not 6 groups" },
	{ "no separators", { 1, "fa163e000001", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "not 6 groups" },
	{ "dot separators", { 1, "fa.16.3e.00.00.01", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "not 6 groups" },
	{ "Cisco dots", { 1, "fa16.3e00.0001", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "not 6 groups" },
	{ "empty MAC", { 1, "", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "empty MAC" },
	{ "NULL MAC", { 1, NULL, ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "NULL" },
	{ "multicast MAC", { 1, "01:00:5e:00:00:01", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "01:00:5e:00:00:01 is multicast" },
	{ "odd first octet", { 1, "FB:16:3E:00:00:01", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "fb:16:3e:00:00:01 is multicast" },
	{ "broadcast MAC", { 1, "ff:ff:ff:ff:ff:ff", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "multicast" },
	{ "zero MAC", { 1, "00-00-00-00-00-00", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "all zeros" },
	{ "trailing space", { 1, MAC " ", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "space in MAC" },
	{ "leading space", { 1, " fa:16:3e:00:00:1", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "space in MAC" },
	{ "trailing newline", { 1, MAC "\n", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "non-printable character in MAC" },
	{ "embedded newline", { 1, "fa:16:3e\n00:00:01", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "\"fa:16:3e?00:00:01\"" },
	{ "high byte", { 1, "fa:16:3e:00:00:\xc3\xa9", ADDR, CIDR, NULL },
	    ROW_HELD, "macaddress", "non-printable" },

	/* address */
	{ "leading zero", { 1, MAC, "10.0.0.05", CIDR, NULL },
	    ROW_HELD, "address", "leading zero" },
	{ "leading zero first", { 1, MAC, "010.0.0.5", CIDR, NULL },
	    ROW_HELD, "address", "leading zero" },
	{ "double zero", { 1, MAC, "10.00.0.5", CIDR, NULL },
	    ROW_HELD, "address", "leading zero" },
	{ "256", { 1, MAC, "10.0.0.256", CIDR, NULL },
	    ROW_HELD, "address", "above 255" },
	{ "4 digits", { 1, MAC, "1000.0.0.5", CIDR, NULL },
	    ROW_HELD, "address", "above 255" },
	{ "3 parts", { 1, MAC, "10.0.5", CIDR, NULL },
	    ROW_HELD, "address", "not a dotted quad" },
	{ "5 parts", { 1, MAC, "10.0.0.5.1", CIDR, NULL },
	    ROW_HELD, "address", "not a dotted quad" },
	{ "one number", { 1, MAC, "167772165", CIDR, NULL },
	    ROW_HELD, "address", "not a dotted quad" },
	{ "hex", { 1, MAC, "0x0a.0.0.5", CIDR, NULL },
	    ROW_HELD, "address", "not a dotted quad" },
	{ "empty part", { 1, MAC, "10..0.5", CIDR, NULL },
	    ROW_HELD, "address", "not a dotted quad" },
	{ "trailing dot", { 1, MAC, "10.0.0.5.", CIDR, NULL },
	    ROW_HELD, "address", "not a dotted quad" },
	{ "sign", { 1, MAC, "10.0.0.+5", CIDR, NULL },
	    ROW_HELD, "address", "not a dotted quad" },
	{ "leading space", { 1, MAC, " 10.0.0.5", CIDR, NULL },
	    ROW_HELD, "address", "space in address" },
	{ "inner space", { 1, MAC, "10.0. 0.5", CIDR, NULL },
	    ROW_HELD, "address", "space in address" },
	{ "trailing junk", { 1, MAC, "10.0.0.5x", CIDR, NULL },
	    ROW_HELD, "address", "not a dotted quad" },
	{ "address with prefix", { 1, MAC, "10.0.0.5/24", CIDR, NULL },
	    ROW_HELD, "address", "not a dotted quad" },
	{ "YAML injection", { 1, MAC, "10.0.0.5\n  - 1.2.3.4/8", CIDR, NULL },
	    ROW_HELD, "address", "non-printable character in address" },
	{ "tab", { 1, MAC, "10.0.0.5\t", CIDR, NULL },
	    ROW_HELD, "address", "non-printable" },
	{ "too long", { 1, MAC, "10.000.000.0005", CIDR, NULL },
	    ROW_HELD, "address", "leading zero" },
	{ "longer than column", { 1, MAC, "100.100.100.1001", CIDR, NULL },
	    ROW_HELD, "address", "longer than 15" },
	{ "empty address", { 1, MAC, "", CIDR, NULL },
	    ROW_HELD, "address", "empty address" },
	{ "network address", { 1, MAC, "10.0.0.0", CIDR, NULL },
	    ROW_HELD, "address", "10.0.0.0 is the network address of "
	    "10.0.0.0/24" },
	{ "broadcast address", { 1, MAC, "10.0.0.255", CIDR, NULL },
	    ROW_HELD, "address", "10.0.0.255 is the broadcast address of "
	    "10.0.0.0/24" },
	{ "/30 network", { 1, MAC, "10.0.0.4", "10.0.0.4/30", NULL },
	    ROW_HELD, "address", "network address" },
	{ "/30 broadcast", { 1, MAC, "10.0.0.7", "10.0.0.4/30", NULL },
	    ROW_HELD, "address", "broadcast address" },
	{ "loopback", { 1, MAC, "127.0.0.2", "127.0.0.0/8", NULL },
	    ROW_HELD, "address", "loopback" },
	{ "this network", { 1, MAC, "0.1.2.3", "0.0.0.0/8", NULL },
	    ROW_HELD, "address", "0.0.0.0/8" },
	{ "multicast", { 1, MAC, "224.0.0.5", "224.0.0.0/24", NULL },
	    ROW_HELD, "address", "multicast" },
	{ "multicast top", { 1, MAC, "239.1.2.3", "239.0.0.0/8", NULL },
	    ROW_HELD, "address", "multicast" },
	{ "limited broadcast", { 1, MAC, "255.255.255.255",
	    "255.255.255.255/32", NULL },
	    ROW_HELD, "address", "limited broadcast" },

	/* CIDR */
	{ "address outside", { 1, MAC, "10.0.1.5", CIDR, NULL },
	    ROW_HELD, "address", "address 10.0.1.5 not inside 10.0.0.0/24" },
	{ "host bits, outside", { 1, MAC, "10.0.1.5", "10.0.0.7/24", NULL },
	    ROW_HELD, "address", "not inside 10.0.0.0/24" },
	{ "/32 other address", { 1, MAC, ADDR, "10.0.0.6/32", NULL },
	    ROW_HELD, "address", "not inside" },
	{ "/0", { 1, MAC, ADDR, "0.0.0.0/0", NULL },
	    ROW_HELD, "cidr", "/0" },
	{ "/0 with network", { 1, MAC, ADDR, "10.0.0.0/0", NULL },
	    ROW_HELD, "cidr", "every route" },
	{ "/33", { 1, MAC, ADDR, "10.0.0.0/33", NULL },
	    ROW_HELD, "cidr", "above 32" },
	{ "/99", { 1, MAC, ADDR, "10.0.0.0/99", NULL },
	    ROW_HELD, "cidr", "above 32" },
	{ "missing prefix", { 1, MAC, ADDR, "10.0.0.0", NULL },
	    ROW_HELD, "cidr", "no prefix length" },
	{ "empty prefix", { 1, MAC, ADDR, "10.0.0.0/", NULL },
	    ROW_HELD, "cidr", "no prefix length" },
	{ "junk prefix", { 1, MAC, ADDR, "10.0.0.0/2x", NULL },
	    ROW_HELD, "cidr", "not a decimal number" },
	{ "negative prefix", { 1, MAC, ADDR, "10.0.0.0/-1", NULL },
	    ROW_HELD, "cidr", "not a decimal number" },
	{ "zero-padded prefix", { 1, MAC, ADDR, "10.0.0.0/024", NULL },
	    ROW_HELD, "cidr", "not a decimal number" },
	{ "two slashes", { 1, MAC, ADDR, "10.0.0.0/24/8", NULL },
	    ROW_HELD, "cidr", "not a decimal number" },
	{ "netmask", { 1, MAC, ADDR, "10.0.0.0/255.255.255.0", NULL },
	    ROW_HELD, "cidr", "longer than 18" },
	{ "3-part network", { 1, MAC, ADDR, "10.0.0/24", NULL },
	    ROW_HELD, "cidr", "not a dotted quad" },
	{ "leading-zero network", { 1, MAC, ADDR, "10.0.00.0/24", NULL },
	    ROW_HELD, "cidr", "leading zero" },
	{ "junk CIDR", { 1, MAC, ADDR, "garbage", NULL },
	    ROW_HELD, "cidr", "no prefix length" },
	{ "CIDR with space", { 1, MAC, ADDR, "10.0.0.0/24 ", NULL },
	    ROW_HELD, "cidr", "space in CIDR" },
	{ "CIDR with newline", { 1, MAC, ADDR, "10.0.0.0/24\n", NULL },
	    ROW_HELD, "cidr", "non-printable" },
	{ "empty CIDR", { 1, MAC, ADDR, "", NULL },
	    ROW_HELD, "cidr", "empty CIDR" },
	{ "address without CIDR", { 1, MAC, ADDR, NULL, NULL },
	    ROW_HELD, "cidr", "without CIDR" },
	{ "CIDR without address", { 1, MAC, NULL, CIDR, NULL },
	    ROW_HELD, "address", "without address" },

	/* MTU */
	{ "MTU 67", { 1, MAC, ADDR, CIDR, "67" },
	    ROW_HELD, "mtu", "MTU 67 outside 68..9216" },
	{ "MTU 9217", { 1, MAC, ADDR, CIDR, "9217" },
	    ROW_HELD, "mtu", "MTU 9217 outside 68..9216" },
	{ "MTU 20", { 1, MAC, ADDR, CIDR, "20" },
	    ROW_HELD, "mtu", "MTU 20 outside 68..9216" },
	{ "MTU 0", { 1, MAC, ADDR, CIDR, "0" },
	    ROW_HELD, "mtu", "outside" },
	{ "MTU -1", { 1, MAC, ADDR, CIDR, "-1" },
	    ROW_HELD, "mtu", "MTU -1 outside" },
	{ "MTU huge", { 1, MAC, ADDR, CIDR, "99999999999" },
	    ROW_HELD, "mtu", "outside" },
	{ "MTU longer than INT", { 1, MAC, ADDR, CIDR, "999999999999" },
	    ROW_HELD, "mtu", "longer than 11" },
	{ "MTU 1500x", { 1, MAC, ADDR, CIDR, "1500x" },
	    ROW_HELD, "mtu", "not a decimal integer" },
	{ "MTU +1500", { 1, MAC, ADDR, CIDR, "+1500" },
	    ROW_HELD, "mtu", "not a decimal integer" },
	{ "MTU -", { 1, MAC, ADDR, CIDR, "-" },
	    ROW_HELD, "mtu", "not a decimal integer" },
	{ "MTU hex", { 1, MAC, ADDR, CIDR, "0x5dc" },
	    ROW_HELD, "mtu", "not a decimal integer" },
	{ "MTU 1500.0", { 1, MAC, ADDR, CIDR, "1500.0" },
	    ROW_HELD, "mtu", "not a decimal integer" },
	{ "MTU leading space", { 1, MAC, ADDR, CIDR, " 1500" },
	    ROW_HELD, "mtu", "space in MTU" },
	{ "MTU newline", { 1, MAC, ADDR, CIDR, "1500\n" },
	    ROW_HELD, "mtu", "non-printable" },
	{ "MTU empty", { 1, MAC, ADDR, CIDR, "" },
	    ROW_HELD, "mtu", "empty MTU" },

	/* The first problem in column order is the one reported. */
	{ "MAC before MTU", { 1, "fa:16-3e:00:00:01", ADDR, CIDR, "20" },
	    ROW_HELD, "macaddress", "mixed separators" },
	{ "MAC before address", { 1, "", "10.0.0.256", CIDR, NULL },
	    ROW_HELD, "macaddress", "empty MAC" },
	{ "address before CIDR", { 1, MAC, "10.0.0.256", "10.0.0.0/33",
	    NULL }, ROW_HELD, "address", "above 255" },
	{ "CIDR before MTU", { 1, MAC, ADDR, "10.0.0.0/33", "20" },
	    ROW_HELD, "cidr", "above 32" },
	{ "address fit before MTU", { 1, MAC, "10.0.1.5", CIDR, "20" },
	    ROW_HELD, "address", "not inside" },
};

static void
check_held(const char *what, const struct msg_row *row, const char *field,
    const char *reason)
{
	if (row->state != ROW_HELD)
		fail_msg("%s: state %d, want held", what, row->state);
	if (strcmp(row->field, field) != 0)
		fail_msg("%s: field \"%s\", want \"%s\" (reason \"%s\")", what,
		    row->field, field, row->reason);
	if (strstr(row->reason, reason) == NULL)
		fail_msg("%s: reason \"%s\" lacks \"%s\"", what, row->reason,
		    reason);
}

/* Whatever the fetcher emits must be accepted by the applier. */
static void
check_applier_accepts(const char *what, const struct msg_row *row)
{
	char	why[WHY_MAX] = "";

	if (validate_msg_row(row, why, sizeof(why)) != 0)
		fail_msg("%s: applier refuses the row: %s", what, why);
}

static void
test_valid_rows(void **state)
{
	const struct valid_case	*c;
	struct msg_row		 row;
	char			 mac[VALIDATE_MAC_TEXT_SIZE];
	uint32_t		 addr;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(valid_cases); i++) {
		c = &valid_cases[i];
		validate_row(&c->in, &row);
		if (row.state != ROW_VALID)
			fail_msg("%s: held: %s: %s", c->what, row.field,
			    row.reason);
		assert_int_equal(row.row_id, c->in.id);
		assert_int_equal(row.mac_valid, 1);
		validate_format_mac(row.mac, mac);
		assert_string_equal(mac, c->mac);
		assert_string_equal(row.mac_text, c->in.macaddress);
		assert_int_equal(row.has_address, c->address != NULL);
		if (c->address != NULL) {
			assert_int_equal(inet_pton(AF_INET, c->address, &addr),
			    1);
			assert_int_equal(row.address, addr);
		} else
			assert_int_equal(row.address, 0);
		assert_int_equal(row.prefix, c->prefix);
		assert_int_equal(row.mtu, c->mtu);
		assert_string_equal(row.field, "");
		assert_string_equal(row.reason, "");
		check_applier_accepts(c->what, &row);
	}
}

static void
test_held_rows(void **state)
{
	const struct row_case	*c;
	struct msg_row		 row;
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(row_cases); i++) {
		c = &row_cases[i];
		validate_row(&c->in, &row);
		check_held(c->what, &row, c->field, c->reason);
		check_applier_accepts(c->what, &row);
	}
}

static void
test_exact_reasons(void **state)
{
	static const struct {
		struct db_row	 in;
		const char	*reason;
	} cases[] = {
		{ { 1, "fa:16-3e:00:00:01", ADDR, CIDR, NULL },
		    "MAC \"fa:16-3e:00:00:01\" has mixed separators" },
		{ { 1, MAC, ADDR, CIDR, "20" }, "MTU 20 outside 68..9216" },
		{ { 1, MAC, "10.0.1.5", CIDR, NULL },
		    "address 10.0.1.5 not inside 10.0.0.0/24" },
		{ { 1, MAC, "10.0.0.5\n  - 1.2.3.4/8", CIDR, NULL },
		    "non-printable character in address "
		    "\"10.0.0.5?  - 1.2.3.4/8\"" },
		{ { 1, "01:00:5E:00:00:01", ADDR, CIDR, NULL },
		    "MAC 01:00:5e:00:00:01 is multicast" },
	};
	struct msg_row	row;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		validate_row(&cases[i].in, &row);
		assert_int_equal(row.state, ROW_HELD);
		assert_string_equal(row.reason, cases[i].reason);
	}
}

/* A held row still carries what parsed: the applier freezes its MAC. */
static void
test_held_row_keeps_values(void **state)
{
	const struct db_row	 bad_mtu = { 42, "FA-16-3E-00-00-01", ADDR, CIDR,
				    "1500x" };
	const struct db_row	 multicast = { 43, "01:00:5e:00:00:01", NULL,
				    NULL, NULL };
	const struct db_row	 bad_mac = { 44, "fa:16:3e", ADDR, CIDR, "9000" };
	struct msg_row		 row;
	char			 mac[VALIDATE_MAC_TEXT_SIZE];

	(void)state;
	validate_row(&bad_mtu, &row);
	assert_int_equal(row.row_id, 42);
	assert_int_equal(row.state, ROW_HELD);
	assert_string_equal(row.field, "mtu");
	assert_int_equal(row.mac_valid, 1);
	validate_format_mac(row.mac, mac);
	assert_string_equal(mac, MAC);
	assert_string_equal(row.mac_text, "FA-16-3E-00-00-01");
	assert_int_equal(row.has_address, 1);
	assert_int_equal(row.address, htonl(0x0a000005));
	assert_int_equal(row.prefix, 24);
	assert_int_equal(row.mtu, 0);

	validate_row(&multicast, &row);
	assert_int_equal(row.state, ROW_HELD);
	assert_int_equal(row.mac_valid, 1);
	assert_int_equal(row.mac[0], 0x01);

	validate_row(&bad_mac, &row);
	assert_int_equal(row.state, ROW_HELD);
	assert_int_equal(row.mac_valid, 0);
	assert_memory_equal(row.mac, "\0\0\0\0\0\0", MAC_LEN);
	assert_string_equal(row.mac_text, "fa:16:3e");
	assert_int_equal(row.mtu, 9000);
}

static void
test_mac_text(void **state)
{
	char		 long_mac[200];
	struct db_row	 in = { 1, NULL, NULL, NULL, NULL };
	struct msg_row	 row;

	(void)state;
	validate_row(&in, &row);
	assert_string_equal(row.mac_text, "");

	in.macaddress = "fa:16:3e:00:00:01\n\x1b[2J";
	validate_row(&in, &row);
	assert_string_equal(row.mac_text, "fa:16:3e:00:00:01??[2J");

	memset(long_mac, 'a', sizeof(long_mac) - 1);
	long_mac[sizeof(long_mac) - 1] = '\0';
	in.macaddress = long_mac;
	validate_row(&in, &row);
	assert_int_equal(strlen(row.mac_text), ROW_TEXT_MAX - 1);
	assert_int_equal(row.state, ROW_HELD);
	assert_true(strlen(row.reason) < ROW_REASON_MAX);
	assert_non_null(strstr(row.reason, "..."));
	check_applier_accepts("long MAC", &row);
}

/* The output is filled completely, whatever out held before. */
static void
test_row_overwrites(void **state)
{
	const struct db_row	 in = { 5, MAC, NULL, NULL, NULL };
	struct msg_row		 row, fresh;

	(void)state;
	memset(&row, 0xa5, sizeof(row));
	validate_row(&in, &row);
	memset(&fresh, 0, sizeof(fresh));
	validate_row(&in, &fresh);
	assert_memory_equal(&row, &fresh, sizeof(row));
}

static void
validate_all(const struct db_row *in, struct msg_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		validate_row(&in[i], &rows[i]);
	validate_duplicates(rows, n);
}

static void
test_duplicate_mac(void **state)
{
	const struct db_row	in[] = {
		{ 3, MAC, ADDR, CIDR, NULL },
		{ 7, MAC, "10.0.0.6", CIDR, NULL },
	};
	struct msg_row		rows[NELEM(in)];

	(void)state;
	validate_all(in, rows, NELEM(in));
	check_held("first", &rows[0], "macaddress", "");
	assert_string_equal(rows[0].reason, "MAC " MAC " also in row 7");
	check_held("second", &rows[1], "macaddress", "");
	assert_string_equal(rows[1].reason, "MAC " MAC " also in row 3");
	check_applier_accepts("first", &rows[0]);
}

static void
test_duplicate_mac_forms(void **state)
{
	const struct db_row	in[] = {
		{ 1, "fa:16:3e:00:00:01", ADDR, CIDR, NULL },
		{ 2, "FA-16-3E-00-00-01", "10.0.0.6", CIDR, NULL },
	};
	struct msg_row		rows[NELEM(in)];

	(void)state;
	validate_all(in, rows, NELEM(in));
	check_held("colon", &rows[0], "macaddress", "also in row 2");
	check_held("dash", &rows[1], "macaddress", "also in row 1");
}

static void
test_duplicate_address(void **state)
{
	const struct db_row	in[] = {
		{ 1, MAC, ADDR, CIDR, NULL },
		{ 2, "fa:16:3e:00:00:02", ADDR, "10.0.0.0/16", NULL },
	};
	struct msg_row		rows[NELEM(in)];

	(void)state;
	validate_all(in, rows, NELEM(in));
	check_held("first", &rows[0], "address", "");
	assert_string_equal(rows[0].reason, "address " ADDR " also in row 2");
	check_held("second", &rows[1], "address", "also in row 1");
}

static void
test_duplicate_two_of_three(void **state)
{
	const struct db_row	in[] = {
		{ 1, MAC, ADDR, CIDR, NULL },
		{ 2, "fa:16:3e:00:00:02", "10.0.0.6", CIDR, NULL },
		{ 3, "fa:16:3e:00:00:01", "10.0.0.7", CIDR, NULL },
	};
	struct msg_row		rows[NELEM(in)];

	(void)state;
	validate_all(in, rows, NELEM(in));
	check_held("first", &rows[0], "macaddress", "also in row 3");
	assert_int_equal(rows[1].state, ROW_VALID);
	check_held("third", &rows[2], "macaddress", "also in row 1");
}

static void
test_duplicate_three(void **state)
{
	const struct db_row	in[] = {
		{ 1, MAC, NULL, NULL, NULL },
		{ 2, MAC, NULL, NULL, NULL },
		{ 3, MAC, NULL, NULL, NULL },
	};
	struct msg_row		rows[NELEM(in)];

	(void)state;
	validate_all(in, rows, NELEM(in));
	assert_string_equal(rows[0].reason, "MAC " MAC " also in rows 2, 3");
	assert_string_equal(rows[1].reason, "MAC " MAC " also in rows 1, 3");
	assert_string_equal(rows[2].reason, "MAC " MAC " also in rows 1, 2");
}

/* A held row keeps its first reason, yet still makes others duplicates. */
static void
test_duplicate_with_held(void **state)
{
	const struct db_row	in[] = {
		{ 1, MAC, ADDR, CIDR, "20" },
		{ 2, MAC, "10.0.0.6", CIDR, NULL },
		{ 3, "fa:16:3e:00:00:03", ADDR, CIDR, NULL },
	};
	struct msg_row		rows[NELEM(in)];

	(void)state;
	validate_all(in, rows, NELEM(in));
	check_held("bad MTU", &rows[0], "mtu", "MTU 20 outside");
	check_held("same MAC", &rows[1], "macaddress", "also in row 1");
	check_held("same address", &rows[2], "address", "also in row 1");
}

/* A MAC that does not parse is nobody's duplicate. */
static void
test_duplicate_unparsed(void **state)
{
	const struct db_row	in[] = {
		{ 1, "junk", NULL, NULL, NULL },
		{ 2, "junk", NULL, NULL, NULL },
		{ 3, NULL, NULL, NULL, NULL },
		{ 4, NULL, NULL, NULL, NULL },
		{ 5, MAC, NULL, NULL, NULL },
		{ 6, "fa:16:3e:00:00:02", NULL, NULL, NULL },
	};
	struct msg_row		rows[NELEM(in)];
	size_t			i;

	(void)state;
	validate_all(in, rows, NELEM(in));
	for (i = 0; i < 4; i++)
		assert_null(strstr(rows[i].reason, "also in"));
	assert_int_equal(rows[4].state, ROW_VALID);
	assert_int_equal(rows[5].state, ROW_VALID);
}

/* Many collisions: the id list is cut, the reason stays within bounds. */
static void
test_duplicate_many(void **state)
{
	struct db_row	in[SNAPSHOT_ROWS_MAX];
	struct msg_row	rows[SNAPSHOT_ROWS_MAX];
	size_t		i;

	(void)state;
	for (i = 0; i < SNAPSHOT_ROWS_MAX; i++) {
		in[i] = (struct db_row){ 1000000000 + i, MAC, NULL, NULL,
		    NULL };
	}
	validate_all(in, rows, SNAPSHOT_ROWS_MAX);
	for (i = 0; i < SNAPSHOT_ROWS_MAX; i++) {
		check_held("many", &rows[i], "macaddress", "also in rows ");
		assert_non_null(strstr(rows[i].reason, ", ..."));
		check_applier_accepts("many", &rows[i]);
	}
}

static void
valid_row(struct msg_row *row)
{
	const struct db_row	in = { 9, MAC, ADDR, CIDR, "1450" };

	validate_row(&in, row);
	assert_int_equal(row->state, ROW_VALID);
}

static void
held_row(struct msg_row *row)
{
	const struct db_row	in = { 9, MAC, ADDR, CIDR, "20" };

	validate_row(&in, row);
	assert_int_equal(row->state, ROW_HELD);
}

static void m_unterminated_mac_text(struct msg_row *r)
{ memset(r->mac_text, 'a', sizeof(r->mac_text)); }
static void m_unterminated_field(struct msg_row *r)
{ memset(r->field, 'a', sizeof(r->field)); }
static void m_unterminated_reason(struct msg_row *r)
{ memset(r->reason, 'a', sizeof(r->reason)); }
static void m_bell_in_reason(struct msg_row *r)
{ strlcpy(r->reason, "bad\arow", sizeof(r->reason)); }
static void m_escape_in_mac_text(struct msg_row *r)
{ r->mac_text[3] = '\x1b'; }
static void m_high_byte_in_field(struct msg_row *r)
{ r->field[0] = (char)0xe9; }
static void m_state_7(struct msg_row *r) { r->state = 7; }
static void m_state_negative(struct msg_row *r) { r->state = -1; }
static void m_mtu_0(struct msg_row *r) { r->mtu = 0; }
static void m_mtu_67(struct msg_row *r) { r->mtu = 67; }
static void m_mtu_huge(struct msg_row *r) { r->mtu = UINT32_MAX; }
static void m_prefix_40(struct msg_row *r) { r->prefix = 40; }
static void m_prefix_0(struct msg_row *r) { r->prefix = 0; }
static void m_no_mac(struct msg_row *r) { r->mac_valid = 0; }
static void m_mac_valid_2(struct msg_row *r) { r->mac_valid = 2; }
static void m_multicast_mac(struct msg_row *r) { r->mac[0] |= 0x01; }
static void m_zero_mac(struct msg_row *r)
{
	memset(r->mac, 0, MAC_LEN);
	strlcpy(r->mac_text, "00:00:00:00:00:00", sizeof(r->mac_text));
}
static void m_mac_mismatch(struct msg_row *r) { r->mac[5] ^= 0x10; }
static void m_has_address_2(struct msg_row *r) { r->has_address = 2; }
static void m_network_address(struct msg_row *r)
{ r->address = htonl(0x0a000000); }
static void m_broadcast_address(struct msg_row *r)
{ r->address = htonl(0x0a0000ff); }
static void m_loopback(struct msg_row *r) { r->address = htonl(0x7f000001); }
static void m_multicast(struct msg_row *r) { r->address = htonl(0xe0000001); }
static void m_stray_address(struct msg_row *r) { r->has_address = 0; }
static void m_reason_on_valid(struct msg_row *r)
{ strlcpy(r->reason, "x", sizeof(r->reason)); }
static void m_empty_reason(struct msg_row *r) { r->reason[0] = '\0'; }
static void m_empty_field(struct msg_row *r) { r->field[0] = '\0'; }

/* One corruption of a coherent row, and what the applier must say. */
static const struct msg_case {
	const char	*what;
	int		 held;		/* start from a held row */
	void		(*mutate)(struct msg_row *);
	const char	*why;		/* part of the reason */
} msg_cases[] = {
	{ "unterminated mac_text", 0, m_unterminated_mac_text,
	    "mac_text not NUL-terminated" },
	{ "unterminated field", 1, m_unterminated_field,
	    "field not NUL-terminated" },
	{ "unterminated reason", 1, m_unterminated_reason,
	    "reason not NUL-terminated" },
	{ "non-printable reason", 1, m_bell_in_reason,
	    "reason has non-printable byte 0x07" },
	{ "escape in mac_text", 0, m_escape_in_mac_text,
	    "mac_text has non-printable byte 0x1b" },
	{ "high byte in field", 1, m_high_byte_in_field,
	    "field has non-printable byte 0xe9" },
	{ "state 7", 0, m_state_7, "unknown row state 7" },
	{ "state -1", 1, m_state_negative, "unknown row state -1" },
	{ "MTU 0", 0, m_mtu_0, "MTU 0 outside" },
	{ "MTU 67", 0, m_mtu_67, "MTU 67 outside" },
	{ "MTU huge", 0, m_mtu_huge, "outside" },
	{ "held MTU huge", 1, m_mtu_huge, "outside" },
	{ "prefix 40", 0, m_prefix_40, "prefix 40" },
	{ "held prefix 40", 1, m_prefix_40, "prefix 40" },
	{ "prefix 0 with address", 0, m_prefix_0, "prefix 0" },
	{ "valid without MAC", 0, m_no_mac, "without a parsed MAC" },
	{ "held mac_valid 2", 1, m_mac_valid_2, "mac_valid 2" },
	{ "multicast MAC", 0, m_multicast_mac, "multicast" },
	{ "zero MAC", 0, m_zero_mac, "all zeros" },
	{ "mac_text mismatch", 0, m_mac_mismatch, "does not match" },
	{ "has_address 2", 0, m_has_address_2, "has_address 2" },
	{ "held has_address 2", 1, m_has_address_2, "has_address 2" },
	{ "network address", 0, m_network_address, "network address" },
	{ "broadcast address", 0, m_broadcast_address, "broadcast address" },
	{ "loopback", 0, m_loopback, "loopback" },
	{ "multicast address", 0, m_multicast, "multicast" },
	{ "address without has_address", 0, m_stray_address,
	    "row without address" },
	{ "valid with reason", 0, m_reason_on_valid, "held reason" },
	{ "held without reason", 1, m_empty_reason, "without field or reason" },
	{ "held without field", 1, m_empty_field, "without field or reason" },
};

static void
test_msg_row_accepts(void **state)
{
	struct msg_row	row;

	(void)state;
	valid_row(&row);
	check_applier_accepts("valid", &row);
	held_row(&row);
	check_applier_accepts("held", &row);
}

static void
test_msg_row_rejects(void **state)
{
	const struct msg_case	*c;
	struct msg_row		 row;
	char			 why[WHY_MAX];
	size_t			 i;

	(void)state;
	for (i = 0; i < NELEM(msg_cases); i++) {
		c = &msg_cases[i];
		if (c->held)
			held_row(&row);
		else
			valid_row(&row);
		c->mutate(&row);
		why[0] = '\0';
		if (validate_msg_row(&row, why, sizeof(why)) != -1)
			fail_msg("%s: accepted", c->what);
		if (strstr(why, c->why) == NULL)
			fail_msg("%s: reason \"%s\" lacks \"%s\"", c->what,
			    why, c->why);
	}
}

/* Random bytes must never crash the check, and a pass must be coherent. */
static void
test_msg_row_garbage(void **state)
{
	struct msg_row	row;
	char		why[WHY_MAX];
	unsigned int	seed = 1;
	size_t		i, j;

	(void)state;
	for (i = 0; i < 10000; i++) {
		for (j = 0; j < sizeof(row); j++) {
			seed = seed * 1103515245 + 12345;
			((unsigned char *)&row)[j] = seed >> 16;
		}
		if (i % 2)
			row.state = ROW_HELD;
		if (validate_msg_row(&row, why, sizeof(why)) == 0)
			assert_int_equal(row.state, ROW_HELD);
	}
}

static void
test_parse_mac(void **state)
{
	static const struct {
		const char	*text;
		int		 ret;
		const char	*normal;
	} cases[] = {
		{ "fa:16:3e:00:00:01", 0, "fa:16:3e:00:00:01" },
		{ "FA-16-3E-AB-CD-EF", 0, "fa:16:3e:ab:cd:ef" },
		{ "01:00:5e:00:00:01", 0, "01:00:5e:00:00:01" },
		{ "00:00:00:00:00:00", 0, "00:00:00:00:00:00" },
		{ "fa:16:3e:00:00:01:", -1, NULL },
		{ "fa:16-3e:00:00:01", -1, NULL },
		{ "fa:16:3e:00:00", -1, NULL },
		{ "fa:16:3e:00:00:0", -1, NULL },
		{ "fa:16:3e:00:00:0x", -1, NULL },
		{ "fa_16_3e_00_00_01", -1, NULL },
		{ "", -1, NULL },
		{ NULL, -1, NULL },
	};
	uint8_t	mac[MAC_LEN];
	char	text[VALIDATE_MAC_TEXT_SIZE];
	size_t	i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		memset(mac, 0x77, sizeof(mac));
		assert_int_equal(validate_parse_mac(cases[i].text, mac),
		    cases[i].ret);
		if (cases[i].ret == 0) {
			validate_format_mac(mac, text);
			assert_string_equal(text, cases[i].normal);
		} else
			assert_memory_equal(mac, "\x77\x77\x77\x77\x77\x77",
			    MAC_LEN);
	}
}

static void
test_parse_ipv4(void **state)
{
	static const struct {
		const char	*text;
		int		 ret;
		uint32_t	 host;
	} cases[] = {
		{ "0.0.0.0", 0, 0 },
		{ "10.0.0.5", 0, 0x0a000005 },
		{ "255.255.255.255", 0, 0xffffffff },
		{ "192.168.100.200", 0, 0xc0a864c8 },
		{ "01.2.3.4", -1, 0 },
		{ "1.2.3.04", -1, 0 },
		{ "1.2.3.00", -1, 0 },
		{ "1.2.3", -1, 0 },
		{ "1", -1, 0 },
		{ "1.2.3.4.5", -1, 0 },
		{ "1.2.3.256", -1, 0 },
		{ "0x1.2.3.4", -1, 0 },
		{ "1.2.3.4 ", -1, 0 },
		{ " 1.2.3.4", -1, 0 },
		{ "1.2.3.-4", -1, 0 },
		{ "1.2.3.4/8", -1, 0 },
		{ "1.2.3.", -1, 0 },
		{ ".1.2.3", -1, 0 },
		{ "", -1, 0 },
		{ NULL, -1, 0 },
	};
	uint32_t	addr;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		addr = 0x77777777;
		if (validate_parse_ipv4(cases[i].text, &addr) != cases[i].ret)
			fail_msg("\"%s\": want %d", cases[i].text ?
			    cases[i].text : "(null)", cases[i].ret);
		assert_int_equal(addr, cases[i].ret == 0 ?
		    htonl(cases[i].host) : 0x77777777);
	}
}

static void
test_parse_cidr(void **state)
{
	static const struct {
		const char	*text;
		int		 ret;
		uint32_t	 net;		/* host byte order */
		uint8_t		 prefix;
	} cases[] = {
		{ "10.0.0.0/24", 0, 0x0a000000, 24 },
		{ "10.0.0.7/24", 0, 0x0a000000, 24 },
		{ "10.1.2.3/8", 0, 0x0a000000, 8 },
		{ "10.0.0.5/32", 0, 0x0a000005, 32 },
		{ "10.0.0.5/31", 0, 0x0a000004, 31 },
		{ "128.0.0.1/1", 0, 0x80000000, 1 },
		{ "10.0.0.0/0", 0, 0, 0 },	/* parses; validate_row holds */
		{ "10.0.0.0/33", -1, 0, 0 },
		{ "10.0.0.0/", -1, 0, 0 },
		{ "10.0.0.0", -1, 0, 0 },
		{ "10.0.0.0/08", -1, 0, 0 },
		{ "10.0.0.0/8 ", -1, 0, 0 },
		{ "10.0.0/8", -1, 0, 0 },
		{ "/8", -1, 0, 0 },
		{ "1234567890123456789/8", -1, 0, 0 },
		{ NULL, -1, 0, 0 },
	};
	uint32_t	net;
	uint8_t		prefix;
	size_t		i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		net = 0x77777777;
		prefix = 77;
		if (validate_parse_cidr(cases[i].text, &net, &prefix) !=
		    cases[i].ret)
			fail_msg("\"%s\": want %d", cases[i].text ?
			    cases[i].text : "(null)", cases[i].ret);
		if (cases[i].ret == 0) {
			assert_int_equal(net, htonl(cases[i].net));
			assert_int_equal(prefix, cases[i].prefix);
		} else {
			assert_int_equal(net, 0x77777777);
			assert_int_equal(prefix, 77);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_rows),
		cmocka_unit_test(test_held_rows),
		cmocka_unit_test(test_exact_reasons),
		cmocka_unit_test(test_held_row_keeps_values),
		cmocka_unit_test(test_mac_text),
		cmocka_unit_test(test_row_overwrites),
		cmocka_unit_test(test_duplicate_mac),
		cmocka_unit_test(test_duplicate_mac_forms),
		cmocka_unit_test(test_duplicate_address),
		cmocka_unit_test(test_duplicate_two_of_three),
		cmocka_unit_test(test_duplicate_three),
		cmocka_unit_test(test_duplicate_with_held),
		cmocka_unit_test(test_duplicate_unparsed),
		cmocka_unit_test(test_duplicate_many),
		cmocka_unit_test(test_msg_row_accepts),
		cmocka_unit_test(test_msg_row_rejects),
		cmocka_unit_test(test_msg_row_garbage),
		cmocka_unit_test(test_parse_mac),
		cmocka_unit_test(test_parse_ipv4),
		cmocka_unit_test(test_parse_cidr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
