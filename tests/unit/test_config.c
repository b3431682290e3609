/* SPDX-License-Identifier: ISC */
/* Unit tests for common/config.c: defaults, every key, file and environment. */

#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#define MESSAGES_MAX	32

struct report {
	int	errors;
	int	warnings;
	int	count;
	struct {
		enum config_severity	severity;
		char			text[2048];
	} messages[MESSAGES_MAX];
};

static void
record(void *arg, enum config_severity severity, const char *message)
{
	struct report	*report = arg;

	if (severity == CONFIG_ERROR)
		report->errors++;
	else
		report->warnings++;
	if (report->count < MESSAGES_MAX) {
		report->messages[report->count].severity = severity;
		snprintf(report->messages[report->count].text,
		    sizeof(report->messages[0].text), "%s", message);
		report->count++;
	}
}

/* The first message of severity holding every needle, or NULL. */
static const char *
find_message(const struct report *report, enum config_severity severity,
    const char *needle, const char *needle2)
{
	int	i;

	for (i = 0; i < report->count; i++) {
		if (report->messages[i].severity != severity)
			continue;
		if (strstr(report->messages[i].text, needle) != NULL &&
		    (needle2 == NULL ||
		    strstr(report->messages[i].text, needle2) != NULL))
			return report->messages[i].text;
	}
	return NULL;
}

static void
dump(const struct report *report)
{
	int	i;

	for (i = 0; i < report->count; i++)
		print_message("  %s: %s\n",
		    report->messages[i].severity == CONFIG_ERROR ?
		    "error" : "warning", report->messages[i].text);
}

static void
assert_message(const struct report *report, enum config_severity severity,
    const char *needle, const char *needle2)
{
	if (find_message(report, severity, needle, needle2) == NULL) {
		print_message("no %s with \"%s\" / \"%s\" in:\n",
		    severity == CONFIG_ERROR ? "error" : "warning", needle,
		    needle2 ? needle2 : "");
		dump(report);
		fail();
	}
}

