/* SPDX-License-Identifier: ISC */
/* Crash-safe file operations of the applier. */

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files.h"

static int
fsync_dir_of(const char *path)
{
	char	dir[PATH_MAX];
	int	fd, saved;

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (fsync(fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return close(fd);
}

/* ".name.tmp" beside path: the same file system, so rename(2) is atomic. */
static int
temp_name(const char *path, char *buf, size_t len)
{
	char	copy[PATH_MAX], copy2[PATH_MAX];

	if (strlcpy(copy, path, sizeof(copy)) >= sizeof(copy) ||
	    strlcpy(copy2, path, sizeof(copy2)) >= sizeof(copy2) ||
	    (size_t)snprintf(buf, len, "%s/.%s.tmp", dirname(copy),
	    basename(copy2)) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
files_write_atomic(const char *path, const char *data, size_t len, int mode)
{
	char	tmp[PATH_MAX];
	int	fd, saved;

	if (temp_name(path, tmp, sizeof(tmp)) == -1)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1)
		return -1;
	if (fchmod(fd, mode) == -1 || write_all(fd, data, len) == -1 ||
	    fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		fd = -1;
		goto fail;
	}
	return fsync_dir_of(path);
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

int
files_read(const char *path, size_t max, char **data, size_t *len)
{
	return files_read_stat(path, max, data, len, NULL);
}

int
files_read_stat(const char *path, size_t max, char **data, size_t *len,
    struct stat *st)
{
	struct stat	 sb;
	char		*buf;
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	/* errno set in each case: a stale ENOENT would read as "no file". */
	if (fstat(fd, &sb) == -1)
		saved = errno;
	else if (!S_ISREG(sb.st_mode))
		saved = EINVAL;
	else if ((size_t)sb.st_size > max)
		saved = EFBIG;
	else
		saved = 0;
	if (saved != 0) {
		close(fd);
		errno = saved;
		return -1;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL ||
	    (n = read(fd, buf, (size_t)sb.st_size)) == -1) {
		saved = errno;
		free(buf);
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = (size_t)n;
	if (st != NULL)
		*st = sb;
	return 0;
}

int
files_remove_temp(const char *path)
{
	char	tmp[PATH_MAX];

	if (temp_name(path, tmp, sizeof(tmp)) == -1)
		return -1;
	if (unlink(tmp) == -1)
		return errno == ENOENT ? 0 : -1;
	return fsync_dir_of(path);
}

int
files_remove(const char *path)
{
	if (unlink(path) == -1)
		return errno == ENOENT ? 0 : -1;
	return fsync_dir_of(path);
}
