/* SPDX-License-Identifier: ISC */
/*
 * rtnetlink for the applier: dumps of links, IPv4 addresses, routes and
 * rules, and the changes it makes (name, MTU, up/down, IPv4 addresses, the
 * routes and rules of source routing), with libmnl.
 */

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <net/if_arp.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "netlink.h"

/* Dumps arrive in datagrams of up to 32 KiB, whatever the buffer we offer. */
#define NL_RECV_SIZE	32768
/* The largest request (a link name, or an IPv6 RTA_DST) is under 64 bytes. */
#define NL_REQ_SIZE	256
#define NL_ERRMSG_MAX	128
/* The kernel answers at once; this only keeps a lost reply from hanging us. */
#define NL_RECV_TIMEOUT	10
/* A dump the kernel marks inconsistent (links changed meanwhile) is redone. */
#define NL_DUMP_TRIES	3

struct nl {
	struct mnl_socket	*sock;
	uint32_t		 portid;
	uint32_t		 seq;
	char			 errmsg[NL_ERRMSG_MAX];
	_Alignas(8) char	 req[NL_REQ_SIZE];
	_Alignas(8) char	 rbuf[NL_RECV_SIZE];
};

/* Turns one message of a reply into the caller's data: 0 or -errno. */
typedef int (*nl_parse_fn)(const struct nlmsghdr *, void *);

/* The progress of reading the replies to one request. */
struct nl_reply {
	uint32_t	 seq;
	nl_parse_fn	 parse;
	void		*arg;
	int		 err;	/* the first error seen */
	int		 done;	/* the ACK, error or NLMSG_DONE has arrived */
};

struct link_dump {
	struct nl_link	*links;
	size_t		 n;
	size_t		 cap;
};

static int
nl_set_options(struct nl *nl)
{
	struct timeval	 timeout = { NL_RECV_TIMEOUT, 0 };
	int		 on = 1;

	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO,
	    &timeout, sizeof(timeout)) == -1)
		return -1;
	/* The kernel's reason for a refusal is worth a log line; it is
	 * optional, so an old kernel without it is no failure. */
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &on, sizeof(on));
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &on, sizeof(on));
	return 0;
}

struct nl *
nl_open(void)
{
	struct nl	*nl;
	int		 saved;

	if ((nl = calloc(1, sizeof(*nl))) == NULL)
		return NULL;
	if ((nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    nl_set_options(nl) == -1) {
		saved = errno;
		nl_close(nl);
		errno = saved;
		return NULL;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	return nl;
}

void
nl_close(struct nl *nl)
{
	if (nl == NULL)
		return;
	if (nl->sock != NULL)
		mnl_socket_close(nl->sock);
	free(nl);
}

const char *
nl_last_error_msg(const struct nl *nl)
{
	return nl->errmsg;
}

const char *
nl_strerror(int err)
{
	return strerror(err < 0 ? -err : err);
}

/* A new request in nl->req, with the next sequence number. */
static struct nlmsghdr *
nl_msg(struct nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr	*nlh;

	memset(nl->req, 0, sizeof(nl->req));
	nlh = mnl_nlmsg_put_header(nl->req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	return nlh;
}

/*
 * Indexes the attributes in buf by type. Unlike mnl_attr_parse, bytes left
 * over that do not make a whole attribute are an error: the kernel never
 * sends them, so the message is damaged and nothing in it is trusted.
 */
static int
nl_attrs(const void *buf, size_t len, const struct nlattr **tb, uint16_t max)
{
	const struct nlattr	*attr = buf;
	int			 left;

	if (len > INT_MAX)
		return -EINVAL;
	memset(tb, 0, (max + 1) * sizeof(*tb));
	for (left = (int)len; mnl_attr_ok(attr, left);
	    attr = mnl_attr_next(attr)) {
		if (mnl_attr_get_type(attr) <= max)
			tb[mnl_attr_get_type(attr)] = attr;
		left -= MNL_ALIGN(attr->nla_len);
	}
	/* Below zero: the last attribute was not padded, which is fine. */
	return left > 0 ? -EINVAL : 0;
}

/* The attributes after a message's fixed header (ifinfomsg, rtmsg...). */
static int
nl_attrs_msg(const struct nlmsghdr *nlh, size_t hdrlen,
    const struct nlattr **tb, uint16_t max)
{
	size_t	 plen = mnl_nlmsg_get_payload_len(nlh);

	if (plen < MNL_ALIGN(hdrlen))
		return -EINVAL;
	return nl_attrs(mnl_nlmsg_get_payload_offset(nlh, hdrlen),
	    plen - MNL_ALIGN(hdrlen), tb, max);
}

static int
nl_attrs_nested(const struct nlattr *nest, const struct nlattr **tb,
    uint16_t max)
{
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) == -1)
		return -EINVAL;
	return nl_attrs(mnl_attr_get_payload(nest),
	    mnl_attr_get_payload_len(nest), tb, max);
}

/* An optional u32: absent leaves *v alone; a wrong size is damage. */
static int
nl_attr_u32(const struct nlattr *attr, uint32_t *v)
{
	if (attr == NULL)
		return 0;
	if (mnl_attr_validate(attr, MNL_TYPE_U32) == -1)
		return -EINVAL;
	*v = mnl_attr_get_u32(attr);
	return 0;
}

/* An optional ifindex (IFLA_MASTER, RTA_OIF...); absent is 0. */
static int
nl_attr_index(const struct nlattr *attr, int *index)
{
	uint32_t	 v = 0;
	int		 err;

	if ((err = nl_attr_u32(attr, &v)) < 0)
		return err;
	if (v > INT_MAX)
		return -EINVAL;
	*index = (int)v;
	return 0;
}

/* The kernel's reason for a refusal ("MTU too large"...), for the log. */
static void
nl_keep_extack(struct nl *nl, const struct nlmsghdr *nlh,
    const struct nlmsgerr *e)
{
	const struct nlattr	*tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlattr	*msg;
	size_t			 off = sizeof(*e);
	size_t			 plen = mnl_nlmsg_get_payload_len(nlh);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Without NLM_F_CAPPED our whole request is echoed first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e->msg.nlmsg_len < sizeof(e->msg))
			return;
		off += e->msg.nlmsg_len - sizeof(e->msg);
	}
	off = MNL_ALIGN(off);
	if (off > plen || nl_attrs((const char *)e + off, plen - off, tb,
	    NLMSGERR_ATTR_MAX) < 0)
		return;
	msg = tb[NLMSGERR_ATTR_MSG];
	if (msg != NULL && mnl_attr_validate(msg, MNL_TYPE_NUL_STRING) == 0)
		strlcpy(nl->errmsg, mnl_attr_get_str(msg), sizeof(nl->errmsg));
}

