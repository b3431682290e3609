/* SPDX-License-Identifier: ISC */
/*
 * Source routing (doc/architecture.md, 3.13): what a NIC's table and rule
 * should hold, what the kernel holds, and the netlink changes between them.
 */

#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include "srcroute.h"
#include "util.h"

static uint32_t
prefix_mask(uint8_t prefix)
{
	return prefix == 0 ? 0 : htonl(UINT32_MAX << (32 - prefix));
}

/* Never a table of ours: unspecified, default, main, local. */
static int
table_ours(uint32_t table)
{
	return table != RT_TABLE_UNSPEC && table != RT_TABLE_DEFAULT &&
	    table != RT_TABLE_MAIN && table != RT_TABLE_LOCAL;
}

/*
 * A /32 has no subnet to route: no table. A /31 (RFC 3021) has no first
 * host to be a gateway, nor has a NIC that is itself the first host.
 */
void
srcroute_nic(const struct srcroute_conf *conf, struct nic_config *nic)
{
	uint32_t	mask, first;

	nic->route_table = 0;
	nic->route_gateway = 0;
	if (conf == NULL || conf->table_base == 0 || !nic->has_address ||
	    nic->prefix < 1 || nic->prefix > 31 || nic->slot < 0 ||
	    nic->slot >= SRCROUTE_SLOTS)
		return;
	nic->route_table = conf->table_base + (uint32_t)nic->slot;
	if (!conf->gateway_first || nic->prefix > 30)
		return;
	mask = prefix_mask(nic->prefix);
	first = htonl(ntohl(nic->address & mask) + 1);
	if (first != nic->address)
		nic->route_gateway = first;
}

int
srcroute_check(const struct nic_config *nic, char *err, size_t errlen)
{
	uint32_t	mask = prefix_mask(nic->prefix);

	if (nic->route_table == 0)
		return nic->route_gateway == 0 ? 0 : errorf(err, errlen,
		    "a gateway without a routing table");
	if (!table_ours(nic->route_table))
		return errorf(err, errlen, "routing table %u is the kernel's",
		    nic->route_table);
	if (!nic->has_address || nic->prefix > 31)
		return errorf(err, errlen, "a routing table needs an address"
		    " of /31 or shorter");
	if (nic->route_gateway == 0)
		return 0;
	if ((nic->route_gateway & mask) != (nic->address & mask) ||
	    nic->route_gateway == nic->address ||
	    (nic->route_gateway & ~mask) == 0 ||
	    (nic->route_gateway | mask) == UINT32_MAX)
		return errorf(err, errlen, "the gateway is no other host of"
		    " the NIC's subnet");
	return 0;
}

void
srcroute_wanted(const struct nic_config *nic, int oif,
    struct srcroute_set *set)
{
	uint32_t	mask = prefix_mask(nic->prefix);
	struct nl_route	*r;

	memset(set, 0, sizeof(*set));
	if (nic->route_table == 0)
		return;
	r = &set->routes[set->nroutes++];
	r->table = nic->route_table;
	r->dst = nic->address & mask;
	r->dst_len = nic->prefix;
	r->prefsrc = nic->address;
	r->oif = oif;
	r->scope = RT_SCOPE_LINK;
	r->type = RTN_UNICAST;
	if (nic->route_gateway != 0) {
		r = &set->routes[set->nroutes++];
		r->table = nic->route_table;
		r->gateway = nic->route_gateway;
		r->oif = oif;
		r->scope = RT_SCOPE_UNIVERSE;
		r->type = RTN_UNICAST;
	}
	set->rules[0].priority = SRCROUTE_PRIORITY_BASE + (uint32_t)nic->slot;
	set->rules[0].table = nic->route_table;
	set->rules[0].src = nic->address;
	set->rules[0].src_len = 32;
	set->nrules = 1;
}

static int
rule_same(const struct nl_rule *a, const struct nl_rule *b)
{
	return a->priority == b->priority && a->table == b->table &&
	    a->src == b->src && a->src_len == b->src_len &&
	    a->other == b->other;
}

static int
route_same(const struct nl_route *a, const struct nl_route *b)
{
	return a->table == b->table && a->dst == b->dst &&
	    a->dst_len == b->dst_len && a->gateway == b->gateway &&
	    a->prefsrc == b->prefsrc && a->metric == b->metric &&
	    a->oif == b->oif && a->scope == b->scope && a->type == b->type &&
	    a->tos == b->tos && a->other == b->other;
}

static int
has_rule(const struct srcroute_set *set, const struct nl_rule *r)
{
	size_t	i;

	for (i = 0; i < set->nrules; i++)
		if (rule_same(&set->rules[i], r))
			return 1;
	return 0;
}

static int
has_route(const struct srcroute_set *set, const struct nl_route *r)
{
	size_t	i;

	for (i = 0; i < set->nroutes; i++)
		if (route_same(&set->routes[i], r))
			return 1;
	return 0;
}

/* The tables of slot: those its rules name, and table. */
static int
slot_table(const struct srcroute_set *set, uint32_t table, uint32_t t)
{
	size_t	i;

	if (!table_ours(t))
		return 0;
	if (t == table)
		return 1;
	for (i = 0; i < set->nrules; i++)
		if (set->rules[i].table == t)
			return 1;
	return 0;
}

void
srcroute_slot(const struct srcroute_live *live, int slot, uint32_t table,
    struct srcroute_set *set)
{
	uint32_t	priority = SRCROUTE_PRIORITY_BASE + (uint32_t)slot;
	size_t		i;

