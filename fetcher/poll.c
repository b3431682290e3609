/* SPDX-License-Identifier: ISC */
/*
 * The poll cycle: one SELECT for this node at start, every POLL_INTERVAL
 * and on request; validate the rows, send them as a snapshot (or say they
 * are unchanged), write back what changed. A failed poll sends nothing and
 * backs off. A NIC without a row makes polls fast for a while (hotplug.c).
 *
 * Polls of a fleet must not march in lockstep: the first comes at once (a
 * restarted node acts at once), the second at a random point in the second
 * half of the interval, every later one an interval less up to 10%, and
 * failures back off with the same jitter. Reconnects need none of their
 * own: the connection is only (re)made by a poll, on this schedule, and
 * the one silent retry after a lost connection belongs to its poll.
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
#include "status.h"
#include "validate.h"

static void	poll_due(evutil_socket_t, short, void *);
static void	read_node_names(struct fetcher *);

/* Replaces the poll timer set before, if any. */
static void
schedule(struct fetcher *f, uint32_t delay_ms)
{
	struct timeval	tv = { delay_ms / 1000, (delay_ms % 1000) * 1000 };

	f->next_poll_at = status_clock() + delay_ms / 1000.0;
	f->poll_hotplug = 0;
	if (evtimer_add(f->poll_ev, &tv) == -1)
		fatalx("cannot set the poll timer");
}

void
poll_init(struct fetcher *f)
{
	if ((f->poll_ev = evtimer_new(f->base, poll_due, f)) == NULL)
		fatalx("evtimer_new failed");
	backoff_init(&f->backoff, f->conf.poll_interval_ms,
	    f->conf.backoff_max_interval_ms, f->conf.backoff_multiplier);
	read_node_names(f);
	f->delay_random = (uint64_t)arc4random() << 32 | arc4random();
	schedule(f, 0);
}

/*
 * Takes effect from the next poll on; failures so far still count. A
 * reload is also when a changed host name is read.
 */
void
poll_reconfigure(struct fetcher *f)
{
	backoff_reconfigure(&f->backoff, f->conf.poll_interval_ms,
	    f->conf.backoff_max_interval_ms, f->conf.backoff_multiplier);
	read_node_names(f);
}

/* A poll under way is followed by another: it may predate the change. */
void
poll_now(struct fetcher *f)
{
	if (f->polling) {
		f->poll_queued = 1;
		return;
	}
	schedule(f, 0);
}

void
poll_sync(struct fetcher *f)
{
	f->poll_full = 1;
	poll_now(f);
}

/* The next poll: after delay_ms, or at once when one was asked for. */
static void
schedule_next(struct fetcher *f, uint32_t delay_ms)
{
	schedule(f, f->poll_queued ? 0 : delay_ms);
	f->poll_queued = 0;
}

/*
 * After a successful poll: the regular delay, or HOTPLUG_POLL_INTERVAL
 * while a hot-plug window is open. Counted from the end of a poll, so fast
 * polls never come closer than that, however many NICs asked.
 */
static void
schedule_after_success(struct fetcher *f, uint32_t regular_ms)
{
	uint32_t	fast = f->conf.hotplug_poll_interval_ms;

	if (f->poll_queued || fast == 0 || fast >= regular_ms ||
	    !hotplug_active(&f->hotplug)) {
		schedule_next(f, regular_ms);
		return;
	}
	schedule(f, fast);
	f->poll_hotplug = 1;
}

/*
 * The regular delay after a poll (see the top of the file): the second
 * poll splayed, every later one jittered.
 */
static uint32_t
regular_delay(struct fetcher *f, uint32_t delay_ms)
{
	if (f->poll.polls == 1)
		return delay_splay(delay_ms, delay_random(&f->delay_random));
	return delay_jitter(delay_ms, delay_random(&f->delay_random));
}

/* A zero or multicast MAC names no NIC the applier could have seen. */
int
poll_request_valid(const struct msg_poll_request *req)
{
	static const uint8_t	zero[MAC_LEN];

	return memcmp(req->mac, zero, MAC_LEN) != 0 &&
	    (req->mac[0] & 0x01) == 0 && req->pad[0] == 0 && req->pad[1] == 0;
}

