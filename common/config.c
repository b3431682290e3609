/* SPDX-License-Identifier: ISC */
/*
 * Configuration (doc/architecture.md, 5.1): defaults, then KEY=VALUE lines from
 * the file, then the environment. Every problem goes to the caller's report
 * function, so "multinicd -n" can list them all at once; nothing here logs.
 */

/* The historical strnvis(dst, src, size, flag) that libbsd also ships. */
#define LIBBSD_OPENBSD_VIS

#include <sys/param.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>	/* libbsd overlay: strtonum */
#include <string.h>	/* libbsd overlay: strlcpy, strlcat */
#include <strings.h>
#include <unistd.h>
#include <vis.h>	/* libbsd overlay */

#include "config.h"

#define CONFIG_LINE_MAX		4096
#define DURATION_MAX_MS		(7U * 24 * 3600 * 1000)
#define MULTIPLIER_MAX		100.0
#define IFNAME_MAX		15	/* IFNAMSIZ - 1 */
#define SHOWN_VALUE_MAX		64	/* bytes of a bad value quoted back */
#define MESSAGE_MAX		2048
#define KEY_NAME_MAX		32	/* the longest in config_keys[] */

#define DEFAULT_PROTECTED \
	"lo,eth0,bond*,br*,docker*,cni*,flannel*,cali*,vxlan*,virbr*,tun*,tap*"

#define DIGITS		"0123456789"
#define ALPHA		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define ALNUM		ALPHA DIGITS
#define HOST_CHARS	ALNUM "-._"
#define IFNAME_CHARS	ALNUM "-._@+"

#define KEY_REQUIRED	0x01	/* an empty value is an error */
#define KEY_SOCKET	0x02	/* a unix socket path: must fit sun_path */
#define KEY_SECRET	0x04	/* never quoted back in a message */

struct loader;
struct config_key;

typedef void	(*parse_fn)(struct loader *, const struct config_key *,
		    const char *);

struct choice {
	const char	*name;
	int		 value;
};

struct config_key {
	const char		*name;
	parse_fn		 parse;
	size_t			 offset;	/* into struct config */
	size_t			 size;
	long long		 min, max;
	int			 flags;
	const struct choice	*choices;
	const char		*hint;		/* the good values */
};

struct loader {
	struct config		*conf;
	struct config_secret	*secret;
	config_report_fn	 report;
	void			*arg;
	int			 errors;
	int			 file_has_password;
	int			 backoff_disabled;	/* BACKOFF_ENABLED=no */
	int			 multiplier_set;	/* BACKOFF_MULTIPLIER */
	uint64_t		 bad;		/* a bit per config_keys[] */
	uint64_t		 set;		/* given in the file or environment */
	struct config_sources	*sources;	/* NULL: nobody asked */
	char			 where[PATH_MAX + 32];	/* "file:line" */
};

static void	parse_text(struct loader *, const struct config_key *,
		    const char *);
static void	parse_path(struct loader *, const struct config_key *,
		    const char *);
static void	parse_hosts(struct loader *, const struct config_key *,
		    const char *);
static void	parse_patterns(struct loader *, const struct config_key *,
		    const char *);
static void	parse_destinations(struct loader *,
		    const struct config_key *, const char *);
static void	parse_node_name(struct loader *, const struct config_key *,
		    const char *);
static void	parse_user(struct loader *, const struct config_key *,
		    const char *);
static void	parse_address(struct loader *, const struct config_key *,
		    const char *);
static void	parse_number(struct loader *, const struct config_key *,
		    const char *);
static void	parse_duration(struct loader *, const struct config_key *,
		    const char *);
static void	parse_table_base(struct loader *, const struct config_key *,
		    const char *);
static void	parse_multiplier(struct loader *, const struct config_key *,
		    const char *);
static void	parse_choice(struct loader *, const struct config_key *,
		    const char *);
static void	parse_password(struct loader *, const struct config_key *,
		    const char *);
static void	parse_deprecated(struct loader *, const struct config_key *,
		    const char *);
static void	parse_backoff_enabled(struct loader *,
		    const struct config_key *, const char *);

