/* SPDX-License-Identifier: ISC */
/*
 * The transaction journal: before an action changes anything, what is needed
 * to undo it is on disk in STATE_DIR, keyed by MAC, with the boot id.
 */
#ifndef MULTINIC_JOURNAL_H
#define MULTINIC_JOURNAL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "netlink.h"
#include "render.h"
#include "srcroute.h"

#define BOOT_ID_MAX	40

/* A file an action may change besides the main one. */
struct journal_file {
	char		path[PATH_MAX];		/* "": none */
	int		had;		/* old content in backup */
	char		backup[PATH_MAX];
};

struct journal_entry {
	uint8_t		mac[MAC_LEN];
	char		boot_id[BOOT_ID_MAX];
	char		path[PATH_MAX];		/* the managed file */
	int		had_file;		/* its old content is in backup */
	char		backup[PATH_MAX];
	int		old_slot;		/* in the name map; -1: not there */
	int		had_link;		/* old live state below */
	struct nl_link	old_link;
	/*
	 * The slot whose rules and table old_routing holds, -1 for none
	 * (source routing off, APPLY_MODE=files, or an entry of an older
	 * multinicd).
	 */
	int		routing_slot;
	struct srcroute_set old_routing;
	/* Source routing's files of ifcfg and wicked (render.h). */
	struct journal_file extra[RENDER_EXTRA_MAX];
};

int	journal_boot_id(char *buf, size_t len);
/* Copies the current file at entry->path to the backup, then records. */
int	journal_begin(const char *state_dir, struct journal_entry *);
int	journal_done(const char *state_dir, const uint8_t *mac);
/* Every unfinished entry; *entries is malloc'd. */
int	journal_pending(const char *state_dir, struct journal_entry **entries,
	    size_t *count);

#endif
