/* SPDX-License-Identifier: ISC */
/*
 * Capability sets: every process of multinicd keeps only what it needs,
 * whoever started it (systemd, an rc script, a container, a shell).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* syscall */
#endif

#include <sys/prctl.h>
#include <sys/syscall.h>

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>

#include "caps.h"
#include "log.h"

/* Bounding set first: dropping from it needs CAP_SETPCAP, still effective. */
static void
caps_bounding_limit(uint64_t bounding)
{
	int	cap, in_set;

	/* PR_CAPBSET_READ fails (EINVAL) past the kernel's last capability. */
	for (cap = 0; (in_set = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) != -1;
	    cap++) {
		if (in_set == 0 || (cap < 64 && (bounding & (1ULL << cap))))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1)
			fatal("cannot drop capability %d from the bounding set"
			    " (dropping needs CAP_SETPCAP)", cap);
	}
}

void
caps_limit(uint64_t bounding, uint64_t kept, uint64_t effective_kept)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[_LINUX_CAPABILITY_U32S_3];
	uint64_t			permitted, wanted, effective, inheritable;

	caps_bounding_limit(bounding);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1)
		fatal("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, data) == -1)
		fatal("capget");
	/* A capability we were not given stays out: we cannot add it. */
	permitted = ((uint64_t)data[1].permitted << 32 | data[0].permitted) &
	    kept;
	wanted = permitted & effective_kept;
	memset(data, 0, sizeof(data));
	data[0].permitted = (uint32_t)permitted;
	data[1].permitted = (uint32_t)(permitted >> 32);
	data[0].effective = (uint32_t)wanted;
	data[1].effective = (uint32_t)(wanted >> 32);
	if (syscall(SYS_capset, &hdr, data) == -1)
		fatal("capset");
	if (syscall(SYS_capget, &hdr, data) == -1)
		fatal("capget");
	effective = (uint64_t)data[1].effective << 32 | data[0].effective;
	inheritable = (uint64_t)data[1].inheritable << 32 |
	    data[0].inheritable;
	if (effective != wanted || inheritable != 0)
		fatalx("capget: capabilities left after the drop"
		    " (eff %#llx inh %#llx, wanted %#llx)",
		    (unsigned long long)effective,
		    (unsigned long long)inheritable,
		    (unsigned long long)wanted);
	log_debug("capabilities permitted %#llx, effective %#llx, bounding"
	    " set %#llx", (unsigned long long)permitted,
	    (unsigned long long)wanted, (unsigned long long)bounding);
}
