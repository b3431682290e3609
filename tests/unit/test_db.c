/* SPDX-License-Identifier: ISC */
/*
 * Tests for the pure parts of the fetcher's MariaDB layer (fetcher/db.c
 * and the files that share fetcher/dbint.h): a fetched row's conversion,
 * the SELECT's text, error text, timeouts and the connect candidates.
 */

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../fetcher/dbint.h"

/* A column as the connector fills it from value (len bytes). */
static void
column_fill(struct db_column *col, const char *value, size_t len)
{
	memset(col, 0, sizeof(*col));
	if (value == NULL) {
		col->is_null = 1;
		return;
	}
	memcpy(col->buf, value, len < DB_VALUE_MAX ? len : DB_VALUE_MAX);
	if (len < DB_VALUE_MAX)
		col->buf[len] = '\0';
	col->length = len;
	col->error = len > DB_VALUE_MAX;
}

static char *
repeat(int c, size_t len)
{
	char	*s;

	s = malloc(len + 1);
	assert_non_null(s);
	memset(s, c, len);
	s[len] = '\0';
	return s;
}

static void
test_column_null(void **state)
{
	struct db_column	col;
	char			text[DB_VALUE_MAX];

	(void)state;
	column_fill(&col, NULL, 0);
	assert_null(dbrow_column(&col, text, 1));
}

static void
test_column_text(void **state)
{
	struct db_column	col;
	char			text[DB_VALUE_MAX];

	(void)state;
	column_fill(&col, "10.0.0.5", 8);
	assert_string_equal(dbrow_column(&col, text, 1), "10.0.0.5");
	column_fill(&col, "", 0);
	assert_string_equal(dbrow_column(&col, text, 1), "");
}

/* A NUL would end the C string early and show validation a prefix. */
static void
test_column_nul_bytes(void **state)
{
	struct db_column	col;
	char			text[DB_VALUE_MAX];

	(void)state;
	column_fill(&col, "10.0.0.5\0/24", 12);
	assert_string_equal(dbrow_column(&col, text, 1), "10.0.0.5?/24");
	column_fill(&col, "\0\0", 2);
	assert_string_equal(dbrow_column(&col, text, 1), "??");
}

/* Up to the limit a value passes whole; beyond it, DB_VALUE_MAX - 1 bytes. */
static void
test_column_truncation(void **state)
{
	static const struct {
		size_t	length;
		size_t	kept;
	} cases[] = {
		{ DB_VALUE_MAX - 2, DB_VALUE_MAX - 2 },
		{ DB_VALUE_MAX - 1, DB_VALUE_MAX - 1 },
		{ DB_VALUE_MAX, DB_VALUE_MAX - 1 },
		{ DB_VALUE_MAX + 1, DB_VALUE_MAX - 1 },
		/* 256 four-byte characters: what LEFT(col, 256) may send. */
		{ 4 * DB_VALUE_MAX, DB_VALUE_MAX - 1 },
	};
	struct db_column	col;
	char			text[DB_VALUE_MAX], *value;
	const char		*out;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		value = repeat('7', cases[i].length);
		column_fill(&col, value, cases[i].length);
		out = dbrow_column(&col, text, 1);
		assert_non_null(out);
		assert_int_equal(strlen(out), cases[i].kept);
		assert_memory_equal(out, value, cases[i].kept);
		free(value);
	}
}

