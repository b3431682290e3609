/* SPDX-License-Identifier: ISC */
/*
 * A daemonized supervisor's children write "<priority>line" to a pipe; the
 * supervisor forwards each line to syslog. The applier has no sockets, so it
 * cannot reach /dev/log itself.
 */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "log.h"
#include "supervisor.h"

#define CHILDLOG_LINE_MAX	8192

static void
forward_line(const struct child *c, char *line)
{
	const char	*errstr = NULL;
	char		*end;
	int		 prio = LOG_WARNING;

	if (line[0] == '<' && (end = strchr(line, '>')) != NULL) {
		*end = '\0';
		prio = strtonum(line + 1, 0, LOG_DEBUG, &errstr);
		if (errstr != NULL)
			prio = LOG_WARNING;
		line = end + 1;
	}
	syslog(prio, "%s: %s", c->name, line);
}

/* Forwards up to max bytes that end no line as one line of their own. */
static void
forward_partial(const struct child *c, struct evbuffer *in, size_t max)
{
	char	line[CHILDLOG_LINE_MAX + 1];
	size_t	len = evbuffer_get_length(in);

	if (len == 0)
		return;
	if (len > max)
		len = max;
	if (evbuffer_remove(in, line, len) != (int)len)
		return;
	line[len] = '\0';
	forward_line(c, line);
}

static void
childlog_read(struct bufferevent *bev, void *arg)
{
	struct child	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	char		*line;
	size_t		 len;

	for (;;) {
		while ((line = evbuffer_readln(in, &len,
		    EVBUFFER_EOL_LF)) != NULL) {
			forward_line(c, line);
			free(line);
		}
		/* A runaway line is cut rather than buffered without bound. */
		if (evbuffer_get_length(in) <= CHILDLOG_LINE_MAX)
			break;
		forward_partial(c, in, CHILDLOG_LINE_MAX);
	}
}

static void
childlog_event(struct bufferevent *bev, short events, void *arg)
{
	(void)bev;
	(void)events;
	childlog_close(arg);
}

int
childlog_pipe(struct supervisor *sv, struct child *c, int *write_end)
{
	int	fds[2];

	/* Normally gone at the dead predecessor's end of file. */
	childlog_close(c);
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	c->log_bev = bufferevent_socket_new(sv->base, fds[0],
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->log_bev == NULL) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	bufferevent_setcb(c->log_bev, childlog_read, NULL, childlog_event, c);
	bufferevent_enable(c->log_bev, EV_READ);
	*write_end = fds[1];
	return 0;
}

void
childlog_close(struct child *c)
{
	if (c->log_bev == NULL)
		return;
	childlog_read(c->log_bev, c);
	/* A child that died mid-line: its last words are kept too. */
	forward_partial(c, bufferevent_get_input(c->log_bev),
	    CHILDLOG_LINE_MAX);
	bufferevent_free(c->log_bev);
	c->log_bev = NULL;
}