/* NLMSG_ERROR: 0 is the ACK, else -errno. */
static int
nl_ack_error(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr	*e = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EINVAL;
	if (e->error > 0 || e->error < -4095)
		return -EPROTO;
	if (e->error < 0)
		nl_keep_extack(nl, nlh, e);
	return e->error;
}

/* The NLMSG_DONE of a dump that failed midway carries its -errno. */
static int
nl_done_error(const struct nlmsghdr *nlh)
{
	int	 err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	return err < 0 && err >= -4095 ? err : 0;
}

static void
nl_keep_error(struct nl_reply *r, int err)
{
	if (r->err == 0)
		r->err = err;
}

static void
nl_message(struct nl *nl, const struct nlmsghdr *nlh, struct nl_reply *r)
{
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		nl_keep_error(r, -EINTR);
	switch (nlh->nlmsg_type) {
	case NLMSG_NOOP:
		return;
	case NLMSG_ERROR:
		nl_keep_error(r, nl_ack_error(nl, nlh));
		r->done = 1;
		return;
	case NLMSG_DONE:
		nl_keep_error(r, nl_done_error(nlh));
		r->done = 1;
		return;
	case NLMSG_OVERRUN:
		nl_keep_error(r, -EOVERFLOW);
		return;
	}
	/* After an error the rest of a dump is read but not parsed. */
	if (r->err == 0 && r->parse != NULL)
		r->err = r->parse(nlh, r->arg);
}

/* Every message of one datagram that answers this request. */
static void
nl_walk(struct nl *nl, int len, struct nl_reply *r)
{
	const struct nlmsghdr	*nlh = (const struct nlmsghdr *)nl->rbuf;

	for (; !r->done && mnl_nlmsg_ok(nlh, len);
	    nlh = mnl_nlmsg_next(nlh, &len)) {
		/* A late reply to an earlier request that timed out. */
		if (nlh->nlmsg_seq != r->seq || nlh->nlmsg_pid != nl->portid)
			continue;
		nl_message(nl, nlh, r);
	}
	/* A partial message: whatever ended the reply is lost with it. */
	if (!r->done && len > 0) {
		nl_keep_error(r, -EINVAL);
		r->done = 1;
	}
}

