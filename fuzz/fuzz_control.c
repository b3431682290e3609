/* SPDX-License-Identifier: ISC */
/*
 * Control requests as hostile bytes: every member of the socket's group
 * reaches this parser. It must accept or give a printable reason, never
 * crash, and what it accepts must be a request multinicctl could have sent:
 * formatted again, it parses to the same request.
 */

#include <string.h>

#include "config.h"
#include "control.h"
#include "fuzz.h"

static void
check_reason(const char *why, size_t len)
{
	size_t	i;

	if (memchr(why, '\0', len) == NULL)
		fuzz_fail("an unterminated reason");
	for (i = 0; why[i] != '\0'; i++)
		if (why[i] < 0x20 || why[i] >= 0x7f)
			fuzz_fail("an unprintable reason: byte %zu of \"%s\"",
			    i, why);
	if (i == 0)
		fuzz_fail("an empty reason");
}

static void
check_request(const struct control_request *req)
{
	struct control_request	again;
	char			line[CONTROL_REQUEST_MAX], why[CONTROL_ERROR_MAX];
	int			len;

	if (req->command >= CONTROL_COMMAND_COUNT)
		fuzz_fail("command %d accepted", (int)req->command);
	if (req->allow_delete && req->command != CONTROL_SYNC)
		fuzz_fail("allow_delete accepted with %s",
		    control_command_name(req->command));
	if (req->command == CONTROL_LOG && (req->level < LOG_LEVEL_ERROR ||
	    req->level > LOG_LEVEL_DEBUG))
		fuzz_fail("log level %d accepted", req->level);
	if ((len = control_request_format(req, line, sizeof(line))) == -1)
		fuzz_fail("an accepted %s cannot be formatted",
		    control_command_name(req->command));
	if (control_request_parse(line, (size_t)len, &again, why,
	    sizeof(why)) == -1)
		fuzz_fail("\"%.*s\" formatted, then refused: %s", len, line,
		    why);
	if (again.command != req->command ||
	    again.allow_delete != req->allow_delete ||
	    (req->command == CONTROL_LOG && again.level != req->level))
		fuzz_fail("\"%.*s\" parses to another request", len, line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_request	req;
	char			why[CONTROL_ERROR_MAX];

	fuzz_quiet_logs();
	memset(why, 'x', sizeof(why));
	if (control_request_parse((const char *)data, size, &req, why,
	    sizeof(why)) == -1)
		check_reason(why, sizeof(why));
	else
		check_request(&req);
	return 0;
}
