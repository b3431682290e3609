/* SPDX-License-Identifier: ISC */
/*
 * Prometheus text format 0.0.4 (our own writer: Debian has no library for
 * it) and the fetcher's metric families, fed by the poll and the results.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "fetcher.h"
#include "log.h"
#include "metrics.h"
#include "state.h"
#include "status.h"

static const char *const metric_type_names[] = {
	[METRIC_COUNTER] = "counter",
	[METRIC_GAUGE] = "gauge",
	[METRIC_HISTOGRAM] = "histogram",
};

void
metric_init(struct metric *m, const char *name, const char *help,
    enum metric_type type)
{
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->help = help;
	m->type = type;
}

void
metric_init_histogram(struct metric *m, const char *name, const char *help,
    const double *bounds, size_t nbounds)
{
	metric_init(m, name, help, METRIC_HISTOGRAM);
	if (nbounds > METRIC_BUCKETS_MAX)
		fatalx("%s: %zu buckets, at most %d", name, nbounds,
		    METRIC_BUCKETS_MAX);
	m->bounds = bounds;
	m->nbounds = nbounds;
}

struct metric_sample *
metric_add(struct metric *m, const char *const *names,
    const char *const *values, size_t nlabels)
{
	struct metric_sample	*s;
	size_t			 i;

	if (m->nsamples >= METRIC_SAMPLES_MAX || nlabels > METRIC_LABELS_MAX)
		return NULL;
	s = &m->samples[m->nsamples++];
	memset(s, 0, sizeof(*s));
	s->nlabels = nlabels;
	for (i = 0; i < nlabels; i++) {
		s->label_names[i] = names[i];
		metric_relabel(s, i, values[i]);
	}
	return s;
}

struct metric_sample *
metric_find(struct metric *m, const char *value)
{
	size_t	i;

	for (i = 0; i < m->nsamples; i++)
		if (m->samples[i].nlabels > 0 &&
		    strcmp(m->samples[i].label_values[0], value) == 0)
			return &m->samples[i];
	return NULL;
}

void
metric_relabel(struct metric_sample *s, size_t label, const char *value)
{
	if (label < s->nlabels)
		strlcpy(s->label_values[label], value,
		    sizeof(s->label_values[label]));
}

void
metric_inc(struct metric_sample *s, double by)
{
	s->value += by;
}

void
metric_set(struct metric_sample *s, double value)
{
	s->value = value;
}

void
metric_observe(const struct metric *m, struct metric_sample *s, double value)
{
	size_t	i;

	/* Stored per bucket; the exposition's cumulative counts are summed
	 * when rendered, so an observation costs one increment. */
	for (i = 0; i < m->nbounds; i++)
		if (value <= m->bounds[i]) {
			s->buckets[i]++;
			break;
		}
	s->count++;
	s->sum += value;
}

/*
 * Go's strconv formatting is what Prometheus expects: integers without a
 * fraction, otherwise the shortest text that reads back to the same double.
 */
static void
format_value(double v, char *buf, size_t len)
{
	int	precision;

	if (isnan(v))
		strlcpy(buf, "NaN", len);
	else if (isinf(v))
		strlcpy(buf, v > 0 ? "+Inf" : "-Inf", len);
	else if (v == floor(v) && fabs(v) < 0x1p53)	/* exact integers */
		snprintf(buf, len, "%.0f", v);
	else
		for (precision = 15; precision <= 17; precision++) {
			snprintf(buf, len, "%.*g", precision, v);
			if (strtod(buf, NULL) == v)
				break;
		}
}

/* HELP text escapes backslash and newline; a label value also '"'. */
static int
add_escaped(struct evbuffer *out, const char *text, int quote)
{
	const char	*p;
	int		 rc = 0;

	for (p = text; *p != '\0' && rc == 0; p++) {
		if (*p == '\\')
			rc = evbuffer_add(out, "\\\\", 2);
		else if (*p == '\n')
			rc = evbuffer_add(out, "\\n", 2);
		else if (*p == '"' && quote)
			rc = evbuffer_add(out, "\\\"", 2);
		else
			rc = evbuffer_add(out, p, 1);
	}
	return rc;
}

