/* SPDX-License-Identifier: ISC */
/*
 * Many nodes polling one MariaDB server (doc/architecture.md, 7.4): each
 * simulated node keeps one persistent connection and runs the fetcher's own
 * prepared SELECT every interval, at a random phase. Prints the latency
 * distribution of those polls as the server answers them.
 *
 * dbload -S socket -u user -p password -D db [-n nodes] [-i seconds]
 *        [-d seconds] [-t threads]
 */

#include <err.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "../fetcher/db.h"

#define NAME_MAX_LEN	64
#define LATENCY_BUCKETS	100000	/* 10 us each: up to 1 s */
#define BUCKET_US	10

struct node {
	MYSQL		*mysql;
	MYSQL_STMT	*stmt;
	char		 names[2][NAME_MAX_LEN];
	unsigned long	 name_len[2];
	double		 due;		/* monotonic seconds */
};

struct worker {
	pthread_t	 thread;
	struct node	*nodes;
	size_t		 nnodes;
	uint64_t	*buckets;	/* latency histogram */
	uint64_t	 polls, errors, late;
	double		 max_ms;
};

static struct {
	const char	*socket, *user, *password, *database;
	size_t		 nodes, threads;
	double		 interval, duration;
	char		 sql[1024];
	double		 start, stop;
} opt = { NULL, "multinic", "", "multinic_db", 10000, 4, 30, 120, "", 0, 0 };

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
node_connect(struct node *n, size_t id)
{
	MYSQL_BIND	bind[4];	/* the names twice, as the fetcher binds */
	int		i;

	snprintf(n->names[0], NAME_MAX_LEN, "node%zu.novalocal", id);
	snprintf(n->names[1], NAME_MAX_LEN, "node%zu", id);
	if ((n->mysql = mysql_init(NULL)) == NULL)
		errx(1, "mysql_init");
	if (mysql_real_connect(n->mysql, NULL, opt.user, opt.password,
	    opt.database, 0, opt.socket, 0) == NULL)
		errx(1, "node %zu: connect: %s", id, mysql_error(n->mysql));
	if ((n->stmt = mysql_stmt_init(n->mysql)) == NULL ||
	    mysql_stmt_prepare(n->stmt, opt.sql, strlen(opt.sql)) != 0)
		errx(1, "node %zu: prepare: %s", id, mysql_error(n->mysql));
	memset(bind, 0, sizeof(bind));
	for (i = 0; i < 4; i++) {
		n->name_len[i % 2] = strlen(n->names[i % 2]);
		bind[i].buffer_type = MYSQL_TYPE_STRING;
		bind[i].buffer = n->names[i % 2];
		bind[i].buffer_length = n->name_len[i % 2];
		bind[i].length = &n->name_len[i % 2];
	}
	if (mysql_stmt_bind_param(n->stmt, bind) != 0)
		errx(1, "node %zu: bind: %s", id, mysql_stmt_error(n->stmt));
}

/* One poll as the fetcher makes it: execute, store, fetch every row. */
static int
node_poll(struct node *n)
{
	int	rc;

	if (mysql_stmt_execute(n->stmt) != 0 ||
	    mysql_stmt_store_result(n->stmt) != 0)
		return -1;
	while ((rc = mysql_stmt_fetch(n->stmt)) == 0 ||
	    rc == MYSQL_DATA_TRUNCATED)
		;
	mysql_stmt_free_result(n->stmt);
	return rc == MYSQL_NO_DATA ? 0 : -1;
}

static void
record(struct worker *w, double ms)
{
	size_t	bucket = (size_t)(ms * 1000 / BUCKET_US);

	w->buckets[bucket < LATENCY_BUCKETS ? bucket : LATENCY_BUCKETS - 1]++;
	if (ms > w->max_ms)
		w->max_ms = ms;
}

static int
by_due(const void *a, const void *b)
{
	const struct node	*x = a, *y = b;

	return (x->due > y->due) - (x->due < y->due);
}

/* Nodes sorted by phase: each round polls them in order, when due. */
static void *
worker_run(void *arg)
{
	struct worker	*w = arg;
	struct node	*n;
	double		 t, begin;
	size_t		 i;

	qsort(w->nodes, w->nnodes, sizeof(*w->nodes), by_due);
	for (;;) {
		for (i = 0; i < w->nnodes; i++) {
			n = &w->nodes[i];
			if (n->due >= opt.stop)
				return NULL;
			if ((t = n->due - now()) > 0)
				usleep((useconds_t)(t * 1e6));
			else if (t < -0.001)
				w->late++;
			begin = now();
			if (node_poll(n) == -1)
				w->errors++;
			else
				record(w, (now() - begin) * 1000);
			w->polls++;
			n->due += opt.interval;
		}
	}
}

