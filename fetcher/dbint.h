/* SPDX-License-Identifier: ISC */
/*
 * What the pieces of the fetcher's MariaDB layer share: struct db, the
 * states of its one operation in flight, and the functions each piece
 * offers the others. db.c drives operations and runs the job queue,
 * dbhosts.c walks the connect candidates, dbsetup.c sets a connection up,
 * dbquery.c runs the SELECT and the UPDATE, dbrow.c converts a fetched row.
 * Only those files include it; the fetcher uses db.h.
 */
#ifndef MULTINIC_DBINT_H
#define MULTINIC_DBINT_H

#include <sys/queue.h>

#include <netinet/in.h>

#include <stdint.h>

#include <event2/util.h>

#include <mysql.h>

#include "db.h"
#include "dbrow.h"
#include "msg.h"

#define DB_ERROR_MAX		1024
#define DB_NAME_MAX		256	/* a DNS name has at most 253 bytes */
#define DB_PEER_MAX		(DB_NAME_MAX + CONFIG_SOCKPATH_MAX + 64)
#define DB_HOSTS_MAX		CONFIG_DB_HOSTS_MAX
#define DB_SELECT_PARAMS	4	/* the node's names, twice */

/* The statements db.c's operations run besides the SELECT (dbquery.c). */
#define DB_PROBE_SQL \
	"SELECT COUNT(*) FROM information_schema.tables" \
	" WHERE table_schema = DATABASE() AND table_name = 'multi_subnet'"
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
extern const char *const db_step[];

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
	/* getpeername() once per connection: it moves only with a new one. */
	struct sockaddr_storage	 server_addr;
	int			 server_addr_known;
	uint64_t		 connections;	/* set up since the start */

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

	MYSQL_BIND		 select_param[DB_SELECT_PARAMS];
	MYSQL_BIND		 select_result[2 + DB_TEXT_COLUMNS];
	struct db_result	 result;	/* select_result's buffers */
	struct db_poll_row	 rows[SNAPSHOT_ROWS_MAX];
	struct db_row_text	 text[SNAPSHOT_ROWS_MAX];
	size_t			 nrows;
	int			 incomplete;	/* more rows than we keep */

	MYSQL_BIND		 update_param[2];
	signed char		 update_success;
	long long		 update_id;

	char			 error[DB_ERROR_MAX];
};

/* db.c: error text, timeouts, the operation driver and the job queue. */
void		 db_error_set(struct db *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 db_error_append(struct db *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
uint32_t	 db_connect_timeout_ms(const struct db *);
uint32_t	 db_read_timeout_ms(const struct db *);
void		 db_deadline_arm(struct db *, uint32_t);
void		 db_kick(struct db *);
int		 db_conn_lost(unsigned int);
void		 db_stmt_close(MYSQL_STMT **);
void		 db_conn_close(struct db *, int);
void		 db_op_begin(struct db *, enum db_state, uint32_t);
void		 db_op_wait(struct db *, int);
void		 db_job_finish(struct db *, int);
void		 db_jobs_fail_all(struct db *);
void		 db_job_failed(struct db *, unsigned int, const char *);
void		 db_stmt_failed(struct db *, MYSQL_STMT *);

/* dbhosts.c: DB_SOCKET, or each DB_HOST entry and its addresses. */
void		 dbhosts_begin(struct db *);
void		 dbhosts_next(struct db *);
void		 dbhosts_failed(struct db *, const char *);
void		 dbhosts_parse(struct db *);
void		 dbhosts_describe(struct db *, const char *);
void		 dbhosts_addrs_free(struct db *);
void		 dbhosts_resolve_abort(struct db *);
void		 dbhosts_resolved_cb(evutil_socket_t, short, void *);

/* dbsetup.c: a connection from the handle's options to prepared statements. */
void		 dbsetup_connect(struct db *, const char *);
void		 dbsetup_connected_cb(evutil_socket_t, short, void *);
void		 dbsetup_reclaim(struct db *);
void		 dbsetup_probed(struct db *);
void		 dbsetup_probe_stored(struct db *);
void		 dbsetup_select_prepared(struct db *);
void		 dbsetup_update_prepared(struct db *);

/* dbquery.c: the SELECT of a poll and the UPDATE of a write-back. */
void		 dbquery_select_sql_build(struct db *);
int		 dbquery_bind_result(struct db *);
void		 dbquery_poll_begin(struct db *);
void		 dbquery_select_executed(struct db *);
void		 dbquery_select_stored(struct db *);
void		 dbquery_select_fetched(struct db *);
void		 dbquery_write_begin(struct db *, const struct db_job *);
void		 dbquery_update_unprepare(struct db *, unsigned int *, char *,
		    size_t);
void		 dbquery_update_reprepared(struct db *);
void		 dbquery_update_executed(struct db *);

#endif
