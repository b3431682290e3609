/* SPDX-License-Identifier: ISC */
/*
 * One row of the fetcher's SELECT, from the buffers the connector fills to
 * the struct db_poll_row that validation reads. Apart from the rest of the
 * MariaDB layer, and calling no connector function, so that the fuzz
 * harness and the unit tests run the very conversion the fetcher does.
 */
#ifndef MULTINIC_DBROW_H
#define MULTINIC_DBROW_H

#include <stdint.h>

#include <mysql.h>

#include "db.h"

/*
 * Result buffer per text column: a longer value is no value of ours. The
 * SELECT has the server cut each one to DB_VALUE_MAX characters (dbquery.c),
 * which in utf8mb4 may still be more bytes than the buffer holds.
 */
#define DB_VALUE_MAX		256
#define DB_TEXT_COLUMNS		4	/* macaddress, address, cidr, mtu */

/*
 * One text column as the connector leaves it: buf holds the value's first
 * bytes (NUL-terminated only when they fit), length is the whole value's.
 */
struct db_column {
	char		buf[DB_VALUE_MAX];
	unsigned long	length;
	my_bool		is_null;
	my_bool		error;		/* cut to the buffer */
};

/* The SELECT's result bindings: id, the text columns, netplan_success. */
struct db_result {
	long long		id;
	my_bool			id_null;
	my_bool			id_error;
	struct db_column	column[DB_TEXT_COLUMNS];
	long long		success;
	my_bool			success_null;
	my_bool			success_error;
};

/* Where a converted row's text lives, for as long as the row is used. */
struct db_row_text {
	char		value[DB_TEXT_COLUMNS][DB_VALUE_MAX];
};

/*
 * A column's text in text (DB_VALUE_MAX bytes), or NULL for SQL NULL. A
 * value the buffer could not hold is passed on as its first
 * DB_VALUE_MAX - 1 bytes; an embedded NUL becomes '?'. id is for the log.
 */
const char	*dbrow_column(const struct db_column *, char *text,
		    long long id);
/* netplan_success as write-back compares it: 0 or 1, else -1 (unknown). */
int		 dbrow_success(long long value, int is_null, int error);
/* The whole row; row's strings point into text. */
void		 dbrow_convert(const struct db_result *, struct db_poll_row *,
		    struct db_row_text *);

#endif
