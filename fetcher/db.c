/*
 * MariaDB access for the fetcher: one persistent connection and two prepared
 * statements, driven by the fetcher's libevent loop through Connector/C's
 * non-blocking API, with connects made on a thread of their own, so that a
 * slow, hung or unresolvable DB never delays HTTP or the control socket
 * served by the same loop.
 *
 * db->state names the one operation in flight. op_begin() starts it,
 * op_step() continues it whenever the socket or a timer says so, and the
 * state's on_*() function takes over once the connector reports it done;
 * a connect goes to the connect thread instead, and on_connected() takes
 * over when the thread hands it back. Work (a poll, a write-back) is
 * queued as jobs, run one at a time in order:
 *
 *   DOWN -> [RESOLVING] -> CONNECTING -> PROBING -> PROBE_STORING
 *        -> PREPARING_SELECT -> PREPARING_UPDATE -> IDLE
 *   IDLE -> SELECT_EXECUTING -> SELECT_STORING -> SELECT_FETCHING -> IDLE
 *   IDLE -> [UPDATE_PREPARING] -> UPDATE_EXECUTING -> IDLE
 *   any state -> DOWN when the connection is dropped
 *
 * Every operation, the connect included, runs under our own timer
 * (deadline_ev): the connector's timeouts do not cover all of a
 * non-blocking query, and ours name the step that took too long.
 *
 * Connects: Connector/C 3.3's non-blocking API has no yield inside the TLS
 * handshake (SSL_connect() on a blocking socket), so the connect itself
 * (TCP or unix connect, TLS, authentication) runs with the blocking API,
 * which a handle set up for the non-blocking one takes too, on the connect
 * thread (dbconnect.c). The loop never touches the handle until the thread
 * hands it back. Our deadline still runs on the loop: when it fires, the
 * thread's connect is cut short, and the candidate fails once the thread
 * has let go of the handle. At shutdown, db_free() gives the thread a
 * second to let go. Everything after the connect runs on the loop.
 * Connector/C 3.3 leaves the socket blocking and reads with MSG_DONTWAIT,
 * which OpenSSL does not use, so the socket is made non-blocking once the
 * loop has it: TLS reads then yield as they should.
 *
 * DB_HOST names are resolved here, with evdns, because the connector would
 * call the blocking getaddrinfo(3). The connector is then given the IP
 * literal, and Connector/C 3.3 checks the server certificate
 * (DB_TLS=verify) against the host it was given, with no option to name
 * another: with a name in DB_HOST, the certificate must carry the server's
 * IP address (an IP SAN), or verification fails. It fails closed; the
 * error says why.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "db.h"
#include "dbconnect.h"
#include "log.h"
#include "msg.h"

/*
 * Debian's <mysql/client_plugin.h> includes a header it does not ship;
 * <mysql.h> declares mysql_client_find_plugin() but not the plugin types.
 */
#ifndef MYSQL_CLIENT_AUTHENTICATION_PLUGIN
#define MYSQL_CLIENT_AUTHENTICATION_PLUGIN	2
#endif

/* The connector runs each operation as a coroutine on a stack this big. */
#define DB_STACK_SIZE		(256 * 1024)
/* Result buffer per text column: a longer value is no value of ours. */
#define DB_VALUE_MAX		256
#define DB_TEXT_COLUMNS		4	/* macaddress, address, cidr, mtu */
#define DB_ERROR_MAX		1024
#define DB_NAME_MAX		256	/* a DNS name has at most 253 bytes */
#define DB_PEER_MAX		(DB_NAME_MAX + CONFIG_SOCKPATH_MAX + 64)
#define DB_HOSTS_MAX		CONFIG_DB_HOSTS_MAX
#define DB_ADDRS_PER_NAME	4	/* addresses of one name tried */
#define DB_WRITES_MAX		(4 * SNAPSHOT_ROWS_MAX)
/*
 * Queries and fetches get max(DB_CONNECT_TIMEOUT, 5 s): a short connect
 * timeout suits failover, but a loaded server may take longer to answer.
 */
#define DB_READ_TIMEOUT_MIN_MS	5000
#define DB_CONNECT_TIMEOUT_DEFAULT_MS	5000
/* Our rows are small; a hostile server cannot make us buffer much. */
#define DB_MAX_PACKET		(64 * 1024)
/* How long db_free() waits for the connect thread to let go of a handle. */
#define DB_RECLAIM_WAIT_MS	1000
/* _cont calls fed MYSQL_WAIT_TIMEOUT to unwind an aborted operation. */
#define DB_ABORT_STEPS		8

/* The auth plugins a server may ask for (db_preload() loads the last three). */
#define DB_AUTH_PLUGINS \
	"mysql_native_password,caching_sha2_password,client_ed25519," \
	"sha256_password"

#define DB_PROBE_SQL \
	"SELECT COUNT(*) FROM information_schema.tables" \
	" WHERE table_schema = DATABASE() AND table_name = 'multi_subnet'"
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
#define DB_UPDATE_SQL \
	"UPDATE multi_interface SET netplan_success = ? WHERE id = ?"

enum db_state {
	DB_DOWN,		/* no connection */
	DB_RESOLVING,		/* evdns lookup of a DB_HOST name */
	DB_CONNECTING,		/* on the connect thread (dbconnect.c) */
	DB_PROBING,		/* does multi_subnet exist? */
	DB_PROBE_STORING,
	DB_PREPARING_SELECT,
	DB_PREPARING_UPDATE,
	DB_IDLE,		/* connected, statements prepared */
	DB_UPDATE_PREPARING,	/* again, after the set-up could not */
	DB_SELECT_EXECUTING,
	DB_SELECT_STORING,
	DB_SELECT_FETCHING,
	DB_UPDATE_EXECUTING,
};

/* What each state does, for messages: "<step> <peer>: <why>". */
static const char *const db_step[] = {
	[DB_DOWN] = "use",
	[DB_RESOLVING] = "resolve",
	[DB_CONNECTING] = "connect to",
	[DB_PROBING] = "look up table multi_subnet on",
	[DB_PROBE_STORING] = "read whether multi_subnet exists from",
	[DB_PREPARING_SELECT] = "prepare the SELECT on",
	[DB_PREPARING_UPDATE] = "prepare the UPDATE on",
	[DB_IDLE] = "use",
	[DB_UPDATE_PREPARING] = "prepare the UPDATE on",
	[DB_SELECT_EXECUTING] = "execute the SELECT on",
	[DB_SELECT_STORING] = "read the SELECT result from",
	[DB_SELECT_FETCHING] = "fetch a row from",
	[DB_UPDATE_EXECUTING] = "execute the UPDATE on",
};

enum db_job_kind { DB_JOB_POLL, DB_JOB_WRITE };

struct db_job {
	TAILQ_ENTRY(db_job)	 entry;
	enum db_job_kind	 kind;
	int			 retried;	/* the one silent retry is used */
	db_poll_fn		 poll_cb;
	db_write_fn		 write_cb;
	void			*arg;
	int64_t			 id;		/* write-back */
	int			 success;	/* write-back */
};
TAILQ_HEAD(db_jobs, db_job);

