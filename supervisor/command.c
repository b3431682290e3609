/* SPDX-License-Identifier: ISC */
/*
 * APPLY_MODE=command: the supervisor runs APPLY_COMMAND when the applier
 * asks, outside the applier's seccomp filter (which forbids execve, and is
 * inherited by anything it would start). The argv comes from the
 * supervisor's own configuration, never from the DB or the request.
 */

#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "log.h"
#include "supervisor.h"

#define COMMAND_ARGS_MAX	32
#define COMMAND_TIMEOUT		60	/* seconds */
#define COMMAND_OUTPUT_MAX	(1 << 20)	/* read at its exit, at most */

struct apply_command {
	pid_t			 pid;
	int			 rerun;		/* asked again while running */
	struct bufferevent	*output;
	struct event		*timeout;
};

static void
log_lines(struct evbuffer *buf)
{
	char	*line;
	size_t	 len;

	while ((line = evbuffer_readln(buf, &len, EVBUFFER_EOL_LF)) != NULL) {
		log_info("APPLY_COMMAND: %s", line);
		free(line);
	}
}

static void
command_output(struct bufferevent *bev, void *arg)
{
	(void)arg;
	log_lines(bufferevent_get_input(bev));
}

/*
 * At the exit: what the event loop had not read yet, and a last line
 * without a newline. Read into a buffer of its own (libevent keeps the
 * end of a bufferevent's input frozen) and without blocking: a child of
 * the command may still hold the pipe open.
 */
static void
command_output_rest(struct bufferevent *bev)
{
	struct evbuffer	*rest;
	evutil_socket_t	 fd = bufferevent_getfd(bev);
	size_t		 len, total = 0;
	int		 n;
	char		*line;

	if ((rest = evbuffer_new()) == NULL ||
	    evbuffer_add_buffer(rest, bufferevent_get_input(bev)) == -1)
		fatalx("cannot read the output of APPLY_COMMAND");
	if (fd != -1 && evutil_make_socket_nonblocking(fd) == 0)
		while (total < COMMAND_OUTPUT_MAX &&
		    (n = evbuffer_read(rest, fd, -1)) > 0) {
			total += (size_t)n;
			log_lines(rest);
		}
	log_lines(rest);
	if ((len = evbuffer_get_length(rest)) > 0) {
		if ((line = calloc(1, len + 1)) == NULL)
			fatal("calloc");
		evbuffer_remove(rest, line, len);
		log_info("APPLY_COMMAND: %s", line);
		free(line);
	}
	evbuffer_free(rest);
}

static void
command_output_closed(struct bufferevent *bev, short events, void *arg)
{
	(void)events;
	(void)arg;
	command_output(bev, NULL);
	bufferevent_disable(bev, EV_READ);
}

static void
command_timed_out(evutil_socket_t fd, short events, void *arg)
{
	struct apply_command	*cmd = arg;

	(void)fd;
	(void)events;
	log_warnx("APPLY_COMMAND still running after %d s; killing it",
	    COMMAND_TIMEOUT);
	if (kill(cmd->pid, SIGKILL) == -1 && errno != ESRCH)
		log_warn("cannot kill APPLY_COMMAND (pid %d)", (int)cmd->pid);
}

/* Blanks separate arguments; there is no shell. */
static size_t
split_argv(char *line, char *argv[COMMAND_ARGS_MAX + 1])
{
	size_t	 n = 0;
	char	*word;

	while (n < COMMAND_ARGS_MAX && (word = strsep(&line, " \t")) != NULL)
		if (*word != '\0')
			argv[n++] = word;
	argv[n] = NULL;
	return n;
}

static __attribute__((noreturn)) void
command_exec(char *argv[], int out)
{
	int	devnull;

	if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(devnull, STDIN_FILENO) == -1 ||
	    dup2(out, STDOUT_FILENO) == -1 || dup2(out, STDERR_FILENO) == -1)
		_exit(126);
	closefrom(STDERR_FILENO + 1);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	_exit(127);
}

static int
command_start(struct supervisor *sv, struct apply_command *cmd)
{
	char		 line[sizeof(sv->conf.apply_command)];
	char		*argv[COMMAND_ARGS_MAX + 1];
	struct timeval	 timeout = { COMMAND_TIMEOUT, 0 };
	int		 pipefd[2];

	strlcpy(line, sv->conf.apply_command, sizeof(line));
	if (split_argv(line, argv) == 0 || pipe2(pipefd, O_CLOEXEC) == -1)
		return -1;
	if ((cmd->pid = fork()) == -1) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (cmd->pid == 0)
		command_exec(argv, pipefd[1]);
	close(pipefd[1]);
	cmd->output = bufferevent_socket_new(sv->base, pipefd[0],
	    BEV_OPT_CLOSE_ON_FREE);
	cmd->timeout = evtimer_new(sv->base, command_timed_out, cmd);
	if (cmd->output == NULL || cmd->timeout == NULL)
		fatalx("cannot watch APPLY_COMMAND");
	bufferevent_setcb(cmd->output, command_output, NULL,
	    command_output_closed, cmd);
	bufferevent_enable(cmd->output, EV_READ);
	evtimer_add(cmd->timeout, &timeout);
	log_info("running APPLY_COMMAND (pid %d): %s", (int)cmd->pid,
	    sv->conf.apply_command);
	return 0;
}

/* One at a time: a request during a run makes one more run after it. */
void
command_run(struct supervisor *sv)
{
	if (sv->conf.apply_mode != APPLY_MODE_COMMAND) {
		log_warnx("applier asked for APPLY_COMMAND outside"
		    " APPLY_MODE=command; ignored");
		return;
	}
	if (sv->command != NULL) {
		sv->command->rerun = 1;
		return;
	}
	if ((sv->command = calloc(1, sizeof(*sv->command))) == NULL)
		fatal("calloc");
	if (command_start(sv, sv->command) == -1) {
		log_warn("cannot run APPLY_COMMAND");
		free(sv->command);
		sv->command = NULL;
	}
}

void
command_reaped(struct supervisor *sv, pid_t pid, int status)
{
	struct apply_command	*cmd = sv->command;
	int			 rerun;

	if (cmd == NULL || cmd->pid != pid)
		return;
	command_output_rest(cmd->output);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_info("APPLY_COMMAND done");
	else if (WIFEXITED(status))
		log_warnx("APPLY_COMMAND exited with status %d",
		    WEXITSTATUS(status));
	else
		log_warnx("APPLY_COMMAND killed by signal %d", WTERMSIG(status));
	rerun = cmd->rerun;
	bufferevent_free(cmd->output);
	event_free(cmd->timeout);
	free(cmd);
	sv->command = NULL;
	if (rerun && !sv->stopping)
		command_run(sv);
}
