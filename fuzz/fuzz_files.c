/* SPDX-License-Identifier: ISC */
/*
 * Managed files as hostile text (a hand edit, a truncated write, another
 * tool's file): each format's parser must refuse or return a NIC that its
 * renderer writes back and that parses again to the same NIC.
 *
 * Input: one byte choosing the format (netplan, ifcfg, wicked,
 * networkmanager), then the file's text.
 */

#include <string.h>

#include "../applier/render.h"
#include "fuzz.h"

#define FILE_MAX	8192

static const struct renderer *const renderers[] = {
	&renderer_netplan, &renderer_ifcfg, &renderer_wicked,
	&renderer_networkmanager,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 text[FILE_MAX];
	const struct renderer	*r;
	struct nic_config	 parsed, again;
	char			 err[256];
	size_t			 len;

	fuzz_quiet_logs();
	if (size < 1)
		return 0;
	r = renderers[data[0] % (sizeof(renderers) / sizeof(renderers[0]))];
	memset(&parsed, 0, sizeof(parsed));
	if (r->parse((const char *)data + 1, size - 1, &parsed, err,
	    sizeof(err)) == -1)
		return 0;
	if (r->render(&parsed, text, sizeof(text), &len, err,
	    sizeof(err)) == -1)
		fuzz_fail("%s: parsed a file it cannot write back: %s",
		    r->name, err);
	memset(&again, 0, sizeof(again));
	if (r->parse(text, len, &again, err, sizeof(err)) == -1)
		fuzz_fail("%s: refuses what it wrote: %s", r->name, err);
	if (!render_nic_equal(&parsed, &again))
		fuzz_fail("%s: the written file reads back differently",
		    r->name);
	return 0;
}