/* One datagram from the kernel: its length, 0 to ignore it, or -errno. */
static int
nl_recv(struct nl *nl)
{
	struct sockaddr_nl	 from;
	struct iovec		 iov = { nl->rbuf, sizeof(nl->rbuf) };
	struct msghdr		 msg = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t			 n;

	do
		n = recvmsg(mnl_socket_get_fd(nl->sock), &msg, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	/* Only the kernel (port 0) answers requests. */
	if (msg.msg_namelen != sizeof(from) || from.nl_pid != 0)
		return 0;
	return (int)n;
}

/*
 * Sends a request and reads its replies through its ACK, error or
 * NLMSG_DONE. Not mnl_cb_run: it stops at the first bad message, leaving
 * the rest of a dump queued to break the next request, and it drops the
 * error an NLMSG_DONE carries.
 */
static int
nl_talk(struct nl *nl, const struct nlmsghdr *nlh, nl_parse_fn parse,
    void *arg)
{
	struct nl_reply	 r = { nlh->nlmsg_seq, parse, arg, 0, 0 };
	ssize_t		 sent;
	int		 len;

	nl->errmsg[0] = '\0';
	if ((sent = mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len)) == -1)
		return -errno;
	if ((size_t)sent != nlh->nlmsg_len)
		return -EIO;
	while (!r.done) {
		if ((len = nl_recv(nl)) < 0)
			return len;
		nl_walk(nl, len, &r);
	}
	return r.err;
}

static struct nl_link *
link_append(struct link_dump *d)
{
	struct nl_link	*grown;
	size_t		 cap;

	if (d->n == d->cap) {
		cap = d->cap == 0 ? 16 : d->cap * 2;
		if ((grown = reallocarray(d->links, cap, sizeof(*grown))) ==
		    NULL)
			return NULL;
		d->links = grown;
		d->cap = cap;
	}
	memset(&d->links[d->n], 0, sizeof(d->links[0]));
	return &d->links[d->n++];
}

static int
link_name(const struct nlattr *attr, char *name)
{
	if (attr == NULL || mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == -1)
		return -EINVAL;
	if (strlcpy(name, mnl_attr_get_str(attr), IFNAMSIZ) >= IFNAMSIZ)
		return -EINVAL;
	return 0;
}

/* IFLA_INFO_KIND; a NIC has none (a bridge port has only a slave kind). */
static int
link_kind(const struct nlattr *linkinfo, char *kind, size_t size)
{
	const struct nlattr	*info[IFLA_INFO_MAX + 1];
	const struct nlattr	*attr;

	kind[0] = '\0';
	if (linkinfo == NULL)
		return 0;
	if (nl_attrs_nested(linkinfo, info, IFLA_INFO_MAX) < 0)
		return -EINVAL;
	if ((attr = info[IFLA_INFO_KIND]) == NULL)
		return 0;
	if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == -1)
		return -EINVAL;
	/* A kind too long to keep is none we manage: cut, it still isn't. */
	strlcpy(kind, mnl_attr_get_str(attr), size);
	return 0;
}

static int
link_attrs(struct nl_link *l, const struct nlattr **tb)
{
	const struct nlattr	*mac = tb[IFLA_ADDRESS];
	int			 err;

	if ((err = link_name(tb[IFLA_IFNAME], l->name)) < 0 ||
	    (err = nl_attr_u32(tb[IFLA_MTU], &l->mtu)) < 0 ||
	    (err = nl_attr_index(tb[IFLA_MASTER], &l->master)) < 0 ||
	    (err = nl_attr_index(tb[IFLA_LINK], &l->link)) < 0 ||
	    (err = link_kind(tb[IFLA_LINKINFO], l->kind, sizeof(l->kind))) < 0)
		return err;
	if (l->link == l->index)
		l->link = 0;
	l->link_elsewhere = tb[IFLA_LINK_NETNSID] != NULL;
	/* Tunnels and InfiniBand have hardware addresses of other sizes. */
	if (mac != NULL && mnl_attr_get_payload_len(mac) == sizeof(l->mac)) {
		memcpy(l->mac, mnl_attr_get_payload(mac), sizeof(l->mac));
		l->has_mac = 1;
	}
	return 0;
}

int
nl_link_parse(const struct nlmsghdr *nlh, struct nl_link *l)
{
	const struct ifinfomsg	*ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[IFLA_MAX + 1];
	int			 err;

	memset(l, 0, sizeof(*l));
	if ((err = nl_attrs_msg(nlh, sizeof(*ifm), tb, IFLA_MAX)) < 0)
		return err;
	if (ifm->ifi_index <= 0)
		return -EINVAL;
	l->index = ifm->ifi_index;
	l->type = ifm->ifi_type;
	l->flags = ifm->ifi_flags;
	return link_attrs(l, tb);
}

static int
link_parse(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_link	*l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	if ((l = link_append(arg)) == NULL)
		return -ENOMEM;
	return nl_link_parse(nlh, l);
}

static struct nl_link *
link_find(struct link_dump *d, int index)
{
	size_t	 i;

	for (i = 0; i < d->n; i++)
		if (d->links[i].index == index)
			return &d->links[i];
	return NULL;
}

