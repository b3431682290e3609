/* SPDX-License-Identifier: ISC */
/*
 * The MariaDB layer's work on a prepared connection: the SELECT of a poll
 * (its text, parameters, result bindings and fetched rows) and the UPDATE
 * of a write-back.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>

#include <mysql.h>

#include "dbint.h"
#include "log.h"

/* A scalar subquery: two multi_subnet rows for a subnet duplicate nothing. */
#define DB_CIDR_WITH_SUBNET \
	"COALESCE(mi.cidr, (SELECT ms.cidr FROM multi_subnet ms" \
	" WHERE ms.subnet_id = mi.subnet_id LIMIT 1))"
/*
 * Each value is cut by the server to DB_VALUE_MAX characters, so that a
 * row of megabyte values cannot pass DB_MAX_PACKET and end the connection:
 * the cut value is still longer than any valid one, and validation holds
 * its row.
 */
#define DB_SQL_NUMBER(n)	#n
#define DB_SQL_VALUE(n)		DB_SQL_NUMBER(n)
#define DB_BOUNDED(col)		"LEFT(" col ", " DB_SQL_VALUE(DB_VALUE_MAX) ")"

/*
 * The node's names match as DNS names do, whatever their case (what the
 * default collations give the indexed IN), but in full: those collations
 * also ignore trailing spaces, and a row for "vm   " is no row for "vm".
 * The second test compares bytes, lower-cased.
 */
#define DB_NODE_MATCH \
	"mi.attached_node_name IN (?, ?) AND BINARY LOWER(" \
	"mi.attached_node_name) IN (BINARY LOWER(?), BINARY LOWER(?))"

