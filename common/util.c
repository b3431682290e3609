/* Small helpers shared by the processes. */

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

int
mkdir_p(const char *dir, mode_t mode)
{
	char	path[PATH_MAX], *p;

	if (strlcpy(path, dir, sizeof(path)) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
errorf(char *buf, size_t len, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return -1;
}

void
format_duration(unsigned long s, char *buf, size_t len)
{
	if (s >= 3600)
		snprintf(buf, len, "%luh%lum%lus", s / 3600, s / 60 % 60,
		    s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%lum%lus", s / 60, s % 60);
	else
		snprintf(buf, len, "%lus", s);
}
