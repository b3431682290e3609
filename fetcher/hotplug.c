/* SPDX-License-Identifier: ISC */
/*
 * Hot-plug windows (see hotplug.h): which MACs get fast polls now, and
 * which had theirs lately. poll.c decides when to poll; this file only
 * keeps the books and logs when a window starts and ends.
 */

#include <string.h>

#include "config.h"
#include "hotplug.h"
#include "log.h"
#include "validate.h"

static struct hotplug_mac *
find(struct hotplug *h, const uint8_t mac[MAC_LEN])
{
	size_t	i;

	for (i = 0; i < h->n; i++)
		if (memcmp(h->macs[i].mac, mac, MAC_LEN) == 0)
			return &h->macs[i];
	return NULL;
}

/* "hot-plug: <before><MAC><after>", with the MAC as a field too. */
static void
log_window(const struct hotplug_mac *m, const char *before,
    const char *after)
{
	char			 text[VALIDATE_MAC_TEXT_SIZE];
	struct log_field	 fields[] = { LOG_STR("mac_address", text) };

	validate_format_mac(m->mac, text);
	log_fields(LOG_LEVEL_INFO, fields, 1, "hot-plug: %s%s%s", before, text,
	    after);
}

/* A window ends: the MAC gets no other one until its cool-down is over. */
static void
end_window(struct hotplug_mac *m, double now, const char *why)
{
	log_window(m, "NIC ", why);
	m->active = 0;
	m->until = now + HOTPLUG_COOLDOWN_S;
}

/* Cool-downs that are over free their place. */
static void
forget_cooled(struct hotplug *h, double now)
{
	size_t	i = 0;

	while (i < h->n) {
		if (!h->macs[i].active && now >= h->macs[i].until) {
			h->macs[i] = h->macs[--h->n];
			h->full_warned = 0;
		} else
			i++;
	}
}

enum hotplug_verdict
hotplug_request(struct hotplug *h, const uint8_t mac[MAC_LEN],
    uint32_t window_ms, double now)
{
	struct hotplug_mac	*m;

	forget_cooled(h, now);
	if ((m = find(h, mac)) != NULL)
		return m->active ? HOTPLUG_ACTIVE : HOTPLUG_COOLING;
	if (h->n >= HOTPLUG_MACS_MAX)
		return HOTPLUG_FULL;
	m = &h->macs[h->n++];
	memcpy(m->mac, mac, MAC_LEN);
	m->active = 1;
	m->until = now + window_ms / 1000.0;
	log_window(m, "no row names NIC ", " yet; polling fast until one"
	    " does");
	return HOTPLUG_STARTED;
}

static int
row_names(const struct msg_row *rows, size_t n, const uint8_t mac[MAC_LEN])
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (rows[i].mac_valid &&
		    memcmp(rows[i].mac, mac, MAC_LEN) == 0)
			return 1;
	return 0;
}

void
hotplug_rows(struct hotplug *h, const struct msg_row *rows, size_t n,
    double now)
{
	size_t	i;

	for (i = 0; i < h->n; i++)
		if (h->macs[i].active && row_names(rows, n, h->macs[i].mac))
			end_window(&h->macs[i], now,
			    ": a row names it now; fast polls end");
	hotplug_expire(h, now);
}

void
hotplug_expire(struct hotplug *h, double now)
{
	size_t	i;

	for (i = 0; i < h->n; i++)
		if (h->macs[i].active && now >= h->macs[i].until)
			end_window(&h->macs[i], now,
			    ": no row names it yet, but its window is over;"
			    " fast polls end");
	forget_cooled(h, now);
}

int
hotplug_active(const struct hotplug *h)
{
	size_t	i;

	for (i = 0; i < h->n; i++)
		if (h->macs[i].active)
			return 1;
	return 0;
}