int
nl_addr_parse(const struct nlmsghdr *nlh, int *index, struct nl_addr *addr)
{
	const struct ifaddrmsg	*ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[IFA_MAX + 1];
	const struct nlattr	*local;
	int			 err;

	if ((err = nl_attrs_msg(nlh, sizeof(*ifa), tb, IFA_MAX)) < 0)
		return err;
	if (ifa->ifa_family != AF_INET)
		return 0;
	/* IFA_ADDRESS is the peer's on a point-to-point link. */
	local = tb[IFA_LOCAL] != NULL ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (ifa->ifa_prefixlen > 32 || local == NULL ||
	    mnl_attr_validate(local, MNL_TYPE_U32) == -1 ||
	    ifa->ifa_index == 0 || ifa->ifa_index > INT_MAX)
		return -EINVAL;
	*index = (int)ifa->ifa_index;
	addr->addr = mnl_attr_get_u32(local);
	addr->prefix = ifa->ifa_prefixlen;
	return 1;
}

static int
addr_parse(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_addr	 addr;
	struct nl_link	*l;
	int		 err, index;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	if ((err = nl_addr_parse(nlh, &index, &addr)) <= 0)
		return err;
	/* A link that appeared after the link dump waits for the next one. */
	if ((l = link_find(arg, index)) == NULL)
		return 0;
	if (l->naddrs == NL_ADDRS_MAX) {
		l->addrs_truncated = 1;
		return 0;
	}
	l->addrs[l->naddrs++] = addr;
	return 0;
}

static int
dump_links_once(struct nl *nl, struct link_dump *d)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;
	struct ifaddrmsg	*ifa;
	int			 err;

	nlh = nl_msg(nl, RTM_GETLINK, NLM_F_DUMP);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	/* Counters are not needed and double the size of every message. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	if ((err = nl_talk(nl, nlh, link_parse, d)) < 0)
		return err;

	nlh = nl_msg(nl, RTM_GETADDR, NLM_F_DUMP);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	return nl_talk(nl, nlh, addr_parse, d);
}

int
nl_dump_links(struct nl *nl, struct nl_link **links, size_t *nlinks)
{
	struct link_dump	 d;
	int			 err, tries;

	*links = NULL;
	*nlinks = 0;
	for (tries = 0; tries < NL_DUMP_TRIES; tries++) {
		memset(&d, 0, sizeof(d));
		if ((err = dump_links_once(nl, &d)) == 0) {
			*links = d.links;
			*nlinks = d.n;
			return 0;
		}
		free(d.links);
		if (err != -EINTR)
			return err;
	}
	return -EAGAIN;
}

static int
route_links_add(struct nl_default_routes *r, int index)
{
	size_t	 i;

	if (index <= 0)
		return 0;
	for (i = 0; i < r->nlinks; i++)
		if (r->links[i] == index)
			return 0;
	/* A protected link left out would be unprotected: fail instead. */
	if (r->nlinks == NL_DEFAULT_ROUTES_MAX)
		return -ENOSPC;
	r->links[r->nlinks++] = index;
	return 0;
}

/* An IPv4 RTA_GATEWAY, if there is one: a destination that must not move. */
static int
route_gateway_add(struct nl_default_routes *r, const struct nlattr *attr)
{
	uint32_t	 gw;
	size_t		 i;

	if (attr == NULL)
		return 0;
	if (mnl_attr_get_payload_len(attr) != sizeof(gw))
		return -EINVAL;
	memcpy(&gw, mnl_attr_get_payload(attr), sizeof(gw));
	for (i = 0; i < r->ngateways; i++)
		if (r->gateways[i] == gw)
			return 0;
	if (r->ngateways == NL_DEFAULT_ROUTES_MAX)
		return -ENOSPC;
	r->gateways[r->ngateways++] = gw;
	return 0;
}

/* One rtnexthop of RTA_MULTIPATH: its link, and its IPv4 gateway. */
static int
route_nexthop(const struct rtnexthop *nh, int ipv4,
    struct nl_default_routes *r)
{
	const struct nlattr	*tb[RTA_MAX + 1];
	int			 err;

	if ((err = route_links_add(r, nh->rtnh_ifindex)) < 0 || !ipv4)
		return err;
	if ((err = nl_attrs((const char *)nh + sizeof(*nh),
	    nh->rtnh_len - sizeof(*nh), tb, RTA_MAX)) < 0)
		return err;
	return route_gateway_add(r, tb[RTA_GATEWAY]);
}

/* RTA_MULTIPATH: rtnexthop headers, each followed by its attributes. */
static int
route_nexthops(const struct nlattr *multipath, int ipv4,
    struct nl_default_routes *r)
{
	const char		*p = mnl_attr_get_payload(multipath);
	size_t			 left = mnl_attr_get_payload_len(multipath);
	const struct rtnexthop	*nh;
	size_t			 step;
	int			 err;