static void
temp_file(char *path, size_t size, const char *content, mode_t mode)
{
	size_t	len = strlen(content);
	int	fd;

	snprintf(path, size, "/tmp/test_config.XXXXXX");
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

/* Loads content as a mode-0600 file, with envp (may be NULL). */
static int
load(const char *content, char *const envp[], struct config *conf,
    struct config_secret *secret, struct report *report)
{
	char	path[64];
	int	errors;

	memset(report, 0, sizeof(*report));
	temp_file(path, sizeof(path), content, 0600);
	errors = config_load(conf, secret, path, 1, envp, record, report);
	unlink(path);
	assert_int_equal(errors, report->errors);
	return errors;
}

static void
load_ok(const char *content, char *const envp[], struct config *conf,
    struct config_secret *secret, struct report *report)
{
	if (load(content, envp, conf, secret, report) != 0 ||
	    report->warnings != 0) {
		print_message("unexpected problems loading \"%s\":\n", content);
		dump(report);
		fail();
	}
}

static void
test_defaults(void **state)
{
	struct config	conf;

	(void)state;
	memset(&conf, 0xa5, sizeof(conf));
	config_defaults(&conf);
	assert_string_equal(conf.db_host, "localhost");
	assert_int_equal(conf.db_port, 3306);
	assert_string_equal(conf.db_user, "multinic");
	assert_string_equal(conf.db_password_file, "");
	assert_string_equal(conf.db_name, "multinic_db");
	assert_string_equal(conf.db_socket, "");
	assert_int_equal(conf.db_tls, DB_TLS_OFF);
	assert_string_equal(conf.db_tls_ca, "");
	assert_int_equal(conf.db_connect_timeout_ms, 5000);
	assert_int_equal(conf.db_soft_delete, 0);
	assert_string_equal(conf.node_name, "");
	assert_int_equal(conf.poll_interval_ms, 30000);
	assert_int_equal(conf.backoff_max_interval_ms, 300000);
	assert_true(conf.backoff_multiplier == 2.0);
	assert_int_equal(conf.log_level, LOG_LEVEL_INFO);
	assert_int_equal(conf.log_format, LOG_FORMAT_AUTO);
	assert_string_equal(conf.health_addr, "0.0.0.0");
	assert_int_equal(conf.health_port, 8080);
	assert_string_equal(conf.control_socket,
	    "/run/multinicd/multinicd.sock");
	assert_int_equal(conf.os_type, OS_TYPE_AUTO);
	assert_string_equal(conf.config_root, "/");
	assert_string_equal(conf.state_dir, "/var/lib/multinic");
	assert_int_equal(conf.apply_mode, APPLY_MODE_NETLINK);
	assert_string_equal(conf.apply_command, "");
	assert_int_equal(conf.verify_timeout_ms, 10000);
	assert_string_equal(conf.protected_interfaces, "lo,eth0,bond*,br*,"
	    "docker*,cni*,flannel*,cali*,vxlan*,virbr*,tun*,tap*");
	assert_string_equal(conf.protected_destinations, "");
	assert_int_equal(conf.min_prefix_len, 8);
	assert_int_equal(conf.delete_max_per_cycle, 2);
	assert_int_equal(conf.delete_grace_ms, 600000);
	assert_string_equal(conf.privsep_user, "_multinic");
	assert_int_equal(conf.dry_run, 0);
}

/* An empty file and an environment of foreign keys give the defaults. */
static void
test_load_defaults(void **state)
{
	struct config		conf, defaults;
	struct config_secret	secret;
	struct report		report;
	char			*envp[] = { "PATH=/usr/bin:/bin", "HOME=/root",
				    "TERM=xterm", "LANG", NULL };

	(void)state;
	load_ok("", envp, &conf, &secret, &report);
	config_defaults(&defaults);
	assert_memory_equal(&conf, &defaults, sizeof(conf));
	assert_string_equal(secret.db_password, "");
}

enum kind { STR, U16, U32, I32, DBL };

struct good_case {
	const char	*line;
	size_t		 offset;
	enum kind	 kind;
	const char	*str;
	double		 num;
};

#define AT(f)			offsetof(struct config, f)
#define GOOD_STR(l, f, s)	{ (l), AT(f), STR, (s), 0 }
#define GOOD_NUM(l, f, k, n)	{ (l), AT(f), (k), NULL, (n) }

static const struct good_case good_cases[] = {
	GOOD_STR("DB_HOST=db1", db_host, "db1"),
	GOOD_STR("DB_HOST=db1.example.org:3307,10.0.0.2,[::1]:3308,[fe80::1]",
	    db_host, "db1.example.org:3307,10.0.0.2,[::1]:3308,[fe80::1]"),
	GOOD_STR("DB_HOST= a , b:3307 ", db_host, "a,b:3307"),
	GOOD_NUM("DB_PORT=1", db_port, U16, 1),
	GOOD_NUM("DB_PORT=65535", db_port, U16, 65535),
	GOOD_STR("DB_USER=agent", db_user, "agent"),
	/* DB_PASSWORD_FILE is read, so test_password_file covers it. */
	GOOD_STR("DB_NAME=other_db", db_name, "other_db"),
	GOOD_STR("DB_SOCKET=/run/mysqld/mysqld.sock", db_socket,
	    "/run/mysqld/mysqld.sock"),
	GOOD_NUM("DB_TLS=on", db_tls, I32, DB_TLS_ON),
	GOOD_NUM("DB_TLS=VERIFY", db_tls, I32, DB_TLS_VERIFY),
	GOOD_NUM("DB_TLS=off", db_tls, I32, DB_TLS_OFF),
	GOOD_STR("DB_TLS_CA=/etc/ssl/ca.pem", db_tls_ca, "/etc/ssl/ca.pem"),
	GOOD_NUM("DB_CONNECT_TIMEOUT=100ms", db_connect_timeout_ms, U32, 100),
	GOOD_NUM("DB_CONNECT_TIMEOUT=2", db_connect_timeout_ms, U32, 2000),
	GOOD_NUM("DB_SOFT_DELETE=true", db_soft_delete, I32, 1),
	GOOD_NUM("DB_SOFT_DELETE=Yes", db_soft_delete, I32, 1),
	GOOD_NUM("DB_SOFT_DELETE=on", db_soft_delete, I32, 1),
	GOOD_NUM("DB_SOFT_DELETE=1", db_soft_delete, I32, 1),
	GOOD_NUM("DB_SOFT_DELETE=FALSE", db_soft_delete, I32, 0),
	GOOD_NUM("DB_SOFT_DELETE=no", db_soft_delete, I32, 0),
	GOOD_NUM("DB_SOFT_DELETE=off", db_soft_delete, I32, 0),
	GOOD_NUM("DB_SOFT_DELETE=0", db_soft_delete, I32, 0),
	GOOD_STR("NODE_NAME=node1.novalocal", node_name, "node1.novalocal"),
	GOOD_STR("NODE_NAME=worker_2-a", node_name, "worker_2-a"),
	GOOD_NUM("POLL_INTERVAL=1s", poll_interval_ms, U32, 1000),
	GOOD_NUM("POLL_INTERVAL=5m", poll_interval_ms, U32, 300000),
	GOOD_NUM("BACKOFF_MAX_INTERVAL=1h", backoff_max_interval_ms, U32,
	    3600000),
	GOOD_NUM("BACKOFF_MAX_INTERVAL=30s", backoff_max_interval_ms, U32,
	    30000),
	GOOD_NUM("BACKOFF_MULTIPLIER=1", backoff_multiplier, DBL, 1),
	GOOD_NUM("BACKOFF_MULTIPLIER=1.5", backoff_multiplier, DBL, 1.5),
	GOOD_NUM("BACKOFF_MULTIPLIER=100", backoff_multiplier, DBL, 100),
	GOOD_NUM("LOG_LEVEL=debug", log_level, I32, LOG_LEVEL_DEBUG),
	GOOD_NUM("LOG_LEVEL=info", log_level, I32, LOG_LEVEL_INFO),
	GOOD_NUM("LOG_LEVEL=warn", log_level, I32, LOG_LEVEL_WARN),
	GOOD_NUM("LOG_LEVEL=error", log_level, I32, LOG_LEVEL_ERROR),
	GOOD_NUM("LOG_LEVEL=warning", log_level, I32, LOG_LEVEL_WARN),
	GOOD_NUM("LOG_LEVEL=trace", log_level, I32, LOG_LEVEL_DEBUG),
	GOOD_NUM("LOG_LEVEL=DEBUG", log_level, I32, LOG_LEVEL_DEBUG),
	GOOD_NUM("LOG_FORMAT=json", log_format, I32, LOG_FORMAT_JSON),
	GOOD_NUM("LOG_FORMAT=text", log_format, I32, LOG_FORMAT_TEXT),
	GOOD_NUM("LOG_FORMAT=auto", log_format, I32, LOG_FORMAT_AUTO),
	GOOD_STR("HEALTH_ADDR=127.0.0.1", health_addr, "127.0.0.1"),
	GOOD_STR("HEALTH_ADDR=::", health_addr, "::"),
	GOOD_STR("HEALTH_ADDR=fd00::1", health_addr, "fd00::1"),
	GOOD_NUM("HEALTH_PORT=0", health_port, U16, 0),
	GOOD_NUM("HEALTH_PORT=9090", health_port, U16, 9090),
	GOOD_STR("CONTROL_SOCKET=/tmp/m.sock", control_socket, "/tmp/m.sock"),
	GOOD_NUM("OS_TYPE=auto", os_type, I32, OS_TYPE_AUTO),
	GOOD_NUM("OS_TYPE=netplan", os_type, I32, OS_TYPE_NETPLAN),
	GOOD_NUM("OS_TYPE=ifcfg", os_type, I32, OS_TYPE_IFCFG),
	GOOD_NUM("OS_TYPE=wicked", os_type, I32, OS_TYPE_WICKED),
	GOOD_NUM("OS_TYPE=networkmanager", os_type, I32,
	    OS_TYPE_NETWORKMANAGER),
	GOOD_STR("CONFIG_ROOT=/host", config_root, "/host"),
	GOOD_STR("STATE_DIR=/var/lib/other", state_dir, "/var/lib/other"),
	GOOD_NUM("APPLY_MODE=netlink", apply_mode, I32, APPLY_MODE_NETLINK),
	GOOD_NUM("APPLY_MODE=files", apply_mode, I32, APPLY_MODE_FILES),
	GOOD_STR("APPLY_COMMAND=netplan apply", apply_command,
	    "netplan apply"),
	GOOD_NUM("VERIFY_TIMEOUT=100ms", verify_timeout_ms, U32, 100),
	GOOD_NUM("VERIFY_TIMEOUT=1m30s", verify_timeout_ms, U32, 90000),
	GOOD_STR("PROTECTED_INTERFACES=lo, eth?, ens3*", protected_interfaces,
	    "lo,eth?,ens3*"),
	GOOD_STR("PROTECTED_INTERFACES=", protected_interfaces, ""),
	GOOD_STR("PROTECTED_DESTINATIONS=10.0.0.53, 192.168.1.1",
	    protected_destinations, "10.0.0.53,192.168.1.1"),
	GOOD_STR("PROTECTED_DESTINATIONS=1.0.0.1,2.0.0.2,3.0.0.3,4.0.0.4,"
	    "5.0.0.5,6.0.0.6,7.0.0.7,8.0.0.8,9.0.0.9,10.0.0.10,11.0.0.11,"
	    "12.0.0.12,13.0.0.13,14.0.0.14,15.0.0.15,16.0.0.16",
	    protected_destinations, "1.0.0.1,2.0.0.2,3.0.0.3,4.0.0.4,"
	    "5.0.0.5,6.0.0.6,7.0.0.7,8.0.0.8,9.0.0.9,10.0.0.10,11.0.0.11,"
	    "12.0.0.12,13.0.0.13,14.0.0.14,15.0.0.15,16.0.0.16"),
	GOOD_STR("PROTECTED_DESTINATIONS=", protected_destinations, ""),
	GOOD_NUM("MIN_PREFIX_LEN=1", min_prefix_len, U32, 1),
	GOOD_NUM("MIN_PREFIX_LEN=24", min_prefix_len, U32, 24),
	GOOD_NUM("MIN_PREFIX_LEN=32", min_prefix_len, U32, 32),
	GOOD_NUM("DELETE_MAX_PER_CYCLE=1", delete_max_per_cycle, U32, 1),
	GOOD_NUM("DELETE_MAX_PER_CYCLE=10", delete_max_per_cycle, U32, 10),
	GOOD_NUM("DELETE_GRACE=0", delete_grace_ms, U32, 0),
	GOOD_NUM("DELETE_GRACE=2h", delete_grace_ms, U32, 7200000),
	GOOD_STR("PRIVSEP_USER=multinic", privsep_user, "multinic"),
	GOOD_STR("PRIVSEP_USER=svc-multinic.1$", privsep_user,
	    "svc-multinic.1$"),
	GOOD_NUM("DRY_RUN=true", dry_run, I32, 1),
	GOOD_NUM("DRY_RUN=false", dry_run, I32, 0),
	GOOD_NUM("SOURCE_ROUTING=on", source_routing, I32, 1),
	GOOD_NUM("SOURCE_ROUTING=off", source_routing, I32, 0),
	GOOD_NUM("SOURCE_ROUTING_GATEWAY=none", source_routing_gateway, I32,
	    SOURCE_ROUTING_GATEWAY_NONE),
	GOOD_NUM("SOURCE_ROUTING_GATEWAY=first", source_routing_gateway, I32,
	    SOURCE_ROUTING_GATEWAY_FIRST),
	GOOD_NUM("SOURCE_ROUTING_TABLE_BASE=1", source_routing_table_base,
	    U32, 1),
	GOOD_NUM("SOURCE_ROUTING_TABLE_BASE=243", source_routing_table_base,
	    U32, 243),
	GOOD_NUM("SOURCE_ROUTING_TABLE_BASE=256", source_routing_table_base,
	    U32, 256),
	GOOD_NUM("SOURCE_ROUTING_TABLE_BASE=2147483638",
	    source_routing_table_base, U32, 2147483638),
};

static void
check_field(const struct config *conf, const struct good_case *c)
{
	const char	*field = (const char *)conf + c->offset;
	uint16_t	 u16;
	uint32_t	 u32;
	int32_t		 i32;
	double		 dbl;

	switch (c->kind) {
	case STR:
		assert_string_equal(field, c->str);
		break;
	case U16:
		memcpy(&u16, field, sizeof(u16));
		assert_int_equal(u16, (uint16_t)c->num);
		break;
	case U32:
		memcpy(&u32, field, sizeof(u32));
		assert_int_equal(u32, (uint32_t)c->num);
		break;
	case I32:
		memcpy(&i32, field, sizeof(i32));
		assert_int_equal(i32, (int32_t)c->num);
		break;
	case DBL:
		memcpy(&dbl, field, sizeof(dbl));
		assert_true(dbl == c->num);
		break;
	}
}

static void
test_good_values(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			content[256], env[256];
	char			*envp[] = { env, NULL };
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		/* The file... */
		snprintf(content, sizeof(content), "%s\n", good_cases[i].line);
		load_ok(content, NULL, &conf, &secret, &report);
		check_field(&conf, &good_cases[i]);
		/* ...and the environment. */
		snprintf(env, sizeof(env), "%s", good_cases[i].line);
		load_ok("", envp, &conf, &secret, &report);
		check_field(&conf, &good_cases[i]);
	}
}