struct db_host {
	char		name[DB_NAME_MAX];	/* empty: DB_SOCKET */
	unsigned int	port;
};

/* The result binding of one text column. */
struct db_column {
	char		buf[DB_VALUE_MAX];
	unsigned long	length;
	my_bool		is_null;
	my_bool		error;
};

struct db_row_text {
	char		value[DB_TEXT_COLUMNS][DB_VALUE_MAX];
};

struct db {
	struct event_base	*base;
	struct evdns_base	*dns;
	struct config		 conf;
	char			 password[CONFIG_SECRET_MAX];
	enum db_state		 state;
	int			 reconnect_pending; /* DB settings changed */

	MYSQL			*mysql;
	MYSQL_STMT		*select_stmt;
	MYSQL_STMT		*update_stmt;
	int			 has_subnet_table;
	char			 select_sql[512];
	char			 peer[DB_PEER_MAX];	/* for messages */

	/* The operation in flight. */
	struct event		*io_ev;		/* socket, connector's timer */
	struct event		*deadline_ev;	/* our own timeout */
	struct event		*kick_ev;	/* runs the next job */
	struct event		*resolved_ev;	/* an evdns answer is in */
	struct event		*connected_ev;	/* the connect thread is done */
	int			 wait_status;	/* 0: not suspended */
	uint32_t		 deadline_ms;
	int			 ret_int;
	MYSQL			*ret_mysql;
	int			 connect_timed_out;	/* cut short */
	MYSQL_RES		*ret_res;

	/* Connect candidates: DB_HOST entries and their addresses. */
	struct db_host		 hosts[DB_HOSTS_MAX];
	size_t			 nhosts;
	size_t			 next_host;
	struct db_host		*current;
	struct evdns_getaddrinfo_request *dns_req;
	int			 dns_result;
	struct evutil_addrinfo	*dns_answer;	/* not looked at yet */
	struct evutil_addrinfo	*addrs;		/* being tried */
	struct evutil_addrinfo	*next_addr;
	size_t			 addrs_tried;
	char			 connect_ip[INET6_ADDRSTRLEN];

	struct db_jobs		 jobs;		/* the first one runs */
	size_t			 nwrites;
	int			 poll_queued;
	char			 names[2][DB_NAME_MAX];
	unsigned long		 name_len[2];
	size_t			 nnames;

	MYSQL_BIND		 select_param[2];
	MYSQL_BIND		 select_result[2 + DB_TEXT_COLUMNS];
	long long		 result_id;
	my_bool			 result_id_null;
	my_bool			 result_id_error;
	long long		 result_success;	/* netplan_success */
	my_bool			 result_success_null;
	my_bool			 result_success_error;
	struct db_column	 column[DB_TEXT_COLUMNS];
	struct db_poll_row	 rows[SNAPSHOT_ROWS_MAX];
	struct db_row_text	 text[SNAPSHOT_ROWS_MAX];
	size_t			 nrows;
	int			 incomplete;	/* more rows than we keep */

	MYSQL_BIND		 update_param[2];
	signed char		 update_success;
	long long		 update_id;

	char			 error[DB_ERROR_MAX];
};

static void	op_begin(struct db *, enum db_state, uint32_t);
static void	connect_next(struct db *);

/* Error text ends up in logs and JSON: printable ASCII only. */
static void
make_printable(char *s)
{
	unsigned char	c;

	for (; (c = *s) != '\0'; s++)
		if (c < 0x20 || c > 0x7e)
			*s = '?';
}

static void __attribute__((format(printf, 2, 3)))
error_set(struct db *db, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(db->error, sizeof(db->error), fmt, ap);
	va_end(ap);
	make_printable(db->error);
}

/* Connect failures accumulate, so the error names every host tried. */
static void __attribute__((format(printf, 2, 3)))
error_append(struct db *db, const char *fmt, ...)
{
	va_list	ap;
	size_t	len;

	len = strlen(db->error);
	if (len > 0 && len + 2 < sizeof(db->error)) {
		(void)strlcat(db->error, "; ", sizeof(db->error));
		len += 2;
	}
	va_start(ap, fmt);
	(void)vsnprintf(db->error + len, sizeof(db->error) - len, fmt, ap);
	va_end(ap);
	make_printable(db->error);
}

/* DB_CONNECT_TIMEOUT; 0 (which the configuration refuses) would be none. */
static uint32_t
connect_timeout_ms(const struct db *db)
{
	if (db->conf.db_connect_timeout_ms == 0)
		return DB_CONNECT_TIMEOUT_DEFAULT_MS;
	return db->conf.db_connect_timeout_ms;
}

static uint32_t
read_timeout_ms(const struct db *db)
{
	if (connect_timeout_ms(db) > DB_READ_TIMEOUT_MIN_MS)
		return connect_timeout_ms(db);
	return DB_READ_TIMEOUT_MIN_MS;
}

/* The connector's own timeouts, a second line of defence, are seconds. */
static unsigned int
seconds_up(uint32_t ms)
{
	return ms / 1000 + (ms % 1000 != 0);
}

static struct timeval
ms_to_tv(uint32_t ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

static void
deadline_arm(struct db *db, uint32_t ms)
{
	struct timeval	tv = ms_to_tv(ms);

	db->deadline_ms = ms;
	if (evtimer_add(db->deadline_ev, &tv) == -1)
		fatalx("db: cannot arm a timer");
}

/* Jobs start from the loop, never inside a caller or a callback. */
static void
kick(struct db *db)
{
	event_active(db->kick_ev, EV_TIMEOUT, 1);
}

/*
 * Errors after which the connection is dropped and the job retried once on
 * a new one: the server went away or killed us, or a client-side error left
 * the connection in an unknown state (a connection that sat idle fails this
 * way when the server dropped it meanwhile).
 */
static int
conn_lost(unsigned int code)
{
	switch (code) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
	case ER_UNKNOWN_STMT_HANDLER:
		return 1;
	default:
		return code >= CR_MIN_ERROR && code <= CR_MAX_ERROR;
	}
}

static void
stmt_close(MYSQL_STMT **stmt)
{
	if (*stmt != NULL)
		(void)mysql_stmt_close(*stmt);
	*stmt = NULL;
}

/*
 * Drops the connection without blocking. hard (the server may hang, or an
 * operation was aborted): the socket is shut down first, so the COM_QUIT of
 * mysql_close() fails at once; soft (idle and healthy): COM_QUIT fits the
 * empty socket buffer and the server sees a clean goodbye. Statements are
 * closed after the connection, once the connector has detached them, so
 * closing them sends nothing.
 */
static void
conn_close(struct db *db, int hard)
{
	int	fd;

	event_del(db->io_ev);
	evtimer_del(db->deadline_ev);
	if (db->mysql != NULL) {
		fd = mysql_get_socket(db->mysql);
		if (hard && fd != -1)
			(void)shutdown(fd, SHUT_RDWR);
		mysql_close(db->mysql);
		db->mysql = NULL;
	}
	stmt_close(&db->select_stmt);
	stmt_close(&db->update_stmt);
	db->wait_status = 0;
	db->state = DB_DOWN;
}

