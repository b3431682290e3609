/* SPDX-License-Identifier: ISC */
/*
 * The Linux counterparts of OpenBSD's pledge/unveil used by the children:
 * privilege drop, no_new_privs, a libseccomp allowlist, Landlock rules.
 */
#ifndef MULTINIC_SANDBOX_H
#define MULTINIC_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <seccomp.h>

#include "config.h"
#include "msg.h"

/* setgroups/setresgid/setresuid, then checks root cannot come back. Fatal on failure. */
void	sandbox_drop_user(uid_t uid, gid_t gid);
/*
 * Sets no_new_privs (execve can never grant privileges again), which an
 * unprivileged seccomp filter and Landlock require. Fatal on failure.
 */
void	sandbox_no_new_privs(void);

/*
 * One allowed system call: with any arguments (ncmp 0), or only when every
 * comparison in cmp holds. Rules for the same call are alternatives.
 */
struct sandbox_rule {
	int			nr;
	unsigned int		ncmp;
	struct scmp_arg_cmp	cmp[3];
};

#define SANDBOX_ALLOW(name)	{ SCMP_SYS(name), 0, { { 0, 0, 0, 0 } } }
/* Argument arg equals value. */
#define SANDBOX_ALLOW_ARG(name, arg, value)				\
	{ SCMP_SYS(name), 1, { { (arg), SCMP_CMP_EQ, (value), 0 } } }
/* Argument arg has none of the bits in mask. */
#define SANDBOX_ALLOW_ARG_NOBITS(name, arg, mask)			\
	{ SCMP_SYS(name), 1,						\
	    { { (arg), SCMP_CMP_MASKED_EQ, (mask), 0 } } }
/* socket(2) for one family and type (flags ignored), any protocol... */
#define SANDBOX_ALLOW_SOCKET(family, type)				\
	{ SCMP_SYS(socket), 2, { { 0, SCMP_CMP_EQ, (family), 0 },	\
	    { 1, SCMP_CMP_MASKED_EQ, SANDBOX_SOCK_TYPE_MASK, (type) } } }
/* ...or only proto. */
#define SANDBOX_ALLOW_SOCKET_PROTO(family, type, proto)			\
	{ SCMP_SYS(socket), 3, { { 0, SCMP_CMP_EQ, (family), 0 },	\
	    { 1, SCMP_CMP_MASKED_EQ, SANDBOX_SOCK_TYPE_MASK, (type) },	\
	    { 2, SCMP_CMP_EQ, (proto), 0 } } }
/* The kernel's SOCK_TYPE_MASK: the type without SOCK_CLOEXEC/NONBLOCK. */
#define SANDBOX_SOCK_TYPE_MASK	0xf

/*
 * Loads an allowlist on every thread of the process: the calls both
 * children make (one table in sandbox.c) and rules, the caller's own. Every
 * other call kills the process, or is only logged when built with
 * SECCOMP_AUDIT (sanitizer runs, finding a missing call). Fatal on failure.
 */
void	sandbox_seccomp(const struct sandbox_rule *rules, size_t nrules);

enum sandbox_access {
	SANDBOX_READ,		/* read files, list directories */
	SANDBOX_WRITE,		/* READ + create, write, rename, remove */
};

struct sandbox_path {
	const char		*path;
	enum sandbox_access	 access;
};

/*
 * Restricts the file system to paths (missing paths are skipped). When the
 * kernel or a seccomp profile refuses Landlock (ENOSYS, EOPNOTSUPP, EPERM),
 * LANDLOCK=required is fatal and best-effort a warning; state says which,
 * for status and metrics. Any other failure is fatal.
 */
void	sandbox_landlock(enum landlock_policy policy,
	    const struct sandbox_path *paths, size_t npaths,
	    struct msg_sandbox_state *state);

#endif
