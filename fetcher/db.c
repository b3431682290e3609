/* SPDX-License-Identifier: ISC */
/*
 * MariaDB access for the fetcher: one persistent connection and two prepared
 * statements, driven by the fetcher's libevent loop through Connector/C's
 * non-blocking API, with connects made on a thread of their own, so that a
 * slow, hung or unresolvable DB never delays HTTP or the control socket
 * served by the same loop.
 *
 * This file runs the operations and the job queue and has the API;
 * dbhosts.c walks the connect candidates, dbsetup.c takes a connection
 * from a fresh handle to prepared statements, dbquery.c runs the SELECT
 * and the UPDATE, and dbrow.c converts a fetched row. They share dbint.h.
 *
 * db->state names the one operation in flight. db_op_begin() starts it,
 * op_step() continues it whenever the socket or a timer says so, and the
 * state's function in dbsetup.c or dbquery.c takes over once the connector
 * reports it done; a connect goes to the connect thread instead, and
 * dbsetup.c takes over when the thread hands it back. Work (a poll, a
 * write-back) is queued as jobs, run one at a time in order:
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
 * DB_HOST names are resolved with evdns (dbhosts.c), because the connector
 * would call the blocking getaddrinfo(3). The connector is then given the
 * IP literal, and Connector/C 3.3 checks the server certificate
 * (DB_TLS=verify) against the host it was given, with no option to name
 * another: with a name in DB_HOST, the certificate must carry the server's
 * IP address (an IP SAN), or verification fails. It fails closed; the
 * error says why.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
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

#include "dbconnect.h"
#include "dbint.h"
#include "log.h"

/*
 * Debian's <mysql/client_plugin.h> includes a header it does not ship;
 * <mysql.h> declares mysql_client_find_plugin() but not the plugin types.
 */
#ifndef MYSQL_CLIENT_AUTHENTICATION_PLUGIN
#define MYSQL_CLIENT_AUTHENTICATION_PLUGIN	2
#endif

#define DB_WRITES_MAX		(4 * SNAPSHOT_ROWS_MAX)
/*
 * Queries and fetches get max(DB_CONNECT_TIMEOUT, 5 s): a short connect
 * timeout suits failover, but a loaded server may take longer to answer.
 */
#define DB_READ_TIMEOUT_MIN_MS	5000
#define DB_CONNECT_TIMEOUT_DEFAULT_MS	5000
/* _cont calls fed MYSQL_WAIT_TIMEOUT to unwind an aborted operation. */
#define DB_ABORT_STEPS		8

