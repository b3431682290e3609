/* SPDX-License-Identifier: ISC */
/*
 * Stand-ins for supervisor/supervisor.c at link time, for the unit tests of
 * proc.c and reload.c: the real file holds main(). They record what they
 * were asked; the configuration "loaded" is the one a test prepared.
 */
#ifndef MULTINIC_TEST_SUPERVISOR_STUBS_H
#define MULTINIC_TEST_SUPERVISOR_STUBS_H

#include <string.h>

#include "../../supervisor/supervisor.h"

static struct {
	int		shutdowns;
	int		status;
	int		load_fails;	/* the next load reports an error */
	struct config	next;		/* the next load's result */
} stub;

void
supervisor_shutdown(struct supervisor *sv, int status)
{
	sv->stopping = 1;
	stub.shutdowns++;
	stub.status = status;
}

int
supervisor_load_config(struct supervisor *sv, struct config *conf,
    struct config_secret *secret, struct load_report *report,
    uid_t *privsep_uid, gid_t *privsep_gid, struct config_sources *sources)
{
	(void)sv;
	(void)sources;
	memset(secret, 0, sizeof(*secret));
	*privsep_uid = 0;
	*privsep_gid = 0;
	if (stub.load_fails) {
		report->errors = 1;
		strlcpy(report->first_error, "test.conf:3: bad value",
		    sizeof(report->first_error));
		return -1;
	}
	*conf = stub.next;
	return 0;
}

#endif
