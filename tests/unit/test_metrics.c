/* SPDX-License-Identifier: ISC */
/*
 * Tests for fetcher/metrics.c: the text format's exact lines, escaping,
 * histograms, the fetcher's families from start, and what a verdict counts.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <event2/buffer.h>

#include "../../fetcher/fetcher.h"
#include "../../fetcher/metrics.h"

static struct fetcher	fetcher;	/* large: not on the stack */

/* The rendered text, NUL-terminated; the caller frees it. */
static char *
render(const struct metric *m)
{
	struct evbuffer	*out = evbuffer_new();
	char		*text;
	size_t		 len;

	assert_non_null(out);
	assert_int_equal(metric_render(m, out), 0);
	len = evbuffer_get_length(out);
	text = calloc(1, len + 1);
	assert_non_null(text);
	evbuffer_remove(out, text, len);
	evbuffer_free(out);
	return text;
}

static char *
render_all(struct metrics *m)
{
	struct evbuffer	*out = evbuffer_new();
	char		*text;
	size_t		 len;

	assert_non_null(out);
	assert_int_equal(metrics_render(m, &fetcher, out), 0);
	len = evbuffer_get_length(out);
	text = calloc(1, len + 1);
	assert_non_null(text);
	evbuffer_remove(out, text, len);
	evbuffer_free(out);
	return text;
}

/* line is one whole line of text. */
static int
has_line(const char *text, const char *line)
{
	const char	*p = text;
	size_t		 len = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return 1;
		p++;
	}
	return 0;
}

#define assert_line(text, line) do {					\
	if (!has_line((text), (line)))					\
		fail_msg("no line \"%s\" in:\n%s", (line), (text));	\
} while (0)

static void
test_counter_lines(void **state)
{
	static const char *const name[] = { "status" };
	static const char *const ok[] = { "success" };
	static const char *const bad[] = { "failure" };
	struct metric	m;
	char		*text;

	(void)state;
	metric_init(&m, "x_total", "Things done.", METRIC_COUNTER);
	assert_non_null(metric_add(&m, name, ok, 1));
	assert_non_null(metric_add(&m, name, bad, 1));
	metric_inc(metric_find(&m, "failure"), 2);
	text = render(&m);
	assert_string_equal(text,
	    "# HELP x_total Things done.\n"
	    "# TYPE x_total counter\n"
	    "x_total{status=\"success\"} 0\n"
	    "x_total{status=\"failure\"} 2\n");
	free(text);
}

static void
test_gauge_without_labels(void **state)
{
	struct metric	m;
	char		*text;

	(void)state;
	metric_init(&m, "g", "A gauge.", METRIC_GAUGE);
	metric_set(metric_add(&m, NULL, NULL, 0), 0.25);
	text = render(&m);
	assert_line(text, "# TYPE g gauge");
	assert_line(text, "g 0.25");
	free(text);
}

static void
test_escaping(void **state)
{
	static const char *const names[] = { "a", "b" };
	static const char *const values[] = { "back\\slash \"quoted\"",
	    "two\nlines" };
	struct metric	m;
	char		*text;

	(void)state;
	metric_init(&m, "e", "Help with \\ and\nnewline \"kept\".",
	    METRIC_GAUGE);
	metric_set(metric_add(&m, names, values, 2), 1);
	text = render(&m);
	/* In HELP only backslash and newline are escaped. */
	assert_line(text, "# HELP e Help with \\\\ and\\nnewline \"kept\".");
	assert_line(text,
	    "e{a=\"back\\\\slash \\\"quoted\\\"\",b=\"two\\nlines\"} 1");
	free(text);
}

static void
test_histogram_cumulative(void **state)
{
	static const double	bounds[] = { 0.01, 0.1, 1 };
	struct metric		m;
	struct metric_sample	*s;
	char			*text;

	(void)state;
	metric_init_histogram(&m, "h_seconds", "Durations.", bounds, 3);
	s = metric_add(&m, NULL, NULL, 0);
	metric_observe(&m, s, 0.005);
	metric_observe(&m, s, 0.01);	/* le is inclusive */
	metric_observe(&m, s, 0.5);
	metric_observe(&m, s, 7);	/* above every bound: +Inf only */
	text = render(&m);
	assert_string_equal(text,
	    "# HELP h_seconds Durations.\n"
	    "# TYPE h_seconds histogram\n"
	    "h_seconds_bucket{le=\"0.01\"} 2\n"
	    "h_seconds_bucket{le=\"0.1\"} 2\n"
	    "h_seconds_bucket{le=\"1\"} 3\n"
	    "h_seconds_bucket{le=\"+Inf\"} 4\n"
	    "h_seconds_sum 7.515\n"
	    "h_seconds_count 4\n");
	free(text);
}

