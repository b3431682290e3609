/* SPDX-License-Identifier: ISC */
/*
 * Fights: another agent setting a managed link back as fast as the applier
 * repairs it. Per MAC, repairs are counted; past FIGHT_THRESHOLD within
 * FIGHT_WINDOW_MS the event-driven repairs of that MAC back off. Pure, with
 * the time passed in, so it is tested by tables.
 */
#ifndef MULTINIC_FIGHT_H
#define MULTINIC_FIGHT_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "plan.h"

#define FIGHT_THRESHOLD		3	/* repairs within the window start one */
#define FIGHT_WINDOW_MS		30000
#define FIGHT_FIRST_WAIT_MS	1000	/* then doubled up to the poll interval */

struct fight {
	uint8_t		mac[MAC_LEN];
	int		index;		/* the link fought over */
	uint64_t	repairs[FIGHT_THRESHOLD];	/* the last ones, ms */
	size_t		nrepairs;
	int		fighting;	/* an episode is on */
	uint64_t	wait_ms;	/* the current backoff */
	uint64_t	next_ms;	/* no repair by an event before */
};

struct fights {
	struct fight	entries[PLAN_ITEMS_MAX];
	size_t		count;
};

enum fight_news {
	FIGHT_QUIET,		/* nothing to log */
	FIGHT_STARTED,		/* an episode starts: log once */
	FIGHT_ENDED,		/* quiet long enough: log once */
};

/*
 * A repair of mac's link index at now_ms. FIGHT_STARTED when it makes a
 * fight; during one, the wait doubles up to max_wait_ms. A MAC on another
 * link than before was unplugged and plugged again: no fight, it starts
 * afresh.
 */
enum fight_news	 fight_repaired(struct fights *, const uint8_t *mac,
		    int index, uint64_t now_ms, uint64_t max_wait_ms);
/*
 * May an event repair mac's link index now? 0 while it backs off,
 * *until_ms then says when it may again.
 */
int		 fight_may_repair(const struct fights *, const uint8_t *mac,
		    int index, uint64_t now_ms, uint64_t *until_ms);
/* Is an episode on for mac? */
int		 fight_on(const struct fights *, const uint8_t *mac);
/*
 * A cycle found mac needing no repair: a fight whose last repair is more
 * than twice its longest wait ago (and at least FIGHT_WINDOW_MS) is over.
 */
enum fight_news	 fight_steady(struct fights *, const uint8_t *mac,
		    uint64_t now_ms, uint64_t max_wait_ms);

#endif
