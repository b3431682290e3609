/* SPDX-License-Identifier: ISC */
/*
 * One planned action as a transaction (doc/architecture.md, 3.6): journal what
 * undoes it, change the file and the link, verify within VERIFY_TIMEOUT that
 * the link is as desired and nothing protected moved, and undo everything on
 * any failure.
 */

#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"
#include "files.h"
#include "journal.h"
#include "log.h"
#include "util.h"
#include "validate.h"

#define RENDER_MAX		8192
#define VERIFY_STEP_MS		50
#define TEMP_NAME_FMT		"mntmp%d"

/* What an action changed, so that its rollback undoes that and only that. */
#define TOUCHED_FILE		0x01
#define TOUCHED_LINK		0x02
#define TOUCHED_ROUTES		0x04	/* source routing */
#define TOUCHED_ALL		(TOUCHED_FILE | TOUCHED_LINK | \
				    TOUCHED_ROUTES)

static void
guard_add(struct apply_guard *g, uint32_t addr, const char *what)
{
	if (g->ncritical == APPLY_CRITICAL_MAX)
		return;
	g->critical[g->ncritical].addr = addr;
	g->critical[g->ncritical].what = what;
	g->critical[g->ncritical].link = 0;
	g->ncritical++;
}

/* In this order, so a row at a gateway's address is told it is one. */
static void
guard_destinations(struct apply_context *ctx, struct apply_guard *g)
{
	char		 list[CONFIG_LIST_MAX], *rest, *entry;
	struct in_addr	 a;
	size_t		 i;

	g->ncritical = 0;
	for (i = 0; i < g->defaults.ngateways; i++)
		guard_add(g, g->defaults.gateways[i], "the default gateway");
	if (g->have_db_address && g->db_family == AF_INET) {
		memcpy(&a, g->db_address, sizeof(a));
		guard_add(g, a.s_addr, "the database server");
	}
	if (inet_pton(AF_INET, APPLY_METADATA_ADDR, &a) == 1)
		guard_add(g, a.s_addr, "the metadata service");
	/* The supervisor checked the list: only the separators matter here. */
	strlcpy(list, ctx->conf->protected_destinations, sizeof(list));
	for (rest = list[0] != '\0' ? list : NULL; rest != NULL; ) {
		entry = strsep(&rest, ",");
		if (inet_pton(AF_INET, entry, &a) == 1)
			guard_add(g, a.s_addr, "in PROTECTED_DESTINATIONS");
	}
}

/* The link a packet to addr leaves by; 0 when the kernel has no way there. */
static int
guard_route(struct apply_context *ctx, uint32_t addr, int *link)
{
	int	rc;

	switch ((rc = nl_route_link(ctx->nl, AF_INET, &addr, link))) {
	case -ENETUNREACH:	/* no route, or one without a device */
	case -EHOSTUNREACH:	/* an unreachable route */
	case -EACCES:		/* a prohibit route */
	case -EINVAL:		/* a blackhole route */
		*link = 0;
		return 0;
	default:
		return rc;
	}
}

static int
guard_lookup(struct apply_context *ctx, struct apply_guard *g)
{
	size_t	i;
	int	rc;

	for (i = 0; i < g->ncritical; i++)
		if ((rc = guard_route(ctx, g->critical[i].addr,
		    &g->critical[i].link)) < 0)
			return rc;
	if (g->have_db_address && nl_route_link(ctx->nl, g->db_family,
	    g->db_address, &g->db_link) < 0)
		g->db_link = 0;
	return 0;
}

/* The table range of SOURCE_ROUTING; 0 when off. */
static uint32_t
routing_base(const struct apply_context *ctx)
{
	return ctx->conf->source_routing ?
	    ctx->conf->source_routing_table_base : 0;
}

/*
 * The node's default routes: not those of source routing's tables, which
 * only traffic from a NIC's own address looks up.
 */