/* {a="x",b="y"} with an optional le label last; nothing if no labels. */
static int
add_labels(struct evbuffer *out, const struct metric_sample *s,
    const char *le)
{
	size_t	i;
	int	rc = 0;

	if (s->nlabels == 0 && le == NULL)
		return 0;
	rc |= evbuffer_add(out, "{", 1);
	for (i = 0; i < s->nlabels; i++) {
		rc |= evbuffer_add_printf(out, "%s%s=\"", i > 0 ? "," : "",
		    s->label_names[i]) < 0;
		rc |= add_escaped(out, s->label_values[i], 1);
		rc |= evbuffer_add(out, "\"", 1);
	}
	if (le != NULL)
		rc |= evbuffer_add_printf(out, "%sle=\"%s\"",
		    s->nlabels > 0 ? "," : "", le) < 0;
	rc |= evbuffer_add(out, "}", 1);
	return rc != 0 ? -1 : 0;
}

/* One line: name[suffix]{labels[,le]} value */
static int
add_line(struct evbuffer *out, const struct metric *m, const char *suffix,
    const struct metric_sample *s, const char *le, double value)
{
	char	text[64];
	int	rc = 0;

	format_value(value, text, sizeof(text));
	rc |= evbuffer_add_printf(out, "%s%s", m->name, suffix) < 0;
	rc |= add_labels(out, s, le);
	rc |= evbuffer_add_printf(out, " %s\n", text) < 0;
	return rc != 0 ? -1 : 0;
}

static int
add_histogram(struct evbuffer *out, const struct metric *m,
    const struct metric_sample *s)
{
	char		le[64];
	uint64_t	cumulative = 0;
	size_t		i;
	int		rc = 0;

	for (i = 0; i < m->nbounds; i++) {
		cumulative += s->buckets[i];
		format_value(m->bounds[i], le, sizeof(le));
		rc |= add_line(out, m, "_bucket", s, le, (double)cumulative);
	}
	rc |= add_line(out, m, "_bucket", s, "+Inf", (double)s->count);
	rc |= add_line(out, m, "_sum", s, NULL, s->sum);
	rc |= add_line(out, m, "_count", s, NULL, (double)s->count);
	return rc != 0 ? -1 : 0;
}

int
metric_render(const struct metric *m, struct evbuffer *out)
{
	size_t	i;
	int	rc = 0;

	rc |= evbuffer_add_printf(out, "# HELP %s ", m->name) < 0;
	rc |= add_escaped(out, m->help, 0);
	rc |= evbuffer_add_printf(out, "\n# TYPE %s %s\n", m->name,
	    metric_type_names[m->type]) < 0;
	for (i = 0; i < m->nsamples; i++) {
		if (m->type == METRIC_HISTOGRAM)
			rc |= add_histogram(out, m, &m->samples[i]);
		else
			rc |= add_line(out, m, "", &m->samples[i], NULL,
			    m->samples[i].value);
	}
	return rc != 0 ? -1 : 0;
}

/* --- The fetcher's families (doc/architecture.md, 5.4) --- */

#define COUNT(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const statuses[] = { "success", "failure" };
/*
 * A held row's column (msg_row.field), a duplicate of another row, or the
 * applier's check (msg_result.field): "route" when a critical route moved,
 * "protected" when the row names a protected link's MAC.
 */
static const char *const reject_reasons[] = {
	"macaddress", "address", "cidr", "mtu", "duplicate", "route",
	"protected",
};
static const char *const error_types[] = { "database", "writeback", "apply" };
static const char *const info_labels[] = { "version", "os_type", "node_name" };

/* Seconds: an apply may take up to VERIFY_TIMEOUT, a connect its timeout. */
static const double apply_buckets[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};
static const double db_buckets[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
	10, 30,
};

struct metrics {
	struct metric	processed;
	struct metric	processing_duration;
	struct metric	poll_cycles;
	struct metric	poll_duration;
	struct metric	backoff_level;
	struct metric	db_connection;
	struct metric	poll_error;
	struct metric	hotplug_polls;
	struct metric	db_query_duration;
	struct metric	writeback_failures;
	struct metric	drifts;
	struct metric	drift_repairs;
	struct metric	orphans_deleted;
	struct metric	rows_rejected;
	struct metric	deletions_held;
	struct metric	landlock;
	struct metric	errors;
	struct metric	agent_info;

	double		started;	/* monotonic seconds */
	double		poll_started;
	double		last_success;
	uint64_t	sent_generation;	/* last snapshot queued */
	double		sent_at;
	time_t		sent_wall;
};

/* A sample every family has from the start: promtool and dashboards see 0. */
static void
add_plain(struct metric *m)
{
	if (metric_add(m, NULL, NULL, 0) == NULL)
		fatalx("%s: cannot add a sample", m->name);
}

static void
add_labeled(struct metric *m, const char *label, const char *const *values,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (metric_add(m, &label, &values[i], 1) == NULL)
			fatalx("%s: cannot add a sample", m->name);
}

