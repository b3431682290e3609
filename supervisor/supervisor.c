/*
 * multinicd: the supervisor. Parses the configuration, holds the lock and
 * the listening sockets, starts the fetcher and the applier, restarts them
 * when they die and forwards signals. It parses nothing from the network or
 * the database.
 */

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "osdetect.h"
#include "supervisor.h"

extern char **environ;

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: multinicd [-dnv] [-f file]\n");
	exit(2);
}

static void
report_problem(void *arg, enum config_severity severity, const char *message)
{
	int	*to_stderr = arg;

	if (*to_stderr)
		fprintf(stderr, "multinicd: %s: %s\n",
		    severity == CONFIG_ERROR ? "error" : "warning", message);
	else if (severity == CONFIG_ERROR)
		log_warnx("configuration: %s", message);
	else
		log_info("configuration: %s", message);
}

static int
check_privsep_user(const struct config *conf, int to_stderr, uid_t *uid,
    gid_t *gid)
{
	struct passwd	*pw;
	char		 message[256];

	errno = 0;
	if ((pw = getpwnam(conf->privsep_user)) == NULL) {
		snprintf(message, sizeof(message), "PRIVSEP_USER: user \"%s\""
		    " does not exist (create it, e.g. with the sysusers.d file)",
		    conf->privsep_user);
	} else if (pw->pw_uid == 0) {
		snprintf(message, sizeof(message), "PRIVSEP_USER: user \"%s\""
		    " is root; the fetcher must run unprivileged",
		    conf->privsep_user);
	} else {
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
		return 0;
	}
	report_problem(&to_stderr, CONFIG_ERROR, message);
	return 1;
}

/* The children get a concrete format: auto is resolved here, once. */
static int
resolve_os_type(struct config *conf, int to_stderr)
{
	char	why[512];
	int	os_type;

	if (conf->os_type != OS_TYPE_AUTO)
		return 0;
	if ((os_type = os_detect(conf->config_root, why, sizeof(why))) == -1) {
		report_problem(&to_stderr, CONFIG_ERROR, why);
		return 1;
	}
	conf->os_type = os_type;
	return 0;
}

/*
 * Loads the configuration into conf/secret without touching the running one.
 * Returns the number of errors, each reported.
 */
int
supervisor_load_config(struct supervisor *sv, struct config *conf,
    struct config_secret *secret, int to_stderr, uid_t *privsep_uid,
    gid_t *privsep_gid)
{
	int	errors;

	errors = config_load(conf, secret, sv->conf_file, sv->conf_required,
	    environ, report_problem, &to_stderr);
	if (errors == 0)
		errors += check_privsep_user(conf, to_stderr, privsep_uid,
		    privsep_gid);
	if (errors == 0)
		errors += resolve_os_type(conf, to_stderr);
	if (errors == 0 && sv->verbose)
		conf->log_level = LOG_LEVEL_DEBUG;
	return errors;
}

void
supervisor_shutdown(struct supervisor *sv, int status)
{
	if (sv->stopping)
		return;
	sv->stopping = 1;
	sv->exit_status = status;
	proc_stop_all(sv);
	if (!proc_running(sv))
		event_base_loopexit(sv->base, NULL);
}

static void
on_terminate(evutil_socket_t sig, short events, void *arg)
{
	struct supervisor	*sv = arg;

	(void)events;
	log_info("%s received, stopping", strsignal(sig));
	supervisor_shutdown(sv, 0);
}

static void
on_child_exit(evutil_socket_t sig, short events, void *arg)
{
	(void)sig;
	(void)events;
	proc_reap(arg);
}

/*
 * SIGHUP: an invalid new configuration keeps the old one. A change to a key
 * a child's sandbox depends on restarts that child; the rest is sent on.
 */
static void
on_reload(evutil_socket_t sig, short events, void *arg)
{
	(void)sig;
	(void)events;
	log_info("SIGHUP received");
	supervisor_reload(arg);
}

static void
setup_signals(struct supervisor *sv)
{
	static const struct {
		int	 sig;
		void	(*cb)(evutil_socket_t, short, void *);
	} handlers[] = {
		{ SIGTERM, on_terminate },
		{ SIGINT, on_terminate },
		{ SIGHUP, on_reload },
		{ SIGCHLD, on_child_exit },
	};
	struct event	*ev;
	size_t		 i;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		fatal("signal(SIGPIPE)");
	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		ev = evsignal_new(sv->base, handlers[i].sig, handlers[i].cb, sv);
		if (ev == NULL || evsignal_add(ev, NULL) == -1)
			fatalx("cannot watch signal %d", handlers[i].sig);
	}
}