static int
guard_defaults(struct apply_context *ctx, struct nl_default_routes *defaults)
{
	struct srcroute_live	live;
	int			rc;

	if ((rc = srcroute_read(ctx->nl, routing_base(ctx), &live)) < 0)
		return rc;
	return nl_default_routes(ctx->nl, srcroute_table_ours, &live,
	    defaults);
}

int
apply_guard_read(struct apply_context *ctx, struct apply_guard *g)
{
	int	rc;

	g->db_link = 0;
	if ((rc = guard_defaults(ctx, &g->defaults)) < 0)
		return rc;
	guard_destinations(ctx, g);
	return guard_lookup(ctx, g);
}

/* For a reason an operator reads: the link's name, not its index. */
static void
guard_link_name(struct apply_context *ctx, int index, char *buf, size_t len)
{
	struct nl_link		*links;
	const struct nl_link	*link;
	size_t			 n;

	if (index == 0) {
		strlcpy(buf, "nowhere", len);
		return;
	}
	snprintf(buf, len, "link %d", index);
	if (nl_dump_links(ctx->nl, &links, &n) < 0)
		return;
	if ((link = nl_link_by_index(links, n, index)) != NULL)
		strlcpy(buf, link->name, len);
	free(links);
}

static int
guard_moved(struct apply_context *ctx, const struct plan_critical *before,
    const struct plan_critical *after, char *why, size_t len)
{
	char	addr[INET_ADDRSTRLEN], from[IFNAMSIZ + 8], to[IFNAMSIZ + 8];

	inet_ntop(AF_INET, &before->addr, addr, sizeof(addr));
	guard_link_name(ctx, before->link, from, sizeof(from));
	guard_link_name(ctx, after->link, to, sizeof(to));
	errorf(why, len, "the route to %s (%s) moved from %s to %s", addr,
	    before->what, from, to);
	return APPLY_HELD;
}

/* The same destinations as before the change, looked up again. */
static int
guard_unchanged(struct apply_context *ctx, char *why, size_t len)
{
	const struct apply_guard	*was = &ctx->guard;
	struct apply_guard		 now = ctx->guard;
	size_t				 i;

	if (guard_defaults(ctx, &now.defaults) < 0 ||
	    guard_lookup(ctx, &now) < 0)
		return errorf(why, len, "cannot read the routes back");
	if (now.defaults.nlinks != was->defaults.nlinks ||
	    memcmp(now.defaults.links, was->defaults.links,
	    now.defaults.nlinks * sizeof(now.defaults.links[0])) != 0) {
		errorf(why, len, "the default route moved");
		return APPLY_HELD;
	}
	if (now.db_link != was->db_link) {
		errorf(why, len, "the route to the database moved");
		return APPLY_HELD;
	}
	for (i = 0; i < now.ncritical; i++)
		if (now.critical[i].link != was->critical[i].link)
			return guard_moved(ctx, &was->critical[i],
			    &now.critical[i], why, len);
	return 0;
}

/* Source routing's files of ifcfg and wicked; one with nothing to say goes. */
static int
write_extras(struct apply_context *ctx, const struct nic_config *want,
    const struct journal_entry *e, char *why, size_t len)
{
	const struct renderer	*r = ctx->renderer;
	char			 text[RENDER_MAX], err[128];
	size_t			 textlen;
	int			 i, rc;

	for (i = 0; i < r->nextra; i++) {
		if (r->extra_render(want, i, text, sizeof(text), &textlen, err,
		    sizeof(err)) == -1)
			return errorf(why, len, "cannot render the routing of"
			    " %s: %s", want->name, err);
		rc = textlen == 0 ? files_remove(e->extra[i].path) :
		    files_write_atomic(e->extra[i].path, text, textlen, 0600);
		if (rc == -1)
			return errorf(why, len, "cannot write %s: %s",
			    e->extra[i].path, strerror(errno));
	}
	return 0;
}

