/* SPDX-License-Identifier: ISC */
/* Listeners that pause a second when accept(2) fails, instead of spinning. */
#ifndef MULTINIC_LISTENER_H
#define MULTINIC_LISTENER_H

struct evconnlistener;

/* Sets the error callback; -1 when out of memory or slots. */
int	listener_guard(struct evconnlistener *, const char *what);
/* Before the listener is freed; NULL and unguarded ones are ignored. */
void	listener_unguard(struct evconnlistener *);

#endif
