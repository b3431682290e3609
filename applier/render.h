/* SPDX-License-Identifier: ISC */
/*
 * The persistent formats: one renderer per network stack, a small table of
 * functions, so a new format is one new file.
 */
#ifndef MULTINIC_RENDER_H
#define MULTINIC_RENDER_H

#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

/*
 * The first line of every file multinicd writes, as raw bytes before the
 * format's own output ('#' starts a comment in YAML and in the shell-style
 * formats alike). Parsers require it: ownership never rests on a file name
 * alone.
 */
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
	/*
	 * Source routing (srcroute.h): the NIC's routing table, 0 for none,
	 * and its default route's gateway (network byte order), 0 for none.
	 */
	uint32_t	route_table;
	uint32_t	route_gateway;
};

/* A file's text as it is built: a value refused or no room fails it all. */
struct render_out {
	char	*buf;
	size_t	 len;
	size_t	 used;
	int	 failed;
};

/* Appends text, or fails the whole render when it does not fit. */
void	render_out_raw(struct render_out *, const char *text);

#define RENDER_LINE_MAX	256
/*
 * Calls fn for each line of text that is neither empty nor a # comment,
 * NUL-terminated in a buffer of its own. A line of RENDER_LINE_MAX bytes
 * or more, or fn's -1 (why said in its err), ends it: err names the line.
 */
int	render_each_line(const char *text, size_t len,
	    int (*fn)(void *arg, char *line, char *err, size_t errlen),
	    void *arg, char *err, size_t errlen);

struct renderer {
	const char	*name;		/* "netplan" */
	const char	*dir;		/* under CONFIG_ROOT: "etc/netplan" */
	int		 udev_rules;	/* names NICs at boot by a udev rule */
	/*
	 * Full path of slot's file under config_root (root "/" gives no
	 * "//"); -1 for a slot outside 0..9 or a path that does not fit.
	 */
	int		(*path)(const char *config_root, int slot, char *buf,
			    size_t len);
	/* The whole file; -1 with err when a value cannot be represented. */
	int		(*render)(const struct nic_config *, char *buf,
			    size_t len, size_t *outlen, char *err,
			    size_t errlen);
	/* Reads back a file we wrote; -1 with err if not ours or malformed. */
	int		(*parse)(const char *text, size_t len,
			    struct nic_config *, char *err, size_t errlen);
	/* Does a name in dir look like ours (netplan: "9N-multinicN.yaml")? */
	int		(*owns)(const char *filename);
	/*
	 * Source routing (route_table, route_gateway): netplan carries a
	 * NIC's routes and rule in its file (routes_in_file, nextra 0);
	 * ifcfg and wicked keep them in nextra files of their own, written,
	 * backed up, restored and removed with the main file.
	 */
	int		 routes_in_file;
	int		 nextra;
	int		(*extra_path)(const char *config_root, int slot,
			    int which, char *buf, size_t len);
	/* *outlen 0: the NIC has nothing for this file; it must not exist. */
	int		(*extra_render)(const struct nic_config *, int which,
			    char *buf, size_t len, size_t *outlen, char *err,
			    size_t errlen);
	/*
	 * The table and gateway the routes file (which 0) names; the rest of
	 * nic is the main file's. render_read_extras() checks the files are
	 * exactly what extra_render() writes for them.
	 */
	int		(*extra_parse)(const char *text, size_t len,
			    struct nic_config *, char *err, size_t errlen);
};

#define RENDER_EXTRA_MAX	2

/* Does the format keep source routing across a reboot? */
int	render_carries_routes(const struct renderer *);
/*
 * Reads slot's extra files into nic's route fields: 0 when they are ours
 * and agree with nic (none at all: no source routing); -1 with err.
 */
int	render_read_extras(const struct renderer *, const char *config_root,
	    struct nic_config *, char *err, size_t errlen);
/*
 * For extra_parse: the number after the word "table" and the address
 * after gateway_word ("via", or "default" for wicked's column) on the
 * line that starts with "default", whatever else the text says.
 */
int	render_routes_fields(const char *text, size_t len,
	    const char *gateway_word, struct nic_config *, char *err,
	    size_t errlen);

/*
 * Source routing's values as text (srcroute.h's numbers), for the formats
 * that write them: ifcfg, wicked, keyfile.
 */
struct render_routing {
	char	subnet[24];	/* network/prefix */
	char	address[16];
	char	gateway[16];	/* "" for none */
	char	table[12];
	char	priority[12];
};

/* Checks nic (render_check) and fills r; -1 with err. */
int	render_routing(const struct nic_config *, struct render_routing *,
	    char *err, size_t errlen);

extern const struct renderer renderer_netplan;
extern const struct renderer renderer_ifcfg;
extern const struct renderer renderer_wicked;
extern const struct renderer renderer_networkmanager;

/* The renderer of an OS_TYPE (resolved: never OS_TYPE_AUTO). */
const struct renderer	*render_for_os(int os_type);
/* Do two NICs say the same (an address's prefix only counts with one)? */
int	render_nic_equal(const struct nic_config *, const struct nic_config *);
/*
 * What every renderer refuses, values being validated before: slot, name,
 * MTU, prefix.
 */
int	render_check(const struct nic_config *, char *err, size_t errlen);
/*
 * Reads a file of our shape with or without our header line: the earlier
 * agent wrote the same files without it. *ours says whether the header was
 * there. Only for a slot the name map owns, or one being adopted.
 */
int	render_parse_shape(const struct renderer *, const char *text,
	    size_t len, struct nic_config *, int *ours, char *err,
	    size_t errlen);
/* A file of ours is far smaller; anything larger is not read. */
#define RENDER_FILE_MAX	65536
/*
 * The file at path, read and parsed by render_parse_shape(): 0 when it
 * parsed; -1 when it could not be read, errno set (ENOENT: there is none);
 * -2 when it is not of our shape, err saying why. Unless -1, *sb (if not
 * NULL) is what fstat(2) said of the file read.
 */
int	render_read_file(const struct renderer *, const char *path,
	    struct nic_config *, int *ours, struct stat *sb, char *err,
	    size_t errlen);
#define RENDER_UDEV_DIR		"etc/udev/rules.d"
#define RENDER_UDEV_FILE	"70-multinic.rules"
/* The udev rule file's full path under config_root; -1 if it does not fit. */
int	render_udev_path(const char *config_root, char *buf, size_t len);
/*
 * CONFIG_ROOT/etc/udev/rules.d/70-multinic.rules: one rule per managed NIC.
 * Rewritten only when its content changes; removed when there is none.
 */
int	render_udev_rules(const char *config_root, const uint8_t (*macs)[6],
	    const int *slots, size_t count);

#endif
