/* SPDX-License-Identifier: ISC */
/*
 * The planner: from the desired rows, the live links and the managed files,
 * decide per MAC what to do. Pure and deterministic, so it is tested by
 * tables; the applier executes the plan.
 */
#ifndef MULTINIC_PLAN_H
#define MULTINIC_PLAN_H

#include <stdint.h>
#include <time.h>

#include "msg.h"
#include "netlink.h"
#include "render.h"
#include "srcroute.h"

#define PLAN_SLOTS		10	/* multinic0..multinic9 */
#define PLAN_ITEMS_MAX		(SNAPSHOT_ROWS_MAX + PLAN_SLOTS)
#define PLAN_ABSENT_TO_DELETE	2	/* counted snapshots without the row */
#define PLAN_RETRY_MAX_S	300	/* longest wait before a failed action is retried */

enum plan_action {
	PLAN_NOTHING,
	PLAN_CREATE,		/* a new MAC: name, file, live state */
	PLAN_UPDATE,		/* a managed MAC that drifted */
	PLAN_DELETE,		/* row gone: remove the file, de-configure the link */
	PLAN_REMOVE_FILE,	/* row gone and the NIC too: remove the file */
};

/*
 * An IPv4 destination the node must keep reaching as it does: a default
 * gateway, the database server, the metadata service, PROTECTED_DESTINATIONS.
 */
struct plan_critical {
	uint32_t	 addr;		/* network byte order */
	const char	*what;		/* "the default gateway", ... */
	int		 link;		/* where its route goes; 0: no route */
};

/* The check that held a row the planner or the applier refused. */
#define PLAN_FIELD_MAX	16

/* A MAC the applier owns: an entry of STATE_DIR's name map and its file. */
struct managed_nic {
	uint8_t			mac[MAC_LEN];
	int			slot;
	int			has_file;	/* present, ours, and parsed */
	struct nic_config	file;
};

/*
 * An action that failed and was rolled back. Retried at once when anything
 * it was planned from changes; unchanged, only at retry_at, the wait
 * doubling from one poll interval to PLAN_RETRY_MAX_S: a change the kernel
 * refuses must not take the link down and up every cycle. One that moved a
 * critical route is held: never retried on the clock, only when its inputs
 * change or on multinicctl sync.
 */
struct plan_failure {
	uint8_t			mac[MAC_LEN];
	enum plan_action	action;
	unsigned		drift;
	struct nic_config	desired;
	int			had_link;
	struct nl_link		link;	/* as planned on, and as rolled back to */
	time_t			retry_at;
	uint32_t		wait_s;
	int			held;	/* a critical route moved: no timed retry */
	char			field[PLAN_FIELD_MAX];
	char			reason[ROW_REASON_MAX];
};

/* Kept between cycles: deletion debounce, mass-deletion hold, failures. */
struct plan_memory {
	time_t		last_counted;	/* last snapshot that counted */
	struct {
		uint8_t		mac[MAC_LEN];
		unsigned	absent;	/* counted snapshots without a row */
	}		absent[PLAN_SLOTS];
	size_t		nabsent;
	time_t		held_since;	/* deletions held since; 0: none */
	struct plan_failure failures[PLAN_SLOTS];
	size_t		nfailures;
};

struct plan_input {
	const struct msg_row	*rows;
	size_t			 nrows;
	const struct nl_link	*links;
	size_t			 nlinks;
	const struct managed_nic *managed;
	size_t			 nmanaged;
	const int		*protected_links;	/* default route, DB route */
	size_t			 nprotected;
	const char		*protected_patterns;	/* PROTECTED_INTERFACES */
	const struct plan_critical *critical;	/* addresses no row may take */
	size_t			 ncritical;
	uint32_t		 min_prefix_len;	/* 0: no floor */
	int			 links_untouched;	/* APPLY_MODE=files */
	time_t			 now;
	uint32_t		 poll_interval_ms;
	uint32_t		 delete_grace_ms;
	uint32_t		 delete_max;
	int			 allow_delete;
	int			 retry_now;		/* multinicctl sync */
	int			 incomplete;	/* rows missing: delete nothing */
	/* The last snapshot planned again (an event): it counts nothing. */
	int			 repeat;
	/* SOURCE_ROUTING: NULL or table_base 0 when off. */
	const struct srcroute_conf *srcroute;
	/* The kernel's rules and tables of ours; NULL: not compared. */
	const struct srcroute_live *srcroute_live;
	/* The renderer writes a NIC's routes and rule into its file. */
	int			 files_carry_routes;
};

struct plan_item {
	enum plan_action	action;
	enum nic_state		state;	/* now, or once the action succeeded */
	unsigned		drift;	/* DRIFT_* */
	int64_t			row_id;	/* -1: a managed NIC without a row */
	uint8_t			mac[MAC_LEN];
	int			mac_valid;
	char			mac_text[ROW_TEXT_MAX];
	int			slot;	/* -1: none */
	int			link_index;	/* 0: not on the node */
	struct nic_config	desired;
	/* Held by the planner or the applier: the check ("address"...). */
	char			field[PLAN_FIELD_MAX];
	char			reason[ROW_REASON_MAX];
};

struct plan {
	size_t			nitems;
	struct plan_item	items[PLAN_ITEMS_MAX];
	int			deletions_held;
};

void		 plan_compute(const struct plan_input *, struct plan_memory *,
		    struct plan *);
/* The outcome of executing an item: remembered for the next plan_compute. */
void		 plan_failed(struct plan_memory *, const struct plan_item *,
		    const struct nl_link *planned_on, time_t now,
		    uint32_t poll_interval_ms);
void		 plan_succeeded(struct plan_memory *, const struct plan_item *);
int		 plan_name_protected(const char *patterns, const char *name);
/*
 * Does a snapshot at now count toward deletions (half a poll interval after
 * the last that counted)? If so it becomes the last.
 */
int		 plan_snapshot_counts(struct plan_memory *, time_t now,
		    uint32_t poll_interval_ms);
/*
 * Would the same inputs give the same plan at any later time: no action,
 * no failure waiting for its retry, no absence being counted toward a
 * deletion, no deletion held?
 */
int		 plan_is_steady(const struct plan *, const struct plan_memory *);

#endif
