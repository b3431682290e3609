/* SPDX-License-Identifier: ISC */
/*
 * A hostile fetcher: raw bytes on the applier's channel, through the
 * applier's own code: peer_channel() before MSG_START, peer_start(), the
 * channel's framing and applier_dispatch_fetcher(), unchanged snapshots
 * answered without a cycle included. The first byte says how
 * many of the others reach the socket before the start. Nothing may crash,
 * nothing may be read before the start, and what a cycle is given must have
 * passed re-validation.
 */

#include <sys/socket.h>

#include <net/if.h>
#include <net/if_arp.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "../applier/applier.h"
#include "fuzz.h"
#include "validate.h"

#define LINKS		4
#define BEFORE_UNIT	32	/* bytes before the start per unit of byte 0 */

static struct event_base	*base;
static struct applier		 applier;

/* Two NICs, one of them a managed multinic0, a bridge and the loopback. */
static void
node_links(struct nl_link links[LINKS])
{
	static const char *const names[LINKS] = { "lo", "ens5", "multinic0",
	    "br-ex" };
	size_t	i;

	memset(links, 0, sizeof(struct nl_link) * LINKS);
	for (i = 0; i < LINKS; i++) {
		links[i].index = (int)i + 1;
		strlcpy(links[i].name, names[i], sizeof(links[i].name));
		links[i].has_mac = 1;
		links[i].type = ARPHRD_ETHER;
		links[i].flags = IFF_UP;
		links[i].mtu = 1500;
		links[i].mac[0] = 0xfa;
		links[i].mac[5] = (uint8_t)i;
	}
	memset(links[0].mac, 0, MAC_LEN);
	links[0].type = ARPHRD_LOOPBACK;
	links[0].flags |= IFF_LOOPBACK;
	strlcpy(links[3].kind, "bridge", sizeof(links[3].kind));
}

/*
 * Stands in for cycle.c's at link time: the real cycle reads and programs
 * links through rtnetlink, which a harness must not touch. This one plans
 * the snapshot against a small node, as the real one plans against what it
 * read, with the sync's flags as the real one takes them, and acknowledges
 * it as the real one does.
 */
void
cycle_run(struct applier *a, enum results_trigger trigger)
{
	struct nl_link		links[LINKS];
	struct managed_nic	managed;
	struct plan_input	in;
	char			why[128];
	size_t			i;

	if (!a->started)
		fuzz_fail("a snapshot was acted on before MSG_START");
	if (!a->snapshot.complete || a->snapshot.receiving)
		fuzz_fail("a cycle on rows of no complete snapshot");
	if (trigger == RESULTS_UNCHANGED && a->snapshot.acknowledged == 0)
		fuzz_fail("an unchanged snapshot of rows not acknowledged");
	for (i = 0; i < a->snapshot.nrows; i++)
		if (validate_msg_row(&a->snapshot.rows[i], why, sizeof(why)) ==
		    -1)
			fuzz_fail("snapshot row %zu passed unchecked: %s", i,
			    why);
	validate_duplicates(a->snapshot.rows, a->snapshot.nrows);
	node_links(links);
	memset(&managed, 0, sizeof(managed));
	memcpy(managed.mac, links[2].mac, MAC_LEN);
	memset(&in, 0, sizeof(in));
	in.rows = a->snapshot.rows;
	in.nrows = a->snapshot.nrows;
	in.links = links;
	in.nlinks = LINKS;
	in.managed = &managed;
	in.nmanaged = 1;
	in.protected_patterns = "lo,eth0,br*";
	in.now = 1700000000 + (time_t)a->snapshot.generation % 100000;
	in.poll_interval_ms = 30000;
	in.delete_grace_ms = 600000;
	in.delete_max = 2;
	in.allow_delete = a->allow_delete_pending;
	in.retry_now = a->retry_pending;
	a->allow_delete_pending = 0;
	a->retry_pending = 0;
	plan_compute(&in, &a->memory, &a->plan);
	if (a->plan.nitems > PLAN_ITEMS_MAX)
		fuzz_fail("plan of %zu items", a->plan.nitems);
	a->planned = 1;
	peer_results_end(a, a->snapshot.generation, 0, RESULTS_SNAPSHOT);
}

