/* SPDX-License-Identifier: ISC */
/*
 * Configuration as hostile text: KEY=VALUE lines, as the environment hands
 * them over, through the whole loader. It must report or accept, never
 * crash, and an accepted configuration must keep the documented bounds.
 */

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

#define ENV_MAX	64

static void
ignore_report(void *arg, enum config_severity severity, const char *message)
{
	(void)arg;
	(void)severity;
	(void)message;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config		 conf;
	struct config_secret	 secret;
	char			*text, *env[ENV_MAX + 1], *p, *end;
	size_t			 n = 0;

	fuzz_quiet_logs();
	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; n < ENV_MAX; p = end + 1) {
		env[n++] = p;
		if ((end = strchr(p, '\n')) == NULL)
			break;
		*end = '\0';
	}
	env[n] = NULL;
	/* DB_PASSWORD_FILE would read a file: the input may not name one. */
	if (memmem(data, size, "PASSWORD_FILE", 13) == NULL &&
	    config_load(&conf, &secret, "/nonexistent/multinicd.conf", 0, env,
	    ignore_report, NULL) == 0)
		fuzz_check_config(&conf);
	free(text);
	return 0;
}
