/* SPDX-License-Identifier: ISC */
/*
 * SUSE wicked: etc/sysconfig/network/ifcfg-multinicN, values single-quoted.
 * The format has no key that matches a MAC, so the udev rule names the NIC
 * at boot and a comment records name and MAC for reading the file back.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysconfig.h"
#include "util.h"
#include "validate.h"

#define WICKED_DIR	"etc/sysconfig/network"

static int
wicked_path(const char *root, int slot, char *buf, size_t len)
{
	return sysconfig_path(root, WICKED_DIR, slot, buf, len);
}

static int
wicked_render(const struct nic_config *nic, char *buf, size_t len,
    size_t *outlen, char *err, size_t errlen)
{
	struct render_out	out = { buf, len, 0, 0 };
	char			mac[VALIDATE_MAC_TEXT_SIZE], addr[16];
	char			cidr[24], line[64];

	if (render_check(nic, err, errlen) == -1)
		return -1;
	validate_format_mac(nic->mac, mac);
	render_out_raw(&out, RENDER_HEADER);
	snprintf(line, sizeof(line), "# %s %s\n", nic->name, mac);
	render_out_raw(&out, line);
	sysconfig_put(&out, "STARTMODE", "auto", '\'');
	sysconfig_put(&out, "BOOTPROTO", "static", '\'');
	if (nic->has_address) {
		sysconfig_address(nic, addr, sizeof(addr));
		snprintf(cidr, sizeof(cidr), "%s/%u", addr, nic->prefix);
		sysconfig_put(&out, "IPADDR", cidr, '\'');
	}
	snprintf(line, sizeof(line), "%u", nic->mtu);
	sysconfig_put(&out, "MTU", line, '\'');
	if (out.failed)
		return errorf(err, errlen, "a value cannot be written"
		    " safely");
	*outlen = out.used;
	return 0;
}

struct wicked_read {
	struct nic_config	*nic;
	int			 have_mtu;
};

static int
wicked_field(void *arg, const char *key, const char *value)
{
	struct wicked_read	*r = arg;
	char			 addr[24], *slash;
	const char		*errstr;

	if (strcmp(key, "STARTMODE") == 0)
		return strcmp(value, "auto") == 0 ? 0 : -1;
	if (strcmp(key, "BOOTPROTO") == 0)
		return strcmp(value, "static") == 0 ? 0 : -1;
	if (strcmp(key, "MTU") == 0) {
		r->nic->mtu = (uint32_t)strtonum(value, VALIDATE_MTU_MIN,
		    VALIDATE_MTU_MAX, &errstr);
		r->have_mtu = 1;
		return errstr == NULL ? 0 : -1;
	}
	if (strcmp(key, "IPADDR") != 0 || strlcpy(addr, value,
	    sizeof(addr)) >= sizeof(addr) || (slash = strchr(addr, '/')) == NULL)
		return -1;
	*slash = '\0';
	r->nic->prefix = (uint8_t)strtonum(slash + 1, 1, 32, &errstr);
	r->nic->has_address = 1;
	return errstr == NULL && validate_parse_ipv4(addr,
	    &r->nic->address) == 0 ? 0 : -1;
}

/* After the header: "# multinicN fa:16:3e:00:00:01". */
static int
wicked_identity(const char *text, size_t len, struct nic_config *nic)
{
	size_t		 hlen = strlen(RENDER_HEADER);
	char		 line[40], mac[VALIDATE_MAC_TEXT_SIZE], extra;
	const char	*start = text + hlen, *nl;
	int		 slot;

	if (len <= hlen || memcmp(text, RENDER_HEADER, hlen) != 0 ||
	    (nl = memchr(start, '\n', len - hlen)) == NULL ||
	    (size_t)(nl - start) >= sizeof(line))
		return -1;
	memcpy(line, start, (size_t)(nl - start));
	line[nl - start] = '\0';
	if (sscanf(line, "# multinic%1d %17s %c", &slot, mac, &extra) != 2 ||
	    validate_parse_mac(mac, nic->mac) == -1)
		return -1;
	nic->slot = slot;
	snprintf(nic->name, sizeof(nic->name), "multinic%d", slot);
	return 0;
}

static int
wicked_parse(const char *text, size_t len, struct nic_config *nic, char *err,
    size_t errlen)
{
	struct wicked_read	r = { nic, 0 };

	memset(nic, 0, sizeof(*nic));
	if (wicked_identity(text, len, nic) == -1)
		return errorf(err, errlen, "not written by multinicd");
	if (sysconfig_parse(text, len, '\'', wicked_field, &r, err,
	    errlen) == -1)
		return -1;
	if (!r.have_mtu)
		return errorf(err, errlen, "MTU missing");
	return 0;
}

/*
 * Source routing in wicked's own files: ifroute-multinicN, columns
 * "destination gateway netmask interface options" (ifroute(5)), and
 * ifrule-multinicN, "ipv4" and an "ip rule add" (ifrule(5)).
 */
static int
wicked_extra_path(const char *root, int slot, int which, char *buf,
    size_t len)
{
	return sysconfig_extra_path(root, WICKED_DIR, which == 0 ?
	    "ifroute-" : "ifrule-", slot, buf, len);
}

static int
wicked_extra_render(const struct nic_config *nic, int which, char *buf,
    size_t len, size_t *outlen, char *err, size_t errlen)
{
	struct render_routing		r;
	char				lines[256], deflt[96] = "";

	*outlen = 0;
	if (nic->route_table == 0)
		return 0;
	if (render_routing(nic, &r, err, errlen) == -1)
		return -1;
	if (r.gateway[0] != '\0')
		snprintf(deflt, sizeof(deflt), "default %s - %s table %s\n",
		    r.gateway, nic->name, r.table);
	if (which == 0)
		snprintf(lines, sizeof(lines), "%s - - %s scope link src %s"
		    " table %s\n%s", r.subnet, nic->name, r.address, r.table,
		    deflt);
	else
		snprintf(lines, sizeof(lines), "ipv4 from %s/32 table %s"
		    " priority %s\n", r.address, r.table, r.priority);
	return sysconfig_extra_text(nic, lines, buf, len, outlen, err, errlen);
}

static int
wicked_extra_parse(const char *text, size_t len, struct nic_config *nic,
    char *err, size_t errlen)
{
	return render_routes_fields(text, len, "default", nic, err, errlen);
}

const struct renderer renderer_wicked = {
	.name = "wicked",
	.dir = WICKED_DIR,
	.udev_rules = 1,
	.path = wicked_path,
	.render = wicked_render,
	.parse = wicked_parse,
	.owns = sysconfig_owns,
	.nextra = 2,
	.extra_path = wicked_extra_path,
	.extra_render = wicked_extra_render,
	.extra_parse = wicked_extra_parse,
};