static int
write_config(struct apply_context *ctx, const struct nic_config *want,
    const char *path, char *why, size_t len)
{
	char	text[RENDER_MAX], err[128];
	size_t	textlen;

	if (ctx->renderer->render(want, text, sizeof(text), &textlen, err,
	    sizeof(err)) == -1)
		return errorf(why, len, "cannot render %s: %s", want->name, err);
	if (files_write_atomic(path, text, textlen, 0600) == -1)
		return errorf(why, len, "cannot write %s: %s", path,
		    strerror(errno));
	return 0;
}

static int
update_names(struct apply_context *ctx, const uint8_t *mac, int slot,
    char *why, size_t len)
{
	names_remove(ctx->names, mac);
	if (slot >= 0 && names_set(ctx->names, mac, slot) == -1)
		return errorf(why, len, "slot %d is already taken", slot);
	if (names_save(ctx->names, ctx->conf->state_dir) == -1)
		return errorf(why, len, "cannot save the name map: %s",
		    strerror(errno));
	return 0;
}

static const struct nl_link *
link_by_name(const struct nl_link *links, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(links[i].name, name) == 0)
			return &links[i];
	return NULL;
}

/* A name held by another managed link is freed through a temporary name. */
static int
free_name(struct apply_context *ctx, const struct nl_link *links, size_t n,
    int index, const char *name, char *why, size_t len)
{
	const struct nl_link	*holder = link_by_name(links, n, name);
	char			 temp[IFNAMSIZ];
	int			 rc;

	if (holder == NULL || holder->index == index)
		return 0;
	if (!holder->has_mac || names_slot(ctx->names, holder->mac) == -1)
		return errorf(why, len, "name %s is held by a link multinicd"
		    " does not manage", name);
	snprintf(temp, sizeof(temp), TEMP_NAME_FMT, holder->index);
	if ((rc = nl_link_set_up(ctx->nl, holder->index, 0)) < 0 ||
	    (rc = nl_link_set_name(ctx->nl, holder->index, temp)) < 0)
		return errorf(why, len, "cannot free name %s: %s", name,
		    nl_strerror(rc));
	return 0;
}

/* Only a rename takes the link down. */
static int
set_name(struct apply_context *ctx, const struct nl_link *cur,
    const char *name, char *why, size_t len)
{
	int	rc;

	if (strcmp(cur->name, name) == 0)
		return 0;
	if ((rc = nl_link_set_up(ctx->nl, cur->index, 0)) < 0 ||
	    (rc = nl_link_set_name(ctx->nl, cur->index, name)) < 0)
		return errorf(why, len, "cannot rename %s to %s: %s", cur->name,
		    name, nl_strerror(rc));
	return 0;
}

static int
has_addr(const struct nl_link *link, uint32_t addr, uint8_t prefix)
{
	size_t	i;

	for (i = 0; i < link->naddrs; i++)
		if (link->addrs[i].addr == addr && link->addrs[i].prefix ==
		    prefix)
			return 1;
	return 0;
}

/*
 * The exact set. Others go first: with promote_secondaries off, removing a
 * subnet's primary address removes the addresses added after it.
 */
static int
set_addresses(struct apply_context *ctx, const struct nl_link *cur,
    const struct nl_link *want, char *why, size_t len)
{
	size_t	i;
	int	rc;

	for (i = 0; i < cur->naddrs; i++) {
		if (has_addr(want, cur->addrs[i].addr, cur->addrs[i].prefix))
			continue;
		if ((rc = nl_addr_del(ctx->nl, cur->index, cur->addrs[i].addr,
		    cur->addrs[i].prefix)) < 0 && rc != -EADDRNOTAVAIL)
			return errorf(why, len, "cannot remove an address from"
			    " %s: %s", want->name, nl_strerror(rc));
	}
	/* Added even when cur had it: a removal above may have taken it. */
	for (i = 0; i < want->naddrs; i++) {
		if ((rc = nl_addr_add(ctx->nl, cur->index, want->addrs[i].addr,
		    want->addrs[i].prefix)) < 0 && rc != -EEXIST)
			return errorf(why, len, "cannot add an address to %s:"
			    " %s %s", want->name, nl_strerror(rc),
			    nl_last_error_msg(ctx->nl));
	}
	return 0;
}

