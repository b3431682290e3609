/* SPDX-License-Identifier: ISC */
/*
 * Row validation (doc/architecture.md, 1.3): the fetcher validates DB
 * rows, the applier re-checks every row the fetcher sends. Pure: callers log.
 */

#include <sys/types.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "util.h"
#include "validate.h"

#define QUOTE_MAX	40	/* a value quoted in a reason, with its NUL */
#define ID_LIST_MAX	72	/* "7, 9, ..." in a duplicate reason */
#define ADDR_TEXT_MAX	16	/* "255.255.255.255" and NUL */
#define PREFIX_MAX	32

#define MAC_SHAPE	"is not 6 groups of 2 hex digits"
#define NOT_QUAD	"is not a dotted quad of 4 decimal parts"

enum column_id { COL_MAC, COL_ADDRESS, COL_CIDR, COL_MTU };

/* A column as a held row names it (field) and as a reason says it. */
struct column {
	const char	*name;
	const char	*label;
	size_t		 width;
};

static const struct column columns[] = {
	[COL_MAC] =	{ "macaddress",	"MAC",		VALIDATE_MAC_COLUMN },
	[COL_ADDRESS] =	{ "address",	"address",	VALIDATE_ADDRESS_COLUMN },
	[COL_CIDR] =	{ "cidr",	"CIDR",		VALIDATE_CIDR_COLUMN },
	[COL_MTU] =	{ "mtu",	"MTU",		VALIDATE_MTU_COLUMN },
};

/*
 * Addresses no host on a link may have, whatever the prefix: configuring
 * one would break loopback, multicast or broadcast handling on the node.
 */
static const struct {
	uint32_t	 net;		/* host byte order */
	uint8_t		 prefix;
	const char	*what;
} reserved_nets[] = {
	{ 0x00000000, 8,  "is in 0.0.0.0/8 (\"this network\")" },
	{ 0x7f000000, 8,  "is loopback (127.0.0.0/8)" },
	{ 0xe0000000, 4,  "is multicast (224.0.0.0/4)" },
	{ 0xffffffff, 32, "is the limited broadcast address" },
};

/* What address and CIDR parsed to, for the checks that need both. */
struct parsed {
	int		 address_ok;
	uint32_t	 address;	/* network byte order */
	int		 cidr_ok;
	uint32_t	 net;
	uint8_t		 prefix;
};

static int
is_printable(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* Copies src (NULL: empty), replacing bytes a log or terminal could misread. */
static void
printable_copy(char *dst, size_t size, const char *src)
{
	size_t	i;

	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < size; i++)
		dst[i] = is_printable(src[i]) ? src[i] : '?';
	dst[i] = '\0';
}

/* A value for a reason: printable, and cut with "..." so the reason fits. */
static const char *
quote(char buf[QUOTE_MAX], const char *src)
{
	printable_copy(buf, QUOTE_MAX, src);
	if (strlen(src) >= QUOTE_MAX)
		memcpy(buf + QUOTE_MAX - 4, "...", 4);
	return buf;
}

static const char *
addr_text(uint32_t addr, char buf[ADDR_TEXT_MAX])
{
	uint32_t	h = ntohl(addr);

	snprintf(buf, ADDR_TEXT_MAX, "%u.%u.%u.%u", h >> 24, (h >> 16) & 0xff,
	    (h >> 8) & 0xff, h & 0xff);
	return buf;
}

static uint32_t
prefix_mask(uint8_t prefix)
{
	/* A shift by 32 is undefined. */
	if (prefix == 0)
		return 0;
	return htonl(UINT32_MAX << (32 - prefix));
}

