/* SPDX-License-Identifier: ISC */
/*
 * Source routing for secondary NICs (SOURCE_ROUTING=on): multinicN gets a
 * routing table of its own and a rule sending its address's traffic there,
 * so replies leave through the NIC they arrived on.
 */
#ifndef MULTINIC_SRCROUTE_H
#define MULTINIC_SRCROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "netlink.h"
#include "render.h"

/*
 * The rule of multinicN has priority 1000 + N: after the local table's 0,
 * before the main table's 32766 and the default table's 32767. multinicd
 * owns the rules "from A/32 lookup T" at these ten priorities (T not one
 * of the kernel's tables), and the routes of the tables they name.
 */
#define SRCROUTE_PRIORITY_BASE	1000
#define SRCROUTE_SLOTS		10

/* A slot's rules and the routes of its tables, as found or as wanted. */
#define SRCROUTE_RULES_MAX	4
#define SRCROUTE_ROUTES_MAX	8

struct srcroute_set {
	size_t		nrules;
	struct nl_rule	rules[SRCROUTE_RULES_MAX];
	size_t		nroutes;
	struct nl_route	routes[SRCROUTE_ROUTES_MAX];
	int		truncated;	/* more than fit: never wanted */
};

/* What SOURCE_ROUTING* ask for; table_base 0 when off. */
struct srcroute_conf {
	uint32_t	table_base;
	int		gateway_first;
};

/* The kernel's rules at our priorities and the routes of their tables. */
#define SRCROUTE_LIVE_RULES	32
#define SRCROUTE_LIVE_ROUTES	64

struct srcroute_live {
	int		read;		/* 0: not read, not compared */
	uint32_t	table_base;	/* as read with; 0: off */
	size_t		nrules;
	struct nl_rule	rules[SRCROUTE_LIVE_RULES];
	size_t		nroutes;
	struct nl_route	routes[SRCROUTE_LIVE_ROUTES];
	int		truncated;
};

/* Sets nic's route_table and route_gateway from its slot and address. */
void	srcroute_nic(const struct srcroute_conf *, struct nic_config *);
/* What render_check() refuses of the two fields. */
int	srcroute_check(const struct nic_config *, char *err, size_t errlen);
/* The rules and routes nic asks for, on link oif. */
void	srcroute_wanted(const struct nic_config *, int oif,
	    struct srcroute_set *);
/* slot's part of live: its rules, and the routes of their tables and of
 * table (its table now, 0 for none). */
void	srcroute_slot(const struct srcroute_live *, int slot,
	    uint32_t table, struct srcroute_set *);
int	srcroute_set_equal(const struct srcroute_set *,
	    const struct srcroute_set *);
/*
 * A table of ours: in live's range, or named by one of its rules. Its
 * default route is not the node's (nl_table_filter).
 */
int	srcroute_table_ours(uint32_t table, void *live);
/* Reads live: 0 or -errno. */
int	srcroute_read(struct nl *, uint32_t table_base,
	    struct srcroute_live *);
/* Brings the kernel from have to want; -1 with why. */
int	srcroute_apply(struct nl *, const struct srcroute_set *have,
	    const struct srcroute_set *want, char *why, size_t len);
/* "table 1003 via 10.0.3.1" or "table 1003, on-link only"; "" for none. */
void	srcroute_text(const struct nic_config *, char *buf, size_t len);

#endif
