/* SPDX-License-Identifier: ISC */
/*
 * dbload's stand-in for fetcher/dbconnect.c: the same interface
 * (fetcher/dbconnect.h) for many struct db on one loop. The fetcher has
 * one connection and one connect thread; a simulated fleet has a connect
 * thread per node, which 10,000 threads would be, so a pool of threads
 * serves every node's connect instead, the rest of fetcher/db*.c unchanged.
 *
 * dbconnect.h's calls name no connection: the fetcher has only one. Every
 * call comes from inside one struct db's event callback (its kick, timer,
 * socket or DNS event, whose argument is that struct db), or from
 * notify_cb() or dbpool_free_db(), which name the struct db they act for,
 * so that struct db is the one the call is about.
 */

#include <sys/socket.h>
#include <sys/tree.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "../fetcher/dbconnect.h"
#include "../fetcher/dbint.h"
#include "dbpool.h"
#include "log.h"

/* One struct db's connect, from dbconnect_submit() until it is collected. */
struct pool_job {
	RB_ENTRY(pool_job)	 by_db;
	struct pool_job		*next;		/* todo or done, in order */
	struct db		*db;
	struct dbconnect_job	*job;
	int			 cancelled;
	int			 sock;		/* its socket, duplicated; or -1 */
	int			 finished;
};

static int
pool_job_cmp(const struct pool_job *a, const struct pool_job *b)
{
	return a->db < b->db ? -1 : a->db > b->db;
}
RB_HEAD(pool_jobs, pool_job);
/* RB_GENERATE_STATIC needs __unused, which libbsd leaves undefined. */
RB_GENERATE_INTERNAL(pool_jobs, pool_job, by_db, pool_job_cmp,
    __attribute__((unused)) static)

static struct {
	struct event_base	*base;
	struct event		*notify_ev;
	pthread_mutex_t		 lock;
	pthread_cond_t		 changed;	/* a job in, a job done */
	struct pool_jobs	 out;		/* submitted, not collected */
	struct pool_job		*todo, **todo_tail;
	struct pool_job		*done, **done_tail;
	int			 notify[2];	/* threads -> loop: done is set */
	struct db		*current;	/* set by dbpool_connected() */
	struct dbconnect_job	*collecting;
	struct dbpool_counters	 counters;
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.changed = PTHREAD_COND_INITIALIZER,
	.out = RB_INITIALIZER(&pool.out),
	.todo_tail = &pool.todo,
	.done_tail = &pool.done,
	.notify = { -1, -1 },
};

/* On a pool thread: the connect it runs. */
static __thread struct pool_job	*running;

static void
pool_lock(void)
{
	if (pthread_mutex_lock(&pool.lock) != 0)
		abort();
}

static void
pool_unlock(void)
{
	if (pthread_mutex_unlock(&pool.lock) != 0)
		abort();
}

static void
pool_changed(void)
{
	if (pthread_cond_broadcast(&pool.changed) != 0)
		abort();
}

/* The struct db whose callback is running on the loop (see the top). */
static struct db *
current_db(void)
{
	struct event	*ev;

	if (pool.current != NULL)
		return pool.current;
	if ((ev = event_base_get_running_event(pool.base)) == NULL)
		fatalx("dbpool: a connect call outside a struct db's callback");
	return event_get_callback_arg(ev);
}

static struct pool_job *
pool_job_of(struct db *db)
{
	struct pool_job	key;

	key.db = db;
	return RB_FIND(pool_jobs, &pool.out, &key);
}

static struct pool_job *
todo_take(void)
{
	struct pool_job	*pj;

	pool_lock();
	while (pool.todo == NULL)
		if (pthread_cond_wait(&pool.changed, &pool.lock) != 0)
			abort();
	pj = pool.todo;
	if ((pool.todo = pj->next) == NULL)
		pool.todo_tail = &pool.todo;
	pj->next = NULL;
	pool_unlock();
	return pj;
}

static void
done_put(struct pool_job *pj)
{
	char	byte = 0;

	pool_lock();
	if (pj->sock != -1)
		(void)close(pj->sock);
	pj->sock = -1;
	pj->finished = 1;
	if (pj->job->connected != NULL)
		pool.counters.connected++;
	else
		pool.counters.failed++;
	*pool.done_tail = pj;
	pool.done_tail = &pj->next;
	pool_changed();
	pool_unlock();
	/* A full pipe already holds a byte that wakes the loop. */
	while (write(pool.notify[1], &byte, 1) == -1 && errno == EINTR)
		;
}

static void *
pool_thread(void *arg)
{
	struct dbconnect_job	*job;
	struct pool_job		*pj;
	int			 cancelled;

	(void)arg;
	for (;;) {
		pj = todo_take();
		job = pj->job;
		pool_lock();
		cancelled = pj->cancelled;
		pool_unlock();
		running = pj;
		/* As fetcher/dbconnect.c runs it. */
		if (!cancelled)
			job->connected = mysql_real_connect(job->mysql,
			    job->host[0] != '\0' ? job->host : NULL, job->user,
			    job->password, job->database, job->port,
			    job->socket[0] != '\0' ? job->socket : NULL, 0);
		running = NULL;
		done_put(pj);
	}
	return NULL;
}