/* Records the first problem only: later ones are often its consequences. */
static void __attribute__((format(printf, 3, 4)))
hold(struct msg_row *out, const char *field, const char *fmt, ...)
{
	va_list	ap;

	if (out->state == ROW_HELD)
		return;
	out->state = ROW_HELD;
	strlcpy(out->field, field, sizeof(out->field));
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* NULL if text is a MAC, else what is wrong with it. */
static const char *
mac_syntax(const char *text, uint8_t mac[MAC_LEN])
{
	const char	*group;
	char		 sep;
	size_t		 i;
	int		 hi, lo;

	if (strchr(text, ':') != NULL && strchr(text, '-') != NULL)
		return "has mixed separators";
	if (strlen(text) != 3 * MAC_LEN - 1)
		return MAC_SHAPE;
	sep = text[2];
	if (sep != ':' && sep != '-')
		return MAC_SHAPE;
	for (i = 0; i < MAC_LEN; i++) {
		group = text + 3 * i;
		hi = hex_value(group[0]);
		lo = hex_value(group[1]);
		if (hi == -1 || lo == -1)
			return MAC_SHAPE;
		if (i + 1 < MAC_LEN && group[2] != sep)
			return MAC_SHAPE;
		mac[i] = hi << 4 | lo;
	}
	return NULL;
}

/* A NIC never has these; a row naming one is a controller bug. */
static const char *
mac_unusable(const uint8_t mac[MAC_LEN])
{
	static const uint8_t	zero[MAC_LEN];

	if (mac[0] & 0x01)
		return "is multicast";
	if (memcmp(mac, zero, MAC_LEN) == 0)
		return "is all zeros";
	return NULL;
}

/*
 * Our own parser rather than inet_aton (which takes "1", "1.2", hex and
 * octal) so that exactly one spelling of an address is accepted.
 */
static const char *
ipv4_syntax(const char *text, uint32_t *addr)
{
	const char	*p, *start;
	uint32_t	 host = 0, part_value;
	int		 part, dots = 0;

	/* The shape first, so "167772165" is not called a part above 255. */
	for (p = text; *p != '\0'; p++)
		if (*p == '.')
			dots++;
	if (dots != 3 || strspn(text, "0123456789.") != strlen(text))
		return NOT_QUAD;
	for (p = text, part = 0; part < 4; part++) {
		if (part > 0 && *p++ != '.')
			return NOT_QUAD;
		start = p;
		part_value = 0;
		/* Saturates rather than overflows on a long run of digits. */
		while (*p >= '0' && *p <= '9') {
			if (part_value <= 255)
				part_value = part_value * 10 + (*p - '0');
			p++;
		}
		if (p == start)
			return NOT_QUAD;
		if (p - start > 1 && *start == '0')
			return "has a leading zero (ambiguous octal)";
		if (part_value > 255)
			return "has a part above 255";
		host = host << 8 | part_value;
	}
	if (*p != '\0')
		return NOT_QUAD;
	*addr = htonl(host);
	return NULL;
}

static const char *
prefix_syntax(const char *text, uint8_t *prefix)
{
	size_t		len = strlen(text);
	unsigned int	value;

	if (len == 0)
		return "has no prefix length";
	if (len > 2 || strspn(text, "0123456789") != len ||
	    (len == 2 && text[0] == '0'))
		return "has a prefix length that is not a decimal number";
	value = text[0] - '0';
	if (len == 2)
		value = value * 10 + (text[1] - '0');
	if (value > PREFIX_MAX)
		return "has a prefix length above 32";
	*prefix = value;
	return NULL;
}

static const char *
cidr_syntax(const char *text, uint32_t *net, uint8_t *prefix)
{
	char		 addr[ADDR_TEXT_MAX];
	const char	*slash, *problem;
	uint32_t	 address;
	size_t		 addr_len;

	if ((slash = strchr(text, '/')) == NULL)
		return "has no prefix length";
	addr_len = slash - text;
	if (addr_len >= sizeof(addr))
		return NOT_QUAD;
	memcpy(addr, text, addr_len);
	addr[addr_len] = '\0';
	if ((problem = ipv4_syntax(addr, &address)) != NULL)
		return problem;
	if ((problem = prefix_syntax(slash + 1, prefix)) != NULL)
		return problem;
	*net = address & prefix_mask(*prefix);
	return NULL;
}

static const char *
address_reserved(uint32_t addr)
{
	uint32_t	h = ntohl(addr), mask;
	size_t		i;

	for (i = 0; i < sizeof(reserved_nets) / sizeof(reserved_nets[0]); i++) {
		mask = ntohl(prefix_mask(reserved_nets[i].prefix));
		if ((h & mask) == reserved_nets[i].net)
			return reserved_nets[i].what;
	}
	return NULL;
}

/*
 * The address must be a host address of net/prefix. /31 and /32 have no
 * network or broadcast address (RFC 3021), so every address in them is a host.
 */
static const char *
host_in_prefix(uint32_t addr, uint32_t net, uint8_t prefix)
{
	uint32_t	mask = prefix_mask(prefix);

	if ((addr & mask) != (net & mask))
		return "not inside";
	if (prefix > 30)
		return NULL;
	if ((addr & ~mask) == 0)
		return "is the network address of";
	if ((addr & ~mask) == ~mask)
		return "is the broadcast address of";
	return NULL;
}

/* Bytes, spaces and width first, so that a syntax reason is about syntax. */
static int
check_text(enum column_id id, const char *value, struct msg_row *out)
{
	const struct column	*col = &columns[id];
	char			 q[QUOTE_MAX];
	size_t			 i, len = strlen(value);

	for (i = 0; i < len; i++) {
		if (!is_printable(value[i])) {
			hold(out, col->name, "non-printable character in %s "
			    "\"%s\"", col->label, quote(q, value));
			return -1;
		}
	}
	if (len == 0)
		hold(out, col->name, "empty %s", col->label);
	else if (strchr(value, ' ') != NULL)
		hold(out, col->name, "space in %s \"%s\"", col->label,
		    quote(q, value));
	else if (len > col->width)
		hold(out, col->name, "%s longer than %zu characters: \"%s\"",
		    col->label, col->width, quote(q, value));
	else
		return 0;
	return -1;
}

static void
check_mac(const char *text, struct msg_row *out)
{
	char		 q[QUOTE_MAX], normal[VALIDATE_MAC_TEXT_SIZE];
	const char	*problem;
	uint8_t		 mac[MAC_LEN];

	if (text == NULL) {
		hold(out, columns[COL_MAC].name, "MAC is NULL");
		return;
	}
	if (check_text(COL_MAC, text, out) == -1)
		return;
	if ((problem = mac_syntax(text, mac)) != NULL) {
		hold(out, columns[COL_MAC].name, "MAC \"%s\" %s",
		    quote(q, text), problem);
		return;
	}
	/* Even an unusable MAC is carried, so the applier can freeze it. */
	memcpy(out->mac, mac, MAC_LEN);
	out->mac_valid = 1;
	if ((problem = mac_unusable(mac)) != NULL) {
		validate_format_mac(mac, normal);
		hold(out, columns[COL_MAC].name, "MAC %s %s", normal, problem);
	}
}

static void
check_address(const struct db_row *in, struct msg_row *out, struct parsed *p)
{
	const char	*name = columns[COL_ADDRESS].name, *problem;
	char		 q[QUOTE_MAX], text[ADDR_TEXT_MAX];

	if (in->address == NULL) {
		/* Naming a subnet but no address is not "no address". */
		if (in->cidr != NULL)
			hold(out, name, "CIDR \"%s\" without address",
			    quote(q, in->cidr));
		return;
	}
	if (check_text(COL_ADDRESS, in->address, out) == -1)
		return;
	if ((problem = ipv4_syntax(in->address, &p->address)) != NULL) {
		hold(out, name, "address \"%s\" %s", quote(q, in->address),
		    problem);
		return;
	}
	p->address_ok = 1;
	if ((problem = address_reserved(p->address)) != NULL)
		hold(out, name, "address %s %s", addr_text(p->address, text),
		    problem);
}

static void
check_cidr(const struct db_row *in, struct msg_row *out, struct parsed *p)
{
	const char	*name = columns[COL_CIDR].name, *problem;
	char		 q[QUOTE_MAX];

	if (in->cidr == NULL) {
		if (in->address != NULL)
			hold(out, name, "address \"%s\" without CIDR (none in "
			    "multi_interface or multi_subnet)",
			    quote(q, in->address));
		return;
	}
	if (check_text(COL_CIDR, in->cidr, out) == -1)
		return;
	if ((problem = cidr_syntax(in->cidr, &p->net, &p->prefix)) != NULL) {
		hold(out, name, "CIDR \"%s\" %s", quote(q, in->cidr), problem);
		return;
	}
	if (p->prefix == 0) {
		hold(out, name, "CIDR \"%s\" has prefix /0: an on-link /0 "
		    "would take over every route", quote(q, in->cidr));
		return;
	}
	p->cidr_ok = 1;
}

/* Only the CIDR's prefix length is used, but the address must be inside. */
static void
check_fit(const struct parsed *p, struct msg_row *out)
{
	const char	*problem;
	char		 addr[ADDR_TEXT_MAX], net[ADDR_TEXT_MAX];

	if (!p->address_ok)
		return;
	out->has_address = 1;
	out->address = p->address;
	if (!p->cidr_ok)
		return;
	out->prefix = p->prefix;
	if ((problem = host_in_prefix(p->address, p->net, p->prefix)) != NULL)
		hold(out, columns[COL_ADDRESS].name, "address %s %s %s/%u",
		    addr_text(p->address, addr), problem,
		    addr_text(p->net, net), p->prefix);
}

static void
check_mtu(const char *text, struct msg_row *out)
{
	const char	*name = columns[COL_MTU].name, *digits, *errstr;
	char		 q[QUOTE_MAX];
	long long	 mtu;

	if (text == NULL) {
		out->mtu = VALIDATE_MTU_DEFAULT;
		return;
	}
	if (check_text(COL_MTU, text, out) == -1)
		return;
	/* A minus sign passes here so that "-1" is reported as out of range. */
	digits = text + (text[0] == '-');
	if (*digits == '\0' || strspn(digits, "0123456789") != strlen(digits)) {
		hold(out, name, "MTU \"%s\" is not a decimal integer",
		    quote(q, text));
		return;
	}
	mtu = strtonum(text, LLONG_MIN, LLONG_MAX, &errstr);
	if (errstr == NULL && mtu >= VALIDATE_MTU_MIN &&
	    mtu <= VALIDATE_MTU_MAX) {
		out->mtu = mtu;
		return;
	}
	hold(out, name, "MTU %s outside %d..%d", quote(q, text),
	    VALIDATE_MTU_MIN, VALIDATE_MTU_MAX);
}

void
validate_row(const struct db_row *in, struct msg_row *out)
{
	struct parsed	p;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	out->row_id = in->id;
	out->state = ROW_VALID;
	printable_copy(out->mac_text, sizeof(out->mac_text), in->macaddress);

	/* Every column is parsed even after a problem: duplicates need them. */
	check_mac(in->macaddress, out);
	check_address(in, out, &p);
	check_cidr(in, out, &p);
	check_fit(&p, out);
	check_mtu(in->mtu, out);
}

static int
same_mac(const struct msg_row *a, const struct msg_row *b)
{
	return a->mac_valid && b->mac_valid &&
	    memcmp(a->mac, b->mac, MAC_LEN) == 0;
}

static int
same_address(const struct msg_row *a, const struct msg_row *b)
{
	return a->has_address && b->has_address && a->address == b->address;
}

static void
describe_mac(const struct msg_row *r, char *buf, size_t size)
{
	char	mac[VALIDATE_MAC_TEXT_SIZE];

	validate_format_mac(r->mac, mac);
	snprintf(buf, size, "MAC %s", mac);
}

static void
describe_address(const struct msg_row *r, char *buf, size_t size)
{
	char	addr[ADDR_TEXT_MAX];

	snprintf(buf, size, "address %s", addr_text(r->address, addr));
}

/* What two rows may not share, checked in column order. */
static const struct {
	const char	*field;
	int		(*same)(const struct msg_row *, const struct msg_row *);
	void		(*describe)(const struct msg_row *, char *, size_t);
} unique_keys[] = {
	{ "macaddress",	same_mac,	describe_mac },
	{ "address",	same_address,	describe_address },
};

/* Lists the other rows sharing the key: the ones an operator must look at. */
static size_t
other_rows(const struct msg_row *rows, size_t n, size_t self,
    int (*same)(const struct msg_row *, const struct msg_row *),
    char *list, size_t size)
{
	char	id[32];
	size_t	i, count = 0;
	int	full = 0;

	list[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i == self || !same(&rows[self], &rows[i]))
			continue;
		snprintf(id, sizeof(id), "%s%" PRId64, count > 0 ? ", " : "",
		    rows[i].row_id);
		count++;
		if (full)
			continue;
		if (strlen(list) + strlen(id) + sizeof(", ...") > size) {
			strlcat(list, ", ...", size);
			full = 1;
		} else
			strlcat(list, id, size);
	}
	return count;
}

