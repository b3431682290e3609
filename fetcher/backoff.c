/* SPDX-License-Identifier: ISC */
/*
 * Poll delays: retries multiplied on each failure, capped, with jitter;
 * the splay of the second poll and the jitter of every regular one.
 */

#include "backoff.h"

void
backoff_init(struct backoff *b, uint32_t base_ms, uint32_t max_ms,
    double multiplier)
{
	b->base_ms = base_ms;
	b->max_ms = max_ms < base_ms ? base_ms : max_ms;
	b->multiplier = multiplier < 1.0 ? 1.0 : multiplier;
	backoff_reset(b);
}

/*
 * A reload during an outage keeps the failures counted so far and the
 * delay reached, brought within the new bounds.
 */
void
backoff_reconfigure(struct backoff *b, uint32_t base_ms, uint32_t max_ms,
    double multiplier)
{
	uint32_t	level = b->level, current = b->current_ms;

	backoff_init(b, base_ms, max_ms, multiplier);
	if (level == 0)
		return;
	b->level = level;
	if (current < b->base_ms)
		current = b->base_ms;
	b->current_ms = current > b->max_ms ? b->max_ms : current;
}

void
backoff_reset(struct backoff *b)
{
	b->level = 0;
	b->current_ms = b->base_ms;
}

uint32_t
backoff_fail(struct backoff *b, uint32_t random)
{
	double		next;

	/* The first failure retries after one interval; later ones grow. */
	if (b->level > 0) {
		/* In double, so a long outage cannot overflow the delay. */
		next = (double)b->current_ms * b->multiplier;
		b->current_ms = next >= (double)b->max_ms ? b->max_ms :
		    (uint32_t)next;
	}
	if (b->level < UINT32_MAX)
		b->level++;
	return delay_jitter(b->current_ms, random);
}

uint32_t
delay_jitter(uint32_t delay_ms, uint32_t random)
{
	return delay_ms - random % (delay_ms / 10 + 1);
}

/* splitmix64: every seed, 0 included, gives a full-period sequence. */
uint32_t
delay_random(uint64_t *state)
{
	uint64_t	z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

uint32_t
delay_splay(uint32_t delay_ms, uint32_t random)
{
	return delay_ms - random % (delay_ms / 2 + 1);
}
