/* SPDX-License-Identifier: ISC */
/*
 * The transaction journal: STATE_DIR/journal/<mac> holds how to undo an
 * action in progress; STATE_DIR/backup holds the old files. Written before
 * the action, removed after it; what is left at start-up is rolled back.
 */

#include <sys/stat.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"
#include "journal.h"
#include "log.h"
#include "render.h"
#include "validate.h"

#define JOURNAL_DIR	"journal"
#define BACKUP_DIR	"backup"
#define JOURNAL_MAX	32768
#define BOOT_ID_FILE	"/proc/sys/kernel/random/boot_id"

/*
 * Read, not sized with stat: a /proc file says it is empty. An empty id
 * would match every boot's, and recovery would take another boot's links
 * for live ones.
 */
int
journal_boot_id(char *buf, size_t len)
{
	char	text[BOOT_ID_MAX];
	ssize_t	n;
	int	fd;

	if ((fd = open(BOOT_ID_FILE, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n == 0)
		errno = ENODATA;
	if (n <= 0)
		return -1;
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	if (text[0] == '\0' || strlcpy(buf, text, len) >= len)
		return -1;
	return 0;
}

static int
entry_path(const char *state_dir, const uint8_t *mac, char *buf, size_t len)
{
	char	text[VALIDATE_MAC_TEXT_SIZE];

	validate_format_mac(mac, text);
	return (size_t)snprintf(buf, len, "%s/%s/%s", state_dir, JOURNAL_DIR,
	    text) < len ? 0 : -1;
}

static int
make_subdir(const char *state_dir, const char *sub)
{
	char	path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir, sub) >=
	    sizeof(path))
		return -1;
	return mkdir(path, 0700) == -1 && errno != EEXIST ? -1 : 0;
}

/* The old file, copied rather than moved: it stays live until replaced. */
static int
backup_file(const char *state_dir, const char *path, int *had, char *backup,
    size_t size)
{
	char		*data;
	const char	*base;
	size_t		 len;
	int		 rc;

	*had = 0;
	if (path[0] == '\0')
		return 0;
	if (files_read(path, RENDER_FILE_MAX, &data, &len) == -1)
		return errno == ENOENT ? 0 : -1;
	base = strrchr(path, '/');
	if ((size_t)snprintf(backup, size, "%s/%s/%s", state_dir, BACKUP_DIR,
	    base == NULL ? path : base + 1) >= size) {
		free(data);
		return -1;
	}
	rc = files_write_atomic(backup, data, len, 0600);
	free(data);
	*had = rc == 0;
	return rc;
}

static int
backup_old_files(const char *state_dir, struct journal_entry *e)
{
	size_t	i;

	if (backup_file(state_dir, e->path, &e->had_file, e->backup,
	    sizeof(e->backup)) == -1)
		return -1;
	for (i = 0; i < RENDER_EXTRA_MAX; i++)
		if (backup_file(state_dir, e->extra[i].path, &e->extra[i].had,
		    e->extra[i].backup, sizeof(e->extra[i].backup)) == -1)
			return -1;
	return 0;
}

static size_t
format_addrs(const struct nl_link *link, char *buf, size_t len)
{
	char	addr[INET_ADDRSTRLEN];
	size_t	i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < link->naddrs && used < len; i++) {
		inet_ntop(AF_INET, &link->addrs[i].addr, addr, sizeof(addr));
		used += snprintf(buf + used, len - used, "%s%s/%u",
		    i == 0 ? "" : ",", addr, link->addrs[i].prefix);
	}
	return used;
}

/*
 * "priority:table:src/len,..." and "table:dst/len:gateway:prefsrc:metric:
 * oif:scope:type:tos,...". One of ours never has a selector or attribute
 * beyond these; a foreign one (other) cannot be restored and is left out.
 */
static void
format_routing(const struct srcroute_set *set, char *rules, size_t rlen,
    char *routes, size_t len)
{
	const struct nl_route	*r;
	char			 a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	char			 c[INET_ADDRSTRLEN];
	size_t			 i, used = 0;

	rules[0] = routes[0] = '\0';
	for (i = 0; i < set->nrules && used < rlen; i++) {
		if (set->rules[i].other)
			continue;
		inet_ntop(AF_INET, &set->rules[i].src, a, sizeof(a));
		used += snprintf(rules + used, rlen - used, "%s%u:%u:%s/%u",
		    used == 0 ? "" : ",", set->rules[i].priority,
		    set->rules[i].table, a, set->rules[i].src_len);
	}
	for (i = 0, used = 0; i < set->nroutes && used < len; i++) {
		r = &set->routes[i];
		if (r->other)
			continue;
		inet_ntop(AF_INET, &r->dst, a, sizeof(a));
		inet_ntop(AF_INET, &r->gateway, b, sizeof(b));
		inet_ntop(AF_INET, &r->prefsrc, c, sizeof(c));
		used += snprintf(routes + used, len - used,
		    "%s%u:%s/%u:%s:%s:%u:%d:%u:%u:%u", used == 0 ? "" : ",",
		    r->table, a, r->dst_len, b, c, r->metric, r->oif, r->scope,
		    r->type, r->tos);
	}
}