struct bad_case {
	const char	*line;
	const char	*key;
	const char	*reason;	/* a part of the message */
};

#define LONG32	"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define LONG64	LONG32 LONG32
#define LONG128	LONG64 LONG64
#define LONG512	LONG128 LONG128 LONG128 LONG128

static const struct bad_case bad_cases[] = {
	{ "DB_HOST=", "DB_HOST", "must not be empty" },
	{ "DB_HOST=a,,b", "DB_HOST", "empty entry" },
	{ "DB_HOST=a,b,", "DB_HOST", "empty entry" },
	{ "DB_HOST=db1:0", "DB_HOST", "port that is not in 1..65535" },
	{ "DB_HOST=db1:65536", "DB_HOST", "port that is not in" },
	{ "DB_HOST=db1:", "DB_HOST", "port that is not in" },
	{ "DB_HOST=db1:x", "DB_HOST", "port that is not in" },
	{ "DB_HOST=::1", "DB_HOST", "brackets" },
	{ "DB_HOST=[::1", "DB_HOST", "without ']'" },
	{ "DB_HOST=[db1]:3306", "DB_HOST", "IPv6" },
	{ "DB_HOST=[::1]x", "DB_HOST", "after ']'" },
	{ "DB_HOST=db 1", "DB_HOST", "not a host name" },
	{ "DB_HOST=db/1", "DB_HOST", "not a host name" },
	{ "DB_HOST=" LONG512, "DB_HOST", "the limit is 511" },
	/* Names that passed -n once and then failed every poll. */
	{ "DB_HOST=-db", "DB_HOST", "starts or ends with '-'" },
	{ "DB_HOST=db-.example", "DB_HOST", "starts or ends with '-'" },
	{ "DB_HOST=.db", "DB_HOST", "empty label" },
	{ "DB_HOST=db..example", "DB_HOST", "empty label" },
	{ "DB_HOST=db.", "DB_HOST", "empty label" },
	{ "DB_HOST=" LONG64 ".org", "DB_HOST", "label longer than 63" },
	{ "DB_HOST=" LONG32 "." LONG32 "." LONG32 "." LONG32 "." LONG32 "."
	    LONG32 "." LONG32 "." LONG32 ".org", "DB_HOST",
	    "longer than a DNS name" },
	{ "DB_HOST=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", "DB_HOST",
	    "more than 16 entries" },
	{ "DB_PORT=0", "DB_PORT", "outside 1..65535" },
	{ "DB_PORT=65536", "DB_PORT", "outside 1..65535" },
	{ "DB_PORT=33o6", "DB_PORT", "not a number" },
	{ "DB_PORT=", "DB_PORT", "not a number" },
	{ "DB_USER=", "DB_USER", "must not be empty" },
	{ "DB_USER=" LONG128, "DB_USER", "the limit is 127" },
	{ "DB_PASSWORD=" LONG128 LONG128, "DB_PASSWORD", "the limit is 255" },
	{ "DB_PASSWORD_FILE=secrets/db", "DB_PASSWORD_FILE", "absolute" },
	{ "DB_NAME=", "DB_NAME", "must not be empty" },
	{ "DB_SOCKET=mysqld.sock", "DB_SOCKET", "absolute" },
	{ "DB_SOCKET=/" LONG64 LONG64, "DB_SOCKET", "sun_path" },
	{ "DB_TLS=yes", "DB_TLS", "off, on or verify" },
	{ "DB_TLS_CA=ca.pem", "DB_TLS_CA", "absolute" },
	{ "DB_CONNECT_TIMEOUT=99ms", "DB_CONNECT_TIMEOUT",
	    "below the minimum of 100ms" },
	{ "DB_CONNECT_TIMEOUT=5x", "DB_CONNECT_TIMEOUT", "not a duration" },
	{ "DB_SOFT_DELETE=maybe", "DB_SOFT_DELETE", "true or false" },
	{ "NODE_NAME=node 1", "NODE_NAME", "not a node name" },
	{ "NODE_NAME=node/1", "NODE_NAME", "not a node name" },
	{ "NODE_NAME=" LONG128, "NODE_NAME", "the limit is 127" },
	{ "POLL_INTERVAL=0s", "POLL_INTERVAL", "below the minimum of 1s" },
	{ "POLL_INTERVAL=999ms", "POLL_INTERVAL", "below the minimum of 1s" },
	{ "POLL_INTERVAL=-30s", "POLL_INTERVAL", "not a duration" },
	{ "BACKOFF_MAX_INTERVAL=8d", "BACKOFF_MAX_INTERVAL", "not a duration" },
	{ "BACKOFF_MAX_INTERVAL=169h", "BACKOFF_MAX_INTERVAL", "168h" },
	{ "BACKOFF_MULTIPLIER=0.5", "BACKOFF_MULTIPLIER", "minimum of 1" },
	{ "BACKOFF_MULTIPLIER=101", "BACKOFF_MULTIPLIER", "maximum of 100" },
	{ "BACKOFF_MULTIPLIER=nan", "BACKOFF_MULTIPLIER", "not a number" },
	{ "BACKOFF_MULTIPLIER=inf", "BACKOFF_MULTIPLIER", "not a number" },
	{ "BACKOFF_MULTIPLIER=2x", "BACKOFF_MULTIPLIER", "not a number" },
	{ "BACKOFF_MULTIPLIER=", "BACKOFF_MULTIPLIER", "not a number" },
	{ "BACKOFF_MULTIPLIER=1e999", "BACKOFF_MULTIPLIER", "not a number" },
	{ "LOG_LEVEL=verbose", "LOG_LEVEL", "debug, info, warn or error" },
	{ "LOG_FORMAT=xml", "LOG_FORMAT", "json, text" },
	{ "HEALTH_ADDR=localhost", "HEALTH_ADDR", "IPv4 or IPv6" },
	{ "HEALTH_ADDR=1.2.3.4:80", "HEALTH_ADDR", "IPv4 or IPv6" },
	{ "HEALTH_ADDR=", "HEALTH_ADDR", "must not be empty" },
	{ "HEALTH_PORT=65536", "HEALTH_PORT", "outside 0..65535" },
	{ "HEALTH_PORT=-1", "HEALTH_PORT", "outside 0..65535" },
	{ "CONTROL_SOCKET=", "CONTROL_SOCKET", "must not be empty" },
	{ "CONTROL_SOCKET=run/m.sock", "CONTROL_SOCKET", "absolute" },
	{ "CONTROL_SOCKET=/" LONG64 LONG64, "CONTROL_SOCKET",
	    "at most 107" },
	{ "OS_TYPE=debian", "OS_TYPE", "auto, netplan, ifcfg, wicked or networkmanager" },
	{ "CONFIG_ROOT=host", "CONFIG_ROOT", "absolute" },
	{ "CONFIG_ROOT=", "CONFIG_ROOT", "must not be empty" },
	{ "STATE_DIR=var/lib", "STATE_DIR", "absolute" },
	{ "STATE_DIR=/" LONG128 LONG128, "STATE_DIR", "the limit is 255" },
	{ "APPLY_MODE=shell", "APPLY_MODE", "netlink, command or files" },
	{ "APPLY_COMMAND=" LONG512, "APPLY_COMMAND", "the limit is 511" },
	{ "VERIFY_TIMEOUT=50ms", "VERIFY_TIMEOUT", "minimum of 100ms" },
	{ "PROTECTED_INTERFACES=lo,,eth0", "PROTECTED_INTERFACES",
	    "empty entry" },
	{ "PROTECTED_INTERFACES=eth/0", "PROTECTED_INTERFACES",
	    "interface-name character" },
	{ "PROTECTED_INTERFACES=[a-z]*", "PROTECTED_INTERFACES",
	    "interface-name character" },
	{ "PROTECTED_INTERFACES=abcdefghijklmnop*", "PROTECTED_INTERFACES",
	    "never match" },
	{ "PROTECTED_DESTINATIONS=10.0.0.1,,10.0.0.2",
	    "PROTECTED_DESTINATIONS", "empty entry" },
	{ "PROTECTED_DESTINATIONS=metadata", "PROTECTED_DESTINATIONS",
	    "not an IPv4 address" },
	{ "PROTECTED_DESTINATIONS=10.0.0.0/8", "PROTECTED_DESTINATIONS",
	    "not an IPv4 address" },
	{ "PROTECTED_DESTINATIONS=fd00::1", "PROTECTED_DESTINATIONS",
	    "not an IPv4 address" },
	{ "PROTECTED_DESTINATIONS=010.0.0.1", "PROTECTED_DESTINATIONS",
	    "not an IPv4 address" },
	{ "PROTECTED_DESTINATIONS=127.0.0.1", "PROTECTED_DESTINATIONS",
	    "not a unicast address" },
	{ "PROTECTED_DESTINATIONS=224.0.0.1", "PROTECTED_DESTINATIONS",
	    "not a unicast address" },
	{ "PROTECTED_DESTINATIONS=0.0.0.0", "PROTECTED_DESTINATIONS",
	    "not a unicast address" },
	{ "PROTECTED_DESTINATIONS=1.0.0.1,2.0.0.2,3.0.0.3,4.0.0.4,5.0.0.5,"
	    "6.0.0.6,7.0.0.7,8.0.0.8,9.0.0.9,10.0.0.10,11.0.0.11,12.0.0.12,"
	    "13.0.0.13,14.0.0.14,15.0.0.15,16.0.0.16,17.0.0.17",
	    "PROTECTED_DESTINATIONS", "17 entries; the limit is 16" },
	{ "MIN_PREFIX_LEN=0", "MIN_PREFIX_LEN", "outside 1..32" },
	{ "MIN_PREFIX_LEN=33", "MIN_PREFIX_LEN", "outside 1..32" },
	{ "MIN_PREFIX_LEN=/8", "MIN_PREFIX_LEN", "not a number" },
	{ "DELETE_MAX_PER_CYCLE=0", "DELETE_MAX_PER_CYCLE", "outside 1..10" },
	{ "DELETE_MAX_PER_CYCLE=11", "DELETE_MAX_PER_CYCLE", "outside 1..10" },
	{ "DELETE_GRACE=10 m", "DELETE_GRACE", "not a duration" },
	{ "PRIVSEP_USER=", "PRIVSEP_USER", "must not be empty" },
	{ "PRIVSEP_USER=-bad", "PRIVSEP_USER", "not a user name" },
	{ "PRIVSEP_USER=a b", "PRIVSEP_USER", "not a user name" },
	{ "PRIVSEP_USER=a$b", "PRIVSEP_USER", "not a user name" },
	{ "DRY_RUN=2", "DRY_RUN", "true or false" },
	{ "SOURCE_ROUTING=true", "SOURCE_ROUTING", "off or on" },
	{ "SOURCE_ROUTING_GATEWAY=10.0.0.1", "SOURCE_ROUTING_GATEWAY",
	    "first or none" },
	{ "SOURCE_ROUTING_TABLE_BASE=0", "SOURCE_ROUTING_TABLE_BASE",
	    "outside 1..2147483638" },
	{ "SOURCE_ROUTING_TABLE_BASE=2147483639", "SOURCE_ROUTING_TABLE_BASE",
	    "outside 1..2147483638" },
	{ "SOURCE_ROUTING_TABLE_BASE=244", "SOURCE_ROUTING_TABLE_BASE",
	    "tables 244..253, taking one of the kernel's 253-255" },
	{ "SOURCE_ROUTING_TABLE_BASE=255", "SOURCE_ROUTING_TABLE_BASE",
	    "the kernel's 253-255" },
	{ "BACKOFF_ENABLED=sometimes", "BACKOFF_ENABLED", "true or false" },
};