/* cycle.c's reads the links; a report must come only once started. */
void
cycle_report(struct applier *a)
{
	if (!a->started)
		fuzz_fail("a report was sent before MSG_START");
}

/* The harness's supervisor end writes nothing. */
static void
supervisor_sent(struct msgchan *chan, struct msg *m, void *arg)
{
	(void)chan;
	(void)m;
	(void)arg;
	fuzz_fail("a message from nobody");
}

static void
run_once(void)
{
	if (event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK) == -1)
		fuzz_fail("event_base_loop failed");
}

/* What only a message from the fetcher sets. */
static void
check_nothing_read(void)
{
	if (applier.snapshot.receiving || applier.snapshot.nrows > 0 ||
	    applier.apply.guard.have_db_address || applier.retry_pending ||
	    applier.allow_delete_pending)
		fuzz_fail("the fetcher's channel was read before MSG_START");
}

/* Sends what the socket takes, then lets the applier read, until done. */
static void
deliver(int fd, const uint8_t *data, size_t size)
{
	ssize_t	n;

	while (size > 0 && msgchan_is_open(&applier.fetcher)) {
		if ((n = send(fd, data, size, MSG_NOSIGNAL)) == -1 &&
		    errno != EAGAIN)
			fuzz_fail("send: %s", strerror(errno));
		if (n > 0) {
			data += n;
			size -= n;
		}
		run_once();
	}
}

static void
check_db_address(void)
{
	const struct apply_guard	*g = &applier.apply.guard;

	if (g->have_db_address && g->db_family != AF_INET &&
	    g->db_family != AF_INET6)
		fuzz_fail("DB address of family %d kept", g->db_family);
}

static void
run_input(int fetcher_fd, const uint8_t *data, size_t size)
{
	size_t	before = (size_t)data[0] * BEFORE_UNIT;
	ssize_t	n;

	data++;
	size--;
	if (before > size)
		before = size;
	/* A few KiB: the socket takes them without anyone reading. */
	if ((n = send(fetcher_fd, data, before, MSG_NOSIGNAL)) == -1) {
		if (errno != EAGAIN)
			fuzz_fail("send: %s", strerror(errno));
		n = 0;
	}
	/* The bytes are in the socket: a channel being read wakes now. */
	run_once();
	check_nothing_read();
	applier.started = 1;
	peer_start(&applier);
	deliver(fetcher_fd, data + n, size - (size_t)n);
	if (msgchan_is_open(&applier.fetcher) &&
	    shutdown(fetcher_fd, SHUT_WR) == -1)
		fuzz_fail("shutdown: %s", strerror(errno));
	while (msgchan_is_open(&applier.fetcher))
		run_once();
	check_db_address();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int	supervisor[2], fetcher[2];

	if (size == 0)
		return 0;
	fuzz_quiet_logs();
	if (base == NULL && (base = event_base_new()) == NULL)
		fuzz_fail("event_base_new failed");
	memset(&applier, 0, sizeof(applier));
	applier.base = base;
	peer_init(&applier);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, supervisor) == -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fetcher) == -1)
		fuzz_fail("socketpair: %s", strerror(errno));
	if (msgchan_open(&applier.supervisor, base, supervisor[0],
	    "supervisor", 1, supervisor_sent, NULL, NULL) == -1)
		fuzz_fail("cannot open the supervisor channel");
	/* As applier_main() does, before MSG_START. */
	peer_channel(&applier, fetcher[1]);
	run_input(fetcher[0], data, size);
	msgchan_close(&applier.supervisor);
	close(supervisor[1]);
	close(fetcher[0]);
	return 0;
}
