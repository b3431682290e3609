/* SPDX-License-Identifier: ISC */
/* The applier's state, shared by its files. */
#ifndef MULTINIC_APPLIER_H
#define MULTINIC_APPLIER_H

#include <time.h>

#include "apply.h"
#include "config.h"
#include "msg.h"
#include "names.h"
#include "journal.h"
#include "plan.h"

/* A snapshot being received, then the last complete one. */
struct snapshot {
	int		receiving;
	uint64_t	generation;
	uint32_t	expected;
	int		incomplete;	/* msg_snapshot.incomplete */
	size_t		nrows;
	struct msg_row	rows[SNAPSHOT_ROWS_MAX];
};

/* A dry run's planned action, so that each is logged once. */
struct dry_run_action {
	uint8_t			mac[MAC_LEN];
	enum plan_action	action;
	unsigned		drift;
	struct nic_config	desired;
};

/* A row's refusal as last reported, so that each is logged once. */
struct refusal {
	int64_t		row_id;
	char		reason[ROW_REASON_MAX];
};

struct applier {
	struct event_base	*base;
	struct msgchan		 supervisor;
	struct msgchan		 fetcher;
	int			 fetcher_unread;	/* its channel before start */
	struct config		 conf;
	int			 have_config;
	int			 started;
	struct snapshot		 snapshot;
	int			 allow_delete_pending;	/* from sync --allow-delete */
	int			 retry_pending;		/* from any sync */
	struct apply_context	 apply;
	struct names		 names;
	struct plan_memory	 memory;
	time_t			 hold_logged;	/* held_since last warned of */
	struct plan		 plan;
	int			 planned;	/* plan is a cycle's, not inventory */
	char			 boot_id[BOOT_ID_MAX];
	struct {
		uint8_t		mac[MAC_LEN];
		time_t		when;
	}			 last_change[PLAN_ITEMS_MAX];
	size_t			 nlast_change;
	struct refusal		 refusals[PLAN_ITEMS_MAX];
	size_t			 nrefusals;
	/* DRY_RUN: the last cycle's actions (logged), and this cycle's. */
	struct dry_run_action	 dry_logged[PLAN_ITEMS_MAX];
	size_t			 ndry_logged;
	struct dry_run_action	 dry_now[PLAN_ITEMS_MAX];
	size_t			 ndry_now;
	struct msg_sandbox_state sandbox;	/* reported to the fetcher */
};

/* applier.c */
int	applier_main(int argc, char *argv[]);

/* peer.c */
void	peer_init(struct applier *);
/* A new channel to the fetcher, read only once started. */
void	peer_channel(struct applier *, int fd);
void	peer_start(struct applier *);
void	applier_dispatch_fetcher(struct msgchan *, struct msg *, void *);

/* snapshot.c */
int	snapshot_begin(struct snapshot *, const struct msg_snapshot *,
	    const char **why);
int	snapshot_row(struct snapshot *, const struct msg_row *,
	    const char **why);
int	snapshot_end(struct snapshot *, const struct msg_snapshot *,
	    const char **why);
void	snapshot_log(const struct snapshot *);

/* adopt.c: the earlier agent's files, on a first start. */
void	adopt_existing(struct applier *);

/* cycle.c */
void	cycle_init(struct applier *);
void	cycle_run(struct applier *);
void	cycle_report(struct applier *);

/* sandbox.c */
void	applier_sandbox(const struct config *, struct msg_sandbox_state *);
/* The syscall filter alone (applier_sandbox() ends with it). */
void	applier_sandbox_filter(void);

#endif