	memset(set, 0, sizeof(*set));
	set->truncated = live->truncated;
	for (i = 0; i < live->nrules; i++) {
		if (live->rules[i].priority != priority)
			continue;
		if (set->nrules == SRCROUTE_RULES_MAX)
			set->truncated = 1;
		else
			set->rules[set->nrules++] = live->rules[i];
	}
	for (i = 0; i < live->nroutes; i++) {
		if (!slot_table(set, table, live->routes[i].table))
			continue;
		if (set->nroutes == SRCROUTE_ROUTES_MAX)
			set->truncated = 1;
		else
			set->routes[set->nroutes++] = live->routes[i];
	}
}

int
srcroute_set_equal(const struct srcroute_set *a, const struct srcroute_set *b)
{
	size_t	i;

	if (a->truncated || b->truncated || a->nrules != b->nrules ||
	    a->nroutes != b->nroutes)
		return 0;
	for (i = 0; i < a->nrules; i++)
		if (!has_rule(b, &a->rules[i]))
			return 0;
	for (i = 0; i < a->nroutes; i++)
		if (!has_route(b, &a->routes[i]))
			return 0;
	return 1;
}

int
srcroute_table_ours(uint32_t table, void *arg)
{
	const struct srcroute_live	*live = arg;
	size_t				 i;

	if (!table_ours(table))
		return 0;
	if (live->table_base != 0 && table >= live->table_base &&
	    table - live->table_base < SRCROUTE_SLOTS)
		return 1;
	for (i = 0; i < live->nrules; i++)
		if (live->rules[i].table == table)
			return 1;
	return 0;
}

/*
 * Ours has the shape we make, "from A/32 lookup T": another rule at our
 * priorities (a subnet, a mark, an interface) is someone else's.
 */
static int
rule_ours(const struct nl_rule *rule)
{
	return !rule->other && rule->src_len == 32 && table_ours(rule->table);
}

int
srcroute_read(struct nl *nl, uint32_t table_base, struct srcroute_live *live)
{
	struct nl_rule	*rules;
	struct nl_route	*routes;
	size_t		 n, i;
	int		 rc;

	memset(live, 0, sizeof(*live));
	live->table_base = table_base;
	if ((rc = nl_dump_rules(nl, SRCROUTE_PRIORITY_BASE,
	    SRCROUTE_PRIORITY_BASE + SRCROUTE_SLOTS - 1, &rules, &n)) < 0)
		return rc;
	for (i = 0; i < n; i++) {
		if (!rule_ours(&rules[i]))
			continue;
		if (live->nrules == SRCROUTE_LIVE_RULES)
			live->truncated = 1;
		else
			live->rules[live->nrules++] = rules[i];
	}
	free(rules);
	if ((rc = nl_dump_routes(nl, srcroute_table_ours, live, &routes,
	    &n)) < 0)
		return rc;
	if (n > SRCROUTE_LIVE_ROUTES)
		live->truncated = 1;
	live->nroutes = n > SRCROUTE_LIVE_ROUTES ? SRCROUTE_LIVE_ROUTES : n;
	if (live->nroutes > 0)
		memcpy(live->routes, routes, live->nroutes * sizeof(*routes));
	free(routes);
	live->read = 1;
	return 0;
}

static int
apply_failed(char *why, size_t len, const char *what, uint32_t table, int rc,
    struct nl *nl)
{
	return errorf(why, len, "cannot %s table %u: %s %s", what, table,
	    nl_strerror(rc), nl_last_error_msg(nl));
}

/* Rules go first and come last: none points at a half-built table. */
int
srcroute_apply(struct nl *nl, const struct srcroute_set *have,
    const struct srcroute_set *want, char *why, size_t len)
{
	size_t	i;
	int	rc;

	for (i = 0; i < have->nrules; i++)
		if (!has_rule(want, &have->rules[i]) &&
		    (rc = nl_rule_del(nl, &have->rules[i])) < 0 &&
		    rc != -ENOENT)
			return apply_failed(why, len, "remove the rule of",
			    have->rules[i].table, rc, nl);
	/* A route goes with its link or address: ESRCH is no failure. */
	for (i = 0; i < have->nroutes; i++)
		if (!has_route(want, &have->routes[i]) &&
		    (rc = nl_route_del(nl, &have->routes[i])) < 0 &&
		    rc != -ESRCH && rc != -ENOENT)
			return apply_failed(why, len, "remove a route of",
			    have->routes[i].table, rc, nl);
	for (i = 0; i < want->nroutes; i++)
		if ((rc = nl_route_add(nl, &want->routes[i])) < 0 &&
		    rc != -EEXIST)
			return apply_failed(why, len, "add a route to",
			    want->routes[i].table, rc, nl);
	for (i = 0; i < want->nrules; i++)
		if ((rc = nl_rule_add(nl, &want->rules[i])) < 0 &&
		    rc != -EEXIST)
			return apply_failed(why, len, "add the rule of",
			    want->rules[i].table, rc, nl);
	return 0;
}

void
srcroute_text(const struct nic_config *nic, char *buf, size_t len)
{
	char	gw[INET_ADDRSTRLEN];

	buf[0] = '\0';
	if (nic->route_table == 0)
		return;
	if (nic->route_gateway != 0 &&
	    inet_ntop(AF_INET, &nic->route_gateway, gw, sizeof(gw)) != NULL)
		snprintf(buf, len, "table %u via %s", nic->route_table, gw);
	else
		snprintf(buf, len, "table %u, on-link only", nic->route_table);
}
