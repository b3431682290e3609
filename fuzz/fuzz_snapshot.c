/*
 * A hostile fetcher: raw bytes on the applier's channel. They are framed by
 * msg_get(), size-checked by msg_payload() and assembled by the applier's
 * snapshot functions exactly as applier_dispatch_fetcher() does; every
 * complete snapshot is then planned against a small node. Nothing may
 * crash, and what the planner is given must have passed re-validation.
 */

#include <net/if.h>
#include <net/if_arp.h>

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "../applier/applier.h"
#include "fuzz.h"
#include "validate.h"

#define LINKS	4

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

static void
plan_snapshot(const struct snapshot *s, struct plan_memory *memory)
{
	static struct plan	plan;
	struct nl_link		links[LINKS];
	struct managed_nic	managed;
	struct plan_input	in;
	char			why[128];
	size_t			i;

	for (i = 0; i < s->nrows; i++)
		if (validate_msg_row(&s->rows[i], why, sizeof(why)) == -1)
			fuzz_fail("snapshot row %zu passed unchecked: %s", i,
			    why);
	node_links(links);
	memset(&managed, 0, sizeof(managed));
	memcpy(managed.mac, links[2].mac, MAC_LEN);
	memset(&in, 0, sizeof(in));
	in.rows = s->rows;
	in.nrows = s->nrows;
	in.links = links;
	in.nlinks = LINKS;
	in.managed = &managed;
	in.nmanaged = 1;
	in.protected_patterns = "lo,eth0,br*";
	in.now = 1700000000 + (time_t)s->generation % 100000;
	in.poll_interval_ms = 30000;
	in.delete_grace_ms = 600000;
	in.delete_max = 2;
	plan_compute(&in, memory, &plan);
	if (plan.nitems > PLAN_ITEMS_MAX)
		fuzz_fail("plan of %zu items", plan.nitems);
}

/* One message, as the applier's dispatch takes it apart. */
static void
take(struct msgchan *chan, struct msg *m, struct snapshot *s,
    struct plan_memory *memory)
{
	struct msg_snapshot	 bounds;
	struct msg_row		 row;
	const char		*why;

	switch (m->hdr.type) {
	case MSG_SNAPSHOT_BEGIN:
		if (msg_payload(chan, m, &bounds, sizeof(bounds)) == 0)
			snapshot_begin(s, &bounds, &why);
		break;
	case MSG_SNAPSHOT_ROW:
		if (msg_payload(chan, m, &row, sizeof(row)) == 0)
			snapshot_row(s, &row, &why);
		break;
	case MSG_SNAPSHOT_END:
		if (msg_payload(chan, m, &bounds, sizeof(bounds)) == 0 &&
		    snapshot_end(s, &bounds, &why) == 1)
			plan_snapshot(s, memory);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct snapshot	 s;
	struct plan_memory	 memory;
	struct msgchan		 chan;
	struct evbuffer		*in;
	struct msg		 m;

	fuzz_quiet_logs();
	memset(&s, 0, sizeof(s));
	memset(&memory, 0, sizeof(memory));
	memset(&chan, 0, sizeof(chan));
	chan.fd = -1;
	chan.peer = "fetcher";
	if ((in = evbuffer_new()) == NULL)
		return 0;
	if (evbuffer_add(in, data, size) == 0)
		while (msg_get(in, &m) == 1) {
			take(&chan, &m, &s, &memory);
			msg_free(&m);
		}
	evbuffer_free(in);
	return 0;
}
