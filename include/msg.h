/* SPDX-License-Identifier: ISC */
/*
 * The whole protocol between multinicd's three processes: every message type,
 * who sends it to whom, and its payload. Payloads are fixed-size structs
 * without pointers; the receiver checks the exact size for each type.
 */
#ifndef MULTINIC_MSG_H
#define MULTINIC_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <event2/buffer.h>

#include "config.h"

/* The fixed descriptors a child finds after the supervisor's execve. */
#define CHILD_FD_SUPERVISOR	3	/* channel to the supervisor */
#define CHILD_FD_PEER		4	/* channel to the other child */

enum msg_type {
	MSG_NONE,

	/* supervisor -> child: the configuration (again after SIGHUP). */
	MSG_CONFIG,			/* struct config */
	/* supervisor -> fetcher: the DB password, wiped after use. */
	MSG_DB_SECRET,			/* struct config_secret */
	/* supervisor -> fetcher: the listening sockets it opened as root. */
	MSG_HTTP_LISTENER,		/* fd, no payload */
	MSG_CONTROL_LISTENER,		/* fd, no payload */
	/* supervisor -> child: a new channel to a restarted peer. */
	MSG_PEER_CHANNEL,		/* fd, no payload */
	/*
	 * supervisor -> child: set-up is complete; sandbox and run. The
	 * applier reads nothing from the fetcher before it.
	 */
	MSG_START,			/* no payload */
	/* supervisor -> child: change the log level at run time. */
	MSG_LOG_LEVEL,			/* struct msg_log_level */

	/* child -> supervisor: sandbox in place, serving. */
	MSG_READY,			/* no payload */
	/* applier -> supervisor: the fetcher sent a malformed message. */
	MSG_PEER_MALFORMED,		/* no payload */
	/*
	 * applier -> supervisor: files changed; run APPLY_COMMAND (from the
	 * supervisor's own configuration: the message carries no arguments).
	 */
	MSG_APPLY_COMMAND,		/* no payload */

	/*
	 * fetcher -> applier: the desired state after a successful poll:
	 * begin, count rows, end. The applier acts only on a complete
	 * snapshot whose end matches its begin.
	 */
	MSG_SNAPSHOT_BEGIN,		/* struct msg_snapshot */
	MSG_SNAPSHOT_ROW,		/* struct msg_row */
	MSG_SNAPSHOT_END,		/* struct msg_snapshot */
	/*
	 * applier -> fetcher: after each complete snapshot, the outcome per
	 * row and per managed NIC without a row, then the end, which
	 * acknowledges the snapshot.
	 */
	MSG_RESULT,			/* struct msg_result */
	MSG_RESULTS_END,		/* struct msg_results_end */
	/* fetcher -> applier: the DB server's address, for the route check. */
	MSG_DB_ADDRESS,			/* struct msg_db_address */
	/* fetcher -> applier: multinicctl sync; acted on with the next snapshot. */
	MSG_SYNC,			/* struct msg_sync */
	/*
	 * fetcher -> supervisor: multinicctl reload (as SIGHUP). The header's
	 * peerid names the request; MSG_RELOAD_RESULT echoes it.
	 */
	MSG_RELOAD,			/* no payload */
	/* fetcher -> supervisor: multinicctl log; sent on to both children. */
	MSG_SET_LOG_LEVEL,		/* struct msg_log_level */
	/*
	 * supervisor -> fetcher: the outcome of a MSG_RELOAD, sent before a
	 * fetcher the reload restarts is stopped.
	 */
	MSG_RELOAD_RESULT,		/* struct msg_reload_result */

	/*
	 * applier -> fetcher: its sandbox, for status and metrics; sent once
	 * in place and again on every new channel.
	 */
	MSG_SANDBOX_STATE,		/* struct msg_sandbox_state */

	/*
	 * fetcher -> applier: a poll read the same rows as the snapshot the
	 * applier last acknowledged on this channel (same digest); they stand
	 * as a new generation. Sent only after that acknowledgement, so the
	 * applier always holds the rows it names. Answered like a snapshot,
	 * with RESULTS_UNCHANGED when nothing was done.
	 */
	MSG_SNAPSHOT_UNCHANGED,		/* struct msg_snapshot_unchanged */
	/*
	 * applier -> fetcher: a candidate NIC appeared whose MAC no row of
	 * the last snapshot names: poll at once, then fast for a while, so
	 * that a row written after the hot-plug is applied in about a second.
	 */
	MSG_POLL_REQUEST,		/* struct msg_poll_request */
	MSG_TYPE_MAX
};

