/* SPDX-License-Identifier: ISC */
/*
 * netplan: etc/netplan/9N-multinicN.yaml, one file per managed NIC: our
 * header line as raw bytes, then YAML emitted by libyaml; read back with
 * libyaml, accepting only the shape we write.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "render.h"
#include "srcroute.h"
#include "util.h"
#include "validate.h"

#define NETPLAN_DIR		"etc/netplan"
/* A file of ours is under 400 bytes; anything far larger is not ours. */
#define NETPLAN_INPUT_MAX	65536
/* How much of a foreign key or value an error message quotes. */
#define NETPLAN_QUOTE_MAX	32

static int
np_path(const char *root, int slot, char *buf, size_t len)
{
	/* CONFIG_ROOT "/" must give "/etc/...", not "//etc/...". */
	size_t		 rootlen = strlen(root);
	const char	*sep = rootlen > 0 && root[rootlen - 1] == '/' ?
			    "" : "/";

	if (slot < 0 || slot > 9)
		return -1;
	return (size_t)snprintf(buf, len, "%s%s%s/9%d-multinic%d.yaml", root,
	    sep, NETPLAN_DIR, slot, slot) < len ? 0 : -1;
}

/* "9N-multinicN.yaml" exactly, the same N twice. */
static int
np_owns(const char *name)
{
	return strlen(name) == 17 && name[0] == '9' && name[1] >= '0' &&
	    name[1] <= '9' && strncmp(name + 2, "-multinic", 9) == 0 &&
	    name[11] == name[1] && strcmp(name + 12, ".yaml") == 0;
}

/*
 * The caller's buffer as libyaml's output. libyaml's own string output
 * would stop too, but only say "write error"; this one knows it overflowed.
 */
struct np_output {
	unsigned char	*buf;
	size_t		 size;
	size_t		 used;
	int		 overflow;
};

static int
np_write(void *data, unsigned char *bytes, size_t size)
{
	struct np_output	*out = data;

	if (size > out->size - out->used) {
		out->overflow = 1;
		return 0;
	}
	memcpy(out->buf + out->used, bytes, size);
	out->used += size;
	return 1;
}

/* Takes ok from the event's initializer so calls chain with &&. */
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
emit_mapping_end(yaml_emitter_t *e)
{
	yaml_event_t	ev;

	return emit(e, &ev, yaml_mapping_end_event_initialize(&ev));
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
	if (inet_ntop(AF_INET, &nic->address, addr, sizeof(addr)) == NULL)
		return 0;
	snprintf(cidr, sizeof(cidr), "%s/%u", addr, nic->prefix);
	return emit_scalar(e, "addresses", YAML_PLAIN_SCALAR_STYLE) &&
	    emit(e, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL,
	    1, YAML_BLOCK_SEQUENCE_STYLE)) &&
	    emit_scalar(e, cidr, YAML_PLAIN_SCALAR_STYLE) &&
	    emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

