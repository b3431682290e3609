/* SPDX-License-Identifier: ISC */
/* The fetcher's state, shared by its files. */
#ifndef MULTINIC_FETCHER_H
#define MULTINIC_FETCHER_H

#include <time.h>

#include "backoff.h"
#include "config.h"
#include "hotplug.h"
#include "msg.h"

struct control;
struct db;
struct http;
struct metrics;

/* NODE_NAME, or the host name and its short form. */
#define NODE_NAMES_MAX	2

/* What status and health show about the last polls. */
struct poll_state {
	int		db_connected;
	time_t		last_sync;		/* 0: never */
	char		last_error[256];
	uint64_t	polls;			/* finished, failed ones too */
	uint64_t	generation;		/* of the last snapshot sent */
	int		incomplete;		/* more rows than it holds */
	char		names_tried[2 * CONFIG_NAME_MAX + 8];	/* this poll's */
	char		no_rows_for[2 * CONFIG_NAME_MAX + 8];	/* "": rows */
	size_t		nrows;
	struct msg_row	rows[SNAPSHOT_ROWS_MAX];	/* last validated */
	int		stored_success[SNAPSHOT_ROWS_MAX]; /* netplan_success in the DB */
};

#define RESULTS_MAX	(SNAPSHOT_ROWS_MAX + 10)	/* rows + managed NICs */

/* The applier's verdict on the last snapshot it acknowledged. */
struct results {
	uint64_t		acked_generation;	/* 0: none yet */
	int			deletions_held;
	int			writeback_failing; /* logged; quiet until one works */
	size_t			count;
	struct msg_result	items[RESULTS_MAX];
	size_t			receiving;	/* results of the next verdict */
	struct msg_result	incoming[RESULTS_MAX];
};

/*
 * What the applier holds of ours on the current channel, so that a poll
 * that read the same rows sends "unchanged" instead of the rows.
 */
struct snapshot_ack {
	uint64_t	sent_generation;	/* the last sent, full or not */
	uint64_t	sent_digest;
	int		outstanding;		/* sent, not acknowledged yet */
	int		acked;			/* acked_* are meaningful */
	uint64_t	acked_generation;
	uint64_t	acked_digest;
};

struct fetcher {
	struct event_base	*base;
	struct msgchan		 supervisor;
	struct msgchan		 applier;
	struct config		 conf;
	struct config_secret	 secret;
	int			 have_config;
	int			 started;
	double			 start_time;	/* CLOCK_MONOTONIC, for uptime */
	int			 control_fd;	/* listening, from the supervisor */
	int			 http_fd;	/* listening, or -1 */
	struct db		*db;
	struct http		*http;
	struct control		*control;
	struct metrics		*metrics;
	struct backoff		 backoff;
	struct event		*poll_ev;
	int			 polling;
	int			 poll_queued;	/* sync asked for during a poll */
	int			 poll_full;	/* the next snapshot is sent whole */
	struct poll_state	 poll;
	/*
	 * The names this node polls for: read at start, on reload and after
	 * a reconnect, not on every poll (a host name seldom changes).
	 */
	char			 node_names[NODE_NAMES_MAX][CONFIG_NAME_MAX];
	size_t			 nnode_names;
	uint64_t		 names_connection; /* db_connections() then */
	double			 next_poll_at;	/* CLOCK_MONOTONIC seconds */
	double			 last_poll_start;
	int			 poll_hotplug;	/* the timer set is a fast poll */
	uint64_t		 delay_random;	/* delay_random()'s state */
	struct hotplug		 hotplug;
	struct results		 results;
	struct snapshot_ack	 ack;
	struct msg_db_address	 db_address_sent;
	struct msg_sandbox_state sandbox;		/* ours */
	struct msg_sandbox_state applier_sandbox;	/* as it reported */
};

/* fetcher.c */
int	fetcher_main(int argc, char *argv[]);

/* control.c: after the sandbox is in place; NULL when out of memory. */
struct control	*control_new(struct fetcher *);
/*
 * Accepts on fd from now on, or on nothing when fd is -1. The previous
 * socket is let go of but not closed: the caller closes it afterwards.
 * Clients already connected are served to their end.
 */
void	control_listen(struct control *, int fd);
/* The supervisor's answer to the reload request it names. */
void	control_reload_done(struct control *, uint32_t request,
	    const struct msg_reload_result *);
/* Writes the replies already made, waiting a little for each; for exit. */
void	control_flush(struct control *);

/* poll.c */
void	poll_init(struct fetcher *);
void	poll_reconfigure(struct fetcher *);
void	poll_now(struct fetcher *);
/* multinicctl sync: poll now and send the whole snapshot, whatever it holds. */
void	poll_sync(struct fetcher *);
/* The applier saw a NIC whose MAC no row names (MSG_POLL_REQUEST). */
int	poll_request_valid(const struct msg_poll_request *);
void	poll_hotplug_request(struct fetcher *, const uint8_t mac[MAC_LEN]);

/* results.c */
void	results_add(struct fetcher *, const struct msg_result *);
void	results_end(struct fetcher *, const struct msg_results_end *);

/* snapshot.c */
void	snapshot_send(struct msgchan *, uint64_t generation, int incomplete,
	    const struct msg_row *, size_t);
void	snapshot_send_unchanged(struct msgchan *, uint64_t generation,
	    uint64_t previous);
uint64_t snapshot_digest(int incomplete, const struct msg_row *, size_t);
int	snapshot_is_unchanged(const struct snapshot_ack *, uint64_t digest,
	    int force_full);
void	snapshot_sent(struct snapshot_ack *, uint64_t generation,
	    uint64_t digest);
void	snapshot_acked(struct snapshot_ack *, uint64_t generation);
void	snapshot_forget(struct snapshot_ack *);

/* sandbox.c: user, no_new_privs and Landlock, then the syscall filter. */
void	fetcher_sandbox_drop(const struct config *, struct msg_sandbox_state *);
void	fetcher_sandbox_filter(void);

#endif
