/* SPDX-License-Identifier: ISC */
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
#include "srcroute.h"

/* The metadata service of OpenStack and most clouds. */
#define APPLY_METADATA_ADDR	"169.254.169.254"
/* Gateways, the database, the metadata service, PROTECTED_DESTINATIONS. */
#define APPLY_CRITICAL_MAX	(NL_DEFAULT_ROUTES_MAX + 2 + \
				    CONFIG_DESTINATIONS_MAX)

/* What must not change while we work: checked after every action. */
struct apply_guard {
	struct nl_default_routes defaults;
	struct plan_critical	 critical[APPLY_CRITICAL_MAX];
	size_t			 ncritical;
	int			 db_link;	/* 0: no DB route to watch */
	int			 have_db_address;
	int			 db_family;
	uint8_t			 db_address[16];
};

struct apply_context {
	const struct config	*conf;
	const struct renderer	*renderer;
	struct nl		*nl;
	struct names		*names;
	const char		*boot_id;
	struct apply_guard	 guard;
};

/* apply_item's outcomes other than 0, each after a full rollback. */
#define APPLY_FAILED	(-1)
#define APPLY_HELD	(-2)	/* a critical route moved */

/*
 * Reads the default routes, the route to the DB server and the link each
 * critical destination is reached through.
 */
int	apply_guard_read(struct apply_context *, struct apply_guard *);
/* 0 when applied and verified; APPLY_FAILED or APPLY_HELD with why. */
int	apply_item(struct apply_context *, const struct plan_item *,
	    const struct nl_link *links, size_t nlinks, char *why, size_t len);
/*
 * Removes the rules and tables of ours for slots the name map no longer
 * holds (a rollback that could not finish, a name map restored from backup).
 */
void	apply_routing_orphans(struct apply_context *);
/* Start-up: undoes what an interrupted action left (live state same boot only). */
void	apply_recover(struct apply_context *);

#endif
