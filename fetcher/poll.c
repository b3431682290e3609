/* SPDX-License-Identifier: ISC */
/*
 * The poll cycle: one SELECT for this node at start, every POLL_INTERVAL
 * and on request; validate the rows, send them as a snapshot, write back
 * what changed. A failed poll sends nothing and backs off.
 */

/* The historical strnvis(dst, src, size, flag) that libbsd also ships. */
#define LIBBSD_OPENBSD_VIS

#include <sys/socket.h>
#include <sys/utsname.h>

#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <vis.h>	/* libbsd overlay */

#include <event2/event.h>

#include "db.h"
#include "fetcher.h"
#include "log.h"
#include "metrics.h"
#include "validate.h"

#define NODE_NAMES_MAX	2

static void	poll_due(evutil_socket_t, short, void *);

static void
schedule(struct fetcher *f, uint32_t delay_ms)
{
	struct timeval	tv = { delay_ms / 1000, (delay_ms % 1000) * 1000 };

	evtimer_add(f->poll_ev, &tv);
}

void
poll_init(struct fetcher *f)
{
	if ((f->poll_ev = evtimer_new(f->base, poll_due, f)) == NULL)
		fatalx("evtimer_new failed");
	backoff_init(&f->backoff, f->conf.poll_interval_ms,
	    f->conf.backoff_max_interval_ms, f->conf.backoff_multiplier);
	schedule(f, 0);
}

/* Takes effect from the next poll on; failures so far still count. */
void
poll_reconfigure(struct fetcher *f)
{
	backoff_reconfigure(&f->backoff, f->conf.poll_interval_ms,
	    f->conf.backoff_max_interval_ms, f->conf.backoff_multiplier);
}

/* A poll under way is followed by another: it may predate the change. */
void
poll_now(struct fetcher *f)
{
	if (f->polling) {
		f->poll_queued = 1;
		return;
	}
	evtimer_del(f->poll_ev);
	schedule(f, 0);
}

/* The next poll: after delay_ms, or at once when one was asked for. */
static void
schedule_next(struct fetcher *f, uint32_t delay_ms)
{
	schedule(f, f->poll_queued ? 0 : delay_ms);
	f->poll_queued = 0;
}

/*
 * NODE_NAME, else the host name as uname(2) reports it now (never through
 * DNS) and its short form: the controller may record either.
 */
static size_t
node_names(const struct fetcher *f, char names[NODE_NAMES_MAX][CONFIG_NAME_MAX])
{
	struct utsname	 uts;
	char		*dot;

	if (f->conf.node_name[0] != '\0') {
		strlcpy(names[0], f->conf.node_name, sizeof(names[0]));
		return 1;
	}
	if (uname(&uts) == -1)
		fatal("uname");
	strlcpy(names[0], uts.nodename, sizeof(names[0]));
	strlcpy(names[1], uts.nodename, sizeof(names[1]));
	if ((dot = strchr(names[1], '.')) == NULL || dot == names[1])
		return 1;
	*dot = '\0';
	return 2;
}

static const struct msg_row *
previous_row(const struct poll_state *p, int64_t id)
{
	size_t	i;

	for (i = 0; i < p->nrows; i++)
		if (p->rows[i].row_id == id)
			return &p->rows[i];
	return NULL;
}

/*
 * One line per held row, not repeated while the row stays the same.
 * Returns 1 when it logged.
 */
static int
log_held(const struct poll_state *p, const struct msg_row *r)
{
	const struct msg_row	*old = previous_row(p, r->row_id);
	struct log_field	 fields[] = {
		LOG_NUM("row_id", r->row_id),
		LOG_STR("mac_address", r->mac_text),
		LOG_STR("field", r->field),
		LOG_STR("reason", r->reason),
	};

	if (old != NULL && old->state == ROW_HELD &&
	    strcmp(old->reason, r->reason) == 0)
		return 0;
	log_fields(LOG_LEVEL_WARN, fields, sizeof(fields) / sizeof(fields[0]),
	    "row %lld rejected: %s: %s", (long long)r->row_id, r->field,
	    r->reason);
	return 1;
}

static void
validate_rows(struct fetcher *f, const struct db_poll_row *in, size_t n,
    struct msg_row *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		validate_row(&in[i].columns, &out[i]);
	validate_duplicates(out, n);
	for (i = 0; i < n; i++)
		if (out[i].state == ROW_HELD && log_held(&f->poll, &out[i]))
			metrics_row_rejected(f->metrics, &out[i]);
}

