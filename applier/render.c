/* SPDX-License-Identifier: ISC */
/* What the renderers share: selection by OS, errors, the udev rule file. */

#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "files.h"
#include "render.h"
#include "srcroute.h"
#include "util.h"
#include "validate.h"

#define UDEV_RULES_MAX	4096

const struct renderer *
render_for_os(int os_type)
{
	switch (os_type) {
	case OS_TYPE_IFCFG:
		return &renderer_ifcfg;
	case OS_TYPE_WICKED:
		return &renderer_wicked;
	case OS_TYPE_NETWORKMANAGER:
		return &renderer_networkmanager;
	default:
		return &renderer_netplan;
	}
}

int
render_nic_equal(const struct nic_config *a, const struct nic_config *b)
{
	return a->slot == b->slot && strcmp(a->name, b->name) == 0 &&
	    memcmp(a->mac, b->mac, sizeof(a->mac)) == 0 &&
	    a->has_address == b->has_address && a->mtu == b->mtu &&
	    (!a->has_address || (a->address == b->address &&
	    a->prefix == b->prefix)) && a->route_table == b->route_table &&
	    a->route_gateway == b->route_gateway;
}

int
render_parse_shape(const struct renderer *r, const char *text, size_t len,
    struct nic_config *nic, int *ours, char *err, size_t errlen)
{
	size_t	hlen = strlen(RENDER_HEADER);
	char	*with_header;
	int	rc;

	*ours = len >= hlen && memcmp(text, RENDER_HEADER, hlen) == 0;
	if (*ours)
		return r->parse(text, len, nic, err, errlen);
	/* The header is a comment line in every format: lend it one. */
	if (len > SIZE_MAX - hlen || (with_header = malloc(hlen + len)) == NULL)
		return errorf(err, errlen, "out of memory");
	memcpy(with_header, RENDER_HEADER, hlen);
	memcpy(with_header + hlen, text, len);
	rc = r->parse(with_header, hlen + len, nic, err, errlen);
	free(with_header);
	return rc;
}

int
render_read_file(const struct renderer *r, const char *path,
    struct nic_config *nic, int *ours, struct stat *sb, char *err,
    size_t errlen)
{
	char	*data;
	size_t	 len;
	int	 rc;

	if (files_read_stat(path, RENDER_FILE_MAX, &data, &len, sb) == -1)
		return -1;
	memset(nic, 0, sizeof(*nic));
	rc = render_parse_shape(r, data, len, nic, ours, err, errlen);
	free(data);
	return rc == -1 ? -2 : 0;
}

void
render_out_raw(struct render_out *out, const char *text)
{
	size_t	n = strlen(text);

	if (out->failed || out->used + n >= out->len) {
		out->failed = 1;
		return;
	}
	memcpy(out->buf + out->used, text, n);
	out->used += n;
}

int
render_each_line(const char *text, size_t len,
    int (*fn)(void *, char *, char *, size_t), void *arg, char *err,
    size_t errlen)
{
	char		 line[RENDER_LINE_MAX], why[128];
	const char	*p = text, *end = text + len, *nl;
	size_t		 n;
	int		 lineno = 0;

	for (; p < end; p = nl + 1) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((n = (size_t)(nl - p)) >= sizeof(line))
			return errorf(err, errlen, "line %d too long", lineno);
		memcpy(line, p, n);
		line[n] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		why[0] = '\0';
		if (fn(arg, line, why, sizeof(why)) == -1)
			return errorf(err, errlen, "line %d %s", lineno, why);
	}
	return 0;
}

int
render_carries_routes(const struct renderer *r)
{
	return r->routes_in_file || r->nextra > 0;
}

/* Frees each text of the extra files read. */
static void
free_texts(char **texts, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(texts[i]);
}

int
render_read_extras(const struct renderer *r, const char *root,
    struct nic_config *nic, char *err, size_t errlen)
{
	char	 path[RENDER_EXTRA_MAX][PATH_MAX];
	char	*texts[RENDER_EXTRA_MAX] = { 0 };
	char	 want[RENDER_FILE_MAX];
	size_t	 len[RENDER_EXTRA_MAX] = {0}, outlen;
	int	 i, rc = -1;

	nic->route_table = 0;
	nic->route_gateway = 0;
	for (i = 0; i < r->nextra; i++) {
		if (r->extra_path(root, nic->slot, i, path[i],
		    sizeof(path[i])) == -1) {
			errorf(err, errlen, "no path for an extra file");
			goto done;
		}
		if (files_read(path[i], RENDER_FILE_MAX, &texts[i],
		    &len[i]) == -1 && errno != ENOENT) {
			errorf(err, errlen, "%s: %s", path[i], strerror(errno));
			goto done;
		}
	}
	if (r->nextra > 0 && texts[0] != NULL && r->extra_parse(texts[0],
	    len[0], nic, err, errlen) == -1)
		goto done;
	for (i = 0; i < r->nextra; i++) {
		if (r->extra_render(nic, i, want, sizeof(want), &outlen, err,
		    errlen) == -1)
			goto done;
		if ((texts[i] == NULL) != (outlen == 0) || (texts[i] != NULL &&
		    (len[i] != outlen || memcmp(texts[i], want, outlen) != 0))) {
			errorf(err, errlen, "%s is not as multinicd writes it",
			    path[i]);
			goto done;
		}
	}
	rc = 0;
done:
	free_texts(texts, r->nextra);
	if (rc == -1) {
		nic->route_table = 0;
		nic->route_gateway = 0;
	}
	return rc;
}

