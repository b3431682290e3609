/* SPDX-License-Identifier: ISC */
/*
 * The Linux counterparts of pledge/unveil, put in place by the children once
 * they hold their configuration: a one-way drop to an unprivileged user,
 * no_new_privs, a libseccomp allowlist and a Landlock file system ruleset.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* setresuid, getresuid, O_PATH */
#endif

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/landlock.h>
#include <seccomp.h>

#include "log.h"
#include "sandbox.h"

#ifndef SECCOMP_AUDIT
#define SECCOMP_AUDIT	0
#endif

/* Debian 12's linux/landlock.h stops at ABI 2; the kernel may know more. */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER	(1ULL << 13)	/* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#endif

/* Rights that are legal on a file; directory rights on a file are EINVAL. */
#define SANDBOX_FILE_READ	LANDLOCK_ACCESS_FS_READ_FILE
#define SANDBOX_FILE_WRITE	(LANDLOCK_ACCESS_FS_READ_FILE |		\
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)
/* No EXECUTE anywhere: we never execve (mmap of libraries is not affected). */
#define SANDBOX_DIR_READ	(LANDLOCK_ACCESS_FS_READ_FILE |		\
	LANDLOCK_ACCESS_FS_READ_DIR)
#define SANDBOX_DIR_WRITE	(SANDBOX_DIR_READ |			\
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |	\
	LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |	\
	LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SYM |	\
	LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)

/* A returning setresuid(0) would mean the drop can be undone. */
static void
sandbox_check_user(uid_t uid, gid_t gid)
{
	uid_t	ruid, euid, suid;
	gid_t	rgid, egid, sgid;

	if (setresuid(0, 0, 0) != -1 || setuid(0) != -1)
		fatalx("root regained after dropping to uid %u", (unsigned)uid);
	if (setresgid(0, 0, 0) != -1 || setgid(0) != -1)
		fatalx("gid 0 regained after dropping to gid %u", (unsigned)gid);
	if (getresuid(&ruid, &euid, &suid) == -1)
		fatal("getresuid");
	if (ruid != uid || euid != uid || suid != uid)
		fatalx("getresuid: %u/%u/%u after dropping to uid %u",
		    (unsigned)ruid, (unsigned)euid, (unsigned)suid, (unsigned)uid);
	if (getresgid(&rgid, &egid, &sgid) == -1)
		fatal("getresgid");
	if (rgid != gid || egid != gid || sgid != gid)
		fatalx("getresgid: %u/%u/%u after dropping to gid %u",
		    (unsigned)rgid, (unsigned)egid, (unsigned)sgid, (unsigned)gid);
}

/*
 * setresuid() empties the permitted and effective sets but leaves the
 * inheritable one: clear all three, then read them back.
 */
static void
sandbox_clear_caps(void)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[_LINUX_CAPABILITY_U32S_3];
	size_t				i;

	memset(&hdr, 0, sizeof(hdr));
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capset, &hdr, data) == -1)
		fatal("capset");
	if (syscall(SYS_capget, &hdr, data) == -1)
		fatal("capget");
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].effective != 0 || data[i].permitted != 0 ||
		    data[i].inheritable != 0)
			fatalx("capget: capabilities left after the drop"
			    " (word %zu: eff %#x prm %#x inh %#x)", i,
			    data[i].effective, data[i].permitted,
			    data[i].inheritable);
}

void
sandbox_drop_user(uid_t uid, gid_t gid)
{
	/* Dropping "to root" would pass no check below worth having. */
	if (uid == 0 || gid == 0)
		fatalx("refusing to drop privileges to uid %u gid %u",
		    (unsigned)uid, (unsigned)gid);
	/* Capabilities must not survive the uid change. */
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_KEEPCAPS)");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1)
		fatal("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	/* Groups first: afterwards we no longer may change them. */
	if (setgroups(1, &gid) == -1)
		fatal("setgroups(%u)", (unsigned)gid);
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid(%u)", (unsigned)gid);
	if (setresuid(uid, uid, uid) == -1)
		fatal("setresuid(%u)", (unsigned)uid);
	sandbox_check_user(uid, gid);
	sandbox_clear_caps();
}