static const struct choice bool_choices[] = {
	{ "true", 1 }, { "yes", 1 }, { "on", 1 }, { "1", 1 },
	{ "false", 0 }, { "no", 0 }, { "off", 0 }, { "0", 0 },
	{ NULL, 0 }
};
static const struct choice tls_choices[] = {
	{ "off", DB_TLS_OFF }, { "on", DB_TLS_ON }, { "verify", DB_TLS_VERIFY },
	{ NULL, 0 }
};
static const struct choice level_choices[] = {
	{ "error", LOG_LEVEL_ERROR }, { "warn", LOG_LEVEL_WARN },
	{ "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG },
	{ "warning", LOG_LEVEL_WARN }, { "trace", LOG_LEVEL_DEBUG },
	{ NULL, 0 }
};
/* "auto" is the default spelled out, so the environment can restore it. */
static const struct choice format_choices[] = {
	{ "json", LOG_FORMAT_JSON }, { "text", LOG_FORMAT_TEXT },
	{ "auto", LOG_FORMAT_AUTO }, { NULL, 0 }
};
static const struct choice os_choices[] = {
	{ "auto", OS_TYPE_AUTO }, { "netplan", OS_TYPE_NETPLAN },
	{ "ifcfg", OS_TYPE_IFCFG }, { "wicked", OS_TYPE_WICKED },
	{ "networkmanager", OS_TYPE_NETWORKMANAGER }, { NULL, 0 }
};
static const struct choice landlock_choices[] = {
	{ "best-effort", LANDLOCK_BEST_EFFORT },
	{ "required", LANDLOCK_REQUIRED }, { NULL, 0 }
};
static const struct choice onoff_choices[] = {
	{ "off", 0 }, { "on", 1 }, { NULL, 0 }
};
static const struct choice gateway_choices[] = {
	{ "first", SOURCE_ROUTING_GATEWAY_FIRST },
	{ "none", SOURCE_ROUTING_GATEWAY_NONE }, { NULL, 0 }
};
static const struct choice apply_choices[] = {
	{ "netlink", APPLY_MODE_NETLINK }, { "command", APPLY_MODE_COMMAND },
	{ "files", APPLY_MODE_FILES }, { NULL, 0 }
};

#define FIELD(f)	.offset = offsetof(struct config, f), \
			.size = sizeof(((struct config *)NULL)->f)
#define BOOL		.parse = parse_choice, .choices = bool_choices, \
			.hint = "true or false (yes/no, on/off, 1/0)"
#define DURATION(lo)	.parse = parse_duration, .min = (lo)
#define HOTPLUG_POLL_INTERVAL_MIN_MS	100
#define LEGACY(k)	{ .name = (k), .parse = parse_deprecated }

static const struct config_key config_keys[] = {
	{ "DB_HOST", parse_hosts, FIELD(db_host), .flags = KEY_REQUIRED },
	{ "DB_PORT", parse_number, FIELD(db_port), .min = 1, .max = 65535 },
	{ "DB_USER", parse_text, FIELD(db_user), .flags = KEY_REQUIRED },
	{ .name = "DB_PASSWORD", .parse = parse_password,
	    .flags = KEY_SECRET },
	{ "DB_PASSWORD_FILE", parse_path, FIELD(db_password_file) },
	{ "DB_NAME", parse_text, FIELD(db_name), .flags = KEY_REQUIRED },
	{ "DB_SOCKET", parse_path, FIELD(db_socket), .flags = KEY_SOCKET },
	{ "DB_TLS", parse_choice, FIELD(db_tls), .choices = tls_choices,
	    .hint = "off, on or verify" },
	{ "DB_TLS_CA", parse_path, FIELD(db_tls_ca) },
	{ "DB_CONNECT_TIMEOUT", FIELD(db_connect_timeout_ms), DURATION(100) },
	{ "DB_SOFT_DELETE", FIELD(db_soft_delete), BOOL },
	{ "NODE_NAME", parse_node_name, FIELD(node_name) },
	{ "POLL_INTERVAL", FIELD(poll_interval_ms), DURATION(1000) },
	{ "HOTPLUG_POLL_INTERVAL", FIELD(hotplug_poll_interval_ms),
	    DURATION(0) },
	{ "HOTPLUG_POLL_WINDOW", FIELD(hotplug_poll_window_ms),
	    DURATION(1000) },
	{ "BACKOFF_MAX_INTERVAL", FIELD(backoff_max_interval_ms),
	    DURATION(1000) },
	{ "BACKOFF_MULTIPLIER", parse_multiplier, FIELD(backoff_multiplier) },
	{ "LOG_LEVEL", parse_choice, FIELD(log_level),
	    .choices = level_choices, .hint = "debug, info, warn or error" },
	{ "LOG_FORMAT", parse_choice, FIELD(log_format),
	    .choices = format_choices, .hint = "json, text or auto" },
	{ "HEALTH_ADDR", parse_address, FIELD(health_addr),
	    .flags = KEY_REQUIRED },
	{ "HEALTH_PORT", parse_number, FIELD(health_port), .min = 0,
	    .max = 65535 },
	{ "CONTROL_SOCKET", parse_path, FIELD(control_socket),
	    .flags = KEY_REQUIRED | KEY_SOCKET },
	{ "OS_TYPE", parse_choice, FIELD(os_type), .choices = os_choices,
	    .hint = "auto, netplan, ifcfg, wicked or networkmanager" },
	{ "CONFIG_ROOT", parse_path, FIELD(config_root),
	    .flags = KEY_REQUIRED },
	{ "STATE_DIR", parse_path, FIELD(state_dir), .flags = KEY_REQUIRED },
	{ "APPLY_MODE", parse_choice, FIELD(apply_mode),
	    .choices = apply_choices, .hint = "netlink, command or files" },
	{ "APPLY_COMMAND", parse_text, FIELD(apply_command) },
	{ "VERIFY_TIMEOUT", FIELD(verify_timeout_ms), DURATION(100) },
	{ "PROTECTED_INTERFACES", parse_patterns,
	    FIELD(protected_interfaces) },
	{ "PROTECTED_DESTINATIONS", parse_destinations,
	    FIELD(protected_destinations) },
	{ "MIN_PREFIX_LEN", parse_number, FIELD(min_prefix_len), .min = 1,
	    .max = 32 },
	{ "DELETE_MAX_PER_CYCLE", parse_number, FIELD(delete_max_per_cycle),
	    .min = 1, .max = 10 },
	{ "DELETE_GRACE", FIELD(delete_grace_ms), DURATION(0) },
	{ "PRIVSEP_USER", parse_user, FIELD(privsep_user),
	    .flags = KEY_REQUIRED },
	{ "DRY_RUN", FIELD(dry_run), BOOL },
	{ "LANDLOCK", parse_choice, FIELD(landlock),
	    .choices = landlock_choices, .hint = "best-effort or required" },
	{ "SOURCE_ROUTING", parse_choice, FIELD(source_routing),
	    .choices = onoff_choices, .hint = "off or on" },
	{ "SOURCE_ROUTING_GATEWAY", parse_choice,
	    FIELD(source_routing_gateway), .choices = gateway_choices,
	    .hint = "first or none" },
	{ "SOURCE_ROUTING_TABLE_BASE", parse_table_base,
	    FIELD(source_routing_table_base), .min = 1,
	    .max = CONFIG_TABLE_BASE_MAX },
	/* The earlier Go agent's config.env keeps working, with a warning. */
	{ .name = "BACKOFF_ENABLED", .parse = parse_backoff_enabled,
	    .choices = bool_choices },
	LEGACY("MAX_CONCURRENT_TASKS"),
	LEGACY("DB_MAX_OPEN_CONNS"),
	LEGACY("DB_MAX_IDLE_CONNS"),
	LEGACY("DB_MAX_LIFETIME"),
	LEGACY("MAX_RETRIES"),
	LEGACY("RETRY_DELAY"),
	LEGACY("COMMAND_TIMEOUT"),
	LEGACY("BACKUP_DIR"),
};

#define NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))
_Static_assert(NKEYS <= 64 && NKEYS <= CONFIG_KEYS_MAX,
    "struct loader's masks and struct config_sources hold 64 keys");

static const struct config_key *
find_key(const char *name)
{
	size_t	i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

static uint64_t
key_bit(const struct config_key *key)
{
	return (uint64_t)1 << (key - config_keys);
}

static int
key_is_bad(const struct loader *ld, const char *name)
{
	return (ld->bad & key_bit(find_key(name))) != 0;
}

static void __attribute__((format(printf, 3, 4)))
problem(struct loader *ld, enum config_severity severity, const char *fmt,
    ...)
{
	char	message[MESSAGE_MAX];
	int	n = 0;
	va_list	ap;

	if (ld->where[0] != '\0')
		n = snprintf(message, sizeof(message), "%s: ", ld->where);
	if (n < 0 || (size_t)n >= sizeof(message))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(message + n, sizeof(message) - n, fmt, ap);
	va_end(ap);
	if (severity == CONFIG_ERROR)
		ld->errors++;
	if (ld->report != NULL)
		ld->report(ld->arg, severity, message);
}

/* A value as it can be quoted in a message: escaped and cut short. */
static const char *
show_value(const char *value, char *buf, size_t size)
{
	char	head[SHOWN_VALUE_MAX + 1];

	strlcpy(head, value, sizeof(head));
	strnvis(buf, head, size,
	    VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL | VIS_DQ);
	if (strlen(value) > SHOWN_VALUE_MAX)
		strlcat(buf, "...", size);
	return buf;
}

/* Reports a bad value of key; -1 lets a check "return value_error(...)". */
static int __attribute__((format(printf, 4, 5)))
value_error(struct loader *ld, const struct config_key *key,
    const char *value, const char *fmt, ...)
{
	char	reason[MESSAGE_MAX / 2], shown[4 * SHOWN_VALUE_MAX + 8];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	ld->bad |= key_bit(key);
	if (key->flags & KEY_SECRET)
		problem(ld, CONFIG_ERROR, "%s: %s", key->name, reason);
	else
		problem(ld, CONFIG_ERROR, "%s: \"%s\" %s", key->name,
		    show_value(value, shown, sizeof(shown)), reason);
	return -1;
}

static int
has_control(const char *text)
{
	for (; *text != '\0'; text++)
		if ((unsigned char)*text < 0x20 || *text == 0x7f)
			return 1;
	return 0;
}

static int
only_from(const char *text, const char *allowed)
{
	return text[strspn(text, allowed)] == '\0';
}

static char *
trim(char *text)
{
	char	*end;

	while (isspace((unsigned char)*text))
		text++;
	end = text + strlen(text);
	while (end > text && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return text;
}

static void *
field_of(struct loader *ld, const struct config_key *key)
{
	return (char *)ld->conf + key->offset;
}

/* What every string value gets: required, printable, fits its buffer. */
static int
check_text(struct loader *ld, const struct config_key *key, const char *value,
    size_t size)
{
	size_t	len = strlen(value);

	if (len == 0 && (key->flags & KEY_REQUIRED))
		return value_error(ld, key, value, "must not be empty");
	if (has_control(value))
		return value_error(ld, key, value,
		    "contains a control character");
	if (len >= size && (key->flags & KEY_SOCKET))
		return value_error(ld, key, value, "is %zu bytes long; a unix"
		    " socket path (sun_path) holds at most %zu", len,
		    sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
	if (len >= size)
		return value_error(ld, key, value,
		    "is %zu bytes long; the limit is %zu", len, size - 1);
	return 0;
}

static void
parse_text(struct loader *ld, const struct config_key *key, const char *value)
{
	if (check_text(ld, key, value, key->size) == 0)
		strlcpy(field_of(ld, key), value, key->size);
}

static void
parse_path(struct loader *ld, const struct config_key *key, const char *value)
{
	if (check_text(ld, key, value, key->size) != 0)
		return;
	if (value[0] != '\0' && value[0] != '/') {
		value_error(ld, key, value, "is not an absolute path");
		return;
	}
	strlcpy(field_of(ld, key), value, key->size);
}

/* Kubernetes node names and host names: DNS characters plus '_'. */
static void
parse_node_name(struct loader *ld, const struct config_key *key,
    const char *value)
{
	if (check_text(ld, key, value, key->size) != 0)
		return;
	if (!only_from(value, HOST_CHARS)) {
		value_error(ld, key, value, "is not a node name (letters,"
		    " digits, '-', '.' and '_')");
		return;
	}
	strlcpy(field_of(ld, key), value, key->size);
}

/* Only plausible here: the supervisor looks the user up. */
static void
parse_user(struct loader *ld, const struct config_key *key, const char *value)
{
	size_t	len = strlen(value);
	int	plausible;

	if (check_text(ld, key, value, key->size) != 0)
		return;
	plausible = (isalpha((unsigned char)value[0]) || value[0] == '_') &&
	    strspn(value, ALNUM "_.-") >= len - (value[len - 1] == '$');
	if (!plausible) {
		value_error(ld, key, value, "is not a user name (a letter or"
		    " '_', then letters, digits, '_', '.' or '-')");
		return;
	}
	strlcpy(field_of(ld, key), value, key->size);
}

static void
parse_address(struct loader *ld, const struct config_key *key,
    const char *value)
{
	struct in6_addr	addr;

	if (check_text(ld, key, value, key->size) != 0)
		return;
	if (inet_pton(AF_INET, value, &addr) != 1 &&
	    inet_pton(AF_INET6, value, &addr) != 1) {
		value_error(ld, key, value, "is not an IPv4 or IPv6 address");
		return;
	}
	strlcpy(field_of(ld, key), value, key->size);
}

/*
 * A DNS name as resolvers take it: at most 253 bytes, labels of 1 to 63
 * letters, digits, '-' or '_' (some sites use it), none starting or ending
 * with '-'. Anything else would fail at every poll instead of at start.
 */
static const char *
check_dns_name(const char *name)
{
	size_t	len;

	if (strlen(name) > CONFIG_DNS_NAME_MAX - 1)
		return "is longer than a DNS name (253 bytes)";
	if (!only_from(name, HOST_CHARS))
		return "is not a host name or address";
	for (; *name != '\0'; name += len + (name[len] == '.')) {
		len = strcspn(name, ".");
		if (len == 0)
			return "has an empty label (a leading, doubled or"
			    " trailing '.')";
		if (len > 63)
			return "has a label longer than 63 bytes";
		if (name[0] == '-' || name[len - 1] == '-')
			return "has a label that starts or ends with '-'";
		if (name[len] == '.' && name[len + 1] == '\0')
			return "has an empty label (a leading, doubled or"
			    " trailing '.')";
	}
	return NULL;
}

/*
 * One DB_HOST entry: a DNS name, IPv4 or [IPv6], with an optional :port.
 * The only reader of DB_HOST's grammar: the fetcher connects to what this
 * leaves in struct config.
 */
static const char *
host_entry_parse(const char *entry, struct config_db_host *out)
{
	char		 host[CONFIG_HOSTS_MAX], *port, *end;
	struct in_addr	 addr4;
	struct in6_addr	 addr6;
	const char	*errstr, *why;

	strlcpy(host, entry, sizeof(host));
	if (host[0] == '[') {
		if ((end = strchr(host, ']')) == NULL)
			return "has '[' without ']'";
		*end = '\0';
		if (inet_pton(AF_INET6, host + 1, &addr6) != 1)
			return "does not hold an IPv6 address in brackets";
		if (end[1] != '\0' && end[1] != ':')
			return "has something other than :port after ']'";
		port = end[1] == ':' ? end + 2 : NULL;
		strlcpy(out->name, host + 1, sizeof(out->name));
	} else {
		if ((port = strchr(host, ':')) != NULL && strchr(port + 1, ':'))
			return "looks like an IPv6 address: put it in"
			    " brackets, as in [::1]:3306";
		if (port != NULL)
			*port++ = '\0';
		if (inet_pton(AF_INET, host, &addr4) != 1 &&
		    (why = check_dns_name(host)) != NULL)
			return why;
		strlcpy(out->name, host, sizeof(out->name));
	}
	out->port = 0;
	if (port != NULL) {
		out->port = strtonum(port, 1, 65535, &errstr);
		if (errstr != NULL)
			return "has a port that is not in 1..65535";
	}
	return NULL;
}

static const char *
check_host(const char *entry)
{
	struct config_db_host	host;

	return host_entry_parse(entry, &host);
}

/* DB_HOST as parse_hosts left it (valid entries joined by ','): into db_hosts. */
static void
hosts_split(struct config *conf)
{
	char		 work[CONFIG_HOSTS_MAX], *rest = work, *entry;

	strlcpy(work, conf->db_host, sizeof(work));
	conf->ndb_hosts = 0;
	memset(conf->db_hosts, 0, sizeof(conf->db_hosts));
	while ((entry = strsep(&rest, ",")) != NULL) {
		if (*entry == '\0')
			continue;
		if (conf->ndb_hosts == CONFIG_DB_HOSTS_MAX)
			break;
		if (host_entry_parse(entry,
		    &conf->db_hosts[conf->ndb_hosts]) == NULL)
			conf->ndb_hosts++;
	}
}

/* One PROTECTED_INTERFACES entry: a glob over interface-name characters. */
static const char *
check_pattern(const char *entry)
{
	size_t	literal = 0;

	if (!only_from(entry, IFNAME_CHARS "*?"))
		return "has a character that is neither an interface-name"
		    " character nor '*' or '?'";
	for (; *entry != '\0'; entry++)
		if (*entry != '*')
			literal++;
	if (literal > IFNAME_MAX)
		return "can never match: interface names have at most 15"
		    " characters";
	return NULL;
}

/*
 * Checks each comma-separated entry and stores the list with the blanks
 * around entries removed, so its readers only split on ','.
 */
static void
parse_list(struct loader *ld, const struct config_key *key, const char *value,
    const char *(*check)(const char *))
{
	char		 work[CONFIG_HOSTS_MAX + CONFIG_LIST_MAX];
	char		 list[sizeof(work)] = "", *rest, *entry;
	char		 shown[4 * SHOWN_VALUE_MAX + 8];
	const char	*why;
	int		 n = 0;

	_Static_assert(sizeof(work) > CONFIG_HOSTS_MAX &&
	    sizeof(work) > CONFIG_LIST_MAX, "work holds any list");
	if (check_text(ld, key, value, key->size) != 0)
		return;
	strlcpy(work, value, sizeof(work));
	rest = trim(work);
	if (*rest == '\0')
		rest = NULL;
	while (rest != NULL) {
		entry = trim(strsep(&rest, ","));
		n++;
		if (*entry == '\0') {
			value_error(ld, key, value, "has an empty entry (%d)",
			    n);
			return;
		}
		if ((why = check(entry)) != NULL) {
			value_error(ld, key, value, "entry %d \"%s\" %s", n,
			    show_value(entry, shown, sizeof(shown)), why);
			return;
		}
		if (list[0] != '\0')
			strlcat(list, ",", sizeof(list));
		strlcat(list, entry, sizeof(list));
	}
	strlcpy(field_of(ld, key), list, key->size);
}

/* One PROTECTED_DESTINATIONS entry: a unicast IPv4 address. */
static const char *
check_destination(const char *entry)
{
	struct in_addr	addr;
	uint32_t	host;

	if (inet_pton(AF_INET, entry, &addr) != 1)
		return "is not an IPv4 address";
	host = ntohl(addr.s_addr);
	/* 0/8, loopback, multicast and above: no route can move them. */
	if ((host >> 24) == 0 || (host >> 24) == 127 || host >= 0xe0000000)
		return "is not a unicast address";
	return NULL;
}

static void
parse_destinations(struct loader *ld, const struct config_key *key,
    const char *value)
{
	const char	*p;
	size_t		 n = 1;

	parse_list(ld, key, value, check_destination);
	p = field_of(ld, key);
	if (*p == '\0')
		return;
	for (; *p != '\0'; p++)
		if (*p == ',')
			n++;
	if (n > CONFIG_DESTINATIONS_MAX) {
		value_error(ld, key, value, "has %zu entries; the limit is %d",
		    n, CONFIG_DESTINATIONS_MAX);
		*(char *)field_of(ld, key) = '\0';
	}
}

static void
parse_hosts(struct loader *ld, const struct config_key *key, const char *value)
{
	const char	*p;
	int		 entries = 1;

	for (p = value; *p != '\0'; p++)
		entries += *p == ',';
	if (entries > CONFIG_DB_HOSTS_MAX) {
		value_error(ld, key, value, "has more than %d entries",
		    CONFIG_DB_HOSTS_MAX);
		return;
	}
	parse_list(ld, key, value, check_host);
}

static void
parse_patterns(struct loader *ld, const struct config_key *key,
    const char *value)
{
	parse_list(ld, key, value, check_pattern);
}

static void
store_unsigned(struct loader *ld, const struct config_key *key, uint32_t v)
{
	if (key->size == sizeof(uint16_t))
		*(uint16_t *)field_of(ld, key) = (uint16_t)v;
	else
		*(uint32_t *)field_of(ld, key) = v;
}

static void
parse_number(struct loader *ld, const struct config_key *key,
    const char *value)
{
	const char	*errstr;
	long long	 v;

	/* libbsd's strtonum leaves errno alone: tell the cases by errstr. */
	v = strtonum(value, key->min, key->max, &errstr);
	if (errstr != NULL && strcmp(errstr, "invalid") == 0)
		value_error(ld, key, value, "is not a number");
	else if (errstr != NULL)
		value_error(ld, key, value, "is outside %lld..%lld",
		    key->min, key->max);
	else
		store_unsigned(ld, key, (uint32_t)v);
}

/* multinic0..9 use BASE..BASE+9: 253-255 are the kernel's own tables. */
static void
parse_table_base(struct loader *ld, const struct config_key *key,
    const char *value)
{
	const char	*errstr;
	long long	 v;

	v = strtonum(value, key->min, key->max, &errstr);
	if (errstr == NULL && v <= 255 && v + 9 >= 253)
		value_error(ld, key, value, "would give multinic0..9 tables"
		    " %lld..%lld, taking one of the kernel's 253-255", v,
		    v + 9);
	else
		parse_number(ld, key, value);
}

static void
format_duration(uint32_t ms, char *buf, size_t size)
{
	if (ms != 0 && ms % 3600000 == 0)
		snprintf(buf, size, "%uh", ms / 3600000);
	else if (ms != 0 && ms % 60000 == 0)
		snprintf(buf, size, "%um", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, size, "%us", ms / 1000);
	else
		snprintf(buf, size, "%ums", ms);
}

/* Consumes a unit at *text; returns its length in ms, 0 if none. */
static uint32_t
duration_unit(const char **text)
{
	static const struct { const char *name; uint32_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	size_t	i, len;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		len = strlen(units[i].name);
		if (strncmp(*text, units[i].name, len) == 0) {
			*text += len;
			return units[i].ms;
		}
	}
	return 0;
}

#define NOT_A_DURATION	"is not a duration (such as 500ms, 30s, 1.5m, 1h," \
			" 1m30s or a number of seconds)"
#define TOO_LONG	"is longer than the maximum of 168h (7 days)"
#define TOO_FINE	"is not a whole number of milliseconds"
#define FRACTION_SCALE_MAX	1000000000ULL	/* nine decimals */

/*
 * Digits, then optionally '.' and more digits, at *text: the fraction as a
 * count of 1 / *scale, so "1.5" is 1 and 5 / 10. Returns why not, or NULL.
 */
static const char *
duration_number(const char **text, uint64_t *number, uint64_t *fraction,
    uint64_t *scale)
{
	const char	*p = *text;

	*fraction = 0;
	*scale = 1;
	if (!isdigit((unsigned char)*p))
		return NOT_A_DURATION;
	for (*number = 0; isdigit((unsigned char)*p); p++)
		if ((*number = *number * 10 + (*p - '0')) > DURATION_MAX_MS)
			return TOO_LONG;
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (*scale == FRACTION_SCALE_MAX)
				return TOO_FINE;
			*fraction = *fraction * 10 + (*p - '0');
			*scale *= 10;
		}
		if (*scale == 1)
			return NOT_A_DURATION;
	}
	*text = p;
	return NULL;
}

/*
 * Go-style "1m30s" and "1.5m" are accepted because the earlier agent's
 * durations came from time.ParseDuration; a bare number means seconds only
 * on its own, and a fraction must come to whole milliseconds.
 */
static const char *
duration_parse(const char *text, uint32_t *ms)
{
	uint64_t	 total = 0, number, fraction, scale;
	uint32_t	 unit;
	const char	*why;
	int		 bare;

	if (text == NULL || !isdigit((unsigned char)*text))
		return NOT_A_DURATION;
	bare = only_from(text, DIGITS);
	while (*text != '\0') {
		if ((why = duration_number(&text, &number, &fraction,
		    &scale)) != NULL)
			return why;
		if ((unit = bare ? 1000 : duration_unit(&text)) == 0)
			return NOT_A_DURATION;
		if (fraction * unit % scale != 0)
			return TOO_FINE;
		if ((total += number * unit + fraction * unit / scale) >
		    DURATION_MAX_MS)
			return TOO_LONG;
	}
	*ms = (uint32_t)total;
	return NULL;
}

int
config_parse_duration(const char *text, uint32_t *ms)
{
	return duration_parse(text, ms) == NULL ? 0 : -1;
}

static void
parse_duration(struct loader *ld, const struct config_key *key,
    const char *value)
{
	const char	*why;
	uint32_t	 ms;
	char		 limit[32];

	if ((why = duration_parse(value, &ms)) != NULL) {
		value_error(ld, key, value, "%s", why);
		return;
	}
	if (ms < key->min) {
		format_duration((uint32_t)key->min, limit, sizeof(limit));
		value_error(ld, key, value, "is below the minimum of %s",
		    limit);
		return;
	}
	store_unsigned(ld, key, ms);
}

static void
parse_multiplier(struct loader *ld, const struct config_key *key,
    const char *value)
{
	char	*end;
	double	 v;

	ld->multiplier_set = 1;
	errno = 0;
	v = strtod(value, &end);
	if (*value == '\0' || isspace((unsigned char)*value) || *end != '\0' ||
	    errno == ERANGE || !isfinite(v))
		value_error(ld, key, value, "is not a number");
	else if (v < 1)
		value_error(ld, key, value, "is below the minimum of 1");
	else if (v > MULTIPLIER_MAX)
		value_error(ld, key, value, "is above the maximum of %g",
		    MULTIPLIER_MAX);
	else
		*(double *)field_of(ld, key) = v;
}

static int
find_choice(const struct choice *choices, const char *text)
{
	for (; choices->name != NULL; choices++)
		if (strcasecmp(choices->name, text) == 0)
			return choices->value;
	return -1;
}

static void
parse_choice(struct loader *ld, const struct config_key *key,
    const char *value)
{
	int	v;

	if ((v = find_choice(key->choices, value)) == -1)
		value_error(ld, key, value, "is not one of %s", key->hint);
	else
		*(int32_t *)field_of(ld, key) = v;
}

static void
parse_password(struct loader *ld, const struct config_key *key,
    const char *value)
{
	if (check_text(ld, key, value, sizeof(ld->secret->db_password)) == 0)
		strlcpy(ld->secret->db_password, value,
		    sizeof(ld->secret->db_password));
}

static void
parse_deprecated(struct loader *ld, const struct config_key *key,
    const char *value)
{
	(void)value;
	problem(ld, CONFIG_WARNING, "%s is deprecated and ignored (a setting"
	    " of the earlier Go agent)", key->name);
}

/* Only remembered here: apply_backoff_enabled() decides once all is read. */
static void
parse_backoff_enabled(struct loader *ld, const struct config_key *key,
    const char *value)
{
	int	enabled;

	if ((enabled = find_choice(key->choices, value)) == -1) {
		value_error(ld, key, value, "is not true or false");
		return;
	}
	ld->backoff_disabled = !enabled;
	problem(ld, CONFIG_WARNING, "%s is deprecated; %s", key->name, enabled ?
	    "backoff is always on, tuned by BACKOFF_MULTIPLIER" :
	    "false is read as BACKOFF_MULTIPLIER=1 (no backoff)");
}

/*
 * The value after '=', in place: blanks around it dropped, one pair of
 * quotes stripped as systemd's EnvironmentFile does, and a comment cut off.
 * A '#' starts a comment only outside quotes and after a blank, so "a#b"
 * stays whole and a password holding " #" must be quoted. Returns the value,
 * or NULL with why set.
 */
static char *
line_value(char *raw, const char **why)
{
	char	*value, *end, *p;

	value = raw + strspn(raw, " \t");
	if (*value == '"' || *value == '\'') {
		if ((end = strchr(value + 1, *value)) == NULL) {
			*why = "the value's opening quote is not closed";
			return NULL;
		}
		*end = '\0';
		p = end + 1 + strspn(end + 1, " \t\r\n");
		if (*p != '\0' && *p != '#') {
			*why = "has text after the closing quote (a comment"
			    " starts with '#')";
			return NULL;
		}
		return value + 1;
	}
	for (p = value; *p != '\0'; p++)
		if (*p == '#' && p > raw && isblank((unsigned char)p[-1])) {
			*p = '\0';
			break;
		}
	return trim(value);
}

/* Where key got its value from, once the value was good. */
static void
record_source(struct loader *ld, const struct config_key *key)
{
	ld->set |= key_bit(key);
	if (ld->sources != NULL)
		strlcpy(ld->sources->where[key - config_keys], ld->where,
		    sizeof(ld->sources->where[0]));
}

static void
apply_value(struct loader *ld, const struct config_key *key,
    const char *value)
{
	int	errors = ld->errors;

	key->parse(ld, key, value);
	if (ld->errors == errors)
		record_source(ld, key);
}

/* Edits (insert, delete, replace) from text to key, ignoring case. */
static size_t
edit_distance(const char *text, const char *key)
{
	size_t		 row[KEY_NAME_MAX + 1], i, j, diagonal, above, lb;
	const char	*a = text, *b = key;

	if ((lb = strlen(b)) > KEY_NAME_MAX)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; a[i - 1] != '\0'; i++) {
		diagonal = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			above = row[j];
			row[j] = MIN(MIN(row[j] + 1, row[j - 1] + 1), diagonal +
			    (toupper((unsigned char)a[i - 1]) !=
			    toupper((unsigned char)b[j - 1])));
			diagonal = above;
		}
	}
	return row[lb];
}