int
db_select_sql(char *buf, size_t len, int has_subnet_table, int soft_delete)
{
	int	n;

	n = snprintf(buf, len,
	    "SELECT mi.id, " DB_BOUNDED("mi.macaddress") ", "
	    DB_BOUNDED("mi.address") ", " DB_BOUNDED("%s") ", "
	    DB_BOUNDED("mi.mtu") ", mi.netplan_success"
	    " FROM multi_interface mi"
	    " WHERE " DB_NODE_MATCH "%s"
	    " ORDER BY mi.id LIMIT %d",
	    has_subnet_table ? DB_CIDR_WITH_SUBNET : "mi.cidr",
	    soft_delete ? " AND mi.deleted_at IS NULL" : "",
	    /* One more than we take, to tell "too many" from "all". */
	    SNAPSHOT_ROWS_MAX + 1);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

void
dbquery_select_sql_build(struct db *db)
{
	if (db_select_sql(db->select_sql, sizeof(db->select_sql),
	    db->has_subnet_table, db->conf.db_soft_delete) == -1)
		fatalx("db: the SELECT does not fit its buffer");
}

/* Strings are bound as text; the id as a number. */
int
dbquery_bind_result(struct db *db)
{
	MYSQL_BIND		*result = db->select_result;
	struct db_column	*col;
	size_t			 i;

	memset(db->select_result, 0, sizeof(db->select_result));
	result[0].buffer_type = MYSQL_TYPE_LONGLONG;
	result[0].buffer = &db->result.id;
	result[0].is_null = &db->result.id_null;
	result[0].error = &db->result.id_error;
	for (i = 0; i < DB_TEXT_COLUMNS; i++) {
		col = &db->result.column[i];
		result[i + 1].buffer_type = MYSQL_TYPE_STRING;
		result[i + 1].buffer = col->buf;
		result[i + 1].buffer_length = sizeof(col->buf);
		result[i + 1].length = &col->length;
		result[i + 1].is_null = &col->is_null;
		result[i + 1].error = &col->error;
	}
	result[1 + DB_TEXT_COLUMNS].buffer_type = MYSQL_TYPE_LONGLONG;
	result[1 + DB_TEXT_COLUMNS].buffer = &db->result.success;
	result[1 + DB_TEXT_COLUMNS].is_null = &db->result.success_null;
	result[1 + DB_TEXT_COLUMNS].error = &db->result.success_error;
	return mysql_stmt_bind_result(db->select_stmt, result) != 0 ? -1 : 0;
}

void
dbquery_poll_begin(struct db *db)
{
	MYSQL_BIND	*param;
	size_t		 i, n;

	memset(db->select_param, 0, sizeof(db->select_param));
	for (i = 0; i < DB_SELECT_PARAMS; i++) {
		/* The names twice (DB_NODE_MATCH); one name fills both. */
		n = db->nnames == 1 ? 0 : i % 2;
		param = &db->select_param[i];
		param->buffer_type = MYSQL_TYPE_STRING;
		param->buffer = db->names[n];
		param->buffer_length = db->name_len[n];
		param->length = &db->name_len[n];
	}
	db->state = DB_SELECT_EXECUTING;
	db->nrows = 0;
	db->incomplete = 0;
	if (mysql_stmt_bind_param(db->select_stmt, db->select_param) != 0) {
		db_stmt_failed(db, db->select_stmt);
		return;
	}
	db_op_begin(db, DB_SELECT_EXECUTING, db_read_timeout_ms(db));
}

/* The row just fetched, converted, unless the snapshot is full. */
static int
row_keep(struct db *db)
{
	if (db->nrows == SNAPSHOT_ROWS_MAX)
		return -1;
	dbrow_convert(&db->result, &db->rows[db->nrows], &db->text[db->nrows]);
	db->nrows++;
	return 0;
}

/*
 * More rows than a snapshot holds: the first ones by id are a poll that
 * succeeded but is incomplete, so the rows there apply and no NIC is
 * deleted for a row that may be among the rest. The result set is in
 * memory (stored): freeing it does no I/O.
 */
static void
poll_incomplete(struct db *db)
{
	(void)mysql_stmt_free_result(db->select_stmt);
	db->incomplete = 1;
	db_error_set(db, "more than %d rows for this node: the first %d by id"
	    " are used and no NIC is deleted", SNAPSHOT_ROWS_MAX,
	    SNAPSHOT_ROWS_MAX);
	db->state = DB_IDLE;
	db_job_finish(db, 1);
}

void
dbquery_select_executed(struct db *db)
{
	if (db->ret_int != 0) {
		db_stmt_failed(db, db->select_stmt);
		return;
	}
	db_op_begin(db, DB_SELECT_STORING, db_read_timeout_ms(db));
}

void
dbquery_select_stored(struct db *db)
{
	if (db->ret_int != 0) {
		db_stmt_failed(db, db->select_stmt);
		return;
	}
	db_op_begin(db, DB_SELECT_FETCHING, db_read_timeout_ms(db));
}

void
dbquery_select_fetched(struct db *db)
{
	int	status;

	for (;;) {
		if (db->ret_int == MYSQL_NO_DATA) {
			(void)mysql_stmt_free_result(db->select_stmt);
			db->state = DB_IDLE;
			db_job_finish(db, 1);
			return;
		}
		if (db->ret_int != 0 && db->ret_int != MYSQL_DATA_TRUNCATED) {
			db_stmt_failed(db, db->select_stmt);
			return;
		}
		if (row_keep(db) == -1) {
			poll_incomplete(db);
			return;
		}
		status = mysql_stmt_fetch_start(&db->ret_int, db->select_stmt);
		if (status != 0) {
			db_op_wait(db, status);
			return;
		}
	}
}

static void
write_execute(struct db *db, const struct db_job *job)
{
	MYSQL_BIND	*param = db->update_param;

	db->update_success = job->success ? 1 : 0;
	db->update_id = job->id;
	memset(db->update_param, 0, sizeof(db->update_param));
	param[0].buffer_type = MYSQL_TYPE_TINY;
	param[0].buffer = &db->update_success;
	param[1].buffer_type = MYSQL_TYPE_LONGLONG;
	param[1].buffer = &db->update_id;
	db->state = DB_UPDATE_EXECUTING;
	if (mysql_stmt_bind_param(db->update_stmt, param) != 0) {
		db_stmt_failed(db, db->update_stmt);
		return;
	}
	db_op_begin(db, DB_UPDATE_EXECUTING, db_read_timeout_ms(db));
}

/*
 * Without the UPDATE (the account may lack the privilege), polls still
 * work; each write-back tries to prepare it again, so a grant that the
 * server applies to open sessions takes effect without a reconnect.
 */
void
dbquery_write_begin(struct db *db, const struct db_job *job)
{
	if (db->update_stmt != NULL) {
		write_execute(db, job);
		return;
	}
	db->state = DB_UPDATE_PREPARING;
	if ((db->update_stmt = mysql_stmt_init(db->mysql)) == NULL) {
		db_job_failed(db, mysql_errno(db->mysql), mysql_error(db->mysql));
		return;
	}
	db_op_begin(db, DB_UPDATE_PREPARING, db_read_timeout_ms(db));
}

/* A statement that failed to prepare: closing it sends nothing. */
void
dbquery_update_unprepare(struct db *db, unsigned int *code, char *why,
    size_t len)
{
	*code = mysql_stmt_errno(db->update_stmt);
	(void)strlcpy(why, mysql_stmt_error(db->update_stmt), len);
	db_stmt_close(&db->update_stmt);
}

void
dbquery_update_reprepared(struct db *db)
{
	char		why[DB_ERROR_MAX];
	unsigned int	code;

	if (db->ret_int != 0) {
		dbquery_update_unprepare(db, &code, why, sizeof(why));
		db_job_failed(db, code, why);
		return;
	}
	write_execute(db, TAILQ_FIRST(&db->jobs));
}

void
dbquery_update_executed(struct db *db)
{
	if (db->ret_int != 0) {
		db_stmt_failed(db, db->update_stmt);
		return;
	}
	db->state = DB_IDLE;
	db_job_finish(db, 1);
}
