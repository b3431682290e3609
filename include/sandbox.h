/*
 * The Linux counterparts of OpenBSD's pledge/unveil used by the children:
 * privilege drop, no_new_privs, a libseccomp allowlist, Landlock rules.
 */
#ifndef MULTINIC_SANDBOX_H
#define MULTINIC_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* setgroups/setresgid/setresuid, then checks root cannot come back. Fatal on failure. */
void	sandbox_drop_user(uid_t uid, gid_t gid);
/*
 * Sets no_new_privs (execve can never grant privileges again), which an
 * unprivileged seccomp filter and Landlock require. Fatal on failure.
 */
void	sandbox_no_new_privs(void);

/*
 * Loads an allowlist on every thread of the process: every other syscall
 * kills the process, or is only logged when built with SECCOMP_AUDIT
 * (sanitizer runs, finding a missing call). Fatal on failure.
 */
void	sandbox_seccomp(const int *syscalls, size_t nsyscalls);

enum sandbox_access {
	SANDBOX_READ,		/* read files, list directories */
	SANDBOX_WRITE,		/* READ + create, write, rename, remove */
};

struct sandbox_path {
	const char		*path;
	enum sandbox_access	 access;
};

/*
 * Restricts the file system to paths (missing paths are skipped).
 * Returns 0 when the ruleset is in force, -1 when the kernel has no Landlock
 * (logged once by the caller's choice); any other failure is fatal.
 */
int	sandbox_landlock(const struct sandbox_path *paths, size_t npaths);

#endif