static double
percentile(const uint64_t *buckets, uint64_t total, double p)
{
	uint64_t	seen = 0, want = (uint64_t)(p * (double)total);
	size_t		i;

	for (i = 0; i < LATENCY_BUCKETS; i++)
		if ((seen += buckets[i]) > want)
			return (double)(i + 1) * BUCKET_US / 1000;
	return (double)LATENCY_BUCKETS * BUCKET_US / 1000;
}

static void
report(struct worker *workers, double connect_s)
{
	uint64_t	*sum, polls = 0, errors = 0, late = 0;
	double		 max_ms = 0;
	size_t		 i, b;

	if ((sum = calloc(LATENCY_BUCKETS, sizeof(*sum))) == NULL)
		err(1, "calloc");
	for (i = 0; i < opt.threads; i++) {
		for (b = 0; b < LATENCY_BUCKETS; b++)
			sum[b] += workers[i].buckets[b];
		polls += workers[i].polls;
		errors += workers[i].errors;
		late += workers[i].late;
		if (workers[i].max_ms > max_ms)
			max_ms = workers[i].max_ms;
	}
	printf("nodes %zu, interval %.0f s, measured %.0f s, %zu client"
	    " threads\n", opt.nodes, opt.interval, opt.duration, opt.threads);
	printf("connect and prepare: %.1f s for all nodes\n", connect_s);
	printf("polls %llu (%.0f/s), errors %llu, started >1 ms late %llu\n",
	    (unsigned long long)polls, (double)polls / opt.duration,
	    (unsigned long long)errors, (unsigned long long)late);
	printf("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f"
	    "  max %.2f\n", percentile(sum, polls - errors, 0.50),
	    percentile(sum, polls - errors, 0.90),
	    percentile(sum, polls - errors, 0.99),
	    percentile(sum, polls - errors, 0.999), max_ms);
	free(sum);
}

static void
parse_args(int argc, char *argv[])
{
	int	c;

	while ((c = getopt(argc, argv, "S:u:p:D:n:i:d:t:")) != -1) {
		switch (c) {
		case 'S': opt.socket = optarg; break;
		case 'u': opt.user = optarg; break;
		case 'p': opt.password = optarg; break;
		case 'D': opt.database = optarg; break;
		case 'n': opt.nodes = strtoul(optarg, NULL, 10); break;
		case 'i': opt.interval = strtod(optarg, NULL); break;
		case 'd': opt.duration = strtod(optarg, NULL); break;
		case 't': opt.threads = strtoul(optarg, NULL, 10); break;
		default:
			errx(2, "usage: dbload -S socket -u user -p password"
			    " -D db [-n nodes] [-i s] [-d s] [-t threads]");
		}
	}
	if (opt.socket == NULL || opt.nodes == 0 || opt.threads == 0 ||
	    opt.threads > opt.nodes || opt.interval <= 0 || opt.duration <= 0)
		errx(2, "need -S, and positive -n, -i, -d, -t (t <= n)");
}

int
main(int argc, char *argv[])
{
	struct worker	*workers;
	struct node	*nodes;
	double		 connect_start;
	size_t		 i, per;

	parse_args(argc, argv);
	if (db_select_sql(opt.sql, sizeof(opt.sql), 0, 0) == -1)
		errx(1, "the SELECT does not fit");
	if ((nodes = calloc(opt.nodes, sizeof(*nodes))) == NULL ||
	    (workers = calloc(opt.threads, sizeof(*workers))) == NULL)
		err(1, "calloc");
	connect_start = now();
	for (i = 0; i < opt.nodes; i++)
		node_connect(&nodes[i], i);
	opt.start = now() + 1;
	opt.stop = opt.start + opt.duration;
	for (i = 0; i < opt.nodes; i++)
		nodes[i].due = opt.start + opt.interval *
		    ((double)random() / RAND_MAX);
	per = opt.nodes / opt.threads;
	for (i = 0; i < opt.threads; i++) {
		workers[i].nodes = nodes + i * per;
		workers[i].nnodes = i + 1 == opt.threads ?
		    opt.nodes - i * per : per;
		if ((workers[i].buckets = calloc(LATENCY_BUCKETS,
		    sizeof(uint64_t))) == NULL)
			err(1, "calloc");
		if (pthread_create(&workers[i].thread, NULL, worker_run,
		    &workers[i]) != 0)
			errx(1, "pthread_create");
	}
	for (i = 0; i < opt.threads; i++)
		pthread_join(workers[i].thread, NULL);
	report(workers, opt.start - 1 - connect_start);
	return 0;
}