static void
test_success_mapping(void **state)
{
	static const struct {
		long long	value;
		int		is_null;
		int		error;
		int		expected;
	} cases[] = {
		{ 0, 0, 0, 0 },
		{ 1, 0, 0, 1 },
		{ 1, 1, 0, -1 },		/* NULL: never written */
		{ 0, 0, 1, -1 },		/* did not fit */
		{ 2, 0, 0, -1 },
		{ -1, 0, 0, -1 },
		{ LLONG_MAX, 0, 0, -1 },
		{ LLONG_MIN, 0, 0, -1 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(dbrow_success(cases[i].value,
		    cases[i].is_null, cases[i].error), cases[i].expected);
}

static void
test_convert_row(void **state)
{
	struct db_result	result;
	struct db_poll_row	row;
	struct db_row_text	text;

	(void)state;
	memset(&result, 0, sizeof(result));
	result.id = 42;
	column_fill(&result.column[0], NULL, 0);
	column_fill(&result.column[1], "10.0.0.5", 8);
	column_fill(&result.column[2], "10.0.0.0/24", 11);
	column_fill(&result.column[3], "15\0" "00", 5);
	result.success = 1;
	dbrow_convert(&result, &row, &text);
	assert_int_equal(row.columns.id, 42);
	assert_null(row.columns.macaddress);
	assert_string_equal(row.columns.address, "10.0.0.5");
	assert_string_equal(row.columns.cidr, "10.0.0.0/24");
	assert_string_equal(row.columns.mtu, "15?00");
	assert_ptr_equal(row.columns.address, text.value[1]);
	assert_int_equal(row.netplan_success, 1);
	result.success_null = 1;
	dbrow_convert(&result, &row, &text);
	assert_int_equal(row.netplan_success, -1);
}

#define SELECT_COLUMNS(cidr) \
	"SELECT mi.id, LEFT(mi.macaddress, 256), LEFT(mi.address, 256), " \
	"LEFT(" cidr ", 256), LEFT(mi.mtu, 256), mi.netplan_success" \
	" FROM multi_interface mi WHERE mi.attached_node_name IN (?, ?)" \
	" AND BINARY LOWER(mi.attached_node_name)" \
	" IN (BINARY LOWER(?), BINARY LOWER(?))"
#define CIDR_WITH_SUBNET \
	"COALESCE(mi.cidr, (SELECT ms.cidr FROM multi_subnet ms" \
	" WHERE ms.subnet_id = mi.subnet_id LIMIT 1))"

/* Every value bounded, one row more than a snapshot holds. */
static void
test_select_sql(void **state)
{
	static const struct {
		int		 has_subnet_table;
		int		 soft_delete;
		const char	*expected;
	} cases[] = {
		{ 0, 0, SELECT_COLUMNS("mi.cidr")
		    " ORDER BY mi.id LIMIT 65" },
		{ 0, 1, SELECT_COLUMNS("mi.cidr")
		    " AND mi.deleted_at IS NULL ORDER BY mi.id LIMIT 65" },
		{ 1, 0, SELECT_COLUMNS(CIDR_WITH_SUBNET)
		    " ORDER BY mi.id LIMIT 65" },
		{ 1, 1, SELECT_COLUMNS(CIDR_WITH_SUBNET)
		    " AND mi.deleted_at IS NULL ORDER BY mi.id LIMIT 65" },
	};
	char	sql[512];
	size_t	i;

	(void)state;
	assert_int_equal(SNAPSHOT_ROWS_MAX + 1, 65);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(db_select_sql(sql, sizeof(sql),
		    cases[i].has_subnet_table, cases[i].soft_delete), 0);
		assert_string_equal(sql, cases[i].expected);
	}
}

static void
test_select_sql_too_long(void **state)
{
	char	sql[512];
	size_t	len;

	(void)state;
	assert_int_equal(db_select_sql(sql, sizeof(sql), 1, 1), 0);
	len = strlen(sql);
	assert_int_equal(db_select_sql(sql, len, 1, 1), -1);
	assert_int_equal(db_select_sql(sql, len + 1, 1, 1), 0);
}

static struct db *
db_blank(void)
{
	struct db	*db;

	db = calloc(1, sizeof(*db));
	assert_non_null(db);
	config_defaults(&db->conf);
	return db;
}

/* Queries get at least 5 s; a longer connect timeout raises that too. */
static void
test_timeouts(void **state)
{
	static const struct {
		uint32_t	configured;
		uint32_t	connect;
		uint32_t	read;
	} cases[] = {
		{ 0, 5000, 5000 },
		{ 1000, 1000, 5000 },
		{ 5000, 5000, 5000 },
		{ 12000, 12000, 12000 },
	};
	struct db	*db = db_blank();
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		db->conf.db_connect_timeout_ms = cases[i].configured;
		assert_int_equal(db_connect_timeout_ms(db), cases[i].connect);
		assert_int_equal(db_read_timeout_ms(db), cases[i].read);
	}
	free(db);
}