static int
stmt_run(int *ret, MYSQL_STMT *stmt, int wait,
    int (*start)(int *, MYSQL_STMT *), int (*cont)(int *, MYSQL_STMT *, int))
{
	return wait != 0 ? cont(ret, stmt, wait) : start(ret, stmt);
}

static int
prepare_run(struct db *db, MYSQL_STMT *stmt, const char *sql, int wait)
{
	if (wait != 0)
		return mysql_stmt_prepare_cont(&db->ret_int, stmt, wait);
	return mysql_stmt_prepare_start(&db->ret_int, stmt, sql, strlen(sql));
}

/*
 * Starts (wait 0) or continues (wait: the events that occurred) the
 * operation of the current state. 0 when it finished, else what it waits
 * for (MYSQL_WAIT_*).
 */
static int
op_run(struct db *db, int wait)
{
	switch (db->state) {
	case DB_PROBING:
		if (wait != 0)
			return mysql_real_query_cont(&db->ret_int, db->mysql,
			    wait);
		return mysql_real_query_start(&db->ret_int, db->mysql,
		    DB_PROBE_SQL, strlen(DB_PROBE_SQL));
	case DB_PROBE_STORING:
		if (wait != 0)
			return mysql_store_result_cont(&db->ret_res, db->mysql,
			    wait);
		return mysql_store_result_start(&db->ret_res, db->mysql);
	case DB_PREPARING_SELECT:
		return prepare_run(db, db->select_stmt, db->select_sql, wait);
	case DB_PREPARING_UPDATE:
	case DB_UPDATE_PREPARING:
		return prepare_run(db, db->update_stmt, DB_UPDATE_SQL, wait);
	case DB_SELECT_EXECUTING:
		return stmt_run(&db->ret_int, db->select_stmt, wait,
		    mysql_stmt_execute_start, mysql_stmt_execute_cont);
	case DB_SELECT_STORING:
		return stmt_run(&db->ret_int, db->select_stmt, wait,
		    mysql_stmt_store_result_start, mysql_stmt_store_result_cont);
	case DB_SELECT_FETCHING:
		return stmt_run(&db->ret_int, db->select_stmt, wait,
		    mysql_stmt_fetch_start, mysql_stmt_fetch_cont);
	case DB_UPDATE_EXECUTING:
		return stmt_run(&db->ret_int, db->update_stmt, wait,
		    mysql_stmt_execute_start, mysql_stmt_execute_cont);
	default:
		fatalx("db: no operation in state %d", db->state);
	}
}

static void	io_cb(evutil_socket_t, short, void *);

/*
 * Connector/C 3.3 puts the socket back in blocking mode once connected and
 * relies on MSG_DONTWAIT, which OpenSSL does not use: with TLS, SSL_read()
 * would block the loop until the connector's SO_RCVTIMEO. A non-blocking
 * socket makes it return WANT_READ, and the connector yields instead.
 */
static void
sock_nonblock(struct db *db)
{
	int	fd, flags;

	if ((fd = mysql_get_socket(db->mysql)) == -1)
		return;
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    (!(flags & O_NONBLOCK) &&
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1))
		log_warn("db: cannot make the DB socket non-blocking");
}

/* Waits for what the connector asked: socket readiness and/or its timer. */
static void
op_wait(struct db *db, int status)
{
	struct timeval	tv;
	evutil_socket_t	fd = -1;
	short		what = 0;
	int		rc;

	db->wait_status = status;
	if (status & (MYSQL_WAIT_READ | MYSQL_WAIT_EXCEPT))
		what |= EV_READ;
	if (status & MYSQL_WAIT_WRITE)
		what |= EV_WRITE;
	if (what != 0)
		fd = mysql_get_socket(db->mysql);
	event_del(db->io_ev);
	if (event_assign(db->io_ev, db->base, fd, what, io_cb, db) == -1)
		fatalx("db: cannot set up the socket event");
	if (status & MYSQL_WAIT_TIMEOUT) {
		tv = ms_to_tv(mysql_get_timeout_value_ms(db->mysql));
		rc = event_add(db->io_ev, &tv);
	} else
		rc = event_add(db->io_ev, NULL);
	if (rc == -1)
		fatalx("db: cannot wait for the DB socket");
}

/*
 * Unwinds a suspended operation after our timeout: with the socket shut
 * down, each _cont fed MYSQL_WAIT_TIMEOUT fails its I/O at once and the
 * coroutine runs to its end. Should it not, mysql_close() frees its stack.
 */
static void
op_abort(struct db *db)
{
	int	fd, status, i;

	event_del(db->io_ev);
	fd = mysql_get_socket(db->mysql);
	if (fd != -1)
		(void)shutdown(fd, SHUT_RDWR);
	status = db->wait_status;
	for (i = 0; i < DB_ABORT_STEPS && status != 0; i++)
		status = op_run(db, MYSQL_WAIT_TIMEOUT);
	if (status != 0)
		log_debug("db: abandoning a suspended operation");
	db->wait_status = 0;
	if (db->ret_res != NULL) {
		mysql_free_result(db->ret_res);
		db->ret_res = NULL;
	}
}

/* --- jobs --- */

static void
job_finish(struct db *db, int ok)
{
	struct db_job	*job = TAILQ_FIRST(&db->jobs);

	evtimer_del(db->deadline_ev);
	TAILQ_REMOVE(&db->jobs, job, entry);
	if (job->kind == DB_JOB_POLL)
		db->poll_queued = 0;
	else
		db->nwrites--;
	kick(db);
	if (job->kind == DB_JOB_POLL)
		job->poll_cb(job->arg, ok, ok ? db->rows : NULL,
		    ok ? db->nrows : 0, !ok || db->incomplete ? db->error :
		    NULL);
	else
		job->write_cb(job->arg, job->id, ok, ok ? NULL : db->error);
	free(job);
}

/* No connection could be made: every queued job gets that error. */
static void
jobs_fail_all(struct db *db)
{
	struct db_jobs	 failed;
	struct db_job	*job;

	TAILQ_INIT(&failed);
	TAILQ_CONCAT(&failed, &db->jobs, entry);
	db->poll_queued = 0;
	db->nwrites = 0;
	while ((job = TAILQ_FIRST(&failed)) != NULL) {
		TAILQ_REMOVE(&failed, job, entry);
		if (job->kind == DB_JOB_POLL)
			job->poll_cb(job->arg, 0, NULL, 0, db->error);
		else
			job->write_cb(job->arg, job->id, 0, db->error);
		free(job);
	}
}

/*
 * A statement failed. A server-side error (a read-only replica refusing the
 * UPDATE) leaves the connection usable; a lost connection is dropped and
 * the job retried once, silently, on a new one.
 */
static void
job_failed(struct db *db, unsigned int code, const char *why)
{
	struct db_job	*job = TAILQ_FIRST(&db->jobs);
	int		 lost;

	error_set(db, "%s %s: %s (%u)", db_step[db->state], db->peer, why,
	    code);
	/* After a failed read of a result set, the protocol state is unknown. */
	lost = conn_lost(code) || db->state == DB_SELECT_STORING ||
	    db->state == DB_SELECT_FETCHING;
	if (!lost) {
		db->state = DB_IDLE;
		job_finish(db, 0);
		return;
	}
	conn_close(db, 1);
	if (!job->retried) {
		job->retried = 1;
		log_debug("db: %s; retrying once on a new connection",
		    db->error);
		kick(db);
		return;
	}
	job_finish(db, 0);
}

