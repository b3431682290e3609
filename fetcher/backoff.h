/* SPDX-License-Identifier: ISC */
/*
 * Poll delays: retries multiplied on each failure, capped, with jitter;
 * the splay of the second poll and the jitter of every regular one.
 */
#ifndef MULTINIC_BACKOFF_H
#define MULTINIC_BACKOFF_H

#include <stdint.h>

struct backoff {
	uint32_t	base_ms;	/* POLL_INTERVAL */
	uint32_t	max_ms;		/* BACKOFF_MAX_INTERVAL */
	double		multiplier;	/* BACKOFF_MULTIPLIER, >= 1 */
	uint32_t	level;		/* failures since the last success */
	uint32_t	current_ms;	/* delay before jitter */
};

void		backoff_init(struct backoff *, uint32_t base_ms, uint32_t max_ms,
		    double multiplier);
/* New bounds (a reload); the level and the delay reached are kept. */
void		backoff_reconfigure(struct backoff *, uint32_t base_ms,
		    uint32_t max_ms, double multiplier);
void		backoff_reset(struct backoff *);
/*
 * Records one more failure and returns the delay before the next try: the
 * current delay less up to 10% (random is any uniformly drawn value), so
 * nodes that failed together do not retry together, and never above max_ms.
 */
uint32_t	backoff_fail(struct backoff *, uint32_t random);

/*
 * delay_ms less up to 10% (random is any uniformly drawn value): a node's
 * polls drift against its neighbours' instead of keeping one phase.
 */
uint32_t	delay_jitter(uint32_t delay_ms, uint32_t random);
/*
 * A point in [delay_ms / 2, delay_ms]: nodes started together (a roll-out,
 * a power cut) spread their second poll over half an interval. Not from 0:
 * a second poll right after the first would only add load.
 */
uint32_t	delay_splay(uint32_t delay_ms, uint32_t random);
/*
 * The random values for both, from a state seeded once with arc4random():
 * jitter needs spread, not secrecy, and libbsd's arc4random() calls
 * getpid() each time (to notice a fork), a syscall every poll otherwise.
 */
uint32_t	delay_random(uint64_t *state);

#endif