void
validate_duplicates(struct msg_row *rows, size_t n)
{
	char	list[ID_LIST_MAX], what[48];
	size_t	i, k, count;

	for (k = 0; k < sizeof(unique_keys) / sizeof(unique_keys[0]); k++) {
		for (i = 0; i < n; i++) {
			count = other_rows(rows, n, i, unique_keys[k].same,
			    list, sizeof(list));
			if (count == 0)
				continue;
			unique_keys[k].describe(&rows[i], what, sizeof(what));
			hold(&rows[i], unique_keys[k].field, "%s also in row%s %s",
			    what, count > 1 ? "s" : "", list);
		}
	}
}

#define MSG_TEXT(member) \
	{ #member, offsetof(struct msg_row, member), \
	    sizeof(((struct msg_row *)NULL)->member) }

static const struct {
	const char	*name;
	size_t		 offset;
	size_t		 size;
} msg_texts[] = {
	MSG_TEXT(mac_text),
	MSG_TEXT(field),
	MSG_TEXT(reason),
};

/* Text reaches logs, JSON and status output: terminated and printable. */
static int
check_msg_texts(const struct msg_row *r, char *why, size_t whylen)
{
	const char	*text, *nul;
	size_t		 i, j;

	for (i = 0; i < sizeof(msg_texts) / sizeof(msg_texts[0]); i++) {
		text = (const char *)r + msg_texts[i].offset;
		if ((nul = memchr(text, '\0', msg_texts[i].size)) == NULL)
			return errorf(why, whylen, "%s not NUL-terminated",
			    msg_texts[i].name);
		for (j = 0; text + j < nul; j++)
			if (!is_printable(text[j]))
				return errorf(why, whylen, "%s has non-printable "
				    "byte 0x%02x at %zu", msg_texts[i].name,
				    (unsigned char)text[j], j);
	}
	return 0;
}

