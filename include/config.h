/* SPDX-License-Identifier: ISC */
/*
 * Daemon configuration: KEY=VALUE file, then environment overrides
 * (doc/architecture.md, 5.1). struct config crosses the socketpair, so it has
 * fixed-size fields and no pointers.
 */
#ifndef MULTINIC_CONFIG_H
#define MULTINIC_CONFIG_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define CONFIG_DEFAULT_FILE	"/etc/multinic/multinicd.conf"

#define CONFIG_HOSTS_MAX	512	/* DB_HOST failover list */
#define CONFIG_NAME_MAX		128	/* user, database, node and user names */
#define CONFIG_PATH_MAX		256	/* paths other than sockets */
#define CONFIG_SOCKPATH_MAX	108	/* sizeof(sun_path) */
#define CONFIG_ADDR_MAX		64
#define CONFIG_LIST_MAX		512	/* PROTECTED_INTERFACES, APPLY_COMMAND */
#define CONFIG_SECRET_MAX	256
#define CONFIG_DESTINATIONS_MAX	16	/* PROTECTED_DESTINATIONS entries */
#define CONFIG_DB_HOSTS_MAX	16	/* DB_HOST entries */
#define CONFIG_DNS_NAME_MAX	254	/* a DNS name's 253 bytes, and a NUL */

enum db_tls_mode { DB_TLS_OFF, DB_TLS_ON, DB_TLS_VERIFY };
enum os_type {
	OS_TYPE_AUTO, OS_TYPE_NETPLAN, OS_TYPE_IFCFG, OS_TYPE_WICKED,
	OS_TYPE_NETWORKMANAGER
};
enum apply_mode { APPLY_MODE_NETLINK, APPLY_MODE_COMMAND, APPLY_MODE_FILES };
/* SOURCE_ROUTING_GATEWAY: the default route of a NIC's own table. */
enum source_routing_gateway { SOURCE_ROUTING_GATEWAY_FIRST,
    SOURCE_ROUTING_GATEWAY_NONE };
/*
 * SOURCE_ROUTING_TABLE_BASE: multinic0..9 use BASE..BASE+9, which must miss
 * the kernel's tables 0 and 253-255 and fit in 31 bits.
 */
#define CONFIG_TABLE_BASE_MAX	(INT32_MAX - 9)
/* Ordered by verbosity, so "level >= LOG_LEVEL_INFO" reads naturally. */
enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
/*
 * JOURNAL is no LOG_FORMAT value: auto becomes it when stderr is the
 * journal's stream, and the supervisor hands it to the children.
 */
enum log_format {
	LOG_FORMAT_AUTO, LOG_FORMAT_JSON, LOG_FORMAT_TEXT, LOG_FORMAT_JOURNAL
};

/* LANDLOCK: what a child does when the kernel refuses Landlock. */
enum landlock_policy {
	LANDLOCK_BEST_EFFORT,	/* warn, report it, run without */
	LANDLOCK_REQUIRED,	/* refuse to run */
};

/* One DB_HOST entry, parsed once here for everyone who connects. */
struct config_db_host {
	char		name[CONFIG_DNS_NAME_MAX];	/* IPv6 without [] */
	uint16_t	port;		/* 0: DB_PORT */
};

