/* SPDX-License-Identifier: ISC */
/*
 * DB rows as hostile bytes, through the fetcher's own column handling: each
 * value is put in a column buffer the way Connector/C fills it (its first
 * DB_VALUE_MAX bytes, the whole length beside them), converted by
 * dbrow_convert() as the fetcher converts a fetched row, then validated.
 * The conversion must keep the bytes it can (an embedded NUL becomes '?',
 * a value the buffer cannot hold is cut to DB_VALUE_MAX - 1 bytes), map
 * netplan_success to 0, 1 or -1, and whatever validate_row() makes of the
 * row, the applier's own check must accept it (the fetcher never sends what
 * the applier refuses), and duplicate detection keeps that true.
 *
 * Input: up to SNAPSHOT_ROWS_MAX rows, separated by '\n'; in a row the
 * columns macaddress, address, cidr, mtu and netplan_success are separated
 * by '\t', and a column that is exactly "\\N" is SQL NULL (as in mariadb -B
 * output). Any byte, NUL included, may be in a value.
 */

#include <stdlib.h>
#include <string.h>

#include "../fetcher/dbrow.h"
#include "fuzz.h"
#include "validate.h"

#define COLUMNS	(DB_TEXT_COLUMNS + 1)	/* and netplan_success */

struct part {
	const uint8_t	*bytes;
	size_t		 len;
};

/* Splits data at sep: how many parts, at most max (the last keeps the rest). */
static size_t
split(const uint8_t *data, size_t size, uint8_t sep, struct part *parts,
    size_t max)
{
	const uint8_t	*end;
	size_t		 n = 0;

	while (n < max) {
		parts[n].bytes = data;
		if (n + 1 == max ||
		    (end = memchr(data, sep, size)) == NULL) {
			parts[n++].len = size;
			break;
		}
		parts[n++].len = (size_t)(end - data);
		size -= (size_t)(end - data) + 1;
		data = end + 1;
	}
	return n;
}

static int
is_null(const struct part *cols, size_t ncols, size_t i)
{
	return i >= ncols ||
	    (cols[i].len == 2 && memcmp(cols[i].bytes, "\\N", 2) == 0);
}

/* As Connector/C leaves a MYSQL_TYPE_STRING result buffer. */
static void
column_fill(struct db_column *col, const struct part *cols, size_t ncols,
    size_t i)
{
	size_t	n;

	memset(col, 0, sizeof(*col));
	if (is_null(cols, ncols, i)) {
		col->is_null = 1;
		return;
	}
	n = cols[i].len < DB_VALUE_MAX ? cols[i].len : DB_VALUE_MAX;
	memcpy(col->buf, cols[i].bytes, n);
	if (n < DB_VALUE_MAX)
		col->buf[n] = '\0';
	col->length = cols[i].len;
	col->error = cols[i].len > DB_VALUE_MAX;
}

/* A decimal netplan_success; anything else did not convert (error). */
static void
success_fill(struct db_result *result, const struct part *cols, size_t ncols)
{
	char	digits[24], *end;
	size_t	len;

	result->success = 0;
	result->success_null = is_null(cols, ncols, DB_TEXT_COLUMNS);
	result->success_error = 0;
	if (result->success_null)
		return;
	len = cols[DB_TEXT_COLUMNS].len;
	if (len == 0 || len >= sizeof(digits)) {
		result->success_error = 1;
		return;
	}
	memcpy(digits, cols[DB_TEXT_COLUMNS].bytes, len);
	digits[len] = '\0';
	result->success = strtoll(digits, &end, 10);
	result->success_error = *end != '\0';
}

static void
check_text(const char *text, const struct part *cols, size_t ncols, size_t i,
    size_t row)
{
	size_t	kept, j;

	if (is_null(cols, ncols, i)) {
		if (text != NULL)
			fuzz_fail("row %zu column %zu: NULL became text", row, i);
		return;
	}
	if (text == NULL)
		fuzz_fail("row %zu column %zu: text became NULL", row, i);
	kept = cols[i].len < DB_VALUE_MAX ? cols[i].len : DB_VALUE_MAX - 1;
	if (strlen(text) != kept)
		fuzz_fail("row %zu column %zu: %zu bytes kept of %zu, not %zu",
		    row, i, strlen(text), cols[i].len, kept);
	for (j = 0; j < kept; j++)
		if (text[j] != (cols[i].bytes[j] == 0 ? '?' :
		    (char)cols[i].bytes[j]))
			fuzz_fail("row %zu column %zu: byte %zu changed", row,
			    i, j);
}

static void
check_success(const struct db_result *result, int success, size_t row)
{
	int	expected = -1;

	if (!result->success_null && !result->success_error &&
	    (result->success == 0 || result->success == 1))
		expected = (int)result->success;
	if (success != expected)
		fuzz_fail("row %zu: netplan_success %lld became %d", row,
		    result->success, success);
}

static void
check_row(const struct msg_row *row, size_t i)
{
	char	why[128];

	if (validate_msg_row(row, why, sizeof(why)) == -1)
		fuzz_fail("row %zu: the applier refuses what the fetcher"
		    " made: %s", i, why);
}

static void
row_convert(const struct part *line, size_t i, struct msg_row *out)
{
	static struct db_row_text	 text;
	struct db_result		 result;
	struct db_poll_row		 polled;
	struct part			 cols[COLUMNS];
	const char			*values[DB_TEXT_COLUMNS];
	size_t				 ncols, j;

	ncols = split(line->bytes, line->len, '\t', cols, COLUMNS);
	memset(&result, 0, sizeof(result));
	result.id = (long long)i + 1;
	for (j = 0; j < DB_TEXT_COLUMNS; j++)
		column_fill(&result.column[j], cols, ncols, j);
	success_fill(&result, cols, ncols);
	dbrow_convert(&result, &polled, &text);
	values[0] = polled.columns.macaddress;
	values[1] = polled.columns.address;
	values[2] = polled.columns.cidr;
	values[3] = polled.columns.mtu;
	for (j = 0; j < DB_TEXT_COLUMNS; j++)
		check_text(values[j], cols, ncols, j, i);
	check_success(&result, polled.netplan_success, i);
	validate_row(&polled.columns, out);
	check_row(out, i);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg_row	rows[SNAPSHOT_ROWS_MAX];
	struct part		lines[SNAPSHOT_ROWS_MAX];
	size_t			nrows, i;

	fuzz_quiet_logs();
	nrows = split(data, size, '\n', lines, SNAPSHOT_ROWS_MAX);
	for (i = 0; i < nrows; i++)
		row_convert(&lines[i], i, &rows[i]);
	validate_duplicates(rows, nrows);
	for (i = 0; i < nrows; i++)
		check_row(&rows[i], i);
	return 0;
}