void
sandbox_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
}

/* "name(nr)" for error messages; the name may be unknown to libseccomp. */
static const char *
sandbox_syscall_name(int nr)
{
	static char	 buf[64];
	char		*name;

	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	snprintf(buf, sizeof(buf), "%s(%d)", name != NULL ? name : "?", nr);
	free(name);
	return buf;
}

/*
 * What both children call after their sandbox is in place: libevent's loop,
 * logging, memory, time, signals, files (Landlock limits which ones). A
 * process adds its own needs, and each call whose arguments decide what it
 * can reach is allowed only with the arguments we use, as in OpenSSH's
 * sandbox-seccomp-filter.c.
 */
static const struct sandbox_rule common_rules[] = {
	SANDBOX_ALLOW(read), SANDBOX_ALLOW(write), SANDBOX_ALLOW(readv),
	SANDBOX_ALLOW(writev), SANDBOX_ALLOW(close), SANDBOX_ALLOW(recvmsg),
	SANDBOX_ALLOW(sendmsg), SANDBOX_ALLOW(recvfrom), SANDBOX_ALLOW(sendto),
	SANDBOX_ALLOW(getsockname), SANDBOX_ALLOW(setsockopt),
	SANDBOX_ALLOW(getsockopt), SANDBOX_ALLOW(poll), SANDBOX_ALLOW(ppoll),
	SANDBOX_ALLOW(epoll_wait), SANDBOX_ALLOW(epoll_pwait),
	SANDBOX_ALLOW(epoll_ctl), SANDBOX_ALLOW(fcntl), SANDBOX_ALLOW(openat),
	SANDBOX_ALLOW(newfstatat), SANDBOX_ALLOW(fstat), SANDBOX_ALLOW(lseek),
	SANDBOX_ALLOW(getdents64), SANDBOX_ALLOW(munmap),
	SANDBOX_ALLOW(mremap), SANDBOX_ALLOW(brk), SANDBOX_ALLOW(madvise),
	SANDBOX_ALLOW(futex), SANDBOX_ALLOW(clock_gettime),
	SANDBOX_ALLOW(clock_nanosleep), SANDBOX_ALLOW(nanosleep),
	SANDBOX_ALLOW(gettimeofday), SANDBOX_ALLOW(getrandom),
	SANDBOX_ALLOW(getpid), SANDBOX_ALLOW(gettid), SANDBOX_ALLOW(uname),
	SANDBOX_ALLOW(rt_sigreturn), SANDBOX_ALLOW(rt_sigprocmask),
	SANDBOX_ALLOW(rt_sigaction), SANDBOX_ALLOW(restart_syscall),
	SANDBOX_ALLOW(exit), SANDBOX_ALLOW(exit_group), SANDBOX_ALLOW(sysinfo),
	/* libevent asks how much is to read; no other request is ours. */
	SANDBOX_ALLOW_ARG(ioctl, 1, FIONREAD),
};

static void
sandbox_rule_add(scmp_filter_ctx ctx, const struct sandbox_rule *rule)
{
	int	rc;

	rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, rule->nr, rule->ncmp,
	    rule->ncmp > 0 ? rule->cmp : NULL);
	if (rc < 0)
		fatalx("seccomp_rule_add %s: %s",
		    sandbox_syscall_name(rule->nr), strerror(-rc));
}

/*
 * Foreign architectures (i386/x32 entry points) keep libseccomp's default
 * bad-arch action, kill: the allowlist below speaks native numbers only.
 */