/* Server text reaches logs and JSON: control bytes and non-ASCII go. */
static void
test_error_printable(void **state)
{
	struct db	*db = db_blank();

	(void)state;
	db_error_set(db, "execute the SELECT on %s: %s", "db:3306",
	    "bad\n\x1b[31mred\xc3\xa9");
	assert_string_equal(db->error,
	    "execute the SELECT on db:3306: bad??[31mred??");
	free(db);
}

/* Connect failures add up, so the error names every host tried. */
static void
test_error_append(void **state)
{
	struct db	*db = db_blank();
	char		*long_why;

	(void)state;
	db_error_append(db, "resolve %s: %s", "db1", "no address");
	db_error_append(db, "connect to %s: %s", "db2:3306", "refused");
	assert_string_equal(db->error,
	    "resolve db1: no address; connect to db2:3306: refused");
	long_why = repeat('x', 2 * DB_ERROR_MAX);
	db_error_append(db, "%s", long_why);
	db_error_append(db, "%s", long_why);
	assert_int_equal(strlen(db->error), DB_ERROR_MAX - 1);
	assert_memory_equal(db->error, "resolve db1: no address; ", 25);
	free(long_why);
	free(db);
}

static void
test_hosts_socket(void **state)
{
	struct db	*db = db_blank();

	(void)state;
	(void)strlcpy(db->conf.db_socket, "/run/mysqld/mysqld.sock",
	    sizeof(db->conf.db_socket));
	db->conf.ndb_hosts = 2;
	dbhosts_parse(db);
	assert_int_equal(db->nhosts, 1);
	assert_string_equal(db->hosts[0].name, "");
	db->current = &db->hosts[0];
	dbhosts_describe(db, NULL);
	assert_string_equal(db->peer, "unix socket /run/mysqld/mysqld.sock");
	free(db);
}

/* Each entry keeps its own port, else DB_PORT; IPv6 is bracketed. */
static void
test_hosts_list(void **state)
{
	static const struct {
		const char	*name;
		uint16_t	 port;
		const char	*ip;
		const char	*peer;
	} cases[] = {
		{ "db1.example", 0, "10.0.0.1", "db1.example:3307 (10.0.0.1)" },
		{ "10.0.0.2", 3308, "10.0.0.2", "10.0.0.2:3308" },
		{ "fd00::3", 0, "fd00::3", "[fd00::3]:3307" },
	};
	struct db	*db = db_blank();
	size_t		 i;

	(void)state;
	db->conf.db_socket[0] = '\0';
	db->conf.db_port = 3307;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)strlcpy(db->conf.db_hosts[i].name, cases[i].name,
		    sizeof(db->conf.db_hosts[i].name));
		db->conf.db_hosts[i].port = cases[i].port;
	}
	db->conf.ndb_hosts = i;
	dbhosts_parse(db);
	assert_int_equal(db->nhosts, i);
	assert_int_equal(db->next_host, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		db->current = &db->hosts[i];
		dbhosts_describe(db, cases[i].ip);
		assert_string_equal(db->peer, cases[i].peer);
	}
	free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_column_null),
		cmocka_unit_test(test_column_text),
		cmocka_unit_test(test_column_nul_bytes),
		cmocka_unit_test(test_column_truncation),
		cmocka_unit_test(test_success_mapping),
		cmocka_unit_test(test_convert_row),
		cmocka_unit_test(test_select_sql),
		cmocka_unit_test(test_select_sql_too_long),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_error_printable),
		cmocka_unit_test(test_error_append),
		cmocka_unit_test(test_hosts_socket),
		cmocka_unit_test(test_hosts_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