/* Brings cur to want: name, MTU, addresses, admin state. */
static int
program_link(struct apply_context *ctx, const struct nl_link *links,
    size_t nlinks, const struct nl_link *cur, const struct nl_link *want,
    char *why, size_t len)
{
	int	rc;

	if (free_name(ctx, links, nlinks, cur->index, want->name, why,
	    len) == -1 || set_name(ctx, cur, want->name, why, len) == -1)
		return -1;
	if (cur->mtu != want->mtu &&
	    (rc = nl_link_set_mtu(ctx->nl, cur->index, want->mtu)) < 0)
		return errorf(why, len, "cannot set MTU %u on %s: %s", want->mtu,
		    want->name, nl_strerror(rc));
	if (set_addresses(ctx, cur, want, why, len) == -1)
		return -1;
	if ((rc = nl_link_set_up(ctx->nl, cur->index,
	    (want->flags & IFF_UP) != 0)) < 0)
		return errorf(why, len, "cannot set %s %s: %s", want->name,
		    (want->flags & IFF_UP) ? "up" : "down", nl_strerror(rc));
	return 0;
}

/* The live state a nic_config asks for, as a link. */
static void
wanted_link(const struct nic_config *want, const struct nl_link *cur,
    int up, struct nl_link *out)
{
	*out = *cur;
	strlcpy(out->name, want->name, sizeof(out->name));
	out->mtu = want->mtu;
	out->naddrs = 0;
	out->addrs_truncated = 0;
	if (want->has_address) {
		out->addrs[0].addr = want->address;
		out->addrs[0].prefix = want->prefix;
		out->naddrs = 1;
	}
	out->flags = up ? IFF_UP : 0;
}

static int
link_matches(const struct nl_link *live, const struct nl_link *want)
{
	size_t	i;

	if (strcmp(live->name, want->name) != 0 || live->mtu != want->mtu ||
	    live->naddrs != want->naddrs || live->addrs_truncated ||
	    ((live->flags & IFF_UP) != 0) != ((want->flags & IFF_UP) != 0))
		return 0;
	for (i = 0; i < want->naddrs; i++)
		if (!has_addr(live, want->addrs[i].addr, want->addrs[i].prefix))
			return 0;
	return 1;
}