	while (left >= sizeof(*nh)) {
		nh = (const struct rtnexthop *)p;
		if (nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left)
			return -EINVAL;
		if ((err = route_nexthop(nh, ipv4, r)) < 0)
			return err;
		/* The last one may lack its padding. */
		if ((step = RTNH_ALIGN((size_t)nh->rtnh_len)) >= left)
			return 0;
		left -= step;
		p += step;
	}
	return left == 0 ? 0 : -EINVAL;
}

/* A default route dump: where it goes, and the tables left out. */
struct default_dump {
	struct nl_default_routes	*routes;
	nl_table_filter			 skip;
	void				*skip_arg;
};

static int
route_default_parse(const struct nlmsghdr *nlh, void *arg)
{
	const struct rtmsg	*rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[RTA_MAX + 1];
	struct default_dump	*d = arg;
	uint32_t		 table;
	int			 err, oif = 0, ipv4;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if ((err = nl_attrs_msg(nlh, sizeof(*rtm), tb, RTA_MAX)) < 0)
		return err;
	/* An AF_UNSPEC dump also brings multicast (ipmr) tables. */
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_dst_len != 0)
		return 0;
	ipv4 = rtm->rtm_family == AF_INET;
	table = rtm->rtm_table;
	if ((err = nl_attr_u32(tb[RTA_TABLE], &table)) < 0)
		return err;
	if (d->skip != NULL && d->skip(table, d->skip_arg))
		return 0;
	if ((err = nl_attr_index(tb[RTA_OIF], &oif)) < 0 ||
	    (err = route_links_add(d->routes, oif)) < 0)
		return err;
	if (ipv4 && (err = route_gateway_add(d->routes,
	    tb[RTA_GATEWAY])) < 0)
		return err;
	if (tb[RTA_MULTIPATH] != NULL)
		return route_nexthops(tb[RTA_MULTIPATH], ipv4, d->routes);
	return 0;
}

int
nl_default_routes(struct nl *nl, nl_table_filter skip, void *arg,
    struct nl_default_routes *r)
{
	struct default_dump	 d = { r, skip, arg };
	struct nlmsghdr		*nlh;
	struct rtmsg		*rtm;
	int			 err = -EAGAIN, tries;

	for (tries = 0; tries < NL_DUMP_TRIES; tries++) {
		memset(r, 0, sizeof(*r));
		/* AF_UNSPEC: IPv4 and IPv6 in one dump, every table. */
		nlh = nl_msg(nl, RTM_GETROUTE, NLM_F_DUMP);
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_UNSPEC;
		if ((err = nl_talk(nl, nlh, route_default_parse, &d)) != -EINTR)
			break;
	}
	if (err != 0)
		memset(r, 0, sizeof(*r));
	return err == -EINTR ? -EAGAIN : err;
}

int
nl_route_parse(const struct nlmsghdr *nlh, struct nl_route_dest *r)
{
	const struct rtmsg	*rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[RTA_MAX + 1];
	size_t			 alen;
	int			 err;

	memset(r, 0, sizeof(*r));
	if ((err = nl_attrs_msg(nlh, sizeof(*rtm), tb, RTA_MAX)) < 0)
		return err;
	if (rtm->rtm_family == AF_INET)
		alen = 4;
	else if (rtm->rtm_family == AF_INET6)
		alen = 16;
	else
		return 0;
	if (rtm->rtm_dst_len > alen * 8)
		return -EINVAL;
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->table = rtm->rtm_table;
	/* Tables past 255 are only in RTA_TABLE. */
	if (tb[RTA_TABLE] != NULL) {
		if (mnl_attr_validate(tb[RTA_TABLE], MNL_TYPE_U32) == -1)
			return -EINVAL;
		r->table = mnl_attr_get_u32(tb[RTA_TABLE]);
	}
	/* No RTA_DST is the default route: all zeros. */
	if (tb[RTA_DST] != NULL) {
		if (mnl_attr_get_payload_len(tb[RTA_DST]) != alen)
			return -EINVAL;
		memcpy(r->dst, mnl_attr_get_payload(tb[RTA_DST]), alen);
	}
	return 1;
}

static int
route_get_parse(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr	*tb[RTA_MAX + 1];
	int			 err;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if ((err = nl_attrs_msg(nlh, sizeof(struct rtmsg), tb, RTA_MAX)) < 0)
		return err;
	return nl_attr_index(tb[RTA_OIF], arg);
}

