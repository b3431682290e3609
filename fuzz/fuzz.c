/* SPDX-License-Identifier: ISC */
/* Helpers for the libFuzzer harnesses. */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void
fuzz_check_config(const struct config *conf)
{
	if (conf->poll_interval_ms < 1000)
		fuzz_fail("POLL_INTERVAL %u ms accepted", conf->poll_interval_ms);
	if (conf->backoff_max_interval_ms < conf->poll_interval_ms)
		fuzz_fail("BACKOFF_MAX_INTERVAL below POLL_INTERVAL accepted");
	if (!(conf->backoff_multiplier >= 1))
		fuzz_fail("BACKOFF_MULTIPLIER %g accepted",
		    conf->backoff_multiplier);
	if (memchr(conf->db_socket, '\0', sizeof(conf->db_socket)) == NULL ||
	    memchr(conf->state_dir, '\0', sizeof(conf->state_dir)) == NULL)
		fuzz_fail("an unterminated path");
}