struct config {
	char		db_host[CONFIG_HOSTS_MAX];	/* as written, normalised */
	struct config_db_host db_hosts[CONFIG_DB_HOSTS_MAX];
	uint32_t	ndb_hosts;	/* entries of db_host, parsed */
	uint16_t	db_port;
	char		db_user[CONFIG_NAME_MAX];
	char		db_password_file[CONFIG_PATH_MAX];
	char		db_name[CONFIG_NAME_MAX];
	char		db_socket[CONFIG_SOCKPATH_MAX];
	int32_t		db_tls;			/* enum db_tls_mode */
	char		db_tls_ca[CONFIG_PATH_MAX];
	uint32_t	db_connect_timeout_ms;
	int32_t		db_soft_delete;
	char		node_name[CONFIG_NAME_MAX];	/* empty: uname(2) */
	uint32_t	poll_interval_ms;
	uint32_t	backoff_max_interval_ms;
	double		backoff_multiplier;
	int32_t		log_level;		/* enum log_level */
	int32_t		log_format;		/* enum log_format */
	char		health_addr[CONFIG_ADDR_MAX];
	uint16_t	health_port;		/* 0: HTTP off */
	char		control_socket[CONFIG_SOCKPATH_MAX];
	int32_t		os_type;		/* enum os_type */
	char		config_root[CONFIG_PATH_MAX];
	char		state_dir[CONFIG_PATH_MAX];
	int32_t		apply_mode;		/* enum apply_mode */
	char		apply_command[CONFIG_LIST_MAX];
	uint32_t	verify_timeout_ms;
	char		protected_interfaces[CONFIG_LIST_MAX];
	/* IPv4 addresses, comma-separated, at most CONFIG_DESTINATIONS_MAX. */
	char		protected_destinations[CONFIG_LIST_MAX];
	uint32_t	min_prefix_len;		/* shortest row prefix applied */
	uint32_t	delete_max_per_cycle;
	uint32_t	delete_grace_ms;
	char		privsep_user[CONFIG_NAME_MAX];
	int32_t		dry_run;
	int32_t		landlock;		/* enum landlock_policy */
	uint32_t	hotplug_poll_interval_ms;	/* 0: no fast polls */
	uint32_t	hotplug_poll_window_ms;
	int32_t		source_routing;		/* 0 off, 1 on */
	int32_t		source_routing_gateway;	/* enum source_routing_gateway */
	uint32_t	source_routing_table_base;
};

/* Kept apart from struct config so the password only ever goes to the fetcher. */
struct config_secret {
	char		db_password[CONFIG_SECRET_MAX];
};

#define CONFIG_KEYS_MAX		64
#define CONFIG_SOURCE_MAX	(CONFIG_PATH_MAX + 16)

/*
 * Where each key's value came from, for "multinicd -n -v": "default",
 * "FILE:LINE", "environment", or a note the caller sets (such as the
 * detected OS_TYPE). Indexed like the loader's key table.
 */
struct config_sources {
	char		where[CONFIG_KEYS_MAX][CONFIG_SOURCE_MAX];
};

enum config_severity { CONFIG_WARNING, CONFIG_ERROR };

/* Receives every problem found, so "multinicd -n" can list them all. */
typedef void (*config_report_fn)(void *arg, enum config_severity severity,
    const char *message);

void	config_defaults(struct config *);

/*
 * Loads file (a missing file is fine only when !file_required), then the
 * KEY=VALUE pairs of envp override it, then DB_PASSWORD_FILE is read.
 * Returns the number of errors; conf and secret are only meaningful when it
 * returns 0.
 */
int	config_load(struct config *conf, struct config_secret *secret,
	    const char *file, int file_required, char *const envp[],
	    config_report_fn report, void *arg);

/* config_load(), and where each value came from into sources. */
int	config_load_sources(struct config *conf, struct config_secret *secret,
	    const char *file, int file_required, char *const envp[],
	    config_report_fn report, void *arg, struct config_sources *sources);

/* Replaces the source recorded for key (one of the table's names). */
void	config_source_note(struct config_sources *, const char *key,
	    const char *note);

/*
 * Every key as a KEY=VALUE line, with its source as a comment; secrets
 * masked. The output reads back as a configuration file.
 */
void	config_print(FILE *fp, const struct config *conf,
	    const struct config_secret *secret,
	    const struct config_sources *sources);

/*
 * Parses "500ms", "30s", "1.5m", "1h", "1m30s" or a bare number of
 * seconds.
 */
int	config_parse_duration(const char *text, uint32_t *ms);

const char	*config_log_level_name(int level);
int		 config_parse_log_level(const char *text);	/* -1 if bad */
const char	*config_os_type_name(int os_type);	/* "unknown" if bad */

#endif
