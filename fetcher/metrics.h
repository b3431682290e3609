/* SPDX-License-Identifier: ISC */
/*
 * Prometheus text exposition format 0.0.4: a small writer of our own
 * (Debian packages no library for it), and the fetcher's metric families
 * (doc/architecture.md, 5.4) with the hooks the poll and the results call.
 */
#ifndef MULTINIC_METRICS_H
#define MULTINIC_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct evbuffer;
struct fetcher;
struct msg_result;
struct msg_row;

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

#define METRIC_LABELS_MAX	3
#define METRIC_LABEL_MAX	CONFIG_NAME_MAX	/* a value, NUL included */
#define METRIC_SAMPLES_MAX	8
#define METRIC_BUCKETS_MAX	16

/* One line (or, for a histogram, one group of lines) of a family. */
struct metric_sample {
	const char	*label_names[METRIC_LABELS_MAX];
	char		 label_values[METRIC_LABELS_MAX][METRIC_LABEL_MAX];
	size_t		 nlabels;
	double		 value;				/* counter, gauge */
	uint64_t	 buckets[METRIC_BUCKETS_MAX];	/* per bound, not cumulated */
	uint64_t	 count;				/* every observation */
	double		 sum;
};

/* A family: fixed size, no allocation, so a render never fails halfway. */
struct metric {
	const char		*name;
	const char		*help;
	enum metric_type	 type;
	const double		*bounds;	/* histogram: ascending, no +Inf */
	size_t			 nbounds;
	struct metric_sample	 samples[METRIC_SAMPLES_MAX];
	size_t			 nsamples;
};

/* name and help must outlive the family (string literals). */
void	metric_init(struct metric *, const char *name, const char *help,
	    enum metric_type);
void	metric_init_histogram(struct metric *, const char *name,
	    const char *help, const double *bounds, size_t nbounds);
/*
 * Adds a sample with nlabels labels (names must outlive the family; values
 * are copied, cut to METRIC_LABEL_MAX - 1 bytes). NULL when the family is
 * full or nlabels too large: a bug of ours, so callers treat it as fatal.
 */
struct metric_sample	*metric_add(struct metric *, const char *const *names,
			    const char *const *values, size_t nlabels);
/* The sample whose first label has this value; NULL if none. */
struct metric_sample	*metric_find(struct metric *, const char *value);
/* Replaces a sample's label value (agent_info's node name may change). */
void	metric_relabel(struct metric_sample *, size_t label,
	    const char *value);
void	metric_inc(struct metric_sample *, double by);
void	metric_set(struct metric_sample *, double value);
void	metric_observe(const struct metric *, struct metric_sample *,
	    double value);
/* Appends the family's text; -1 when out of memory. */
int	metric_render(const struct metric *, struct evbuffer *);

/* The fetcher's families, created at start with every sample in place. */
struct metrics;

struct metrics	*metrics_new(void);
void		 metrics_free(struct metrics *);

/* poll.c: a poll is queued, and its outcome arrives. */
void	metrics_poll_started(struct metrics *);
void	metrics_poll_result(struct metrics *, int ok);
/* poll.c: a poll starts early or fast for a hot-plug window. */
void	metrics_hotplug_poll(struct metrics *);
/* poll.c: the snapshot of a successful poll is queued for the applier. */
void	metrics_snapshot_sent(struct metrics *, uint64_t generation);
/* poll.c: a held row is logged (once per row and reason). */
void	metrics_row_rejected(struct metrics *, const struct msg_row *);
/* results.c: a netplan_success write-back failed or could not be queued. */
void	metrics_writeback_failed(struct metrics *);
/*
 * results.c: the applier's verdict on generation, before it replaces the
 * previous one (old), which tells a new outcome from a repeated one.
 */
void	metrics_verdict(struct metrics *, const struct msg_result *old,
	    size_t nold, const struct msg_result *verdict, size_t n,
	    uint64_t generation);
/* results.c: a kernel event's verdict; its drift was repaired at once. */
void	metrics_event_repairs(struct metrics *, const struct msg_result *,
	    size_t n);

/* Milliseconds since the last successful poll, or since start if none. */
uint64_t	metrics_ms_since_success(const struct metrics *);

/* The whole exposition, gauges read from f at this moment. */
int	metrics_render(struct metrics *, const struct fetcher *f,
	    struct evbuffer *);

#endif
