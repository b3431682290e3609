/* SPDX-License-Identifier: ISC */
/*
 * First start on a node the earlier agent managed: its files have our
 * names (9N-multinicN.yaml) and our shape, but no name map owns them, so
 * their NICs would never be cleaned up or reported. Once, at the first
 * start (STATE_DIR has no name map yet; the journal was recovered just
 * before), each file the renderer reads back as ours is adopted into the
 * map; after that, ownership rests on the map alone, as always.
 */

#include <errno.h>
#include <limits.h>

#include "applier.h"
#include "log.h"
#include "validate.h"

/* The file of slot, if it parses as ours and names that slot. */
static int
adoptable(const struct applier *a, int slot, struct nic_config *nic)
{
	const struct renderer	*r = a->apply.renderer;
	char			 path[PATH_MAX], err[128];
	int			 ours;

	if (r->path(a->conf.config_root, slot, path, sizeof(path)) == -1)
		return 0;
	switch (render_read_file(r, path, nic, &ours, NULL, err,
	    sizeof(err))) {
	case -1:
		if (errno != ENOENT)
			log_warn("adopting: %s", path);
		return 0;
	case -2:
		log_warnx("not adopting %s: %s", path, err);
		return 0;
	}
	if (nic->slot != slot) {
		log_warnx("not adopting %s: it describes multinic%d", path,
		    nic->slot);
		return 0;
	}
	return 1;
}

void
adopt_existing(struct applier *a)
{
	struct nic_config	 nic;
	char			 mac[VALIDATE_MAC_TEXT_SIZE];
	int			 slot, adopted = 0;

	if (a->names.on_disk || a->conf.dry_run)
		return;
	for (slot = 0; slot < NAMES_MAX; slot++) {
		if (!adoptable(a, slot, &nic))
			continue;
		validate_format_mac(nic.mac, mac);
		if (names_set(&a->names, nic.mac, slot) == -1) {
			log_warnx("not adopting multinic%d: %s is already"
			    " multinic%d", slot, mac,
			    names_slot(&a->names, nic.mac));
			continue;
		}
		log_info("adopted multinic%d (%s) from an existing file", slot,
		    mac);
		adopted++;
	}
	if (adopted > 0 && names_save(&a->names, a->conf.state_dir) == -1)
		fatal("cannot save the name map in %s", a->conf.state_dir);
}
