/* SPDX-License-Identifier: ISC */
/*
 * nmcheck FILE...: reads each keyfile as NetworkManager does (libnm's
 * keyfile reader, then normalization) and fails unless libnm takes it
 * whole and finds what multinicd's own parser finds: the interface name,
 * MAC, MTU and IPv4 address, a profile bound to them, IPv6 left alone.
 * Prints what libnm read, one line per file, for the tests to compare.
 */

#include <sys/stat.h>

#include <arpa/inet.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <NetworkManager.h>

#include "../applier/render.h"
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
	return 0;
}

static int
same_string(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
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

	validate_format_mac(v->mac, mac);
	printf("%s: interface-name=%s mac=%s mtu=%u ipv4=", path, v->ifname,
	    mac, v->mtu);
	if (v->ipv4_count > 0)
		printf("%s/%u", v->ipv4, v->prefix);
	else
		printf("%s", v->ipv4_method);
	printf(" ipv6=%s uuid=%s\n", v->ipv6_method, v->uuid);
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
