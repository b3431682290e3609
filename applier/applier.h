/* SPDX-License-Identifier: ISC */
/* The applier's state, shared by its files. */
#ifndef MULTINIC_APPLIER_H
#define MULTINIC_APPLIER_H

#include <sys/inotify.h>
#include <sys/types.h>

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
	int		complete;	/* rows hold a whole snapshot */
	uint64_t	generation;
	/*
	 * The generation of these rows the applier acknowledged on this
	 * channel (MSG_RESULTS_END); 0: none. What an unchanged snapshot
	 * must name as its previous one.
	 */
	uint64_t	acknowledged;
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

/* What the watch asks of inotify; the syscall filter allows only that. */
#define WATCH_INOTIFY_FLAGS	(IN_NONBLOCK | IN_CLOEXEC)
#define WATCH_INOTIFY_MASK	(IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | \
				    IN_CREATE | IN_DELETE | IN_MOVED_FROM | \
				    IN_MOVED_TO | IN_DELETE_SELF | \
				    IN_MOVE_SELF | IN_ONLYDIR)

/* What identifies a file's content without reading it. */
struct watch_fingerprint {
	int		exists;
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	struct timespec	mtim;
	struct timespec	ctim;
};

/* A slot's file as last read. */
struct watch_file {
	int			 valid;
	struct watch_fingerprint fp;	/* when read */
	int			 rc;	/* render_read_file()'s: 0, -1, -2 */
	int			 ours;
	struct nic_config	 nic;
};

/*
 * The managed files, watched by inotify where it serves, else checked by
 * their fingerprints each cycle; and the udev rules as last written.
 */
struct watch {
	int			 fd;	/* inotify; -1: fingerprints */
	int			 wd_config;	/* the renderer's directory */
	int			 wd_udev;	/* the udev rules' one; -1: none */
	struct event		*ev;
	struct watch_file	 files[PLAN_SLOTS];
	/* The udev rules file is what these made of it, as fingerprinted. */
	int			 udev_valid;
	struct watch_fingerprint udev_fp;
	uint8_t			 udev_macs[NAMES_MAX][MAC_LEN];
	int			 udev_slots[NAMES_MAX];
	size_t			 udev_count;
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
	/*
	 * The live links and routes may differ from what the last cycle
	 * read: 1 from the start; only rtnetlink events can clear it.
	 */
	int			 live_dirty;
	/* A managed file changed since the last cycle read them, or may have. */
	int			 files_dirty;
	/* The configuration or the DB address changed since the last cycle. */
	int			 replan;
	struct watch		 watch;
	struct event		*ev_soon;	/* cycle_soon()'s debounce */
	struct plan		 reported;	/* the plan last sent, for events */
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
/* After count results: the end, which acknowledges generation if not 0. */
void	peer_results_end(struct applier *, uint64_t generation, uint32_t count,
	    enum results_trigger);

/* snapshot.c */
int	snapshot_begin(struct snapshot *, const struct msg_snapshot *,
	    const char **why);
int	snapshot_row(struct snapshot *, const struct msg_row *,
	    const char **why);
int	snapshot_end(struct snapshot *, const struct msg_snapshot *,
	    const char **why);
/* Returns 1 when the rows stand as the new generation, -1 with why. */
int	snapshot_unchanged(struct snapshot *,
	    const struct msg_snapshot_unchanged *, const char **why);
void	snapshot_log(const struct snapshot *);

/* adopt.c: the earlier agent's files, on a first start. */
void	adopt_existing(struct applier *);

/* cycle.c */
void	cycle_init(struct applier *);
/*
 * A cycle on the last complete snapshot, for trigger: RESULTS_SNAPSHOT
 * reports every row; RESULTS_UNCHANGED answers a count of 0 when the plan
 * is steady and reports what it did otherwise; RESULTS_EVENT sends nothing
 * when there was nothing to do.
 */
void	cycle_run(struct applier *, enum results_trigger);
void	cycle_report(struct applier *);
/* The last snapshot's cycle again, shortly: something on the node changed. */
void	cycle_soon(struct applier *, const char *why);

/* watch.c: the managed files, read again only when they change. */
void	watch_init(struct applier *);
/* m's file part, from the cache or read afresh. */
void	watch_managed_file(struct applier *, struct managed_nic *m);
/* After our own writes: the files as they are now are ours. */
void	watch_sync(struct applier *);
/* The udev rules for the name map, written unless known to be so already. */
void	watch_udev_rules(struct applier *);

/* sandbox.c */
void	applier_sandbox(const struct config *, struct msg_sandbox_state *);
/* The syscall filter alone (applier_sandbox() ends with it). */
void	applier_sandbox_filter(void);

#endif