int
render_routes_fields(const char *text, size_t len, const char *gateway_word,
    struct nic_config *nic, char *err, size_t errlen)
{
	char		 copy[RENDER_FILE_MAX], *line, *rest, *word, *next;
	const char	*errstr;
	int		 deflt;

	if (len >= sizeof(copy))
		return errorf(err, errlen, "routes file too large");
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (rest = copy; (line = strsep(&rest, "\n")) != NULL; ) {
		deflt = strncmp(line, "default", 7) == 0;
		for (next = line; (word = strsep(&next, " ")) != NULL; ) {
			if (next == NULL)
				break;
			if (strcmp(word, "table") == 0 &&
			    nic->route_table == 0) {
				nic->route_table = (uint32_t)strtonum(
				    strsep(&next, " "), 1, UINT32_MAX,
				    &errstr);
				if (errstr != NULL)
					return errorf(err, errlen, "routes"
					    " file: bad table");
			} else if (deflt && strcmp(word, gateway_word) == 0 &&
			    validate_parse_ipv4(strsep(&next, " "),
			    &nic->route_gateway) == -1)
				return errorf(err, errlen, "routes file: bad"
				    " gateway");
		}
	}
	if (nic->route_table == 0)
		return errorf(err, errlen, "routes file without a table");
	return 0;
}

/* The second wall: values were validated, but refuse what is not ours. */
int
render_check(const struct nic_config *nic, char *err, size_t errlen)
{
	char	name[16];

	if (nic->slot < 0 || nic->slot > 9)
		return errorf(err, errlen, "slot %d outside 0..9", nic->slot);
	snprintf(name, sizeof(name), "multinic%d", nic->slot);
	if (strcmp(name, nic->name) != 0)
		return errorf(err, errlen, "name does not match slot %d",
		    nic->slot);
	if (nic->mtu < VALIDATE_MTU_MIN || nic->mtu > VALIDATE_MTU_MAX)
		return errorf(err, errlen, "MTU %u outside %d..%d", nic->mtu,
		    VALIDATE_MTU_MIN, VALIDATE_MTU_MAX);
	if (nic->has_address && (nic->prefix < 1 || nic->prefix > 32))
		return errorf(err, errlen, "prefix /%u outside 1..32",
		    nic->prefix);
	return srcroute_check(nic, err, errlen);
}

int
render_routing(const struct nic_config *nic, struct render_routing *r,
    char *err, size_t errlen)
{
	uint32_t	net;
	char		text[INET_ADDRSTRLEN];

	if (render_check(nic, err, errlen) == -1)
		return -1;
	memset(r, 0, sizeof(*r));
	net = nic->address & htonl(UINT32_MAX << (32 - nic->prefix));
	inet_ntop(AF_INET, &net, text, sizeof(text));
	snprintf(r->subnet, sizeof(r->subnet), "%s/%u", text, nic->prefix);
	inet_ntop(AF_INET, &nic->address, r->address, sizeof(r->address));
	if (nic->route_gateway != 0)
		inet_ntop(AF_INET, &nic->route_gateway, r->gateway,
		    sizeof(r->gateway));
	snprintf(r->table, sizeof(r->table), "%u", nic->route_table);
	snprintf(r->priority, sizeof(r->priority), "%u",
	    SRCROUTE_PRIORITY_BASE + (uint32_t)nic->slot);
	return 0;
}

static size_t
udev_text(char *buf, size_t len, const uint8_t (*macs)[6], const int *slots,
    size_t count)
{
	char	mac[VALIDATE_MAC_TEXT_SIZE];
	size_t	used, i;

	used = strlcpy(buf, RENDER_HEADER, len);
	for (i = 0; i < count && used < len; i++) {
		validate_format_mac(macs[i], mac);
		used += snprintf(buf + used, len - used, "SUBSYSTEM==\"net\","
		    " ACTION==\"add\", ATTR{address}==\"%s\","
		    " NAME=\"multinic%d\"\n", mac, slots[i]);
	}
	return used;
}

int
render_udev_path(const char *config_root, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s%s%s/%s", config_root,
	    config_root[strlen(config_root) - 1] == '/' ? "" : "/",
	    RENDER_UDEV_DIR, RENDER_UDEV_FILE) >= len)
		return -1;
	return 0;
}

int
render_udev_rules(const char *config_root, const uint8_t (*macs)[6],
    const int *slots, size_t count)
{
	char	 path[PATH_MAX], text[UDEV_RULES_MAX], *old;
	size_t	 len, oldlen;
	int	 same;

	if (render_udev_path(config_root, path, sizeof(path)) == -1)
		return -1;
	if (count == 0)
		return files_remove(path);
	if ((len = udev_text(text, sizeof(text), macs, slots, count)) >=
	    sizeof(text))
		return -1;
	if (files_read(path, UDEV_RULES_MAX, &old, &oldlen) == 0) {
		same = oldlen == len && memcmp(old, text, len) == 0;
		free(old);
		if (same)
			return 0;
	} else if (errno != ENOENT)
		return -1;
	return files_write_atomic(path, text, len, 0644);
}