struct msg_log_level {
	int32_t		level;		/* enum log_level */
};

#define RELOAD_MESSAGE_MAX	256	/* CONTROL_ERROR_MAX: a ctl reply */

struct msg_reload_result {
	int32_t		ok;		/* the new configuration runs */
	char		message[RELOAD_MESSAGE_MAX];	/* what happened, or why not */
};

struct msg_snapshot {
	uint64_t	generation;	/* increases with every snapshot */
	uint32_t	count;		/* rows between begin and end */
	/* 1: the node has more rows than these; delete nothing. 0 or 1. */
	uint32_t	incomplete;
};

#define SNAPSHOT_ROWS_MAX	64	/* rows for one node; 10 slots */
#define MAC_LEN			6
#define ROW_TEXT_MAX		64	/* a DB value as the row has it */
#define ROW_REASON_MAX		128

enum row_state {
	ROW_VALID,		/* every field passed validation */
	ROW_HELD,		/* rejected: its NIC is frozen, never changed */
};

/*
 * One row for this node. Text fields are NUL-terminated and printable; the
 * applier checks both before use, as it checks every other value.
 */
struct msg_row {
	int64_t		row_id;
	int32_t		state;		/* enum row_state */
	int32_t		mac_valid;	/* mac holds the parsed MAC */
	uint8_t		mac[MAC_LEN];
	uint8_t		prefix;		/* 0..32 when has_address */
	uint8_t		has_address;
	uint32_t	address;	/* IPv4, network byte order */
	uint32_t	mtu;
	char		mac_text[ROW_TEXT_MAX];	/* as in the row, made printable */
	char		field[16];	/* held: the offending column */
	char		reason[ROW_REASON_MAX];	/* held: why */
};

/* The states multinicctl and the health endpoint report. */
enum nic_state {
	NIC_APPLIED, NIC_PENDING, NIC_WAITING, NIC_FAILED, NIC_HELD,
	NIC_DELETING, NIC_STATE_COUNT
};

/*
 * What differed between desired, file and live state, and was repaired:
 * bit i of msg_result.drift is the kind drift_kind_name(i) names (state.h).
 */
#define DRIFT_FILE	0x01
#define DRIFT_NAME	0x02
#define DRIFT_MTU	0x04
#define DRIFT_ADDRESS	0x08
#define DRIFT_ADMIN	0x10
#define DRIFT_ROUTE	0x20	/* source routing: a NIC's rule or table */
#define DRIFT_KINDS	6

struct msg_result {
	int64_t		row_id;		/* -1: a managed NIC without a row */
	int32_t		state;		/* enum nic_state */
	uint32_t	drift;		/* DRIFT_* found and repaired */
	uint8_t		has_address;
	uint8_t		prefix;
	uint32_t	address;	/* IPv4, network byte order */
	uint32_t	mtu;
	int64_t		last_change;	/* time(3) of the last change; 0 never */
	/* Source routing: the NIC's table, 0 for none; its default route. */
	uint32_t	route_table;
	uint32_t	route_gateway;	/* IPv4, network byte order; 0 none */
	char		name[16];	/* multinicN, or "" before naming */
	char		mac_text[ROW_TEXT_MAX];
	/*
	 * Held by the applier, not by validation: the check that held it
	 * ("address", "cidr", "route"), counted as a rejected row; else "".
	 */
	char		field[16];
	char		reason[ROW_REASON_MAX];
};

/* Why the applier sends results. */
enum results_trigger {
	RESULTS_SNAPSHOT,	/* a snapshot's verdict, or an unchanged one's */
	RESULTS_UNCHANGED,	/* count 0: the last verdict stands */
	RESULTS_EVENT,		/* a kernel event made a cycle: same generation */
};

struct msg_results_end {
	uint64_t	generation;	/* the snapshot acknowledged */
	uint32_t	count;		/* results sent before this */
	uint32_t	deletions_held;	/* mass-deletion guard in force */
	uint32_t	trigger;	/* enum results_trigger */
};

struct msg_snapshot_unchanged {
	uint64_t	generation;	/* the new generation */
	uint64_t	previous;	/* the acknowledged one it repeats */
};

