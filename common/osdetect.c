/* SPDX-License-Identifier: ISC */
/* OS_TYPE=auto: the persistent format from CONFIG_ROOT/etc/os-release. */

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "osdetect.h"

#define OS_RELEASE_MAX	16384
#define OS_VALUE_MAX	256
/* RHEL 10 drops the ifcfg files; 7 to 9 still read them. */
#define OS_RHEL_KEYFILE_MAJOR	10
/* Not an OS_TYPE: ifcfg or networkmanager by VERSION_ID. */
#define OS_RHEL_FAMILY	(-2)

static const struct {
	const char	*pattern;
	int		 os_type;
} os_table[] = {
	{ "ubuntu", OS_TYPE_NETPLAN }, { "debian", OS_TYPE_NETPLAN },
	{ "rhel", OS_RHEL_FAMILY }, { "centos", OS_RHEL_FAMILY },
	{ "rocky", OS_RHEL_FAMILY }, { "almalinux", OS_RHEL_FAMILY },
	{ "ol", OS_RHEL_FAMILY }, { "fedora", OS_TYPE_NETWORKMANAGER },
	{ "sles", OS_TYPE_WICKED }, { "sled", OS_TYPE_WICKED },
	{ "opensuse*", OS_TYPE_WICKED }, { "suse", OS_TYPE_WICKED },
};

static int
os_of_word(const char *word)
{
	size_t	i;

	for (i = 0; i < sizeof(os_table) / sizeof(os_table[0]); i++)
		if (fnmatch(os_table[i].pattern, word, 0) == 0)
			return os_table[i].os_type;
	return -1;
}

/* KEY=value, KEY="value" or KEY='value' on its own line. */
static int
os_value(const char *text, const char *key, char *value, size_t len)
{
	const char	*line, *p, *end;
	size_t		 klen = strlen(key), n;

	for (line = text; line != NULL && *line != '\0';
	    line = (p = strchr(line, '\n')) == NULL ? NULL : p + 1) {
		if (strncmp(line, key, klen) != 0 || line[klen] != '=')
			continue;
		p = line + klen + 1;
		end = p + strcspn(p, "\n");
		if (end > p && (*p == '"' || *p == '\'') && end[-1] == *p &&
		    end - p >= 2) {
			p++;
			end--;
		}
		if ((n = (size_t)(end - p)) >= len)
			n = len - 1;
		memcpy(value, p, n);
		value[n] = '\0';
		return 0;
	}
	return -1;
}

/*
 * The RHEL family by VERSION_ID's major number: keyfiles from 10, ifcfg
 * before, and ifcfg too when VERSION_ID is missing or not a number, as
 * for every RHEL-family system before keyfiles were an OS_TYPE.
 */
static int
os_rhel_family(const char *text)
{
	char		 version[OS_VALUE_MAX];
	const char	*errstr;
	long long	 major;

	if (os_value(text, "VERSION_ID", version, sizeof(version)) == -1)
		return OS_TYPE_IFCFG;
	version[strcspn(version, ".")] = '\0';
	major = strtonum(version, 1, 1000, &errstr);
	return errstr == NULL && major >= OS_RHEL_KEYFILE_MAJOR ?
	    OS_TYPE_NETWORKMANAGER : OS_TYPE_IFCFG;
}

static int
os_family(const char *text, char *id, size_t idlen)
{
	char	 like[OS_VALUE_MAX], *word, *rest;
	int	 os_type;

	if (os_value(text, "ID", id, idlen) == -1)
		strlcpy(id, "", idlen);
	if ((os_type = os_of_word(id)) != -1)
		return os_type;
	if (os_value(text, "ID_LIKE", like, sizeof(like)) == -1)
		return -1;
	for (rest = like; (word = strsep(&rest, " \t")) != NULL;)
		if (*word != '\0' && (os_type = os_of_word(word)) != -1)
			return os_type;
	return -1;
}

int
os_detect_text(const char *text, char *id, size_t idlen)
{
	int	os_type = os_family(text, id, idlen);

	return os_type == OS_RHEL_FAMILY ? os_rhel_family(text) : os_type;
}

int
os_detect(const char *config_root, char *why, size_t whylen)
{
	char	 path[512], text[OS_RELEASE_MAX], id[OS_VALUE_MAX];
	FILE	*fp;
	size_t	 n;
	int	 os_type;

	snprintf(path, sizeof(path), "%s%setc/os-release", config_root,
	    config_root[strlen(config_root) - 1] == '/' ? "" : "/");
	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(why, whylen, "OS_TYPE=auto: cannot read %s; set"
		    " OS_TYPE to netplan, ifcfg, wicked or networkmanager",
		    path);
		return -1;
	}
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	if ((os_type = os_detect_text(text, id, sizeof(id))) == -1)
		snprintf(why, whylen, "OS_TYPE=auto: unknown ID \"%.64s\" in"
		    " %s; set OS_TYPE to netplan, ifcfg, wicked or"
		    " networkmanager", id, path);
	return os_type;
}
