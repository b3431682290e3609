/* SPDX-License-Identifier: ISC */
/*
 * The kernel's rtnetlink events of links, IPv4 addresses and routes: a NIC
 * that appears or a managed link that drifts makes a cycle at once instead
 * of at the next poll. Events only say when to look: the cycle re-reads the
 * live state, so a lost or stale event costs a cycle, never a wrong repair.
 */

#include <sys/socket.h>

#include <errno.h>
#include <string.h>

#include <event2/event.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "applier.h"
#include "log.h"
#include "validate.h"

/*
 * Room for a burst (a few thousand addresses or veths at once) while the
 * applier is busy; beyond it the kernel drops events and says ENOBUFS.
 * SO_RCVBUFFORCE passes net.core.rmem_max with CAP_NET_ADMIN.
 */
#define EVENTS_RCVBUF		(4 * 1024 * 1024)
/* The largest event (an RTM_NEWLINK with every attribute) is far smaller. */
#define EVENTS_RECV_SIZE	32768
/* Datagrams per wake-up: a flood does not starve the fetcher's channel. */
#define EVENTS_BATCH		256

static struct event_watch *
watch_by_index(const struct event_view *v, int index)
{
	size_t	i;

	for (i = 0; i < v->nwatch; i++)
		if (v->watch[i].index == index)
			return (struct event_watch *)&v->watch[i];
	return NULL;
}

static struct event_watch *
watch_by_mac(const struct event_view *v, const uint8_t *mac)
{
	size_t	i;

	for (i = 0; i < v->nwatch; i++)
		if (memcmp(v->watch[i].mac, mac, MAC_LEN) == 0)
			return (struct event_watch *)&v->watch[i];
	return NULL;
}

static int
link_protected(const struct event_view *v, const struct nl_link *l)
{
	size_t	i;

	for (i = 0; i < v->nprotected; i++)
		if (v->protected_links[i] == l->index)
			return 1;
	return plan_name_protected(v->protected_patterns, l->name);
}

/*
 * A link that appears (registered, or moved into this namespace) is
 * announced with every flag marked changed; its later changes name only
 * what changed. nl_link_parse() checked the header is there.
 */
static int
link_new(const struct nlmsghdr *nlh)
{
	const struct ifinfomsg	*ifm = mnl_nlmsg_get_payload(nlh);

	return ifm->ifi_change == ~0U;
}

/* Does a managed, configured link differ from what the plan wanted? */
static int
link_drifted(const struct event_watch *w, const struct nl_link *l)
{
	return !l->has_mac || memcmp(l->mac, w->mac, MAC_LEN) != 0 ||
	    strcmp(l->name, w->desired.name) != 0 ||
	    l->mtu != w->desired.mtu || !(l->flags & IFF_UP);
}

/*
 * Events on a watched link matter for a configured NIC (drift) and for a
 * failed one (the planner retries a failure whose inputs changed); a held,
 * waiting-to-delete or dry-run NIC is not changed by a cycle anyway.
 */
static enum event_verdict
watched_link(const struct event_view *v, const struct event_watch *w,
    const struct nl_link *l, int gone)
{
	if (w->state == NIC_FAILED)
		return EVENT_RECONCILE;
	if (w->state != NIC_APPLIED || v->links_untouched)
		return EVENT_IGNORE;
	return gone || link_drifted(w, l) ? EVENT_RECONCILE : EVENT_IGNORE;
}

static enum event_verdict
classify_link(const struct event_view *v, const struct nlmsghdr *nlh,
    struct nl_link *l)
{
	const struct event_watch	*w;
	int				 gone = nlh->nlmsg_type == RTM_DELLINK;

