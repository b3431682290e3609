/* SPDX-License-Identifier: ISC */
/*
 * Validation of interface rows: the fetcher validates what the DB holds, the
 * applier re-validates every row the fetcher sends, since it trusts nothing
 * from the process exposed to the network. Pure functions: callers log.
 */
#ifndef MULTINIC_VALIDATE_H
#define MULTINIC_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

/* Column widths of multi_interface; a longer value cannot be ours. */
#define VALIDATE_MAC_COLUMN	17	/* VARCHAR(17) */
#define VALIDATE_ADDRESS_COLUMN	15	/* VARCHAR(15) */
#define VALIDATE_CIDR_COLUMN	18	/* VARCHAR(18) */
#define VALIDATE_MTU_COLUMN	11	/* INT as text: "-2147483648" */

#define VALIDATE_MTU_MIN	68	/* IPv4's minimum (RFC 791) */
#define VALIDATE_MTU_MAX	9216	/* jumbo frames on common NICs */
#define VALIDATE_MTU_DEFAULT	1500	/* mtu NULL, as the column default */

#define VALIDATE_MAC_TEXT_SIZE	18	/* "fa:16:3e:00:00:01" and NUL */

/*
 * One row as the DB returned it: column values as text, NULL for SQL NULL.
 * cidr is already COALESCE(mi.cidr, ms.cidr).
 */
struct db_row {
	int64_t		 id;
	const char	*macaddress;
	const char	*address;
	const char	*cidr;
	const char	*mtu;
};

/*
 * Fills out completely from one DB row: ROW_VALID, or ROW_HELD naming the
 * first offending column (in column order) and why. Values that parsed are
 * kept in a held row too, so that duplicate detection still sees them.
 */
void	validate_row(const struct db_row *in, struct msg_row *out);

/*
 * Holds every row sharing a parsed MAC, or an address, with another row.
 * A row already held keeps its first reason but still counts.
 */
void	validate_duplicates(struct msg_row *rows, size_t n);

/*
 * The applier's check of a row received from the fetcher: 0 if coherent,
 * else -1 with a printable reason in why.
 */
int	validate_msg_row(const struct msg_row *r, char *why, size_t whylen);

/*
 * "fa:16:3e:00:00:01" or "FA-16-3E-00-00-01": 6 groups of 2 hex digits, one
 * kind of separator. Syntax only: a multicast or zero MAC parses. 0 or -1.
 */
int	validate_parse_mac(const char *text, uint8_t mac[MAC_LEN]);
/* Lower case with colons, as the kernel and netplan write it. */
void	validate_format_mac(const uint8_t mac[MAC_LEN],
	    char buf[VALIDATE_MAC_TEXT_SIZE]);
/*
 * Exactly four decimal parts 0..255 without leading zeros (which some
 * parsers read as octal), nothing else. Network byte order. 0 or -1.
 */
int	validate_parse_ipv4(const char *text, uint32_t *addr_net_order);
/*
 * "a.b.c.d/p", p 0..32 without leading zeros. *net gets the network (host
 * bits cleared), network byte order. /0 parses; validate_row refuses it.
 */
int	validate_parse_cidr(const char *text, uint32_t *net, uint8_t *prefix);

#endif
