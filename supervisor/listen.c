/* SPDX-License-Identifier: ISC */
/*
 * What the supervisor opens as root and keeps across fetcher restarts: the
 * instance lock, the node lock, the control socket and the HTTP listener.
 */

#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netdb.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "supervisor.h"
#include "util.h"

#define LISTEN_BACKLOG	64
#define NODE_LOCK_NAME	"multinicd"	/* abstract: "@multinicd" in ss(8) */
#define NODE_LOCK_ENV	"MULTINICD_NODE_LOCK"	/* for tests only */

/*
 * One multinicd per STATE_DIR: the lock is held for the process's life.
 * Returns the locked descriptor, or -1 with why set.
 */
int
listen_lock(const char *state_dir, char *why, size_t whylen)
{
	char	path[PATH_MAX];
	int	fd;

	if (mkdir_p(state_dir, 0755) == -1) {
		snprintf(why, whylen, "STATE_DIR %s: %s", state_dir,
		    strerror(errno));
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/multinicd.lock",
	    state_dir) >= sizeof(path)) {
		snprintf(why, whylen, "STATE_DIR is too long");
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			snprintf(why, whylen, "already running (%s is locked)",
			    path);
		else
			snprintf(why, whylen, "flock %s: %s", path,
			    strerror(errno));
		close(fd);
		return -1;
	}
	if (listen_lock_record_pid(fd) == -1) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The lock file names the supervisor's PID for rc scripts; after daemon(3)
 * that is the forked child, so it is written again then.
 */
int
listen_lock_record_pid(int fd)
{
	char	pid[32];

	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, strlen(pid), 0) == -1)
		return -1;
	return 0;
}

/* The abstract address: a NUL, then the name, no terminating NUL. */
static socklen_t
node_lock_address(struct sockaddr_un *sun)
{
	const char	*name = getenv(NODE_LOCK_ENV);
	size_t		 len;

	if (name == NULL || *name == '\0')
		name = NODE_LOCK_NAME;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	len = strnlen(name, sizeof(sun->sun_path) - 1);
	memcpy(sun->sun_path + 1, name, len);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

/* The holder's pid, from the credentials its listen(2) left; -1: unknown. */
static pid_t
node_lock_holder(const struct sockaddr_un *sun, socklen_t sunlen)
{
	struct ucred	cred;
	socklen_t	len = sizeof(cred);
	pid_t		pid = -1;
	int		fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)sun, sunlen) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	    cred.pid > 0)
		pid = cred.pid;
	close(fd);
	return pid;
}

/*
 * One multinicd per node, that is per network namespace, whatever its
 * STATE_DIR: an abstract unix socket name, which the kernel scopes per
 * network namespace and frees when its holder dies, crash or not. Bound
 * here, listening from listen_node_lock_ready() on, once the process has
 * the pid a second instance should name.
 */
int
listen_node_lock(char *why, size_t whylen)
{
	struct sockaddr_un	sun;
	socklen_t		sunlen = node_lock_address(&sun);
	pid_t			holder;
	int			fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		snprintf(why, whylen, "node lock: socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sunlen) == 0)
		return fd;
	if (errno != EADDRINUSE)
		snprintf(why, whylen, "node lock @%s: bind: %s",
		    sun.sun_path + 1, strerror(errno));
	else if ((holder = node_lock_holder(&sun, sunlen)) == -1)
		snprintf(why, whylen, "already running in this network"
		    " namespace (the node lock @%s is taken; its pid is"
		    " unknown)", sun.sun_path + 1);
	else
		snprintf(why, whylen, "already running in this network"
		    " namespace: pid %d holds the node lock @%s", (int)holder,
		    sun.sun_path + 1);
	close(fd);
	return -1;
}

/* SO_PEERCRED names the process that called listen(2). */
int
listen_node_lock_ready(int fd)
{
	return listen(fd, LISTEN_BACKLOG);
}

static int
socket_is_live(const struct sockaddr_un *sun)
{
	int	fd, live;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	live = connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	close(fd);
	return live;
}

/*
 * Makes way for our socket: a stale socket left by a crash is removed; a
 * live one means another multinicd answers there. Anything that is not a
 * socket is never removed: a mistyped CONTROL_SOCKET may name any file.
 */
static int
clear_control_path(const struct sockaddr_un *sun)
{
	struct stat	st;

	if (lstat(sun->sun_path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("CONTROL_SOCKET %s", sun->sun_path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("CONTROL_SOCKET %s exists and is not a socket;"
		    " refusing to replace it", sun->sun_path);
		return -1;
	}
	if (socket_is_live(sun)) {
		log_warnx("already running (%s answers)", sun->sun_path);
		return -1;
	}
	if (unlink(sun->sun_path) == -1 && errno != ENOENT) {
		log_warn("unlink %s", sun->sun_path);
		return -1;
	}
	return 0;
}

/*
 * -1 with the reason logged when the socket cannot be had, at start-up
 * (fatal there) as on a reload (the old socket stays).
 */
int
listen_control(const struct config *conf, gid_t group)
{
	struct sockaddr_un	 sun;
	char			 dir[sizeof(sun.sun_path)];
	mode_t			 old_umask;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, conf->control_socket,
	    sizeof(sun.sun_path)) >= sizeof(sun.sun_path)) {
		log_warnx("CONTROL_SOCKET %s is too long", conf->control_socket);
		return -1;
	}
	strlcpy(dir, conf->control_socket, sizeof(dir));
	if (mkdir_p(dirname(dir), 0755) == -1) {
		log_warn("directory of CONTROL_SOCKET %s", conf->control_socket);
		return -1;
	}
	if (clear_control_path(&sun) == -1)
		return -1;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	old_umask = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		log_warn("bind %s", conf->control_socket);
		umask(old_umask);
		close(fd);
		return -1;
	}
	umask(old_umask);
	/* Members of PRIVSEP_USER's group may read status; only root changes. */
	if (chown(conf->control_socket, 0, group) == -1 ||
	    chmod(conf->control_socket, 0660) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		log_warn("%s", conf->control_socket);
		close(fd);
		unlink(conf->control_socket);
		return -1;
	}
	return fd;
}

/* Returns -1 when HTTP is off (HEALTH_PORT=0) or the address is unusable. */
int
listen_http(const struct config *conf)
{
	struct addrinfo	 hints, *res;
	char		 port[8];
	int		 fd, on = 1, error;

	if (conf->health_port == 0)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", conf->health_port);
	if ((error = getaddrinfo(conf->health_addr, port, &hints, &res)) != 0) {
		log_warnx("HEALTH_ADDR %s: %s", conf->health_addr,
		    gai_strerror(error));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
	    sizeof(on)) == -1 || bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		log_warn("HTTP listener %s port %s", conf->health_addr, port);
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}
