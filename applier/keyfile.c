/* SPDX-License-Identifier: ISC */
/*
 * NetworkManager keyfiles (RHEL-family 10+, Fedora):
 * etc/NetworkManager/system-connections/multinicN.nmconnection, an
 * ethernet profile bound to the MAC and to multinicN, with the NIC's source
 * routing in it; the udev rule names the NIC at boot, as for ifcfg.
 */

#include <arpa/inet.h>

#include <linux/rtnetlink.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sha1.h>

#include "render.h"
#include "util.h"
#include "validate.h"

#define KEYFILE_DIR	"etc/NetworkManager/system-connections"
#define KEYFILE_SUFFIX	".nmconnection"
#define KEYFILE_INPUT_MAX	65536
#define KEYFILE_LINE_MAX	128
#define KEYFILE_VALUE_MAX	64
#define UUID_TEXT_SIZE	37
/*
 * What a value may hold: nothing GKeyFile escapes or splits; source
 * routing's values add what libnm's route and rule syntax needs.
 */
#define KEYFILE_CHARS		".:/-"
#define KEYFILE_ROUTING_CHARS	".:/-,= "

/*
 * The namespace of our name-based UUIDs (RFC 4122 version 5: SHA-1 of the
 * namespace and the name, here the MAC as lower-case text), made once at
 * random: 11ee3422-cea2-47b3-8b96-f96c55847c6a. A profile keeps its UUID
 * for as long as its NIC keeps its MAC, across rewrites and reinstalls.
 */
static const uint8_t uuid_namespace[16] = {
	0x11, 0xee, 0x34, 0x22, 0xce, 0xa2, 0x47, 0xb3,
	0x8b, 0x96, 0xf9, 0x6c, 0x55, 0x84, 0x7c, 0x6a,
};

/*
 * SHA-1 comes from libmd, which libbsd itself links: the applier maps no
 * library it did not map before.
 */
static void
keyfile_uuid(const uint8_t mac[6], char out[UUID_TEXT_SIZE])
{
	SHA1_CTX	ctx;
	uint8_t		digest[SHA1_DIGEST_LENGTH];
	char		name[VALIDATE_MAC_TEXT_SIZE];

	validate_format_mac(mac, name);
	SHA1Init(&ctx);
	SHA1Update(&ctx, uuid_namespace, sizeof(uuid_namespace));
	SHA1Update(&ctx, (const uint8_t *)name, strlen(name));
	SHA1Final(digest, &ctx);
	digest[6] = (digest[6] & 0x0f) | 0x50;	/* version 5 */
	digest[8] = (digest[8] & 0x3f) | 0x80;	/* the RFC 4122 variant */
	snprintf(out, UUID_TEXT_SIZE, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", digest[0], digest[1],
	    digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
	    digest[8], digest[9], digest[10], digest[11], digest[12],
	    digest[13], digest[14], digest[15]);
}

static int
keyfile_path(const char *root, int slot, char *buf, size_t len)
{
	const char	*sep = root[0] != '\0' && root[strlen(root) - 1] == '/' ?
			    "" : "/";

	if (slot < 0 || slot > 9)
		return -1;
	return (size_t)snprintf(buf, len, "%s%s" KEYFILE_DIR "/multinic%d"
	    KEYFILE_SUFFIX, root, sep, slot) < len ? 0 : -1;
}

/* "multinicN.nmconnection" exactly. */
static int
keyfile_owns(const char *name)
{
	return strncmp(name, "multinic", 8) == 0 && name[8] >= '0' &&
	    name[8] <= '9' && strcmp(name + 9, KEYFILE_SUFFIX) == 0;
}

/*
 * GKeyFile gives meaning to backslashes, ';' (lists), leading blanks and
 * line ends: only characters that mean nothing to it are written or read,
 * letters, digits and chars. A blank is never first or last.
 */
static int
keyfile_safe(const char *value, const char *chars)
{
	const char	*p;

	for (p = value; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(chars, *p) != NULL))
			return 0;
	return p > value && p - value < KEYFILE_VALUE_MAX &&
	    value[0] != ' ' && p[-1] != ' ';
}

