/* SPDX-License-Identifier: ISC */
/*
 * nmcheck FILE...: reads each keyfile as NetworkManager does (libnm's
 * keyfile reader, then normalization) and fails unless libnm takes it
 * whole and finds what multinicd's own parser finds: the interface name,
 * MAC, MTU and IPv4 address, a profile bound to them, IPv6 left alone, and
 * source routing's routes and rule with their tables, gateway, source,
 * scope, metric and priority. Prints what libnm read, one line per file,
 * for the tests to compare.
 */

#include <sys/stat.h>

#include <arpa/inet.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include <NetworkManager.h>

#include "../applier/render.h"
#include "../applier/srcroute.h"
#include "validate.h"

/* What a profile says, as libnm read it. */
struct nm_view {
	const char	*id;
	const char	*ifname;
	const char	*type;
	const char	*uuid;
	int		 autoconnect;
	uint8_t		 mac[6];
	uint32_t	 mtu;
	const char	*ipv4_method;
	const char	*ipv4_gateway;
	guint		 ipv4_count;
	char		 ipv4[INET_ADDRSTRLEN];
	guint		 prefix;
	const char	*ipv6_method;
	/* Source routing: the routes and the rule, in libnm's words. */
	guint		 nroutes;
	char		 routes[2][128];
	guint		 nrules;
	char		 rule[128];
};

static int
fail(const char *path, const char *what)
{
	fprintf(stderr, "nmcheck: %s: %s\n", path, what);
	return -1;
}

/* NetworkManager's keyfile plugin skips a file that is not root's 0600. */
static int
check_mode(const char *path)
{
	struct stat	sb;

	if (stat(path, &sb) == -1)
		return fail(path, "cannot stat");
	if (!S_ISREG(sb.st_mode) || sb.st_uid != 0 ||
	    (sb.st_mode & 07777) != 0600)
		return fail(path, "not a regular file of root's, mode 0600");
	return 0;
}

/* A warning is something NetworkManager would log and then ignore. */
static gboolean
on_event(GKeyFile *keyfile, NMConnection *connection,
    NMKeyfileHandlerType type, NMKeyfileHandlerData *data, void *arg)
{
	const char		*message;
	NMKeyfileWarnSeverity	 severity;
	int			*warned = arg;

	(void)keyfile;
	(void)connection;
	if (type != NM_KEYFILE_HANDLER_TYPE_WARN)
		return FALSE;
	nm_keyfile_handler_data_warn_get(data, &message, &severity);
	if (severity >= NM_KEYFILE_WARN_SEVERITY_WARN) {
		fprintf(stderr, "nmcheck: libnm warns: %s\n", message);
		*warned = 1;
	}
	return TRUE;
}

static NMConnection *
nm_read(const char *path)
{
	GKeyFile	*keyfile = g_key_file_new();
	GError		*error = NULL;
	NMConnection	*connection = NULL;
	char		 dir[PATH_MAX];
	int		 warned = 0;

	strlcpy(dir, path, sizeof(dir));
	if (!g_key_file_load_from_file(keyfile, path, G_KEY_FILE_NONE, &error) ||
	    (connection = nm_keyfile_read(keyfile, dirname(dir),
	    NM_KEYFILE_HANDLER_FLAGS_NONE, on_event, &warned,
	    &error)) == NULL ||
	    !nm_connection_normalize(connection, NULL, NULL, &error)) {
		fprintf(stderr, "nmcheck: %s: libnm: %s\n", path,
		    error != NULL ? error->message : "?");
		g_clear_error(&error);
		g_clear_object(&connection);
	} else if (warned)
		g_clear_object(&connection);
	g_key_file_unref(keyfile);
	return connection;
}

/* A route attribute's value as text, "-" when unset. */
static void
route_attribute(NMIPRoute *route, const char *name, char *buf, size_t len)
{
	GVariant	*value = nm_ip_route_get_attribute(route, name);

	if (value == NULL)
		strlcpy(buf, "-", len);
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
		snprintf(buf, len, "%u", g_variant_get_uint32(value));
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_BYTE))
		snprintf(buf, len, "%u", g_variant_get_byte(value));
	else if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
		strlcpy(buf, g_variant_get_string(value, NULL), len);
	else
		strlcpy(buf, "?", len);
}

/*
 * "DEST/PLEN via GW metric M table T src S scope C", every part as libnm
 * has it ("-" for what it has not), and the number of attributes.
 */
static void
route_text(NMIPRoute *route, char *buf, size_t len)
{
	char		 table[16], src[INET_ADDRSTRLEN], scope[8];
	const char	*via = nm_ip_route_get_next_hop(route);
	guint		 nattrs;
	char		**names = nm_ip_route_get_attribute_names(route);

	nattrs = g_strv_length(names);
	g_strfreev(names);
	route_attribute(route, NM_IP_ROUTE_ATTRIBUTE_TABLE, table,
	    sizeof(table));
	route_attribute(route, NM_IP_ROUTE_ATTRIBUTE_SRC, src, sizeof(src));
	route_attribute(route, NM_IP_ROUTE_ATTRIBUTE_SCOPE, scope,
	    sizeof(scope));
	snprintf(buf, len, "%s/%u via %s metric %lld table %s src %s scope %s"
	    " attributes %u", nm_ip_route_get_dest(route),
	    nm_ip_route_get_prefix(route), via != NULL ? via : "-",
	    (long long)nm_ip_route_get_metric(route), table, src, scope,
	    nattrs);
}

