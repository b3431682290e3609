/* SPDX-License-Identifier: ISC */
/*
 * Writes a well-formed stream from the fetcher (DB address, sync, then a
 * snapshot: begin, rows, end; then the same rows unchanged) to stdout, the
 * seed from which fuzz_snapshot mutates: built with the real structs and
 * validate_row(), so it follows the protocol as it changes. Its first byte
 * is the harness's: how much arrives before MSG_START (here into the first
 * row).
 */

#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "validate.h"

#define BEFORE_START	10	/* fuzz_snapshot.c: 32 bytes each */

static void
frame(uint32_t type, const void *payload, size_t len)
{
	struct msg_hdr	hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.type = type;
	hdr.len = (uint32_t)len;
	fwrite(&hdr, sizeof(hdr), 1, stdout);
	fwrite(payload, len, 1, stdout);
}

int
main(void)
{
	static const struct db_row	in[] = {
		{ 1, "fa:16:3e:00:00:01", "10.0.0.5", "10.0.0.0/24", "1500" },
		{ 2, "fa:00:00:00:00:02", NULL, NULL, "9000" },
		{ 3, "fa:16:3e:00:00:03", "10.0.0.6", "10.0.0.0/24", "20" },
		{ 4, "00:00:00:00:00:00", "10.0.0.7", "10.0.0.0/24", NULL },
	};
	struct msg_row		rows[sizeof(in) / sizeof(in[0])];
	struct msg_snapshot	bounds = { 1, sizeof(in) / sizeof(in[0]), 0 };
	struct msg_db_address	db = { AF_INET, { 192, 0, 2, 1 } };
	struct msg_sync		sync = { 1 };
	struct msg_snapshot_unchanged unchanged = { 2, 1 };
	size_t			i;

	for (i = 0; i < bounds.count; i++)
		validate_row(&in[i], &rows[i]);
	validate_duplicates(rows, bounds.count);
	putchar(BEFORE_START);
	frame(MSG_DB_ADDRESS, &db, sizeof(db));
	frame(MSG_SYNC, &sync, sizeof(sync));
	frame(MSG_SNAPSHOT_BEGIN, &bounds, sizeof(bounds));
	for (i = 0; i < bounds.count; i++)
		frame(MSG_SNAPSHOT_ROW, &rows[i], sizeof(rows[i]));
	frame(MSG_SNAPSHOT_END, &bounds, sizeof(bounds));
	frame(MSG_SNAPSHOT_UNCHANGED, &unchanged, sizeof(unchanged));
	return ferror(stdout) ? 1 : 0;
}