static void
keyfile_put_chars(struct render_out *out, const char *key,
    const char *value, const char *chars)
{
	char	line[KEYFILE_LINE_MAX];

	if (!keyfile_safe(value, chars)) {
		out->failed = 1;
		return;
	}
	snprintf(line, sizeof(line), "%s=%s\n", key, value);
	render_out_raw(out, line);
}

static void
keyfile_put(struct render_out *out, const char *key, const char *value)
{
	keyfile_put_chars(out, key, value, KEYFILE_CHARS);
}

/* What the parser reads: each key once, in its group. */
enum keyfile_field {
	F_ID, F_UUID, F_TYPE, F_IFNAME, F_AUTOCONNECT, F_MAC, F_MTU,
	F_IPV4_METHOD, F_ADDRESS1, F_IPV6_METHOD,
	F_ROUTE1, F_ROUTE1_OPTIONS, F_ROUTE2, F_ROUTE2_OPTIONS, F_RULE1,
	F_COUNT
};
#define F_BIT(f)	(1u << (f))
/* Source routing's keys. */
#define F_ROUTING	(F_BIT(F_ROUTE1) | F_BIT(F_ROUTE1_OPTIONS) | \
			F_BIT(F_ROUTE2) | F_BIT(F_ROUTE2_OPTIONS) | F_BIT(F_RULE1))

static const struct {
	const char	*group;
	const char	*key;
	const char	*fixed;		/* the only value we write, if one */
	const char	*chars;		/* what the value may hold */
} keyfile_fields[F_COUNT] = {
	[F_ID] = { "connection", "id", NULL, KEYFILE_CHARS },
	[F_UUID] = { "connection", "uuid", NULL, KEYFILE_CHARS },
	[F_TYPE] = { "connection", "type", "ethernet", KEYFILE_CHARS },
	[F_IFNAME] = { "connection", "interface-name", NULL, KEYFILE_CHARS },
	[F_AUTOCONNECT] = { "connection", "autoconnect", "true",
	    KEYFILE_CHARS },
	[F_MAC] = { "ethernet", "mac-address", NULL, KEYFILE_CHARS },
	[F_MTU] = { "ethernet", "mtu", NULL, KEYFILE_CHARS },
	[F_IPV4_METHOD] = { "ipv4", "method", NULL, KEYFILE_CHARS },
	[F_ADDRESS1] = { "ipv4", "address1", NULL, KEYFILE_CHARS },
	[F_IPV6_METHOD] = { "ipv6", "method", "ignore", KEYFILE_CHARS },
	[F_ROUTE1] = { "ipv4", "route1", NULL, KEYFILE_ROUTING_CHARS },
	[F_ROUTE1_OPTIONS] = { "ipv4", "route1_options", NULL,
	    KEYFILE_ROUTING_CHARS },
	[F_ROUTE2] = { "ipv4", "route2", NULL, KEYFILE_ROUTING_CHARS },
	[F_ROUTE2_OPTIONS] = { "ipv4", "route2_options", NULL,
	    KEYFILE_ROUTING_CHARS },
	[F_RULE1] = { "ipv4", "routing-rule1", NULL, KEYFILE_ROUTING_CHARS },
};

/*
 * Source routing (srcroute.h) in libnm's words, as its own keyfile writer
 * puts them: route1, the subnet on link (scope 253) with the address as
 * source; route2, the default route via the gateway, if any; both in the
 * NIC's table, and routing-rule1 sending the address there. Metric 0
 * explicitly, as the live routes have it: without one NetworkManager would
 * add them with the profile's (100 for ethernet), drift after each boot.
 * Fills values[] of the keys the NIC has and sets their bits in *keys.
 */
