/* SPDX-License-Identifier: ISC */
/*
 * What the fetcher and the applier share as children of the supervisor:
 * their command line, their logging set-up and their process title.
 */
#ifndef MULTINIC_CHILD_H
#define MULTINIC_CHILD_H

/*
 * Parses the flags the supervisor passes (-d: log to stderr, -s: log to the
 * supervisor's pipe for syslog), starts logging as proc,
 * ignores SIGPIPE and checks the inherited channel descriptors exist.
 */
void	child_init(int argc, char *argv[], const char *proc);
/* "multinicd: <proc>", set once the sandbox is in place. */
void	child_set_title(const char *proc);

#endif
