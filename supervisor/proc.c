/* SPDX-License-Identifier: ISC */
/*
 * The supervisor's children: exec with an empty environment, wire their
 * channels, restart them with backoff when they die, stop them on exit.
 */

#include <sys/param.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "msg.h"
#include "supervisor.h"

static void	proc_dispatch_child(struct msgchan *, struct msg *, void *);
static void	proc_channel_closed(struct msgchan *, int, void *);
static void	proc_signal(const struct child *, int);
static void	proc_restart_due(evutil_socket_t, short, void *);

static struct child *
other_child(struct supervisor *sv, struct child *c)
{
	return &sv->children[c->id == CHILD_FETCHER ? CHILD_APPLIER :
	    CHILD_FETCHER];
}

/*
 * The installed supervisor (in SBINDIR) runs its children from LIBEXECDIR
 * only; one run from anywhere else, such as the build directory tests use,
 * takes the children beside it first.
 */
static void
find_executable(struct child *c, const char *self_dir)
{
	char	installed_dir[PATH_MAX];
	int	installed;

	installed = realpath(SBINDIR, installed_dir) != NULL &&
	    strcmp(installed_dir, self_dir) == 0;
	if (!installed) {
		snprintf(c->path, sizeof(c->path), "%s/multinicd-%s", self_dir,
		    c->name);
		if (access(c->path, X_OK) == 0)
			return;
	}
	if ((size_t)snprintf(c->path, sizeof(c->path), "%s/multinic/multinicd-%s",
	    LIBEXECDIR, c->name) >= sizeof(c->path) || access(c->path, X_OK))
		fatal("cannot find multinicd-%s%s in %s/multinic", c->name,
		    installed ? "" : " beside multinicd nor", LIBEXECDIR);
}