static int
keyfile_routing(const struct nic_config *nic,
    char values[F_COUNT][KEYFILE_VALUE_MAX], unsigned *keys, char *err,
    size_t errlen)
{
	struct render_routing	t;

	*keys = 0;
	if (nic->route_table == 0)
		return 0;
	if (render_routing(nic, &t, err, errlen) == -1)
		return -1;
	snprintf(values[F_ROUTE1], KEYFILE_VALUE_MAX, "%s,0.0.0.0,0",
	    t.subnet);
	snprintf(values[F_ROUTE1_OPTIONS], KEYFILE_VALUE_MAX,
	    "scope=%d,src=%s,table=%s", RT_SCOPE_LINK, t.address, t.table);
	snprintf(values[F_RULE1], KEYFILE_VALUE_MAX,
	    "priority %s from %s/32 table %s", t.priority, t.address, t.table);
	*keys = F_BIT(F_ROUTE1) | F_BIT(F_ROUTE1_OPTIONS) | F_BIT(F_RULE1);
	if (t.gateway[0] == '\0')
		return 0;
	snprintf(values[F_ROUTE2], KEYFILE_VALUE_MAX, "0.0.0.0/0,%s,0",
	    t.gateway);
	snprintf(values[F_ROUTE2_OPTIONS], KEYFILE_VALUE_MAX, "table=%s",
	    t.table);
	*keys |= F_BIT(F_ROUTE2) | F_BIT(F_ROUTE2_OPTIONS);
	return 0;
}

/*
 * IPv4: manual with the row's address and no gateway, or disabled when the
 * row has none (as ifcfg's BOOTPROTO=none without IPADDR reads); then
 * source routing's keys, if any. IPv6:
 * "ignore", NetworkManager's "leave it alone": neither configured nor
 * disabled, as the live apply leaves it. Without an [ipv6] group
 * NetworkManager would add one with "auto" and start SLAAC and DHCPv6.
 */
static void
keyfile_ip(struct render_out *out, const struct nic_config *nic,
    char routing[F_COUNT][KEYFILE_VALUE_MAX], unsigned routing_keys)
{
	char	addr[16], cidr[24];
	int	i;

	render_out_raw(out, "\n[ipv4]\n");
	if (nic->has_address) {
		inet_ntop(AF_INET, &nic->address, addr, sizeof(addr));
		snprintf(cidr, sizeof(cidr), "%s/%u", addr, nic->prefix);
		keyfile_put(out, "method", "manual");
		keyfile_put(out, "address1", cidr);
	} else
		keyfile_put(out, "method", "disabled");
	for (i = F_ROUTE1; i <= F_RULE1; i++)
		if (routing_keys & F_BIT(i))
			keyfile_put_chars(out, keyfile_fields[i].key,
			    routing[i], keyfile_fields[i].chars);
	render_out_raw(out, "\n[ipv6]\n");
	keyfile_put(out, "method", "ignore");
}

static int
keyfile_render(const struct nic_config *nic, char *buf, size_t len,
    size_t *outlen, char *err, size_t errlen)
{
	struct render_out	out = { buf, len, 0, 0 };
	char			mac[VALIDATE_MAC_TEXT_SIZE];
	char			uuid[UUID_TEXT_SIZE], mtu[16];
	char			routing[F_COUNT][KEYFILE_VALUE_MAX];
	unsigned		routing_keys;

	if (render_check(nic, err, errlen) == -1 ||
	    keyfile_routing(nic, routing, &routing_keys, err, errlen) == -1)
		return -1;
	validate_format_mac(nic->mac, mac);
	keyfile_uuid(nic->mac, uuid);
	snprintf(mtu, sizeof(mtu), "%u", nic->mtu);
	render_out_raw(&out, RENDER_HEADER);
	render_out_raw(&out, "[connection]\n");
	keyfile_put(&out, "id", nic->name);
	keyfile_put(&out, "uuid", uuid);
	keyfile_put(&out, "type", "ethernet");
	keyfile_put(&out, "interface-name", nic->name);
	keyfile_put(&out, "autoconnect", "true");
	render_out_raw(&out, "\n[ethernet]\n");
	keyfile_put(&out, "mac-address", mac);
	keyfile_put(&out, "mtu", mtu);
	keyfile_ip(&out, nic, routing, routing_keys);
	if (out.failed)
		return errorf(err, errlen, "a value cannot be written"
		    " safely");
	*outlen = out.used;
	return 0;
}

