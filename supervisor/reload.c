/*
 * SIGHUP: re-read the configuration. An invalid one keeps the old; a change
 * to a key a child's sandbox was built from restarts that child; listeners
 * whose keys changed are re-opened and handed to the fetcher.
 */

#include <string.h>
#include <unistd.h>

#include "log.h"
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
	    CHANGED(old, new, db_password_file);
}

static int
applier_sandbox_changed(const struct config *old, const struct config *new)
{
	return CHANGED(old, new, config_root) ||
	    CHANGED(old, new, state_dir) ||
	    CHANGED(old, new, os_type);
}

/* Opens the new listener first: on failure the old one stays. */
static void
reopen_listeners(struct supervisor *sv, const struct config *old)
{
	int	fd;

	if (CHANGED(old, &sv->conf, control_socket)) {
		if ((fd = listen_control(&sv->conf, sv->privsep_gid)) == -1) {
			log_warnx("keeping control socket %s",
			    old->control_socket);
			memcpy(sv->conf.control_socket, old->control_socket,
			    sizeof(old->control_socket));
		} else {
			close(sv->control_fd);
			unlink(old->control_socket);
			sv->control_fd = fd;
		}
	}
	if (CHANGED(old, &sv->conf, health_addr) ||
	    CHANGED(old, &sv->conf, health_port)) {
		if (sv->http_fd != -1)
			close(sv->http_fd);
		/* The old port must be free before a new bind to it. */
		sv->http_fd = listen_http(&sv->conf);
	}
}

void
supervisor_reload(struct supervisor *sv)
{
	struct config		new_conf, old_conf;
	struct config_secret	new_secret;
	int			restart_fetcher, restart_applier;

	log_info("reloading the configuration");
	if (supervisor_load_config(sv, &new_conf, &new_secret, 0) != 0) {
		explicit_bzero(&new_secret, sizeof(new_secret));
		log_warnx("configuration invalid; keeping the running one");
		return;
	}
	old_conf = sv->conf;
	sv->conf = new_conf;
	explicit_bzero(&sv->secret, sizeof(sv->secret));
	sv->secret = new_secret;
	explicit_bzero(&new_secret, sizeof(new_secret));
	log_setlevel(sv->conf.log_level);
	log_setformat(sv->conf.log_format);

	restart_fetcher = fetcher_sandbox_changed(&old_conf, &sv->conf);
	restart_applier = applier_sandbox_changed(&old_conf, &sv->conf);
	reopen_listeners(sv, &old_conf);

	if (restart_fetcher)
		proc_restart(sv, &sv->children[CHILD_FETCHER]);
	else {
		proc_send_config(sv, &sv->children[CHILD_FETCHER]);
		proc_send_listeners(sv);
	}
	if (restart_applier)
		proc_restart(sv, &sv->children[CHILD_APPLIER]);
	else
		proc_send_config(sv, &sv->children[CHILD_APPLIER]);
}