	if ((w = watch_by_index(v, l->index)) != NULL)
		return watched_link(v, w, l, gone);
	if (gone || !nl_link_is_candidate(l))
		return EVENT_IGNORE;
	/*
	 * A row's MAC on a link not yet planned on: a hot-plug to configure,
	 * or a second link with a managed MAC (ambiguous: the cycle says so).
	 */
	if ((w = watch_by_mac(v, l->mac)) != NULL)
		return w->state == NIC_HELD ? EVENT_IGNORE : EVENT_RECONCILE;
	/*
	 * A veth whose peer is in another namespace is a container's (CNI
	 * makes one per pod): never a hot-plugged NIC to poll for.
	 */
	return link_new(nlh) && !l->link_elsewhere && !link_protected(v, l) ?
	    EVENT_NEW_NIC : EVENT_IGNORE;
}

/* The live address set of a configured link is exactly the desired one. */
static enum event_verdict
classify_addr(const struct event_view *v, const struct nlmsghdr *nlh)
{
	const struct event_watch	*w;
	struct nl_addr			 addr;
	int				 index, desired, rc;

	if ((rc = nl_addr_parse(nlh, &index, &addr)) <= 0)
		return rc < 0 ? EVENT_RECONCILE : EVENT_IGNORE;
	if ((w = watch_by_index(v, index)) == NULL)
		return EVENT_IGNORE;
	if (w->state == NIC_FAILED)
		return EVENT_RECONCILE;
	if (w->state != NIC_APPLIED || v->links_untouched)
		return EVENT_IGNORE;
	desired = w->desired.has_address && addr.addr == w->desired.address &&
	    addr.prefix == w->desired.prefix;
	if (nlh->nlmsg_type == RTM_NEWADDR)
		return desired ? EVENT_IGNORE : EVENT_RECONCILE;
	return desired ? EVENT_RECONCILE : EVENT_IGNORE;
}

/* Does a route to dst/dst_len cover addr (alen bytes)? */
static int
route_covers(const struct nl_route_dest *r, const uint8_t *addr, size_t alen)
{
	size_t		bytes = r->dst_len / 8;
	unsigned	bits = r->dst_len % 8;
	uint8_t		mask;

	if (bytes > alen || memcmp(r->dst, addr, bytes) != 0)
		return 0;
	if (bits == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - bits));
	return (r->dst[bytes] & mask) == (addr[bytes] & mask);
}

/*
 * Routes decide the protected set and the guard: a default route, or a
 * route that may carry traffic to the DB server or a critical destination
 * (a gateway, the metadata service). The connected and local routes our
 * own address changes make cover none of those, unless the row's subnet
 * holds one, which the cycle then refuses.
 */
static enum event_verdict
classify_route(const struct event_view *v, const struct nlmsghdr *nlh)
{
	struct nl_route_dest	r;
	size_t		i;
	int		rc;

	if ((rc = nl_route_parse(nlh, &r)) <= 0)
		return rc < 0 ? EVENT_RECONCILE : EVENT_IGNORE;
	/* A route of a NIC's source routing table. */
	if (v->srcroute_base != 0 && r.table >= v->srcroute_base &&
	    r.table - v->srcroute_base < PLAN_SLOTS)
		return EVENT_RECONCILE;
	if (r.dst_len == 0)
		return EVENT_RECONCILE;
	if (r.family == v->db_family && route_covers(&r, v->db_address,
	    r.family == AF_INET ? 4 : 16))
		return EVENT_RECONCILE;
	if (r.family != AF_INET)
		return EVENT_IGNORE;
	for (i = 0; i < v->ncritical; i++)
		if (route_covers(&r, (const uint8_t *)&v->critical[i], 4))
			return EVENT_RECONCILE;
	return EVENT_IGNORE;
}

/*
 * What one kernel message means for the applier. link is filled for
 * RTM_NEWLINK and RTM_DELLINK. A damaged message is not trusted: a cycle
 * reads the truth instead.
 */