static const char *const keyfile_groups[] = {
	"connection", "ethernet", "ipv4", "ipv6",
};
#define KEYFILE_GROUPS	(sizeof(keyfile_groups) / sizeof(keyfile_groups[0]))

struct keyfile_read {
	int		group;		/* index in keyfile_groups, -1 before */
	unsigned	groups_seen;
	unsigned	seen;		/* 1 << enum keyfile_field */
	char		values[F_COUNT][KEYFILE_VALUE_MAX];
};

/* "[group]": one of ours, and only once. */
static int
keyfile_group(struct keyfile_read *r, const char *line)
{
	size_t	i, n = strlen(line);

	if (n < 3 || line[n - 1] != ']')
		return -1;
	for (i = 0; i < KEYFILE_GROUPS; i++)
		if (strlen(keyfile_groups[i]) == n - 2 &&
		    strncmp(keyfile_groups[i], line + 1, n - 2) == 0 &&
		    !(r->groups_seen & (1u << i))) {
			r->groups_seen |= 1u << i;
			r->group = (int)i;
			return 0;
		}
	return -1;
}

/* "key=value", strictly as we write it: no blanks, a known key, once. */
static int
keyfile_key(struct keyfile_read *r, char *line)
{
	char	*value;
	size_t	 i;

	if (r->group == -1 || (value = strchr(line, '=')) == NULL)
		return -1;
	*value++ = '\0';
	for (i = 0; i < F_COUNT; i++) {
		if (strcmp(keyfile_fields[i].group,
		    keyfile_groups[r->group]) != 0 ||
		    strcmp(keyfile_fields[i].key, line) != 0)
			continue;
		if (!keyfile_safe(value, keyfile_fields[i].chars) ||
		    (r->seen & (1u << i)) || (keyfile_fields[i].fixed != NULL &&
		    strcmp(keyfile_fields[i].fixed, value) != 0))
			return -1;
		r->seen |= 1u << i;
		strlcpy(r->values[i], value, sizeof(r->values[i]));
		return 0;
	}
	return -1;
}

static int
keyfile_line(void *arg, char *line, char *err, size_t errlen)
{
	struct keyfile_read	*r = arg;

	if ((line[0] == '[' ? keyfile_group(r, line) :
	    keyfile_key(r, line)) == 0)
		return 0;
	return errorf(err, errlen, "unexpected");
}

static int
keyfile_lines(struct keyfile_read *r, const char *text, size_t len,
    char *err, size_t errlen)
{
	return render_each_line(text, len, keyfile_line, r, err, errlen);
}

/* "a.b.c.d/p", p 1..32. */
static int
keyfile_address(const char *value, struct nic_config *nic)
{
	char		 addr[KEYFILE_VALUE_MAX], *slash;
	const char	*errstr;

	strlcpy(addr, value, sizeof(addr));
	if ((slash = strchr(addr, '/')) == NULL)
		return -1;
	*slash = '\0';
	nic->prefix = (uint8_t)strtonum(slash + 1, 1, 32, &errstr);
	nic->has_address = 1;
	return errstr == NULL &&
	    validate_parse_ipv4(addr, &nic->address) == 0 ? 0 : -1;
}

/*
 * Source routing's keys: the table (route1's last option) and the gateway
 * (route2's second field) they name, and nothing but what keyfile_routing()
 * writes for them; any difference is drift.
 */
