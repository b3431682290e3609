/* SPDX-License-Identifier: ISC */
/*
 * The fetcher's MariaDB layer: one persistent connection, prepared
 * statements, driven by the fetcher's libevent loop through the
 * non-blocking API of MariaDB Connector/C, and connects made on a thread of
 * their own, so a slow, hung or unresolvable DB never delays HTTP or the
 * control socket.
 */
#ifndef MULTINIC_DB_H
#define MULTINIC_DB_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "validate.h"

struct event_base;
struct db;

/*
 * The outcome of one poll. ok: rows[0..nrows) are this node's rows in id
 * order, error is NULL; the strings point into storage of db.c and are valid
 * during the callback only. !ok: rows is NULL, nrows 0, error says what
 * failed (printable). An error is never an empty answer.
 */
/* A row of the SELECT: the columns validation reads, and the write-back state. */
struct db_poll_row {
	struct db_row	columns;
	int		netplan_success;	/* as stored; -1: NULL or odd */
};

/*
 * The outcome of one poll. error says why it failed, or, when ok, why the
 * rows are not all the node has (NULL when they are).
 */
typedef void	(*db_poll_fn)(void *arg, int ok, const struct db_poll_row *rows,
		    size_t nrows, const char *error);
/* The outcome of one write-back; error is NULL when ok. */
typedef void	(*db_write_fn)(void *arg, int64_t id, int ok,
		    const char *error);

/*
 * Before the sandbox: initialises the client library and loads the client
 * auth plugins that Debian ships as separate files (a plugin that fails to
 * load is logged at debug and skipped).
 */
void		 db_preload(void);

/*
 * Before the sandbox too: reads /etc/resolv.conf and /etc/hosts for DB_HOST
 * names. Nothing is contacted until the first db_poll/db_write_result.
 * NULL on failure (out of memory).
 */
struct db	*db_new(struct event_base *, const struct config *,
		    const struct config_secret *);
/*
 * Starts the connect thread, once, before the first db_poll. The thread
 * inherits the caller's user, capabilities, no_new_privs and Landlock
 * domain; a seccomp filter loaded later must cover every thread (TSYNC).
 * -1 on failure (errno set where the system said why).
 */
int		 db_start_thread(struct db *);
/*
 * Takes effect at the next connect; drops the connection (after the
 * operation in progress) if a DB_* key or the password changed.
 */
void		 db_reconfigure(struct db *, const struct config *,
		    const struct config_secret *);
/*
 * Drops the connection without waiting for the server, forgets queued work
 * without calling back, wipes the password. A connect in progress is cut
 * short, and the connect thread given up to a second to let go of it. Not
 * from inside a callback.
 */
void		 db_free(struct db *);

/*
 * Queues the SELECT for node_names (1 or 2 names: NODE_NAME, or the host
 * name and its short form). The callback runs later, never inside db_poll.
 * -1 if a poll is already queued or running (errno EBUSY), or bad names
 * (EINVAL).
 */
int		 db_poll(struct db *, const char *const *node_names,
		    size_t nnames, db_poll_fn, void *arg);
/*
 * Queues "netplan_success = success WHERE id = id"; queued work runs in
 * order, after the operation in progress. -1 if the queue is full (ENOBUFS).
 */
int		 db_write_result(struct db *, int64_t id, int success,
		    db_write_fn, void *arg);

/*
 * The SELECT of every poll, with two parameters (the node's names); the
 * benchmarks run the same text. -1 if it does not fit in len.
 */
int		 db_select_sql(char *buf, size_t len, int has_subnet_table,
		    int soft_delete);

/* 1 while a connection is up with its statements prepared. */
int		 db_connected(const struct db *);
/* Connections set up since db_new(): one more with each reconnect. */
uint64_t	 db_connections(const struct db *);
/*
 * The DB server's address (getpeername of the DB socket when it connected),
 * for the route check. -1 over a unix socket or without a connection.
 */
int		 db_server_address(const struct db *, struct sockaddr_storage *,
		    socklen_t *);

#endif