static void
init_counters(struct metrics *m)
{
	const char	*drift_kinds[DRIFT_KINDS];
	unsigned	 bit;

	metric_init(&m->processed, "multinic_interfaces_processed_total",
	    "Interface actions the applier completed or failed.",
	    METRIC_COUNTER);
	add_labeled(&m->processed, "status", statuses, COUNT(statuses));
	metric_init(&m->poll_cycles, "multinic_polling_cycles_total",
	    "Database polls completed, successful or not.", METRIC_COUNTER);
	add_plain(&m->poll_cycles);
	metric_init(&m->hotplug_polls, "multinic_hotplug_polls_total",
	    "Polls made early or fast because a NIC without a row appeared.",
	    METRIC_COUNTER);
	add_plain(&m->hotplug_polls);
	metric_init(&m->writeback_failures,
	    "multinic_db_writeback_failures_total",
	    "netplan_success write-backs that failed (retried next cycle).",
	    METRIC_COUNTER);
	add_plain(&m->writeback_failures);
	metric_init(&m->drifts, "multinic_configuration_drifts_total",
	    "Differences between database, file and live state found.",
	    METRIC_COUNTER);
	for (bit = 0; bit < DRIFT_KINDS; bit++)
		drift_kinds[bit] = drift_kind_name(bit);
	add_labeled(&m->drifts, "drift_type", drift_kinds, DRIFT_KINDS);
	metric_init(&m->drift_repairs, "multinic_drift_repairs_total",
	    "Drift repaired on a kernel event, without waiting for a poll.",
	    METRIC_COUNTER);
	add_labeled(&m->drift_repairs, "kind", drift_kinds, DRIFT_KINDS);
	metric_init(&m->orphans_deleted,
	    "multinic_orphaned_interfaces_deleted_total",
	    "Managed interfaces de-configured after their row disappeared.",
	    METRIC_COUNTER);
	add_plain(&m->orphans_deleted);
	metric_init(&m->rows_rejected, "multinic_rows_rejected_total",
	    "Rows held by validation or the applier's checks, once per row"
	    " and reason.",
	    METRIC_COUNTER);
	add_labeled(&m->rows_rejected, "reason", reject_reasons,
	    COUNT(reject_reasons));
	metric_init(&m->errors, "multinic_errors_total",
	    "Errors by kind: failed polls, write-backs and applies.",
	    METRIC_COUNTER);
	add_labeled(&m->errors, "error_type", error_types, COUNT(error_types));
}

/* In the order update_gauges() sets them. */
static const char *const landlock_procs[] = { "fetcher", "applier" };

static void
init_others(struct metrics *m)
{
	static const char *const unknown[] = { MULTINIC_VERSION, "", "" };
	static const char *const no_error[] = { "" };

	metric_init_histogram(&m->processing_duration,
	    "multinic_interface_processing_duration_seconds",
	    "From the snapshot sent to the applier's verdict, per action.",
	    apply_buckets, COUNT(apply_buckets));
	add_plain(&m->processing_duration);
	metric_init_histogram(&m->poll_duration,
	    "multinic_polling_cycle_duration_seconds",
	    "A poll from its start to the snapshot queued.",
	    apply_buckets, COUNT(apply_buckets));
	add_plain(&m->poll_duration);
	metric_init_histogram(&m->db_query_duration,
	    "multinic_db_query_duration_seconds",
	    "The database part of a poll, connecting included.",
	    db_buckets, COUNT(db_buckets));
	add_plain(&m->db_query_duration);
	metric_init(&m->backoff_level, "multinic_polling_backoff_level",
	    "Failed polls since the last successful one.", METRIC_GAUGE);
	add_plain(&m->backoff_level);
	metric_init(&m->db_connection, "multinic_db_connection_status",
	    "1 while the last poll reached the database.", METRIC_GAUGE);
	add_plain(&m->db_connection);
	metric_init(&m->poll_error, "multinic_poll_error",
	    "1 while the last poll failed; the error label says why.",
	    METRIC_GAUGE);
	add_labeled(&m->poll_error, "error", no_error, 1);
	metric_init(&m->deletions_held, "multinic_deletions_held",
	    "1 while the mass-deletion guard holds deletions.", METRIC_GAUGE);
	add_plain(&m->deletions_held);
	metric_init(&m->landlock, "multinic_sandbox_landlock_enforced",
	    "1 while the process's Landlock rules are in force; 0 when the"
	    " kernel refused them (LANDLOCK=best-effort) or not known yet.",
	    METRIC_GAUGE);
	add_labeled(&m->landlock, "proc", landlock_procs,
	    COUNT(landlock_procs));
	metric_init(&m->agent_info, "multinic_agent_info",
	    "Constant 1, labeled with the agent's version, OS type and node.",
	    METRIC_GAUGE);
	if (metric_add(&m->agent_info, info_labels, unknown, 3) == NULL)
		fatalx("multinic_agent_info: cannot add a sample");
	metric_set(&m->agent_info.samples[0], 1);
}