static void
stmt_failed(struct db *db, MYSQL_STMT *stmt)
{
	job_failed(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
}

static void
poll_begin(struct db *db)
{
	MYSQL_BIND	*param;
	size_t		 i, n;

	memset(db->select_param, 0, sizeof(db->select_param));
	for (i = 0; i < 2; i++) {
		/* One name is bound to both placeholders. */
		n = db->nnames == 1 ? 0 : i;
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
		stmt_failed(db, db->select_stmt);
		return;
	}
	op_begin(db, DB_SELECT_EXECUTING, read_timeout_ms(db));
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
		stmt_failed(db, db->update_stmt);
		return;
	}
	op_begin(db, DB_UPDATE_EXECUTING, read_timeout_ms(db));
}

/*
 * Without the UPDATE (the account may lack the privilege), polls still
 * work; each write-back tries to prepare it again, so a grant that the
 * server applies to open sessions takes effect without a reconnect.
 */
static void
write_begin(struct db *db, const struct db_job *job)
{
	if (db->update_stmt != NULL) {
		write_execute(db, job);
		return;
	}
	db->state = DB_UPDATE_PREPARING;
	if ((db->update_stmt = mysql_stmt_init(db->mysql)) == NULL) {
		job_failed(db, mysql_errno(db->mysql), mysql_error(db->mysql));
		return;
	}
	op_begin(db, DB_UPDATE_PREPARING, read_timeout_ms(db));
}

/* A statement that failed to prepare: closing it sends nothing. */
static void
update_unprepare(struct db *db, unsigned int *code, char *why, size_t len)
{
	*code = mysql_stmt_errno(db->update_stmt);
	(void)strlcpy(why, mysql_stmt_error(db->update_stmt), len);
	stmt_close(&db->update_stmt);
}

static void
on_update_reprepared(struct db *db)
{
	char		why[DB_ERROR_MAX];
	unsigned int	code;

	if (db->ret_int != 0) {
		update_unprepare(db, &code, why, sizeof(why));
		job_failed(db, code, why);
		return;
	}
	write_execute(db, TAILQ_FIRST(&db->jobs));
}

/*
 * A value longer than the buffer was cut by the connector: it is passed on
 * as its first DB_VALUE_MAX - 1 bytes, still longer than any column of
 * ours, so validation holds the row rather than see a plausible prefix. An
 * embedded NUL would shorten it too: it becomes '?'.
 */
static const char *
column_text(const struct db_column *col, char *text, long long id)
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

static int
row_keep(struct db *db)
{
	struct db_poll_row	*polled;
	struct db_row		*row;
	struct db_row_text	*text;
	const char		**value[DB_TEXT_COLUMNS];
	size_t			 i;

	if (db->nrows == SNAPSHOT_ROWS_MAX)
		return -1;
	polled = &db->rows[db->nrows];
	row = &polled->columns;
	text = &db->text[db->nrows];
	row->id = db->result_id;
	/* Write-back compares with this, so anything but 0/1 is "unknown". */
	polled->netplan_success = db->result_success_null ||
	    db->result_success_error || db->result_success < 0 ||
	    db->result_success > 1 ? -1 : (int)db->result_success;
	value[0] = &row->macaddress;
	value[1] = &row->address;
	value[2] = &row->cidr;
	value[3] = &row->mtu;
	for (i = 0; i < DB_TEXT_COLUMNS; i++)
		*value[i] = column_text(&db->column[i], text->value[i],
		    db->result_id);
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
	error_set(db, "more than %d rows for this node: the first %d by id"
	    " are used and no NIC is deleted", SNAPSHOT_ROWS_MAX,
	    SNAPSHOT_ROWS_MAX);
	db->state = DB_IDLE;
	job_finish(db, 1);
}

static void
on_select_executed(struct db *db)
{
	if (db->ret_int != 0) {
		stmt_failed(db, db->select_stmt);
		return;
	}
	op_begin(db, DB_SELECT_STORING, read_timeout_ms(db));
}

static void
on_select_stored(struct db *db)
{
	if (db->ret_int != 0) {
		stmt_failed(db, db->select_stmt);
		return;
	}
	op_begin(db, DB_SELECT_FETCHING, read_timeout_ms(db));
}

static void
on_select_fetched(struct db *db)
{
	int	status;

	for (;;) {
		if (db->ret_int == MYSQL_NO_DATA) {
			(void)mysql_stmt_free_result(db->select_stmt);
			db->state = DB_IDLE;
			job_finish(db, 1);
			return;
		}
		if (db->ret_int != 0 && db->ret_int != MYSQL_DATA_TRUNCATED) {
			stmt_failed(db, db->select_stmt);
			return;
		}
		if (row_keep(db) == -1) {
			poll_incomplete(db);
			return;
		}
		status = mysql_stmt_fetch_start(&db->ret_int, db->select_stmt);
		if (status != 0) {
			op_wait(db, status);
			return;
		}
	}
}

static void
on_update_executed(struct db *db)
{
	if (db->ret_int != 0) {
		stmt_failed(db, db->update_stmt);
		return;
	}
	db->state = DB_IDLE;
	job_finish(db, 1);
}

/* --- connection set-up --- */

/* This candidate failed: note why, and try the next one. */
static void
candidate_failed(struct db *db, const char *why)
{
	error_append(db, "%s %s: %s", db_step[db->state], db->peer, why);
	log_debug("db: cannot %s %s: %s", db_step[db->state], db->peer, why);
	conn_close(db, 1);
	connect_next(db);
}