static int
serialize(const struct journal_entry *e, char *buf, size_t len)
{
	char	mac[VALIDATE_MAC_TEXT_SIZE], addrs[NL_ADDRS_MAX * 20];
	char	rules[SRCROUTE_RULES_MAX * 48];
	char	routes[SRCROUTE_ROUTES_MAX * 96];
	int	n;

	validate_format_mac(e->mac, mac);
	format_addrs(&e->old_link, addrs, sizeof(addrs));
	format_routing(&e->old_routing, rules, sizeof(rules), routes,
	    sizeof(routes));
	/*
	 * The optional keys first: an entry cut after any line lacks a key
	 * it must have.
	 */
	n = snprintf(buf, len, "extra0=%s\nextra0_had=%d\nextra0_backup=%s\n"
	    "extra1=%s\nextra1_had=%d\nextra1_backup=%s\n"
	    "routing_slot=%d\nrouting_rules=%s\n"
	    "routing_routes=%s\nmac=%s\nboot_id=%s\npath=%s\nhad_file=%d\n"
	    "backup=%s\nold_slot=%d\nhad_link=%d\nlink_index=%d\n"
	    "link_name=%s\nlink_mtu=%u\nlink_up=%d\nlink_addrs=%s\n",
	    e->extra[0].path, e->extra[0].had, e->extra[0].backup,
	    e->extra[1].path, e->extra[1].had, e->extra[1].backup,
	    e->routing_slot, rules, routes, mac, e->boot_id, e->path,
	    e->had_file, e->backup, e->old_slot, e->had_link,
	    e->old_link.index, e->old_link.name, e->old_link.mtu,
	    (e->old_link.flags & IFF_UP) != 0, addrs);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int
journal_begin(const char *state_dir, struct journal_entry *e)
{
	char	path[PATH_MAX], text[JOURNAL_MAX];
	int	len;

	if (make_subdir(state_dir, JOURNAL_DIR) == -1 ||
	    make_subdir(state_dir, BACKUP_DIR) == -1 ||
	    backup_old_files(state_dir, e) == -1 ||
	    entry_path(state_dir, e->mac, path, sizeof(path)) == -1 ||
	    (len = serialize(e, text, sizeof(text))) == -1)
		return -1;
	return files_write_atomic(path, text, (size_t)len, 0600);
}

int
journal_done(const char *state_dir, const uint8_t *mac)
{
	char	path[PATH_MAX];

	if (entry_path(state_dir, mac, path, sizeof(path)) == -1)
		return -1;
	return files_remove(path);
}

static int
parse_addrs(struct nl_link *link, char *text)
{
	char		*item, *slash;
	const char	*errstr;

	link->naddrs = 0;
	while ((item = strsep(&text, ",")) != NULL && *item != '\0') {
		if (link->naddrs >= NL_ADDRS_MAX ||
		    (slash = strchr(item, '/')) == NULL)
			return -1;
		*slash = '\0';
		link->addrs[link->naddrs].prefix = strtonum(slash + 1, 0, 32,
		    &errstr);
		if (errstr != NULL || validate_parse_ipv4(item,
		    &link->addrs[link->naddrs].addr) == -1)
			return -1;
		link->naddrs++;
	}
	return 0;
}

static int
parse_number(const char *value, long long min, long long max, int *out)
{
	const char	*errstr;

	*out = strtonum(value, min, max, &errstr);
	return errstr == NULL ? 0 : -1;
}

/* The next ':'-separated field of *text as a number in min..max. */
static int
next_u32(char **text, long long min, long long max, uint32_t *out)
{
	const char	*errstr;
	char		*field = strsep(text, ":");

	if (field == NULL)
		return -1;
	*out = (uint32_t)strtonum(field, min, max, &errstr);
	return errstr == NULL ? 0 : -1;
}

static int
next_ipv4(char **text, const char *end, uint32_t *out)
{
	char	*field = strsep(text, end);

	return field == NULL ? -1 : validate_parse_ipv4(field, out);
}

static int
parse_rule(char *text, struct nl_rule *r)
{
	uint32_t	len;

	memset(r, 0, sizeof(*r));
	if (next_u32(&text, 0, UINT32_MAX, &r->priority) == -1 ||
	    next_u32(&text, 1, UINT32_MAX, &r->table) == -1 ||
	    next_ipv4(&text, "/", &r->src) == -1 || text == NULL ||
	    next_u32(&text, 0, 32, &len) == -1 || text != NULL)
		return -1;
	r->src_len = (uint8_t)len;
	return 0;
}

static int
parse_route(char *text, struct nl_route *r)
{
	uint32_t	len, oif, scope, type, tos;

	memset(r, 0, sizeof(*r));
	if (next_u32(&text, 1, UINT32_MAX, &r->table) == -1 ||
	    next_ipv4(&text, "/", &r->dst) == -1 || text == NULL ||
	    next_u32(&text, 0, 32, &len) == -1 ||
	    next_ipv4(&text, ":", &r->gateway) == -1 ||
	    next_ipv4(&text, ":", &r->prefsrc) == -1 ||
	    next_u32(&text, 0, UINT32_MAX, &r->metric) == -1 ||
	    next_u32(&text, 0, INT_MAX, &oif) == -1 ||
	    next_u32(&text, 0, 255, &scope) == -1 ||
	    next_u32(&text, 0, 255, &type) == -1 ||
	    next_u32(&text, 0, 255, &tos) == -1 || text != NULL)
		return -1;
	r->dst_len = (uint8_t)len;
	r->oif = (int)oif;
	r->scope = (uint8_t)scope;
	r->type = (uint8_t)type;
	r->tos = (uint8_t)tos;
	return 0;
}

static int
parse_rules(struct srcroute_set *set, char *text)
{
	char	*item;

	set->nrules = 0;
	while ((item = strsep(&text, ",")) != NULL && *item != '\0') {
		if (set->nrules == SRCROUTE_RULES_MAX ||
		    parse_rule(item, &set->rules[set->nrules]) == -1)
			return -1;
		set->nrules++;
	}
	return 0;
}

static int
parse_routes(struct srcroute_set *set, char *text)
{
	char	*item;

	set->nroutes = 0;
	while ((item = strsep(&text, ",")) != NULL && *item != '\0') {
		if (set->nroutes == SRCROUTE_ROUTES_MAX ||
		    parse_route(item, &set->routes[set->nroutes]) == -1)
			return -1;
		set->nroutes++;
	}
	return 0;
}

/* extraN (the path, "" for none), extraN_had, extraN_backup. */
static int
parse_extra(struct journal_file *f, const char *rest, const char *value)
{
	if (*rest == '\0')
		return strlcpy(f->path, value, sizeof(f->path)) <
		    sizeof(f->path) && (value[0] == '/' || value[0] == '\0') ?
		    0 : -1;
	if (strcmp(rest, "_had") == 0)
		return parse_number(value, 0, 1, &f->had);
	if (strcmp(rest, "_backup") == 0)
		return strlcpy(f->backup, value, sizeof(f->backup)) <
		    sizeof(f->backup) ? 0 : -1;
	return -1;
}

static int
parse_field(struct journal_entry *e, const char *key, char *value)
{
	int	up, mtu;

	if (strcmp(key, "mac") == 0)
		return validate_parse_mac(value, e->mac);
	if (strcmp(key, "boot_id") == 0)
		return strlcpy(e->boot_id, value, sizeof(e->boot_id)) <
		    sizeof(e->boot_id) ? 0 : -1;
	if (strcmp(key, "path") == 0)
		return strlcpy(e->path, value, sizeof(e->path)) <
		    sizeof(e->path) && value[0] == '/' ? 0 : -1;
	if (strcmp(key, "backup") == 0)
		return strlcpy(e->backup, value, sizeof(e->backup)) <
		    sizeof(e->backup) ? 0 : -1;
	if (strcmp(key, "had_file") == 0)
		return parse_number(value, 0, 1, &e->had_file);
	if (strcmp(key, "old_slot") == 0)
		return parse_number(value, -1, 9, &e->old_slot);
	if (strcmp(key, "had_link") == 0)
		return parse_number(value, 0, 1, &e->had_link);
	if (strcmp(key, "link_index") == 0)
		return parse_number(value, 0, INT_MAX, &e->old_link.index);
	if (strcmp(key, "link_name") == 0)
		return strlcpy(e->old_link.name, value,
		    sizeof(e->old_link.name)) < sizeof(e->old_link.name) ? 0 : -1;
	if (strcmp(key, "link_mtu") == 0) {
		if (parse_number(value, 0, 65535, &mtu) == -1)
			return -1;
		e->old_link.mtu = (uint32_t)mtu;
		return 0;
	}
	if (strcmp(key, "link_up") == 0) {
		if (parse_number(value, 0, 1, &up) == -1)
			return -1;
		e->old_link.flags = up ? IFF_UP : 0;
		return 0;
	}
	if (strcmp(key, "link_addrs") == 0)
		return parse_addrs(&e->old_link, value);
	if (strncmp(key, "extra", 5) == 0 && (key[5] == '0' || key[5] == '1'))
		return parse_extra(&e->extra[key[5] - '0'], key + 6, value);
	if (strcmp(key, "routing_slot") == 0)
		return parse_number(value, -1, 9, &e->routing_slot);
	if (strcmp(key, "routing_rules") == 0)
		return parse_rules(&e->old_routing, value);
	if (strcmp(key, "routing_routes") == 0)
		return parse_routes(&e->old_routing, value);
	return -1;
}

/*
 * What serialize() writes, each exactly once; the routing_ and extra keys
 * only since source routing, so an entry left by an older multinicd still
 * reads.
 */
static const char *const entry_keys[] = { "mac", "boot_id", "path",
    "had_file", "backup", "old_slot", "had_link", "link_index", "link_name",
    "link_mtu", "link_up", "link_addrs", "routing_slot", "routing_rules",
    "routing_routes", "extra0", "extra0_had", "extra0_backup", "extra1",
    "extra1_had", "extra1_backup" };
#define ENTRY_KEYS_REQUIRED	12
#define ENTRY_KEYS_ROUTING	(0x1ffU << ENTRY_KEYS_REQUIRED)

static int
entry_key(const char *key)
{
	size_t	i;

	for (i = 0; i < sizeof(entry_keys) / sizeof(entry_keys[0]); i++)
		if (strcmp(key, entry_keys[i]) == 0)
			return (int)i;
	return -1;
}

/*
 * A complete entry only: one cut short by a crash or a full disk could
 * read as another action (without had_file, an update is a create, and
 * its rollback would delete the live file).
 */
static int
parse_entry(char *text, struct journal_entry *e)
{
	const unsigned	 required = (1U << ENTRY_KEYS_REQUIRED) - 1;
	unsigned	 seen = 0;
	char		*line, *eq;
	size_t		 len = strlen(text);
	int		 key;

	memset(e, 0, sizeof(*e));
	e->old_slot = -1;
	e->routing_slot = -1;
	if (len == 0 || text[len - 1] != '\n')
		return -1;
	while ((line = strsep(&text, "\n")) != NULL) {
		if (*line == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL)
			return -1;
		*eq = '\0';
		if ((key = entry_key(line)) == -1 || (seen & 1U << key) ||
		    parse_field(e, line, eq + 1) == -1)
			return -1;
		seen |= 1U << key;
	}
	/* The routing and extra file keys come all or none. */
	if ((seen & required) != required ||
	    ((seen & ENTRY_KEYS_ROUTING) != 0 &&
	    (seen & ENTRY_KEYS_ROUTING) != ENTRY_KEYS_ROUTING))
		return -1;
	return 0;
}

/* An entry is filed under its own MAC: journal_done() removes that file. */
static int
read_entry(const char *dir, const char *name, struct journal_entry *e)
{
	char	path[PATH_MAX], *data, mac[VALIDATE_MAC_TEXT_SIZE];
	size_t	len;
	int	rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || files_read(path, JOURNAL_MAX, &data, &len) == -1)
		return -1;
	rc = parse_entry(data, e);
	free(data);
	if (rc == 0) {
		validate_format_mac(e->mac, mac);
		if (strcmp(mac, name) != 0)
			rc = -1;
	}
	if (rc == -1)
		log_warnx("journal entry %s is malformed; left for inspection",
		    path);
	return rc;
}

int
journal_pending(const char *state_dir, struct journal_entry **entries,
    size_t *count)
{
	char			 dir[PATH_MAX];
	DIR			*d;
	struct dirent		*de;
	struct journal_entry	*list = NULL, *grown;

	*count = 0;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", state_dir,
	    JOURNAL_DIR) >= sizeof(dir))
		return -1;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || *count >= 64)
			continue;
		if ((grown = reallocarray(list, *count + 1,
		    sizeof(*list))) == NULL)
			break;
		list = grown;
		if (read_entry(dir, de->d_name, &list[*count]) == 0)
			(*count)++;
	}
	closedir(d);
	*entries = list;
	return 0;
}