static void
test_bad_values(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			content[1024], key[64];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		snprintf(content, sizeof(content), "%s\n", bad_cases[i].line);
		snprintf(key, sizeof(key), ":1: %s: ", bad_cases[i].key);
		if (load(content, NULL, &conf, &secret, &report) != 1) {
			print_message("\"%s\" gave %d errors:\n",
			    bad_cases[i].line, report.errors);
			dump(&report);
			fail();
		}
		assert_message(&report, CONFIG_ERROR, key, bad_cases[i].reason);
	}
}

/* The same checks apply to the environment, which names itself. */
static void
test_bad_value_from_environment(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			*envp[] = { "POLL_INTERVAL=0s", NULL };

	(void)state;
	assert_int_equal(load("", envp, &conf, &secret, &report), 1);
	assert_message(&report, CONFIG_ERROR, "environment: POLL_INTERVAL: "
	    "\"0s\" is below the minimum of 1s", NULL);
}

/* A value is quoted back escaped, so a message stays one printable line. */
static void
test_control_characters(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			*envp[] = { "DB_USER=a\tb\"c", "NODE_NAME=x\ny",
				    "DB_PASSWORD=p\x01q", NULL };

	(void)state;
	assert_int_equal(load("", envp, &conf, &secret, &report), 3);
	assert_message(&report, CONFIG_ERROR, "DB_USER: \"a\\tb\\\"c\"",
	    "control character");
	assert_message(&report, CONFIG_ERROR, "NODE_NAME: \"x\\ny\"",
	    "control character");
	assert_message(&report, CONFIG_ERROR, "DB_PASSWORD: ",
	    "control character");
	assert_null(find_message(&report, CONFIG_ERROR, "p\\001q", NULL));
}

static void
test_password_never_quoted(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	int			i;

	(void)state;
	assert_int_equal(load("DB_PASSWORD=S3cretS3cret" LONG128 LONG128 "\n",
	    NULL, &conf, &secret, &report), 1);
	for (i = 0; i < report.count; i++)
		assert_null(strstr(report.messages[i].text, "S3cret"));
	/* conf and secret are meaningless after errors: nothing left behind. */
	assert_string_equal(secret.db_password, "");
}