static void
test_histogram_with_labels(void **state)
{
	static const double		bounds[] = { 1 };
	static const char *const	name[] = { "kind" };
	static const char *const	value[] = { "x" };
	struct metric			m;
	char				*text;

	(void)state;
	metric_init_histogram(&m, "h", "H.", bounds, 1);
	metric_observe(&m, metric_add(&m, name, value, 1), 2);
	text = render(&m);
	assert_line(text, "h_bucket{kind=\"x\",le=\"1\"} 0");
	assert_line(text, "h_bucket{kind=\"x\",le=\"+Inf\"} 1");
	assert_line(text, "h_sum{kind=\"x\"} 2");
	assert_line(text, "h_count{kind=\"x\"} 1");
	free(text);
}

static void
test_label_value_cut_to_fit(void **state)
{
	static const char *const name[] = { "n" };
	char		 longer[METRIC_LABEL_MAX * 2];
	const char	*values[] = { longer };
	struct metric	 m;
	struct metric_sample *s;

	(void)state;
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	metric_init(&m, "c", "C.", METRIC_COUNTER);
	s = metric_add(&m, name, values, 1);
	assert_int_equal(strlen(s->label_values[0]), METRIC_LABEL_MAX - 1);
}

static void
test_family_full(void **state)
{
	struct metric	m;
	int		i;

	(void)state;
	metric_init(&m, "c", "C.", METRIC_COUNTER);
	for (i = 0; i < METRIC_SAMPLES_MAX; i++)
		assert_non_null(metric_add(&m, NULL, NULL, 0));
	assert_null(metric_add(&m, NULL, NULL, 0));
}

/* doc/architecture.md, 5.4: every family, with a sample from start. */
static void
test_every_family_from_start(void **state)
{
	static const char *const lines[] = {
		"# TYPE multinic_interfaces_processed_total counter",
		"multinic_interfaces_processed_total{status=\"success\"} 0",
		"multinic_interfaces_processed_total{status=\"failure\"} 0",
		"# TYPE multinic_interface_processing_duration_seconds histogram",
		"multinic_interface_processing_duration_seconds_count 0",
		"# TYPE multinic_polling_cycles_total counter",
		"multinic_polling_cycles_total 0",
		"# TYPE multinic_polling_cycle_duration_seconds histogram",
		"multinic_polling_cycle_duration_seconds_bucket{le=\"+Inf\"} 0",
		"# TYPE multinic_polling_backoff_level gauge",
		"multinic_polling_backoff_level 3",
		"# TYPE multinic_db_connection_status gauge",
		"multinic_db_connection_status 0",
		"# TYPE multinic_db_query_duration_seconds histogram",
		"multinic_db_query_duration_seconds_sum 0",
		"# TYPE multinic_db_writeback_failures_total counter",
		"multinic_db_writeback_failures_total 0",
		"# TYPE multinic_configuration_drifts_total counter",
		"multinic_configuration_drifts_total{drift_type=\"file\"} 0",
		"multinic_configuration_drifts_total{drift_type=\"name\"} 0",
		"multinic_configuration_drifts_total{drift_type=\"mtu\"} 0",
		"multinic_configuration_drifts_total{drift_type=\"address\"} 0",
		"multinic_configuration_drifts_total{drift_type=\"admin_state\"} 0",
		"multinic_configuration_drifts_total{drift_type=\"route\"} 0",
		"# TYPE multinic_orphaned_interfaces_deleted_total counter",
		"multinic_orphaned_interfaces_deleted_total 0",
		"# TYPE multinic_rows_rejected_total counter",
		"multinic_rows_rejected_total{reason=\"macaddress\"} 0",
		"multinic_rows_rejected_total{reason=\"address\"} 0",
		"multinic_rows_rejected_total{reason=\"cidr\"} 0",
		"multinic_rows_rejected_total{reason=\"mtu\"} 0",
		"multinic_rows_rejected_total{reason=\"duplicate\"} 0",
		"multinic_rows_rejected_total{reason=\"route\"} 0",
		"# TYPE multinic_deletions_held gauge",
		"multinic_deletions_held 1",
		"# TYPE multinic_errors_total counter",
		"multinic_errors_total{error_type=\"database\"} 0",
		"multinic_errors_total{error_type=\"writeback\"} 0",
		"multinic_errors_total{error_type=\"apply\"} 0",
		"# TYPE multinic_agent_info gauge",
		"multinic_agent_info{version=\"" MULTINIC_VERSION
		    "\",os_type=\"ifcfg\",node_name=\"node \\\"1\\\"\"} 1",
	};
	struct metrics	*m = metrics_new();
	char		*text;
	size_t		 i;

	(void)state;
	assert_non_null(m);
	memset(&fetcher, 0, sizeof(fetcher));
	fetcher.backoff.level = 3;
	fetcher.results.deletions_held = 1;
	fetcher.conf.os_type = OS_TYPE_IFCFG;
	strlcpy(fetcher.conf.node_name, "node \"1\"",
	    sizeof(fetcher.conf.node_name));
	text = render_all(m);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		assert_line(text, lines[i]);
	free(text);
	metrics_free(m);
}