struct msg_poll_request {
	uint8_t		mac[MAC_LEN];
	uint8_t		pad[2];
};

struct msg_db_address {
	int32_t		family;		/* AF_INET, AF_INET6, or 0: unix socket */
	uint8_t		addr[16];
};

struct msg_sync {
	uint32_t	allow_delete;	/* release held deletions once */
};

#define SANDBOX_REASON_MAX	96
struct msg_sandbox_state {
	int32_t		landlock;	/* enum sandbox_landlock_state */
	char		reason[SANDBOX_REASON_MAX];	/* why unavailable */
};

enum sandbox_landlock_state {
	SANDBOX_LANDLOCK_UNKNOWN,	/* not reported yet */
	SANDBOX_LANDLOCK_ENFORCED,
	SANDBOX_LANDLOCK_UNAVAILABLE,	/* refused by the kernel or a filter */
};

struct msg_hdr {
	uint32_t	type;		/* enum msg_type */
	uint32_t	len;		/* payload bytes after the header */
	uint32_t	peerid;		/* request id for replies, else 0 */
	uint32_t	pid;		/* sender's pid */
};

#define MSG_HDR_SIZE		sizeof(struct msg_hdr)
#define MSG_MAX_PAYLOAD		16384
#define MSG_MAX_FDS		8	/* descriptors queued unclaimed */

struct msg {
	struct msg_hdr	 hdr;
	const void	*data;		/* hdr.len bytes, valid during dispatch */
	int		 fd;		/* -1 unless the type carries one */
};

struct msgchan;

/* Called once per complete message; the payload is freed on return. */
typedef void (*msg_dispatch_fn)(struct msgchan *, struct msg *, void *arg);
/* Called once when the peer closes, errs or breaks the framing. */
typedef void (*msg_closed_fn)(struct msgchan *, int malformed, void *arg);

struct msgchan {
	int		 fd;
	const char	*peer;		/* peer's name, for log lines */
	int		 accept_fds;	/* a channel from a less trusted peer refuses them */
	struct event	*ev_read;
	struct event	*ev_write;
	struct evbuffer	*in;
	struct evbuffer	*out;
	int		 fds_in[MSG_MAX_FDS];
	size_t		 nfds_in;
	struct msg_outfd *outfds;	/* descriptors waiting to be sent */
	msg_dispatch_fn	 dispatch;
	msg_closed_fn	 closed;
	void		*arg;
};

/* Sets fd non-blocking and starts reading. Returns -1 on failure. */
int	msgchan_open(struct msgchan *, struct event_base *, int fd,
	    const char *peer, int accept_fds, msg_dispatch_fn, msg_closed_fn,
	    void *arg);
/* Stops events, closes fd and any queued descriptors. */
void	msgchan_close(struct msgchan *);
int	msgchan_is_open(const struct msgchan *);

/*
 * Queues one message; fd (or -1) is sent with it and closed here once sent.
 * Returns -1 if len exceeds MSG_MAX_PAYLOAD or memory is short.
 */
int	msg_compose(struct msgchan *, uint32_t type, uint32_t peerid, int fd,
	    const void *data, size_t len);
/* Writes what is queued, blocking; for the last words before exit. */
int	msgchan_flush(struct msgchan *);
/*
 * Reads and dispatches what the peer has sent already, without waiting:
 * a process about to exit takes its last messages.
 */
void	msgchan_drain(struct msgchan *);

/*
 * Takes one message from a buffer of received bytes.
 * Returns 1 and fills m (m->data points into a copy the caller frees with
 * msg_free()), 0 when more bytes are needed, -1 when the framing is broken
 * (payload larger than MSG_MAX_PAYLOAD, unknown type).
 */
int	msg_get(struct evbuffer *in, struct msg *m);
void	msg_free(struct msg *);

/*
 * Copies the payload into a typed struct after checking its exact size.
 * Returns -1 (and logs naming peer and type) on a size mismatch.
 */
int	msg_payload(const struct msgchan *, const struct msg *, void *dst,
	    size_t size);
/* A message type that must arrive without payload. */
int	msg_payload_empty(const struct msgchan *, const struct msg *);
/* Does this type carry a descriptor? */
int	msg_type_has_fd(uint32_t type);
const char	*msg_type_name(uint32_t type);

#endif