int
db_select_sql(char *buf, size_t len, int has_subnet_table, int soft_delete)
{
	int	n;

	n = snprintf(buf, len,
	    "SELECT mi.id, " DB_BOUNDED("mi.macaddress") ", "
	    DB_BOUNDED("mi.address") ", " DB_BOUNDED("%s") ", "
	    DB_BOUNDED("mi.mtu") ", mi.netplan_success"
	    " FROM multi_interface mi"
	    " WHERE mi.attached_node_name IN (?, ?)%s"
	    " ORDER BY mi.id LIMIT %d",
	    has_subnet_table ? DB_CIDR_WITH_SUBNET : "mi.cidr",
	    soft_delete ? " AND mi.deleted_at IS NULL" : "",
	    /* One more than we take, to tell "too many" from "all". */
	    SNAPSHOT_ROWS_MAX + 1);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void
select_sql_build(struct db *db)
{
	if (db_select_sql(db->select_sql, sizeof(db->select_sql),
	    db->has_subnet_table, db->conf.db_soft_delete) == -1)
		fatalx("db: the SELECT does not fit its buffer");
}

static void
prepare_begin(struct db *db, enum db_state state)
{
	MYSQL_STMT	**stmt;

	stmt = state == DB_PREPARING_SELECT ? &db->select_stmt :
	    &db->update_stmt;
	db->state = state;
	if ((*stmt = mysql_stmt_init(db->mysql)) == NULL) {
		candidate_failed(db, mysql_error(db->mysql));
		return;
	}
	if (state == DB_PREPARING_SELECT)
		select_sql_build(db);
	op_begin(db, state, read_timeout_ms(db));
}

/* Strings are bound as text; the id as a number. */
static int
select_bind_result(struct db *db)
{
	MYSQL_BIND		*result = db->select_result;
	struct db_column	*col;
	size_t			 i;

	memset(db->select_result, 0, sizeof(db->select_result));
	result[0].buffer_type = MYSQL_TYPE_LONGLONG;
	result[0].buffer = &db->result_id;
	result[0].is_null = &db->result_id_null;
	result[0].error = &db->result_id_error;
	for (i = 0; i < DB_TEXT_COLUMNS; i++) {
		col = &db->column[i];
		result[i + 1].buffer_type = MYSQL_TYPE_STRING;
		result[i + 1].buffer = col->buf;
		result[i + 1].buffer_length = sizeof(col->buf);
		result[i + 1].length = &col->length;
		result[i + 1].is_null = &col->is_null;
		result[i + 1].error = &col->error;
	}
	result[1 + DB_TEXT_COLUMNS].buffer_type = MYSQL_TYPE_LONGLONG;
	result[1 + DB_TEXT_COLUMNS].buffer = &db->result_success;
	result[1 + DB_TEXT_COLUMNS].is_null = &db->result_success_null;
	result[1 + DB_TEXT_COLUMNS].error = &db->result_success_error;
	return mysql_stmt_bind_result(db->select_stmt, result) != 0 ? -1 : 0;
}

static const char *
tls_hint(const struct db *db, unsigned int code)
{
	if (code != CR_SSL_CONNECTION_ERROR ||
	    db->conf.db_tls != DB_TLS_VERIFY || db->current == NULL ||
	    strcmp(db->connect_ip, db->current->name) == 0)
		return "";
	return " (Connector/C checks the certificate against the address it"
	    " connects to, not the DB_HOST name: it needs an IP SAN)";
}

/*
 * Our deadline cut the connect short; what the connector was doing then
 * says where the server stopped answering.
 */
static void
connect_timed_out(struct db *db)
{
	char	why[DB_ERROR_MAX];

	if (mysql_errno(db->mysql) == 0)
		(void)snprintf(why, sizeof(why), "timed out after %u ms",
		    db->deadline_ms);
	else
		(void)snprintf(why, sizeof(why),
		    "timed out after %u ms (cut short: %s)", db->deadline_ms,
		    mysql_error(db->mysql));
	candidate_failed(db, why);
}

static void
on_connected(struct db *db)
{
	char	why[DB_ERROR_MAX];

	if (db->connect_timed_out) {
		connect_timed_out(db);
		return;
	}
	if (db->ret_mysql == NULL) {
		(void)snprintf(why, sizeof(why), "%s (%u)%s",
		    mysql_error(db->mysql), mysql_errno(db->mysql),
		    tls_hint(db, mysql_errno(db->mysql)));
		candidate_failed(db, why);
		return;
	}
	/*
	 * Connector/C 3.3 refuses a server without TLS only when it verifies
	 * the certificate; for DB_TLS=on it carries on in the clear. By now
	 * the authentication went in the clear too: a scrambled hash, never
	 * the password (DB_AUTH_PLUGINS leaves out mysql_clear_password).
	 */
	if (db->conf.db_tls != DB_TLS_OFF &&
	    mysql_get_ssl_cipher(db->mysql) == NULL) {
		candidate_failed(db, "TLS is required (DB_TLS) but the server "
		    "does not offer it");
		return;
	}
	sock_nonblock(db);
	if (db->error[0] != '\0')
		log_warnx("db: connected to %s after failures: %s", db->peer,
		    db->error);
	else
		log_info("db: connected to %s", db->peer);
	op_begin(db, DB_PROBING, read_timeout_ms(db));
}

static void
on_probed(struct db *db)
{
	if (db->ret_int != 0) {
		candidate_failed(db, mysql_error(db->mysql));
		return;
	}
	op_begin(db, DB_PROBE_STORING, read_timeout_ms(db));
}

static void
on_probe_stored(struct db *db)
{
	MYSQL_ROW	row;

	if (db->ret_res == NULL) {
		candidate_failed(db, mysql_errno(db->mysql) != 0 ?
		    mysql_error(db->mysql) : "no result");
		return;
	}
	/* The result is in memory: fetching and freeing it does no I/O. */
	row = mysql_fetch_row(db->ret_res);
	db->has_subnet_table = row != NULL && row[0] != NULL &&
	    strcmp(row[0], "0") != 0;
	mysql_free_result(db->ret_res);
	db->ret_res = NULL;
	prepare_begin(db, DB_PREPARING_SELECT);
}

static void
on_select_prepared(struct db *db)
{
	MYSQL_STMT	*stmt = db->select_stmt;

	if (db->ret_int != 0) {
		candidate_failed(db, mysql_stmt_error(stmt));
		return;
	}
	if (mysql_stmt_param_count(stmt) != 2 ||
	    mysql_stmt_field_count(stmt) != 2 + DB_TEXT_COLUMNS) {
		candidate_failed(db, "unexpected statement shape");
		return;
	}
	if (select_bind_result(db) == -1) {
		candidate_failed(db, mysql_stmt_error(stmt));
		return;
	}
	prepare_begin(db, DB_PREPARING_UPDATE);
}

static void
on_update_prepared(struct db *db)
{
	char		why[DB_ERROR_MAX];
	unsigned int	code;

	if (db->ret_int != 0) {
		if (conn_lost(mysql_stmt_errno(db->update_stmt))) {
			candidate_failed(db, mysql_stmt_error(db->update_stmt));
			return;
		}
		update_unprepare(db, &code, why, sizeof(why));
		/* results.c warns at the first write-back that fails. */
		log_debug("db: cannot %s %s: %s (%u); write-backs will fail",
		    db_step[db->state], db->peer, why, code);
	}
	evtimer_del(db->deadline_ev);
	db->state = DB_IDLE;
	log_debug("db: statements prepared on %s; cidr from %s", db->peer,
	    db->has_subnet_table ? "multi_interface, else multi_subnet" :
	    "multi_interface");
	kick(db);
}

/* --- the operation driver --- */

static void
op_done(struct db *db)
{
	switch (db->state) {
	case DB_PROBING:
		on_probed(db);
		break;
	case DB_PROBE_STORING:
		on_probe_stored(db);
		break;
	case DB_PREPARING_SELECT:
		on_select_prepared(db);
		break;
	case DB_PREPARING_UPDATE:
		on_update_prepared(db);
		break;
	case DB_UPDATE_PREPARING:
		on_update_reprepared(db);
		break;
	case DB_SELECT_EXECUTING:
		on_select_executed(db);
		break;
	case DB_SELECT_STORING:
		on_select_stored(db);
		break;
	case DB_SELECT_FETCHING:
		on_select_fetched(db);
		break;
	case DB_UPDATE_EXECUTING:
		on_update_executed(db);
		break;
	default:
		fatalx("db: operation done in state %d", db->state);
	}
}

static void
op_step(struct db *db, int wait)
{
	int	status;

	status = op_run(db, wait);
	if (status != 0) {
		op_wait(db, status);
		return;
	}
	db->wait_status = 0;
	op_done(db);
}

/* Each operation gets timeout_ms of our own, whatever the connector does. */
static void
op_begin(struct db *db, enum db_state state, uint32_t timeout_ms)
{
	db->state = state;
	deadline_arm(db, timeout_ms);
	op_step(db, 0);
}

static void
io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db	*db = arg;
	int		 wait = 0;

	(void)fd;
	if (what & EV_READ)
		wait |= db->wait_status & (MYSQL_WAIT_READ | MYSQL_WAIT_EXCEPT);
	if (what & EV_WRITE)
		wait |= MYSQL_WAIT_WRITE;
	if (what & EV_TIMEOUT)
		wait |= MYSQL_WAIT_TIMEOUT;
	op_step(db, wait);
}

