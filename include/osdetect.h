/* SPDX-License-Identifier: ISC */
/* OS_TYPE=auto: the persistent format from CONFIG_ROOT/etc/os-release. */
#ifndef MULTINIC_OSDETECT_H
#define MULTINIC_OSDETECT_H

#include <stddef.h>

/*
 * ID, then each ID_LIKE word: ubuntu/debian -> netplan; rhel, centos,
 * rocky, almalinux, ol -> networkmanager from VERSION_ID 10, ifcfg before;
 * fedora -> networkmanager; sles, sled, opensuse* -> wicked.
 * Returns the OS_TYPE_* or -1 with why naming the file and the ID.
 */
int	os_detect(const char *config_root, char *why, size_t whylen);
/* The same from os-release text, for tests. */
int	os_detect_text(const char *text, char *id, size_t idlen);

#endif