/* The known key a misspelt name most resembles, or NULL if none is close. */
static const char *
similar_key(const char *name)
{
	const char	*best = NULL;
	size_t		 i, distance, best_distance = SIZE_MAX, limit, len, keylen;

	/* Two edits, or more for long names: "PROTECTED_INTERFACE". */
	len = strlen(name);
	limit = MAX(2, len / 4);
	for (i = 0; i < NKEYS; i++) {
		/* A length that differs more cannot be close: no work. */
		keylen = strlen(config_keys[i].name);
		if (config_keys[i].parse == parse_deprecated ||
		    MAX(len, keylen) - MIN(len, keylen) > limit)
			continue;
		distance = edit_distance(name, config_keys[i].name);
		if (distance <= limit && distance < best_distance) {
			best = config_keys[i].name;
			best_distance = distance;
		}
	}
	return best;
}

static void
unknown_key(struct loader *ld, const char *name)
{
	const char	*similar;
	char		 shown[4 * SHOWN_VALUE_MAX + 8];

	show_value(name, shown, sizeof(shown));
	if ((similar = similar_key(name)) != NULL)
		problem(ld, CONFIG_WARNING, "%s: unknown key ignored; did you"
		    " mean %s?", shown, similar);
	else
		problem(ld, CONFIG_WARNING, "%s: unknown key ignored", shown);
}

