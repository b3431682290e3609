/* SPDX-License-Identifier: ISC */
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

#include "caps.h"
#include "config.h"
#include "log.h"
#include "osdetect.h"
#include "supervisor.h"

extern char **environ;

#define USAGE	"usage: multinicd [-dhnVv] [-f file]\n"

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, USAGE);
	exit(2);
}

static void
report_problem(void *arg, enum config_severity severity, const char *message)
{
	struct load_report	*report = arg;

	if (severity == CONFIG_ERROR && report->errors++ == 0)
		strlcpy(report->first_error, message,
		    sizeof(report->first_error));
	if (report->to_stderr)
		fprintf(stderr, "multinicd: %s: %s\n",
		    severity == CONFIG_ERROR ? "error" : "warning", message);
	else if (severity == CONFIG_ERROR)
		log_warnx("configuration: %s", message);
	else
		log_info("configuration: %s", message);
}

static int
check_privsep_user(const struct config *conf, struct load_report *report,
    uid_t *uid, gid_t *gid)
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
	report_problem(report, CONFIG_ERROR, message);
	return 1;
}

/* The children get a concrete format: auto is resolved here, once. */
static int
resolve_os_type(struct config *conf, struct load_report *report,
    struct config_sources *sources)
{
	char	why[512];
	int	os_type;

	if (conf->os_type != OS_TYPE_AUTO)
		return 0;
	if ((os_type = os_detect(conf->config_root, why, sizeof(why))) == -1) {
		report_problem(report, CONFIG_ERROR, why);
		return 1;
	}
	conf->os_type = os_type;
	if (sources != NULL)
		config_source_note(sources, "OS_TYPE", "auto: detected from"
		    " CONFIG_ROOT/etc/os-release");
	return 0;
}

/*
 * Loads the configuration into conf/secret without touching the running one.
 * Returns the number of errors, each reported.
 */
int
supervisor_load_config(struct supervisor *sv, struct config *conf,
    struct config_secret *secret, struct load_report *report,
    uid_t *privsep_uid, gid_t *privsep_gid, struct config_sources *sources)
{
	int	errors;

	errors = config_load_sources(conf, secret, sv->conf_file,
	    sv->conf_required, environ, report_problem, report, sources);
	if (errors == 0)
		errors += check_privsep_user(conf, report, privsep_uid,
		    privsep_gid);
	if (errors == 0)
		errors += resolve_os_type(conf, report, sources);
	/* With -n, -v means "print the configuration", not debug logging. */
	if (errors == 0 && sv->verbose && !sv->check_only)
		conf->log_level = LOG_LEVEL_DEBUG;
	/*
	 * The children share our stderr but not our environment: they learn
	 * from us that it is the journal's.
	 */
	if (errors == 0 && !sv->check_only && sv->foreground &&
	    conf->log_format == LOG_FORMAT_AUTO && log_stderr_is_journal())
		conf->log_format = LOG_FORMAT_JOURNAL;
	return errors;
}

/* A missing default file is fine, but say so: a typo in -f is an error. */
static int
conf_file_missing(const struct supervisor *sv)
{
	return !sv->conf_required && access(sv->conf_file, F_OK) == -1 &&
	    errno == ENOENT;
}

void
supervisor_shutdown(struct supervisor *sv, int status)
{
	if (sv->stopping)
		return;
	sv->stopping = 1;
	sv->exit_status = status;
	notify_stopping();
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
	supervisor_reload(arg, 0);
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
parse_args(struct supervisor *sv, int argc, char *argv[])
{
	int	ch;

	sv->conf_file = CONFIG_DEFAULT_FILE;
	while ((ch = getopt(argc, argv, "df:hnVv")) != -1) {
		switch (ch) {
		case 'd':
			sv->foreground = 1;
			break;
		case 'f':
			sv->conf_file = optarg;
			sv->conf_required = 1;
			break;
		case 'h':
			printf(USAGE);
			exit(0);
		case 'n':
			sv->check_only = 1;
			break;
		case 'V':
			printf("multinicd %s\n", MULTINIC_VERSION);
			exit(0);
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

/*
 * -n: every problem on stderr, never a connection to the database. With -v
 * the whole configuration on stdout too, each key with where it came from.
 */
static int
check_configuration(struct supervisor *sv)
{
	struct load_report	 report = { .to_stderr = 1 };
	struct config_sources	*sources = NULL;

	if (sv->verbose && (sources = calloc(1, sizeof(*sources))) == NULL)
		fatal("calloc");
	if (conf_file_missing(sv))
		fprintf(stderr, "multinicd: no %s; using the defaults and the"
		    " environment\n", sv->conf_file);
	if (supervisor_load_config(sv, &sv->conf, &sv->secret, &report,
	    &sv->privsep_uid, &sv->privsep_gid, sources) != 0) {
		free(sources);
		return 1;
	}
	if (sources != NULL)
		config_print(stdout, &sv->conf, &sv->secret, sources);
	explicit_bzero(&sv->secret, sizeof(sv->secret));
	free(sources);
	fprintf(stderr, "multinicd: configuration OK\n");
	return fflush(stdout) == 0 ? 0 : 1;
}

/*
 * Whatever started us. Effective: CAP_CHOWN (the control socket goes to the
 * fetcher's group), CAP_KILL (signalling the fetcher, another uid) and
 * CAP_NET_BIND_SERVICE (a HEALTH_PORT below 1024). Permitted only, for the
 * children: under no_new_privs (systemd's NoNewPrivileges=, a container's)
 * an exec gets no capability its parent has not permitted: CAP_NET_ADMIN
 * (applier), CAP_SETUID and CAP_SETGID (the fetcher's drop) and CAP_SETPCAP
 * (both empty their bounding sets). The bounding set is left as given: it
 * is all an APPLY_COMMAND can have, the operator's choice.
 */
static void
supervisor_caps_limit(void)
{
	uint64_t	own, children;

	own = CAPS_BIT(CAP_CHOWN) | CAPS_BIT(CAP_KILL) |
	    CAPS_BIT(CAP_NET_BIND_SERVICE);
	children = CAPS_BIT(CAP_NET_ADMIN) | CAPS_BIT(CAP_SETUID) |
	    CAPS_BIT(CAP_SETGID) | CAPS_BIT(CAP_SETPCAP);
	caps_limit(CAPS_ALL, own | children, own);
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
	struct load_report	 report = { .to_stderr = 1 };
	char			 why[PATH_MAX + 64];

	memset(&sv, 0, sizeof(sv));
	sv.control_fd = sv.http_fd = sv.lock_fd = sv.node_lock_fd = -1;
	parse_args(&sv, argc, argv);
	if (sv.check_only)
		return check_configuration(&sv);

	if (geteuid() != 0)
		fatalx("must run as root");
	supervisor_caps_limit();
	if (supervisor_load_config(&sv, &sv.conf, &sv.secret, &report,
	    &sv.privsep_uid, &sv.privsep_gid, NULL) != 0)
		fatalx("invalid configuration; run multinicd -n for every"
		    " problem");
	log_init("supervisor", LOG_DEST_STDERR, sv.conf.log_format,
	    sv.conf.log_level);
	if (conf_file_missing(&sv))
		log_info("no %s; using the defaults and the environment",
		    sv.conf_file);
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
