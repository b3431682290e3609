/* SPDX-License-Identifier: ISC */
/*
 * multinicctl: the control client. Sends one command to multinicd's fetcher
 * over the control socket and prints the reply, as aligned text or (-j) as
 * the JSON the daemon sent.
 */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "config.h"
#include "control.h"
#include "state.h"
#include "util.h"

#define CTL_EXIT_OK		0
#define CTL_EXIT_DAEMON		1	/* refused, or the daemon failed */
#define CTL_EXIT_USAGE		2
#define CTL_EXIT_CONNECT	3
#define CTL_TIMEOUT_S		10	/* the daemon answers in milliseconds */
#define CTL_CELL_MAX		160	/* one table cell, NUL included */

/*
 * The columns of show interfaces, in order; the last is not padded.
 * ROUTING only when some NIC has source routing.
 */
static const struct {
	const char	*heading;
	const char	*key;
} ctl_columns[] = {
	{ "NAME", "name" }, { "MAC", "mac" }, { "ADDRESS", "address" },
	{ "ROUTING", "source_routing" },
	{ "MTU", "mtu" }, { "STATE", "state" }, { "ROW", "row_id" },
	{ "LAST CHANGE", "last_change" }, { "REASON", "reason" },
};
#define CTL_NCOLUMNS	(sizeof(ctl_columns) / sizeof(ctl_columns[0]))

#define CTL_USAGE \
	"usage: multinicctl [-hjV] [-s socket] command\n" \
	"commands: status | show interfaces | sync [--allow-delete] |" \
	" reload |\n          log debug|info|warn|error\n" \
	"Each word may be shortened while it stays unambiguous (sh int).\n"

static __attribute__((noreturn)) void
ctl_usage(void)
{
	fprintf(stderr, CTL_USAGE);
	exit(CTL_EXIT_USAGE);
}