struct duration_case {
	const char	*text;
	int		 ok;
	uint32_t	 ms;
};

static const struct duration_case duration_cases[] = {
	{ "500ms", 1, 500 },
	{ "30s", 1, 30000 },
	{ "5m", 1, 300000 },
	{ "1h", 1, 3600000 },
	{ "30", 1, 30000 },
	{ "0", 1, 0 },
	{ "0s", 1, 0 },
	{ "1m30s", 1, 90000 },
	{ "1h1m1s1ms", 1, 3661001 },
	{ "007s", 1, 7000 },
	{ "168h", 1, 604800000 },
	{ "604800", 1, 604800000 },
	{ "604800000ms", 1, 604800000 },
	{ "10080m", 1, 604800000 },
	{ "168h1ms", 0, 0 },
	{ "604801", 0, 0 },
	{ "169h", 0, 0 },
	{ "4294967296ms", 0, 0 },
	{ "99999999999999999999999s", 0, 0 },
	{ "18446744073709551617h", 0, 0 },
	{ "", 0, 0 },
	{ "s", 0, 0 },
	{ "ms", 0, 0 },
	{ "-1s", 0, 0 },
	{ "+1s", 0, 0 },
	{ " 1s", 0, 0 },
	{ "1s ", 0, 0 },
	/* Go's fractions, down to whole milliseconds. */
	{ "1.5s", 1, 1500 },
	{ "1.5m", 1, 90000 },
	{ "0.5h", 1, 1800000 },
	{ "1.5m30s", 1, 120000 },
	{ "0.001s", 1, 1 },
	{ "2.50ms", 0, 0 },
	{ "0.0005s", 0, 0 },
	{ "1.0000000001s", 0, 0 },
	{ "1.5", 0, 0 },
	{ "1.s", 0, 0 },
	{ ".5s", 0, 0 },
	{ "1..5s", 0, 0 },
	{ "1.5.5s", 0, 0 },
	{ "167.99h", 1, 604764000 },
	{ "168.01h", 0, 0 },
	{ "1S", 0, 0 },
	{ "1d", 0, 0 },
	{ "1us", 0, 0 },
	{ "1m30", 0, 0 },
	{ "1 m", 0, 0 },
	{ "5sx", 0, 0 },
	{ "0x10", 0, 0 },
};

static void
test_durations(void **state)
{
	uint32_t	ms;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(duration_cases) / sizeof(duration_cases[0]);
	    i++) {
		const struct duration_case	*c = &duration_cases[i];

		ms = 12345;
		if (config_parse_duration(c->text, &ms) != (c->ok ? 0 : -1))
			fail_msg("\"%s\" %s", c->text,
			    c->ok ? "refused" : "accepted");
		/* A refused text leaves the result alone. */
		assert_int_equal(ms, c->ok ? c->ms : 12345);
	}
	assert_int_equal(config_parse_duration(NULL, &ms), -1);
}

static void
test_poll_interval_bounds(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;

	(void)state;
	assert_int_equal(load("POLL_INTERVAL=0s\n", NULL, &conf, &secret,
	    &report), 1);
	assert_message(&report, CONFIG_ERROR,
	    "POLL_INTERVAL: \"0s\" is below the minimum of 1s", NULL);
	load_ok("POLL_INTERVAL=1s\n", NULL, &conf, &secret, &report);
	assert_int_equal(conf.poll_interval_ms, 1000);
}

/* Hot-plug polls: 1s for 60s by default, 0 turns them off, 50ms is too fast. */
static void
test_hotplug_poll_keys(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;

	(void)state;
	load_ok("", NULL, &conf, &secret, &report);
	assert_int_equal(conf.hotplug_poll_interval_ms, 1000);
	assert_int_equal(conf.hotplug_poll_window_ms, 60 * 1000);
	load_ok("HOTPLUG_POLL_INTERVAL=0\nHOTPLUG_POLL_WINDOW=2m\n", NULL,
	    &conf, &secret, &report);
	assert_int_equal(conf.hotplug_poll_interval_ms, 0);
	assert_int_equal(conf.hotplug_poll_window_ms, 2 * 60 * 1000);
	load_ok("HOTPLUG_POLL_INTERVAL=100ms\n", NULL, &conf, &secret,
	    &report);
	assert_int_equal(conf.hotplug_poll_interval_ms, 100);
	assert_int_equal(load("HOTPLUG_POLL_INTERVAL=50ms\n", NULL, &conf,
	    &secret, &report), 1);
	assert_message(&report, CONFIG_ERROR, "HOTPLUG_POLL_INTERVAL: 50ms",
	    "neither 0 (off) nor at least 100ms");
	assert_int_equal(load("HOTPLUG_POLL_WINDOW=0\n", NULL, &conf,
	    &secret, &report), 1);
	assert_message(&report, CONFIG_ERROR, "HOTPLUG_POLL_WINDOW", NULL);
}

static void
test_backoff_max_below_poll(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			*envp[] = { "BACKOFF_MAX_INTERVAL=5m", NULL };

	(void)state;
	assert_int_equal(load("POLL_INTERVAL=1m\nBACKOFF_MAX_INTERVAL=30s\n",
	    NULL, &conf, &secret, &report), 1);
	assert_message(&report, CONFIG_ERROR, "BACKOFF_MAX_INTERVAL",
	    "POLL_INTERVAL (1m)");
	load_ok("POLL_INTERVAL=1m\nBACKOFF_MAX_INTERVAL=60s\n", NULL, &conf,
	    &secret, &report);
	/* Against an explicit 5m too, from the environment as well. */
	assert_int_equal(load("POLL_INTERVAL=10m\nBACKOFF_MAX_INTERVAL=5m\n",
	    NULL, &conf, &secret, &report), 1);
	assert_message(&report, CONFIG_ERROR, "BACKOFF_MAX_INTERVAL: 5m",
	    "POLL_INTERVAL (10m)");
	assert_int_equal(load("POLL_INTERVAL=10m\n", envp, &conf, &secret,
	    &report), 1);
	/* The unset default follows a longer POLL_INTERVAL instead. */
	load_ok("POLL_INTERVAL=10m\n", NULL, &conf, &secret, &report);
	assert_int_equal(conf.backoff_max_interval_ms, 10 * 60 * 1000);
	load_ok("POLL_INTERVAL=1m\n", NULL, &conf, &secret, &report);
	assert_int_equal(conf.backoff_max_interval_ms, 5 * 60 * 1000);
	/* A POLL_INTERVAL already refused is not compared again. */
	assert_int_equal(load("POLL_INTERVAL=0\nBACKOFF_MAX_INTERVAL=2s\n",
	    NULL, &conf, &secret, &report), 1);
}

static void
test_apply_command_required(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;

	(void)state;
	assert_int_equal(load("APPLY_MODE=command\n", NULL, &conf, &secret,
	    &report), 1);
	assert_message(&report, CONFIG_ERROR, "APPLY_COMMAND", "command");
	assert_int_equal(load("APPLY_MODE=command\nAPPLY_COMMAND=\"  \"\n",
	    NULL, &conf, &secret, &report), 1);
	load_ok("APPLY_MODE=command\nAPPLY_COMMAND=netplan apply\n", NULL,
	    &conf, &secret, &report);
	assert_int_equal(conf.apply_mode, APPLY_MODE_COMMAND);
	assert_string_equal(conf.apply_command, "netplan apply");
}

