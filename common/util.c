/* SPDX-License-Identifier: ISC */
/* Small helpers shared by the processes. */

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "util.h"

int
mkdir_p(const char *dir, mode_t mode)
{
	char	path[PATH_MAX], *p;

	if (strlcpy(path, dir, sizeof(path)) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
errorf(char *buf, size_t len, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -1;
}

void
format_duration(unsigned long s, char *buf, size_t len)
{
	if (s >= 3600)
		snprintf(buf, len, "%luh%lum%lus", s / 3600, s / 60 % 60,
		    s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%lum%lus", s / 60, s % 60);
	else
		snprintf(buf, len, "%lus", s);
}

/*
 * A socket bufferevent's output cannot be written, drained or even copied
 * from outside (libevent freezes its start), but it can be looked at: each
 * extent of it is written to the descriptor directly, in order.
 */
int
flush_bufferevent(struct bufferevent *bev, int timeout_ms)
{
	struct evbuffer		*out = bufferevent_get_output(bev);
	struct evbuffer_ptr	 pos;
	struct evbuffer_iovec	 extent;
	struct pollfd		 pfd = { .fd = bufferevent_getfd(bev),
				    .events = POLLOUT };
	size_t			 done;
	ssize_t			 sent;

	if (evbuffer_ptr_set(out, &pos, 0, EVBUFFER_PTR_SET) == -1)
		return -1;
	while (evbuffer_peek(out, -1, &pos, &extent, 1) > 0 &&
	    extent.iov_len > 0) {
		for (done = 0; done < extent.iov_len; done += (size_t)sent) {
			if (poll(&pfd, 1, timeout_ms) != 1)
				return -1;
			sent = send(pfd.fd, (char *)extent.iov_base + done,
			    extent.iov_len - done, MSG_NOSIGNAL);
			if (sent == -1 && errno == EINTR)
				sent = 0;
			else if (sent == -1)
				return -1;
		}
		if (evbuffer_ptr_set(out, &pos, extent.iov_len,
		    EVBUFFER_PTR_ADD) == -1)
			return -1;
	}
	return 0;
}