int
nl_route_link(struct nl *nl, int family, const void *addr, int *ifindex)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;
	uint8_t		 alen;
	int		 err, oif = 0;

	if (family == AF_INET)
		alen = 4;
	else if (family == AF_INET6)
		alen = 16;
	else
		return -EAFNOSUPPORT;
	nlh = nl_msg(nl, RTM_GETROUTE, NLM_F_ACK);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	mnl_attr_put(nlh, RTA_DST, alen, addr);
	if ((err = nl_talk(nl, nlh, route_get_parse, &oif)) < 0)
		return err;
	/* No device (a blackhole route...): nothing reaches addr. */
	if (oif == 0)
		return -ENETUNREACH;
	*ifindex = oif;
	return 0;
}

/* RTM_NEWLINK on an existing index changes only what the message holds. */
static struct nlmsghdr *
link_change_msg(struct nl *nl, int index, unsigned flags, unsigned change)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;

	nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_ACK);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	ifm->ifi_flags = flags;
	ifm->ifi_change = change;
	return nlh;
}

int
nl_link_set_name(struct nl *nl, int index, const char *name)
{
	struct nlmsghdr	*nlh;
	size_t		 len = strnlen(name, IFNAMSIZ);

	/* Index 0 would make the kernel look the link up by the new name. */
	if (index <= 0 || len == 0 || len >= IFNAMSIZ)
		return -EINVAL;
	nlh = link_change_msg(nl, index, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_talk(nl, nlh, NULL, NULL);
}

int
nl_link_set_mtu(struct nl *nl, int index, uint32_t mtu)
{
	struct nlmsghdr	*nlh;

	if (index <= 0)
		return -EINVAL;
	nlh = link_change_msg(nl, index, 0, 0);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nl_talk(nl, nlh, NULL, NULL);
}

int
nl_link_set_up(struct nl *nl, int index, int up)
{
	if (index <= 0)
		return -EINVAL;
	return nl_talk(nl, link_change_msg(nl, index, up ? IFF_UP : 0, IFF_UP),
	    NULL, NULL);
}

static struct nlmsghdr *
addr_msg(struct nl *nl, uint16_t type, uint16_t flags, int index,
    uint32_t addr, uint8_t prefix)
{
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;

	nlh = nl_msg(nl, type, NLM_F_ACK | flags);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = index;
	/* For deletion both select the address and its prefix length. */
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr);
	return nlh;
}

int
nl_addr_add(struct nl *nl, int index, uint32_t addr, uint8_t prefix)
{
	struct nlmsghdr	*nlh;
	uint32_t	 mask;

	if (index <= 0 || prefix > 32)
		return -EINVAL;
	nlh = addr_msg(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, index,
	    addr, prefix);
	/* /31 and /32 have no broadcast address (RFC 3021). */
	if (prefix <= 30) {
		mask = prefix == 0 ? 0 : htonl(UINT32_MAX << (32 - prefix));
		mnl_attr_put_u32(nlh, IFA_BROADCAST, addr | ~mask);
	}
	return nl_talk(nl, nlh, NULL, NULL);
}

int
nl_addr_del(struct nl *nl, int index, uint32_t addr, uint8_t prefix)
{
	if (index <= 0 || prefix > 32)
		return -EINVAL;
	return nl_talk(nl, addr_msg(nl, RTM_DELADDR, 0, index, addr, prefix),
	    NULL, NULL);
}

/* A growing array of rules or routes, for the dumps below. */
struct item_dump {
	void		*items;
	size_t		 n;
	size_t		 cap;
	size_t		 size;
	uint32_t	 min, max;	/* rules: the priorities kept */
	nl_table_filter	 filter;	/* routes: the tables kept */
	void		*filter_arg;
};

static void *
item_append(struct item_dump *d)
{
	void	*grown;
	size_t	 cap;

	if (d->n == d->cap) {
		cap = d->cap == 0 ? 16 : d->cap * 2;
		if ((grown = reallocarray(d->items, cap, d->size)) == NULL)
			return NULL;
		d->items = grown;
		d->cap = cap;
	}
	memset((char *)d->items + d->n * d->size, 0, d->size);
	return (char *)d->items + d->n++ * d->size;
}

/* An optional IPv4 address attribute; absent leaves *v alone. */
static int
nl_attr_in4(const struct nlattr *attr, uint32_t *v)
{
	if (attr == NULL)
		return 0;
	if (mnl_attr_get_payload_len(attr) != sizeof(*v))
		return -EINVAL;
	memcpy(v, mnl_attr_get_payload(attr), sizeof(*v));
	return 0;
}

/* FRA_SUPPRESS_*: the kernel always sends the prefix length; -1 is none. */
static int
rule_suppresses(const struct nlattr *attr)
{
	uint32_t	v = UINT32_MAX;

	if (nl_attr_u32(attr, &v) < 0)
		return 1;
	return v != UINT32_MAX;
}

