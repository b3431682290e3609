/* SPDX-License-Identifier: ISC */
/*
 * The MariaDB layer's connect thread: runs the blocking mysql_real_connect()
 * on a handle that db.c set up, while the fetcher's loop goes on.
 */
#ifndef MULTINIC_DBCONNECT_H
#define MULTINIC_DBCONNECT_H

#include <stdint.h>

#include <netinet/in.h>

#include <mysql.h>

#include "config.h"

/*
 * One connect. From dbconnect_submit() until dbconnect_collect() or
 * dbconnect_reclaim() hands it back, it is the thread's: the loop touches
 * neither it nor its handle. The arguments are copies, so a reload may
 * change the configuration meanwhile.
 */
struct dbconnect_job {
	MYSQL		*mysql;		/* options set, not connected */
	char		 host[INET6_ADDRSTRLEN]; /* an IP literal; empty: socket */
	unsigned int	 port;
	char		 socket[CONFIG_SOCKPATH_MAX];	/* empty: host */
	char		 user[CONFIG_NAME_MAX];
	char		 password[CONFIG_SECRET_MAX];
	char		 database[CONFIG_NAME_MAX];
	MYSQL		*connected;	/* mysql_real_connect()'s answer */
};

/*
 * Starts the thread, once. It inherits the caller's user, capabilities,
 * no_new_privs and Landlock domain, and no signals reach it. Returns a
 * descriptor that turns readable when a job is done (see
 * dbconnect_collect()), or -1 (errno set).
 */
int	dbconnect_start(void);
/* Hands a job to the thread; the previous one must have been handed back. */
void	dbconnect_submit(struct dbconnect_job *);
/*
 * Makes the job in progress fail soon: the thread shuts its socket down,
 * which ends any wait on it. It still comes back through dbconnect_collect().
 */
void	dbconnect_cancel(void);
/* The job the thread has done, or NULL (none, or not yet). */
struct dbconnect_job	*dbconnect_collect(void);
/*
 * Cancels the job in progress and waits up to timeout_ms for it; NULL if
 * the thread did not let go in time (the job stays the thread's).
 */
struct dbconnect_job	*dbconnect_reclaim(uint32_t timeout_ms);

/*
 * For MARIADB_OPT_IO_WAIT on every handle. On the thread it waits as the
 * connector asks, and learns the socket that dbconnect_cancel() shuts down;
 * on the loop (mysql_close()) it never waits.
 */
int	dbconnect_io_wait(my_socket, my_bool is_read, int timeout_ms);

#endif
