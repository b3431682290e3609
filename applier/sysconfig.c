/* SPDX-License-Identifier: ISC */
/*
 * KEY='value' files for shell-like parsers, shared by ifcfg and wicked. The
 * quoting layer refuses any value it cannot represent safely.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "sysconfig.h"
#include "util.h"

#define SYSCONFIG_INPUT_MAX	65536
#define SYSCONFIG_LINE_MAX	256

static int
safe_value(const char *value)
{
	const char	*p;

	for (p = value; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(".:/-_", *p) != NULL))
			return 0;
	return p - value < SYSCONFIG_VALUE_MAX;
}

void
sysconfig_put(struct render_out *out, const char *key, const char *value,
    char quote)
{
	char	line[SYSCONFIG_LINE_MAX];

	if (!safe_value(value)) {
		out->failed = 1;
		return;
	}
	snprintf(line, sizeof(line), "%s=%c%s%c\n", key, quote, value, quote);
	render_out_raw(out, line);
}

/* One KEY=<quote>value<quote> line, strictly as we write it. */
static int
parse_line(char *line, char quote, char **key, char **value)
{
	char	*eq, *end;

	if ((eq = strchr(line, '=')) == NULL || eq == line)
		return -1;
	*eq = '\0';
	*key = line;
	*value = eq + 1;
	if (**value != quote || (end = strrchr(*value + 1, quote)) == NULL ||
	    end[1] != '\0')
		return -1;
	*end = '\0';
	(*value)++;
	return safe_value(*value) ? 0 : -1;
}

struct sysconfig_reader {
	char	  quote;
	int	(*fn)(void *, const char *, const char *);
	void	 *arg;
};

static int
sysconfig_line(void *arg, char *line, char *err, size_t errlen)
{
	struct sysconfig_reader	*r = arg;
	char			*key, *value;

	if (parse_line(line, r->quote, &key, &value) == -1)
		return errorf(err, errlen, "malformed");
	if (r->fn(r->arg, key, value) == -1)
		return errorf(err, errlen, "unexpected %.32s", key);
	return 0;
}

int
sysconfig_parse(const char *text, size_t len, char quote,
    int (*fn)(void *, const char *, const char *), void *arg, char *err,
    size_t errlen)
{
	struct sysconfig_reader	r = { quote, fn, arg };

	if (len > SYSCONFIG_INPUT_MAX)
		return errorf(err, errlen, "larger than %d bytes",
		    SYSCONFIG_INPUT_MAX);
	return render_each_line(text, len, sysconfig_line, &r, err, errlen);
}

int
sysconfig_path(const char *root, const char *dir, int slot, char *buf,
    size_t len)
{
	const char	*sep = root[0] != '\0' && root[strlen(root) - 1] == '/' ?
			    "" : "/";

	if (slot < 0 || slot > 9)
		return -1;
	return (size_t)snprintf(buf, len, "%s%s%s/ifcfg-multinic%d", root, sep,
	    dir, slot) < len ? 0 : -1;
}

/* "ifcfg-multinicN" exactly. */
int
sysconfig_owns(const char *name)
{
	return strncmp(name, "ifcfg-multinic", 14) == 0 && name[14] >= '0' &&
	    name[14] <= '9' && name[15] == '\0';
}

void
sysconfig_address(const struct nic_config *nic, char *addr, size_t len)
{
	inet_ntop(AF_INET, &nic->address, addr, len);
}

int
sysconfig_extra_path(const char *root, const char *dir, const char *prefix,
    int slot, char *buf, size_t len)
{
	const char	*sep = root[0] != '\0' && root[strlen(root) - 1] == '/' ?
			    "" : "/";

	if (slot < 0 || slot > 9)
		return -1;
	return (size_t)snprintf(buf, len, "%s%s%s/%smultinic%d", root, sep,
	    dir, prefix, slot) < len ? 0 : -1;
}

int
sysconfig_extra_text(const struct nic_config *nic, const char *lines,
    char *buf, size_t len, size_t *outlen, char *err, size_t errlen)
{
	*outlen = 0;
	if (nic->route_table == 0)
		return 0;
	if ((size_t)snprintf(buf, len, "%s%s", RENDER_HEADER, lines) >= len)
		return errorf(err, errlen, "routing file larger than %zu"
		    " bytes", len);
	*outlen = strlen(buf);
	return 0;
}
