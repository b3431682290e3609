/* Small file-system helpers shared by the processes. */
#ifndef MULTINIC_UTIL_H
#define MULTINIC_UTIL_H

#include <sys/types.h>

/* Creates dir and its missing parents with mode; -1 with errno on failure. */
int	mkdir_p(const char *dir, mode_t mode);

#endif
