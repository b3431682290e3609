/* SPDX-License-Identifier: ISC */
/*
 * What the fetcher reports about itself and the NICs, built once for every
 * reader: the HTTP status endpoint and multinicctl's status and show
 * interfaces give the same counts, names and JSON types.
 */
#ifndef MULTINIC_STATUS_H
#define MULTINIC_STATUS_H

#include <stddef.h>
#include <time.h>

#include "fetcher.h"

struct json_object;

/* The applier's verdict plus rows it has not answered for yet. */
#define STATUS_NICS_MAX	(RESULTS_MAX + SNAPSHOT_ROWS_MAX)

struct census {
	unsigned	by_state[NIC_STATE_COUNT];
	unsigned	processed;	/* rows applied */
	unsigned	failed;		/* failed or held */
};

/* CLOCK_MONOTONIC in seconds. */
double	status_clock(void);
double	status_uptime(const struct fetcher *);
void	status_node_name(const struct fetcher *, char *buf, size_t len);

/*
 * Every NIC to report: the applier's last verdict (rows and managed NICs
 * without a row), then rows of a later poll it has not answered for yet,
 * pending or held. Returns how many were written to nics.
 */
size_t	status_nics(const struct fetcher *, struct msg_result *nics,
	    size_t max);
void	status_census(const struct fetcher *, struct census *);

/* 0, or -1 when memory is short (val is released either way). */
int	status_json_add(struct json_object *, const char *key,
	    struct json_object *val);
/* RFC 3339 UTC, or null for 0 (never). */
int	status_json_add_time(struct json_object *, const char *key, time_t);
/*
 * What GET / and multinicctl status share: version, node_name,
 * uptime_seconds, database_connected, last_sync, the poll and snapshot
 * counters (a client waits on them for a whole cycle) and the interface
 * counts by state. 0, or -1 when memory is short.
 */
int	status_json_common(const struct fetcher *, const struct census *,
	    struct json_object *);
/* One object per NIC, as multinicctl show interfaces -j prints; or NULL. */
struct json_object	*status_json_nics(const struct fetcher *);

#endif