/* DB_HOST is parsed here once; the fetcher connects to this list. */
static void
test_db_hosts_parsed(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;

	(void)state;
	load_ok("DB_HOST=db1.example.org:3307, 10.0.0.2,[::1]:3308,[fe80::1],"
	    "db_2\n", NULL, &conf, &secret, &report);
	assert_int_equal(conf.ndb_hosts, 5);
	assert_string_equal(conf.db_hosts[0].name, "db1.example.org");
	assert_int_equal(conf.db_hosts[0].port, 3307);
	assert_string_equal(conf.db_hosts[1].name, "10.0.0.2");
	assert_int_equal(conf.db_hosts[1].port, 0);
	assert_string_equal(conf.db_hosts[2].name, "::1");
	assert_int_equal(conf.db_hosts[2].port, 3308);
	assert_string_equal(conf.db_hosts[3].name, "fe80::1");
	assert_int_equal(conf.db_hosts[3].port, 0);
	assert_string_equal(conf.db_hosts[4].name, "db_2");
	/* The default, and 16 entries, the most that are tried. */
	load_ok("", NULL, &conf, &secret, &report);
	assert_int_equal(conf.ndb_hosts, 1);
	assert_string_equal(conf.db_hosts[0].name, "localhost");
	load_ok("DB_HOST=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n", NULL, &conf,
	    &secret, &report);
	assert_int_equal(conf.ndb_hosts, 16);
	assert_string_equal(conf.db_hosts[15].name, "p");
}

static void
test_environment_overrides_file(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			*envp[] = { "DB_HOST=envhost",
				    "DB_PASSWORD=from-env", "LOG_LEVEL=debug",
				    NULL };

	(void)state;
	load_ok("DB_HOST=filehost\nDB_PORT=3307\nDB_PASSWORD=from-file\n"
	    "LOG_LEVEL=error\n", envp, &conf, &secret, &report);
	assert_string_equal(conf.db_host, "envhost");
	assert_int_equal(conf.db_port, 3307);
	assert_string_equal(secret.db_password, "from-env");
	assert_int_equal(conf.log_level, LOG_LEVEL_DEBUG);
}

/* Environment values are taken as they are: no trimming, no unquoting. */
static void
test_environment_literal(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			*envp[] = { "DB_USER=\"quoted\"",
				    "DB_NAME= spaced ", NULL };

	(void)state;
	load_ok("", envp, &conf, &secret, &report);
	assert_string_equal(conf.db_user, "\"quoted\"");
	assert_string_equal(conf.db_name, " spaced ");
}

static void
test_unknown_keys(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			*envp[] = { "PATH=/bin", "HOME=/", "FOO=bar",
				    "db_host=lower", "=x", "NOEQUALS", NULL };

	(void)state;
	load_ok("", envp, &conf, &secret, &report);
	assert_string_equal(conf.db_host, "localhost");
	assert_int_equal(load("# c\nDB_PORT=3307\nPOLL_INTERVALL=5s\n", NULL,
	    &conf, &secret, &report), 0);
	assert_int_equal(report.warnings, 1);
	assert_message(&report, CONFIG_WARNING, ":3: ", "POLL_INTERVALL");
	assert_message(&report, CONFIG_WARNING, "/tmp/test_config.", "unknown");
}

static const char *const legacy_keys[] = {
	"MAX_CONCURRENT_TASKS", "BACKOFF_ENABLED", "DB_MAX_OPEN_CONNS",
	"DB_MAX_IDLE_CONNS", "DB_MAX_LIFETIME", "MAX_RETRIES", "RETRY_DELAY",
	"COMMAND_TIMEOUT", "BACKUP_DIR",
};

static void
test_legacy_keys(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			line[128];
	char			*envp[] = { line, NULL };
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(legacy_keys) / sizeof(legacy_keys[0]); i++) {
		snprintf(line, sizeof(line), "%s=true", legacy_keys[i]);
		assert_int_equal(load(line, NULL, &conf, &secret, &report), 0);
		assert_int_equal(report.warnings, 1);
		assert_message(&report, CONFIG_WARNING, legacy_keys[i],
		    "deprecated");
		assert_int_equal(load("", envp, &conf, &secret, &report), 0);
		assert_int_equal(report.warnings, 1);
		assert_message(&report, CONFIG_WARNING, legacy_keys[i],
		    "deprecated");
	}
}

static void
test_backoff_enabled(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			*envp[] = { "BACKOFF_ENABLED=false", NULL };

	(void)state;
	load("BACKOFF_ENABLED=false\n", NULL, &conf, &secret, &report);
	assert_int_equal(report.errors, 0);
	assert_true(conf.backoff_multiplier == 1.0);
	load("BACKOFF_ENABLED=true\n", NULL, &conf, &secret, &report);
	assert_true(conf.backoff_multiplier == 2.0);
	/* The current key wins, whichever source either comes from. */
	load("BACKOFF_MULTIPLIER=3\n", envp, &conf, &secret, &report);
	assert_int_equal(report.errors, 0);
	assert_true(conf.backoff_multiplier == 3.0);
	assert_message(&report, CONFIG_WARNING, "BACKOFF_ENABLED=false",
	    "ignored");
	/* The environment's true overrides the file's false. */
	envp[0] = "BACKOFF_ENABLED=yes";
	load("BACKOFF_ENABLED=false\n", envp, &conf, &secret, &report);
	assert_true(conf.backoff_multiplier == 2.0);
}

struct level_case {
	const char	*text;
	int		 level;
};

static const struct level_case level_cases[] = {
	{ "debug", LOG_LEVEL_DEBUG }, { "info", LOG_LEVEL_INFO },
	{ "warn", LOG_LEVEL_WARN }, { "error", LOG_LEVEL_ERROR },
	{ "warning", LOG_LEVEL_WARN }, { "trace", LOG_LEVEL_DEBUG },
	{ "INFO", LOG_LEVEL_INFO }, { "Warning", LOG_LEVEL_WARN },
	{ "", -1 }, { "fatal", -1 }, { "info ", -1 }, { "inf", -1 },
};

static void
test_log_levels(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(level_cases) / sizeof(level_cases[0]); i++)
		assert_int_equal(config_parse_log_level(level_cases[i].text),
		    level_cases[i].level);
	assert_int_equal(config_parse_log_level(NULL), -1);
	assert_string_equal(config_log_level_name(LOG_LEVEL_ERROR), "error");
	assert_string_equal(config_log_level_name(LOG_LEVEL_WARN), "warn");
	assert_string_equal(config_log_level_name(LOG_LEVEL_INFO), "info");
	assert_string_equal(config_log_level_name(LOG_LEVEL_DEBUG), "debug");
	assert_non_null(config_log_level_name(42));
}

static void
test_file_syntax(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;

	(void)state;
	load_ok("# a comment\n"
	    "\n"
	    "   \t\n"
	    "  # an indented comment\n"
	    "DB_USER=\"with space\"\n"
	    "DB_NAME='single'\n"
	    "  NODE_NAME  =  node1  \r\n"
	    "export LOG_LEVEL=debug\n"
	    "DB_PASSWORD=\"p#ss word\"\n"
	    "DB_TLS_CA=\"\"\n"
	    "HEALTH_PORT=0", NULL, &conf, &secret, &report);
	assert_string_equal(conf.db_user, "with space");
	assert_string_equal(conf.db_name, "single");
	assert_string_equal(conf.node_name, "node1");
	assert_int_equal(conf.log_level, LOG_LEVEL_DEBUG);
	assert_string_equal(secret.db_password, "p#ss word");
	assert_string_equal(conf.db_tls_ca, "");
	assert_int_equal(conf.health_port, 0);
	/* '#' after a value is part of it; later lines win. */
	load_ok("DB_PASSWORD=a#b\nDB_PORT=1\nDB_PORT=2\n", NULL, &conf, &secret,
	    &report);
	assert_string_equal(secret.db_password, "a#b");
	assert_int_equal(conf.db_port, 2);
}

static void
test_file_syntax_errors(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;

	(void)state;
	assert_int_equal(load("DB_PORT=3306\njust words\n=value\n"
	    "DB_USER=\"open\nDB_NAME='mixed\"\n", NULL, &conf, &secret,
	    &report), 4);
	assert_message(&report, CONFIG_ERROR, ":2: ", "KEY=VALUE");
	assert_message(&report, CONFIG_ERROR, ":3: ", "no key");
	assert_message(&report, CONFIG_ERROR, ":4: DB_USER", "quote");
	assert_message(&report, CONFIG_ERROR, ":5: DB_NAME", "quote");
}