void
sandbox_seccomp(const struct sandbox_rule *rules, size_t nrules)
{
	scmp_filter_ctx	ctx;
	size_t		i, ncommon;
	int		rc;

	ncommon = sizeof(common_rules) / sizeof(common_rules[0]);
	ctx = seccomp_init(SECCOMP_AUDIT ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		fatalx("seccomp_init failed");
	/* On every thread of the process, not only the caller (TSYNC). */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0)
		fatalx("seccomp_attr_set(TSYNC): %s", strerror(-rc));
	for (i = 0; i < ncommon; i++)
		sandbox_rule_add(ctx, &common_rules[i]);
	for (i = 0; i < nrules; i++)
		sandbox_rule_add(ctx, &rules[i]);
	if ((rc = seccomp_load(ctx)) < 0)
		fatalx("seccomp_load: %s", strerror(-rc));
	seccomp_release(ctx);
	log_debug("seccomp filter loaded, %zu rules%s", ncommon + nrules,
	    SECCOMP_AUDIT ? ", others logged (SECCOMP_AUDIT)" : "");
}

/* Every right this kernel's ABI knows, so nothing is left unrestricted. */
static uint64_t
sandbox_landlock_handled(int abi)
{
	uint64_t	handled;

	handled = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;	/* ABI 1 */
	if (abi >= 2)
		handled |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		handled |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return handled;
}

static void
sandbox_landlock_add(int ruleset, const struct sandbox_path *p,
    uint64_t handled)
{
	struct landlock_path_beneath_attr	rule;
	struct stat				sb;
	int					fd;
	int					writable = p->access == SANDBOX_WRITE;

	if ((fd = open(p->path, O_PATH | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {
			log_debug("landlock: %s does not exist, skipped", p->path);
			return;
		}
		fatal("landlock: open %s", p->path);
	}
	if (fstat(fd, &sb) == -1)
		fatal("landlock: fstat %s", p->path);
	if (S_ISDIR(sb.st_mode))
		rule.allowed_access = writable ? SANDBOX_DIR_WRITE : SANDBOX_DIR_READ;
	else
		rule.allowed_access = writable ? SANDBOX_FILE_WRITE : SANDBOX_FILE_READ;
	rule.allowed_access &= handled;
	rule.parent_fd = fd;
	if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
	    &rule, 0) == -1)
		fatal("landlock_add_rule %s", p->path);
	close(fd);
}

/*
 * -1 with why when Landlock is refused: ENOSYS (a kernel without it, or a
 * seccomp profile hiding it), EOPNOTSUPP (built in but disabled at boot),
 * EPERM (a container runtime's profile). Anything else is fatal.
 */
static int
sandbox_landlock_enforce(const struct sandbox_path *paths, size_t npaths,
    char *why, size_t whylen)
{
	struct landlock_ruleset_attr	attr;
	size_t				i;
	int				abi, ruleset;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi == -1) {
		if (errno == ENOSYS || errno == EOPNOTSUPP || errno == EPERM) {
			snprintf(why, whylen, "landlock_create_ruleset: %s",
			    strerror(errno));
			return -1;
		}
		fatal("landlock_create_ruleset(VERSION)");
	}
	/* Without it landlock_restrict_self() fails with a bare EPERM. */
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fatalx("landlock: no_new_privs is not set;"
		    " sandbox_no_new_privs() must come first");

	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = sandbox_landlock_handled(abi);
	ruleset = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset == -1)
		fatal("landlock_create_ruleset");
	for (i = 0; i < npaths; i++)
		sandbox_landlock_add(ruleset, &paths[i], attr.handled_access_fs);
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) == -1)
		fatal("landlock_restrict_self");
	close(ruleset);
	log_info("landlock ABI %d in force, %zu paths allowed", abi, npaths);
	return 0;
}

void
sandbox_landlock(enum landlock_policy policy, const struct sandbox_path *paths,
    size_t npaths, struct msg_sandbox_state *state)
{
	memset(state, 0, sizeof(*state));
	if (sandbox_landlock_enforce(paths, npaths, state->reason,
	    sizeof(state->reason)) == 0) {
		state->landlock = SANDBOX_LANDLOCK_ENFORCED;
		return;
	}
	if (policy == LANDLOCK_REQUIRED)
		fatalx("Landlock unavailable (%s) and LANDLOCK=required",
		    state->reason);
	state->landlock = SANDBOX_LANDLOCK_UNAVAILABLE;
	log_warnx("Landlock unavailable (%s); file access is not restricted"
	    " (LANDLOCK=best-effort)", state->reason);
}