static int
check_msg_address(const struct msg_row *r, char *why, size_t whylen)
{
	const char	*problem;
	char		 addr[ADDR_TEXT_MAX], net_text[ADDR_TEXT_MAX];
	uint32_t	 net;

	if (r->has_address > 1)
		return errorf(why, whylen, "has_address %u not 0 or 1",
		    r->has_address);
	if (!r->has_address) {
		if (r->address != 0 || r->prefix != 0)
			return errorf(why, whylen, "address or prefix set on a "
			    "row without address");
		return 0;
	}
	if (r->prefix < 1 || r->prefix > PREFIX_MAX)
		return errorf(why, whylen, "prefix %u outside 1..32", r->prefix);
	if ((problem = address_reserved(r->address)) != NULL)
		return errorf(why, whylen, "address %s %s",
		    addr_text(r->address, addr), problem);
	net = r->address & prefix_mask(r->prefix);
	if ((problem = host_in_prefix(r->address, net, r->prefix)) != NULL)
		return errorf(why, whylen, "address %s %s %s/%u",
		    addr_text(r->address, addr), problem,
		    addr_text(net, net_text), r->prefix);
	return 0;
}

static int
check_msg_valid(const struct msg_row *r, char *why, size_t whylen)
{
	const char	*problem;
	char		 mac[VALIDATE_MAC_TEXT_SIZE];
	uint8_t		 text_mac[MAC_LEN];

	if (r->mac_valid != 1)
		return errorf(why, whylen, "valid row without a parsed MAC");
	validate_format_mac(r->mac, mac);
	if ((problem = mac_unusable(r->mac)) != NULL)
		return errorf(why, whylen, "valid row's MAC %s %s", mac, problem);
	if (validate_parse_mac(r->mac_text, text_mac) == -1 ||
	    memcmp(text_mac, r->mac, MAC_LEN) != 0)
		return errorf(why, whylen, "mac_text \"%s\" does not match MAC %s",
		    r->mac_text, mac);
	if (r->mtu < VALIDATE_MTU_MIN || r->mtu > VALIDATE_MTU_MAX)
		return errorf(why, whylen, "MTU %u outside %d..%d", r->mtu,
		    VALIDATE_MTU_MIN, VALIDATE_MTU_MAX);
	if (r->field[0] != '\0' || r->reason[0] != '\0')
		return errorf(why, whylen, "valid row carries a held reason");
	return check_msg_address(r, why, whylen);
}

