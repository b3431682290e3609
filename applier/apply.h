/* Executes one planned action as a transaction: journal, change, verify, undo. */
#ifndef MULTINIC_APPLY_H
#define MULTINIC_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "names.h"
#include "netlink.h"
#include "plan.h"
#include "render.h"

/* What must not change while we work: checked after every action. */
struct apply_guard {
	int	default_links[16];
	size_t	ndefault;
	int	db_link;		/* 0: no DB route to watch */
	int	have_db_address;
	int	db_family;
	uint8_t	db_address[16];
};

struct apply_context {
	const struct config	*conf;
	const struct renderer	*renderer;
	struct nl		*nl;
	struct names		*names;
	const char		*boot_id;
	struct apply_guard	 guard;
};

/* Reads the default-route links and the route to the DB server. */
int	apply_guard_read(struct apply_context *, struct apply_guard *);
/* 0 when applied and verified; -1 with why after a full rollback. */
int	apply_item(struct apply_context *, const struct plan_item *,
	    const struct nl_link *links, size_t nlinks, char *why, size_t len);
/* Start-up: undoes what an interrupted action left (live state same boot only). */
void	apply_recover(struct apply_context *);

#endif