static struct msg_result
result(const char *mac, int64_t row_id, int state, time_t last_change)
{
	struct msg_result	r;

	memset(&r, 0, sizeof(r));
	strlcpy(r.mac_text, mac, sizeof(r.mac_text));
	r.row_id = row_id;
	r.state = state;
	r.last_change = last_change;
	return r;
}

/* A verdict repeats every NIC each cycle: only what changed counts. */
static void
test_verdict_counts_changes_once(void **state)
{
	struct metrics		*m = metrics_new();
	struct msg_result	 first[3], second[3];
	time_t			 t = time(NULL);
	char			*text;

	(void)state;
	memset(&fetcher, 0, sizeof(fetcher));
	metrics_snapshot_sent(m, 1);
	first[0] = result("fa:16:3e:00:00:01", 1, NIC_APPLIED, t);
	first[0].drift = 0x01 | 0x08;		/* file, address */
	first[1] = result("fa:16:3e:00:00:02", 2, NIC_FAILED, 0);
	strlcpy(first[1].reason, "verify timed out", sizeof(first[1].reason));
	first[2] = result("fa:16:3e:00:00:03", -1, NIC_DELETING, t);
	strlcpy(first[2].reason, "deleted", sizeof(first[2].reason));
	metrics_verdict(m, NULL, 0, first, 3, 1);
	/* The same verdict again, for the next snapshot. */
	memcpy(second, first, sizeof(second));
	metrics_snapshot_sent(m, 2);
	metrics_verdict(m, first, 3, second, 3, 2);
	text = render_all(m);
	assert_line(text,
	    "multinic_interfaces_processed_total{status=\"success\"} 2");
	assert_line(text,
	    "multinic_interfaces_processed_total{status=\"failure\"} 1");
	assert_line(text, "multinic_errors_total{error_type=\"apply\"} 1");
	assert_line(text, "multinic_orphaned_interfaces_deleted_total 1");
	assert_line(text,
	    "multinic_configuration_drifts_total{drift_type=\"file\"} 1");
	assert_line(text,
	    "multinic_configuration_drifts_total{drift_type=\"address\"} 1");
	assert_line(text,
	    "multinic_configuration_drifts_total{drift_type=\"mtu\"} 0");
	assert_line(text,
	    "multinic_interface_processing_duration_seconds_count 3");
	free(text);
	metrics_free(m);
}

/* A restarted fetcher hears of past applies: they are not new work. */
static void
test_verdict_ignores_past_applies(void **state)
{
	struct metrics		*m = metrics_new();
	struct msg_result	 r;
	char			*text;

	(void)state;
	memset(&fetcher, 0, sizeof(fetcher));
	metrics_snapshot_sent(m, 1);
	r = result("fa:16:3e:00:00:01", 1, NIC_APPLIED, time(NULL) - 3600);
	metrics_verdict(m, NULL, 0, &r, 1, 1);
	text = render_all(m);
	assert_line(text,
	    "multinic_interfaces_processed_total{status=\"success\"} 0");
	free(text);
	metrics_free(m);
}

