/* SPDX-License-Identifier: ISC */
/*
 * Pausing a listener whose accept(2) fails. Out of descriptors, the
 * listening socket stays readable, and libevent would accept again at once
 * and spin the fetcher; instead the listener rests a second. Works for
 * listeners whose callback argument is not ours (evhttp's).
 */

#include <stddef.h>
#include <string.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "listener.h"
#include "log.h"

#define LISTENERS_MAX	2	/* HTTP and the control socket */
#define PAUSE_S		1

struct guard {
	struct evconnlistener	*listener;	/* NULL: slot free */
	struct event		*resume_ev;
	const char		*what;
};

static struct guard	guards[LISTENERS_MAX];

static struct guard *
guard_of(const struct evconnlistener *listener)
{
	size_t	i;

	for (i = 0; i < LISTENERS_MAX; i++)
		if (guards[i].listener == listener)
			return &guards[i];
	return NULL;
}

static void
listener_resume(evutil_socket_t fd, short events, void *arg)
{
	struct guard	*g = arg;

	(void)fd;
	(void)events;
	if (g->listener != NULL)
		evconnlistener_enable(g->listener);
}

static void
listener_error(struct evconnlistener *listener, void *arg)
{
	struct timeval	 pause = { PAUSE_S, 0 };
	struct guard	*g;

	(void)arg;
	if ((g = guard_of(listener)) == NULL)
		return;
	log_warnx("%s: accept: %s; pausing %d s", g->what,
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()), PAUSE_S);
	evconnlistener_disable(listener);
	evtimer_add(g->resume_ev, &pause);
}

int
listener_guard(struct evconnlistener *listener, const char *what)
{
	struct guard	*g;

	if ((g = guard_of(NULL)) == NULL)
		return -1;
	if ((g->resume_ev = evtimer_new(evconnlistener_get_base(listener),
	    listener_resume, g)) == NULL)
		return -1;
	g->listener = listener;
	g->what = what;
	evconnlistener_set_error_cb(listener, listener_error);
	return 0;
}

void
listener_unguard(struct evconnlistener *listener)
{
	struct guard	*g;

	if (listener == NULL || (g = guard_of(listener)) == NULL)
		return;
	event_free(g->resume_ev);
	memset(g, 0, sizeof(*g));
}
