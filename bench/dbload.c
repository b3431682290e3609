/* SPDX-License-Identifier: ISC */
/*
 * Many nodes polling one MariaDB server (doc/architecture.md, 7.4), each
 * through the fetcher's own MariaDB layer (fetcher/db*.c: the non-blocking
 * connection driven by libevent, the probe, the prepared SELECT, the
 * silent reconnect-and-retry, the timeouts), all nodes on one loop, their
 * connects on a pool of threads (dbpool.c) where the fetcher has one each.
 *
 * Open loop: every node has a schedule, a random phase then one poll per
 * interval, and a poll's latency runs from the time it was due to the time
 * its rows are in, so a poll that had to wait (behind a slow answer, for a
 * connect, for the loop) counts its wait. A failed poll retries after the
 * fetcher's own backoff (fetcher/backoff.c). The first poll of each node
 * (connect, probe, prepare, SELECT) is reported apart; the steady figures
 * are the polls due after every node's first.
 *
 * SIGUSR1 says the server is down (bench/dbload.sh sends it during a
 * restart): from then on, dbload reports how long each node takes to poll
 * successfully again, the connects per second, and stops once every node
 * has.
 *
 * dbload (-S socket | -H host -P port [-T] [-C ca]) -u user -p password
 *        -D db [-n nodes] [-r rows] [-i seconds] [-d seconds] [-c threads]
 *        [-v]
 */

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "../fetcher/backoff.h"
#include "../fetcher/db.h"
#include "config.h"
#include "dbpool.h"
#include "log.h"

#define NAME_LEN	64
/* 10 us buckets up to 100 ms, then 1 ms buckets up to 10 minutes. */
#define FINE_US		10
#define FINE_BUCKETS	10000
#define COARSE_US	1000
#define HIST_BUCKETS	(FINE_BUCKETS + 600000)
#define SECONDS_MAX	3600	/* connects per second, for the peak */
#define DRAIN_SECONDS	30	/* for polls in flight at the end */

struct hist {
	uint64_t	count[HIST_BUCKETS];
	uint64_t	total;
	double		min_ms, max_ms;
};

struct node {
	struct db	*db;
	struct event	*due_ev;
	struct backoff	 backoff;
	double		 due;		/* of the poll running or next */
	double		 started;	/* db_poll() of the poll running */
	int		 busy;
	int		 first_done;
	int		 recovered;	/* polled again since the restart */
	char		 names[2][NAME_LEN];
};

static struct {
	const char	*socket, *host, *user, *password, *database, *ca;
	unsigned int	 port;
	int		 tls, verbose;
	size_t		 nodes, rows, threads;
	double		 interval, duration;
} opt = { NULL, NULL, "multinic", "", "multinic_db", NULL, 3306, 0, 0,
    10000, 3, 16, 30, 120 };

static struct {
	struct event_base	*base;
	struct node		*nodes;
	double			 start, window, stop;	/* steady: [window, stop) */
	int			 stopping;
	size_t			 busy;
	struct hist		 first, steady, recovery;
	uint64_t		 first_errors, steady_errors, late;
	uint64_t		 errors_total, wrong_rows;
	char			 first_error[256];
	double			 restart_at;		/* 0: none */
	size_t			 recovered;
	uint64_t		 restart_errors;
	uint64_t		 connects[SECONDS_MAX];	/* by second of run */
	struct dbpool_counters	 last;
} run;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timeval
tv_of(double seconds)
{
	struct timeval	tv;

	if (seconds < 0)
		seconds = 0;
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	return tv;
}

static void
hist_add(struct hist *h, double ms)
{
	double	us = ms * 1000;
	size_t	b;

	/* A poll cannot end before it is due; a clock that says so is 0. */
	if (ms < 0)
		ms = us = 0;

	if (us < (double)FINE_US * FINE_BUCKETS)
		b = (size_t)(us / FINE_US);
	else
		b = FINE_BUCKETS + (size_t)((us - FINE_US * FINE_BUCKETS) /
		    COARSE_US);
	h->count[b < HIST_BUCKETS ? b : HIST_BUCKETS - 1]++;
	if (h->total == 0 || ms < h->min_ms)
		h->min_ms = ms;
	if (ms > h->max_ms)
		h->max_ms = ms;
	h->total++;
}

/* The upper edge of the bucket holding the p-th value. */
static double
hist_pct(const struct hist *h, double p)
{
	uint64_t	seen = 0, want = (uint64_t)(p * (double)h->total);
	size_t		b;

	for (b = 0; b < HIST_BUCKETS; b++)
		if ((seen += h->count[b]) > want)
			return b < FINE_BUCKETS ?
			    (double)(b + 1) * FINE_US / 1000 :
			    ((double)FINE_US * FINE_BUCKETS +
			    (double)(b - FINE_BUCKETS + 1) * COARSE_US) / 1000;
	return h->max_ms;
}