static void
test_rows_rejected_by_reason(void **state)
{
	struct metrics	*m = metrics_new();
	struct msg_row	 row;
	char		*text;

	(void)state;
	memset(&fetcher, 0, sizeof(fetcher));
	memset(&row, 0, sizeof(row));
	strlcpy(row.field, "mtu", sizeof(row.field));
	strlcpy(row.reason, "MTU \"9999\" outside 68..9216",
	    sizeof(row.reason));
	metrics_row_rejected(m, &row);
	strlcpy(row.field, "address", sizeof(row.field));
	strlcpy(row.reason, "address 10.0.0.1 also in rows 3, 4",
	    sizeof(row.reason));
	metrics_row_rejected(m, &row);
	metrics_poll_started(m);
	metrics_poll_result(m, 0);
	metrics_writeback_failed(m);
	text = render_all(m);
	assert_line(text, "multinic_rows_rejected_total{reason=\"mtu\"} 1");
	assert_line(text, "multinic_rows_rejected_total{reason=\"duplicate\"} 1");
	assert_line(text, "multinic_rows_rejected_total{reason=\"address\"} 0");
	assert_line(text, "multinic_polling_cycles_total 1");
	assert_line(text, "multinic_errors_total{error_type=\"database\"} 1");
	assert_line(text, "multinic_errors_total{error_type=\"writeback\"} 1");
	assert_line(text, "multinic_db_writeback_failures_total 1");
	assert_line(text, "multinic_db_query_duration_seconds_count 1");
	free(text);
	metrics_free(m);
}

/*
 * Rows the applier held (a route check) count as rejected once, when the
 * hold starts or its reason changes; validation's holds (no field) are
 * counted at the poll, not here.
 */
static void
test_applier_holds_counted_once(void **state)
{
	struct metrics		*m = metrics_new();
	struct msg_result	 first[4], second[4];
	char			*text;

	(void)state;
	memset(&fetcher, 0, sizeof(fetcher));
	metrics_snapshot_sent(m, 1);
	first[0] = result("fa:16:3e:00:00:01", 1, NIC_HELD, 0);
	strlcpy(first[0].field, "cidr", sizeof(first[0].field));
	strlcpy(first[0].reason, "cidr: a /1 is shorter than MIN_PREFIX_LEN"
	    " (/8)", sizeof(first[0].reason));
	first[1] = result("fa:16:3e:00:00:02", 2, NIC_HELD, 0);
	strlcpy(first[1].field, "route", sizeof(first[1].field));
	strlcpy(first[1].reason, "route: the route to 10.0.0.9 moved",
	    sizeof(first[1].reason));
	first[2] = result("fa:16:3e:00:00:03", 3, NIC_HELD, 0);
	strlcpy(first[2].reason, "mtu: MTU \"20\" outside 68..9216",
	    sizeof(first[2].reason));
	first[3] = result("fa:16:3e:00:00:04", 4, NIC_HELD, 0);
	strlcpy(first[3].field, "protected", sizeof(first[3].field));
	strlcpy(first[3].reason, "link eth0 is protected: matches"
	    " PROTECTED_INTERFACES", sizeof(first[3].reason));
	metrics_verdict(m, NULL, 0, first, 4, 1);
	memcpy(second, first, sizeof(second));
	metrics_snapshot_sent(m, 2);
	metrics_verdict(m, first, 4, second, 4, 2);
	text = render_all(m);
	assert_line(text, "multinic_rows_rejected_total{reason=\"cidr\"} 1");
	assert_line(text, "multinic_rows_rejected_total{reason=\"route\"} 1");
	assert_line(text,
	    "multinic_rows_rejected_total{reason=\"protected\"} 1");
	assert_line(text, "multinic_rows_rejected_total{reason=\"mtu\"} 0");
	assert_line(text,
	    "multinic_interfaces_processed_total{status=\"failure\"} 0");
	free(text);
	metrics_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_lines),
		cmocka_unit_test(test_gauge_without_labels),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_histogram_cumulative),
		cmocka_unit_test(test_histogram_with_labels),
		cmocka_unit_test(test_label_value_cut_to_fit),
		cmocka_unit_test(test_family_full),
		cmocka_unit_test(test_every_family_from_start),
		cmocka_unit_test(test_verdict_counts_changes_once),
		cmocka_unit_test(test_applier_holds_counted_once),
		cmocka_unit_test(test_verdict_ignores_past_applies),
		cmocka_unit_test(test_rows_rejected_by_reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
