/* SPDX-License-Identifier: ISC */
/*
 * The control protocol between multinicctl and the fetcher, over the unix
 * stream socket CONTROL_SOCKET: one connection per command. The client
 * sends one JSON object on one line,
 *	{"command": "status"}
 *	{"command": "show interfaces"}
 *	{"command": "sync", "allow_delete": true}	(allow_delete optional)
 *	{"command": "reload"}
 *	{"command": "log", "level": "debug"}
 * and reads one JSON object, then end of file:
 *	{"ok": true, "result": ...}	(status: an object, show interfaces:
 *					an array, the others {"message": text})
 *	{"ok": false, "error": "text"}	(refused or failed, and why)
 * Read commands are served to anyone who can connect (the socket is 0660,
 * group of PRIVSEP_USER); the others need the peer to be uid 0.
 */
#ifndef MULTINIC_CONTROL_H
#define MULTINIC_CONTROL_H

#include <stddef.h>

#define CONTROL_SOCKET_DEFAULT	"/run/multinicd/multinicd.sock"
#define CONTROL_REQUEST_MAX	1024	/* bytes, the newline included */
#define CONTROL_REPLY_MAX	(1024 * 1024)	/* what a client reads */
#define CONTROL_ERROR_MAX	256	/* a reason, NUL included */

enum control_command {
	CONTROL_STATUS,
	CONTROL_SHOW_INTERFACES,
	CONTROL_SYNC,
	CONTROL_RELOAD,
	CONTROL_LOG,
	CONTROL_COMMAND_COUNT
};

struct control_request {
	enum control_command	command;
	int			allow_delete;	/* sync */
	int			level;		/* log: enum log_level */
};

/* "status", "show interfaces", ...: the wire name is the command line. */
const char	*control_command_name(enum control_command);
/* Does the command change something, and so need uid 0? */
int		 control_command_privileged(enum control_command);

/*
 * Parses and validates one request line (its newline stripped or not).
 * Returns 0, or -1 with a printable reason in why.
 */
int	control_request_parse(const char *line, size_t len,
	    struct control_request *, char *why, size_t whylen);
/*
 * The request as one line, newline included, into buf. Returns its length,
 * or -1 when it does not fit or memory is short.
 */
int	control_request_format(const struct control_request *, char *buf,
	    size_t len);

#endif
