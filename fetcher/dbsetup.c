/* SPDX-License-Identifier: ISC */
/*
 * A connection of the MariaDB layer, from a fresh handle to prepared
 * statements: the handle's options (TLS among them), the connect handed to
 * the connect thread (dbconnect.c) and taken back, then, on the loop, the
 * probe for multi_subnet and the SELECT and UPDATE prepared.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <mysql.h>
#include <errmsg.h>

#include "dbconnect.h"
#include "dbint.h"
#include "log.h"

/* The connector runs each operation as a coroutine on a stack this big. */
#define DB_STACK_SIZE		(256 * 1024)
/* Our rows are small; a hostile server cannot make us buffer much. */
#define DB_MAX_PACKET		(64 * 1024)
/* How long db_free() waits for the connect thread to let go of a handle. */
#define DB_RECLAIM_WAIT_MS	1000

/* The auth plugins a server may ask for (db_preload() loads the last three). */
#define DB_AUTH_PLUGINS \
	"mysql_native_password,caching_sha2_password,client_ed25519," \
	"sha256_password"

/* The connector's own timeouts, a second line of defence, are seconds. */
static unsigned int
seconds_up(uint32_t ms)
{
	return ms / 1000 + (ms % 1000 != 0);
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
	connect_s = seconds_up(db_connect_timeout_ms(db)) + 1;
	io_s = seconds_up(db_read_timeout_ms(db)) + 1;
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
void
dbsetup_connect(struct db *db, const char *ip)
{
	struct dbconnect_job	*job;

	db->state = DB_CONNECTING;
	if (ip != NULL)
		(void)strlcpy(db->connect_ip, ip, sizeof(db->connect_ip));
	else
		db->connect_ip[0] = '\0';
	dbhosts_describe(db, ip);
	if (conn_new(db) == -1) {
		dbhosts_failed(db, db->mysql != NULL ?
		    mysql_error(db->mysql) : "out of memory");
		return;
	}
	if ((job = connect_job_new(db)) == NULL) {
		dbhosts_failed(db, "out of memory");
		return;
	}
	/* The thread's until dbsetup_connected_cb() takes it back. */
	db->mysql = NULL;
	db->connect_timed_out = 0;
	db_deadline_arm(db, db_connect_timeout_ms(db));
	dbconnect_submit(job);
}

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

/* The DB server's address, for the route check, read once per connection. */
static void
server_address(struct db *db)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof(ss);
	int			fd;

	db->server_addr_known = 0;
	if ((fd = mysql_get_socket(db->mysql)) == -1 ||
	    getpeername(fd, (struct sockaddr *)&ss, &len) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
		return;
	db->server_addr = ss;
	db->server_addr_known = 1;
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
	dbhosts_failed(db, why);
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
		dbhosts_failed(db, why);
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
		dbhosts_failed(db, "TLS is required (DB_TLS) but the server "
		    "does not offer it");
		return;
	}
	sock_nonblock(db);
	server_address(db);
	if (db->error[0] != '\0')
		log_warnx("db: connected to %s after failures: %s", db->peer,
		    db->error);
	else
		log_info("db: connected to %s", db->peer);
	db_op_begin(db, DB_PROBING, db_read_timeout_ms(db));
}

void
dbsetup_connected_cb(evutil_socket_t fd, short what, void *arg)
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
void
dbsetup_reclaim(struct db *db)
{
	struct dbconnect_job	*job;

	if ((job = dbconnect_reclaim(DB_RECLAIM_WAIT_MS)) != NULL)
		connect_take_back(db, job);
	else
		log_debug("db: leaving a connect in progress to its thread");
}

static void
prepare_begin(struct db *db, enum db_state state)
{
	MYSQL_STMT	**stmt;

	stmt = state == DB_PREPARING_SELECT ? &db->select_stmt :
	    &db->update_stmt;
	db->state = state;
	if ((*stmt = mysql_stmt_init(db->mysql)) == NULL) {
		dbhosts_failed(db, mysql_error(db->mysql));
		return;
	}
	if (state == DB_PREPARING_SELECT)
		dbquery_select_sql_build(db);
	db_op_begin(db, state, db_read_timeout_ms(db));
}

void
dbsetup_probed(struct db *db)
{
	if (db->ret_int != 0) {
		dbhosts_failed(db, mysql_error(db->mysql));
		return;
	}
	db_op_begin(db, DB_PROBE_STORING, db_read_timeout_ms(db));
}

void
dbsetup_probe_stored(struct db *db)
{
	MYSQL_ROW	row;

	if (db->ret_res == NULL) {
		dbhosts_failed(db, mysql_errno(db->mysql) != 0 ?
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

void
dbsetup_select_prepared(struct db *db)
{
	MYSQL_STMT	*stmt = db->select_stmt;

	if (db->ret_int != 0) {
		dbhosts_failed(db, mysql_stmt_error(stmt));
		return;
	}
	if (mysql_stmt_param_count(stmt) != DB_SELECT_PARAMS ||
	    mysql_stmt_field_count(stmt) != 2 + DB_TEXT_COLUMNS) {
		dbhosts_failed(db, "unexpected statement shape");
		return;
	}
	if (dbquery_bind_result(db) == -1) {
		dbhosts_failed(db, mysql_stmt_error(stmt));
		return;
	}
	prepare_begin(db, DB_PREPARING_UPDATE);
}

void
dbsetup_update_prepared(struct db *db)
{
	char		why[DB_ERROR_MAX];
	unsigned int	code;

	if (db->ret_int != 0) {
		if (db_conn_lost(mysql_stmt_errno(db->update_stmt))) {
			dbhosts_failed(db, mysql_stmt_error(db->update_stmt));
			return;
		}
		dbquery_update_unprepare(db, &code, why, sizeof(why));
		/* results.c warns at the first write-back that fails. */
		log_debug("db: cannot %s %s: %s (%u); write-backs will fail",
		    db_step[db->state], db->peer, why, code);
	}
	evtimer_del(db->deadline_ev);
	db->state = DB_IDLE;
	db->connections++;
	log_debug("db: statements prepared on %s; cidr from %s", db->peer,
	    db->has_subnet_table ? "multi_interface, else multi_subnet" :
	    "multi_interface");
	db_kick(db);
}
