/* SPDX-License-Identifier: ISC */
/*
 * The MariaDB layer's connect candidates: DB_SOCKET, or each DB_HOST entry
 * in order and up to DB_ADDRS_PER_NAME addresses of each. Names are
 * resolved with evdns, because the connector would call the blocking
 * getaddrinfo(3); the connector is then given the IP literal (see db.c on
 * what that means for DB_TLS=verify).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "dbint.h"
#include "log.h"

#define DB_ADDRS_PER_NAME	4	/* addresses of one name tried */

/* This candidate failed: note why, and try the next one. */
void
dbhosts_failed(struct db *db, const char *why)
{
	db_error_append(db, "%s %s: %s", db_step[db->state], db->peer, why);
	log_debug("db: cannot %s %s: %s", db_step[db->state], db->peer, why);
	db_conn_close(db, 1);
	dbhosts_next(db);
}

static int
is_ip_literal(const char *name)
{
	struct in6_addr	addr;

	return inet_pton(AF_INET, name, &addr) == 1 ||
	    inet_pton(AF_INET6, name, &addr) == 1;
}

/* DB_SOCKET, or the DB_HOST entries config.c parsed, with their ports. */
void
dbhosts_parse(struct db *db)
{
	const struct config_db_host	*entry;
	size_t				 i;

	db->nhosts = db->next_host = 0;
	memset(db->hosts, 0, sizeof(db->hosts));
	if (db->conf.db_socket[0] != '\0') {
		db->nhosts = 1;
		return;
	}
	for (i = 0; i < db->conf.ndb_hosts && i < DB_HOSTS_MAX; i++) {
		entry = &db->conf.db_hosts[i];
		strlcpy(db->hosts[i].name, entry->name,
		    sizeof(db->hosts[i].name));
		db->hosts[i].port = entry->port != 0 ? entry->port :
		    db->conf.db_port;
		db->nhosts++;
	}
}

void
dbhosts_describe(struct db *db, const char *ip)
{
	const struct db_host	*host = db->current;
	char			 addr[INET6_ADDRSTRLEN + 8] = "";

	if (ip == NULL) {
		(void)snprintf(db->peer, sizeof(db->peer), "unix socket %s",
		    db->conf.db_socket);
		return;
	}
	if (strcmp(ip, host->name) != 0)
		(void)snprintf(addr, sizeof(addr), " (%s)", ip);
	(void)snprintf(db->peer, sizeof(db->peer),
	    strchr(host->name, ':') != NULL ? "[%s]:%u%s" : "%s:%u%s",
	    host->name, host->port, addr);
}


void
dbhosts_addrs_free(struct db *db)
{
	if (db->addrs != NULL)
		evutil_freeaddrinfo(db->addrs);
	db->addrs = db->next_addr = NULL;
	db->addrs_tried = 0;
}

static void
connect_addr(struct db *db)
{
	struct evutil_addrinfo	*ai = db->next_addr;
	const void		*src;
	char			 ip[INET6_ADDRSTRLEN];

	db->next_addr = ai->ai_next;
	if (++db->addrs_tried >= DB_ADDRS_PER_NAME)
		db->next_addr = NULL;
	if (ai->ai_family == AF_INET)
		src = &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr;
	else if (ai->ai_family == AF_INET6)
		src = &((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr;
	else
		src = NULL;
	if (src == NULL ||
	    evutil_inet_ntop(ai->ai_family, src, ip, sizeof(ip)) == NULL) {
		dbhosts_next(db);
		return;
	}
	dbsetup_connect(db, ip);
}

void
dbhosts_resolve_abort(struct db *db)
{
	struct evdns_getaddrinfo_request	*req = db->dns_req;

	db->dns_req = NULL;
	if (req != NULL)
		evdns_getaddrinfo_cancel(req);
	event_del(db->resolved_ev);
	if (db->dns_answer != NULL)
		evutil_freeaddrinfo(db->dns_answer);
	db->dns_answer = NULL;
}

static void
resolve_done(int result, struct evutil_addrinfo *answer, void *arg)
{
	struct db	*db = arg;

	/* From evdns_getaddrinfo_cancel(): db may be on its way out. */
	if (result == EVUTIL_EAI_CANCEL)
		return;
	db->dns_req = NULL;
	db->dns_result = result;
	db->dns_answer = answer;
	/*
	 * An answer from /etc/hosts arrives inside evdns_getaddrinfo(): go on
	 * from the loop, not from inside resolve_begin().
	 */
	event_active(db->resolved_ev, EV_TIMEOUT, 1);
}

/* The connector's getaddrinfo(3) would block the loop: evdns instead. */
static void
resolve_begin(struct db *db, struct db_host *host)
{
	struct evutil_addrinfo			 hints;
	struct evdns_getaddrinfo_request	*req;

	if (db->dns == NULL) {
		db_error_append(db, "resolve %s: no resolver", host->name);
		dbhosts_next(db);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	db->state = DB_RESOLVING;
	db_deadline_arm(db, db_connect_timeout_ms(db));
	req = evdns_getaddrinfo(db->dns, host->name, NULL, &hints,
	    resolve_done, db);
	if (req != NULL)
		db->dns_req = req;
	else if (!event_pending(db->resolved_ev, EV_TIMEOUT, NULL)) {
		evtimer_del(db->deadline_ev);
		db_error_append(db, "resolve %s: cannot start", host->name);
		dbhosts_next(db);
	}
}

void
dbhosts_resolved_cb(evutil_socket_t fd, short what, void *arg)
{
	struct db	*db = arg;

	(void)fd;
	(void)what;
	if (db->state != DB_RESOLVING) {
		dbhosts_resolve_abort(db);
		return;
	}
	evtimer_del(db->deadline_ev);
	if (db->dns_result != 0 || db->dns_answer == NULL) {
		db_error_append(db, "resolve %s: %s", db->current->name,
		    db->dns_result != 0 ? evutil_gai_strerror(db->dns_result) :
		    "no address");
		dbhosts_next(db);
		return;
	}
	db->addrs = db->next_addr = db->dns_answer;
	db->dns_answer = NULL;
	db->addrs_tried = 0;
	dbhosts_next(db);
}

static void
connect_failed(struct db *db)
{
	evtimer_del(db->deadline_ev);
	db->state = DB_DOWN;
	db->current = NULL;
	if (db->error[0] == '\0')
		db_error_set(db, "DB_HOST names no host to connect to");
	db_jobs_fail_all(db);
}

void
dbhosts_next(struct db *db)
{
	struct db_host	*host;

	db->state = DB_DOWN;
	if (db->next_addr != NULL) {
		connect_addr(db);
		return;
	}
	dbhosts_addrs_free(db);
	if (db->next_host >= db->nhosts) {
		connect_failed(db);
		return;
	}
	host = db->current = &db->hosts[db->next_host++];
	if (db->conf.db_socket[0] != '\0')
		dbsetup_connect(db, NULL);
	else if (strcmp(host->name, "localhost") == 0)
		/* Connector/C would take "localhost" as its default socket. */
		dbsetup_connect(db, "127.0.0.1");
	else if (is_ip_literal(host->name))
		dbsetup_connect(db, host->name);
	else
		resolve_begin(db, host);
}

void
dbhosts_begin(struct db *db)
{
	db->error[0] = '\0';
	dbhosts_parse(db);
	dbhosts_next(db);
}