/* --- candidates: DB_SOCKET, or each DB_HOST entry and its addresses --- */

static int
is_ip_literal(const char *name)
{
	struct in6_addr	addr;

	return inet_pton(AF_INET, name, &addr) == 1 ||
	    inet_pton(AF_INET6, name, &addr) == 1;
}

/* DB_SOCKET, or the DB_HOST entries config.c parsed, with their ports. */
static void
hosts_parse(struct db *db)
{
	const struct config_db_host	*entry;
	size_t				 i;

	db->nhosts = db->next_host = 0;
	memset(db->hosts, 0, sizeof(db->hosts));
	if (db->conf.db_socket[0] != '\0') {
		db->nhosts = 1;
		return;
	}
	for (i = 0; i < db->conf.ndb_hosts && i < DB_HOSTS_MAX; i++) {
		entry = &db->conf.db_hosts[i];
		strlcpy(db->hosts[i].name, entry->name,
		    sizeof(db->hosts[i].name));
		db->hosts[i].port = entry->port != 0 ? entry->port :
		    db->conf.db_port;
		db->nhosts++;
	}
}

static void
peer_describe(struct db *db, const char *ip)
{
	const struct db_host	*host = db->current;
	char			 addr[INET6_ADDRSTRLEN + 8] = "";

	if (ip == NULL) {
		(void)snprintf(db->peer, sizeof(db->peer), "unix socket %s",
		    db->conf.db_socket);
		return;
	}
	if (strcmp(ip, host->name) != 0)
		(void)snprintf(addr, sizeof(addr), " (%s)", ip);
	(void)snprintf(db->peer, sizeof(db->peer),
	    strchr(host->name, ':') != NULL ? "[%s]:%u%s" : "%s:%u%s",
	    host->name, host->port, addr);
}

static int
conn_tls_options(struct db *db)
{
	my_bool	on = 1;

	if (db->conf.db_tls == DB_TLS_OFF)
		return 0;
	if (mysql_options(db->mysql, MYSQL_OPT_SSL_ENFORCE, &on) != 0)
		return -1;
	if (db->conf.db_tls != DB_TLS_VERIFY)
		return 0;
	if (mysql_options(db->mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
	    &on) != 0)
		return -1;
	if (db->conf.db_tls_ca[0] != '\0' &&
	    mysql_options(db->mysql, MYSQL_OPT_SSL_CA, db->conf.db_tls_ca) != 0)
		return -1;
	return 0;
}

/*
 * A fresh handle per connection. LOAD DATA LOCAL is refused: a hostile
 * server could answer any query with a request for one of our files. So is
 * any auth plugin but the usual ones: mysql_clear_password would hand the
 * password itself to whoever answers.
 */
static int
conn_new(struct db *db)
{
	size_t		stack = DB_STACK_SIZE;
	unsigned long	max_packet = DB_MAX_PACKET;
	unsigned int	connect_s, io_s, no_infile = 0, protocol;
	my_bool		off = 0;
	MYSQL		*m;

	if ((m = db->mysql = mysql_init(NULL)) == NULL)
		return -1;
	/*
	 * The connector's timeouts end a second after ours, so ours fire
	 * first and name the step; they bound the connect thread where
	 * cutting its connect short cannot reach it (see dbconnect.c).
	 */
	connect_s = seconds_up(connect_timeout_ms(db)) + 1;
	io_s = seconds_up(read_timeout_ms(db)) + 1;
	protocol = db->conf.db_socket[0] != '\0' ? MYSQL_PROTOCOL_SOCKET :
	    MYSQL_PROTOCOL_TCP;
	if (mysql_options(m, MYSQL_OPT_NONBLOCK, &stack) != 0 ||
	    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s) != 0 ||
	    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &io_s) != 0 ||
	    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &io_s) != 0 ||
	    mysql_options(m, MYSQL_OPT_RECONNECT, &off) != 0 ||
	    mysql_options(m, MYSQL_OPT_LOCAL_INFILE, &no_infile) != 0 ||
	    mysql_options(m, MYSQL_OPT_MAX_ALLOWED_PACKET, &max_packet) != 0 ||
	    mysql_options(m, MYSQL_OPT_PROTOCOL, &protocol) != 0 ||
	    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") != 0 ||
	    mysql_options(m, MARIADB_OPT_RESTRICTED_AUTH, DB_AUTH_PLUGINS) != 0 ||
	    mysql_options(m, MARIADB_OPT_IO_WAIT,
	    (const void *)dbconnect_io_wait) != 0 ||
	    conn_tls_options(db) == -1)
		return -1;
	return 0;
}

/* The connect as the thread runs it: the handle, copies of the rest. */
static struct dbconnect_job *
connect_job_new(struct db *db)
{
	struct dbconnect_job	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	job->mysql = db->mysql;
	(void)strlcpy(job->host, db->connect_ip, sizeof(job->host));
	job->port = db->current->port;
	(void)strlcpy(job->socket, db->conf.db_socket, sizeof(job->socket));
	(void)strlcpy(job->user, db->conf.db_user, sizeof(job->user));
	(void)strlcpy(job->password, db->password, sizeof(job->password));
	(void)strlcpy(job->database, db->conf.db_name, sizeof(job->database));
	return job;
}

/* The handle is the loop's again; the rest of the job goes. */
static void
connect_take_back(struct db *db, struct dbconnect_job *job)
{
	db->mysql = job->mysql;
	db->ret_mysql = job->connected;
	explicit_bzero(job->password, sizeof(job->password));
	free(job);
}

/* ip: the literal the connector gets; NULL for DB_SOCKET. */
static void
connect_try(struct db *db, const char *ip)
{
	struct dbconnect_job	*job;

	db->state = DB_CONNECTING;
	if (ip != NULL)
		(void)strlcpy(db->connect_ip, ip, sizeof(db->connect_ip));
	else
		db->connect_ip[0] = '\0';
	peer_describe(db, ip);
	if (conn_new(db) == -1) {
		candidate_failed(db, db->mysql != NULL ?
		    mysql_error(db->mysql) : "out of memory");
		return;
	}
	if ((job = connect_job_new(db)) == NULL) {
		candidate_failed(db, "out of memory");
		return;
	}
	/* The thread's until connected_cb() takes it back. */
	db->mysql = NULL;
	db->connect_timed_out = 0;
	deadline_arm(db, connect_timeout_ms(db));
	dbconnect_submit(job);
}