enum event_verdict
events_classify(const struct event_view *v, const struct nlmsghdr *nlh,
    struct nl_link *link)
{
	memset(link, 0, sizeof(*link));
	if (!v->ready)
		return EVENT_IGNORE;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (nl_link_parse(nlh, link) < 0)
			return EVENT_RECONCILE;
		return classify_link(v, nlh, link);
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return classify_addr(v, nlh);
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return classify_route(v, nlh);
	case RTM_NEWRULE:
	case RTM_DELRULE:
		/*
		 * Rules change rarely: with source routing any may be one of
		 * ours, and the cycle's dump of them tells.
		 */
		return v->srcroute_base != 0 ? EVENT_RECONCILE : EVENT_IGNORE;
	default:
		return EVENT_IGNORE;
	}
}

/* A link an event named, for the debug log. */
static const char *
event_name(const struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
		return "link changed";
	case RTM_DELLINK:
		return "link removed";
	case RTM_NEWADDR:
		return "address added";
	case RTM_DELADDR:
		return "address removed";
	case RTM_NEWROUTE:
		return "route added";
	case RTM_DELROUTE:
		return "route removed";
	case RTM_NEWRULE:
		return "rule added";
	default:
		return "rule removed";
	}
}

static int
requested_index(const struct events *e, int index)
{
	size_t	i;

	for (i = 0; i < e->nrequested; i++)
		if (e->requested[i] == index)
			return (int)i;
	return -1;
}

static void
forget_link(struct events *e, int index)
{
	int	i;

	if ((i = requested_index(e, index)) == -1)
		return;
	e->requested[i] = e->requested[--e->nrequested];
}

/*
 * A candidate NIC appeared that no row names: the fetcher polls at once,
 * in case its row was written just before. Once per appearance (ifindex):
 * a link's later events ask nothing more.
 */
static void
request_poll(struct applier *a, const struct nl_link *l)
{
	struct events		*e = &a->events;
	struct msg_poll_request	 req;
	char			 mac[VALIDATE_MAC_TEXT_SIZE];

	if (requested_index(e, l->index) != -1)
		return;
	/* The oldest appearance is forgotten: asked once more at worst. */
	if (e->nrequested == EVENTS_REQUESTED_MAX)
		memmove(&e->requested[0], &e->requested[1],
		    --e->nrequested * sizeof(e->requested[0]));
	e->requested[e->nrequested++] = l->index;
	validate_format_mac(l->mac, mac);
	log_debug("events: new NIC %s (%s) has no row; asking for a poll",
	    l->name, mac);
	if (!msgchan_is_open(&a->fetcher))
		return;
	memset(&req, 0, sizeof(req));
	memcpy(req.mac, l->mac, MAC_LEN);
	if (msg_compose(&a->fetcher, MSG_POLL_REQUEST, 0, -1, &req,
	    sizeof(req)) == -1)
		log_warn("cannot queue a poll request");
}

static void
handle_message(struct applier *a, const struct nlmsghdr *nlh)
{
	struct nl_link	link;

	switch (events_classify(&a->events.view, nlh, &link)) {
	case EVENT_RECONCILE:
		a->live_dirty = 1;
		cycle_soon(a, event_name(nlh));
		break;
	case EVENT_NEW_NIC:
		request_poll(a, &link);
		break;
	case EVENT_IGNORE:
		break;
	}
	if (nlh->nlmsg_type == RTM_DELLINK && link.index > 0)
		forget_link(&a->events, link.index);
}

/* One datagram: every message in it, each from the kernel. */
static void
handle_datagram(struct applier *a, const char *buf, int len)
{
	const struct nlmsghdr	*nlh = (const struct nlmsghdr *)buf;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		handle_message(a, nlh);
	if (len > 0) {
		log_warnx("events: a truncated rtnetlink message; resyncing");
		a->live_dirty = 1;
		cycle_soon(a, "damaged event");
	}
}

/* Events were lost: only a full read tells what happened meanwhile. */
static void
overrun(struct applier *a)
{
	if (!a->events.overrun)
		log_warnx("events: the rtnetlink event socket overran (events"
		    " lost); resyncing with a full read");
	a->events.overrun = 1;
	a->live_dirty = 1;
	cycle_soon(a, "event overrun");
}

