/* SPDX-License-Identifier: ISC */
/*
 * A fetched row of the SELECT made into what validation reads: the one
 * place where the connector's bytes become C strings.
 */

#include <string.h>

#include "dbrow.h"
#include "log.h"

/*
 * A value longer than the buffer was cut by the connector: it is passed on
 * as its first DB_VALUE_MAX - 1 bytes, still longer than any column of
 * ours, so validation holds the row rather than see a plausible prefix. An
 * embedded NUL would shorten it too: it becomes '?'.
 */
const char *
dbrow_column(const struct db_column *col, char *text, long long id)
{
	size_t	n, i;

	if (col->is_null)
		return NULL;
	n = col->length < DB_VALUE_MAX ? col->length : DB_VALUE_MAX - 1;
	memcpy(text, col->buf, n);
	text[n] = '\0';
	for (i = 0; i < n; i++)
		if (text[i] == '\0')
			text[i] = '?';
	if (col->length >= DB_VALUE_MAX)
		log_debug("db: row %lld: a %lu-byte value passed on as its "
		    "first %zu bytes", id, col->length, n);
	return text;
}

/* Write-back compares with this, so anything but 0/1 is "unknown". */
int
dbrow_success(long long value, int is_null, int error)
{
	if (is_null || error || value < 0 || value > 1)
		return -1;
	return (int)value;
}

void
dbrow_convert(const struct db_result *result, struct db_poll_row *polled,
    struct db_row_text *text)
{
	struct db_row	*row = &polled->columns;
	const char	**value[DB_TEXT_COLUMNS];
	size_t		 i;

	row->id = result->id;
	polled->netplan_success = dbrow_success(result->success,
	    result->success_null, result->success_error);
	value[0] = &row->macaddress;
	value[1] = &row->address;
	value[2] = &row->cidr;
	value[3] = &row->mtu;
	for (i = 0; i < DB_TEXT_COLUMNS; i++)
		*value[i] = dbrow_column(&result->column[i], text->value[i],
		    result->id);
}
