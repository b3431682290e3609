/* SPDX-License-Identifier: ISC */
/*
 * KEY='value' files read by shell-like parsers (RHEL's ifcfg, SUSE's
 * sysconfig): shared by the ifcfg and wicked renderers.
 */
#ifndef MULTINIC_SYSCONFIG_H
#define MULTINIC_SYSCONFIG_H

#include <stddef.h>

#include "render.h"

#define SYSCONFIG_VALUE_MAX	64

/*
 * Appends KEY=<quote>value<quote>. Only characters that mean nothing to a
 * shell inside quotes are accepted: anything else fails the whole render.
 */
void	sysconfig_put(struct render_out *, const char *key,
	    const char *value, char quote);

/* Calls fn for each KEY=value line (quotes removed); comments skipped. */
int	sysconfig_parse(const char *text, size_t len, char quote,
	    int (*fn)(void *arg, const char *key, const char *value),
	    void *arg, char *err, size_t errlen);

/* Shared checks and text forms of a nic_config. */
int	sysconfig_path(const char *root, const char *dir, int slot, char *buf,
	    size_t len);
int	sysconfig_owns(const char *filename);
void	sysconfig_address(const struct nic_config *, char *addr, size_t len);

/* The path of an extra file: dir/<prefix>multinicN. */
int	sysconfig_extra_path(const char *root, const char *dir,
	    const char *prefix, int slot, char *buf, size_t len);
/* Our header, then the lines: *outlen 0 for a NIC without a table. */
int	sysconfig_extra_text(const struct nic_config *, const char *lines,
	    char *buf, size_t len, size_t *outlen, char *err, size_t errlen);

#endif
