/* SPDX-License-Identifier: ISC */
/*
 * Managed files as hostile text (a hand edit, a truncated write, another
 * tool's file): each format's parser must refuse or return a NIC that its
 * renderer writes back and that parses again to the same NIC.
 *
 * Input: one byte choosing the format (netplan, ifcfg, wicked,
 * networkmanager, then ifcfg's and wicked's routes file of source routing),
 * then the file's text.
 */

#include <arpa/inet.h>
#include <string.h>

#include "../applier/render.h"
#include "../applier/srcroute.h"
#include "fuzz.h"

#define FILE_MAX	8192

static const struct renderer *const renderers[] = {
	&renderer_netplan, &renderer_ifcfg, &renderer_wicked,
	&renderer_networkmanager,
};

#define NRENDERERS	(sizeof(renderers) / sizeof(renderers[0]))

/*
 * A routes file read for multinic2 with 10.0.2.5/24: a table and gateway
 * that pass the checks are written back and read again the same.
 */
static void
routes_file(const struct renderer *r, const char *data, size_t size)
{
	static char		 text[FILE_MAX];
	struct nic_config	 nic, again;
	char			 err[256];
	size_t			 len;

	memset(&nic, 0, sizeof(nic));
	nic.slot = 2;
	strlcpy(nic.name, "multinic2", sizeof(nic.name));
	nic.has_address = 1;
	inet_pton(AF_INET, "10.0.2.5", &nic.address);
	nic.prefix = 24;
	nic.mtu = 1500;
	again = nic;
	if (r->extra_parse(data, size, &nic, err, sizeof(err)) == -1 ||
	    srcroute_check(&nic, err, sizeof(err)) == -1)
		return;
	if (r->extra_render(&nic, 0, text, sizeof(text), &len, err,
	    sizeof(err)) == -1)
		fuzz_fail("%s: read routes it cannot write: %s", r->name, err);
	if (r->extra_parse(text, len, &again, err, sizeof(err)) == -1 ||
	    !render_nic_equal(&nic, &again))
		fuzz_fail("%s: its routes file reads back differently",
		    r->name);
}

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
	switch (data[0] % (NRENDERERS + 2)) {
	case NRENDERERS:
		routes_file(&renderer_ifcfg, (const char *)data + 1, size - 1);
		return 0;
	case NRENDERERS + 1:
		routes_file(&renderer_wicked, (const char *)data + 1, size - 1);
		return 0;
	}
	r = renderers[data[0] % (NRENDERERS + 2)];
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
