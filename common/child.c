/* SPDX-License-Identifier: ISC */
/* Start-up shared by the fetcher and the applier, both exec'd by the supervisor. */

#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "child.h"
#include "config.h"
#include "log.h"
#include "msg.h"

static __attribute__((noreturn)) void
child_usage(const char *proc)
{
	errx(2, "usage: multinicd-%s [-ds] (started by multinicd only)", proc);
}

void
child_init(int argc, char *argv[], const char *proc)
{
	enum log_dest	 dest = LOG_DEST_STDERR;
	int		 ch;
	struct stat	 sb;

	while ((ch = getopt(argc, argv, "ds")) != -1) {
		switch (ch) {
		case 'd':
			dest = LOG_DEST_STDERR;
			break;
		case 's':
			dest = LOG_DEST_PIPE;
			break;
		default:
			child_usage(proc);
		}
	}
	if (optind != argc)
		child_usage(proc);
	/* The level and format arrive with the configuration. */
	log_init(proc, dest, LOG_FORMAT_AUTO, LOG_LEVEL_INFO);

	/* A failed write to a closed peer must be an error, not a death. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal(SIGPIPE)");
	if (fstat(CHILD_FD_SUPERVISOR, &sb) == -1 || !S_ISSOCK(sb.st_mode) ||
	    fstat(CHILD_FD_PEER, &sb) == -1 || !S_ISSOCK(sb.st_mode))
		fatalx("descriptors %d and %d must be the supervisor's sockets;"
		    " run multinicd instead", CHILD_FD_SUPERVISOR, CHILD_FD_PEER);
}

void
child_set_title(const char *proc)
{
	/* libbsd: a leading '-' drops the "progname: " prefix. */
	setproctitle("-multinicd: %s", proc);
}
