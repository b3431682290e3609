/* SPDX-License-Identifier: ISC */
/*
 * Hot-plug windows: a NIC appeared whose MAC no row names, so the fetcher
 * polls fast for a while, until a row names it. The bookkeeping that bounds
 * the extra load: one window per MAC in a cool-down, a cap on MACs tracked.
 */
#ifndef MULTINIC_HOTPLUG_H
#define MULTINIC_HOTPLUG_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define HOTPLUG_MACS_MAX	16	/* windows and cool-downs tracked */
#define HOTPLUG_COOLDOWN_S	600	/* after a window, none for that MAC */

struct hotplug_mac {
	uint8_t		mac[MAC_LEN];
	int		active;		/* in its window */
	double		until;		/* window end, else cool-down end */
};

struct hotplug {
	struct hotplug_mac	macs[HOTPLUG_MACS_MAX];
	size_t			n;
	uint64_t		polls;		/* made for hot-plug windows */
	int			full_warned;	/* until a place frees up */
};

enum hotplug_verdict {
	HOTPLUG_STARTED,	/* a window opens: poll now and fast */
	HOTPLUG_ACTIVE,		/* already in its window */
	HOTPLUG_COOLING,	/* had its window lately: nothing */
	HOTPLUG_FULL,		/* too many MACs tracked: nothing */
};

/* A MAC with no row asks for fast polls; now: monotonic seconds. */
enum hotplug_verdict	hotplug_request(struct hotplug *,
			    const uint8_t mac[MAC_LEN], uint32_t window_ms,
			    double now);
/*
 * After a successful poll: windows whose MAC a row names end (logged),
 * so do windows that are over, and cool-downs that are over are forgotten.
 */
void	hotplug_rows(struct hotplug *, const struct msg_row *, size_t,
	    double now);
/* Windows that are over end (logged); after a failed poll too. */
void	hotplug_expire(struct hotplug *, double now);
/* 1 while some window is open. */
int	hotplug_active(const struct hotplug *);

#endif