static void
hist_print(const char *what, const struct hist *h)
{
	if (h->total == 0) {
		printf("%s: none\n", what);
		return;
	}
	printf("%s ms: min %.2f  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f"
	    "  max %.2f  (n %llu)\n", what, h->min_ms, hist_pct(h, 0.50),
	    hist_pct(h, 0.90), hist_pct(h, 0.99), hist_pct(h, 0.999),
	    h->max_ms, (unsigned long long)h->total);
}

static void	poll_start(struct node *);

static void
schedule(struct node *n)
{
	struct timeval	tv;
	double		wait = n->due - now();

	if (n->due >= run.stop)
		return;
	/* Late already (a slow poll, a backoff): it starts now, and counts. */
	if (wait <= 0) {
		poll_start(n);
		return;
	}
	tv = tv_of(wait);
	if (evtimer_add(n->due_ev, &tv) == -1)
		errx(1, "evtimer_add");
}

static void
note_error(const char *error)
{
	run.errors_total++;
	if (run.first_error[0] == '\0')
		(void)snprintf(run.first_error, sizeof(run.first_error), "%s",
		    error != NULL ? error : "?");
}

static void
poll_ok(struct node *n, double done)
{
	double	ms = (done - n->due) * 1000;

	if (!n->first_done)
		hist_add(&run.first, ms);
	else if (n->due >= run.window && n->due < run.stop)
		hist_add(&run.steady, ms);
	if (run.restart_at > 0 && !n->recovered && n->started > run.restart_at) {
		n->recovered = 1;
		run.recovered++;
		hist_add(&run.recovery, (done - run.restart_at) * 1000);
		if (run.recovered == opt.nodes)
			run.stop = done;
	}
	backoff_reset(&n->backoff);
	n->due += opt.interval;
}

static void
poll_failed(struct node *n, double done, const char *error)
{
	note_error(error);
	if (!n->first_done)
		run.first_errors++;
	else if (n->due >= run.window && n->due < run.stop)
		run.steady_errors++;
	if (run.restart_at > 0)
		run.restart_errors++;
	/* What the fetcher does: retry after its backoff, from now. */
	n->due = done + backoff_fail(&n->backoff, arc4random()) / 1000.0;
}

static void
poll_done(void *arg, int ok, const struct db_poll_row *rows, size_t nrows,
    const char *error)
{
	struct node	*n = arg;
	double		 done = now();

	(void)rows;
	n->busy = 0;
	run.busy--;
	if (ok && nrows != opt.rows) {
		run.wrong_rows++;
		ok = 0;
		error = "a poll returned the wrong number of rows";
	}
	if (ok)
		poll_ok(n, done);
	else
		poll_failed(n, done, error);
	n->first_done = 1;
	if (!run.stopping)
		schedule(n);
}

static void
poll_start(struct node *n)
{
	const char	*names[2] = { n->names[0], n->names[1] };

	if (n->due >= run.window && n->due < run.stop &&
	    now() - n->due > 0.001)
		run.late++;
	n->started = now();
	if (db_poll(n->db, names, 2, poll_done, n) == -1)
		err(1, "db_poll");
	n->busy = 1;
	run.busy++;
}

static void
due_cb(evutil_socket_t fd, short what, void *arg)
{
	struct node	*n = arg;

	(void)fd;
	(void)what;
	/* The run ended early (every node back after a restart). */
	if (run.stopping || n->due >= run.stop)
		return;
	poll_start(n);
}

/* Every second: connects made, for the peak rate; and the end of the run. */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dbpool_counters	c;
	size_t			second = (size_t)(now() - run.start);

	(void)fd;
	(void)what;
	(void)arg;
	dbpool_counters(&c);
	if (second < SECONDS_MAX)
		run.connects[second] += c.submitted - run.last.submitted;
	run.last = c;
	if (now() >= run.stop && !run.stopping)
		run.stopping = 1;
	if (run.stopping && (run.busy == 0 ||
	    now() > run.stop + DRAIN_SECONDS))
		event_base_loopbreak(run.base);
}

static void
restart_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (run.restart_at == 0)
		run.restart_at = now();
}

static void
node_init(struct node *n, size_t id, const struct config *conf,
    const struct config_secret *secret)
{
	(void)snprintf(n->names[0], NAME_LEN, "node%zu.novalocal", id);
	(void)snprintf(n->names[1], NAME_LEN, "node%zu", id);
	if ((n->db = db_new(run.base, conf, secret)) == NULL)
		errx(1, "db_new");
	if ((n->due_ev = evtimer_new(run.base, due_cb, n)) == NULL)
		errx(1, "evtimer_new");
	backoff_init(&n->backoff, conf->poll_interval_ms,
	    conf->backoff_max_interval_ms, conf->backoff_multiplier);
}