/* The applier never touches the route to the DB: tell it where that is. */
static void
send_db_address(struct fetcher *f)
{
	struct msg_db_address	 db;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	memset(&db, 0, sizeof(db));
	if (db_server_address(f->db, &ss, &len) == 0) {
		db.family = ss.ss_family;
		if (ss.ss_family == AF_INET)
			memcpy(db.addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		else if (ss.ss_family == AF_INET6)
			memcpy(db.addr, &((struct sockaddr_in6 *)&ss)->sin6_addr,
			    16);
		else
			db.family = 0;
	}
	if (memcmp(&db, &f->db_address_sent, sizeof(db)) == 0 ||
	    !msgchan_is_open(&f->applier))
		return;
	if (msg_compose(&f->applier, MSG_DB_ADDRESS, 0, -1, &db,
	    sizeof(db)) == -1)
		fatal("cannot queue the database address");
	f->db_address_sent = db;
}

/* The server's words go to JSON and a metric label: ASCII only. */
static void
set_last_error(struct fetcher *f, const char *text)
{
	strnvis(f->poll.last_error, text, sizeof(f->poll.last_error),
	    VIS_SAFE | VIS_OCTAL);
}

static void
poll_failed(struct fetcher *f, const char *error)
{
	uint32_t	delay = backoff_fail(&f->backoff, arc4random());

	/* Connected or not, a poll that failed reached nothing. */
	f->poll.db_connected = 0;
	set_last_error(f, error);
	log_warnx("poll failed (%u in a row), next try in %u ms: %s",
	    f->backoff.level, f->poll_queued ? 0 : delay, error);
	schedule_next(f, delay);
}

/* Logged when it starts; in last_error for as long as it lasts. */
static void
poll_incomplete(struct fetcher *f, const char *why)
{
	if (!f->poll.incomplete)
		log_warnx("poll incomplete: %s", why);
	f->poll.incomplete = 1;
	set_last_error(f, why);
}

static void
poll_complete(struct fetcher *f)
{
	if (f->poll.incomplete)
		log_info("poll complete again: every row of this node read");
	f->poll.incomplete = 0;
	f->poll.last_error[0] = '\0';
}

/*
 * A table without a row for this node is what a wrong host name looks like
 * (the earlier agent's worst day): said once for each set of names tried,
 * and once more when rows come back.
 */
static void
note_row_count(struct fetcher *f, size_t nrows)
{
	struct poll_state	*p = &f->poll;

	if (nrows > 0) {
		if (p->no_rows_for[0] != '\0')
			log_info("rows for this node again (%zu, names %s)",
			    nrows, p->names_tried);
		p->no_rows_for[0] = '\0';
		return;
	}
	if (strcmp(p->no_rows_for, p->names_tried) == 0)
		return;
	log_warnx("no row names this node: attached_node_name matched none"
	    " of %s; nothing is applied, and NICs already configured stay"
	    " until DELETE_GRACE (set NODE_NAME if the controller uses"
	    " another name)", p->names_tried);
	strlcpy(p->no_rows_for, p->names_tried, sizeof(p->no_rows_for));
}

/* error: why a poll failed, or why the rows of one that worked are not all. */
static void
poll_done(void *arg, int ok, const struct db_poll_row *rows, size_t nrows,
    const char *error)
{
	struct fetcher	*f = arg;
	struct msg_row	 validated[SNAPSHOT_ROWS_MAX];
	size_t		 i;

	f->polling = 0;
	f->poll.polls++;
	metrics_poll_result(f->metrics, ok);
	if (!ok) {
		poll_failed(f, error);
		return;
	}
	if (f->backoff.level > 0)
		log_info("database reachable again");
	backoff_reset(&f->backoff);
	validate_rows(f, rows, nrows, validated);
	note_row_count(f, nrows);
	f->poll.db_connected = 1;
	f->poll.last_sync = time(NULL);
	if (error != NULL)
		poll_incomplete(f, error);
	else
		poll_complete(f);
	f->poll.generation++;
	f->poll.nrows = nrows;
	memcpy(f->poll.rows, validated, nrows * sizeof(validated[0]));
	for (i = 0; i < nrows; i++)
		f->poll.stored_success[i] = rows[i].netplan_success;
	send_db_address(f);
	snapshot_send(&f->applier, f->poll.generation, f->poll.incomplete,
	    validated, nrows);
	metrics_snapshot_sent(f->metrics, f->poll.generation);
	schedule_next(f, f->conf.poll_interval_ms);
}

static void
poll_due(evutil_socket_t fd, short events, void *arg)
{
	struct fetcher		*f = arg;
	char			 names[NODE_NAMES_MAX][CONFIG_NAME_MAX];
	const char		*name_ptrs[NODE_NAMES_MAX];
	size_t			 n, i;

	(void)fd;
	(void)events;
	if (f->polling)
		return;
	n = node_names(f, names);
	f->poll.names_tried[0] = '\0';
	for (i = 0; i < n; i++) {
		name_ptrs[i] = names[i];
		if (i > 0)
			strlcat(f->poll.names_tried, ", ",
			    sizeof(f->poll.names_tried));
		strlcat(f->poll.names_tried, "\"", sizeof(f->poll.names_tried));
		strlcat(f->poll.names_tried, names[i],
		    sizeof(f->poll.names_tried));
		strlcat(f->poll.names_tried, "\"", sizeof(f->poll.names_tried));
	}
	metrics_poll_started(f->metrics);
	if (db_poll(f->db, name_ptrs, n, poll_done, f) == -1) {
		schedule(f, f->conf.poll_interval_ms);
		return;
	}
	f->polling = 1;
}