/*
 * '#' after a blank, outside quotes, starts a comment (the earlier agent's
 * sample config has them); "a#b" and a quoted " #" stay in the value.
 */
static void
test_inline_comments(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;

	(void)state;
	load_ok("POLL_INTERVAL=15s  # comment\n"
	    "DB_PORT=3307\t# tab before it\n"
	    "DB_USER=\"with space\" # after quotes\n"
	    "DB_NAME='db'# right after the quote\n"
	    "APPLY_COMMAND=cmd#1\n"
	    "DB_TLS_CA= # only a comment\n"
	    "DB_PASSWORD=\"p #ss\"  # quoted: kept\n", NULL, &conf, &secret,
	    &report);
	assert_int_equal(conf.poll_interval_ms, 15000);
	assert_int_equal(conf.db_port, 3307);
	assert_string_equal(conf.db_user, "with space");
	assert_string_equal(conf.db_name, "db");
	assert_string_equal(conf.apply_command, "cmd#1");
	assert_string_equal(conf.db_tls_ca, "");
	assert_string_equal(secret.db_password, "p #ss");
	/* Unquoted, a password's " #" starts a comment: documented. */
	load_ok("DB_PASSWORD=abc #def\n", NULL, &conf, &secret, &report);
	assert_string_equal(secret.db_password, "abc");
	load_ok("DB_PASSWORD=#abc\n", NULL, &conf, &secret, &report);
	assert_string_equal(secret.db_password, "#abc");
	/* Text after the closing quote that is no comment. */
	assert_int_equal(load("DB_USER=\"a\" b\n", NULL, &conf, &secret,
	    &report), 1);
	assert_message(&report, CONFIG_ERROR, ":1: DB_USER", "after the"
	    " closing quote");
	/* The environment has no comments: values are taken as they are. */
	{
		char	*envp[] = { "NODE_NAME=a #b", NULL };

		assert_int_equal(load("", envp, &conf, &secret, &report), 1);
		assert_message(&report, CONFIG_ERROR, "environment: NODE_NAME",
		    NULL);
	}
}

/* systemd's EnvironmentFile takes ';' lines as comments; so do we. */
static void
test_semicolon_comments(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;

	(void)state;
	load_ok("; a systemd comment\n  ;indented\nDB_PORT=3307\n"
	    "DB_NAME=a;b\n", NULL, &conf, &secret, &report);
	assert_int_equal(report.count, 0);
	assert_int_equal(conf.db_port, 3307);
	assert_string_equal(conf.db_name, "a;b");
}

static void
test_did_you_mean(void **state)
{
	static const struct {
		const char	*line;
		const char	*suggestion;	/* NULL: none */
	} cases[] = {
		{ "DB_PASWORD=x\n", "did you mean DB_PASSWORD?" },
		{ "POLL_INTERVALL=5s\n", "did you mean POLL_INTERVAL?" },
		{ "db_host=x\n", "did you mean DB_HOST?" },
		{ "PROTECTED_INTERFACE=lo\n",
		    "did you mean PROTECTED_INTERFACES?" },
		{ "DBPORT=1\n", "did you mean DB_PORT?" },
		{ "FROBNICATE=1\n", NULL },
		{ "MAX_RETRY=1\n", NULL },	/* no legacy key suggested */
	};
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load(cases[i].line, NULL, &conf, &secret,
		    &report), 0);
		assert_int_equal(report.warnings, 1);
		if (cases[i].suggestion != NULL)
			assert_message(&report, CONFIG_WARNING, "unknown key",
			    cases[i].suggestion);
		else if (strstr(report.messages[0].text, "did you mean"))
			fail_msg("%s: %s", cases[i].line,
			    report.messages[0].text);
	}
}

/* multinicd -n -v: every key, its value and where it came from. */
static void
test_print_sources(void **state)
{
	struct config		 conf;
	struct config_secret	 secret;
	struct report		 report;
	struct config_sources	 sources;
	char			 path[64], *out = NULL, line[128];
	char			*envp[] = { "LOG_LEVEL=debug", NULL };
	size_t			 outlen = 0;
	FILE			*fp;

	(void)state;
	memset(&report, 0, sizeof(report));
	temp_file(path, sizeof(path), "# x\nDB_PORT=3307\nDB_PASSWORD=s3cret\n"
	    "APPLY_COMMAND=netplan apply\nPOLL_INTERVAL=10m\n", 0600);
	assert_int_equal(config_load_sources(&conf, &secret, path, 1, envp,
	    record, &report, &sources), 0);
	assert_non_null(fp = open_memstream(&out, &outlen));
	config_print(fp, &conf, &secret, &sources);
	assert_int_equal(fclose(fp), 0);
	snprintf(line, sizeof(line), "# %s:2\n", path);
	assert_non_null(strstr(out, line));
	assert_non_null(strstr(out, "DB_PORT=3307 "));
	assert_non_null(strstr(out, "DB_HOST=localhost "));
	assert_non_null(strstr(out, "# default\n"));
	assert_non_null(strstr(out, "LOG_LEVEL=debug "));
	assert_non_null(strstr(out, "# environment\n"));
	assert_non_null(strstr(out, "APPLY_COMMAND=\"netplan apply\" "));
	assert_non_null(strstr(out, "BACKOFF_MAX_INTERVAL=10m "));
	assert_non_null(strstr(out, "raised to POLL_INTERVAL"));
	assert_non_null(strstr(out, "DB_PASSWORD=******** "));
	assert_null(strstr(out, "s3cret"));
	assert_null(strstr(out, "MAX_RETRIES"));
	/* What it prints reads back as the same configuration. */
	{
		struct config	again;

		load_ok(out, NULL, &again, &secret, &report);
		assert_int_equal(again.db_port, 3307);
		assert_string_equal(again.apply_command, "netplan apply");
		assert_int_equal(again.backoff_max_interval_ms,
		    conf.backoff_max_interval_ms);
	}
	unlink(path);
	free(out);
}

static void
test_long_lines(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			content[3 * 4096];
	size_t			len;

	(void)state;
	/* A 4096-byte comment line is fine... */
	memset(content, '#', 4096);
	len = 4096;
	len += snprintf(content + len, sizeof(content) - len, "\nDB_PORT=1\n");
	load_ok(content, NULL, &conf, &secret, &report);
	assert_int_equal(conf.db_port, 1);
	/* ...one more byte is not, and the next line is still read. */
	memset(content, '#', 4097);
	len = 4097;
	snprintf(content + len, sizeof(content) - len, "\nDB_PORT=2\nDB_X\n");
	assert_int_equal(load(content, NULL, &conf, &secret, &report), 2);
	assert_message(&report, CONFIG_ERROR, ":1: ", "longer than 4096");
	assert_message(&report, CONFIG_ERROR, ":3: ", "KEY=VALUE");
	assert_int_equal(conf.db_port, 2);
}

static void
test_all_problems_reported(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			*envp[] = { "DELETE_MAX_PER_CYCLE=20", NULL };

	(void)state;
	assert_int_equal(load("DB_PORT=0\nLOG_LEVEL=loud\nPOLL_INTERVAL=soon\n",
	    NULL, &conf, &secret, &report), 3);
	assert_message(&report, CONFIG_ERROR, ":1: DB_PORT", NULL);
	assert_message(&report, CONFIG_ERROR, ":2: LOG_LEVEL", NULL);
	assert_message(&report, CONFIG_ERROR, ":3: POLL_INTERVAL", NULL);
	assert_int_equal(load("DB_PORT=0\nLOG_LEVEL=loud\nPOLL_INTERVAL=soon\n",
	    envp, &conf, &secret, &report), 4);
	assert_message(&report, CONFIG_ERROR, "environment: "
	    "DELETE_MAX_PER_CYCLE", NULL);
}

