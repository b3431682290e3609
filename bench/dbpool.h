/* SPDX-License-Identifier: ISC */
/*
 * dbload's connect pool: fetcher/dbconnect.h's interface served by a few
 * threads for many struct db on one loop (see dbpool.c).
 */
#ifndef MULTINIC_BENCH_DBPOOL_H
#define MULTINIC_BENCH_DBPOOL_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct event_base;

struct dbpool_counters {
	uint64_t	submitted;	/* connects handed to the pool */
	uint64_t	connected;	/* mysql_real_connect() succeeded */
	uint64_t	failed;		/* it failed, or was cancelled first */
};

/* Before the first db_poll(): nthreads connect threads for base's loop. */
void	dbpool_start(struct event_base *, size_t nthreads);
void	dbpool_counters(struct dbpool_counters *);
/* db_free() for a struct db of this pool (its connect is taken back). */
void	dbpool_free_db(struct db *);

#endif