/* A held row is frozen, not applied: its values need only be bounded. */
static int
check_msg_held(const struct msg_row *r, char *why, size_t whylen)
{
	if (r->mac_valid != 0 && r->mac_valid != 1)
		return errorf(why, whylen, "mac_valid %d not 0 or 1",
		    r->mac_valid);
	if (r->has_address > 1)
		return errorf(why, whylen, "has_address %u not 0 or 1",
		    r->has_address);
	if (r->prefix > PREFIX_MAX)
		return errorf(why, whylen, "prefix %u above 32", r->prefix);
	if (r->mtu != 0 &&
	    (r->mtu < VALIDATE_MTU_MIN || r->mtu > VALIDATE_MTU_MAX))
		return errorf(why, whylen, "MTU %u outside %d..%d", r->mtu,
		    VALIDATE_MTU_MIN, VALIDATE_MTU_MAX);
	if (r->field[0] == '\0' || r->reason[0] == '\0')
		return errorf(why, whylen, "held row without field or reason");
	return 0;
}

int
validate_msg_row(const struct msg_row *r, char *why, size_t whylen)
{
	if (r->state != ROW_VALID && r->state != ROW_HELD)
		return errorf(why, whylen, "unknown row state %d", r->state);
	if (check_msg_texts(r, why, whylen) == -1)
		return -1;
	if (r->state == ROW_VALID)
		return check_msg_valid(r, why, whylen);
	return check_msg_held(r, why, whylen);
}

int
validate_parse_mac(const char *text, uint8_t mac[MAC_LEN])
{
	uint8_t	parsed[MAC_LEN];

	if (text == NULL || mac_syntax(text, parsed) != NULL)
		return -1;
	memcpy(mac, parsed, MAC_LEN);
	return 0;
}

void
validate_format_mac(const uint8_t mac[MAC_LEN],
    char buf[VALIDATE_MAC_TEXT_SIZE])
{
	snprintf(buf, VALIDATE_MAC_TEXT_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x",
	    mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

int
validate_parse_ipv4(const char *text, uint32_t *addr_net_order)
{
	uint32_t	addr;

	if (text == NULL || ipv4_syntax(text, &addr) != NULL)
		return -1;
	*addr_net_order = addr;
	return 0;
}

int
validate_parse_cidr(const char *text, uint32_t *net, uint8_t *prefix)
{
	uint32_t	parsed_net;
	uint8_t		parsed_prefix;

	if (text == NULL ||
	    cidr_syntax(text, &parsed_net, &parsed_prefix) != NULL)
		return -1;
	*net = parsed_net;
	*prefix = parsed_prefix;
	return 0;
}
