/* SPDX-License-Identifier: ISC */
/*
 * SIGHUP: re-read the configuration. An invalid one keeps the old; a change
 * to a key a child's sandbox was built from restarts that child; listeners
 * whose keys changed are re-opened and handed to the fetcher.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "supervisor.h"

#define CHANGED(a, b, field)	\
	(memcmp(&(a)->field, &(b)->field, sizeof((a)->field)) != 0)

static int
fetcher_sandbox_changed(const struct config *old, const struct config *new)
{
	return CHANGED(old, new, privsep_user) ||
	    CHANGED(old, new, state_dir) ||
	    CHANGED(old, new, db_socket) ||
	    CHANGED(old, new, db_tls_ca) ||
	    CHANGED(old, new, landlock);
}

static int
applier_sandbox_changed(const struct config *old, const struct config *new)
{
	return CHANGED(old, new, config_root) ||
	    CHANGED(old, new, state_dir) ||
	    CHANGED(old, new, os_type) ||
	    CHANGED(old, new, landlock);
}

/*
 * The lock follows STATE_DIR: one multinicd per directory, so a directory
 * another instance holds refuses the reload.
 */
static int
move_lock(struct supervisor *sv, const struct config *old,
    const struct config *new, char *reason, size_t reasonlen)
{
	char	why[PATH_MAX + 64];
	int	fd;

	if (!CHANGED(old, new, state_dir))
		return 0;
	if ((fd = listen_lock(new->state_dir, why, sizeof(why))) == -1) {
		log_warnx("STATE_DIR %s: %s", new->state_dir, why);
		return errorf(reason, reasonlen, "reload failed: STATE_DIR"
		    " %s: %s", new->state_dir, why);
	}
	/* Emptied, as at exit: no rc script takes it for a crashed daemon's. */
	if (ftruncate(sv->lock_fd, 0) == -1)
		log_warn("cannot empty %s/multinicd.lock", old->state_dir);
	close(sv->lock_fd);
	sv->lock_fd = fd;
	return 0;
}

/* Opens the new listener first: on failure the old one stays. */
static void
reopen_control(struct supervisor *sv, const struct config *old)
{
	int	fd;

	if (!CHANGED(old, &sv->conf, control_socket)) {
		/* A new PRIVSEP_USER's group reads status from now on. */
		if (chown(sv->conf.control_socket, 0, sv->privsep_gid) == -1)
			log_warn("chown %s", sv->conf.control_socket);
		return;
	}
	if ((fd = listen_control(&sv->conf, sv->privsep_gid)) == -1) {
		log_warnx("keeping control socket %s", old->control_socket);
		memcpy(sv->conf.control_socket, old->control_socket,
		    sizeof(old->control_socket));
		return;
	}
	close(sv->control_fd);
	unlink(old->control_socket);
	sv->control_fd = fd;
}

/*
 * The new listener is opened beside the old when it can be; when the old
 * one holds the port, it is closed first, and reopened if the new one still
 * cannot bind. A listener that failed earlier is retried.
 */
static void
reopen_http(struct supervisor *sv, const struct config *old)
{
	int	fd;

	if (!CHANGED(old, &sv->conf, health_addr) &&
	    !CHANGED(old, &sv->conf, health_port) &&
	    (sv->http_fd != -1 || sv->conf.health_port == 0))
		return;
	if ((fd = listen_http(&sv->conf)) == -1 && sv->conf.health_port != 0 &&
	    sv->http_fd != -1) {
		close(sv->http_fd);
		sv->http_fd = -1;
		if ((fd = listen_http(&sv->conf)) == -1) {
			log_warnx("keeping HTTP on %s port %u",
			    old->health_addr, old->health_port);
			memcpy(sv->conf.health_addr, old->health_addr,
			    sizeof(old->health_addr));
			sv->conf.health_port = old->health_port;
			fd = listen_http(&sv->conf);
		}
	}
	if (sv->http_fd != -1)
		close(sv->http_fd);
	sv->http_fd = fd;
}