/* What was wrong with the command line, then the usage. */
static __attribute__((noreturn)) void
ctl_bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "multinicctl: " and the message, on a line of its own. */
static void
ctl_vwarn(const char *fmt, va_list ap)
{
	fprintf(stderr, "multinicctl: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void
ctl_bad_usage(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ctl_vwarn(fmt, ap);
	va_end(ap);
	ctl_usage();
}

static __attribute__((noreturn)) void
ctl_fail(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ctl_fail(int status, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	ctl_vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

/*
 * The word of choices (NULL-terminated) that word names: itself, or the
 * only one it begins, as bgpctl and ntpctl read "sh int". what names the
 * position in messages; a word that names none ends in the usage.
 */
static int
ctl_match(const char *word, const char *const choices[], const char *what)
{
	char	list[256] = "";
	int	i, found = -1, n = 0;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(word, choices[i]) == 0)
			return i;
		if (*word != '\0' &&
		    strncmp(word, choices[i], strlen(word)) == 0) {
			found = i;
			if (n++ > 0)
				strlcat(list, ", ", sizeof(list));
			strlcat(list, choices[i], sizeof(list));
		}
	}
	if (n == 1)
		return found;
	if (n > 1)
		ctl_bad_usage("ambiguous %s: %s (%s)", what, word, list);
	ctl_bad_usage("unknown %s: %s", what, word);
}

static void
ctl_no_more(int argc, char *argv[], int used, const char *command)
{
	if (argc > used)
		ctl_bad_usage("%s: unexpected argument: %s", command,
		    argv[used]);
}

static const char *const ctl_command_words[] = {
	"status", "show", "sync", "reload", "log", NULL
};
static const char *const ctl_show_words[] = { "interfaces", NULL };
static const char *const ctl_sync_words[] = { "--allow-delete", NULL };
static const char *const ctl_level_words[] = {
	"debug", "info", "warn", "error", NULL
};

/* The words after the options, as one request; usage() when they are not. */
static void
ctl_parse_command(int argc, char *argv[], struct control_request *req)
{
	memset(req, 0, sizeof(*req));
	if (argc == 0)
		ctl_bad_usage("no command given");
	switch (ctl_match(argv[0], ctl_command_words, "command")) {
	case 0:
		req->command = CONTROL_STATUS;
		ctl_no_more(argc, argv, 1, "status");
		break;
	case 1:
		req->command = CONTROL_SHOW_INTERFACES;
		if (argc < 2)
			ctl_bad_usage("show: missing argument (interfaces)");
		ctl_match(argv[1], ctl_show_words, "argument to show");
		ctl_no_more(argc, argv, 2, "show interfaces");
		break;
	case 2:
		req->command = CONTROL_SYNC;
		if (argc >= 2)
			ctl_match(argv[1], ctl_sync_words, "argument to sync");
		req->allow_delete = argc >= 2;
		ctl_no_more(argc, argv, 2, "sync");
		break;
	case 3:
		req->command = CONTROL_RELOAD;
		ctl_no_more(argc, argv, 1, "reload");
		break;
	default:
		req->command = CONTROL_LOG;
		if (argc < 2)
			ctl_bad_usage("log: missing level (debug, info, warn"
			    " or error)");
		/* The configuration's spellings first: "warning", "INFO". */
		if ((req->level = config_parse_log_level(argv[1])) == -1)
			req->level = config_parse_log_level(ctl_level_words[
			    ctl_match(argv[1], ctl_level_words, "log level")]);
		ctl_no_more(argc, argv, 2, "log");
		break;
	}
}

static const char *
ctl_connect_hint(int error)
{
	if (error == EACCES || error == EPERM)
		return " (root or the socket's group may connect)";
	if (error == ENOENT || error == ECONNREFUSED)
		return " (is multinicd running?)";
	return "";
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un	sun;
	struct timeval		timeout = { CTL_TIMEOUT_S, 0 };
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		ctl_fail(CTL_EXIT_USAGE, "%s: socket path too long", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		ctl_fail(CTL_EXIT_CONNECT, "socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout,
	    sizeof(timeout)) == -1 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO,
	    &timeout, sizeof(timeout)) == -1)
		ctl_fail(CTL_EXIT_CONNECT, "setsockopt: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		ctl_fail(CTL_EXIT_CONNECT, "cannot connect to %s: %s%s", path,
		    strerror(errno), ctl_connect_hint(errno));
	return fd;
}

static void
ctl_send(int fd, const struct control_request *req)
{
	char	line[CONTROL_REQUEST_MAX];
	ssize_t	n;
	int	len, off = 0;

	if ((len = control_request_format(req, line, sizeof(line))) == -1)
		ctl_fail(CTL_EXIT_DAEMON, "cannot format the request");
	while (off < len) {
		if ((n = send(fd, line + off, len - off, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			/* A daemon that refused us early may have said why. */
			if (errno == EPIPE || errno == ECONNRESET)
				return;
			ctl_fail(CTL_EXIT_DAEMON, "sending the request: %s",
			    strerror(errno));
		}
		off += n;
	}
}

/* The whole reply: the daemon closes the connection after it. */
static char *
ctl_receive(int fd, size_t *len)
{
	char	*reply;
	ssize_t	 n;

	if ((reply = malloc(CONTROL_REPLY_MAX + 1)) == NULL)
		ctl_fail(CTL_EXIT_DAEMON, "out of memory");
	*len = 0;
	while (*len < CONTROL_REPLY_MAX) {
		n = read(fd, reply + *len, CONTROL_REPLY_MAX - *len);
		if (n == 0)
			break;
		if (n == -1 && errno == EINTR)
			continue;
		/*
		 * A daemon that refuses a client closes before reading the
		 * request, which resets the connection after the reply.
		 */
		if (n == -1 && errno == ECONNRESET && *len > 0 &&
		    reply[*len - 1] == '\n')
			break;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			ctl_fail(CTL_EXIT_DAEMON, "no reply within %d s",
			    CTL_TIMEOUT_S);
		if (n == -1)
			ctl_fail(CTL_EXIT_DAEMON, "reading the reply: %s",
			    strerror(errno));
		*len += n;
	}
	if (*len == CONTROL_REPLY_MAX)
		ctl_fail(CTL_EXIT_DAEMON, "reply longer than %d bytes",
		    CONTROL_REPLY_MAX);
	reply[*len] = '\0';
	return reply;
}

/* The result of a successful reply; an error reply ends the program. */
static struct json_object *
ctl_result(struct json_object *reply)
{
	struct json_object	*ok, *val;

	if (!json_object_is_type(reply, json_type_object) ||
	    !json_object_object_get_ex(reply, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean))
		ctl_fail(CTL_EXIT_DAEMON, "malformed reply from the daemon");
	if (!json_object_get_boolean(ok)) {
		if (json_object_object_get_ex(reply, "error", &val) &&
		    json_object_is_type(val, json_type_string))
			ctl_fail(CTL_EXIT_DAEMON, "%s",
			    json_object_get_string(val));
		ctl_fail(CTL_EXIT_DAEMON, "the daemon refused without saying"
		    " why");
	}
	if (!json_object_object_get_ex(reply, "result", &val))
		ctl_fail(CTL_EXIT_DAEMON, "reply without a result");
	return val;
}

/* --- Human output --- */

/* A member as text for a terminal: "-" when absent, control bytes as "?". */
static void
ctl_cell(struct json_object *obj, const char *key, char *buf, size_t len)
{
	struct json_object	*val;
	const char		*text = "-";
	size_t			 i;

	if (json_object_object_get_ex(obj, key, &val) && val != NULL)
		text = json_object_get_string(val);
	strlcpy(buf, text, len);
	for (i = 0; buf[i] != '\0'; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
}

/* ROUTING: "table 1003 via 10.0.3.1", "table 1003" without a gateway. */
static void
ctl_routing_cell(struct json_object *nic, char *buf, size_t len)
{
	struct json_object	*routing;
	char			 table[16], gateway[64];

	strlcpy(buf, "-", len);
	if (!json_object_object_get_ex(nic, "source_routing", &routing) ||
	    !json_object_is_type(routing, json_type_object))
		return;
	ctl_cell(routing, "table", table, sizeof(table));
	ctl_cell(routing, "gateway", gateway, sizeof(gateway));
	snprintf(buf, len, "table %s%s%s", table, strcmp(gateway, "-") == 0 ?
	    "" : " via ", strcmp(gateway, "-") == 0 ? "" : gateway);
}

static int
ctl_column_is_routing(size_t column)
{
	return strcmp(ctl_columns[column].key, "source_routing") == 0;
}

/* ADDRESS shows address/prefix together. */
static void
ctl_nic_cell(struct json_object *nic, size_t column, char *buf, size_t len)
{
	char	prefix[16];

	if (ctl_column_is_routing(column)) {
		ctl_routing_cell(nic, buf, len);
		return;
	}
	ctl_cell(nic, ctl_columns[column].key, buf, len);
	if (strcmp(ctl_columns[column].key, "address") != 0 ||
	    strcmp(buf, "-") == 0)
		return;
	ctl_cell(nic, "prefix", prefix, sizeof(prefix));
	if (strcmp(prefix, "-") != 0) {
		strlcat(buf, "/", len);
		strlcat(buf, prefix, len);
	}
}

/* width 0: a column not shown. */
static void
ctl_print_row(char cells[CTL_NCOLUMNS][CTL_CELL_MAX],
    const size_t width[CTL_NCOLUMNS])
{
	size_t	i;

	for (i = 0; i + 1 < CTL_NCOLUMNS; i++)
		if (width[i] > 0)
			printf("%-*s  ", (int)width[i], cells[i]);
	printf("%s\n", cells[CTL_NCOLUMNS - 1]);
}

static int
ctl_any_routing(struct json_object *nics)
{
	struct json_object	*routing;
	size_t			 row, n = json_object_array_length(nics);

	for (row = 0; row < n; row++)
		if (json_object_object_get_ex(json_object_array_get_idx(nics,
		    row), "source_routing", &routing))
			return 1;
	return 0;
}

static void
ctl_print_interfaces(struct json_object *nics)
{
	char	cells[CTL_NCOLUMNS][CTL_CELL_MAX];
	size_t	width[CTL_NCOLUMNS], i, row, n;

	if (!json_object_is_type(nics, json_type_array))
		ctl_fail(CTL_EXIT_DAEMON, "malformed reply from the daemon");
	n = json_object_array_length(nics);
	for (i = 0; i < CTL_NCOLUMNS; i++)
		width[i] = strlen(ctl_columns[i].heading);
	for (i = 0; i < CTL_NCOLUMNS && !ctl_any_routing(nics); i++)
		if (ctl_column_is_routing(i))
			width[i] = 0;
	for (row = 0; row < n; row++)
		for (i = 0; i < CTL_NCOLUMNS; i++) {
			ctl_nic_cell(json_object_array_get_idx(nics, row), i,
			    cells[i], sizeof(cells[i]));
			if (width[i] > 0 && strlen(cells[i]) > width[i])
				width[i] = strlen(cells[i]);
		}
	for (i = 0; i < CTL_NCOLUMNS; i++)
		strlcpy(cells[i], ctl_columns[i].heading, sizeof(cells[i]));
	ctl_print_row(cells, width);
	for (row = 0; row < n; row++) {
		for (i = 0; i < CTL_NCOLUMNS; i++)
			ctl_nic_cell(json_object_array_get_idx(nics, row), i,
			    cells[i], sizeof(cells[i]));
		ctl_print_row(cells, width);
	}
}

static int
ctl_get_bool(struct json_object *obj, const char *key)
{
	struct json_object	*val;

	return json_object_object_get_ex(obj, key, &val) &&
	    json_object_get_boolean(val);
}

/* "applied 1, pending 0, ...", in the daemon's order of states. */
static void
ctl_print_counts(struct json_object *status)
{
	struct json_object	*counts;
	char			 count[CTL_CELL_MAX];
	int			 state;

	printf("%-16s", "interfaces");
	if (!json_object_object_get_ex(status, "interfaces", &counts)) {
		printf("-\n");
		return;
	}
	for (state = 0; state < NIC_STATE_COUNT; state++) {
		ctl_cell(counts, nic_state_name(state), count, sizeof(count));
		printf("%s%s %s", state > 0 ? ", " : "",
		    nic_state_name(state), count);
	}
	printf("\n");
}

/* "12 (snapshot 11 sent, 11 applied)": has a change gone all the way? */
static void
ctl_print_cycles(struct json_object *status)
{
	char	polls[CTL_CELL_MAX], sent[CTL_CELL_MAX], applied[CTL_CELL_MAX];

	ctl_cell(status, "polls", polls, sizeof(polls));
	ctl_cell(status, "snapshot_generation", sent, sizeof(sent));
	ctl_cell(status, "applied_generation", applied, sizeof(applied));
	printf("%-16s%s (snapshot %s sent, %s applied)\n", "polls", polls,
	    sent, applied);
}

/* "fetcher enforced, applier unavailable: <why>". */
static void
ctl_print_landlock(struct json_object *status)
{
	struct json_object	*landlock;
	char			 fetcher[CTL_CELL_MAX], applier[CTL_CELL_MAX];

	if (!json_object_object_get_ex(status, "landlock", &landlock) ||
	    !json_object_is_type(landlock, json_type_object))
		return;
	ctl_cell(landlock, "fetcher", fetcher, sizeof(fetcher));
	ctl_cell(landlock, "applier", applier, sizeof(applier));
	printf("%-16sfetcher %s, applier %s\n", "landlock", fetcher, applier);
}

static void
ctl_print_status(struct json_object *status)
{
	struct json_object	*val;
	char			 cell[CTL_CELL_MAX], uptime[32];

	if (!json_object_is_type(status, json_type_object))
		ctl_fail(CTL_EXIT_DAEMON, "malformed reply from the daemon");
	ctl_cell(status, "version", cell, sizeof(cell));
	printf("%-16s%s\n", "version", cell);
	ctl_cell(status, "node_name", cell, sizeof(cell));
	printf("%-16s%s\n", "node name", cell);
	ctl_cell(status, "os_type", cell, sizeof(cell));
	printf("%-16s%s\n", "os type", cell);
	if (json_object_object_get_ex(status, "uptime_seconds", &val) &&
	    json_object_is_type(val, json_type_int)) {
		format_duration((unsigned long)json_object_get_int64(val),
		    uptime, sizeof(uptime));
		printf("%-16s%s\n", "uptime", uptime);
	}
	printf("%-16s%s\n", "database", ctl_get_bool(status,
	    "database_connected") ? "connected" : "not connected");
	ctl_cell(status, "last_sync", cell, sizeof(cell));
	printf("%-16s%s\n", "last sync", strcmp(cell, "-") == 0 ? "never" :
	    cell);
	ctl_print_cycles(status);
	printf("%-16s%s\n", "deletions held", ctl_get_bool(status,
	    "deletion_held") ? "yes (multinicctl sync --allow-delete releases"
	    " them)" : "no");
	ctl_print_landlock(status);
	ctl_print_counts(status);
}

static void
ctl_print_message(struct json_object *result)
{
	char	message[CTL_CELL_MAX];

	ctl_cell(result, "message", message, sizeof(message));
	printf("%s\n", message);
}

static void
ctl_print(const struct control_request *req, struct json_object *result,
    int json)
{
	if (json) {
		printf("%s\n", json_object_to_json_string_ext(result,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		return;
	}
	switch (req->command) {
	case CONTROL_STATUS:
		ctl_print_status(result);
		break;
	case CONTROL_SHOW_INTERFACES:
		ctl_print_interfaces(result);
		break;
	default:
		ctl_print_message(result);
		break;
	}
}

int
main(int argc, char *argv[])
{
	struct control_request	 req;
	struct json_object	*reply;
	const char		*path = CONTROL_SOCKET_DEFAULT;
	char			*text;
	size_t			 len;
	int			 ch, json = 0, fd;

	/* "+": options end at the command, so --allow-delete is its word. */
	while ((ch = getopt(argc, argv, "+hjs:V")) != -1) {
		switch (ch) {
		case 'h':
			printf(CTL_USAGE);
			return CTL_EXIT_OK;
		case 'V':
			printf("multinicctl %s\n", MULTINIC_VERSION);
			return CTL_EXIT_OK;
		case 'j':
			json = 1;
			break;
		case 's':
			path = optarg;
			break;
		default:
			ctl_usage();
		}
	}
	ctl_parse_command(argc - optind, argv + optind, &req);
	fd = ctl_connect(path);
	ctl_send(fd, &req);
	text = ctl_receive(fd, &len);
	close(fd);
	if (len == 0)
		ctl_fail(CTL_EXIT_DAEMON, "the daemon closed the connection"
		    " without a reply");
	if ((reply = json_tokener_parse(text)) == NULL)
		ctl_fail(CTL_EXIT_DAEMON, "malformed reply from the daemon");
	ctl_print(&req, ctl_result(reply), json);
	json_object_put(reply);
	free(text);
	return fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_DAEMON;
}
