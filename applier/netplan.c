/*
 * netplan: etc/netplan/9N-multinicN.yaml, one file per managed NIC, emitted
 * with libyaml after our header line, and parsed back with libyaml.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "render.h"
#include "util.h"
#include "validate.h"

#define NETPLAN_DIR		"etc/netplan"
#define NETPLAN_INPUT_MAX	65536

static int
np_path(const char *root, int slot, char *buf, size_t len)
{
	const char	*sep = root[0] != '\0' && root[strlen(root) - 1] == '/' ?
			    "" : "/";

	if (slot < 0 || slot > 9)
		return -1;
	return (size_t)snprintf(buf, len, "%s%s%s/9%d-multinic%d.yaml", root,
	    sep, NETPLAN_DIR, slot, slot) < len ? 0 : -1;
}

/* "9N-multinicN.yaml" exactly. */
static int
np_owns(const char *name)
{
	return strlen(name) == 17 && name[0] == '9' && name[1] >= '0' &&
	    name[1] <= '9' && strncmp(name + 2, "-multinic", 9) == 0 &&
	    name[11] == name[1] && strcmp(name + 12, ".yaml") == 0;
}

static int
emit(yaml_emitter_t *e, yaml_event_t *ev, int ok)
{
	return ok && yaml_emitter_emit(e, ev);
}

static int
emit_scalar(yaml_emitter_t *e, const char *value, yaml_scalar_style_t style)
{
	yaml_event_t	ev;

	return emit(e, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (yaml_char_t *)value, (int)strlen(value), 1, 1, style));
}

