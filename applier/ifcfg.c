/* SPDX-License-Identifier: ISC */
/*
 * RHEL ifcfg: etc/sysconfig/network-scripts/ifcfg-multinicN, values
 * double-quoted; HWADDR names the NIC at boot, with the udev rule.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysconfig.h"
#include "util.h"
#include "validate.h"

#define IFCFG_DIR	"etc/sysconfig/network-scripts"

static int
ifcfg_path(const char *root, int slot, char *buf, size_t len)
{
	return sysconfig_path(root, IFCFG_DIR, slot, buf, len);
}

static int
ifcfg_render(const struct nic_config *nic, char *buf, size_t len,
    size_t *outlen, char *err, size_t errlen)
{
	struct render_out	out = { buf, len, 0, 0 };
	char			mac[VALIDATE_MAC_TEXT_SIZE], addr[16], num[16];

	if (render_check(nic, err, errlen) == -1)
		return -1;
	validate_format_mac(nic->mac, mac);
	render_out_raw(&out, RENDER_HEADER);
	sysconfig_put(&out, "DEVICE", nic->name, '"');
	sysconfig_put(&out, "NAME", nic->name, '"');
	sysconfig_put(&out, "TYPE", "Ethernet", '"');
	sysconfig_put(&out, "ONBOOT", "yes", '"');
	sysconfig_put(&out, "BOOTPROTO", "none", '"');
	sysconfig_put(&out, "HWADDR", mac, '"');
	if (nic->has_address) {
		sysconfig_address(nic, addr, sizeof(addr));
		sysconfig_put(&out, "IPADDR", addr, '"');
		snprintf(num, sizeof(num), "%u", nic->prefix);
		sysconfig_put(&out, "PREFIX", num, '"');
	}
	snprintf(num, sizeof(num), "%u", nic->mtu);
	sysconfig_put(&out, "MTU", num, '"');
	if (out.failed)
		return errorf(err, errlen, "a value cannot be written"
		    " safely");
	*outlen = out.used;
	return 0;
}

/* What a file says, field by field; the fixed keys must hold their values. */
struct ifcfg_read {
	struct nic_config	*nic;
	int			 have_mac, have_addr, have_prefix, have_mtu;
};

static int
fixed(const char *key, const char *value)
{
	static const char *const pairs[][2] = {
		{ "TYPE", "Ethernet" }, { "ONBOOT", "yes" },
		{ "BOOTPROTO", "none" },
	};
	size_t	i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if (strcmp(key, pairs[i][0]) == 0)
			return strcmp(value, pairs[i][1]) == 0 ? 1 : -1;
	return 0;
}

static int
ifcfg_number(const char *value, long long min, long long max, uint32_t *out,
    int *seen)
{
	const char	*errstr;

	*out = (uint32_t)strtonum(value, min, max, &errstr);
	*seen = 1;
	return errstr == NULL ? 0 : -1;
}

static int
ifcfg_field(void *arg, const char *key, const char *value)
{
	struct ifcfg_read	*r = arg;
	uint32_t		 prefix;
	int			 f;

	if ((f = fixed(key, value)) != 0)
		return f == 1 ? 0 : -1;
	if (strcmp(key, "DEVICE") == 0 || strcmp(key, "NAME") == 0) {
		if (r->nic->name[0] == '\0')
			strlcpy(r->nic->name, value, sizeof(r->nic->name));
		return strcmp(r->nic->name, value) == 0 ? 0 : -1;
	}
	if (strcmp(key, "HWADDR") == 0)
		return (r->have_mac = validate_parse_mac(value,
		    r->nic->mac) == 0) ? 0 : -1;
	if (strcmp(key, "IPADDR") == 0)
		return (r->have_addr = validate_parse_ipv4(value,
		    &r->nic->address) == 0) ? 0 : -1;
	if (strcmp(key, "PREFIX") == 0) {
		if (ifcfg_number(value, 1, 32, &prefix, &r->have_prefix) == -1)
			return -1;
		r->nic->prefix = (uint8_t)prefix;
		return 0;
	}
	if (strcmp(key, "MTU") == 0)
		return ifcfg_number(value, VALIDATE_MTU_MIN, VALIDATE_MTU_MAX, &r->nic->mtu, &r->have_mtu);
	return -1;
}

static int
ifcfg_parse(const char *text, size_t len, struct nic_config *nic, char *err,
    size_t errlen)
{
	struct ifcfg_read	r = { nic, 0, 0, 0, 0 };
	size_t			hlen = strlen(RENDER_HEADER);

	memset(nic, 0, sizeof(*nic));
	if (len < hlen || memcmp(text, RENDER_HEADER, hlen) != 0)
		return errorf(err, errlen, "not written by multinicd");
	if (sysconfig_parse(text, len, '"', ifcfg_field, &r, err, errlen) == -1)
		return -1;
	if (strncmp(nic->name, "multinic", 8) != 0 || nic->name[8] < '0' ||
	    nic->name[8] > '9' || nic->name[9] != '\0' || !r.have_mac ||
	    !r.have_mtu || r.have_addr != r.have_prefix)
		return errorf(err, errlen, "incomplete ifcfg file");
	nic->slot = nic->name[8] - '0';
	nic->has_address = r.have_addr;
	return 0;
}

/*
 * Source routing in network-scripts' own files, iproute2 syntax as
 * initscripts' ifup-routes and NetworkManager's ifcfg-rh read them:
 * route-multinicN (each line an "ip route add") and rule-multinicN (each
 * an "ip rule add").
 */
static int
ifcfg_extra_path(const char *root, int slot, int which, char *buf,
    size_t len)
{
	return sysconfig_extra_path(root, IFCFG_DIR, which == 0 ? "route-" :
	    "rule-", slot, buf, len);
}

static int
ifcfg_extra_render(const struct nic_config *nic, int which, char *buf,
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
		snprintf(deflt, sizeof(deflt), "default via %s dev %s table"
		    " %s\n", r.gateway, nic->name, r.table);
	if (which == 0)
		snprintf(lines, sizeof(lines), "%s dev %s scope link src %s"
		    " table %s\n%s", r.subnet, nic->name, r.address, r.table,
		    deflt);
	else
		snprintf(lines, sizeof(lines), "from %s/32 table %s priority"
		    " %s\n", r.address, r.table, r.priority);
	return sysconfig_extra_text(nic, lines, buf, len, outlen, err, errlen);
}

static int
ifcfg_extra_parse(const char *text, size_t len, struct nic_config *nic,
    char *err, size_t errlen)
{
	return render_routes_fields(text, len, "via", nic, err, errlen);
}

const struct renderer renderer_ifcfg = {
	.name = "ifcfg",
	.dir = IFCFG_DIR,
	.udev_rules = 1,
	.path = ifcfg_path,
	.render = ifcfg_render,
	.parse = ifcfg_parse,
	.owns = sysconfig_owns,
	.nextra = 2,
	.extra_path = ifcfg_extra_path,
	.extra_render = ifcfg_extra_render,
	.extra_parse = ifcfg_extra_parse,
};
