/* SPDX-License-Identifier: ISC */
/*
 * The fetcher's view of itself and the NICs, shared by the HTTP status
 * endpoint and the control socket so that both report the same thing.
 */

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <json.h>

#include "log.h"
#include "state.h"
#include "status.h"
#include "validate.h"

double
status_clock(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Counts from this fetcher's start: a restarted one from 0. */
double
status_uptime(const struct fetcher *f)
{
	double	up = status_clock() - f->start_time;

	return up > 0 ? up : 0;
}

/* NODE_NAME, else the host name as poll.c read it last (no uname here). */
void
status_node_name(const struct fetcher *f, char *buf, size_t len)
{
	if (f->conf.node_name[0] != '\0')
		strlcpy(buf, f->conf.node_name, len);
	else
		strlcpy(buf, f->nnode_names > 0 ? f->node_names[0] : "", len);
}

static const struct msg_result *
status_find_result(const struct results *res, int64_t row_id)
{
	size_t	i;

	for (i = 0; i < res->count; i++)
		if (res->items[i].row_id == row_id)
			return &res->items[i];
	return NULL;
}

static const struct msg_row *
status_find_row(const struct poll_state *p, int64_t row_id)
{
	size_t	i;

	for (i = 0; i < p->nrows; i++)
		if (p->rows[i].row_id == row_id)
			return &p->rows[i];
	return NULL;
}

/* A row the applier has not answered for: the fetcher's own verdict. */
static void
status_from_row(const struct msg_row *row, struct msg_result *nic)
{
	memset(nic, 0, sizeof(*nic));
	nic->row_id = row->row_id;
	nic->has_address = row->has_address;
	nic->prefix = row->prefix;
	nic->address = row->address;
	nic->mtu = row->mtu;
	/* Normalised when it parses; as the row has it otherwise. */
	if (row->mac_valid)
		validate_format_mac(row->mac, nic->mac_text);
	else
		strlcpy(nic->mac_text, row->mac_text, sizeof(nic->mac_text));
	if (row->state == ROW_HELD) {
		nic->state = NIC_HELD;
		snprintf(nic->reason, sizeof(nic->reason), "%s: %s",
		    row->field, row->reason);
	} else {
		nic->state = NIC_PENDING;
		strlcpy(nic->reason, "not yet answered by the applier",
		    sizeof(nic->reason));
	}
}

/*
 * The applier leaves a held row's values out (it never acts on them): show
 * what the row has, so an operator sees what was rejected.
 */
static void
status_fill_held(const struct poll_state *p, struct msg_result *nic)
{
	const struct msg_row	*row;

	if (nic->state != NIC_HELD || nic->row_id < 0 ||
	    (row = status_find_row(p, nic->row_id)) == NULL)
		return;
	if (!nic->has_address) {
		nic->has_address = row->has_address;
		nic->prefix = row->prefix;
		nic->address = row->address;
	}
	if (nic->mtu == 0)
		nic->mtu = row->mtu;
}

size_t
status_nics(const struct fetcher *f, struct msg_result *nics, size_t max)
{
	size_t	i, n = 0;

	for (i = 0; i < f->results.count && n < max; i++) {
		nics[n] = f->results.items[i];
		status_fill_held(&f->poll, &nics[n++]);
	}
	for (i = 0; i < f->poll.nrows && n < max; i++)
		if (status_find_result(&f->results,
		    f->poll.rows[i].row_id) == NULL)
			status_from_row(&f->poll.rows[i], &nics[n++]);
	return n;
}

void
status_census(const struct fetcher *f, struct census *c)
{
	struct msg_result	nics[STATUS_NICS_MAX];
	size_t			i, n;

	memset(c, 0, sizeof(*c));
	n = status_nics(f, nics, STATUS_NICS_MAX);
	for (i = 0; i < n; i++) {
		if (nics[i].state < 0 || nics[i].state >= NIC_STATE_COUNT)
			continue;
		c->by_state[nics[i].state]++;
		if (nics[i].state == NIC_APPLIED && nics[i].row_id >= 0)
			c->processed++;
		if (nics[i].state == NIC_FAILED || nics[i].state == NIC_HELD)
			c->failed++;
	}
}

/* --- JSON --- */

int
status_json_add(struct json_object *obj, const char *key,
    struct json_object *val)
{
	if (val == NULL || json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

/* json-c's null is a NULL value, which status_json_add takes for failure. */
static int
status_json_add_null(struct json_object *obj, const char *key)
{
	return json_object_object_add(obj, key, NULL) != 0 ? -1 : 0;
}

/* gmtime needs no /etc/localtime inside the sandbox. */
int
status_json_add_time(struct json_object *obj, const char *key, time_t when)
{
	struct tm	tm;
	char		text[32];

	if (when == 0)
		return status_json_add_null(obj, key);
	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	return status_json_add(obj, key, json_object_new_string(text));
}

/* A fixed-size text field from a peer, which may lack its NUL: null if "". */
static int
status_json_add_text(struct json_object *obj, const char *key,
    const char *text, size_t size)
{
	size_t	len = strnlen(text, size);

	if (len == 0)
		return status_json_add_null(obj, key);
	return status_json_add(obj, key, json_object_new_string_len(text,
	    (int)len));
}

/* Every state, with 0 where there is none: clients need not guess. */
static struct json_object *
status_json_counts(const struct census *c)
{
	struct json_object	*obj;
	int			 state;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	for (state = 0; state < NIC_STATE_COUNT; state++)
		if (status_json_add(obj, nic_state_name(state),
		    json_object_new_int64(c->by_state[state])) == -1) {
			json_object_put(obj);
			return NULL;
		}
	return obj;
}

/* "enforced", "unavailable: <why>" or "unknown" (the applier not heard yet). */
static struct json_object *
status_json_landlock_state(const struct msg_sandbox_state *state)
{
	char	text[sizeof(state->reason) + 16];

	switch (state->landlock) {
	case SANDBOX_LANDLOCK_ENFORCED:
		return json_object_new_string("enforced");
	case SANDBOX_LANDLOCK_UNAVAILABLE:
		snprintf(text, sizeof(text), "unavailable: %.*s",
		    (int)strnlen(state->reason, sizeof(state->reason)),
		    state->reason);
		return json_object_new_string(text);
	default:
		return json_object_new_string("unknown");
	}
}

static struct json_object *
status_json_landlock(const struct fetcher *f)
{
	struct json_object	*obj;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	if (status_json_add(obj, "fetcher",
	    status_json_landlock_state(&f->sandbox)) == -1 ||
	    status_json_add(obj, "applier",
	    status_json_landlock_state(&f->applier_sandbox)) == -1) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

int
status_json_common(const struct fetcher *f, const struct census *c,
    struct json_object *obj)
{
	char	node[CONFIG_NAME_MAX];
	int	rc = 0;

	status_node_name(f, node, sizeof(node));
	rc |= status_json_add(obj, "version",
	    json_object_new_string(MULTINIC_VERSION));
	rc |= status_json_add(obj, "node_name", json_object_new_string(node));
	rc |= status_json_add(obj, "uptime_seconds",
	    json_object_new_int64((int64_t)status_uptime(f)));
	rc |= status_json_add(obj, "database_connected",
	    json_object_new_boolean(f->poll.db_connected != 0));
	rc |= status_json_add_time(obj, "last_sync", f->poll.last_sync);
	rc |= status_json_add_text(obj, "last_error", f->poll.last_error,
	    sizeof(f->poll.last_error));
	rc |= status_json_add(obj, "polls",
	    json_object_new_int64((int64_t)f->poll.polls));
	rc |= status_json_add(obj, "snapshot_generation",
	    json_object_new_int64((int64_t)f->poll.generation));
	rc |= status_json_add(obj, "applied_generation",
	    json_object_new_int64((int64_t)f->results.acked_generation));
	rc |= status_json_add(obj, "hotplug_polls",
	    json_object_new_int64((int64_t)f->hotplug.polls));
	rc |= status_json_add(obj, "interfaces", status_json_counts(c));
	rc |= status_json_add(obj, "landlock", status_json_landlock(f));
	return rc;
}

static int
status_json_add_address(struct json_object *obj, const struct msg_result *nic)
{
	char	text[INET_ADDRSTRLEN];
	int	rc = 0;

	if (!nic->has_address)
		return status_json_add_null(obj, "address") |
		    status_json_add_null(obj, "prefix");
	if (inet_ntop(AF_INET, &nic->address, text, sizeof(text)) == NULL)
		return -1;
	rc |= status_json_add(obj, "address", json_object_new_string(text));
	rc |= status_json_add(obj, "prefix", json_object_new_int(nic->prefix));
	return rc;
}

/* Only with a table: without source routing the object is as before. */
static int
status_json_add_routing(struct json_object *obj, const struct msg_result *nic)
{
	struct json_object	*routing;
	char			 text[INET_ADDRSTRLEN];
	int			 rc = 0;

	if (nic->route_table == 0)
		return 0;
	if ((routing = json_object_new_object()) == NULL)
		return -1;
	rc |= status_json_add(routing, "table",
	    json_object_new_int64(nic->route_table));
	if (nic->route_gateway == 0)
		rc |= status_json_add_null(routing, "gateway");
	else if (inet_ntop(AF_INET, &nic->route_gateway, text,
	    sizeof(text)) == NULL)
		rc = -1;
	else
		rc |= status_json_add(routing, "gateway",
		    json_object_new_string(text));
	if (rc != 0) {
		json_object_put(routing);
		return -1;
	}
	return status_json_add(obj, "source_routing", routing);
}

static struct json_object *
status_json_nic(const struct msg_result *nic)
{
	struct json_object	*obj;
	int			 rc = 0;

	if ((obj = json_object_new_object()) == NULL)
		return NULL;
	rc |= status_json_add_text(obj, "name", nic->name, sizeof(nic->name));
	rc |= status_json_add_text(obj, "mac", nic->mac_text,
	    sizeof(nic->mac_text));
	rc |= status_json_add_address(obj, nic);
	if (nic->mtu == 0)
		rc |= status_json_add_null(obj, "mtu");
	else
		rc |= status_json_add(obj, "mtu",
		    json_object_new_int64(nic->mtu));
	rc |= status_json_add(obj, "state",
	    json_object_new_string(nic_state_name(nic->state)));
	rc |= status_json_add_text(obj, "reason", nic->reason,
	    sizeof(nic->reason));
	if (nic->row_id < 0)
		rc |= status_json_add_null(obj, "row_id");
	else
		rc |= status_json_add(obj, "row_id",
		    json_object_new_int64(nic->row_id));
	rc |= status_json_add_time(obj, "last_change", nic->last_change);
	rc |= status_json_add_routing(obj, nic);
	if (rc != 0) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

struct json_object *
status_json_nics(const struct fetcher *f)
{
	struct msg_result	 nics[STATUS_NICS_MAX];
	struct json_object	*array, *nic;
	size_t			 i, n;

	if ((array = json_object_new_array()) == NULL)
		return NULL;
	n = status_nics(f, nics, STATUS_NICS_MAX);
	for (i = 0; i < n; i++)
		if ((nic = status_json_nic(&nics[i])) == NULL ||
		    json_object_array_add(array, nic) != 0) {
			json_object_put(nic);
			json_object_put(array);
			return NULL;
		}
	return array;
}
