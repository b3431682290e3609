/*
 * The applier's sandbox: root, but no_new_privs, no execve, write access
 * only to its configuration and state directories, a syscall allowlist.
 */

#include <limits.h>
#include <stdio.h>
#include <string.h>

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

static const int allowed_syscalls[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(socket),
	SCMP_SYS(bind), SCMP_SYS(getsockname), SCMP_SYS(setsockopt),
	SCMP_SYS(getsockopt), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(fcntl), SCMP_SYS(ioctl), SCMP_SYS(openat),
	SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(lseek),
	SCMP_SYS(getdents64), SCMP_SYS(mkdir), SCMP_SYS(mkdirat),
	SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(fsync),
	SCMP_SYS(fdatasync), SCMP_SYS(fchmod), SCMP_SYS(fchown),
	SCMP_SYS(ftruncate), SCMP_SYS(mmap), SCMP_SYS(munmap),
	SCMP_SYS(mremap), SCMP_SYS(brk), SCMP_SYS(madvise),
	SCMP_SYS(futex), SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(getrandom),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(uname),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction), SCMP_SYS(restart_syscall),
	SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(sysinfo),
};

static const char *const *
renderer_dirs(int os_type)
{
	switch (os_type) {
	case OS_TYPE_IFCFG:
		return ifcfg_dirs;
	case OS_TYPE_WICKED:
		return wicked_dirs;
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
applier_sandbox(const struct config *conf)
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
	if (sandbox_landlock(paths, npaths) == -1)
		log_info("Landlock not available; file access not restricted");
	sandbox_seccomp(allowed_syscalls,
	    sizeof(allowed_syscalls) / sizeof(allowed_syscalls[0]));
}
