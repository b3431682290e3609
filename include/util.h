/* SPDX-License-Identifier: ISC */
/* Small helpers shared by the processes. */
#ifndef MULTINIC_UTIL_H
#define MULTINIC_UTIL_H

#include <sys/types.h>

#include <stddef.h>

/* Creates dir and its missing parents with mode; -1 with errno on failure. */
int	mkdir_p(const char *dir, mode_t mode);
/* Formats a reason into buf and returns -1, for error paths that explain. */
int	errorf(char *buf, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Seconds as "3h25m10s", "4m2s" or "7s". */
void	format_duration(unsigned long seconds, char *buf, size_t len);

struct bufferevent;
/*
 * Writes what a socket bufferevent still has queued, now, waiting up to
 * timeout_ms for each chunk to go: for a process about to exit, whose loop
 * will not run again. The queue itself is left as it was. -1 if not all of
 * it could be written.
 */
int	flush_bufferevent(struct bufferevent *, int timeout_ms);

#endif
