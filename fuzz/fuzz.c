/* Helpers for the libFuzzer harnesses. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "fuzz.h"
#include "log.h"

void
fuzz_quiet_logs(void)
{
	static int	done;

	if (!done) {
		log_init("fuzz", LOG_DEST_STDERR, LOG_FORMAT_TEXT,
		    LOG_LEVEL_ERROR);
		done = 1;
	}
}

void
fuzz_fail(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