/*
 * A line is KEY=VALUE, optionally after "export". Lines starting with '#'
 * or ';' are comments (';' as in systemd's EnvironmentFile), and so is what
 * follows a blank and '#' in a value outside quotes (line_value()).
 */
static void
load_line(struct loader *ld, char *line)
{
	const struct config_key	*key;
	char			*name, *value, *eq;
	const char		*why = NULL;
	char			 shown[4 * SHOWN_VALUE_MAX + 8];

	name = trim(line);
	if (*name == '\0' || *name == '#' || *name == ';')
		return;
	if (strncmp(name, "export", 6) == 0 && isblank((unsigned char)name[6]))
		name = trim(name + 7);
	if ((eq = strchr(name, '=')) == NULL) {
		problem(ld, CONFIG_ERROR, "expected KEY=VALUE");
		return;
	}
	*eq = '\0';
	name = trim(name);
	if (*name == '\0') {
		problem(ld, CONFIG_ERROR, "no key before '='");
		return;
	}
	key = find_key(name);
	value = line_value(eq + 1, &why);
	/* Even a malformed password line is a secret the file must keep. */
	if (key != NULL && (key->flags & KEY_SECRET) &&
	    (value == NULL || *value != '\0'))
		ld->file_has_password = 1;
	if (value == NULL) {
		problem(ld, CONFIG_ERROR, "%s: %s", show_value(name, shown,
		    sizeof(shown)), why);
		if (key != NULL)
			ld->bad |= key_bit(key);
	} else if (key == NULL)
		unknown_key(ld, name);
	else
		apply_value(ld, key, value);
}