static void
connected_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db		*db = arg;
	struct dbconnect_job	*job;

	(void)fd;
	(void)what;
	if ((job = dbconnect_collect()) == NULL)
		return;
	connect_take_back(db, job);
	evtimer_del(db->deadline_ev);
	on_connected(db);
}

/*
 * Shutting down: the thread's connect is cut short and its handle taken
 * back, to be closed. A thread that does not let go in time (a read that
 * ends at the connector's timeout) keeps it: the process is exiting.
 */
static void
connect_reclaim(struct db *db)
{
	struct dbconnect_job	*job;

	if ((job = dbconnect_reclaim(DB_RECLAIM_WAIT_MS)) != NULL)
		connect_take_back(db, job);
	else
		log_debug("db: leaving a connect in progress to its thread");
}

static void
addrs_free(struct db *db)
{
	if (db->addrs != NULL)
		evutil_freeaddrinfo(db->addrs);
	db->addrs = db->next_addr = NULL;
	db->addrs_tried = 0;
}

static void
connect_addr(struct db *db)
{
	struct evutil_addrinfo	*ai = db->next_addr;
	const void		*src;
	char			 ip[INET6_ADDRSTRLEN];

	db->next_addr = ai->ai_next;
	if (++db->addrs_tried >= DB_ADDRS_PER_NAME)
		db->next_addr = NULL;
	if (ai->ai_family == AF_INET)
		src = &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr;
	else if (ai->ai_family == AF_INET6)
		src = &((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr;
	else
		src = NULL;
	if (src == NULL ||
	    evutil_inet_ntop(ai->ai_family, src, ip, sizeof(ip)) == NULL) {
		connect_next(db);
		return;
	}
	connect_try(db, ip);
}

static void
resolve_abort(struct db *db)
{
	struct evdns_getaddrinfo_request	*req = db->dns_req;

	db->dns_req = NULL;
	if (req != NULL)
		evdns_getaddrinfo_cancel(req);
	event_del(db->resolved_ev);
	if (db->dns_answer != NULL)
		evutil_freeaddrinfo(db->dns_answer);
	db->dns_answer = NULL;
}

static void
resolve_done(int result, struct evutil_addrinfo *answer, void *arg)
{
	struct db	*db = arg;

	/* From evdns_getaddrinfo_cancel(): db may be on its way out. */
	if (result == EVUTIL_EAI_CANCEL)
		return;
	db->dns_req = NULL;
	db->dns_result = result;
	db->dns_answer = answer;
	/*
	 * An answer from /etc/hosts arrives inside evdns_getaddrinfo(): go on
	 * from the loop, not from inside resolve_begin().
	 */
	event_active(db->resolved_ev, EV_TIMEOUT, 1);
}

/* The connector's getaddrinfo(3) would block the loop: evdns instead. */
static void
resolve_begin(struct db *db, struct db_host *host)
{
	struct evutil_addrinfo			 hints;
	struct evdns_getaddrinfo_request	*req;

	if (db->dns == NULL) {
		error_append(db, "resolve %s: no resolver", host->name);
		connect_next(db);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	db->state = DB_RESOLVING;
	deadline_arm(db, connect_timeout_ms(db));
	req = evdns_getaddrinfo(db->dns, host->name, NULL, &hints,
	    resolve_done, db);
	if (req != NULL)
		db->dns_req = req;
	else if (!event_pending(db->resolved_ev, EV_TIMEOUT, NULL)) {
		evtimer_del(db->deadline_ev);
		error_append(db, "resolve %s: cannot start", host->name);
		connect_next(db);
	}
}

static void
resolved_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db	*db = arg;

	(void)fd;
	(void)what;
	if (db->state != DB_RESOLVING) {
		resolve_abort(db);
		return;
	}
	evtimer_del(db->deadline_ev);
	if (db->dns_result != 0 || db->dns_answer == NULL) {
		error_append(db, "resolve %s: %s", db->current->name,
		    db->dns_result != 0 ? evutil_gai_strerror(db->dns_result) :
		    "no address");
		connect_next(db);
		return;
	}
	db->addrs = db->next_addr = db->dns_answer;
	db->dns_answer = NULL;
	db->addrs_tried = 0;
	connect_next(db);
}

static void
connect_failed(struct db *db)
{
	evtimer_del(db->deadline_ev);
	db->state = DB_DOWN;
	db->current = NULL;
	if (db->error[0] == '\0')
		error_set(db, "DB_HOST names no host to connect to");
	jobs_fail_all(db);
}

static void
connect_next(struct db *db)
{
	struct db_host	*host;

	db->state = DB_DOWN;
	if (db->next_addr != NULL) {
		connect_addr(db);
		return;
	}
	addrs_free(db);
	if (db->next_host >= db->nhosts) {
		connect_failed(db);
		return;
	}
	host = db->current = &db->hosts[db->next_host++];
	if (db->conf.db_socket[0] != '\0')
		connect_try(db, NULL);
	else if (strcmp(host->name, "localhost") == 0)
		/* Connector/C would take "localhost" as its default socket. */
		connect_try(db, "127.0.0.1");
	else if (is_ip_literal(host->name))
		connect_try(db, host->name);
	else
		resolve_begin(db, host);
}

static void
connect_begin(struct db *db)
{
	db->error[0] = '\0';
	hosts_parse(db);
	connect_next(db);
}

/* --- timers and the job runner --- */

static void
deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db	*db = arg;
	char		 why[64];

	(void)fd;
	(void)what;
	(void)snprintf(why, sizeof(why), "timed out after %u ms",
	    db->deadline_ms);
	if (db->state == DB_RESOLVING) {
		resolve_abort(db);
		log_warnx("db: resolve %s: %s", db->current->name, why);
		error_append(db, "resolve %s: %s", db->current->name, why);
		connect_next(db);
		return;
	}
	log_warnx("db: %s %s: %s", db_step[db->state], db->peer, why);
	if (db->state == DB_CONNECTING) {
		/* The thread has the handle: on_connected() fails it. */
		db->connect_timed_out = 1;
		dbconnect_cancel();
		return;
	}
	op_abort(db);
	if (db->state < DB_IDLE) {
		candidate_failed(db, why);
		return;
	}
	/* No retry: a hung server would only double the wait. */
	error_set(db, "%s %s: %s", db_step[db->state], db->peer, why);
	conn_close(db, 1);
	job_finish(db, 0);
}

static void
kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db	*db = arg;

	(void)fd;
	(void)what;
	/* Busy: kicked again when the operation in flight ends. */
	if (db->state != DB_IDLE && db->state != DB_DOWN)
		return;
	if (TAILQ_EMPTY(&db->jobs))
		return;
	if (db->reconnect_pending) {
		db->reconnect_pending = 0;
		conn_close(db, 0);
	}
	if (db->state == DB_DOWN) {
		connect_begin(db);
		return;
	}
	if (TAILQ_FIRST(&db->jobs)->kind == DB_JOB_POLL)
		poll_begin(db);
	else
		write_begin(db, TAILQ_FIRST(&db->jobs));
}

