/* SPDX-License-Identifier: ISC */
/* Crash-safe file operations of the applier. */
#ifndef MULTINIC_FILES_H
#define MULTINIC_FILES_H

#include <sys/stat.h>

#include <stddef.h>

/*
 * Replaces path with data: written to a dot-file in the same directory,
 * fsync'd, renamed over path, then the directory fsync'd, so a crash leaves
 * either the old or the new file, never half of one. 0 or -1 with errno.
 */
int	files_write_atomic(const char *path, const char *data, size_t len,
	    int mode);
/* Reads at most max bytes of path into a malloc'd, NUL-terminated buffer. */
int	files_read(const char *path, size_t max, char **data, size_t *len);
/* The same, and what fstat(2) said of the file read (sb may be NULL). */
int	files_read_stat(const char *path, size_t max, char **data, size_t *len,
	    struct stat *sb);
/*
 * Removes the dot-file files_write_atomic() uses for path: what a crash
 * in the middle of writing path leaves. Its absence is not an error.
 */
int	files_remove_temp(const char *path);
/* Removes path and fsyncs its directory; a missing file is not an error. */
int	files_remove(const char *path);

#endif