/*
 * multinicctl reload waits for this answer. It goes out before a fetcher the
 * reload restarts is stopped, flushed so that the fetcher finds it when it
 * drains its channel on SIGTERM.
 */
static void
answer_reload(struct supervisor *sv, uint32_t request, int ok,
    int restarting_fetcher, const char *fmt, ...)
{
	struct child		*f = &sv->children[CHILD_FETCHER];
	struct msg_reload_result result = { .ok = ok };
	va_list			 ap;

	if (request == 0 || !msgchan_is_open(&f->chan))
		return;
	va_start(ap, fmt);
	vsnprintf(result.message, sizeof(result.message), fmt, ap);
	va_end(ap);
	if (msg_compose(&f->chan, MSG_RELOAD_RESULT, request, -1, &result,
	    sizeof(result)) == -1)
		log_warn("cannot answer the reload request");
	else if (restarting_fetcher && msgchan_flush(&f->chan) == -1)
		log_warn("cannot hand the reload's answer to the fetcher");
}

/* Loads and checks the new configuration; why says what was wrong. */
static int
load_new(struct supervisor *sv, struct config *conf,
    struct config_secret *secret, uid_t *uid, gid_t *gid, char *why,
    size_t whylen)
{
	struct load_report	report = { .to_stderr = 0 };

	if (supervisor_load_config(sv, conf, secret, &report, uid, gid,
	    NULL) == 0)
		return move_lock(sv, &sv->conf, conf, why, whylen);
	if (report.errors > 1)
		return errorf(why, whylen, "config file has errors, reload"
		    " failed: %s (and %d more in the log)",
		    report.first_error, report.errors - 1);
	return errorf(why, whylen, "config file has errors, reload failed:"
	    " %s", report.first_error);
}

void
supervisor_reload(struct supervisor *sv, uint32_t request)
{
	struct config		new_conf, old_conf;
	struct config_secret	new_secret;
	char			why[RELOAD_MESSAGE_MAX];
	uid_t			uid;
	gid_t			gid;
	int			restart_fetcher, restart_applier;

	log_info("reloading the configuration");
	notify_reloading(sv);
	if (load_new(sv, &new_conf, &new_secret, &uid, &gid, why,
	    sizeof(why)) == -1) {
		explicit_bzero(&new_secret, sizeof(new_secret));
		log_warnx("configuration invalid; keeping the running one");
		answer_reload(sv, request, 0, 0, "%s; the running configuration"
		    " stays", why);
		notify_reloaded(sv, "configuration invalid; keeping the running"
		    " one (multinicd -n says why)");
		return;
	}
	old_conf = sv->conf;
	sv->conf = new_conf;
	sv->privsep_uid = uid;
	sv->privsep_gid = gid;
	explicit_bzero(&sv->secret, sizeof(sv->secret));
	sv->secret = new_secret;
	explicit_bzero(&new_secret, sizeof(new_secret));
	log_setlevel(sv->conf.log_level);
	log_setformat(sv->conf.log_format);

	restart_fetcher = fetcher_sandbox_changed(&old_conf, &sv->conf);
	restart_applier = applier_sandbox_changed(&old_conf, &sv->conf);
	reopen_control(sv, &old_conf);
	reopen_http(sv, &old_conf);

	/* The one line that says a reload is over and what it did. */
	snprintf(why, sizeof(why), "configuration reloaded; fetcher %s,"
	    " applier %s", restart_fetcher ? "restarted" : "kept",
	    restart_applier ? "restarted" : "kept");
	/* A kept fetcher has the new configuration before the answer. */
	if (restart_fetcher) {
		answer_reload(sv, request, 1, 1, "%s", why);
		proc_restart(sv, &sv->children[CHILD_FETCHER]);
	} else {
		proc_send_config(sv, &sv->children[CHILD_FETCHER]);
		proc_send_listeners(sv);
		answer_reload(sv, request, 1, 0, "%s", why);
	}
	if (restart_applier)
		proc_restart(sv, &sv->children[CHILD_APPLIER]);
	else
		proc_send_config(sv, &sv->children[CHILD_APPLIER]);
	log_info("%s", why);
	notify_reloaded(sv, why);
}
