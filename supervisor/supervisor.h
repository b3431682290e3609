/* SPDX-License-Identifier: ISC */
/* The supervisor's state, shared by its files. */
#ifndef MULTINIC_SUPERVISOR_H
#define MULTINIC_SUPERVISOR_H

#include <sys/types.h>

#include <limits.h>
#include <time.h>

#include "config.h"
#include "msg.h"

#define DEATHS_MAX		5	/* deaths within DEATHS_WINDOW stop everything */
#define DEATHS_WINDOW		60	/* seconds */
#define RESTART_DELAY_MIN	1	/* seconds */
#define RESTART_DELAY_MAX	60
#define STOP_TIMEOUT		4	/* seconds before SIGKILL; exit within 5 s */

enum child_id { CHILD_FETCHER, CHILD_APPLIER, CHILD_COUNT };

struct supervisor;
struct apply_command;

/* What loading the configuration found: the reload's answer quotes it. */
struct load_report {
	int		to_stderr;	/* multinicd -n, or start-up */
	int		errors;
	char		first_error[RELOAD_MESSAGE_MAX];
};

struct child {
	struct supervisor *sv;
	enum child_id	 id;
	const char	*name;		/* "fetcher" */
	char		 path[PATH_MAX];
	pid_t		 pid;		/* 0: not running */
	time_t		 started;
	int		 restart_delay;	/* seconds; doubles per early death */
	int		 restart_now;	/* stopped on purpose: no backoff */
	int		 ready;		/* sent MSG_READY since its start */
	int		 pending_peer_fd;	/* channel end kept for its next start */
	struct msgchan	 chan;
	struct event	*restart_ev;
	struct bufferevent *log_bev;	/* its stderr, when daemonized */
};

struct supervisor {
	struct event_base	*base;
	struct config		 conf;
	struct config_secret	 secret;
	const char		*conf_file;
	int			 conf_required;	/* -f given */
	int			 foreground;
	int			 verbose;
	int			 check_only;	/* -n */
	uid_t			 privsep_uid;
	gid_t			 privsep_gid;
	int			 lock_fd;
	int			 node_lock_fd;	/* listening, accepts to close */
	struct event		*node_lock_ev;
	int			 control_fd;
	int			 http_fd;		/* -1 when HEALTH_PORT=0 */
	int			 stopping;
	int			 ready_notified;	/* READY=1 sent to systemd */
	int			 exit_status;
	time_t			 deaths[DEATHS_MAX];	/* ring of recent deaths */
	size_t			 ndeaths;
	struct child		 children[CHILD_COUNT];
	struct event		*stop_ev;
	struct apply_command	*command;	/* APPLY_COMMAND, when running */
};

/* reload.c: request is a MSG_RELOAD's peerid to answer, 0 for SIGHUP. */
void	supervisor_reload(struct supervisor *, uint32_t request);

/* supervisor.c */
int	supervisor_load_config(struct supervisor *, struct config *,
	    struct config_secret *, struct load_report *, uid_t *privsep_uid,
	    gid_t *privsep_gid, struct config_sources *);
void	supervisor_shutdown(struct supervisor *, int status);

/* proc.c */
void	proc_init(struct supervisor *);
void	proc_start(struct supervisor *, struct child *);
void	proc_reap(struct supervisor *);
void	proc_stop_all(struct supervisor *);
void	proc_restart(struct supervisor *, struct child *);
void	proc_send_config(struct supervisor *, struct child *);
void	proc_send_listeners(struct supervisor *);
int	proc_running(const struct supervisor *);

/* listen.c */
int	listen_lock(const char *state_dir, char *why, size_t whylen);
int	listen_lock_record_pid(int);
int	listen_node_lock(char *why, size_t whylen);
int	listen_node_lock_ready(int);
int	listen_control(const struct config *, gid_t group);
int	listen_http(const struct config *);

/* command.c */
void	command_run(struct supervisor *);
void	command_reaped(struct supervisor *, pid_t, int status);

/* notify.c */
void	notify_child_ready(struct supervisor *);
void	notify_reloading(struct supervisor *);
void	notify_reloaded(struct supervisor *, const char *outcome);
void	notify_status(const char *, ...) __attribute__((format(printf, 1, 2)));
void	notify_stopping(void);

/* childlog.c */
int	childlog_pipe(struct supervisor *, struct child *, int *write_end);
void	childlog_close(struct child *);

#endif
