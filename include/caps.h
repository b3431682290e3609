/* SPDX-License-Identifier: ISC */
/* Capability sets of multinicd's processes. */
#ifndef MULTINIC_CAPS_H
#define MULTINIC_CAPS_H

#include <stdint.h>

#include <linux/capability.h>

#define CAPS_BIT(cap)	(1ULL << (cap))
#define CAPS_ALL	(~0ULL)

/*
 * Leaves the bounding set with the capabilities in bounding only (what a
 * program we exec may get), the permitted set with those in kept that we
 * hold, the effective set with those also in effective, inheritable and
 * ambient empty. Fatal on failure, such as a capability to drop from the
 * bounding set without CAP_SETPCAP held.
 */
void	caps_limit(uint64_t bounding, uint64_t kept, uint64_t effective);

#endif