static int
keyfile_routing_read(const struct keyfile_read *r, struct nic_config *nic,
    char *err, size_t errlen)
{
	char		 want[F_COUNT][KEYFILE_VALUE_MAX];
	char		 gateway[KEYFILE_VALUE_MAX], *end;
	const char	*table, *errstr;
	unsigned	 keys;
	int		 i;

	if ((r->seen & F_ROUTING) == 0)
		return 0;
	if ((table = strstr(r->values[F_ROUTE1_OPTIONS], "table=")) == NULL)
		return errorf(err, errlen, "source routing without a table");
	nic->route_table = (uint32_t)strtonum(table + 6, 1, UINT32_MAX,
	    &errstr);
	if (errstr != NULL)
		return errorf(err, errlen, "route1_options: bad table");
	if (r->seen & F_BIT(F_ROUTE2)) {
		strlcpy(gateway, r->values[F_ROUTE2], sizeof(gateway));
		if (strncmp(gateway, "0.0.0.0/0,", 10) != 0 ||
		    (end = strchr(gateway + 10, ',')) == NULL)
			return errorf(err, errlen, "route2: not a default"
			    " route");
		*end = '\0';
		if (validate_parse_ipv4(gateway + 10,
		    &nic->route_gateway) == -1)
			return errorf(err, errlen, "route2: bad gateway");
	}
	if (keyfile_routing(nic, want, &keys, err, errlen) == -1)
		return -1;
	for (i = F_ROUTE1; i <= F_RULE1; i++)
		if (((r->seen ^ keys) & F_BIT(i)) || ((keys & F_BIT(i)) &&
		    strcmp(r->values[i], want[i]) != 0))
			return errorf(err, errlen, "%s: not as multinicd writes"
			    " it", keyfile_fields[i].key);
	return 0;
}

/* What the fields say together: one NIC, its own UUID, a known method. */
static int
keyfile_nic(const struct keyfile_read *r, struct nic_config *nic, char *err,
    size_t errlen)
{
	const char	*name = r->values[F_IFNAME], *errstr;
	char		 uuid[UUID_TEXT_SIZE];
	int		 manual;

	if ((r->seen | F_BIT(F_ADDRESS1) | F_ROUTING) != F_BIT(F_COUNT) - 1)
		return errorf(err, errlen, "incomplete keyfile");
	if (strcmp(r->values[F_ID], name) != 0 ||
	    strncmp(name, "multinic", 8) != 0 || name[8] < '0' ||
	    name[8] > '9' || name[9] != '\0')
		return errorf(err, errlen, "not a multinicN profile");
	nic->slot = name[8] - '0';
	strlcpy(nic->name, name, sizeof(nic->name));
	if (validate_parse_mac(r->values[F_MAC], nic->mac) == -1)
		return errorf(err, errlen, "bad mac-address");
	nic->mtu = (uint32_t)strtonum(r->values[F_MTU], VALIDATE_MTU_MIN,
	    VALIDATE_MTU_MAX, &errstr);
	if (errstr != NULL)
		return errorf(err, errlen, "bad mtu");
	keyfile_uuid(nic->mac, uuid);
	if (strcmp(r->values[F_UUID], uuid) != 0)
		return errorf(err, errlen, "uuid is not the MAC's");
	manual = strcmp(r->values[F_IPV4_METHOD], "manual") == 0;
	if (!manual && strcmp(r->values[F_IPV4_METHOD], "disabled") != 0)
		return errorf(err, errlen, "ipv4 method neither manual nor"
		    " disabled");
	if (manual != ((r->seen & (1u << F_ADDRESS1)) != 0) ||
	    (manual && keyfile_address(r->values[F_ADDRESS1], nic) == -1))
		return errorf(err, errlen, "bad or missing ipv4 address");
	return keyfile_routing_read(r, nic, err, errlen);
}

static int
keyfile_parse(const char *text, size_t len, struct nic_config *nic,
    char *err, size_t errlen)
{
	struct keyfile_read	r;
	size_t			hlen = strlen(RENDER_HEADER);

	memset(nic, 0, sizeof(*nic));
	memset(&r, 0, sizeof(r));
	r.group = -1;
	if (len > KEYFILE_INPUT_MAX)
		return errorf(err, errlen, "larger than %d bytes",
		    KEYFILE_INPUT_MAX);
	if (len < hlen || memcmp(text, RENDER_HEADER, hlen) != 0)
		return errorf(err, errlen, "not written by multinicd");
	if (keyfile_lines(&r, text, len, err, errlen) == -1)
		return -1;
	return keyfile_nic(&r, nic, err, errlen);
}

const struct renderer renderer_networkmanager = {
	.name = "networkmanager",
	.dir = KEYFILE_DIR,
	.udev_rules = 1,
	.path = keyfile_path,
	.render = keyfile_render,
	.parse = keyfile_parse,
	.owns = keyfile_owns,
	.routes_in_file = 1,
};
