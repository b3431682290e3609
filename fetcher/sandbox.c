/*
 * The fetcher's sandbox: an unprivileged user with no capabilities,
 * no_new_privs, read-only file access, and a syscall allowlist. Two steps,
 * so that the DB connect thread can be made in between: it inherits the
 * first, and the second, which would forbid making it, covers it too.
 */

#include <pwd.h>
#include <stddef.h>

#include <seccomp.h>

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

static const int allowed_syscalls[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(close), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
	SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(socket),
	SCMP_SYS(connect), SCMP_SYS(accept4), SCMP_SYS(getsockopt),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(shutdown), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(fcntl), SCMP_SYS(ioctl), SCMP_SYS(openat),
	SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(lseek),
	SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(brk),
	SCMP_SYS(madvise), SCMP_SYS(mprotect), SCMP_SYS(futex),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday), SCMP_SYS(getrandom),
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(uname),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction), SCMP_SYS(restart_syscall),
	SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(sysinfo),
	/* OpenSSL lists its default CA directory at the first TLS connect. */
	SCMP_SYS(getdents64),
};

void
fetcher_sandbox_drop(const struct config *conf)
{
	struct sandbox_path	paths[sizeof(readable_paths) /
				    sizeof(readable_paths[0]) + 1];
	struct passwd		*pw;
	size_t			 npaths = 0, i;

	if ((pw = getpwnam(conf->privsep_user)) == NULL)
		fatalx("PRIVSEP_USER %s: no such user", conf->privsep_user);
	sandbox_drop_user(pw->pw_uid, pw->pw_gid);
	sandbox_no_new_privs();

	for (i = 0; i < sizeof(readable_paths) / sizeof(readable_paths[0]); i++)
		paths[npaths++] = (struct sandbox_path){ readable_paths[i],
		    SANDBOX_READ };
	if (conf->db_tls_ca[0] != '\0')
		paths[npaths++] = (struct sandbox_path){ conf->db_tls_ca,
		    SANDBOX_READ };
	if (sandbox_landlock(paths, npaths) == -1)
		log_info("Landlock not available; file access not restricted");
}

void
fetcher_sandbox_filter(void)
{
	sandbox_seccomp(allowed_syscalls,
	    sizeof(allowed_syscalls) / sizeof(allowed_syscalls[0]));
}
