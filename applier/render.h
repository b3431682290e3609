/*
 * The persistent formats: one renderer per network stack, a small table of
 * functions, so a new format is one new file.
 */
#ifndef MULTINIC_RENDER_H
#define MULTINIC_RENDER_H

#include <stddef.h>
#include <stdint.h>

/* The first line of every file multinicd writes; parsers require it. */
#define RENDER_HEADER	"# Written by multinicd: changes here are overwritten.\n"

/* One managed NIC as a file describes it. */
struct nic_config {
	int		slot;		/* N of multinicN, 0..9 */
	char		name[16];	/* "multinicN" */
	uint8_t		mac[6];
	int		has_address;
	uint32_t	address;	/* IPv4, network byte order */
	uint8_t		prefix;
	uint32_t	mtu;
};

struct renderer {
	const char	*name;		/* "netplan" */
	const char	*dir;		/* under CONFIG_ROOT: "etc/netplan" */
	/* Full path of slot's file under config_root; -1 if it does not fit. */
	int		(*path)(const char *config_root, int slot, char *buf,
			    size_t len);
	/* The whole file; -1 with err when a value cannot be represented. */
	int		(*render)(const struct nic_config *, char *buf,
			    size_t len, size_t *outlen, char *err,
			    size_t errlen);
	/* Reads back a file we wrote; -1 with err if not ours or malformed. */
	int		(*parse)(const char *text, size_t len,
			    struct nic_config *, char *err, size_t errlen);
	/* Is a file name in dir one of ours? */
	int		(*owns)(const char *filename);
};

extern const struct renderer renderer_netplan;

#endif
