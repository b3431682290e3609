#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The multi_subnet fallback (doc/architecture.md, 1.1): where the site keeps
# CIDRs in multi_subnet, a row without a cidr of its own gets its subnet's; a
# row with one keeps it; a row with an address and no CIDR in either is held.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"

test_begin curl jq

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
mariadb_add_multi_subnet || bail_out "cannot create multi_subnet"
node=$(uname -n)
mariadb_sql "INSERT INTO multi_subnet (subnet_id, cidr) VALUES
    ('s1', '10.40.0.0/24'), ('s2', '10.41.0.0/24'), ('s4', NULL);
    INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr) VALUES
    (1, 'p1', 's1', 'fa:16:3e:00:40:01', '$node', '10.40.0.1', NULL),
    (2, 'p2', 's2', 'fa:16:3e:00:40:02', '$node', '10.41.7.2', '10.41.0.0/16'),
    (3, 'p3', 's3', 'fa:16:3e:00:40:03', '$node', '10.42.0.3', NULL),
    (4, 'p4', 's4', 'fa:16:3e:00:40:04', '$node', '10.43.0.4', NULL)" ||
    bail_out "cannot insert the rows"

node_create fa:16:3e:00:40:01 fa:16:3e:00:40:02 fa:16:3e:00:40:03 \
    fa:16:3e:00:40:04 || bail_out "cannot create the node's namespace"
node_config "$TEST_DIR/multinicd.conf"
start_in_netns "$NODE_NS" "$TEST_DIR/multinicd.conf"
wait_children_ready "$DAEMON_PID"
log=$DAEMON_LOG

ok "the rows with a CIDR from either table are applied" \
    wait_until 150 rows_success_are 1=1 2=1

# address_of MAC: the IPv4 address/prefix of the node's link with this MAC.
address_of() {
	local name
	name=$(ip -n "$NODE_NS" -o link show | awk -v mac="$1" \
	    '$0 ~ "link/ether " mac " " { sub(/:$/, "", $2); sub(/@.*/, "", $2); print $2 }')
	netns_ipv4 "$NODE_NS" "$name"
}
is "$(address_of fa:16:3e:00:40:01)" 10.40.0.1/24 \
    "cidr NULL: the subnet's CIDR from multi_subnet gives the prefix"
is "$(address_of fa:16:3e:00:40:02)" 10.41.7.2/16 \
    "cidr set in multi_interface: it wins over multi_subnet's"
like "$(grep -l 'fa:16:3e:00:40:02' "$TEST_DIR"/root/etc/netplan/*.yaml |
    xargs cat)" '10\.41\.7\.2/16' "and its netplan file has that prefix"

is "$(applier_rows "$log" | tr '\n' ' ')" "1 valid 2 valid 3 held 4 held " \
    "rows with an address and no CIDR in either table are held"
like "$(grep 'row 3 rejected' "$log")" 'without CIDR \(none in multi_interface or multi_subnet\)' \
    "a subnet missing from multi_subnet is named as no CIDR"
like "$(grep 'row 4 rejected' "$log")" 'without CIDR' \
    "so is a subnet whose cidr is NULL in multi_subnet"

# The subnet's CIDR changes in multi_subnet.
mariadb_sql "UPDATE multi_subnet SET cidr = '10.40.0.0/16' WHERE subnet_id = 's1'"
prefix_is() {
	[ "$(address_of fa:16:3e:00:40:01)" = "$1" ]
}
ok "a changed subnet CIDR reaches the link of a row without one" \
    wait_until 100 prefix_is 10.40.0.1/16
stop_daemon "$DAEMON_PID"

ok "no child was killed by a signal (seccomp)" \
    eval "! grep -q 'killed by signal' '$log'"
done_testing