struct metrics *
metrics_new(void)
{
	struct metrics	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	init_counters(m);
	init_others(m);
	m->started = m->last_success = status_clock();
	return m;
}

void
metrics_free(struct metrics *m)
{
	free(m);
}

void
metrics_poll_started(struct metrics *m)
{
	m->poll_started = status_clock();
}

void
metrics_poll_result(struct metrics *m, int ok)
{
	double	t = status_clock(), elapsed = t - m->poll_started;

	metric_observe(&m->db_query_duration, &m->db_query_duration.samples[0],
	    elapsed);
	metric_inc(&m->poll_cycles.samples[0], 1);
	if (ok) {
		m->last_success = t;
		return;
	}
	/* A failed poll ends here: its cycle is its database part. */
	metric_observe(&m->poll_duration, &m->poll_duration.samples[0],
	    elapsed);
	metric_inc(metric_find(&m->errors, "database"), 1);
}

void
metrics_hotplug_poll(struct metrics *m)
{
	metric_inc(&m->hotplug_polls.samples[0], 1);
}

void
metrics_snapshot_sent(struct metrics *m, uint64_t generation)
{
	m->sent_at = status_clock();
	m->sent_wall = time(NULL);
	m->sent_generation = generation;
	metric_observe(&m->poll_duration, &m->poll_duration.samples[0],
	    m->sent_at - m->poll_started);
}

void
metrics_row_rejected(struct metrics *m, const struct msg_row *r)
{
	struct metric_sample	*s;
	const char		*reason = r->field;

	if (strstr(r->reason, " also in row") != NULL)
		reason = "duplicate";
	if ((s = metric_find(&m->rows_rejected, reason)) == NULL) {
		log_debug("row %lld: no rejection label for field %s",
		    (long long)r->row_id, r->field);
		return;
	}
	metric_inc(s, 1);
}

void
metrics_writeback_failed(struct metrics *m)
{
	metric_inc(&m->writeback_failures.samples[0], 1);
	metric_inc(metric_find(&m->errors, "writeback"), 1);
}

static const struct msg_result *
previous_result(const struct msg_result *old, size_t nold,
    const struct msg_result *r)
{
	size_t	i;

	for (i = 0; i < nold; i++)
		if (strcmp(old[i].mac_text, r->mac_text) == 0)
			return &old[i];
	return NULL;
}

static int
same_outcome(const struct msg_result *a, const struct msg_result *b)
{
	return a != NULL && a->state == b->state && a->drift == b->drift &&
	    a->last_change == b->last_change &&
	    strcmp(a->reason, b->reason) == 0;
}

enum outcome { OUTCOME_NONE, OUTCOME_APPLIED, OUTCOME_DELETED, OUTCOME_FAILED };

/*
 * Called for a result that differs from its previous one (every verdict
 * repeats every NIC, and only a change counts). An applied NIC
 * counts when its last_change is new and not older than the snapshot (a
 * restarted fetcher must not count the applier's past work again).
 */
static enum outcome
outcome_of(const struct metrics *m, const struct msg_result *r,
    const struct msg_result *prev)
{
	if (r->state == NIC_FAILED)
		return OUTCOME_FAILED;
	if (r->state == NIC_DELETING && r->row_id == -1 &&
	    strcmp(r->reason, "deleted") == 0)
		return OUTCOME_DELETED;
	if (r->state == NIC_APPLIED && r->last_change != 0 &&
	    r->last_change >= m->sent_wall - 1 &&
	    (prev == NULL || prev->last_change != r->last_change))
		return OUTCOME_APPLIED;
	return OUTCOME_NONE;
}

/* A row the applier held (validation's holds are counted at the poll). */
static void
count_applier_hold(struct metrics *m, const struct msg_result *r)
{
	struct metric_sample	*s = NULL;

	if (memchr(r->field, '\0', sizeof(r->field)) != NULL)
		s = metric_find(&m->rows_rejected, r->field);
	if (s == NULL) {
		log_debug("row %lld: no rejection label for the applier's"
		    " check", (long long)r->row_id);
		return;
	}
	metric_inc(s, 1);
}

