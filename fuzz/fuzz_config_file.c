/* SPDX-License-Identifier: ISC */
/*
 * Configuration as a hostile file: the bytes go through the loader's own
 * file path (open, stat, line reader, quotes, comments, "export"), then
 * multinicd -n -v's printer. It must report or accept, never crash, and an
 * accepted configuration must keep the documented bounds.
 */

#include <sys/mman.h>
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

static void
ignore_report(void *arg, enum config_severity severity, const char *message)
{
	(void)arg;
	(void)severity;
	(void)message;
}

/*
 * One memory file for every input, a regular file of mode 0600 that the
 * loader opens by name, as it opens /etc/multinic/multinicd.conf.
 */
static int
input_file(char *path, size_t size)
{
	static int	fd = -1;

	if (fd == -1 && ((fd = memfd_create("multinicd.conf",
	    MFD_CLOEXEC)) == -1 || fchmod(fd, 0600) == -1))
		fuzz_fail("cannot create the input file");
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config_sources	 sources;
	static FILE			*out;
	struct config			 conf;
	struct config_secret		 secret;
	char				 path[64];
	int				 fd;

	fuzz_quiet_logs();
	/* DB_PASSWORD_FILE would read a file: the input may not name one. */
	if (memmem(data, size, "PASSWORD_FILE", 13) != NULL)
		return 0;
	fd = input_file(path, sizeof(path));
	if (ftruncate(fd, 0) == -1 ||
	    (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size))
		fuzz_fail("cannot write the input");
	if (config_load_sources(&conf, &secret, path, 1, NULL, ignore_report,
	    NULL, &sources) != 0)
		return 0;
	fuzz_check_config(&conf);
	if (out == NULL && (out = fopen("/dev/null", "w")) == NULL)
		fuzz_fail("cannot open /dev/null");
	config_print(out, &conf, &secret, &sources);
	return 0;
}