static void
test_missing_file(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	const char		*path = "/tmp/test_config.does-not-exist";

	(void)state;
	memset(&report, 0, sizeof(report));
	assert_int_equal(config_load(&conf, &secret, path, 0, NULL, record,
	    &report), 0);
	assert_int_equal(report.count, 0);
	assert_string_equal(conf.db_host, "localhost");
	assert_int_equal(config_load(&conf, &secret, path, 1, NULL, record,
	    &report), 1);
	assert_message(&report, CONFIG_ERROR, path, "No such file");
	/* A directory is never a configuration file. */
	memset(&report, 0, sizeof(report));
	assert_int_equal(config_load(&conf, &secret, "/tmp", 0, NULL, record,
	    &report), 1);
	assert_message(&report, CONFIG_ERROR, "/tmp", "regular file");
}

static void
test_password_file(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			secret_path[64], content[128];

	(void)state;
	temp_file(secret_path, sizeof(secret_path),
	    "fromfile\r\nsecond line\n", 0600);
	snprintf(content, sizeof(content),
	    "DB_PASSWORD=inline\nDB_PASSWORD_FILE=%s\n", secret_path);
	load_ok(content, NULL, &conf, &secret, &report);
	assert_string_equal(secret.db_password, "fromfile");
	assert_string_equal(conf.db_password_file, secret_path);
	unlink(secret_path);

	/* No newline at the end, as `kubectl create secret` writes it. */
	temp_file(secret_path, sizeof(secret_path), "k8s", 0600);
	snprintf(content, sizeof(content), "DB_PASSWORD_FILE=%s\n",
	    secret_path);
	load_ok(content, NULL, &conf, &secret, &report);
	assert_string_equal(secret.db_password, "k8s");
	unlink(secret_path);

	/* Unreadable: an error naming the key. */
	assert_int_equal(load(content, NULL, &conf, &secret, &report), 1);
	assert_message(&report, CONFIG_ERROR, "DB_PASSWORD_FILE", secret_path);

	/* Empty: allowed, with a warning. */
	temp_file(secret_path, sizeof(secret_path), "\n", 0600);
	snprintf(content, sizeof(content), "DB_PASSWORD_FILE=%s\n",
	    secret_path);
	assert_int_equal(load(content, NULL, &conf, &secret, &report), 0);
	assert_message(&report, CONFIG_WARNING, "DB_PASSWORD_FILE", "empty");
	unlink(secret_path);
}

static void
test_password_file_limits(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			secret_path[64], content[128], pw[600];

	(void)state;
	/* 255 bytes and CRLF fit... */
	memset(pw, 'p', 255);
	strcpy(pw + 255, "\r\n");
	temp_file(secret_path, sizeof(secret_path), pw, 0600);
	snprintf(content, sizeof(content), "DB_PASSWORD_FILE=%s\n",
	    secret_path);
	load_ok(content, NULL, &conf, &secret, &report);
	assert_int_equal(strlen(secret.db_password), 255);
	unlink(secret_path);
	/* ...256 do not, nor does a line with no end. */
	memset(pw, 'p', 256);
	strcpy(pw + 256, "\n");
	temp_file(secret_path, sizeof(secret_path), pw, 0600);
	snprintf(content, sizeof(content), "DB_PASSWORD_FILE=%s\n",
	    secret_path);
	assert_int_equal(load(content, NULL, &conf, &secret, &report), 1);
	assert_message(&report, CONFIG_ERROR, "DB_PASSWORD_FILE", "longer");
	assert_null(find_message(&report, CONFIG_ERROR, "ppp", NULL));
	unlink(secret_path);
	memset(pw, 'p', 599);
	pw[599] = '\0';
	temp_file(secret_path, sizeof(secret_path), pw, 0600);
	snprintf(content, sizeof(content), "DB_PASSWORD_FILE=%s\n",
	    secret_path);
	assert_int_equal(load(content, NULL, &conf, &secret, &report), 1);
	assert_message(&report, CONFIG_ERROR, "DB_PASSWORD_FILE", "longer");
	unlink(secret_path);
}

struct secrecy_case {
	const char	*content;
	mode_t		 mode;
	int		 errors;
};

static const struct secrecy_case secrecy_cases[] = {
	{ "DB_PASSWORD=hunter2\n", 0644, 1 },
	{ "DB_PASSWORD=\"hunter2\n", 0644, 2 },	/* quote not closed */
	{ "DB_PASSWORD=hunter2\n", 0604, 1 },
	{ "DB_PASSWORD=hunter2\n", 0660, 1 },
	{ "DB_PASSWORD=hunter2\n", 0602, 1 },
	{ "DB_PASSWORD=hunter2\n", 0600, 0 },
	{ "DB_PASSWORD=hunter2\n", 0640, 0 },
	{ "DB_PASSWORD=hunter2\n", 0400, 0 },
	{ "DB_HOST=db1\n", 0644, 0 },
	{ "DB_PASSWORD=\n", 0644, 0 },
	{ "DB_PASSWORD=\"\"\n", 0666, 0 },
	{ "# DB_PASSWORD=hunter2\n", 0644, 0 },
};

static void
test_secrecy(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			path[64], mode[16];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(secrecy_cases) / sizeof(secrecy_cases[0]);
	    i++) {
		memset(&report, 0, sizeof(report));
		temp_file(path, sizeof(path), secrecy_cases[i].content,
		    secrecy_cases[i].mode);
		if (config_load(&conf, &secret, path, 1, NULL, record,
		    &report) != secrecy_cases[i].errors) {
			print_message("mode %04o, \"%s\":\n",
			    (unsigned)secrecy_cases[i].mode,
			    secrecy_cases[i].content);
			dump(&report);
			fail();
		}
		if (secrecy_cases[i].errors != 0) {
			snprintf(mode, sizeof(mode), "%04o",
			    (unsigned)secrecy_cases[i].mode);
			assert_message(&report, CONFIG_ERROR, path, mode);
			assert_message(&report, CONFIG_ERROR, "chmod 600",
			    NULL);
			assert_null(find_message(&report, CONFIG_ERROR,
			    "hunter2", NULL));
			assert_string_equal(secret.db_password, "");
		}
		unlink(path);
	}
}

/* A password from the environment says nothing about the file's mode. */
static void
test_secrecy_environment(void **state)
{
	struct config		conf;
	struct config_secret	secret;
	struct report		report;
	char			path[64];
	char			*envp[] = { "DB_PASSWORD=hunter2", NULL };

	(void)state;
	memset(&report, 0, sizeof(report));
	temp_file(path, sizeof(path), "DB_HOST=db1\n", 0644);
	assert_int_equal(config_load(&conf, &secret, path, 1, envp, record,
	    &report), 0);
	assert_string_equal(secret.db_password, "hunter2");
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_load_defaults),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_value_from_environment),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_password_never_quoted),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_poll_interval_bounds),
		cmocka_unit_test(test_hotplug_poll_keys),
		cmocka_unit_test(test_backoff_max_below_poll),
		cmocka_unit_test(test_apply_command_required),
		cmocka_unit_test(test_db_hosts_parsed),
		cmocka_unit_test(test_environment_overrides_file),
		cmocka_unit_test(test_environment_literal),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_legacy_keys),
		cmocka_unit_test(test_backoff_enabled),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_file_syntax),
		cmocka_unit_test(test_file_syntax_errors),
		cmocka_unit_test(test_inline_comments),
		cmocka_unit_test(test_semicolon_comments),
		cmocka_unit_test(test_did_you_mean),
		cmocka_unit_test(test_print_sources),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_all_problems_reported),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_password_file),
		cmocka_unit_test(test_password_file_limits),
		cmocka_unit_test(test_secrecy),
		cmocka_unit_test(test_secrecy_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