static void
parse_args(struct supervisor *sv, int argc, char *argv[], int *check_only)
{
	int	ch;

	sv->conf_file = CONFIG_DEFAULT_FILE;
	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd':
			sv->foreground = 1;
			break;
		case 'f':
			sv->conf_file = optarg;
			sv->conf_required = 1;
			break;
		case 'n':
			*check_only = 1;
			break;
		case 'v':
			sv->verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* -n: every problem on stderr, never a connection to the database. */
static int
check_configuration(struct supervisor *sv)
{
	if (supervisor_load_config(sv, &sv->conf, &sv->secret, 1,
	    &sv->privsep_uid, &sv->privsep_gid) != 0)
		return 1;
	explicit_bzero(&sv->secret, sizeof(sv->secret));
	fprintf(stderr, "multinicd: configuration OK\n");
	return 0;
}

/*
 * A second instance's connect, made only to learn our pid, would stay in
 * the backlog until it filled: each is accepted and closed, unread.
 */
static void
node_lock_accept(evutil_socket_t fd, short events, void *arg)
{
	int	conn;

	(void)events;
	(void)arg;
	if ((conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) != -1)
		close(conn);
}

static void
watch_node_lock(struct supervisor *sv)
{
	if ((sv->node_lock_ev = event_new(sv->base, sv->node_lock_fd,
	    EV_READ | EV_PERSIST, node_lock_accept, sv)) == NULL ||
	    event_add(sv->node_lock_ev, NULL) == -1)
		fatalx("cannot watch the node lock");
}

static void
start_logging(struct supervisor *sv)
{
	if (sv->foreground) {
		log_init("supervisor", LOG_DEST_STDERR, sv->conf.log_format,
		    sv->conf.log_level);
		if (listen_node_lock_ready(sv->node_lock_fd) == -1)
			fatal("node lock: listen");
		return;
	}
	if (daemon(0, 0) == -1)
		fatal("daemon");
	if (listen_lock_record_pid(sv->lock_fd) == -1)
		fatal("%s/multinicd.lock", sv->conf.state_dir);
	if (listen_node_lock_ready(sv->node_lock_fd) == -1)
		fatal("node lock: listen");
	log_init("supervisor", LOG_DEST_SYSLOG, sv->conf.log_format,
	    sv->conf.log_level);
}

int
main(int argc, char *argv[])
{
	struct supervisor	 sv;
	char			 why[PATH_MAX + 64];
	int			 check_only = 0;

	memset(&sv, 0, sizeof(sv));
	sv.control_fd = sv.http_fd = sv.lock_fd = sv.node_lock_fd = -1;
	parse_args(&sv, argc, argv, &check_only);
	if (check_only)
		return check_configuration(&sv);

	if (geteuid() != 0)
		fatalx("must run as root");
	if (supervisor_load_config(&sv, &sv.conf, &sv.secret, 1,
	    &sv.privsep_uid, &sv.privsep_gid) != 0)
		fatalx("invalid configuration; run multinicd -n for every"
		    " problem");
	log_init("supervisor", LOG_DEST_STDERR, sv.conf.log_format,
	    sv.conf.log_level);
	/* Before daemon(3): its fork keeps the lock's open file description. */
	if ((sv.lock_fd = listen_lock(sv.conf.state_dir, why,
	    sizeof(why))) == -1)
		fatalx("%s", why);
	if ((sv.node_lock_fd = listen_node_lock(why, sizeof(why))) == -1)
		fatalx("%s", why);
	sv.control_fd = listen_control(&sv.conf, sv.privsep_gid);
	sv.http_fd = listen_http(&sv.conf);
	if (sv.control_fd == -1 || (sv.conf.health_port != 0 &&
	    sv.http_fd == -1))
		fatalx("cannot open the listening sockets");
	start_logging(&sv);

	if ((sv.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	setup_signals(&sv);
	watch_node_lock(&sv);
	proc_init(&sv);
	proc_start(&sv, &sv.children[CHILD_FETCHER]);
	proc_start(&sv, &sv.children[CHILD_APPLIER]);
	setproctitle("-multinicd: supervisor");
	log_info("started, version %s", MULTINIC_VERSION);

	event_base_dispatch(sv.base);

	unlink(sv.conf.control_socket);
	/* Still locked: an empty lock file tells rc scripts "stopped cleanly". */
	if (ftruncate(sv.lock_fd, 0) == -1)
		log_warn("cannot empty %s/multinicd.lock", sv.conf.state_dir);
	explicit_bzero(&sv.secret, sizeof(sv.secret));
	log_info("stopped");
	return sv.exit_status;
}
