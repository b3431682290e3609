/* SPDX-License-Identifier: ISC */
/*
 * The applier's sandbox: root, but no_new_privs, no execve, write access
 * only to its configuration and state directories, a syscall allowlist.
 */

#include <sys/mman.h>
#include <sys/socket.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <seccomp.h>

#include "applier.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"

#define SANDBOX_PATHS_MAX	8

/* The directories each persistent format writes, under CONFIG_ROOT. */
static const char *const netplan_dirs[] = { "etc/netplan", NULL };
static const char *const ifcfg_dirs[] = {
	"etc/sysconfig/network-scripts", "etc/udev/rules.d", NULL
};
static const char *const wicked_dirs[] = {
	"etc/sysconfig/network", "etc/udev/rules.d", NULL
};
static const char *const networkmanager_dirs[] = {
	"etc/NetworkManager/system-connections", "etc/udev/rules.d", NULL
};

/* Added to the table both children share (common/sandbox.c). */
static const struct sandbox_rule applier_rules[] = {
	/* rtnetlink and nothing else: no packet, no IP, no other bus. */
	SANDBOX_ALLOW_SOCKET_PROTO(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE),
	SANDBOX_ALLOW(bind),
	/* Never executable memory: nothing is loaded after the filter. */
	SANDBOX_ALLOW_ARG_NOBITS(mmap, 2, PROT_EXEC),
	/* The persistent files and the journal. */
	SANDBOX_ALLOW(mkdir), SANDBOX_ALLOW(mkdirat), SANDBOX_ALLOW(rename),
	SANDBOX_ALLOW(renameat), SANDBOX_ALLOW(renameat2), SANDBOX_ALLOW(unlink),
	SANDBOX_ALLOW(unlinkat), SANDBOX_ALLOW(fsync), SANDBOX_ALLOW(fdatasync),
	SANDBOX_ALLOW(fchmod), SANDBOX_ALLOW(ftruncate),
	/* Watching the managed files (watch.c), with its flags and mask only. */
	SANDBOX_ALLOW_ARG(inotify_init1, 0, WATCH_INOTIFY_FLAGS),
	SANDBOX_ALLOW_ARG(inotify_add_watch, 2, WATCH_INOTIFY_MASK),
};

static const char *const *
renderer_dirs(int os_type)
{
	switch (os_type) {
	case OS_TYPE_IFCFG:
		return ifcfg_dirs;
	case OS_TYPE_WICKED:
		return wicked_dirs;
	case OS_TYPE_NETWORKMANAGER:
		return networkmanager_dirs;
	default:
		return netplan_dirs;
	}
}

/* Keeps a copy of path: the ruleset is built after the loop. */
static void
add_path(struct sandbox_path *paths, size_t *npaths, const char *path,
    enum sandbox_access access)
{
	static char	store[SANDBOX_PATHS_MAX][PATH_MAX];

	if (*npaths >= SANDBOX_PATHS_MAX)
		fatalx("too many sandbox paths");
	if (strlcpy(store[*npaths], path, PATH_MAX) >= PATH_MAX)
		fatalx("%s: path too long", path);
	paths[*npaths].path = store[*npaths];
	paths[*npaths].access = access;
	(*npaths)++;
}

/* The applier creates the directories it writes, 0755, before the ruleset. */
static void
add_writable_dir(struct sandbox_path *paths, size_t *npaths, const char *dir)
{
	if (mkdir_p(dir, 0755) == -1)
		fatal("mkdir %s", dir);
	add_path(paths, npaths, dir, SANDBOX_WRITE);
}

static void
config_path(char *buf, const char *root, const char *sub)
{
	const char	*sep = root[strlen(root) - 1] == '/' ? "" : "/";

	if ((size_t)snprintf(buf, PATH_MAX, "%s%s%s", root, sep, sub) >=
	    PATH_MAX)
		fatalx("%s/%s: path too long", root, sub);
}

void
applier_sandbox(const struct config *conf, struct msg_sandbox_state *state)
{
	struct sandbox_path	 paths[SANDBOX_PATHS_MAX];
	const char *const	*dir;
	char			 path[PATH_MAX];
	size_t			 npaths = 0;

	for (dir = renderer_dirs(conf->os_type); *dir != NULL; dir++) {
		config_path(path, conf->config_root, *dir);
		add_writable_dir(paths, &npaths, path);
	}
	add_writable_dir(paths, &npaths, conf->state_dir);
	/* os-release, and the boot id that journal entries are keyed by. */
	config_path(path, conf->config_root, "etc");
	add_path(paths, &npaths, path, SANDBOX_READ);
	add_path(paths, &npaths, "/proc/sys/kernel/random/boot_id",
	    SANDBOX_READ);

	sandbox_no_new_privs();
	sandbox_landlock(conf->landlock, paths, npaths, state);
	applier_sandbox_filter();
}

void
applier_sandbox_filter(void)
{
	sandbox_seccomp(applier_rules,
	    sizeof(applier_rules) / sizeof(applier_rules[0]));
}
