/* SPDX-License-Identifier: ISC */
/*
 * STATE_DIR/names: one "mac slot" line per managed NIC, rewritten
 * atomically. Read back with the same suspicion as anything else on disk.
 */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "log.h"
#include "names.h"
#include "validate.h"

#define NAMES_FILE	"names"
#define NAMES_SIZE_MAX	4096

static int
names_path(const char *state_dir, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s/%s", state_dir, NAMES_FILE) <
	    len ? 0 : -1;
}

/*
 * "mac slot" and nothing else: the MAC a whole word (sscanf's %17s would
 * take "...:ff1" as ff and slot 1), the slot a number in range.
 */
static void
parse_line(struct names *names, char *line, int lineno)
{
	const char	*fields[3], *errstr = NULL;
	uint8_t		 mac[MAC_LEN];
	char		*word;
	size_t		 n = 0;
	int		 slot = -1;

	while (n < 3 && (word = strsep(&line, " \t")) != NULL)
		if (*word != '\0')
			fields[n++] = word;
	if (n == 2)
		slot = strtonum(fields[1], 0, NAMES_MAX - 1, &errstr);
	if (n != 2 || errstr != NULL ||
	    validate_parse_mac(fields[0], mac) == -1 ||
	    names_set(names, mac, slot) == -1) {
		log_warnx("%s line %d: malformed or duplicate entry ignored",
		    NAMES_FILE, lineno);
	}
}

int
names_load(struct names *names, const char *state_dir)
{
	char	 path[PATH_MAX], *data, *line, *next;
	size_t	 len;
	int	 lineno = 0;

	memset(names, 0, sizeof(*names));
	if (names_path(state_dir, path, sizeof(path)) == -1)
		return -1;
	if (files_read(path, NAMES_SIZE_MAX, &data, &len) == -1)
		return errno == ENOENT ? 0 : -1;
	names->on_disk = 1;
	for (line = data; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		if (*line != '\0' && *line != '#')
			parse_line(names, line, lineno);
	}
	free(data);
	return 0;
}

int
names_save(const struct names *names, const char *state_dir)
{
	char	path[PATH_MAX], text[NAMES_SIZE_MAX], mac[VALIDATE_MAC_TEXT_SIZE];
	size_t	i, len = 0;

	if (names_path(state_dir, path, sizeof(path)) == -1)
		return -1;
	len = strlcpy(text, "# multinicd: MAC and multinicN slot of each"
	    " managed NIC\n", sizeof(text));
	for (i = 0; i < names->count; i++) {
		validate_format_mac(names->entries[i].mac, mac);
		len += snprintf(text + len, sizeof(text) - len, "%s %d\n", mac,
		    names->entries[i].slot);
	}
	return files_write_atomic(path, text, len, 0600);
}

int
names_slot(const struct names *names, const uint8_t *mac)
{
	size_t	i;

	for (i = 0; i < names->count; i++)
		if (memcmp(names->entries[i].mac, mac, MAC_LEN) == 0)
			return names->entries[i].slot;
	return -1;
}

/* One slot per MAC and one MAC per slot. */
int
names_set(struct names *names, const uint8_t *mac, int slot)
{
	size_t	i;

	for (i = 0; i < names->count; i++) {
		if (memcmp(names->entries[i].mac, mac, MAC_LEN) == 0)
			return names->entries[i].slot == slot ? 0 : -1;
		if (names->entries[i].slot == slot)
			return -1;
	}
	if (names->count >= NAMES_MAX)
		return -1;
	memcpy(names->entries[names->count].mac, mac, MAC_LEN);
	names->entries[names->count++].slot = slot;
	return 0;
}

void
names_remove(struct names *names, const uint8_t *mac)
{
	size_t	i;

	for (i = 0; i < names->count; i++) {
		if (memcmp(names->entries[i].mac, mac, MAC_LEN) != 0)
			continue;
		names->entries[i] = names->entries[--names->count];
		return;
	}
}