static void
skip_rest_of_line(FILE *fp)
{
	int	c;

	while ((c = getc(fp)) != EOF && c != '\n')
		;
}

static void
read_lines(struct loader *ld, FILE *fp, const char *file)
{
	char		line[CONFIG_LINE_MAX + 2];
	unsigned	lineno = 0;
	size_t		len;

	while (fgets(line, sizeof(line), fp) != NULL) {
		snprintf(ld->where, sizeof(ld->where), "%s:%u", file,
		    ++lineno);
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			problem(ld, CONFIG_ERROR, "line longer than %d bytes",
			    CONFIG_LINE_MAX);
			skip_rest_of_line(fp);
		} else
			load_line(ld, line);
		/* Only what fgets() wrote: the rest was wiped after its line. */
		explicit_bzero(line, len);
	}
	ld->where[0] = '\0';
}

/* The only path check: a password others could read or change. */
static void
check_secrecy(struct loader *ld, const char *file, mode_t mode)
{
	if (!ld->file_has_password ||
	    (mode & (S_IWGRP | S_IROTH | S_IWOTH)) == 0)
		return;
	problem(ld, CONFIG_ERROR, "%s holds DB_PASSWORD but its mode %04o lets"
	    " other users read or change it; run chmod 600 %s (or chmod 640"
	    " to share it with a group)", file, (unsigned)(mode & 07777),
	    file);
}