/* "priority P from A/L table T", or "?" for any other kind of rule. */
static void
rule_text(NMIPRoutingRule *rule, char *buf, size_t len)
{
	const char	*from = nm_ip_routing_rule_get_from(rule);

	if (nm_ip_routing_rule_get_addr_family(rule) != AF_INET ||
	    nm_ip_routing_rule_get_invert(rule) ||
	    nm_ip_routing_rule_get_action(rule) != 1 /* FR_ACT_TO_TBL */ ||
	    nm_ip_routing_rule_get_to(rule) != NULL ||
	    nm_ip_routing_rule_get_iifname(rule) != NULL ||
	    nm_ip_routing_rule_get_oifname(rule) != NULL ||
	    nm_ip_routing_rule_get_fwmark(rule) != 0 ||
	    nm_ip_routing_rule_get_tos(rule) != 0 || from == NULL) {
		strlcpy(buf, "?", len);
		return;
	}
	snprintf(buf, len, "priority %lld from %s/%u table %u",
	    (long long)nm_ip_routing_rule_get_priority(rule), from,
	    nm_ip_routing_rule_get_from_len(rule),
	    nm_ip_routing_rule_get_table(rule));
}

static void
nm_view_routing(NMSettingIPConfig *ip4, struct nm_view *v)
{
	guint	i;

	v->nroutes = nm_setting_ip_config_get_num_routes(ip4);
	for (i = 0; i < v->nroutes && i < 2; i++)
		route_text(nm_setting_ip_config_get_route(ip4, i),
		    v->routes[i], sizeof(v->routes[i]));
	v->nrules = nm_setting_ip_config_get_num_routing_rules(ip4);
	if (v->nrules > 0)
		rule_text(nm_setting_ip_config_get_routing_rule(ip4, 0),
		    v->rule, sizeof(v->rule));
}

static int
nm_view_of(NMConnection *c, struct nm_view *v, const char *path)
{
	NMSettingConnection	*sc = nm_connection_get_setting_connection(c);
	NMSettingWired		*wired = nm_connection_get_setting_wired(c);
	NMSettingIPConfig	*ip4 = nm_connection_get_setting_ip4_config(c);
	NMSettingIPConfig	*ip6 = nm_connection_get_setting_ip6_config(c);
	NMIPAddress		*addr;

	if (sc == NULL || wired == NULL || ip4 == NULL || ip6 == NULL)
		return fail(path, "a setting is missing after normalization");
	memset(v, 0, sizeof(*v));
	v->id = nm_setting_connection_get_id(sc);
	v->ifname = nm_setting_connection_get_interface_name(sc);
	v->type = nm_setting_connection_get_connection_type(sc);
	v->uuid = nm_setting_connection_get_uuid(sc);
	v->autoconnect = nm_setting_connection_get_autoconnect(sc);
	if (nm_setting_wired_get_mac_address(wired) == NULL ||
	    validate_parse_mac(nm_setting_wired_get_mac_address(wired),
	    v->mac) == -1)
		return fail(path, "libnm finds no MAC");
	v->mtu = nm_setting_wired_get_mtu(wired);
	v->ipv4_method = nm_setting_ip_config_get_method(ip4);
	v->ipv4_gateway = nm_setting_ip_config_get_gateway(ip4);
	v->ipv4_count = nm_setting_ip_config_get_num_addresses(ip4);
	if (v->ipv4_count > 0) {
		addr = nm_setting_ip_config_get_address(ip4, 0);
		strlcpy(v->ipv4, nm_ip_address_get_address(addr),
		    sizeof(v->ipv4));
		v->prefix = nm_ip_address_get_prefix(addr);
	}
	v->ipv6_method = nm_setting_ip_config_get_method(ip6);
	nm_view_routing(ip4, v);
	return 0;
}