static void
config_make(struct config *conf, struct config_secret *secret)
{
	config_defaults(conf);
	if (opt.socket != NULL) {
		if (strlcpy(conf->db_socket, opt.socket,
		    sizeof(conf->db_socket)) >= sizeof(conf->db_socket))
			errx(2, "-S: too long");
	} else {
		if (strlcpy(conf->db_hosts[0].name, opt.host,
		    sizeof(conf->db_hosts[0].name)) >=
		    sizeof(conf->db_hosts[0].name))
			errx(2, "-H: too long");
		(void)strlcpy(conf->db_host, opt.host, sizeof(conf->db_host));
		conf->db_hosts[0].port = (uint16_t)opt.port;
		conf->ndb_hosts = 1;
	}
	conf->db_tls = opt.ca != NULL ? DB_TLS_VERIFY :
	    opt.tls ? DB_TLS_ON : DB_TLS_OFF;
	if (opt.ca != NULL)
		(void)strlcpy(conf->db_tls_ca, opt.ca, sizeof(conf->db_tls_ca));
	(void)strlcpy(conf->db_user, opt.user, sizeof(conf->db_user));
	(void)strlcpy(conf->db_name, opt.database, sizeof(conf->db_name));
	conf->poll_interval_ms = (uint32_t)(opt.interval * 1000);
	if (conf->backoff_max_interval_ms < conf->poll_interval_ms)
		conf->backoff_max_interval_ms = conf->poll_interval_ms;
	memset(secret, 0, sizeof(*secret));
	if (strlcpy(secret->db_password, opt.password,
	    sizeof(secret->db_password)) >= sizeof(secret->db_password))
		errx(2, "-p: too long");
}

static double
peak_connects(size_t from)
{
	uint64_t	peak = 0;
	size_t		s;

	for (s = from; s < SECONDS_MAX; s++)
		if (run.connects[s] > peak)
			peak = run.connects[s];
	return (double)peak;
}

static void
report(const struct config *conf)
{
	struct dbpool_counters	c;
	double			measured = run.stop - run.window;

	dbpool_counters(&c);
	printf("nodes %zu, %zu rows each, interval %.0f s, steady window"
	    " %.0f s, %s%s, %zu connect threads\n", opt.nodes, opt.rows,
	    opt.interval, measured > 0 ? measured : 0,
	    opt.socket != NULL ? "unix socket" : "TCP",
	    conf->db_tls == DB_TLS_VERIFY ? " with TLS (verify)" :
	    conf->db_tls == DB_TLS_ON ? " with TLS" : "", opt.threads);
	hist_print("first poll of each node (connect, prepare, SELECT),"
	    " from its due time", &run.first);
	printf("first polls failed: %llu\n",
	    (unsigned long long)run.first_errors);
	hist_print("steady polls, from their due time", &run.steady);
	printf("steady polls: %llu done (%.1f/s; scheduled %.1f/s), %llu"
	    " failed, %llu started >1 ms after due\n",
	    (unsigned long long)run.steady.total, measured > 0 ?
	    (double)run.steady.total / measured : 0,
	    (double)opt.nodes / opt.interval,
	    (unsigned long long)run.steady_errors,
	    (unsigned long long)run.late);
	printf("connects: %llu made, %llu failed; peak %.0f attempts/s\n",
	    (unsigned long long)c.connected, (unsigned long long)c.failed,
	    peak_connects(0));
	if (run.restart_at > 0) {
		printf("restart: %zu of %zu nodes polled again, %llu polls"
		    " failed after the server was down, peak %.0f connect"
		    " attempts/s from then on\n",
		    run.recovered, opt.nodes,
		    (unsigned long long)run.restart_errors,
		    peak_connects((size_t)(run.restart_at - run.start)));
		hist_print("restart: from the server down to a node's next"
		    " good poll", &run.recovery);
	}
	if (run.wrong_rows > 0)
		printf("polls with the wrong number of rows: %llu\n",
		    (unsigned long long)run.wrong_rows);
	if (run.errors_total > 0)
		printf("errors: %llu; the first: %s\n",
		    (unsigned long long)run.errors_total, run.first_error);
	if (run.busy > 0)
		printf("polls still running %d s after the end: %zu\n",
		    DRAIN_SECONDS, run.busy);
}

static void
usage(void)
{
	errx(2, "usage: dbload (-S socket | -H host -P port [-T] [-C ca])"
	    " -u user -p password -D db [-n nodes] [-r rows] [-i s] [-d s]"
	    " [-c threads] [-v]");
}