static int
rule_parse(const struct nlmsghdr *nlh, void *arg)
{
	const struct fib_rule_hdr	*frh = mnl_nlmsg_get_payload(nlh);
	const struct nlattr		*tb[FRA_MAX + 1];
	struct item_dump		*d = arg;
	struct nl_rule			 r, *out;
	int				 err;

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return 0;
	if ((err = nl_attrs_msg(nlh, sizeof(*frh), tb, FRA_MAX)) < 0)
		return err;
	if (frh->family != AF_INET)
		return 0;
	memset(&r, 0, sizeof(r));
	r.table = frh->table;
	if ((err = nl_attr_u32(tb[FRA_PRIORITY], &r.priority)) < 0 ||
	    (err = nl_attr_u32(tb[FRA_TABLE], &r.table)) < 0 ||
	    (err = nl_attr_in4(tb[FRA_SRC], &r.src)) < 0)
		return err;
	if (frh->src_len > 32)
		return -EINVAL;
	if (r.priority < d->min || r.priority > d->max)
		return 0;
	r.src_len = frh->src_len;
	r.other = frh->dst_len != 0 || frh->tos != 0 || frh->flags != 0 ||
	    frh->action != FR_ACT_TO_TBL || tb[FRA_IIFNAME] != NULL ||
	    tb[FRA_OIFNAME] != NULL || tb[FRA_FWMARK] != NULL ||
	    tb[FRA_GOTO] != NULL || tb[FRA_UID_RANGE] != NULL ||
	    tb[FRA_IP_PROTO] != NULL || tb[FRA_SPORT_RANGE] != NULL ||
	    tb[FRA_DPORT_RANGE] != NULL ||
	    rule_suppresses(tb[FRA_SUPPRESS_PREFIXLEN]) ||
	    rule_suppresses(tb[FRA_SUPPRESS_IFGROUP]);
	if ((out = item_append(d)) == NULL)
		return -ENOMEM;
	*out = r;
	return 0;
}

static int
route_fields(struct nl_route *r, const struct nlattr **tb)
{
	int	err;

	if ((err = nl_attr_u32(tb[RTA_TABLE], &r->table)) < 0 ||
	    (err = nl_attr_in4(tb[RTA_DST], &r->dst)) < 0 ||
	    (err = nl_attr_in4(tb[RTA_GATEWAY], &r->gateway)) < 0 ||
	    (err = nl_attr_in4(tb[RTA_PREFSRC], &r->prefsrc)) < 0 ||
	    (err = nl_attr_u32(tb[RTA_PRIORITY], &r->metric)) < 0)
		return err;
	return nl_attr_index(tb[RTA_OIF], &r->oif);
}

static int
route_parse(const struct nlmsghdr *nlh, void *arg)
{
	const struct rtmsg	*rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*tb[RTA_MAX + 1];
	struct item_dump	*d = arg;
	struct nl_route		 r, *out;
	int			 err;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if ((err = nl_attrs_msg(nlh, sizeof(*rtm), tb, RTA_MAX)) < 0)
		return err;
	if (rtm->rtm_family != AF_INET)
		return 0;
	if (rtm->rtm_dst_len > 32)
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.table = rtm->rtm_table;
	if ((err = route_fields(&r, tb)) < 0)
		return err;
	if (!d->filter(r.table, d->filter_arg))
		return 0;
	r.dst_len = rtm->rtm_dst_len;
	r.scope = rtm->rtm_scope;
	r.type = rtm->rtm_type;
	r.tos = rtm->rtm_tos;
	r.other = rtm->rtm_src_len != 0 || tb[RTA_MULTIPATH] != NULL ||
	    tb[RTA_METRICS] != NULL || tb[RTA_NH_ID] != NULL;
	if ((out = item_append(d)) == NULL)
		return -ENOMEM;
	*out = r;
	return 0;
}

/* A dump of one family into d, redone when the kernel says it changed. */
static int
dump_items(struct nl *nl, uint16_t type, nl_parse_fn parse,
    struct item_dump *d)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;
	int		 err = -EAGAIN, tries;

	for (tries = 0; tries < NL_DUMP_TRIES; tries++) {
		d->n = 0;
		nlh = nl_msg(nl, type, NLM_F_DUMP);
		/* fib_rule_hdr and rtmsg both start with the family. */
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_INET;
		if ((err = nl_talk(nl, nlh, parse, d)) != -EINTR)
			break;
	}
	if (err != 0) {
		free(d->items);
		d->items = NULL;
		d->n = 0;
	}
	return err == -EINTR ? -EAGAIN : err;
}