/* What each state does, for messages: "<step> <peer>: <why>". */
const char *const db_step[] = {
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

/* Error text ends up in logs and JSON: printable ASCII only. */
static void
make_printable(char *s)
{
	unsigned char	c;

	for (; (c = *s) != '\0'; s++)
		if (c < 0x20 || c > 0x7e)
			*s = '?';
}

void
db_error_set(struct db *db, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(db->error, sizeof(db->error), fmt, ap);
	va_end(ap);
	make_printable(db->error);
}

/* Connect failures accumulate, so the error names every host tried. */
void
db_error_append(struct db *db, const char *fmt, ...)
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
uint32_t
db_connect_timeout_ms(const struct db *db)
{
	if (db->conf.db_connect_timeout_ms == 0)
		return DB_CONNECT_TIMEOUT_DEFAULT_MS;
	return db->conf.db_connect_timeout_ms;
}

uint32_t
db_read_timeout_ms(const struct db *db)
{
	if (db_connect_timeout_ms(db) > DB_READ_TIMEOUT_MIN_MS)
		return db_connect_timeout_ms(db);
	return DB_READ_TIMEOUT_MIN_MS;
}

static struct timeval
ms_to_tv(uint32_t ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

void
db_deadline_arm(struct db *db, uint32_t ms)
{
	struct timeval	tv = ms_to_tv(ms);

	db->deadline_ms = ms;
	if (evtimer_add(db->deadline_ev, &tv) == -1)
		fatalx("db: cannot arm a timer");
}

/* Jobs start from the loop, never inside a caller or a callback. */
void
db_kick(struct db *db)
{
	event_active(db->kick_ev, EV_TIMEOUT, 1);
}

/*
 * Errors after which the connection is dropped and the job retried once on
 * a new one: the server went away or killed us, or a client-side error left
 * the connection in an unknown state (a connection that sat idle fails this
 * way when the server dropped it meanwhile).
 */
int
db_conn_lost(unsigned int code)
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

void
db_stmt_close(MYSQL_STMT **stmt)
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
void
db_conn_close(struct db *db, int hard)
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
	db_stmt_close(&db->select_stmt);
	db_stmt_close(&db->update_stmt);
	db->server_addr_known = 0;
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

/* Waits for what the connector asked: socket readiness and/or its timer. */
void
db_op_wait(struct db *db, int status)
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

void
db_job_finish(struct db *db, int ok)
{
	struct db_job	*job = TAILQ_FIRST(&db->jobs);

	evtimer_del(db->deadline_ev);
	TAILQ_REMOVE(&db->jobs, job, entry);
	if (job->kind == DB_JOB_POLL)
		db->poll_queued = 0;
	else
		db->nwrites--;
	db_kick(db);
	if (job->kind == DB_JOB_POLL)
		job->poll_cb(job->arg, ok, ok ? db->rows : NULL,
		    ok ? db->nrows : 0, !ok || db->incomplete ? db->error :
		    NULL);
	else
		job->write_cb(job->arg, job->id, ok, ok ? NULL : db->error);
	free(job);
}

/* No connection could be made: every queued job gets that error. */
void
db_jobs_fail_all(struct db *db)
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
void
db_job_failed(struct db *db, unsigned int code, const char *why)
{
	struct db_job	*job = TAILQ_FIRST(&db->jobs);
	int		 lost;

	db_error_set(db, "%s %s: %s (%u)", db_step[db->state], db->peer, why,
	    code);
	/* After a failed read of a result set, the protocol state is unknown. */
	lost = db_conn_lost(code) || db->state == DB_SELECT_STORING ||
	    db->state == DB_SELECT_FETCHING;
	if (!lost) {
		db->state = DB_IDLE;
		db_job_finish(db, 0);
		return;
	}
	db_conn_close(db, 1);
	if (!job->retried) {
		job->retried = 1;
		log_debug("db: %s; retrying once on a new connection",
		    db->error);
		db_kick(db);
		return;
	}
	db_job_finish(db, 0);
}

void
db_stmt_failed(struct db *db, MYSQL_STMT *stmt)
{
	db_job_failed(db, mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
}


/* --- the operation driver --- */

static void
op_done(struct db *db)
{
	switch (db->state) {
	case DB_PROBING:
		dbsetup_probed(db);
		break;
	case DB_PROBE_STORING:
		dbsetup_probe_stored(db);
		break;
	case DB_PREPARING_SELECT:
		dbsetup_select_prepared(db);
		break;
	case DB_PREPARING_UPDATE:
		dbsetup_update_prepared(db);
		break;
	case DB_UPDATE_PREPARING:
		dbquery_update_reprepared(db);
		break;
	case DB_SELECT_EXECUTING:
		dbquery_select_executed(db);
		break;
	case DB_SELECT_STORING:
		dbquery_select_stored(db);
		break;
	case DB_SELECT_FETCHING:
		dbquery_select_fetched(db);
		break;
	case DB_UPDATE_EXECUTING:
		dbquery_update_executed(db);
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
		db_op_wait(db, status);
		return;
	}
	db->wait_status = 0;
	op_done(db);
}

/* Each operation gets timeout_ms of our own, whatever the connector does. */
void
db_op_begin(struct db *db, enum db_state state, uint32_t timeout_ms)
{
	db->state = state;
	db_deadline_arm(db, timeout_ms);
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
		dbhosts_resolve_abort(db);
		log_warnx("db: resolve %s: %s", db->current->name, why);
		db_error_append(db, "resolve %s: %s", db->current->name, why);
		dbhosts_next(db);
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
		dbhosts_failed(db, why);
		return;
	}
	/* No retry: a hung server would only double the wait. */
	db_error_set(db, "%s %s: %s", db_step[db->state], db->peer, why);
	db_conn_close(db, 1);
	db_job_finish(db, 0);
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
		db_conn_close(db, 0);
	}
	if (db->state == DB_DOWN) {
		dbhosts_begin(db);
		return;
	}
	if (TAILQ_FIRST(&db->jobs)->kind == DB_JOB_POLL)
		dbquery_poll_begin(db);
	else
		dbquery_write_begin(db, TAILQ_FIRST(&db->jobs));
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
	db_kick(db);
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
	db->resolved_ev = event_new(base, -1, 0, dbhosts_resolved_cb, db);
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
	    dbsetup_connected_cb, db);
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
		db_conn_close(db, 0);
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
		dbhosts_resolve_abort(db);
	else if (db->state == DB_CONNECTING)
		dbsetup_reclaim(db);
	else if (db->state != DB_DOWN && db->state != DB_IDLE)
		op_abort(db);
	if (db->io_ev != NULL && db->deadline_ev != NULL)
		db_conn_close(db, db->state != DB_IDLE);
	if (db->resolved_ev != NULL)
		dbhosts_resolve_abort(db);
	dbhosts_addrs_free(db);
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

uint64_t
db_connections(const struct db *db)
{
	return db->connections;
}

/* Read when the connection was made (dbsetup.c): no syscall per poll. */
int
db_server_address(const struct db *db, struct sockaddr_storage *ss,
    socklen_t *len)
{
	if (!db->server_addr_known)
		return -1;
	*ss = db->server_addr;
	*len = sizeof(*ss);
	return 0;
}

