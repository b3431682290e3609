/* SPDX-License-Identifier: ISC */
/*
 * The fetcher's sandbox: an unprivileged user with no capabilities,
 * no_new_privs, read-only file access, and a syscall allowlist. Two steps,
 * so that the DB connect thread can be made in between: it inherits the
 * first, and the second, which would forbid making it, covers it too.
 */

#include <sys/socket.h>

#include <pwd.h>
#include <stddef.h>

#include <seccomp.h>

#include "caps.h"
#include "fetcher.h"
#include "log.h"
#include "sandbox.h"

/* Everything the fetcher reads after start: resolver, CA files, NSS. */
static const char *const readable_paths[] = {
	"/etc",
	"/usr/lib",
	"/lib",
	"/usr/share/ca-certificates",
};

/* Added to the table both children share (common/sandbox.c). */
static const struct sandbox_rule fetcher_rules[] = {
	/*
	 * MariaDB over TCP or its unix socket, evdns over UDP or TCP. No raw,
	 * packet or netlink socket, no other family.
	 */
	SANDBOX_ALLOW_SOCKET(AF_UNIX, SOCK_STREAM),
	SANDBOX_ALLOW_SOCKET(AF_INET, SOCK_STREAM),
	SANDBOX_ALLOW_SOCKET(AF_INET, SOCK_DGRAM),
	SANDBOX_ALLOW_SOCKET(AF_INET6, SOCK_STREAM),
	SANDBOX_ALLOW_SOCKET(AF_INET6, SOCK_DGRAM),
	SANDBOX_ALLOW(connect), SANDBOX_ALLOW(accept4),
	SANDBOX_ALLOW(getpeername), SANDBOX_ALLOW(shutdown),
	/*
	 * Not limited to non-executable memory: glibc may still load an NSS
	 * or unwinder library on the DB thread.
	 */
	SANDBOX_ALLOW(mmap), SANDBOX_ALLOW(mprotect),
};

void
fetcher_sandbox_drop(const struct config *conf, struct msg_sandbox_state *state)
{
	struct sandbox_path	paths[sizeof(readable_paths) /
				    sizeof(readable_paths[0]) + 1];
	struct passwd		*pw;
	size_t			 npaths = 0, i;

	if ((pw = getpwnam(conf->privsep_user)) == NULL)
		fatalx("PRIVSEP_USER %s: no such user", conf->privsep_user);
	/* Only what the drop to PRIVSEP_USER needs, which then clears them. */
	caps_limit(0, CAPS_BIT(CAP_SETUID) | CAPS_BIT(CAP_SETGID), CAPS_ALL);
	sandbox_drop_user(pw->pw_uid, pw->pw_gid);
	sandbox_no_new_privs();

	for (i = 0; i < sizeof(readable_paths) / sizeof(readable_paths[0]); i++)
		paths[npaths++] = (struct sandbox_path){ readable_paths[i],
		    SANDBOX_READ };
	if (conf->db_tls_ca[0] != '\0')
		paths[npaths++] = (struct sandbox_path){ conf->db_tls_ca,
		    SANDBOX_READ };
	sandbox_landlock(conf->landlock, paths, npaths, state);
}

void
fetcher_sandbox_filter(void)
{
	sandbox_seccomp(fetcher_rules,
	    sizeof(fetcher_rules) / sizeof(fetcher_rules[0]));
}