void
poll_hotplug_request(struct fetcher *f, const uint8_t mac[MAC_LEN])
{
	uint32_t	fast = f->conf.hotplug_poll_interval_ms;
	double		now = status_clock(), at;
	char		text[VALIDATE_MAC_TEXT_SIZE];

	validate_format_mac(mac, text);
	if (fast == 0) {
		log_debug("hot-plug: no row names NIC %s; fast polls are off"
		    " (HOTPLUG_POLL_INTERVAL=0)", text);
		return;
	}
	switch (hotplug_request(&f->hotplug, mac,
	    f->conf.hotplug_poll_window_ms, now)) {
	case HOTPLUG_STARTED:
		break;
	case HOTPLUG_FULL:
		/* A node with many such NICs would say it every cycle. */
		if (f->hotplug.full_warned)
			log_debug("hot-plug: NIC %s gets no fast polls", text);
		else
			log_warnx("hot-plug: %d NICs have fast polls already or"
			    " had them lately; NIC %s gets none, nor do others"
			    " until a place frees up", HOTPLUG_MACS_MAX, text);
		f->hotplug.full_warned = 1;
		return;
	default:
		log_debug("hot-plug: NIC %s has or had its fast polls already",
		    text);
		return;
	}
	/*
	 * A failing DB keeps its backoff; a poll under way schedules the
	 * fast one when it ends; before the start, the first poll is at once.
	 */
	if (!f->started || f->polling || f->backoff.level > 0)
		return;
	at = f->last_poll_start + fast / 1000.0;
	if (at < now)
		at = now;
	if (at >= f->next_poll_at)
		return;
	schedule(f, (uint32_t)((at - now) * 1000));
	f->poll_hotplug = 1;
}

static void
names_tried_add(struct poll_state *p, const char *name)
{
	if (p->names_tried[0] != '\0')
		strlcat(p->names_tried, ", ", sizeof(p->names_tried));
	strlcat(p->names_tried, "\"", sizeof(p->names_tried));
	strlcat(p->names_tried, name, sizeof(p->names_tried));
	strlcat(p->names_tried, "\"", sizeof(p->names_tried));
}

/*
 * NODE_NAME, else the host name as uname(2) reports it (never through DNS)
 * and its short form: the controller may record either.
 */
static void
read_node_names(struct fetcher *f)
{
	struct utsname	 uts;
	char		*dot;
	size_t		 i;

	f->names_connection = db_connections(f->db);
	if (f->conf.node_name[0] != '\0') {
		strlcpy(f->node_names[0], f->conf.node_name,
		    sizeof(f->node_names[0]));
		f->nnode_names = 1;
	} else {
		if (uname(&uts) == -1)
			fatal("uname");
		strlcpy(f->node_names[0], uts.nodename,
		    sizeof(f->node_names[0]));
		strlcpy(f->node_names[1], uts.nodename,
		    sizeof(f->node_names[1]));
		f->nnode_names = 1;
		dot = strchr(f->node_names[1], '.');
		if (dot != NULL && dot != f->node_names[1]) {
			*dot = '\0';
			f->nnode_names = 2;
		}
	}
	f->poll.names_tried[0] = '\0';
	for (i = 0; i < f->nnode_names; i++)
		names_tried_add(&f->poll, f->node_names[i]);
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
	uint32_t	delay;

	delay = backoff_fail(&f->backoff, delay_random(&f->delay_random));
	if (f->poll.polls == 1)
		delay = delay_splay(delay, delay_random(&f->delay_random));
	hotplug_expire(&f->hotplug, status_clock());

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

/*
 * The rows go to the applier whole, unless it acknowledged these very rows
 * on this channel last and no sync asked for them whole.
 */
static void
send_desired(struct fetcher *f, const struct msg_row *rows, size_t nrows)
{
	uint64_t	digest = snapshot_digest(f->poll.incomplete, rows, nrows);
	int		full = f->poll_full;

	f->poll_full = 0;
	if (!msgchan_is_open(&f->applier)) {
		log_debug("snapshot %llu not sent: no applier channel",
		    (unsigned long long)f->poll.generation);
		return;
	}
	if (snapshot_is_unchanged(&f->ack, digest, full))
		snapshot_send_unchanged(&f->applier, f->poll.generation,
		    f->ack.acked_generation);
	else
		snapshot_send(&f->applier, f->poll.generation,
		    f->poll.incomplete, rows, nrows);
	snapshot_sent(&f->ack, f->poll.generation, digest);
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
	send_desired(f, validated, nrows);
	metrics_snapshot_sent(f->metrics, f->poll.generation);
	hotplug_rows(&f->hotplug, validated, nrows, status_clock());
	schedule_after_success(f, regular_delay(f, f->conf.poll_interval_ms));
}

static void
poll_due(evutil_socket_t fd, short events, void *arg)
{
	struct fetcher		*f = arg;
	const char		*names[NODE_NAMES_MAX];
	size_t			 i;

	(void)fd;
	(void)events;
	if (f->polling)
		return;
	/* A reconnect may follow a move or a rename: read the names again. */
	if (db_connections(f->db) != f->names_connection)
		read_node_names(f);
	for (i = 0; i < f->nnode_names; i++)
		names[i] = f->node_names[i];
	metrics_poll_started(f->metrics);
	if (db_poll(f->db, names, f->nnode_names, poll_done, f) == -1) {
		schedule(f, f->conf.poll_interval_ms);
		return;
	}
	if (f->poll_hotplug) {
		f->hotplug.polls++;
		metrics_hotplug_poll(f->metrics);
	}
	f->last_poll_start = status_clock();
	f->polling = 1;
}