int
nl_dump_rules(struct nl *nl, uint32_t min, uint32_t max,
    struct nl_rule **rules, size_t *nrules)
{
	struct item_dump	d = { NULL, 0, 0, sizeof(**rules), min, max,
				    NULL, NULL };
	int			err;

	err = dump_items(nl, RTM_GETRULE, rule_parse, &d);
	*rules = d.items;
	*nrules = d.n;
	return err;
}

int
nl_dump_routes(struct nl *nl, nl_table_filter filter, void *arg,
    struct nl_route **routes, size_t *nroutes)
{
	struct item_dump	d = { NULL, 0, 0, sizeof(**routes), 0, 0,
				    filter, arg };
	int			err;

	err = dump_items(nl, RTM_GETROUTE, route_parse, &d);
	*routes = d.items;
	*nroutes = d.n;
	return err;
}

static struct nlmsghdr *
rule_msg(struct nl *nl, uint16_t type, uint16_t flags,
    const struct nl_rule *r)
{
	struct nlmsghdr		*nlh;
	struct fib_rule_hdr	*frh;

	nlh = nl_msg(nl, type, NLM_F_ACK | flags);
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	frh->src_len = r->src_len;
	frh->action = FR_ACT_TO_TBL;
	/* Tables above 255 only fit FRA_TABLE. */
	frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, r->priority);
	mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	if (r->src_len > 0)
		mnl_attr_put(nlh, FRA_SRC, sizeof(r->src), &r->src);
	return nlh;
}

int
nl_rule_add(struct nl *nl, const struct nl_rule *r)
{
	if (r->src_len > 32 || r->table == 0)
		return -EINVAL;
	return nl_talk(nl, rule_msg(nl, RTM_NEWRULE, NLM_F_CREATE |
	    NLM_F_EXCL, r), NULL, NULL);
}

/* The kernel deletes the first rule matching what the message gives. */
int
nl_rule_del(struct nl *nl, const struct nl_rule *r)
{
	if (r->src_len > 32)
		return -EINVAL;
	return nl_talk(nl, rule_msg(nl, RTM_DELRULE, 0, r), NULL, NULL);
}

static struct nlmsghdr *
route_msg(struct nl *nl, uint16_t type, uint16_t flags,
    const struct nl_route *r)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;

	nlh = nl_msg(nl, type, NLM_F_ACK | flags);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_tos = r->tos;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->dst_len > 0)
		mnl_attr_put(nlh, RTA_DST, sizeof(r->dst), &r->dst);
	if (r->gateway != 0)
		mnl_attr_put(nlh, RTA_GATEWAY, sizeof(r->gateway), &r->gateway);
	if (r->prefsrc != 0)
		mnl_attr_put(nlh, RTA_PREFSRC, sizeof(r->prefsrc), &r->prefsrc);
	if (r->oif > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)r->oif);
	if (r->metric != 0)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->metric);
	return nlh;
}

int
nl_route_add(struct nl *nl, const struct nl_route *r)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;

	if (r->dst_len > 32 || r->table == 0 || r->oif <= 0)
		return -EINVAL;
	nlh = route_msg(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = r->scope;
	rtm->rtm_type = RTN_UNICAST;
	return nl_talk(nl, nlh, NULL, NULL);
}

/*
 * Scope RT_SCOPE_NOWHERE and type and protocol 0 match any, as ip route del
 * does; the rest of r selects the route.
 */
int
nl_route_del(struct nl *nl, const struct nl_route *r)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;

	if (r->dst_len > 32 || r->table == 0)
		return -EINVAL;
	nlh = route_msg(nl, RTM_DELROUTE, 0, r);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_scope = RT_SCOPE_NOWHERE;
	return nl_talk(nl, nlh, NULL, NULL);
}

/*
 * doc/architecture.md, 3.3: only a NIC, or a veth/dummy link, can be the link a
 * row's MAC names. Bridges, bonds, teams, VLANs, macvlan/macvtap/ipvlan, vxlan
 * and tun/tap share or borrow MACs, and so does any enslaved port. An
 * allowlist, so a kind we have never heard of is not a candidate either.
 */
int
nl_link_is_candidate(const struct nl_link *l)
{
	if (l->master != 0 || (l->flags & IFF_LOOPBACK) ||
	    l->type != ARPHRD_ETHER || !l->has_mac)
		return 0;
	return l->kind[0] == '\0' || strcmp(l->kind, "veth") == 0 ||
	    strcmp(l->kind, "dummy") == 0;
}

const struct nl_link *
nl_link_by_index(const struct nl_link *links, size_t nlinks, int index)
{
	size_t	 i;

	for (i = 0; i < nlinks; i++)
		if (links[i].index == index)
			return &links[i];
	return NULL;
}
