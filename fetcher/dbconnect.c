/* SPDX-License-Identifier: ISC */
/*
 * The MariaDB layer's connect thread. Connector/C's non-blocking API does
 * not yield inside the TLS handshake (SSL_connect() on a blocking socket),
 * so a whole connect (TCP or unix connect, TLS, authentication) runs here
 * with the blocking API while the loop serves HTTP and the control socket.
 * One job at a time: the loop submits it, the thread connects, stores the
 * job as done and writes a byte to a pipe the loop watches, and the loop
 * collects it. The thread never logs: the log buffers are the loop's.
 *
 * Cancelling: the connector waits for its socket through dbconnect_io_wait(),
 * which keeps a duplicate of the socket when it first sees it, and
 * dbconnect_cancel() shuts that down, which ends any wait on the socket, a
 * read blocked inside OpenSSL included. The duplicate keeps the socket open
 * until the job ends, so a shutdown never reaches a descriptor number the
 * connector has closed and the loop reused. A TCP connect waits before
 * anything else (a non-blocking connect(2) says EINPROGRESS); over a unix
 * socket the first wait may come later, and a TLS handshake that blocks
 * before it ends at the connector's own timeouts.
 */

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dbconnect.h"
#include "log.h"

static struct {
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 changed;	/* running, a job in, a job done */
	int			 running;
	struct dbconnect_job	*todo;		/* submitted, not begun */
	struct dbconnect_job	*done;		/* finished, not collected */
	int			 out;		/* submitted, not collected */
	int			 cancelled;	/* the job out gives up */
	int			 sock;		/* its socket, duplicated; or -1 */
	int			 notify[2];	/* thread -> loop: done is set */
} worker = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.changed = PTHREAD_COND_INITIALIZER,
	.sock = -1,
	.notify = { -1, -1 },
};

/* A mutex or condition that fails is a bug of ours, on either thread. */
static void
worker_lock(void)
{
	if (pthread_mutex_lock(&worker.lock) != 0)
		abort();
}

static void
worker_unlock(void)
{
	if (pthread_mutex_unlock(&worker.lock) != 0)
		abort();
}

static void
worker_changed(void)
{
	if (pthread_cond_broadcast(&worker.changed) != 0)
		abort();
}

static void
job_run(struct dbconnect_job *job)
{
	job->connected = mysql_real_connect(job->mysql,
	    job->host[0] != '\0' ? job->host : NULL, job->user, job->password,
	    job->database, job->port,
	    job->socket[0] != '\0' ? job->socket : NULL, 0);
}

static struct dbconnect_job *
job_wait(int *cancelled)
{
	struct dbconnect_job	*job;

	worker_lock();
	while (worker.todo == NULL)
		if (pthread_cond_wait(&worker.changed, &worker.lock) != 0)
			abort();
	job = worker.todo;
	worker.todo = NULL;
	*cancelled = worker.cancelled;
	worker_unlock();
	return job;
}

static void
job_done(struct dbconnect_job *job)
{
	char	byte = 0;

	worker_lock();
	if (worker.sock != -1)
		(void)close(worker.sock);
	worker.sock = -1;
	worker.done = job;
	worker_changed();
	worker_unlock();
	/* A full pipe already holds a byte that wakes the loop. */
	while (write(worker.notify[1], &byte, 1) == -1 && errno == EINTR)
		;
}

static void *
worker_main(void *arg)
{
	struct dbconnect_job	*job;
	int			 cancelled;

	(void)arg;
	worker_lock();
	worker.running = 1;
	worker_changed();
	worker_unlock();
	for (;;) {
		job = job_wait(&cancelled);
		/* Cancelled before it began: it fails without a word sent. */
		if (!cancelled)
			job_run(job);
		job_done(job);
	}
	return NULL;
}

int
dbconnect_start(void)
{
	sigset_t	all, saved;
	int		rc;

	if (pipe2(worker.notify, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	/* The loop handles the signals: the thread inherits a full mask. */
	if (sigfillset(&all) == -1)
		return -1;
	if ((rc = pthread_sigmask(SIG_SETMASK, &all, &saved)) != 0) {
		errno = rc;
		return -1;
	}
	rc = pthread_create(&worker.thread, NULL, worker_main, NULL);
	if (pthread_sigmask(SIG_SETMASK, &saved, NULL) != 0)
		abort();
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	/*
	 * A new thread sets itself up (rseq, the robust futex list) before it
	 * runs worker_main(): the syscall filter must not come before that.
	 */
	worker_lock();
	while (!worker.running)
		if (pthread_cond_wait(&worker.changed, &worker.lock) != 0)
			abort();
	worker_unlock();
	return worker.notify[0];
}

void
dbconnect_submit(struct dbconnect_job *job)
{
	worker_lock();
	if (worker.out)
		fatalx("db: a connect was submitted while another was out");
	worker.out = 1;
	worker.cancelled = 0;
	worker.todo = job;
	worker_changed();
	worker_unlock();
}

void
dbconnect_cancel(void)
{
	worker_lock();
	if (worker.out) {
		worker.cancelled = 1;
		if (worker.sock != -1)
			(void)shutdown(worker.sock, SHUT_RDWR);
	}
	worker_unlock();
}

struct dbconnect_job *
dbconnect_collect(void)
{
	struct dbconnect_job	*job;
	char			 bytes[16];

	while (read(worker.notify[0], bytes, sizeof(bytes)) > 0)
		;
	worker_lock();
	if ((job = worker.done) != NULL) {
		worker.done = NULL;
		worker.out = 0;
	}
	worker_unlock();
	return job;
}

struct dbconnect_job *
dbconnect_reclaim(uint32_t timeout_ms)
{
	struct timespec	deadline;
	int		rc = 0;

	dbconnect_cancel();
	if (clock_gettime(CLOCK_MONOTONIC, &deadline) == -1)
		return dbconnect_collect();
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	worker_lock();
	while (worker.out && worker.done == NULL && rc == 0)
		rc = pthread_cond_clockwait(&worker.changed, &worker.lock,
		    CLOCK_MONOTONIC, &deadline);
	worker_unlock();
	return dbconnect_collect();
}

/*
 * The connector gets an IP literal or a socket path: a connect has one
 * socket, the first one it waits on. -1 once the job is cancelled.
 */
static int
sock_learn(my_socket fd)
{
	int	cancelled;

	worker_lock();
	if (worker.sock == -1)
		worker.sock = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	cancelled = worker.cancelled;
	worker_unlock();
	return cancelled ? -1 : 0;
}

int
dbconnect_io_wait(my_socket fd, my_bool is_read, int timeout_ms)
{
	struct pollfd	pfd;
	int		rc;

	if (!pthread_equal(pthread_self(), worker.thread))
		timeout_ms = 0;
	else if (sock_learn(fd) == -1) {
		errno = ETIMEDOUT;
		return 0;
	} else if (timeout_ms <= 0)	/* the connector's "no timeout" */
		timeout_ms = -1;
	memset(&pfd, 0, sizeof(pfd));
	pfd.fd = fd;
	pfd.events = is_read ? POLLIN : POLLOUT;
	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc == -1 && errno == EINTR);
	return rc;
}