static int
emit_sequence_start(yaml_emitter_t *e)
{
	yaml_event_t	ev;

	return emit(e, &ev, yaml_sequence_start_event_initialize(&ev, NULL,
	    NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

static int
emit_sequence_end(yaml_emitter_t *e)
{
	yaml_event_t	ev;

	return emit(e, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* The values source routing writes, as text. */
struct np_routing {
	char	subnet[INET_ADDRSTRLEN + 4];	/* network/prefix */
	char	address[INET_ADDRSTRLEN];
	char	from[INET_ADDRSTRLEN + 4];	/* address/32 */
	char	gateway[INET_ADDRSTRLEN];
	char	table[16];
	char	priority[16];
};

static int
routing_texts(const struct nic_config *nic, struct np_routing *t)
{
	char		net[INET_ADDRSTRLEN];
	uint32_t	n;

	n = nic->address & htonl(UINT32_MAX << (32 - nic->prefix));
	if (inet_ntop(AF_INET, &n, net, sizeof(net)) == NULL ||
	    inet_ntop(AF_INET, &nic->address, t->address,
	    sizeof(t->address)) == NULL ||
	    inet_ntop(AF_INET, &nic->route_gateway, t->gateway,
	    sizeof(t->gateway)) == NULL)
		return -1;
	snprintf(t->subnet, sizeof(t->subnet), "%s/%u", net, nic->prefix);
	snprintf(t->from, sizeof(t->from), "%s/32", t->address);
	snprintf(t->table, sizeof(t->table), "%u", nic->route_table);
	snprintf(t->priority, sizeof(t->priority), "%u",
	    SRCROUTE_PRIORITY_BASE + (uint32_t)nic->slot);
	return 0;
}

/*
 * Source routing (srcroute.h): the subnet's on-link route with the NIC's
 * address as source, the default route via the gateway if any, both in the
 * NIC's table, and the rule "from address/32 lookup table".
 */
static int
emit_routing(yaml_emitter_t *e, const struct nic_config *nic)
{
	struct np_routing	t;

	if (nic->route_table == 0)
		return 1;
	if (routing_texts(nic, &t) == -1 ||
	    !(emit_scalar(e, "routes", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_sequence_start(e) && emit_mapping_start(e) &&
	    emit_pair(e, "to", t.subnet, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_pair(e, "scope", "link", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_pair(e, "from", t.address, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_pair(e, "table", t.table, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_end(e)))
		return 0;
	if (nic->route_gateway != 0 && !(emit_mapping_start(e) &&
	    emit_pair(e, "to", "0.0.0.0/0", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_pair(e, "via", t.gateway, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_pair(e, "table", t.table, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_end(e)))
		return 0;
	return emit_sequence_end(e) &&
	    emit_scalar(e, "routing-policy", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_sequence_start(e) && emit_mapping_start(e) &&
	    emit_pair(e, "from", t.from, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_pair(e, "table", t.table, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_pair(e, "priority", t.priority, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_end(e) && emit_sequence_end(e);
}

/*
 * multinicN: {match: {macaddress}, set-name, addresses, routes,
 * routing-policy, mtu, dhcp4}: dhcp4 last, so that a file cut short is
 * never one that parses.
 */
static int
emit_interface(yaml_emitter_t *e, const struct nic_config *nic)
{
	char	mac[VALIDATE_MAC_TEXT_SIZE], mtu[16];

	validate_format_mac(nic->mac, mac);
	snprintf(mtu, sizeof(mtu), "%u", nic->mtu);
	return emit_scalar(e, nic->name, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_start(e) &&
	    emit_scalar(e, "match", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_start(e) &&
	    /* Quoted: YAML 1.1 reads 12:34:56:12:34:56 as a base-60 number. */
	    emit_pair(e, "macaddress", mac, YAML_DOUBLE_QUOTED_SCALAR_STYLE) &&
	    emit_mapping_end(e) &&
	    emit_pair(e, "set-name", nic->name, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_addresses(e, nic) &&
	    emit_routing(e, nic) &&
	    emit_pair(e, "mtu", mtu, YAML_PLAIN_SCALAR_STYLE) &&
	    emit_pair(e, "dhcp4", "false", YAML_PLAIN_SCALAR_STYLE) &&
	    emit_mapping_end(e);
}

/* network: {version: 2, ethernets: {multinicN: ...}} */
static int
emit_document(yaml_emitter_t *e, const struct nic_config *nic)
{
	yaml_event_t	ev;

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
	    emit_interface(e, nic) &&
	    emit_mapping_end(e) && emit_mapping_end(e) &&
	    emit_mapping_end(e) &&
	    emit(e, &ev, yaml_document_end_event_initialize(&ev, 1)) &&
	    emit(e, &ev, yaml_stream_end_event_initialize(&ev)) &&
	    yaml_emitter_flush(e);
}

static int
np_render(const struct nic_config *nic, char *buf, size_t len,
    size_t *outlen, char *err, size_t errlen)
{
	yaml_emitter_t		e;
	struct np_output	out;
	size_t			hlen = strlen(RENDER_HEADER);
	int			ok;

	*outlen = 0;
	if (render_check(nic, err, errlen) == -1)
		return -1;
	if (len <= hlen)
		return errorf(err, errlen, "output buffer of %zu bytes too"
		    " small", len);
	/* Raw bytes: libyaml emits no comments. */
	memcpy(buf, RENDER_HEADER, hlen);
	out = (struct np_output){ (unsigned char *)buf + hlen, len - hlen, 0,
	    0 };
	if (!yaml_emitter_initialize(&e))
		return errorf(err, errlen, "libyaml: out of memory");
	yaml_emitter_set_output(&e, np_write, &out);
	yaml_emitter_set_unicode(&e, 0);
	if (!(ok = emit_document(&e, nic))) {
		if (out.overflow)
			errorf(err, errlen, "netplan file larger than %zu"
			    " bytes", len);
		else
			errorf(err, errlen, "libyaml: %s", e.problem != NULL ?
			    e.problem : "cannot emit");
	}
	yaml_emitter_delete(&e);
	if (ok)
		*outlen = hlen + out.used;
	return ok ? 0 : -1;
}

/* Reading back: the exact shape we write, nothing more, nothing less. */
struct np_reader {
	yaml_document_t	*doc;
	char		*err;
	size_t		 errlen;
};

/* Foreign text in an error message: bounded, control bytes as '?'. */
static const char *
printable(const char *text, char *buf, size_t len)
{
	size_t	i;

	for (i = 0; i + 1 < len && text[i] != '\0'; i++)
		buf[i] = isprint((unsigned char)text[i]) ? text[i] : '?';
	buf[i] = '\0';
	return buf;
}

static yaml_node_t *
node(struct np_reader *r, int id)
{
	return yaml_document_get_node(r->doc, id);
}

/*
 * A scalar's text, or NULL. An explicit tag (!!int) is refused: we never
 * write one. plain_only for numbers and booleans, which quoting would turn
 * into strings.
 */
static const char *
scalar(yaml_node_t *n, int plain_only)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE ||
	    strcmp((const char *)n->tag, YAML_STR_TAG) != 0)
		return NULL;
	if (plain_only && n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static int
is_mapping(yaml_node_t *n)
{
	return n != NULL && n->type == YAML_MAPPING_NODE &&
	    strcmp((const char *)n->tag, YAML_MAP_TAG) == 0;
}

/* Each key of map is one of allowed, at most once; errors name it. */
static int
check_keys(struct np_reader *r, yaml_node_t *map, const char *where,
    const char *const *allowed)
{
	yaml_node_pair_t	*pair, *prev;
	const char		*key;
	const char *const	*a;
	char			 quoted[NETPLAN_QUOTE_MAX];

	if (!is_mapping(map))
		return errorf(r->err, r->errlen, "%s: not a mapping", where);
	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++) {
		if ((key = scalar(node(r, pair->key), 0)) == NULL)
			return errorf(r->err, r->errlen, "%s: a key is not a"
			    " string", where);
		printable(key, quoted, sizeof(quoted));
		for (a = allowed; *a != NULL && strcmp(*a, key) != 0; a++)
			;
		if (*a == NULL)
			return errorf(r->err, r->errlen, "%s: unknown key"
			    " \"%s\"", where, quoted);
		for (prev = map->data.mapping.pairs.start; prev < pair; prev++)
			if (strcmp(scalar(node(r, prev->key), 0), key) == 0)
				return errorf(r->err, r->errlen, "%s: duplicate"
				    " key \"%s\"", where, quoted);
	}
	return 0;
}

/* The value of key in a mapping check_keys accepted, or NULL. */
static yaml_node_t *
value_of(struct np_reader *r, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t	*pair;

	for (pair = map->data.mapping.pairs.start;
	    pair < map->data.mapping.pairs.top; pair++)
		if (strcmp(scalar(node(r, pair->key), 0), key) == 0)
			return node(r, pair->value);
	return NULL;
}

/* Decimal digits only: strtonum alone would take " +01500". */
static int
parse_mtu(struct np_reader *r, const char *name, const char *text,
    uint32_t *mtu)
{
	const char	*errstr = "not a plain decimal number";
	char		 quoted[NETPLAN_QUOTE_MAX];
	size_t		 i;

	if (text == NULL)
		return errorf(r->err, r->errlen, "%s.mtu: missing or not a"
		    " plain number", name);
	for (i = 0; isdigit((unsigned char)text[i]); i++)
		;
	if (i > 0 && text[i] == '\0' && text[0] != '0')
		*mtu = strtonum(text, VALIDATE_MTU_MIN, VALIDATE_MTU_MAX,
		    &errstr);
	if (errstr != NULL)
		return errorf(r->err, r->errlen, "%s.mtu: \"%s\" is %s"
		    " (%d..%d)", name, printable(text, quoted, sizeof(quoted)),
		    errstr, VALIDATE_MTU_MIN, VALIDATE_MTU_MAX);
	return 0;
}

/* "a.b.c.d/p", p 1..32; the address keeps its host bits. */
static int
parse_cidr(const char *text, uint32_t *address, uint8_t *prefix)
{
	char		addr[VALIDATE_CIDR_COLUMN + 1], *slash;
	uint32_t	net;

	if (validate_parse_cidr(text, &net, prefix) == -1 || *prefix < 1 ||
	    strlcpy(addr, text, sizeof(addr)) >= sizeof(addr) ||
	    (slash = strchr(addr, '/')) == NULL)
		return -1;
	*slash = '\0';
	return validate_parse_ipv4(addr, address);
}

/* Absent or [] means no address; we never write more than one. */
static int
parse_addresses(struct np_reader *r, yaml_node_t *seq, struct nic_config *nic)
{
	const char	*text;
	char		 quoted[NETPLAN_QUOTE_MAX];

	nic->has_address = 0;
	if (seq == NULL)
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE ||
	    strcmp((const char *)seq->tag, YAML_SEQ_TAG) != 0)
		return errorf(r->err, r->errlen, "%s.addresses: not a list",
		    nic->name);
	switch (seq->data.sequence.items.top - seq->data.sequence.items.start) {
	case 0:
		return 0;
	case 1:
		break;
	default:
		return errorf(r->err, r->errlen, "%s.addresses: more than one",
		    nic->name);
	}
	text = scalar(node(r, *seq->data.sequence.items.start), 0);
	if (text == NULL || parse_cidr(text, &nic->address, &nic->prefix) == -1)
		return errorf(r->err, r->errlen, "%s.addresses: \"%s\" is not"
		    " a.b.c.d/1..32", nic->name, text == NULL ? "(not a string)"
		    : printable(text, quoted, sizeof(quoted)));
	nic->has_address = 1;
	return 0;
}

static const char *const root_keys[] = { "network", NULL };
static const char *const network_keys[] = { "version", "ethernets", NULL };
static const char *const iface_keys[] = {
	"match", "set-name", "addresses", "mtu", "dhcp4", "routes",
	"routing-policy", NULL
};
static const char *const route_keys[] = {
	"to", "scope", "from", "via", "table", NULL
};
static const char *const policy_keys[] = {
	"from", "table", "priority", NULL
};
static const char *const match_keys[] = { "macaddress", NULL };

/* The items of a list, or -1 when seq is no list. */
static int
list_items(yaml_node_t *seq, yaml_node_item_t **start)
{
	if (seq == NULL || seq->type != YAML_SEQUENCE_NODE ||
	    strcmp((const char *)seq->tag, YAML_SEQ_TAG) != 0)
		return -1;
	*start = seq->data.sequence.items.start;
	return (int)(seq->data.sequence.items.top -
	    seq->data.sequence.items.start);
}

/* A plain decimal number in 1..UINT32_MAX. */
static int
parse_u32(const char *text, uint32_t *out)
{
	const char	*errstr;
	size_t		 i;

	if (text == NULL || text[0] == '0')
		return -1;
	for (i = 0; isdigit((unsigned char)text[i]); i++)
		;
	if (i == 0 || text[i] != '\0')
		return -1;
	*out = (uint32_t)strtonum(text, 1, UINT32_MAX, &errstr);
	return errstr == NULL ? 0 : -1;
}

/*
 * One mapping of routes: or routing-policy: with exactly these keys and
 * values (NULL: the key is absent); plain_only for the numbers.
 */
static int
routing_item(struct np_reader *r, yaml_node_item_t *item, const char *where,
    const char *const *keys, const char *const *values)
{
	yaml_node_t	*map = node(r, *item);
	const char	*text;
	size_t		 i;

	if (check_keys(r, map, where, keys) == -1)
		return -1;
	for (i = 0; keys[i] != NULL; i++) {
		text = scalar(value_of(r, map, keys[i]),
		    strcmp(keys[i], "table") == 0 ||
		    strcmp(keys[i], "priority") == 0);
		if ((text == NULL) != (values[i] == NULL) ||
		    (text != NULL && strcmp(text, values[i]) != 0))
			return errorf(r->err, r->errlen, "%s.%s: not what"
			    " source routing writes", where, keys[i]);
	}
	return 0;
}

/*
 * routes: and routing-policy: exactly as emit_routing() writes them for
 * the table and gateway they name; anything else is not ours.
 */
static int
parse_routing(struct np_reader *r, yaml_node_t *iface, struct nic_config *nic)
{
	yaml_node_t		*routes = value_of(r, iface, "routes");
	yaml_node_t		*policy = value_of(r, iface, "routing-policy");
	yaml_node_item_t	*ri, *pi;
	struct np_routing	 t;
	char			 where[32];
	int			 nroutes;

	if (routes == NULL && policy == NULL)
		return 0;
	snprintf(where, sizeof(where), "%s.routes", nic->name);
	nroutes = list_items(routes, &ri);
	if (nroutes < 1 || nroutes > 2 || list_items(policy, &pi) != 1)
		return errorf(r->err, r->errlen, "%s and routing-policy: not"
		    " those of source routing", where);
	/* Mappings of string keys before any value is looked up. */
	if (check_keys(r, node(r, ri[0]), where, route_keys) == -1 ||
	    (nroutes == 2 && check_keys(r, node(r, ri[1]), where,
	    route_keys) == -1) ||
	    check_keys(r, node(r, *pi), where, policy_keys) == -1)
		return -1;
	if (parse_u32(scalar(value_of(r, node(r, *ri), "table"), 1),
	    &nic->route_table) == -1)
		return errorf(r->err, r->errlen, "%s: table missing or not a"
		    " plain number", where);
	if (nroutes == 2 && validate_parse_ipv4(scalar(value_of(r,
	    node(r, ri[1]), "via"), 0), &nic->route_gateway) == -1)
		return errorf(r->err, r->errlen, "%s: via missing or not an"
		    " IPv4 address", where);
	if (srcroute_check(nic, r->err, r->errlen) == -1 ||
	    routing_texts(nic, &t) == -1)
		return -1;
	/* The rest follows from the table and the gateway. */
	if (routing_item(r, ri, where, route_keys, (const char *const[]){
	    t.subnet, "link", t.address, NULL, t.table }) == -1 ||
	    (nroutes == 2 && routing_item(r, ri + 1, where, route_keys,
	    (const char *const[]){ "0.0.0.0/0", NULL, NULL, t.gateway,
	    t.table }) == -1))
		return -1;
	snprintf(where, sizeof(where), "%s.routing-policy", nic->name);
	return routing_item(r, pi, where, policy_keys, (const char *const[]){
	    t.from, t.table, t.priority });
}

/*
 * The MAC as we write it, lower case with colons: validate_parse_mac also
 * takes dashes, which netplan refuses, and a file netplan refuses must be
 * rewritten, not kept.
 */
static int
parse_match(struct np_reader *r, yaml_node_t *match, struct nic_config *nic)
{
	char		where[32], canonical[VALIDATE_MAC_TEXT_SIZE];
	const char	*mac;

	snprintf(where, sizeof(where), "%s.match", nic->name);
	if (match == NULL)
		return errorf(r->err, r->errlen, "%s: missing", where);
	if (check_keys(r, match, where, match_keys) == -1)
		return -1;
	mac = scalar(value_of(r, match, "macaddress"), 0);
	if (mac == NULL || validate_parse_mac(mac, nic->mac) == -1)
		return errorf(r->err, r->errlen, "%s.macaddress: missing or"
		    " malformed", where);
	validate_format_mac(nic->mac, canonical);
	if (strcmp(mac, canonical) != 0)
		return errorf(r->err, r->errlen, "%s.macaddress: not lower"
		    " case with colons", where);
	return 0;
}

static int
parse_interface(struct np_reader *r, yaml_node_t *iface,
    struct nic_config *nic)
{
	const char	*set_name, *dhcp4;

	if (check_keys(r, iface, nic->name, iface_keys) == -1 ||
	    parse_match(r, value_of(r, iface, "match"), nic) == -1)
		return -1;
	set_name = scalar(value_of(r, iface, "set-name"), 0);
	if (set_name == NULL || strcmp(set_name, nic->name) != 0)
		return errorf(r->err, r->errlen, "%s.set-name: missing or not"
		    " %s", nic->name, nic->name);
	dhcp4 = scalar(value_of(r, iface, "dhcp4"), 1);
	if (dhcp4 == NULL || strcmp(dhcp4, "false") != 0)
		return errorf(r->err, r->errlen, "%s.dhcp4: missing or not"
		    " false", nic->name);
	if (parse_mtu(r, nic->name, scalar(value_of(r, iface, "mtu"), 1),
	    &nic->mtu) == -1 ||
	    parse_addresses(r, value_of(r, iface, "addresses"), nic) == -1)
		return -1;
	return parse_routing(r, iface, nic);
}

/* ethernets: exactly one entry, named multinicN; N is the slot. */
static int
parse_ethernets(struct np_reader *r, yaml_node_t *eth, struct nic_config *nic)
{
	yaml_node_pair_t	*pair;
	const char		*name;

	if (!is_mapping(eth) ||
	    eth->data.mapping.pairs.top - eth->data.mapping.pairs.start != 1)
		return errorf(r->err, r->errlen, "network.ethernets: must hold"
		    " exactly one interface");
	pair = eth->data.mapping.pairs.start;
	name = scalar(node(r, pair->key), 0);
	if (name == NULL || strncmp(name, "multinic", 8) != 0 ||
	    name[8] < '0' || name[8] > '9' || name[9] != '\0')
		return errorf(r->err, r->errlen, "network.ethernets: the"
		    " interface is not multinic0..9");
	nic->slot = name[8] - '0';
	strlcpy(nic->name, name, sizeof(nic->name));
	return parse_interface(r, node(r, pair->value), nic);
}

static int
parse_document(struct np_reader *r, struct nic_config *nic)
{
	yaml_node_t	*root, *network;
	const char	*version;

	if ((root = yaml_document_get_root_node(r->doc)) == NULL)
		return errorf(r->err, r->errlen, "no YAML document");
	if (check_keys(r, root, "top level", root_keys) == -1)
		return -1;
	if ((network = value_of(r, root, "network")) == NULL)
		return errorf(r->err, r->errlen, "network: missing");
	if (check_keys(r, network, "network", network_keys) == -1)
		return -1;
	version = scalar(value_of(r, network, "version"), 1);
	if (version == NULL || strcmp(version, "2") != 0)
		return errorf(r->err, r->errlen, "network.version: missing or"
		    " not 2");
	return parse_ethernets(r, value_of(r, network, "ethernets"), nic);
}

static int
yaml_error(yaml_parser_t *parser, char *err, size_t errlen)
{
	return errorf(err, errlen, "YAML error at line %zu column %zu: %s",
	    parser->problem_mark.line + 1, parser->problem_mark.column + 1,
	    parser->problem != NULL ? parser->problem : "unknown");
}

/* Loads the one document of text; a second one is not ours. */
static int
load_document(yaml_parser_t *parser, yaml_document_t *doc, char *err,
    size_t errlen)
{
	yaml_document_t	extra;
	int		more;

	if (!yaml_parser_load(parser, doc))
		return yaml_error(parser, err, errlen);
	if (!yaml_parser_load(parser, &extra)) {
		yaml_document_delete(doc);
		return yaml_error(parser, err, errlen);
	}
	more = yaml_document_get_root_node(&extra) != NULL;
	yaml_document_delete(&extra);
	if (more) {
		yaml_document_delete(doc);
		return errorf(err, errlen, "more than one YAML document");
	}
	return 0;
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
	/* Ownership never rests on the file name alone. */
	if (len < hlen || memcmp(text, RENDER_HEADER, hlen) != 0)
		return errorf(err, errlen, "no multinicd header: not ours");
	if (!yaml_parser_initialize(&parser))
		return errorf(err, errlen, "libyaml: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if ((rc = load_document(&parser, &doc, err, errlen)) == 0) {
		rc = parse_document(&r, nic);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	if (rc == -1)
		memset(nic, 0, sizeof(*nic));
	return rc;
}

const struct renderer renderer_netplan = {
	.name = "netplan",
	.dir = NETPLAN_DIR,
	.udev_rules = 0,	/* set-name names the NIC at boot */
	.path = np_path,
	.render = np_render,
	.parse = np_parse,
	.owns = np_owns,
	.routes_in_file = 1,
};