static void
load_file(struct loader *ld, const char *file, int required)
{
	char		iobuf[BUFSIZ];
	struct stat	st;
	FILE		*fp;
	int		fd;

	/* O_NONBLOCK: a FIFO given as the file must not hang start-up. */
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		if (errno != ENOENT || required)
			problem(ld, CONFIG_ERROR, "cannot open %s: %s", file,
			    strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || (fp = fdopen(fd, "r")) == NULL) {
		problem(ld, CONFIG_ERROR, "%s: %s", file, strerror(errno));
		close(fd);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		problem(ld, CONFIG_ERROR, "%s: not a regular file", file);
		fclose(fp);
		return;
	}
	/* Our own buffer, so the copy of the file stdio keeps can be wiped. */
	setvbuf(fp, iobuf, _IOFBF, sizeof(iobuf));
	read_lines(ld, fp, file);
	if (ferror(fp))
		problem(ld, CONFIG_ERROR, "cannot read %s", file);
	fclose(fp);
	explicit_bzero(iobuf, sizeof(iobuf));
	check_secrecy(ld, file, st.st_mode);
}

/* Only known keys: the environment also holds PATH, HOME and the like. */
static void
load_environment(struct loader *ld, char *const envp[])
{
	const struct config_key	*key;
	const char		*eq;
	char			 name[64];
	size_t			 len;

	strlcpy(ld->where, "environment", sizeof(ld->where));
	for (; envp != NULL && *envp != NULL; envp++) {
		if ((eq = strchr(*envp, '=')) == NULL)
			continue;
		if ((len = eq - *envp) >= sizeof(name))
			continue;
		memcpy(name, *envp, len);
		name[len] = '\0';
		if ((key = find_key(name)) != NULL)
			apply_value(ld, key, eq + 1);
	}
	ld->where[0] = '\0';
}