/* Hands each finished connect to its struct db, as the fetcher's loop does. */
static void
notify_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pool_job	*pj, *next;
	char		 bytes[64];

	(void)what;
	(void)arg;
	while (read(fd, bytes, sizeof(bytes)) > 0)
		;
	pool_lock();
	pj = pool.done;
	pool.done = NULL;
	pool.done_tail = &pool.done;
	for (next = pj; next != NULL; next = next->next)
		RB_REMOVE(pool_jobs, &pool.out, next);
	pool_unlock();
	for (; pj != NULL; pj = next) {
		next = pj->next;
		pool.current = pj->db;
		pool.collecting = pj->job;
		dbsetup_connected_cb(-1, EV_READ, pj->db);
		pool.current = NULL;
		free(pj);
	}
}

void
dbpool_start(struct event_base *base, size_t nthreads)
{
	sigset_t	all, saved;
	pthread_t	thread;
	size_t		i;

	pool.base = base;
	if (pipe2(pool.notify, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("dbpool: pipe2");
	pool.notify_ev = event_new(base, pool.notify[0], EV_READ | EV_PERSIST,
	    notify_cb, NULL);
	if (pool.notify_ev == NULL || event_add(pool.notify_ev, NULL) == -1)
		fatalx("dbpool: cannot watch the pipe");
	/* Signals are the loop's. */
	if (sigfillset(&all) == -1 ||
	    pthread_sigmask(SIG_SETMASK, &all, &saved) != 0)
		fatalx("dbpool: cannot mask signals");
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&thread, NULL, pool_thread, NULL) != 0)
			fatalx("dbpool: cannot start a connect thread");
	if (pthread_sigmask(SIG_SETMASK, &saved, NULL) != 0)
		abort();
}

void
dbpool_counters(struct dbpool_counters *c)
{
	pool_lock();
	*c = pool.counters;
	pool_unlock();
}

void
dbpool_free_db(struct db *db)
{
	pool.current = db;
	db_free(db);
	pool.current = NULL;
}

/*
 * The fetcher's db_start_thread() starts one connect thread per struct db;
 * here dbpool_start() serves them all, and dbload never calls it.
 */
int
dbconnect_start(void)
{
	errno = EOPNOTSUPP;
	return -1;
}

void
dbconnect_submit(struct dbconnect_job *job)
{
	struct pool_job	*pj;

	if ((pj = calloc(1, sizeof(*pj))) == NULL)
		fatal("dbpool: calloc");
	pj->db = current_db();
	pj->job = job;
	pj->sock = -1;
	pool_lock();
	if (RB_INSERT(pool_jobs, &pool.out, pj) != NULL)
		fatalx("dbpool: a connect was submitted while another was out");
	pool.counters.submitted++;
	*pool.todo_tail = pj;
	pool.todo_tail = &pj->next;
	pool_changed();
	pool_unlock();
}

void
dbconnect_cancel(void)
{
	struct pool_job	*pj;

	pool_lock();
	if ((pj = pool_job_of(current_db())) != NULL) {
		pj->cancelled = 1;
		if (pj->sock != -1)
			(void)shutdown(pj->sock, SHUT_RDWR);
	}
	pool_unlock();
}

struct dbconnect_job *
dbconnect_collect(void)
{
	struct dbconnect_job	*job = pool.collecting;

	pool.collecting = NULL;
	return job;
}

/* Removes a finished job from the done list; the lock is held. */
static void
done_unlink(struct pool_job *pj)
{
	struct pool_job	**p;

	for (p = &pool.done; *p != pj; p = &(*p)->next)
		;
	if ((*p = pj->next) == NULL)
		pool.done_tail = p;
	RB_REMOVE(pool_jobs, &pool.out, pj);
}

struct dbconnect_job *
dbconnect_reclaim(uint32_t timeout_ms)
{
	struct dbconnect_job	*job = NULL;
	struct pool_job		*pj;
	struct timespec		 deadline;
	int			 rc = 0;

	dbconnect_cancel();
	if (clock_gettime(CLOCK_MONOTONIC, &deadline) == -1)
		return NULL;
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pool_lock();
	if ((pj = pool_job_of(current_db())) == NULL) {
		pool_unlock();
		return NULL;
	}
	while (!pj->finished && rc == 0)
		rc = pthread_cond_clockwait(&pool.changed, &pool.lock,
		    CLOCK_MONOTONIC, &deadline);
	if (pj->finished) {
		done_unlink(pj);
		job = pj->job;
		free(pj);
	}
	pool_unlock();
	return job;
}

/* As fetcher/dbconnect.c's: learns the socket, so a cancel can end a wait. */
int
dbconnect_io_wait(my_socket fd, my_bool is_read, int timeout_ms)
{
	struct pollfd	pfd;
	int		rc, cancelled = 0;

	if (running == NULL)
		timeout_ms = 0;
	else {
		pool_lock();
		if (running->sock == -1)
			running->sock = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		cancelled = running->cancelled;
		pool_unlock();
		if (cancelled) {
			errno = ETIMEDOUT;
			return 0;
		}
		if (timeout_ms <= 0)
			timeout_ms = -1;
	}
	memset(&pfd, 0, sizeof(pfd));
	pfd.fd = fd;
	pfd.events = is_read ? POLLIN : POLLOUT;
	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc == -1 && errno == EINTR);
	return rc;
}