static void
parse_args(int argc, char *argv[])
{
	const char	*e = NULL;
	int		 c;

	while ((c = getopt(argc, argv, "S:H:P:TC:u:p:D:n:r:i:d:c:v")) != -1) {
		switch (c) {
		case 'S': opt.socket = optarg; break;
		case 'H': opt.host = optarg; break;
		case 'P': opt.port = strtonum(optarg, 1, 65535, &e); break;
		case 'T': opt.tls = 1; break;
		case 'C': opt.ca = optarg; break;
		case 'u': opt.user = optarg; break;
		case 'p': opt.password = optarg; break;
		case 'D': opt.database = optarg; break;
		case 'n': opt.nodes = strtonum(optarg, 1, 1000000, &e); break;
		case 'r': opt.rows = strtonum(optarg, 0, 64, &e); break;
		case 'i': opt.interval = strtonum(optarg, 1, 3600, &e); break;
		case 'd': opt.duration = strtonum(optarg, 1, 3000, &e); break;
		case 'c': opt.threads = strtonum(optarg, 1, 1024, &e); break;
		case 'v': opt.verbose = 1; break;
		default: usage();
		}
		if (e != NULL)
			errx(2, "-%c %s: %s", c, optarg, e);
	}
	if ((opt.socket == NULL) == (opt.host == NULL) ||
	    (opt.socket != NULL && (opt.tls || opt.ca != NULL)))
		usage();
	if (opt.interval + opt.duration + DRAIN_SECONDS >= SECONDS_MAX)
		errx(2, "-i plus -d must stay under %d s",
		    SECONDS_MAX - DRAIN_SECONDS);
}

int
main(int argc, char *argv[])
{
	struct config		 conf;
	struct config_secret	 secret;
	struct event_config	*cfg;
	struct event		*tick, *restart;
	struct timeval		 second = { 1, 0 };
	size_t			 i;

	parse_args(argc, argv);
	log_init("dbload", LOG_DEST_STDERR, LOG_FORMAT_TEXT,
	    opt.verbose ? LOG_LEVEL_WARN : LOG_LEVEL_ERROR);
	config_make(&conf, &secret);
	db_preload();
	/*
	 * Due times are to the microsecond: no time cached across callbacks,
	 * and timers from timerfd rather than epoll's milliseconds.
	 */
	if ((cfg = event_config_new()) == NULL ||
	    event_config_set_flag(cfg, EVENT_BASE_FLAG_NO_CACHE_TIME |
	    EVENT_BASE_FLAG_PRECISE_TIMER) == -1 ||
	    (run.base = event_base_new_with_config(cfg)) == NULL)
		errx(1, "cannot make the event loop");
	event_config_free(cfg);
	if ((run.nodes = calloc(opt.nodes, sizeof(*run.nodes))) == NULL)
		err(1, "calloc");
	dbpool_start(run.base, opt.threads);
	for (i = 0; i < opt.nodes; i++)
		node_init(&run.nodes[i], i, &conf, &secret);
	explicit_bzero(&secret, sizeof(secret));
	/* Set up 10,000 nodes first: the schedule starts when all are. */
	run.start = now();
	run.window = run.start + opt.interval;
	run.stop = run.window + opt.duration;
	for (i = 0; i < opt.nodes; i++) {
		/* The daemon's splay at start: a random phase in the interval. */
		run.nodes[i].due = run.start +
		    opt.interval * (arc4random() / 4294967296.0);
		schedule(&run.nodes[i]);
	}
	tick = event_new(run.base, -1, EV_PERSIST, tick_cb, NULL);
	restart = evsignal_new(run.base, SIGUSR1, restart_cb, NULL);
	if (tick == NULL || event_add(tick, &second) == -1 ||
	    restart == NULL || event_add(restart, NULL) == -1)
		errx(1, "cannot set up the timers");
	printf("dbload: %zu nodes started\n", opt.nodes);
	fflush(stdout);
	if (event_base_dispatch(run.base) == -1)
		errx(1, "event_base_dispatch");
	report(&conf);
	for (i = 0; i < opt.nodes; i++)
		if (!run.nodes[i].busy)
			dbpool_free_db(run.nodes[i].db);
	return 0;
}

/*
 * Each struct db asks for a resolver of its own (db_new()), which opens a
 * UDP socket at once: 10,000 of them would take half the descriptors
 * (nofile) before the first connect. dbload names the server by socket or
 * IP literal, which no resolver serves, so the nodes share one, made once
 * and freed by nobody.
 */
struct evdns_base	*__real_evdns_base_new(struct event_base *, int);
struct evdns_base	*__wrap_evdns_base_new(struct event_base *, int);
void			 __wrap_evdns_base_free(struct evdns_base *, int);

struct evdns_base *
__wrap_evdns_base_new(struct event_base *base, int flags)
{
	static struct evdns_base	*shared;

	if (shared == NULL)
		shared = __real_evdns_base_new(base, flags);
	return shared;
}

void
__wrap_evdns_base_free(struct evdns_base *dns, int fail_requests)
{
	(void)dns;
	(void)fail_requests;
}
