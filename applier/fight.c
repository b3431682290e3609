/* SPDX-License-Identifier: ISC */
/*
 * Fights over a managed link (fight.h): counting repairs per MAC and the
 * backoff of event-driven repairs while another agent keeps undoing them.
 */

#include <string.h>

#include "fight.h"

static struct fight *
fight_find(const struct fights *f, const uint8_t *mac)
{
	size_t	i;

	for (i = 0; i < f->count; i++)
		if (memcmp(f->entries[i].mac, mac, MAC_LEN) == 0)
			return (struct fight *)&f->entries[i];
	return NULL;
}

static uint64_t
last_repair(const struct fight *e)
{
	return e->nrepairs == 0 ? 0 : e->repairs[e->nrepairs - 1];
}

/* Makes room: a calm entry before one in a fight, then the oldest. */
static int
evict_before(const struct fight *a, const struct fight *b)
{
	if (a->fighting != b->fighting)
		return !a->fighting;
	return last_repair(a) < last_repair(b);
}

/* A MAC not seen before. */
static struct fight *
fight_add(struct fights *f, const uint8_t *mac)
{
	struct fight	*e;
	size_t		 i, victim = 0;

	if (f->count < PLAN_ITEMS_MAX) {
		e = &f->entries[f->count++];
	} else {
		for (i = 1; i < f->count; i++)
			if (evict_before(&f->entries[i], &f->entries[victim]))
				victim = i;
		e = &f->entries[victim];
	}
	memset(e, 0, sizeof(*e));
	memcpy(e->mac, mac, MAC_LEN);
	return e;
}

enum fight_news
fight_repaired(struct fights *f, const uint8_t *mac, int index,
    uint64_t now_ms, uint64_t max_wait_ms)
{
	struct fight	*e;

	if ((e = fight_find(f, mac)) == NULL)
		e = fight_add(f, mac);
	if (e->index != index) {
		memset(e, 0, sizeof(*e));
		memcpy(e->mac, mac, MAC_LEN);
		e->index = index;
	}
	if (e->nrepairs == FIGHT_THRESHOLD) {
		memmove(&e->repairs[0], &e->repairs[1],
		    (FIGHT_THRESHOLD - 1) * sizeof(e->repairs[0]));
		e->nrepairs--;
	}
	e->repairs[e->nrepairs++] = now_ms;
	if (e->fighting) {
		e->wait_ms = e->wait_ms * 2 > max_wait_ms ? max_wait_ms :
		    e->wait_ms * 2;
		e->next_ms = now_ms + e->wait_ms;
		return FIGHT_QUIET;
	}
	/* A clock that went back (repairs out of order) starts no fight. */
	if (e->nrepairs < FIGHT_THRESHOLD || now_ms < e->repairs[0] ||
	    now_ms - e->repairs[0] > FIGHT_WINDOW_MS)
		return FIGHT_QUIET;
	e->fighting = 1;
	e->wait_ms = FIGHT_FIRST_WAIT_MS > max_wait_ms ? max_wait_ms :
	    FIGHT_FIRST_WAIT_MS;
	e->next_ms = now_ms + e->wait_ms;
	return FIGHT_STARTED;
}

int
fight_may_repair(const struct fights *f, const uint8_t *mac, int index,
    uint64_t now_ms, uint64_t *until_ms)
{
	const struct fight	*e = fight_find(f, mac);

	if (e == NULL || e->index != index || !e->fighting ||
	    now_ms >= e->next_ms)
		return 1;
	*until_ms = e->next_ms;
	return 0;
}

int
fight_on(const struct fights *f, const uint8_t *mac)
{
	const struct fight	*e = fight_find(f, mac);

	return e != NULL && e->fighting;
}

enum fight_news
fight_steady(struct fights *f, const uint8_t *mac, uint64_t now_ms,
    uint64_t max_wait_ms)
{
	struct fight	*e = fight_find(f, mac);
	uint64_t	 quiet = 2 * max_wait_ms;

	if (quiet < FIGHT_WINDOW_MS)
		quiet = FIGHT_WINDOW_MS;
	if (e == NULL || !e->fighting || now_ms < last_repair(e) ||
	    now_ms - last_repair(e) < quiet)
		return FIGHT_QUIET;
	e->fighting = 0;
	e->nrepairs = 0;
	e->wait_ms = 0;
	return FIGHT_ENDED;
}