/* Reads the first line of fd into buf; returns why it is unusable, or NULL. */
static const char *
read_secret_line(int fd, char *buf, size_t size, size_t *len)
{
	size_t	used = 0;
	ssize_t	n;
	char	*nl;

	while (used < size && memchr(buf, '\n', used) == NULL) {
		if ((n = read(fd, buf + used, size - used)) == -1 &&
		    errno == EINTR)
			continue;
		if (n == -1)
			return strerror(errno);
		if (n == 0)
			break;
		used += n;
	}
	nl = memchr(buf, '\n', used);
	*len = nl != NULL ? (size_t)(nl - buf) : used;
	if (*len > 0 && buf[*len - 1] == '\r')
		(*len)--;
	if (*len >= CONFIG_SECRET_MAX)
		return "its first line is longer than the limit of 255 bytes";
	buf[*len] = '\0';
	if (strlen(buf) != *len || has_control(buf))
		return "its first line contains a control character";
	return NULL;
}

/* DB_PASSWORD_FILE wins over DB_PASSWORD (Kubernetes secrets, credentials). */
static void
read_password_file(struct loader *ld)
{
	const char	*path = ld->conf->db_password_file, *why;
	char		 buf[CONFIG_SECRET_MAX + 2];
	size_t		 len = 0;
	int		 fd;

	_Static_assert(CONFIG_SECRET_MAX == 256, "the message says 255");
	if (path[0] == '\0' || key_is_bad(ld, "DB_PASSWORD_FILE"))
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		problem(ld, CONFIG_ERROR, "DB_PASSWORD_FILE: cannot open %s:"
		    " %s", path, strerror(errno));
		return;
	}
	why = read_secret_line(fd, buf, sizeof(buf), &len);
	close(fd);
	if (why != NULL)
		problem(ld, CONFIG_ERROR, "DB_PASSWORD_FILE: %s: %s", path,
		    why);
	else {
		if (len == 0)
			problem(ld, CONFIG_WARNING, "DB_PASSWORD_FILE: %s is"
			    " empty; connecting without a password", path);
		strlcpy(ld->secret->db_password, buf,
		    sizeof(ld->secret->db_password));
		snprintf(ld->where, sizeof(ld->where), "DB_PASSWORD_FILE %s",
		    path);
		record_source(ld, find_key("DB_PASSWORD"));
		ld->where[0] = '\0';
	}
	explicit_bzero(buf, sizeof(buf));
}

/*
 * BACKOFF_ENABLED=false means multiplier 1 unless BACKOFF_MULTIPLIER is set
 * too, from the file or the environment: the current key always wins over
 * the legacy one, whatever their sources.
 */
static void
apply_backoff_enabled(struct loader *ld)
{
	if (!ld->backoff_disabled)
		return;
	if (!ld->multiplier_set)
		ld->conf->backoff_multiplier = 1.0;
	else if (ld->conf->backoff_multiplier != 1.0)
		problem(ld, CONFIG_WARNING, "BACKOFF_ENABLED=false ignored:"
		    " BACKOFF_MULTIPLIER=%g is set",
		    ld->conf->backoff_multiplier);
}

/*
 * The default BACKOFF_MAX_INTERVAL (5m) must not refuse a longer
 * POLL_INTERVAL nobody asked it to cap: unset, it follows the interval.
 */
static void
follow_poll_interval(struct loader *ld)
{
	const struct config_key	*max = find_key("BACKOFF_MAX_INTERVAL");

	if ((ld->set & key_bit(max)) ||
	    ld->conf->backoff_max_interval_ms >= ld->conf->poll_interval_ms)
		return;
	ld->conf->backoff_max_interval_ms = ld->conf->poll_interval_ms;
	if (ld->sources != NULL)
		strlcpy(ld->sources->where[max - config_keys],
		    "default, raised to POLL_INTERVAL",
		    sizeof(ld->sources->where[0]));
}

/* Checks between keys, skipped when one of them was already reported. */
static void
check_relations(struct loader *ld)
{
	const struct config	*conf = ld->conf;
	char			 max[32], poll[32];

	follow_poll_interval(ld);
	if (!key_is_bad(ld, "POLL_INTERVAL") &&
	    !key_is_bad(ld, "BACKOFF_MAX_INTERVAL") &&
	    conf->backoff_max_interval_ms < conf->poll_interval_ms) {
		format_duration(conf->backoff_max_interval_ms, max,
		    sizeof(max));
		format_duration(conf->poll_interval_ms, poll, sizeof(poll));
		problem(ld, CONFIG_ERROR, "BACKOFF_MAX_INTERVAL: %s is below"
		    " POLL_INTERVAL (%s)", max, poll);
	}
	/* Faster than that, hot-plug polls would load the DB for nothing. */
	if (!key_is_bad(ld, "HOTPLUG_POLL_INTERVAL") &&
	    conf->hotplug_poll_interval_ms != 0 &&
	    conf->hotplug_poll_interval_ms < HOTPLUG_POLL_INTERVAL_MIN_MS) {
		format_duration(conf->hotplug_poll_interval_ms, poll,
		    sizeof(poll));
		problem(ld, CONFIG_ERROR, "HOTPLUG_POLL_INTERVAL: %s is neither"
		    " 0 (off) nor at least 100ms", poll);
	}
	if (!key_is_bad(ld, "APPLY_MODE") && !key_is_bad(ld, "APPLY_COMMAND") &&
	    conf->apply_mode == APPLY_MODE_COMMAND &&
	    conf->apply_command[strspn(conf->apply_command, " ")] == '\0')
		problem(ld, CONFIG_ERROR, "APPLY_COMMAND: must be set when"
		    " APPLY_MODE=command");
}

