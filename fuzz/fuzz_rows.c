/*
 * DB rows as hostile text: whatever validate_row() makes of a row, the
 * applier's own check must accept it (the fetcher never sends what the
 * applier refuses), and duplicate detection keeps that true.
 *
 * Input: up to SNAPSHOT_ROWS_MAX rows, separated by '\n'; in a row the
 * columns macaddress, address, cidr, mtu are separated by '\t', and a
 * column that is exactly "\\N" is SQL NULL (as in mariadb -B output).
 */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "validate.h"

#define COLUMNS	4

/* Splits text in place at sep; returns how many parts, at most max. */
static size_t
split(char *text, char sep, char **parts, size_t max)
{
	size_t	n = 0;
	char	*p = text, *end;

	while (n < max) {
		parts[n++] = p;
		if ((end = strchr(p, sep)) == NULL)
			break;
		*end = '\0';
		p = end + 1;
	}
	return n;
}

static const char *
column(char **cols, size_t ncols, size_t i)
{
	if (i >= ncols || strcmp(cols[i], "\\N") == 0)
		return NULL;
	return cols[i];
}

static void
check_row(const struct msg_row *row, size_t i)
{
	char	why[128];

	if (validate_msg_row(row, why, sizeof(why)) == -1)
		fuzz_fail("row %zu: the applier refuses what the fetcher"
		    " made: %s", i, why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg_row	 rows[SNAPSHOT_ROWS_MAX];
	char			*text, *lines[SNAPSHOT_ROWS_MAX], *cols[COLUMNS];
	struct db_row		 in;
	size_t			 nrows, ncols, i;

	fuzz_quiet_logs();
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	nrows = split(text, '\n', lines, SNAPSHOT_ROWS_MAX);
	for (i = 0; i < nrows; i++) {
		ncols = split(lines[i], '\t', cols, COLUMNS);
		in.id = (int64_t)i + 1;
		in.macaddress = column(cols, ncols, 0);
		in.address = column(cols, ncols, 1);
		in.cidr = column(cols, ncols, 2);
		in.mtu = column(cols, ncols, 3);
		validate_row(&in, &rows[i]);
		check_row(&rows[i], i);
	}
	validate_duplicates(rows, nrows);
	for (i = 0; i < nrows; i++)
		check_row(&rows[i], i);
	free(text);
	return 0;
}