static struct db_job *
job_new(struct db *db, enum db_job_kind kind, void *arg)
{
	struct db_job	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	job->kind = kind;
	job->arg = arg;
	TAILQ_INSERT_TAIL(&db->jobs, job, entry);
	kick(db);
	return job;
}

/* --- API --- */

void
db_preload(void)
{
	static const char *const plugins[] = {
		"caching_sha2_password", "client_ed25519", "sha256_password",
	};
	MYSQL	*mysql;
	size_t	 i;

	if (mysql_library_init(0, NULL, NULL) != 0)
		fatalx("db: cannot initialise the MariaDB client library");
	if ((mysql = mysql_init(NULL)) == NULL)
		fatalx("db: mysql_init failed");
	/* Loaded on demand during a connect, which the sandbox would forbid. */
	for (i = 0; i < sizeof(plugins) / sizeof(plugins[0]); i++)
		if (mysql_client_find_plugin(mysql, plugins[i],
		    MYSQL_CLIENT_AUTHENTICATION_PLUGIN) == NULL)
			log_debug("db: client auth plugin %s not loaded: %s",
			    plugins[i], mysql_error(mysql));
	mysql_close(mysql);
}

static void
db_set_secret(struct db *db, const struct config_secret *secret)
{
	memcpy(db->password, secret->db_password, sizeof(db->password));
	db->password[sizeof(db->password) - 1] = '\0';
}

/* evdns would log to stderr; its failures reach the callers as errors. */
static void
dns_log(int is_warning, const char *msg)
{
	(void)is_warning;
	log_debug("db: evdns: %s", msg);
}

struct db *
db_new(struct event_base *base, const struct config *conf,
    const struct config_secret *secret)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->base = base;
	db->conf = *conf;
	db_set_secret(db, secret);
	TAILQ_INIT(&db->jobs);
	db->io_ev = event_new(base, -1, 0, io_cb, db);
	db->deadline_ev = evtimer_new(base, deadline_cb, db);
	db->kick_ev = event_new(base, -1, 0, kick_cb, db);
	db->resolved_ev = event_new(base, -1, 0, resolved_cb, db);
	if (db->io_ev == NULL || db->deadline_ev == NULL ||
	    db->kick_ev == NULL || db->resolved_ev == NULL) {
		db_free(db);
		return NULL;
	}
	evdns_set_log_fn(dns_log);
	/* Reads resolv.conf and /etc/hosts now, before the sandbox. */
	db->dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (db->dns == NULL)
		log_warnx("db: no DNS resolver: DB_HOST names will not "
		    "resolve");
	return db;
}

int
db_start_thread(struct db *db)
{
	int	fd;

	if ((fd = dbconnect_start()) == -1)
		return -1;
	db->connected_ev = event_new(db->base, fd, EV_READ | EV_PERSIST,
	    connected_cb, db);
	if (db->connected_ev == NULL || event_add(db->connected_ev, NULL) == -1)
		return -1;
	return 0;
}

static int
db_settings_differ(const struct config *a, const struct config *b)
{
	return strcmp(a->db_host, b->db_host) != 0 ||
	    a->db_port != b->db_port ||
	    strcmp(a->db_user, b->db_user) != 0 ||
	    strcmp(a->db_name, b->db_name) != 0 ||
	    strcmp(a->db_socket, b->db_socket) != 0 ||
	    a->db_tls != b->db_tls ||
	    strcmp(a->db_tls_ca, b->db_tls_ca) != 0 ||
	    a->db_connect_timeout_ms != b->db_connect_timeout_ms ||
	    a->db_soft_delete != b->db_soft_delete;
}

void
db_reconfigure(struct db *db, const struct config *conf,
    const struct config_secret *secret)
{
	int	changed;

	changed = db_settings_differ(&db->conf, conf) ||
	    strncmp(db->password, secret->db_password,
	    sizeof(db->password)) != 0;
	db->conf = *conf;
	db_set_secret(db, secret);
	if (!changed)
		return;
	log_info("db: DB settings changed; reconnecting");
	if (db->state == DB_IDLE)
		conn_close(db, 0);
	else if (db->state != DB_DOWN)
		db->reconnect_pending = 1;
}

void
db_free(struct db *db)
{
	struct db_job	*job;

	if (db == NULL)
		return;
	if (db->state == DB_RESOLVING)
		resolve_abort(db);
	else if (db->state == DB_CONNECTING)
		connect_reclaim(db);
	else if (db->state != DB_DOWN && db->state != DB_IDLE)
		op_abort(db);
	if (db->io_ev != NULL && db->deadline_ev != NULL)
		conn_close(db, db->state != DB_IDLE);
	if (db->resolved_ev != NULL)
		resolve_abort(db);
	addrs_free(db);
	while ((job = TAILQ_FIRST(&db->jobs)) != NULL) {
		TAILQ_REMOVE(&db->jobs, job, entry);
		free(job);
	}
	if (db->dns != NULL)
		evdns_base_free(db->dns, 0);
	event_free(db->io_ev);
	event_free(db->deadline_ev);
	event_free(db->kick_ev);
	event_free(db->resolved_ev);
	if (db->connected_ev != NULL)
		event_free(db->connected_ev);
	explicit_bzero(db->password, sizeof(db->password));
	free(db);
}

int
db_poll(struct db *db, const char *const *node_names, size_t nnames,
    db_poll_fn cb, void *arg)
{
	struct db_job	*job;
	size_t		 i;

	if (db->poll_queued) {
		errno = EBUSY;
		return -1;
	}
	if (nnames < 1 || nnames > 2) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < nnames; i++)
		if (node_names[i][0] == '\0' ||
		    strlen(node_names[i]) >= sizeof(db->names[i])) {
			errno = EINVAL;
			return -1;
		}
	if ((job = job_new(db, DB_JOB_POLL, arg)) == NULL)
		return -1;
	for (i = 0; i < nnames; i++) {
		db->name_len[i] = strlcpy(db->names[i], node_names[i],
		    sizeof(db->names[i]));
	}
	db->nnames = nnames;
	job->poll_cb = cb;
	db->poll_queued = 1;
	return 0;
}

int
db_write_result(struct db *db, int64_t id, int success, db_write_fn cb,
    void *arg)
{
	struct db_job	*job;

	if (db->nwrites >= DB_WRITES_MAX) {
		errno = ENOBUFS;
		return -1;
	}
	if ((job = job_new(db, DB_JOB_WRITE, arg)) == NULL)
		return -1;
	job->id = id;
	job->success = success;
	job->write_cb = cb;
	db->nwrites++;
	return 0;
}

int
db_connected(const struct db *db)
{
	return db->state >= DB_IDLE;
}

int
db_server_address(const struct db *db, struct sockaddr_storage *ss,
    socklen_t *len)
{
	int	fd;

	if (db->mysql == NULL || db->state < DB_PROBING)
		return -1;
	if ((fd = mysql_get_socket(db->mysql)) == -1)
		return -1;
	*len = sizeof(*ss);
	if (getpeername(fd, (struct sockaddr *)ss, len) == -1)
		return -1;
	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return -1;
	return 0;
}