static int
same_string(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * The routes and rule source routing means (srcroute_wanted(), the live
 * ones): on link in the table with the address as source, the default
 * route via the gateway, metric 0, the rule at the slot's priority.
 */
static int
compare_routing(const char *path, const struct nm_view *v,
    const struct nic_config *ours)
{
	struct srcroute_set	want;
	char			dst[INET_ADDRSTRLEN], src[INET_ADDRSTRLEN];
	char			via[INET_ADDRSTRLEN], text[128];
	size_t			i;

	srcroute_wanted(ours, 0, &want);
	if (v->nroutes != want.nroutes || v->nrules != want.nrules)
		return fail(path, "the number of routes or rules differs");
	for (i = 0; i < want.nroutes; i++) {
		inet_ntop(AF_INET, &want.routes[i].dst, dst, sizeof(dst));
		inet_ntop(AF_INET, &want.routes[i].prefsrc, src, sizeof(src));
		inet_ntop(AF_INET, &want.routes[i].gateway, via, sizeof(via));
		/* libnm's attributes: table, and src and scope when set. */
		snprintf(text, sizeof(text), "%s/%u via %s metric %u table %u"
		    " src %s scope %s attributes %d", dst,
		    want.routes[i].dst_len, want.routes[i].gateway != 0 ?
		    via : "-", want.routes[i].metric, want.routes[i].table,
		    want.routes[i].prefsrc != 0 ? src : "-",
		    want.routes[i].gateway != 0 ? "-" : "253",
		    want.routes[i].gateway != 0 ? 1 : 3);
		if (want.routes[i].scope != (want.routes[i].gateway != 0 ?
		    RT_SCOPE_UNIVERSE : RT_SCOPE_LINK) ||
		    strcmp(v->routes[i], text) != 0) {
			fprintf(stderr, "nmcheck: %s: libnm reads route %s,"
			    " not %s\n", path, v->routes[i], text);
			return -1;
		}
	}
	if (want.nrules == 0)
		return 0;
	inet_ntop(AF_INET, &want.rules[0].src, src, sizeof(src));
	snprintf(text, sizeof(text), "priority %u from %s/%u table %u",
	    want.rules[0].priority, src, want.rules[0].src_len,
	    want.rules[0].table);
	if (strcmp(v->rule, text) != 0) {
		fprintf(stderr, "nmcheck: %s: libnm reads rule %s, not %s\n",
		    path, v->rule, text);
		return -1;
	}
	return 0;
}

/* Does libnm's view agree with ours, and is it the profile we mean? */
static int
compare(const char *path, const struct nm_view *v,
    const struct nic_config *ours)
{
	char	addr[INET_ADDRSTRLEN];

	if (!same_string(v->ifname, ours->name) ||
	    !same_string(v->id, ours->name))
		return fail(path, "interface name or id differs");
	if (!same_string(v->type, NM_SETTING_WIRED_SETTING_NAME) ||
	    !v->autoconnect)
		return fail(path, "not an ethernet profile that autoconnects");
	if (memcmp(v->mac, ours->mac, sizeof(v->mac)) != 0)
		return fail(path, "MAC differs");
	if (v->mtu != ours->mtu)
		return fail(path, "MTU differs");
	if (!same_string(v->ipv6_method, NM_SETTING_IP6_CONFIG_METHOD_IGNORE))
		return fail(path, "IPv6 is not left alone");
	if (v->ipv4_gateway != NULL)
		return fail(path, "IPv4 has a gateway");
	if (compare_routing(path, v, ours) == -1)
		return -1;
	if (!ours->has_address)
		return v->ipv4_count == 0 && same_string(v->ipv4_method,
		    NM_SETTING_IP4_CONFIG_METHOD_DISABLED) ? 0 :
		    fail(path, "IPv4 is not disabled");
	inet_ntop(AF_INET, &ours->address, addr, sizeof(addr));
	if (v->ipv4_count != 1 || !same_string(v->ipv4_method,
	    NM_SETTING_IP4_CONFIG_METHOD_MANUAL) ||
	    !same_string(v->ipv4, addr) || v->prefix != ours->prefix)
		return fail(path, "IPv4 address differs");
	return 0;
}

static void
print_view(const char *path, const struct nm_view *v)
{
	char	mac[VALIDATE_MAC_TEXT_SIZE];
	guint	i;

	validate_format_mac(v->mac, mac);
	printf("%s: interface-name=%s mac=%s mtu=%u ipv4=", path, v->ifname,
	    mac, v->mtu);
	if (v->ipv4_count > 0)
		printf("%s/%u", v->ipv4, v->prefix);
	else
		printf("%s", v->ipv4_method);
	printf(" ipv6=%s uuid=%s", v->ipv6_method, v->uuid);
	for (i = 0; i < v->nroutes && i < 2; i++)
		printf(" route%u=%s", i + 1, v->routes[i]);
	if (v->nrules > 0)
		printf(" routing-rule1=%s", v->rule);
	printf("\n");
}

static int
check_file(const char *path)
{
	NMConnection		*connection;
	struct nm_view		 view;
	struct nic_config	 ours;
	char			 err[128];
	int			 is_ours, rc = -1;

	if (check_mode(path) == -1 || (connection = nm_read(path)) == NULL)
		return -1;
	if (render_read_file(&renderer_networkmanager, path, &ours, &is_ours,
	    NULL, err, sizeof(err)) != 0 || !is_ours) {
		g_object_unref(connection);
		return fail(path, "multinicd's parser refuses it");
	}
	if (nm_view_of(connection, &view, path) == 0 &&
	    compare(path, &view, &ours) == 0) {
		print_view(path, &view);
		rc = 0;
	}
	g_object_unref(connection);
	return rc;
}

int
main(int argc, char *argv[])
{
	int	i, status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: nmcheck file...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (check_file(argv[i]) == -1)
			status = 1;
	return status;
}