static int
emit_mapping_start(yaml_emitter_t *e)
{
	yaml_event_t	ev;

	return emit(e, &ev, yaml_mapping_start_event_initialize(&ev, NULL,
	    NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static int
emit_end(yaml_emitter_t *e, int mapping)
{
	yaml_event_t	ev;

	if (mapping)
		return emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
	return emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static int
emit_pair(yaml_emitter_t *e, const char *key, const char *value,
    yaml_scalar_style_t style)
{
	return emit_scalar(e, key, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_scalar(e, value, style);
}

static int
emit_addresses(yaml_emitter_t *e, const struct nic_config *nic)
{
	yaml_event_t	ev;
	char		addr[INET_ADDRSTRLEN], cidr[INET_ADDRSTRLEN + 4];

	if (!nic->has_address)
		return 1;
	inet_ntop(AF_INET, &nic->address, addr, sizeof(addr));
	snprintf(cidr, sizeof(cidr), "%s/%u", addr, nic->prefix);
	return emit_scalar(e, "addresses", YAML_PLAIN_SCALAR_STYLE) &&
	    emit(e, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL,
	    1, YAML_BLOCK_SEQUENCE_STYLE)) &&
	    emit_scalar(e, cidr, YAML_PLAIN_SCALAR_STYLE) && emit_end(e, 0);
}

/* network: {version: 2, ethernets: {multinicN: {...}}} */
static int
emit_document(yaml_emitter_t *e, const struct nic_config *nic)
{
	yaml_event_t	ev;
	char		mac[VALIDATE_MAC_TEXT_SIZE], mtu[16];

	validate_format_mac(nic->mac, mac);
	snprintf(mtu, sizeof(mtu), "%u", nic->mtu);
	return emit(e, &ev, yaml_stream_start_event_initialize(&ev,
	    YAML_UTF8_ENCODING)) &&
	    emit(e, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL,
	    NULL, 1)) &&
	    emit_mapping_start(e) &&
	    emit_scalar(e, "network", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_start(e) &&
	    emit_pair(e, "version", "2", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_scalar(e, "ethernets", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_start(e) &&
	    emit_scalar(e, nic->name, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_start(e) &&
	    emit_scalar(e, "match", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_start(e) &&
	    /* Quoted: YAML 1.1 could read some MACs as base-60 numbers. */
	    emit_pair(e, "macaddress", mac, YAML_DOUBLE_QUOTED_SCALAR_STYLE) &&
	    emit_end(e, 1) &&
	    emit_pair(e, "set-name", nic->name, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_addresses(e, nic) &&
	    emit_pair(e, "mtu", mtu, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_pair(e, "dhcp4", "false", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_end(e, 1) && emit_end(e, 1) && emit_end(e, 1) &&
	    emit_end(e, 1) &&
	    emit(e, &ev, yaml_document_end_event_initialize(&ev, 1)) &&
	    emit(e, &ev, yaml_stream_end_event_initialize(&ev));
}

static int
np_render(const struct nic_config *nic, char *buf, size_t len,
    size_t *outlen, char *err, size_t errlen)
{
	yaml_emitter_t	e;
	size_t		hlen = strlen(RENDER_HEADER), written = 0;
	int		ok;

	if (render_check(nic, err, errlen) == -1)
		return -1;
	if (len <= hlen)
		return errorf(err, errlen, "output buffer too small");
	memcpy(buf, RENDER_HEADER, hlen);
	if (!yaml_emitter_initialize(&e))
		return errorf(err, errlen, "out of memory");
	yaml_emitter_set_output_string(&e, (unsigned char *)buf + hlen,
	    len - hlen, &written);
	yaml_emitter_set_unicode(&e, 0);
	ok = emit_document(&e, nic);
	if (!ok)
		errorf(err, errlen, "libyaml: %s", e.problem != NULL ?
		    e.problem : "output too large");
	yaml_emitter_delete(&e);
	*outlen = hlen + written;
	return ok ? 0 : -1;
}

/* Reading back: the exact shape we write, nothing more, nothing less. */
struct np_reader {
	yaml_document_t	*doc;
	char		*err;
	size_t		 errlen;
};

static const char *
scalar(yaml_node_t *node)
{
	if (node == NULL || node->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)node->data.scalar.value;
}

/* The value of key in a mapping node, or NULL; unknown keys are refused. */
static yaml_node_t *
lookup(struct np_reader *r, yaml_node_t *map, const char *key,
    const char *const *allowed, int *bad)
{
	yaml_node_pair_t	*pair;
	yaml_node_t		*found = NULL;
	const char		*k;
	const char *const	*a;

	if (map == NULL || map->type != YAML_MAPPING_NODE) {
		*bad = errorf(r->err, r->errlen, "expected a mapping");
		return NULL;
	}
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		if ((k = scalar(yaml_document_get_node(r->doc,
		    pair->key))) == NULL) {
			*bad = errorf(r->err, r->errlen, "non-scalar key");
			return NULL;
		}
		for (a = allowed; *a != NULL && strcmp(*a, k) != 0; a++)
			;
		if (*a == NULL) {
			*bad = errorf(r->err, r->errlen, "unknown key \"%.32s\"",
			    k);
			return NULL;
		}
		if (strcmp(k, key) == 0)
			found = yaml_document_get_node(r->doc, pair->value);
	}
	return found;
}

static int
parse_mtu(struct np_reader *r, const char *text, uint32_t *mtu)
{
	const char	*errstr;

	if (text == NULL)
		return errorf(r->err, r->errlen, "mtu missing");
	*mtu = strtonum(text, VALIDATE_MTU_MIN, VALIDATE_MTU_MAX, &errstr);
	return errstr == NULL ? 0 : errorf(r->err, r->errlen, "mtu %s",
	    errstr);
}

static int
parse_addresses(struct np_reader *r, yaml_node_t *seq, struct nic_config *nic)
{
	const char	*text;
	char		 addr[32], *slash;
	const char	*errstr;

	nic->has_address = 0;
	if (seq == NULL)
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE || seq->data.sequence.items.top -
	    seq->data.sequence.items.start != 1 || (text = scalar(yaml_document_get_node(r->doc, *seq->data.sequence.items.start))) ==
	    NULL || strlcpy(addr, text, sizeof(addr)) >= sizeof(addr) ||
	    (slash = strchr(addr, '/')) == NULL)
		return errorf(r->err, r->errlen, "addresses: one a.b.c.d/p");
	*slash = '\0';
	nic->prefix = strtonum(slash + 1, 1, 32, &errstr);
	if (errstr != NULL || validate_parse_ipv4(addr, &nic->address) == -1)
		return errorf(r->err, r->errlen, "addresses: bad address");
	nic->has_address = 1;
	return 0;
}

static const char *const network_keys[] = { "version", "ethernets", NULL };
static const char *const root_keys[] = { "network", NULL };
static const char *const match_keys[] = { "macaddress", NULL };
static const char *const iface_keys[] = {
	"match", "set-name", "addresses", "mtu", "dhcp4", NULL
};

static int
parse_interface(struct np_reader *r, yaml_node_t *iface,
    struct nic_config *nic)
{
	const char	*mac, *set_name, *dhcp4;
	int		 bad = 0;

	mac = scalar(lookup(r, lookup(r, iface, "match", iface_keys, &bad),
	    "macaddress", match_keys, &bad));
	set_name = scalar(lookup(r, iface, "set-name", iface_keys, &bad));
	dhcp4 = scalar(lookup(r, iface, "dhcp4", iface_keys, &bad));
	if (bad)
		return -1;
	if (mac == NULL || validate_parse_mac(mac, nic->mac) == -1)
		return errorf(r->err, r->errlen, "match.macaddress missing"
		    " or malformed");
	if (set_name == NULL || strcmp(set_name, nic->name) != 0)
		return errorf(r->err, r->errlen, "set-name does not match");
	if (dhcp4 == NULL || strcmp(dhcp4, "false") != 0)
		return errorf(r->err, r->errlen, "dhcp4 must be false");
	if (parse_mtu(r, scalar(lookup(r, iface, "mtu", iface_keys, &bad)),
	    &nic->mtu) == -1)
		return -1;
	return parse_addresses(r, lookup(r, iface, "addresses", iface_keys,
	    &bad), nic);
}

/* ethernets: exactly one entry, named multinicN. */
static int
parse_ethernets(struct np_reader *r, yaml_node_t *eth, struct nic_config *nic)
{
	yaml_node_pair_t	*pair;
	const char		*name;

	if (eth == NULL || eth->type != YAML_MAPPING_NODE ||
	    eth->data.mapping.pairs.top - eth->data.mapping.pairs.start != 1)
		return errorf(r->err, r->errlen, "ethernets must hold one"
		    " interface");
	pair = eth->data.mapping.pairs.start;
	name = scalar(yaml_document_get_node(r->doc, pair->key));
	if (name == NULL || strncmp(name, "multinic", 8) != 0 ||
	    name[8] < '0' || name[8] > '9' || name[9] != '\0')
		return errorf(r->err, r->errlen, "interface is not multinicN");
	nic->slot = name[8] - '0';
	strlcpy(nic->name, name, sizeof(nic->name));
	return parse_interface(r, yaml_document_get_node(r->doc, pair->value),
	    nic);
}

static int
parse_document(struct np_reader *r, struct nic_config *nic)
{
	yaml_node_t	*network;
	const char	*version;
	int		 bad = 0;

	network = lookup(r, yaml_document_get_root_node(r->doc), "network",
	    root_keys, &bad);
	version = scalar(lookup(r, network, "version", network_keys, &bad));
	if (bad)
		return -1;
	if (version == NULL || strcmp(version, "2") != 0)
		return errorf(r->err, r->errlen, "network.version must be 2");
	return parse_ethernets(r, lookup(r, network, "ethernets",
	    network_keys, &bad), nic);
}

static int
np_parse(const char *text, size_t len, struct nic_config *nic, char *err,
    size_t errlen)
{
	yaml_parser_t		parser;
	yaml_document_t		doc;
	struct np_reader	r = { &doc, err, errlen };
	size_t			hlen = strlen(RENDER_HEADER);
	int			rc;

	memset(nic, 0, sizeof(*nic));
	if (len > NETPLAN_INPUT_MAX)
		return errorf(err, errlen, "larger than %d bytes",
		    NETPLAN_INPUT_MAX);
	if (len < hlen || memcmp(text, RENDER_HEADER, hlen) != 0)
		return errorf(err, errlen, "not written by multinicd");
	if (!yaml_parser_initialize(&parser))
		return errorf(err, errlen, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = errorf(err, errlen, "YAML error at line %zu: %s",
		    parser.problem_mark.line + 1, parser.problem != NULL ?
		    parser.problem : "unknown");
		yaml_parser_delete(&parser);
		return rc;
	}
	rc = yaml_document_get_root_node(&doc) == NULL ? errorf(err, errlen,
	    "empty document") : parse_document(&r, nic);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}

const struct renderer renderer_netplan = {
	.name = "netplan",
	.dir = NETPLAN_DIR,
	.path = np_path,
	.render = np_render,
	.parse = np_parse,
	.owns = np_owns,
};
