/* SPDX-License-Identifier: ISC */
/* The applier's state, shared by its files. */
#ifndef MULTINIC_APPLIER_H
#define MULTINIC_APPLIER_H

#include <sys/inotify.h>
#include <sys/types.h>

#include <time.h>

#include <libmnl/libmnl.h>

#include "apply.h"
#include "config.h"
#include "fight.h"
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

/* What the last cycle planned for a MAC: the kernel's events are judged by it. */
struct event_watch {
	uint8_t			mac[MAC_LEN];
	int			index;		/* its live link; 0: none */
	enum nic_state		state;
	struct nic_config	desired;
};

/*
 * The last cycle's plan and guard, as events_classify() needs them. An
 * event matters when it may make a cycle plan something else: it concerns
 * a watched MAC or link and differs from what was desired, or moves a
 * route the guard watches.
 */
struct event_view {
	int			ready;	/* a complete snapshot was planned */
	int			links_untouched;	/* APPLY_MODE=files */
	struct event_watch	watch[PLAN_ITEMS_MAX];
	size_t			nwatch;
	int			protected_links[NL_DEFAULT_ROUTES_MAX + 1];
	size_t			nprotected;
	const char		*protected_patterns;
	uint32_t		critical[APPLY_CRITICAL_MAX];	/* IPv4 */
	size_t			ncritical;
	int			db_family;	/* 0: none */
	uint8_t			db_address[16];
	/* SOURCE_ROUTING's first table; 0: off (3.14 of the architecture). */
	uint32_t		srcroute_base;
};

enum event_verdict {
	EVENT_IGNORE,		/* nothing a cycle would do differently */
	EVENT_RECONCILE,	/* run a cycle on the last snapshot */
	EVENT_NEW_NIC,		/* a candidate NIC no row names: ask for a poll */
};

#define EVENTS_REQUESTED_MAX	32

/* The rtnetlink event socket (events.c). */
struct events {
	struct mnl_socket	*sock;
	struct event		*ev_read;
	int			 overrun;	/* events lost; no resync yet */
	struct event_view	 view;
	/* Links a poll was asked for, by index: once per appearance. */
	int			 requested[EVENTS_REQUESTED_MAX];
	size_t			 nrequested;
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
	/* A managed file changed since the last cycle read them, or may have. */
	int			 files_dirty;
	/* The configuration or the DB address changed since the last cycle. */
	int			 replan;
	struct watch		 watch;
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
	struct events		 events;
	/*
	 * 1 while the live state may differ from what the last cycle read:
	 * at start, after an event that matters or an overrun of the event
	 * socket, and after a cycle that acted (its own changes are not
	 * what it read). 0 after a cycle read the live state fresh, with the
	 * event socket healthy, and acted on nothing: until an event says
	 * otherwise, a new read would find the same.
	 */
	int			 live_dirty;
	struct event		*cycle_timer;	/* cycle_soon()'s debounce */
	const char		*cycle_why;	/* what armed it first */
	struct fights		 fights;
	struct event		*fight_timer;	/* a deferred repair is due */
	uint64_t		 fight_due_ms;	/* when it is armed for; 0: not */
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
 * The cycle of the last complete snapshot, for trigger RESULTS_SNAPSHOT
 * (every row reported) or RESULTS_UNCHANGED (a count of 0 when the plan is
 * steady and as last reported, else every row).
 */
void	cycle_run(struct applier *, enum results_trigger);
void	cycle_report(struct applier *);
/*
 * A cycle on the last complete snapshot, with the live state read fresh,
 * in a few milliseconds: a burst of causes makes one cycle.
 */
void	cycle_soon(struct applier *, const char *why);

/* events.c: rtnetlink events of links, IPv4 addresses and routes. */
void	events_open(struct applier *);
/* After a cycle: what the next events are judged by. */
void	events_watch(struct applier *);
/*
 * A cycle has read the live state: 1 when nothing was lost before that
 * read (the socket is open and did not overrun), and an overrun episode
 * ends here.
 */
int	events_synced(struct applier *);
enum event_verdict events_classify(const struct event_view *,
	    const struct nlmsghdr *, struct nl_link *link);

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
