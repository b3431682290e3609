/* SPDX-License-Identifier: ISC */
/*
 * Sends the desired state to the applier: a snapshot (begin, the rows, end),
 * or, when a poll read what the applier last acknowledged, a short
 * "unchanged". Sent only after a successful poll, so an error never reads as
 * an empty desired state.
 */

#include <string.h>

#include "fetcher.h"
#include "log.h"

#define FNV64_OFFSET	0xcbf29ce484222325ULL
#define FNV64_PRIME	0x100000001b3ULL

static uint64_t
fnv1a(uint64_t hash, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 i;

	for (i = 0; i < len; i++) {
		hash ^= p[i];
		hash *= FNV64_PRIME;
	}
	return hash;
}

/*
 * 64-bit FNV-1a over the count, the incomplete flag and the rows' bytes
 * (validate_row() zeroes each row first, so equal rows are equal bytes).
 * A digest is only ever compared with the one of the snapshot the applier
 * acknowledged last: an accidental match of two different snapshots has a
 * chance of 2^-64 per poll, and costs at most one missed change until the
 * next change or multinicctl sync. FNV is not collision-resistant, but a
 * collision only helps whoever writes the rows, who sets the desired state
 * anyway; SipHash's key would buy nothing here, and FNV needs no code or
 * library beyond these lines.
 */
uint64_t
snapshot_digest(int incomplete, const struct msg_row *rows, size_t nrows)
{
	uint32_t	head[2] = { (uint32_t)nrows, incomplete != 0 };

	return fnv1a(fnv1a(FNV64_OFFSET, head, sizeof(head)), rows,
	    nrows * sizeof(rows[0]));
}

/*
 * Unchanged only when the applier holds exactly these rows: it acknowledged
 * the last thing we sent on this channel, and that had the same digest.
 */
int
snapshot_is_unchanged(const struct snapshot_ack *ack, uint64_t digest,
    int force_full)
{
	return !force_full && ack->acked && !ack->outstanding &&
	    ack->acked_digest == digest;
}

void
snapshot_sent(struct snapshot_ack *ack, uint64_t generation, uint64_t digest)
{
	ack->sent_generation = generation;
	ack->sent_digest = digest;
	ack->outstanding = 1;
}

/* An acknowledgement of anything but the last sent leaves it outstanding. */
void
snapshot_acked(struct snapshot_ack *ack, uint64_t generation)
{
	if (!ack->outstanding || generation != ack->sent_generation)
		return;
	ack->acked = 1;
	ack->acked_generation = generation;
	ack->acked_digest = ack->sent_digest;
	ack->outstanding = 0;
}

/* A new applier channel: the applier behind it holds nothing of ours. */
void
snapshot_forget(struct snapshot_ack *ack)
{
	memset(ack, 0, sizeof(*ack));
}

void
snapshot_send(struct msgchan *applier, uint64_t generation, int incomplete,
    const struct msg_row *rows, size_t nrows)
{
	struct msg_snapshot	bounds = { generation, (uint32_t)nrows,
				    incomplete != 0 };
	size_t			i;

	if (!msgchan_is_open(applier)) {
		log_debug("snapshot %llu not sent: no applier channel",
		    (unsigned long long)generation);
		return;
	}
	if (msg_compose(applier, MSG_SNAPSHOT_BEGIN, 0, -1, &bounds,
	    sizeof(bounds)) == -1)
		fatal("cannot queue a snapshot");
	for (i = 0; i < nrows; i++)
		if (msg_compose(applier, MSG_SNAPSHOT_ROW, 0, -1, &rows[i],
		    sizeof(rows[i])) == -1)
			fatal("cannot queue a snapshot row");
	if (msg_compose(applier, MSG_SNAPSHOT_END, 0, -1, &bounds,
	    sizeof(bounds)) == -1)
		fatal("cannot queue a snapshot");
	log_debug("snapshot %llu sent: %zu rows",
	    (unsigned long long)generation, nrows);
}

/* The rows of generation stand as they were in the acknowledged one. */
void
snapshot_send_unchanged(struct msgchan *applier, uint64_t generation,
    uint64_t previous)
{
	struct msg_snapshot_unchanged	unchanged = { generation, previous };

	if (!msgchan_is_open(applier)) {
		log_debug("snapshot %llu not sent: no applier channel",
		    (unsigned long long)generation);
		return;
	}
	if (msg_compose(applier, MSG_SNAPSHOT_UNCHANGED, 0, -1, &unchanged,
	    sizeof(unchanged)) == -1)
		fatal("cannot queue an unchanged snapshot");
	log_debug("snapshot %llu sent: unchanged since %llu",
	    (unsigned long long)generation, (unsigned long long)previous);
}
