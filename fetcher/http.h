/* SPDX-License-Identifier: ISC */
/*
 * The fetcher's HTTP server (evhttp): GET / (status JSON), /healthz,
 * /readyz and /metrics on the listening socket the supervisor hands over.
 */
#ifndef MULTINIC_HTTP_H
#define MULTINIC_HTTP_H

struct fetcher;
struct http;

/* After the sandbox is in place; NULL when out of memory. */
struct http	*http_new(struct fetcher *);
/*
 * Accepts on fd from now on, or on nothing when fd is -1. The previous
 * socket is let go of but not closed: the caller closes it afterwards.
 * Connections already open are served to their end.
 */
void		 http_listen(struct http *, int fd);
void		 http_free(struct http *);

#endif
