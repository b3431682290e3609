/* SPDX-License-Identifier: ISC */
/*
 * The applier's view of the kernel's links, addresses and routes, and the
 * few changes it makes to them, over one synchronous rtnetlink socket.
 */
#ifndef MULTINIC_NETLINK_H
#define MULTINIC_NETLINK_H

#include <net/if.h>

#include <stddef.h>
#include <stdint.h>

#define NL_ADDRS_MAX	16

/* An IPv4 address, network byte order. */
struct nl_addr {
	uint32_t	addr;
	uint8_t		prefix;
};

struct nl_link {
	int		index;
	char		name[IFNAMSIZ];
	uint8_t		mac[6];
	int		has_mac;	/* IFLA_ADDRESS of length 6 */
	char		kind[16];	/* IFLA_INFO_KIND; "" for a NIC */
	int		master;		/* IFLA_MASTER: bridge or bond, or 0 */
	/*
	 * IFLA_LINK, or 0 when absent: the parent of a vlan/macvlan, but the
	 * peer of a veth. When the parent or peer is in another namespace
	 * the index is one of that namespace.
	 */
	int		link;
	/*
	 * IFLA_LINK_NETNSID is there: the peer of a veth (or the parent of
	 * a macvlan) lives in another network namespace, as a container's
	 * veth does.
	 */
	int		link_elsewhere;
	unsigned short	type;		/* ifi_type: ARPHRD_ETHER for NICs */
	unsigned	flags;		/* ifi_flags: IFF_UP, IFF_LOOPBACK... */
	uint32_t	mtu;
	size_t		naddrs;		/* IPv4 only */
	struct nl_addr	addrs[NL_ADDRS_MAX];
	int		addrs_truncated; /* more than NL_ADDRS_MAX */
};

#define NL_DEFAULT_ROUTES_MAX	16

struct nl_default_routes {
	int		links[NL_DEFAULT_ROUTES_MAX];	/* ifindexes */
	size_t		nlinks;
	uint32_t	gateways[NL_DEFAULT_ROUTES_MAX]; /* IPv4, network order */
	size_t		ngateways;
};

/* A route's destination, from an RTM_NEWROUTE or RTM_DELROUTE. */
struct nl_route_dest {
	int		family;		/* AF_INET or AF_INET6 */
	uint8_t		dst[16];	/* network byte order; zeros: default */
	uint8_t		dst_len;	/* prefix length */
	uint32_t	table;		/* RTA_TABLE, else rtm_table */
};

/*
 * An IPv4 policy rule. other: it has a selector or an action besides
 * "from src/len lookup table" (fwmark, iif, tos, goto...).
 */
struct nl_rule {
	uint32_t	priority;
	uint32_t	table;
	uint32_t	src;		/* network byte order */
	uint8_t		src_len;
	uint8_t		other;
};

/*
 * An IPv4 route of one table. other: something we never set (multipath,
 * a source selector, metrics...).
 */
struct nl_route {
	uint32_t	table;
	uint32_t	dst;		/* network byte order */
	uint32_t	gateway;	/* 0: none */
	uint32_t	prefsrc;	/* 0: none */
	uint32_t	metric;		/* RTA_PRIORITY */
	int		oif;
	uint8_t		dst_len;
	uint8_t		scope;		/* RT_SCOPE_* */
	uint8_t		type;		/* RTN_* */
	uint8_t		tos;
	uint8_t		other;
};

/* Which table's routes a dump keeps. */
typedef int (*nl_table_filter)(uint32_t table, void *arg);

struct nl;

/* All functions below return 0 or -errno; -EINVAL for a malformed reply. */

struct nl	*nl_open(void);		/* NULL and errno on failure */
void		 nl_close(struct nl *);

/* Every link with its IPv4 addresses; *links is malloc'd, caller frees. */
int	nl_dump_links(struct nl *, struct nl_link **links, size_t *nlinks);
/*
 * Every IPv4 or IPv6 default route, any table but those skip says (NULL:
 * none), every next hop: the links that carry one, and the IPv4 gateways.
 * -ENOSPC when more than fit.
 */
int	nl_default_routes(struct nl *, nl_table_filter skip, void *arg,
	    struct nl_default_routes *);
/* The ifindex the kernel would use to reach addr (like `ip route get`);
 * family AF_INET (4 bytes) or AF_INET6 (16 bytes). */
int	nl_route_link(struct nl *, int family, const void *addr, int *ifindex);

/* IPv4 rules with priority in min..max; *rules is malloc'd. */
int	nl_dump_rules(struct nl *, uint32_t min, uint32_t max,
	    struct nl_rule **rules, size_t *nrules);
/* IPv4 routes of the tables filter keeps; *routes is malloc'd. */
int	nl_dump_routes(struct nl *, nl_table_filter filter, void *arg,
	    struct nl_route **routes, size_t *nroutes);
/* Add: NLM_F_EXCL, -EEXIST when there. Delete: -ENOENT/-ESRCH when not. */
int	nl_rule_add(struct nl *, const struct nl_rule *);
int	nl_rule_del(struct nl *, const struct nl_rule *);
int	nl_route_add(struct nl *, const struct nl_route *);
int	nl_route_del(struct nl *, const struct nl_route *);

int	nl_link_set_name(struct nl *, int index, const char *name);
int	nl_link_set_mtu(struct nl *, int index, uint32_t mtu);
int	nl_link_set_up(struct nl *, int index, int up);
/* addr in network byte order; NLM_F_EXCL: -EEXIST when already there. */
int	nl_addr_add(struct nl *, int index, uint32_t addr, uint8_t prefix);
int	nl_addr_del(struct nl *, int index, uint32_t addr, uint8_t prefix);

/* The kernel's extended-ack text for the last failed request, or "". */
const char	*nl_last_error_msg(const struct nl *);
const char	*nl_strerror(int negative_errno);

/*
 * One message of the kernel, as a dump or an event brings it: 0 or -errno
 * (-EINVAL when damaged). nl_addr_parse and nl_route_parse return 1 for an
 * IPv4 address or an IPv4/IPv6 route, 0 for another family.
 */
struct nlmsghdr;
int	nl_link_parse(const struct nlmsghdr *, struct nl_link *);
int	nl_addr_parse(const struct nlmsghdr *, int *index, struct nl_addr *);
int	nl_route_parse(const struct nlmsghdr *, struct nl_route_dest *);

/* Pure helpers for the planner. */
int	nl_link_is_candidate(const struct nl_link *);
const struct nl_link *nl_link_by_index(const struct nl_link *, size_t,
	    int index);

#endif