void
config_defaults(struct config *conf)
{
	/* Zeroed first: the struct crosses the socketpair, padding included. */
	memset(conf, 0, sizeof(*conf));
	strlcpy(conf->db_host, "localhost", sizeof(conf->db_host));
	conf->db_port = 3306;
	strlcpy(conf->db_user, "multinic", sizeof(conf->db_user));
	strlcpy(conf->db_name, "multinic_db", sizeof(conf->db_name));
	conf->db_tls = DB_TLS_OFF;
	conf->db_connect_timeout_ms = 5 * 1000;
	conf->db_soft_delete = 0;
	conf->poll_interval_ms = 30 * 1000;
	conf->hotplug_poll_interval_ms = 1000;
	conf->hotplug_poll_window_ms = 60 * 1000;
	conf->backoff_max_interval_ms = 5 * 60 * 1000;
	conf->backoff_multiplier = 2.0;
	conf->log_level = LOG_LEVEL_INFO;
	conf->log_format = LOG_FORMAT_AUTO;
	strlcpy(conf->health_addr, "0.0.0.0", sizeof(conf->health_addr));
	conf->health_port = 8080;
	strlcpy(conf->control_socket, "/run/multinicd/multinicd.sock",
	    sizeof(conf->control_socket));
	conf->os_type = OS_TYPE_AUTO;
	strlcpy(conf->config_root, "/", sizeof(conf->config_root));
	strlcpy(conf->state_dir, "/var/lib/multinic", sizeof(conf->state_dir));
	conf->apply_mode = APPLY_MODE_NETLINK;
	conf->landlock = LANDLOCK_BEST_EFFORT;
	conf->verify_timeout_ms = 10 * 1000;
	strlcpy(conf->protected_interfaces, DEFAULT_PROTECTED,
	    sizeof(conf->protected_interfaces));
	/*
	 * A /8 (10.0.0.0/8) is the largest network a site gives one subnet;
	 * a shorter prefix claims a good part of IPv4
	 * (doc/architecture.md, 3.12).
	 */
	conf->min_prefix_len = 8;
	conf->delete_max_per_cycle = 2;
	conf->delete_grace_ms = 10 * 60 * 1000;
	strlcpy(conf->privsep_user, "_multinic", sizeof(conf->privsep_user));
	conf->dry_run = 0;
	conf->source_routing = 0;
	conf->source_routing_gateway = SOURCE_ROUTING_GATEWAY_FIRST;
	conf->source_routing_table_base = 1000;
	hosts_split(conf);
}

int
config_load(struct config *conf, struct config_secret *secret,
    const char *file, int file_required, char *const envp[],
    config_report_fn report, void *arg)
{
	return config_load_sources(conf, secret, file, file_required, envp,
	    report, arg, NULL);
}

int
config_load_sources(struct config *conf, struct config_secret *secret,
    const char *file, int file_required, char *const envp[],
    config_report_fn report, void *arg, struct config_sources *sources)
{
	struct loader	ld;
	size_t		i;

	memset(&ld, 0, sizeof(ld));
	ld.conf = conf;
	ld.secret = secret;
	ld.report = report;
	ld.arg = arg;
	ld.sources = sources;
	for (i = 0; sources != NULL && i < CONFIG_KEYS_MAX; i++)
		strlcpy(sources->where[i], "default", sizeof(sources->where[i]));
	config_defaults(conf);
	explicit_bzero(secret, sizeof(*secret));
	if (file != NULL)
		load_file(&ld, file, file_required);
	load_environment(&ld, envp);
	read_password_file(&ld);
	apply_backoff_enabled(&ld);
	hosts_split(conf);
	check_relations(&ld);
	if (ld.errors != 0)
		explicit_bzero(secret, sizeof(*secret));
	return ld.errors;
}

const char *
config_log_level_name(int level)
{
	const struct choice	*c;

	/* The first spelling of a level in the table is its name. */
	for (c = level_choices; c->name != NULL; c++)
		if (c->value == level)
			return c->name;
	return "unknown";
}

const char *
config_os_type_name(int os_type)
{
	const struct choice	*c;

	for (c = os_choices; c->name != NULL; c++)
		if (c->value == os_type)
			return c->name;
	return "unknown";
}

int
config_parse_log_level(const char *text)
{
	if (text == NULL)
		return -1;
	return find_choice(level_choices, text);
}

void
config_source_note(struct config_sources *sources, const char *key,
    const char *note)
{
	const struct config_key	*k;

	if ((k = find_key(key)) != NULL)
		strlcpy(sources->where[k - config_keys], note,
		    sizeof(sources->where[0]));
}

/* A key's value as text, as the file would spell it. */
static void
format_value(const struct config_key *key, const struct config *conf,
    const struct config_secret *secret, char *buf, size_t size)
{
	const void		*field = (const char *)conf + key->offset;
	const struct choice	*c;

	buf[0] = '\0';
	if (key->flags & KEY_SECRET)
		strlcpy(buf, secret->db_password[0] != '\0' ? "********" : "",
		    size);
	else if (key->parse == parse_duration)
		format_duration(*(const uint32_t *)field, buf, size);
	else if (key->parse == parse_number && key->size == sizeof(uint16_t))
		snprintf(buf, size, "%u", *(const uint16_t *)field);
	else if (key->parse == parse_number ||
	    key->parse == parse_table_base)
		snprintf(buf, size, "%u", *(const uint32_t *)field);
	else if (key->parse == parse_multiplier)
		snprintf(buf, size, "%g", *(const double *)field);
	else if (key->parse == parse_choice) {
		/* The first spelling of a value in its table is its name. */
		for (c = key->choices; c->name != NULL; c++)
			if (c->value == *(const int32_t *)field) {
				strlcpy(buf, c->name, size);
				break;
			}
	} else
		strlcpy(buf, field, MIN(size, key->size));
}

void
config_print(FILE *fp, const struct config *conf,
    const struct config_secret *secret, const struct config_sources *sources)
{
	char	value[CONFIG_HOSTS_MAX + CONFIG_LIST_MAX], line[sizeof(value) + 8];
	size_t	i;
	int	quote;
	char	mark;

	for (i = 0; i < NKEYS; i++) {
		if (config_keys[i].parse == parse_deprecated ||
		    config_keys[i].parse == parse_backoff_enabled)
			continue;
		format_value(&config_keys[i], conf, secret, value,
		    sizeof(value));
		/* Quoted where a blank or '#' would not read back as it is. */
		quote = value[strcspn(value, " \t#'\"")] != '\0';
		mark = strchr(value, '"') != NULL ? '\'' : '"';
		snprintf(line, sizeof(line), "%s=%.*s%s%.*s",
		    config_keys[i].name, quote, &mark, value, quote, &mark);
		fprintf(fp, "%-40s # %s\n", line, sources->where[i]);
	}
}
