/* SPDX-License-Identifier: ISC */
/*
 * STATE_DIR's MAC-to-slot map: which MACs the applier owns and under which
 * multinicN. Ownership never rests on a file name alone.
 */
#ifndef MULTINIC_NAMES_H
#define MULTINIC_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

#define NAMES_MAX	10

struct names_entry {
	uint8_t	mac[MAC_LEN];
	int	slot;
};

struct names {
	int			on_disk;	/* STATE_DIR has the map file */
	size_t			count;
	struct names_entry	entries[NAMES_MAX];
};

/* A missing map is empty; malformed lines are skipped with a warning. */
int	names_load(struct names *, const char *state_dir);
int	names_save(const struct names *, const char *state_dir);
int	names_slot(const struct names *, const uint8_t *mac);	/* -1: none */
int	names_set(struct names *, const uint8_t *mac, int slot);
void	names_remove(struct names *, const uint8_t *mac);

#endif