static void
sleep_ms(unsigned ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Within VERIFY_TIMEOUT: the link is as wanted (carrier is not required);
 * then the default routes, the route to the database and those to the
 * critical destinations have not moved.
 */
static int
verify(struct apply_context *ctx, const struct nl_link *want, char *why,
    size_t len)
{
	struct nl_link		*links;
	const struct nl_link	*live;
	size_t			 n;
	unsigned		 waited = 0;
	int			 ok;

	for (;;) {
		if (nl_dump_links(ctx->nl, &links, &n) < 0)
			return errorf(why, len, "cannot read the links back");
		live = nl_link_by_index(links, n, want->index);
		ok = live != NULL && link_matches(live, want);
		free(links);
		if (ok)
			return guard_unchanged(ctx, why, len);
		if (waited >= ctx->conf->verify_timeout_ms)
			return errorf(why, len, "%s not as desired after %u ms",
			    want->name, waited);
		sleep_ms(VERIFY_STEP_MS);
		waited += VERIFY_STEP_MS;
	}
}

/* slot's rules and tables as the kernel has them now. */
static int
routing_now(struct apply_context *ctx, int slot, struct srcroute_set *have)
{
	struct srcroute_live	live;
	uint32_t		base = routing_base(ctx);
	int			rc;

	if ((rc = srcroute_read(ctx->nl, base, &live)) < 0)
		return rc;
	srcroute_slot(&live, slot, base != 0 ? base + (uint32_t)slot : 0,
	    have);
	return 0;
}

static int
set_routing(struct apply_context *ctx, int slot,
    const struct srcroute_set *want, char *why, size_t len)
{
	struct srcroute_set	have;
	int			rc;

	if ((rc = routing_now(ctx, slot, &have)) < 0)
		return errorf(why, len, "cannot read the routing rules: %s",
		    nl_strerror(rc));
	return srcroute_apply(ctx->nl, &have, want, why, len);
}

/* Netlink answers synchronously: one read back says it all. */
static int
verify_routing(struct apply_context *ctx, int slot,
    const struct srcroute_set *want, char *why, size_t len)
{
	struct srcroute_set	have;
	int			rc;

	if ((rc = routing_now(ctx, slot, &have)) < 0)
		return errorf(why, len, "cannot read the routing rules back:"
		    " %s", nl_strerror(rc));
	if (!srcroute_set_equal(&have, want))
		return errorf(why, len, "the routing rule or table of"
		    " multinic%d is not as desired", slot);
	return 0;
}

static int
config_path(struct apply_context *ctx, int slot, char *buf, size_t len)
{
	return ctx->renderer->path(ctx->conf->config_root, slot, buf, len);
}

static int
extra_paths(struct apply_context *ctx, int slot, struct journal_entry *e)
{
	int	i;

	for (i = 0; i < ctx->renderer->nextra; i++)
		if (ctx->renderer->extra_path(ctx->conf->config_root, slot, i,
		    e->extra[i].path, sizeof(e->extra[i].path)) == -1)
			return -1;
	return 0;
}

static int
remove_file(const char *path, char *why, size_t len)
{
	if (files_remove(path) == -1)
		return errorf(why, len, "cannot remove %s: %s", path,
		    strerror(errno));
	return 0;
}

static int
remove_extras(const struct journal_entry *e, char *why, size_t len)
{
	size_t	i;

	for (i = 0; i < RENDER_EXTRA_MAX; i++)
		if (e->extra[i].path[0] != '\0' &&
		    remove_file(e->extra[i].path, why, len) == -1)
			return -1;
	return 0;
}

/*
 * The change itself; the caller journals before and undoes after what
 * *touched says was changed.
 */
static int
do_action(struct apply_context *ctx, const struct plan_item *item,
    const struct journal_entry *e, const struct nl_link *links, size_t n,
    struct nl_link *want, unsigned *touched, char *why, size_t len)
{
	const struct nl_link	*cur = e->had_link ? &e->old_link : NULL;
	struct srcroute_set	 routing;
	int			 deleting = item->action == PLAN_DELETE ||
				    item->action == PLAN_REMOVE_FILE, rc;

	*touched = 0;
	/*
	 * The main file first: until it changed nothing did. Source routing's
	 * files of ifcfg and wicked follow, restored with it on failure.
	 */
	if (deleting) {
		if (remove_file(e->path, why, len) == -1)
			return -1;
		*touched |= TOUCHED_FILE;
		if (remove_extras(e, why, len) == -1 ||
		    update_names(ctx, item->mac, -1, why, len) == -1)
			return -1;
	} else if (item->drift & DRIFT_FILE) {
		if (update_names(ctx, item->mac, item->slot, why, len) == -1 ||
		    write_config(ctx, &item->desired, e->path, why, len) == -1)
			return -1;
		*touched |= TOUCHED_FILE;
		if (write_extras(ctx, &item->desired, e, why, len) == -1)
			return -1;
	}
	memset(&routing, 0, sizeof(routing));
	if (ctx->conf->apply_mode == APPLY_MODE_FILES)
		return 0;
	if (cur == NULL || item->action == PLAN_REMOVE_FILE) {
		/* A link that is gone took its routes along, not its rule. */
		if (!deleting)
			return 0;
		*touched |= TOUCHED_ROUTES;
		return set_routing(ctx, item->slot, &routing, why, len);
	}
	*touched |= TOUCHED_LINK;
	if (deleting) {
		*want = *cur;
		want->naddrs = 0;
		want->flags = 0;
	} else {
		wanted_link(&item->desired, cur, 1, want);
		srcroute_wanted(&item->desired, cur->index, &routing);
	}
	if (program_link(ctx, links, n, cur, want, why, len) == -1)
		return -1;
	/* After the link: routes need it up and their source address on it. */
	*touched |= TOUCHED_ROUTES;
	if (set_routing(ctx, item->slot, &routing, why, len) == -1)
		return -1;
	if ((rc = verify(ctx, want, why, len)) != 0)
		return rc;
	return verify_routing(ctx, item->slot, &routing, why, len);
}

/* Also takes away what a crash while writing the file left. */
static int
restore_one(const char *path, int had, const char *backup)
{
	char	*data;
	size_t	 len;
	int	 rc;

	if (path[0] == '\0')
		return 0;
	if (files_remove_temp(path) == -1)
		return -1;
	if (!had)
		return files_remove(path);
	if (files_read(backup, RENDER_FILE_MAX, &data, &len) == -1)
		return -1;
	rc = files_write_atomic(path, data, len, 0600);
	free(data);
	return rc;
}

static int
restore_file(const struct journal_entry *e)
{
	size_t	i;
	int	rc = restore_one(e->path, e->had_file, e->backup);

	for (i = 0; i < RENDER_EXTRA_MAX; i++)
		if (restore_one(e->extra[i].path, e->extra[i].had,
		    e->extra[i].backup) == -1)
			rc = -1;
	return rc;
}

static const struct nl_link *
link_by_mac(const struct nl_link *links, size_t n, const uint8_t *mac,
    int index)
{
	const struct nl_link	*link = nl_link_by_index(links, n, index);

	if (link != NULL && link->has_mac &&
	    memcmp(link->mac, mac, MAC_LEN) == 0)
		return link;
	return NULL;
}

static int
restore_link(struct apply_context *ctx, const struct journal_entry *e)
{
	struct nl_link		*links;
	const struct nl_link	*cur;
	char			 why[256];
	size_t			 n;
	int			 rc = -1;

	if (nl_dump_links(ctx->nl, &links, &n) < 0)
		return -1;
	/* An unplugged NIC has no live state left to restore. */
	if ((cur = link_by_mac(links, n, e->mac, e->old_link.index)) == NULL) {
		log_info("rollback of %s: link %d is gone, nothing to restore",
		    e->old_link.name, e->old_link.index);
		free(links);
		return 0;
	}
	rc = program_link(ctx, links, n, cur, &e->old_link, why, sizeof(why));
	free(links);
	if (rc == -1)
		log_warnx("rollback of %s: %s", e->old_link.name, why);
	return rc;
}

/*
 * Undoes what an action touched (TOUCHED_*); the live state only when it is
 * from this boot.
 */
static int
rollback(struct apply_context *ctx, const struct journal_entry *e,
    unsigned touched, int same_boot)
{
	char	why[256];
	int	rc = 0;

	if ((touched & TOUCHED_FILE) && restore_file(e) == -1) {
		log_warn("rollback: cannot restore %s", e->path);
		rc = -1;
	}
	if (update_names(ctx, e->mac, e->old_slot, why, sizeof(why)) == -1) {
		log_warnx("rollback: %s", why);
		rc = -1;
	}
	if ((touched & TOUCHED_LINK) && same_boot && e->had_link &&
	    ctx->conf->apply_mode != APPLY_MODE_FILES &&
	    restore_link(ctx, e) == -1)
		rc = -1;
	/* After the link: the old routes need its old address back. */
	if ((touched & TOUCHED_ROUTES) && same_boot && e->routing_slot >= 0 &&
	    ctx->conf->apply_mode != APPLY_MODE_FILES &&
	    set_routing(ctx, e->routing_slot, &e->old_routing, why,
	    sizeof(why)) == -1) {
		log_warnx("rollback of the routing of multinic%d: %s",
		    e->routing_slot, why);
		rc = -1;
	}
	return rc;
}

static int
journal_prepare(struct apply_context *ctx, const struct plan_item *item,
    const struct nl_link *links, size_t n, struct journal_entry *e)
{
	const struct nl_link	*cur;
	int			 rc;

	memset(e, 0, sizeof(*e));
	memcpy(e->mac, item->mac, MAC_LEN);
	strlcpy(e->boot_id, ctx->boot_id, sizeof(e->boot_id));
	e->old_slot = names_slot(ctx->names, item->mac);
	if (item->link_index != 0 &&
	    (cur = nl_link_by_index(links, n, item->link_index)) != NULL) {
		e->had_link = 1;
		e->old_link = *cur;
	}
	e->routing_slot = -1;
	if (ctx->conf->apply_mode == APPLY_MODE_FILES || item->slot < 0)
		return 0;
	if ((rc = routing_now(ctx, item->slot, &e->old_routing)) < 0)
		return rc;
	e->routing_slot = item->slot;
	return 0;
}

int
apply_item(struct apply_context *ctx, const struct plan_item *item,
    const struct nl_link *links, size_t nlinks, char *why, size_t len)
{
	struct journal_entry	e;
	struct nl_link		want;
	unsigned		touched;
	int			rc;

	if ((rc = journal_prepare(ctx, item, links, nlinks, &e)) < 0)
		return errorf(why, len, "cannot read the routing rules: %s",
		    nl_strerror(rc));
	if (config_path(ctx, item->slot, e.path, sizeof(e.path)) == -1 ||
	    extra_paths(ctx, item->slot, &e) == -1)
		return errorf(why, len, "no path for slot %d", item->slot);
	if (journal_begin(ctx->conf->state_dir, &e) == -1)
		return errorf(why, len, "cannot journal the change: %s",
		    strerror(errno));
	rc = do_action(ctx, item, &e, links, nlinks, &want, &touched, why,
	    len);
	if (rc != 0 && rollback(ctx, &e, touched, 1) == -1)
		log_warnx("%s: rollback incomplete; the journal entry stays"
		    " for the next start", item->mac_text);
	else if (journal_done(ctx->conf->state_dir, item->mac) == -1)
		log_warn("cannot close the journal entry of %s",
		    item->mac_text);
	return rc;
}

static int
slot_managed(const struct names *names, int slot)
{
	size_t	i;

	for (i = 0; i < names->count; i++)
		if (names->entries[i].slot == slot)
			return 1;
	return 0;
}

void
apply_routing_orphans(struct apply_context *ctx)
{
	struct srcroute_live	live;
	struct srcroute_set	have, none;
	uint32_t		base = routing_base(ctx);
	char			why[256];
	int			slot, rc;

	if ((rc = srcroute_read(ctx->nl, base, &live)) < 0) {
		log_warnx("cannot read the routing rules: %s", nl_strerror(rc));
		return;
	}
	memset(&none, 0, sizeof(none));
	for (slot = 0; slot < SRCROUTE_SLOTS; slot++) {
		if (slot_managed(ctx->names, slot))
			continue;
		srcroute_slot(&live, slot, base != 0 ? base + (uint32_t)slot :
		    0, &have);
		if (have.nrules == 0 && have.nroutes == 0)
			continue;
		if (srcroute_apply(ctx->nl, &have, &none, why,
		    sizeof(why)) == -1)
			log_warnx("multinic%d is not managed: %s", slot, why);
		else
			log_info("removed the routing rule and table of"
			    " multinic%d, which is not managed", slot);
	}
}

/* Start-up: an entry left by a crash is undone before anything else. */
void
apply_recover(struct apply_context *ctx)
{
	struct journal_entry	*entries = NULL;
	size_t			 count, i;
	int			 same_boot;

	if (journal_pending(ctx->conf->state_dir, &entries, &count) == -1) {
		log_warn("cannot read the journal");
		return;
	}
	for (i = 0; i < count; i++) {
		same_boot = strcmp(entries[i].boot_id, ctx->boot_id) == 0;
		log_warnx("rolling back an interrupted change of %s%s",
		    entries[i].path, same_boot ? "" : " (files only: rebooted)");
		/* What it got to is unknown: everything is undone. */
		if (rollback(ctx, &entries[i], TOUCHED_ALL, same_boot) == 0)
			journal_done(ctx->conf->state_dir, entries[i].mac);
	}
	free(entries);
}