static void
events_read(evutil_socket_t fd, short what, void *arg)
{
	static _Alignas(8) char	 buf[EVENTS_RECV_SIZE];
	struct applier		*a = arg;
	struct sockaddr_nl	 from;
	struct iovec		 iov = { buf, sizeof(buf) };
	struct msghdr		 msg;
	ssize_t			 n;
	int			 i;

	(void)what;
	for (i = 0; i < EVENTS_BATCH; i++) {
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		n = recvmsg(fd, &msg, 0);
		/* The kernel says so once; what is queued still follows. */
		if (n == -1 && errno == ENOBUFS) {
			overrun(a);
			continue;
		}
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("events: recvmsg");
			return;
		}
		/* Only the kernel speaks on these groups. */
		if (msg.msg_namelen != sizeof(from) || from.nl_pid != 0)
			continue;
		/* A cut datagram lost events. */
		if (msg.msg_flags & MSG_TRUNC)
			overrun(a);
		else
			handle_datagram(a, buf, (int)n);
	}
}

/*
 * After the sandbox: socket, bind and setsockopt on rtnetlink are what the
 * applier's filter allows already. Without events the applier still works
 * by polls, so a failure is a warning, not the end.
 */
void
events_open(struct applier *a)
{
	struct events	*e = &a->events;
	int		 size = EVENTS_RCVBUF, fd;

	a->live_dirty = 1;
	if ((e->sock = mnl_socket_open2(NETLINK_ROUTE,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(e->sock, RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
	    RTMGRP_IPV4_ROUTE | RTMGRP_IPV4_RULE, MNL_SOCKET_AUTOPID) == -1) {
		log_warn("events: cannot open the rtnetlink event socket;"
		    " changes are seen at the next poll only");
		if (e->sock != NULL)
			mnl_socket_close(e->sock);
		e->sock = NULL;
		return;
	}
	fd = mnl_socket_get_fd(e->sock);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		log_warn("events: SO_RCVBUFFORCE; a burst may overrun sooner");
	if ((e->ev_read = event_new(a->base, fd, EV_READ | EV_PERSIST,
	    events_read, a)) == NULL || event_add(e->ev_read, NULL) == -1)
		fatalx("cannot watch the rtnetlink event socket");
}

int
events_synced(struct applier *a)
{
	if (a->events.sock == NULL)
		return 0;
	if (a->events.overrun)
		log_info("events: resynced after the overrun");
	a->events.overrun = 0;
	return 1;
}

/* The links and destinations the guard protects, copied from the cycle's. */
static void
watch_guard(struct event_view *v, const struct applier *a)
{
	const struct apply_guard	*g = &a->apply.guard;
	size_t				 i;

	v->nprotected = g->defaults.nlinks;
	memcpy(v->protected_links, g->defaults.links,
	    v->nprotected * sizeof(int));
	if (g->db_link != 0)
		v->protected_links[v->nprotected++] = g->db_link;
	v->protected_patterns = a->conf.protected_interfaces;
	v->ncritical = 0;
	for (i = 0; i < g->ncritical && i < APPLY_CRITICAL_MAX; i++)
		v->critical[v->ncritical++] = g->critical[i].addr;
	v->db_family = g->have_db_address ? g->db_family : 0;
	memcpy(v->db_address, g->db_address, sizeof(v->db_address));
}

void
events_watch(struct applier *a)
{
	struct event_view	*v = &a->events.view;
	const struct plan_item	*item;
	struct event_watch	*w;
	size_t			 i;

	v->nwatch = 0;
	for (i = 0; i < a->plan.nitems; i++) {
		item = &a->plan.items[i];
		if (!item->mac_valid)
			continue;
		w = &v->watch[v->nwatch++];
		memcpy(w->mac, item->mac, MAC_LEN);
		w->index = item->link_index;
		w->state = item->state;
		w->desired = item->desired;
	}
	v->links_untouched = a->conf.apply_mode == APPLY_MODE_FILES;
	v->srcroute_base = a->conf.source_routing ?
	    a->conf.source_routing_table_base : 0;
	watch_guard(v, a);
	v->ready = 1;
}