void
proc_init(struct supervisor *sv)
{
	static const char	*names[CHILD_COUNT] = { "fetcher", "applier" };
	char			 self[PATH_MAX], *self_dir;
	ssize_t			 len;
	struct child		*c;
	int			 id;

	if ((len = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		fatal("readlink /proc/self/exe");
	self[len] = '\0';
	self_dir = dirname(self);
	for (id = 0; id < CHILD_COUNT; id++) {
		c = &sv->children[id];
		c->id = id;
		c->sv = sv;
		c->name = names[id];
		c->pending_peer_fd = -1;
		c->chan.fd = -1;
		c->restart_delay = RESTART_DELAY_MIN;
		find_executable(c, self_dir);
		if ((c->restart_ev = evtimer_new(sv->base, proc_restart_due,
		    c)) == NULL)
			fatalx("evtimer_new failed");
	}
}

/*
 * The end of a fetcher<->applier channel for a starting child. A running
 * peer gets the other end over its supervisor channel; a peer not running
 * keeps it for its own start.
 */
static int
peer_channel_end(struct supervisor *sv, struct child *c)
{
	struct child	*peer = other_child(sv, c);
	int		 pair[2], fd;

	if (c->pending_peer_fd != -1) {
		fd = c->pending_peer_fd;
		c->pending_peer_fd = -1;
		return fd;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == -1)
		fatal("socketpair");
	if (peer->pid != 0 && msgchan_is_open(&peer->chan)) {
		if (msg_compose(&peer->chan, MSG_PEER_CHANNEL, 0, pair[1],
		    NULL, 0) == -1)
			fatal("cannot send a channel to the %s", peer->name);
	} else {
		if (peer->pending_peer_fd != -1)
			close(peer->pending_peer_fd);
		peer->pending_peer_fd = pair[1];
	}
	return pair[0];
}

static __attribute__((noreturn)) void
exec_child(struct supervisor *sv, struct child *c, int sup_fd, int peer_fd,
    int log_fd)
{
	char	*argv[] = { c->path, sv->foreground ? "-d" : "-s", NULL };
	char	*envp[] = { NULL };
	int	 devnull;

	/* The child must not outlive a supervisor killed with SIGKILL. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		_exit(1);
	/*
	 * Its own process group: Ctrl-C on a foreground multinicd reaches
	 * only the supervisor, which stops the children with SIGTERM. Out of
	 * the terminal's foreground group, writing its log there must not
	 * stop it (stty tostop).
	 */
	if (setpgid(0, 0) == -1 || signal(SIGTTOU, SIG_IGN) == SIG_ERR)
		_exit(1);
	if ((devnull = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(devnull, STDIN_FILENO) == -1 ||
	    dup2(devnull, STDOUT_FILENO) == -1 ||
	    (log_fd != -1 && dup2(log_fd, STDERR_FILENO) == -1) ||
	    dup2(sup_fd, CHILD_FD_SUPERVISOR) == -1 ||
	    dup2(peer_fd, CHILD_FD_PEER) == -1)
		_exit(1);
	closefrom(CHILD_FD_PEER + 1);
	execve(c->path, argv, envp);
	_exit(127);
}

static void
send_setup(struct supervisor *sv, struct child *c)
{
	proc_send_config(sv, c);
	if (c->id == CHILD_FETCHER)
		proc_send_listeners(sv);
	if (msg_compose(&c->chan, MSG_START, 0, -1, NULL, 0) == -1)
		fatal("cannot queue the start message for the %s", c->name);
}

void
proc_start(struct supervisor *sv, struct child *c)
{
	int	pair[2], peer_fd, log_fd = -1;
	pid_t	pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == -1)
		fatal("socketpair");
	peer_fd = peer_channel_end(sv, c);
	if (!sv->foreground && childlog_pipe(sv, c, &log_fd) == -1)
		fatal("cannot create the log pipe of the %s", c->name);
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0)
		exec_child(sv, c, pair[1], peer_fd, log_fd);
	close(pair[1]);
	close(peer_fd);
	if (log_fd != -1)
		close(log_fd);
	c->pid = pid;
	c->started = time(NULL);
	c->restart_now = 0;
	if (msgchan_open(&c->chan, sv->base, pair[0], c->name, 0,
	    proc_dispatch_child, proc_channel_closed, c) == -1)
		fatal("cannot open the channel to the %s", c->name);
	send_setup(sv, c);
	log_debug("started %s, pid %d", c->name, (int)pid);
}

void
proc_send_config(struct supervisor *sv, struct child *c)
{
	if (!msgchan_is_open(&c->chan))
		return;
	if (msg_compose(&c->chan, MSG_CONFIG, 0, -1, &sv->conf,
	    sizeof(sv->conf)) == -1)
		fatal("cannot queue the configuration for the %s", c->name);
	if (c->id == CHILD_FETCHER && msg_compose(&c->chan, MSG_DB_SECRET, 0,
	    -1, &sv->secret, sizeof(sv->secret)) == -1)
		fatal("cannot queue the secret for the fetcher");
}

/* The fetcher gets its own copies: a restarted one needs them again. */
void
proc_send_listeners(struct supervisor *sv)
{
	struct child	*f = &sv->children[CHILD_FETCHER];
	int		 fd;

	if (!msgchan_is_open(&f->chan))
		return;
	if ((fd = dup(sv->control_fd)) == -1 ||
	    msg_compose(&f->chan, MSG_CONTROL_LISTENER, 0, fd, NULL, 0) == -1)
		fatal("cannot hand the control socket to the fetcher");
	if (sv->http_fd == -1)
		return;
	if ((fd = dup(sv->http_fd)) == -1 ||
	    msg_compose(&f->chan, MSG_HTTP_LISTENER, 0, fd, NULL, 0) == -1)
		fatal("cannot hand the HTTP listener to the fetcher");
}

/*
 * multinicctl log: the supervisor's level, and the configuration's, so that
 * a restarted child keeps it until the next reload.
 */
static void
proc_set_log_level(struct supervisor *sv, int level)
{
	struct msg_log_level	msg = { .level = level };
	int			id;

	log_info("log level set to %s", config_log_level_name(level));
	log_setlevel(level);
	sv->conf.log_level = level;
	for (id = 0; id < CHILD_COUNT; id++)
		if (msgchan_is_open(&sv->children[id].chan) &&
		    msg_compose(&sv->children[id].chan, MSG_LOG_LEVEL, 0, -1,
		    &msg, sizeof(msg)) == -1)
			log_warn("cannot send the log level to the %s",
			    sv->children[id].name);
}

static void
proc_dispatch_child(struct msgchan *chan, struct msg *m, void *arg)
{
	struct child		*c = arg;
	struct supervisor	*sv = c->sv;
	struct msg_log_level	 level;

	switch (m->hdr.type) {
	case MSG_READY:
		if (msg_payload_empty(chan, m) == -1)
			break;
		log_info("%s ready, pid %d", c->name, (int)c->pid);
		c->ready = 1;
		notify_child_ready(sv);
		return;
	case MSG_PEER_MALFORMED:
		if (c->id != CHILD_APPLIER || msg_payload_empty(chan, m) == -1)
			break;
		log_warnx("the applier refused a malformed message from the"
		    " fetcher; restarting the fetcher");
		proc_restart(sv, other_child(sv, c));
		return;
	case MSG_APPLY_COMMAND:
		if (c->id != CHILD_APPLIER || msg_payload_empty(chan, m) == -1)
			break;
		command_run(sv);
		return;
	case MSG_RELOAD:
		if (c->id != CHILD_FETCHER || msg_payload_empty(chan, m) == -1)
			break;
		log_info("reload requested through the control socket");
		supervisor_reload(sv, m->hdr.peerid);
		return;
	case MSG_SET_LOG_LEVEL:
		/* The fetcher faces the network: its value is checked here. */
		if (c->id != CHILD_FETCHER || msg_payload(chan, m, &level,
		    sizeof(level)) == -1 || level.level < LOG_LEVEL_ERROR ||
		    level.level > LOG_LEVEL_DEBUG)
			break;
		proc_set_log_level(sv, level.level);
		return;
	default:
		log_warnx("%s sent an unexpected %s", c->name,
		    msg_type_name(m->hdr.type));
		break;
	}
	/* A child breaking the protocol is our bug or compromised: restart it. */
	msgchan_close(chan);
	proc_signal(c, SIGKILL);
}

static void
proc_channel_closed(struct msgchan *chan, int malformed, void *arg)
{
	struct child	*c = arg;

	(void)chan;
	if (malformed) {
		log_warnx("%s broke the message framing; restarting it",
		    c->name);
		proc_signal(c, SIGKILL);
	}
}

/*
 * A signal the kernel refuses (a bounding set without CAP_KILL cannot reach
 * the fetcher's uid) leaves the child running: say so.
 */
static void
proc_signal(const struct child *c, int sig)
{
	if (c->pid != 0 && kill(c->pid, sig) == -1 && errno != ESRCH)
		log_warn("cannot send SIG%s to the %s (pid %d)",
		    sigabbrev_np(sig), c->name, (int)c->pid);
}

/* Stops a child on purpose (reload, hostile peer); it comes back at once. */
void
proc_restart(struct supervisor *sv, struct child *c)
{
	(void)sv;
	if (c->pid == 0)
		return;
	c->restart_now = 1;
	proc_signal(c, SIGTERM);
}

static int
count_recent_death(struct supervisor *sv, time_t now)
{
	size_t	i, recent = 0;

	sv->deaths[sv->ndeaths++ % DEATHS_MAX] = now;
	for (i = 0; i < DEATHS_MAX && i < sv->ndeaths; i++)
		if (now - sv->deaths[i] < DEATHS_WINDOW)
			recent++;
	return recent >= DEATHS_MAX;
}

static void
schedule_restart(struct supervisor *sv, struct child *c)
{
	struct timeval	delay = { 0, 0 };
	time_t		now = time(NULL);

	if (c->restart_now) {
		proc_start(sv, c);
		return;
	}
	if (count_recent_death(sv, now)) {
		log_error("%d deaths within %d s; stopping", DEATHS_MAX,
		    DEATHS_WINDOW);
		supervisor_shutdown(sv, 1);
		return;
	}
	/* A child that lived past the window starts its backoff afresh. */
	if (now - c->started >= DEATHS_WINDOW)
		c->restart_delay = RESTART_DELAY_MIN;
	delay.tv_sec = c->restart_delay;
	log_warnx("restarting %s in %d s", c->name, c->restart_delay);
	notify_status("%s died; restarting it in %d s", c->name,
	    c->restart_delay);
	if (c->restart_delay < RESTART_DELAY_MAX)
		c->restart_delay = MIN(c->restart_delay * 2, RESTART_DELAY_MAX);
	evtimer_add(c->restart_ev, &delay);
}

static void
proc_restart_due(evutil_socket_t fd, short events, void *arg)
{
	struct child	*c = arg;

	(void)fd;
	(void)events;
	if (!c->sv->stopping)
		proc_start(c->sv, c);
}

/* A child stopped on purpose that went as asked is no failure. */
static void
log_exit(const struct supervisor *sv, const struct child *c, int status)
{
	int	asked = sv->stopping || c->restart_now;

	if (asked && ((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
	    (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM)))
		log_info("%s (pid %d) stopped", c->name, (int)c->pid);
	else if (WIFSIGNALED(status))
		log_warnx("%s (pid %d) killed by signal %d (%s)", c->name,
		    (int)c->pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) != 0)
		log_warnx("%s (pid %d) exited with status %d", c->name,
		    (int)c->pid, WEXITSTATUS(status));
	else
		log_info("%s (pid %d) exited", c->name, (int)c->pid);
}

static struct child *
child_by_pid(struct supervisor *sv, pid_t pid)
{
	int	id;

	for (id = 0; id < CHILD_COUNT; id++)
		if (sv->children[id].pid == pid)
			return &sv->children[id];
	return NULL;
}

void
proc_reap(struct supervisor *sv)
{
	struct child	*c;
	pid_t		 pid;
	int		 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((c = child_by_pid(sv, pid)) == NULL) {
			command_reaped(sv, pid, status);
			continue;
		}
		log_exit(sv, c, status);
		c->pid = 0;
		c->ready = 0;
		msgchan_close(&c->chan);
		if (!sv->stopping)
			schedule_restart(sv, c);
	}
	if (sv->stopping && !proc_running(sv))
		event_base_loopexit(sv->base, NULL);
}

int
proc_running(const struct supervisor *sv)
{
	int	id;

	for (id = 0; id < CHILD_COUNT; id++)
		if (sv->children[id].pid != 0)
			return 1;
	return 0;
}

static void
proc_stop_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct supervisor	*sv = arg;
	int			 id;

	(void)fd;
	(void)events;
	for (id = 0; id < CHILD_COUNT; id++) {
		if (sv->children[id].pid == 0)
			continue;
		log_warnx("%s did not stop within %d s; killing it",
		    sv->children[id].name, STOP_TIMEOUT);
		proc_signal(&sv->children[id], SIGKILL);
	}
}

void
proc_stop_all(struct supervisor *sv)
{
	struct timeval	timeout = { STOP_TIMEOUT, 0 };
	int		id;

	for (id = 0; id < CHILD_COUNT; id++) {
		evtimer_del(sv->children[id].restart_ev);
		proc_signal(&sv->children[id], SIGTERM);
	}
	if ((sv->stop_ev = evtimer_new(sv->base, proc_stop_timeout, sv)) ==
	    NULL || evtimer_add(sv->stop_ev, &timeout) == -1)
		fatalx("cannot arm the stop timer");
}