static void
count_outcome(struct metrics *m, const struct msg_result *r,
    enum outcome outcome, double elapsed)
{
	size_t	bit;

	for (bit = 0; bit < DRIFT_KINDS; bit++)
		if (r->drift & (1U << bit))
			metric_inc(metric_find(&m->drifts,
			    drift_kind_name(bit)), 1);
	if (r->state == NIC_HELD && r->row_id >= 0 && r->field[0] != '\0')
		count_applier_hold(m, r);
	if (outcome == OUTCOME_NONE)
		return;
	metric_inc(metric_find(&m->processed,
	    outcome == OUTCOME_FAILED ? "failure" : "success"), 1);
	if (outcome == OUTCOME_FAILED)
		metric_inc(metric_find(&m->errors, "apply"), 1);
	if (outcome == OUTCOME_DELETED)
		metric_inc(&m->orphans_deleted.samples[0], 1);
	if (elapsed >= 0)
		metric_observe(&m->processing_duration,
		    &m->processing_duration.samples[0], elapsed);
}

/*
 * The applier reports no time per action: the fetcher observes the round
 * trip of the snapshot that carried it, applier queueing included.
 */
void
metrics_verdict(struct metrics *m, const struct msg_result *old, size_t nold,
    const struct msg_result *verdict, size_t n, uint64_t generation)
{
	const struct msg_result	*prev;
	double			 elapsed = -1;
	size_t			 i;

	if (generation == m->sent_generation && m->sent_at > 0)
		elapsed = status_clock() - m->sent_at;
	for (i = 0; i < n; i++) {
		prev = previous_result(old, nold, &verdict[i]);
		if (!same_outcome(prev, &verdict[i]))
			count_outcome(m, &verdict[i],
			    outcome_of(m, &verdict[i], prev), elapsed);
	}
}

/* An event cycle sends only what it did: each drift it carries was repaired. */
void
metrics_event_repairs(struct metrics *m, const struct msg_result *results,
    size_t n)
{
	size_t		i;
	unsigned	bit;

	for (i = 0; i < n; i++) {
		if (results[i].state != NIC_APPLIED)
			continue;
		for (bit = 0; bit < DRIFT_KINDS; bit++)
			if (results[i].drift & (1U << bit))
				metric_inc(metric_find(&m->drift_repairs,
				    drift_kind_name(bit)), 1);
	}
}

uint64_t
metrics_ms_since_success(const struct metrics *m)
{
	double	elapsed = status_clock() - m->last_success;

	return elapsed > 0 ? (uint64_t)(elapsed * 1000) : 0;
}

/* The gauges are read when rendered, so they are never stale. */
static void
update_gauges(struct metrics *m, const struct fetcher *f)
{
	struct metric_sample	*info = &m->agent_info.samples[0];
	char			 node[CONFIG_NAME_MAX];

	metric_set(&m->backoff_level.samples[0], f->backoff.level);
	metric_set(&m->db_connection.samples[0], f->poll.db_connected != 0);
	/* One sample whose label follows the error: no series per message. */
	metric_set(&m->poll_error.samples[0], f->poll.last_error[0] != '\0');
	metric_relabel(&m->poll_error.samples[0], 0, f->poll.last_error);
	metric_set(&m->deletions_held.samples[0],
	    f->results.deletions_held != 0);
	metric_set(&m->landlock.samples[0],
	    f->sandbox.landlock == SANDBOX_LANDLOCK_ENFORCED);
	metric_set(&m->landlock.samples[1],
	    f->applier_sandbox.landlock == SANDBOX_LANDLOCK_ENFORCED);
	metric_relabel(info, 1, config_os_type_name(f->conf.os_type));
	status_node_name(f, node, sizeof(node));
	metric_relabel(info, 2, node);
}

int
metrics_render(struct metrics *m, const struct fetcher *f,
    struct evbuffer *out)
{
	const struct metric	*families[] = {
		&m->processed, &m->processing_duration, &m->poll_cycles,
		&m->hotplug_polls, &m->poll_duration, &m->backoff_level, &m->db_connection,
		&m->poll_error,
		&m->db_query_duration, &m->writeback_failures, &m->drifts,
		&m->drift_repairs,
		&m->orphans_deleted, &m->rows_rejected, &m->deletions_held,
		&m->landlock, &m->errors, &m->agent_info,
	};
	size_t			 i;

	update_gauges(m, f);
	for (i = 0; i < COUNT(families); i++)
		if (metric_render(families[i], out) == -1)
			return -1;
	return 0;
}
