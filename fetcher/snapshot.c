/* SPDX-License-Identifier: ISC */
/*
 * Sends the desired state to the applier as one snapshot: begin, the rows,
 * end. Sent only after a successful poll, so an error never reads as an
 * empty desired state.
 */

#include "fetcher.h"
#include "log.h"

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
