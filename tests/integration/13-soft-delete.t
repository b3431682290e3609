#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# deleted_at (doc/architecture.md, 1.1): by default the controller's
# bookkeeping, ignored; with DB_SOFT_DELETE=true a row with deleted_at set
# counts as deleted, so its NIC is de-configured and its file removed.
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
node=$(uname -n)
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, deleted_at) VALUES
    (1, 'p1', 's1', 'fa:16:3e:00:50:01', '$node', '10.50.0.1', '10.50.0.0/24', NULL),
    (2, 'p2', 's1', 'fa:16:3e:00:50:02', '$node', '10.50.0.2', '10.50.0.0/24', NULL),
    (3, 'p3', 's1', 'fa:16:3e:00:50:03', '$node', '10.50.0.3', '10.50.0.0/24', NOW())" ||
    bail_out "cannot insert the rows"

node_create fa:16:3e:00:50:01 fa:16:3e:00:50:02 fa:16:3e:00:50:03 ||
    bail_out "cannot create the node's namespace"
conf=$TEST_DIR/multinicd.conf
node_config "$conf"
start_in_netns "$NODE_NS" "$conf"
wait_children_ready "$DAEMON_PID"
log=$DAEMON_LOG

# live MAC: the IPv4 address of the node's link with this MAC.
live() {
	local name
	name=$(ip -n "$NODE_NS" -o link show | awk -v mac="$1" \
	    '$0 ~ "link/ether " mac " " { sub(/:$/, "", $2); sub(/@.*/, "", $2); print $2 }')
	netns_ipv4 "$NODE_NS" "$name"
}
files_for() {
	grep -l "$1" "$TEST_DIR"/root/etc/netplan/*.yaml 2>/dev/null | wc -l
}
gone() {
	[ -z "$(live "$1")" ] && [ "$(files_for "$1")" = 0 ]
}

# --- By default --------------------------------------------------------------

ok "default: a row with deleted_at set is applied like any other" \
    wait_until 150 rows_success_are 1=1 2=1 3=1
is "$(live fa:16:3e:00:50:03)" 10.50.0.3/24 "its NIC has its address"
is "$(files_for fa:16:3e:00:50:03)" 1 "and its file"

# --- DB_SOFT_DELETE=true, by a reload ----------------------------------------

set_config "$conf" DB_SOFT_DELETE true
kill -HUP "$DAEMON_PID"
ok "DB_SOFT_DELETE=true: the row with deleted_at set counts as deleted" \
    wait_until 150 gone fa:16:3e:00:50:03
is "$(applier_rows "$log" | tr '\n' ' ')" "1 valid 2 valid " \
    "it no longer reaches the applier"
is "$(live fa:16:3e:00:50:01) $(live fa:16:3e:00:50:02)" \
    "10.50.0.1/24 10.50.0.2/24" "the other rows' NICs stay as they are"

mariadb_sql "UPDATE multi_interface SET deleted_at = NOW() WHERE id = 2"
ok "a row soft-deleted while the daemon runs is deleted" \
    wait_until 150 gone fa:16:3e:00:50:02
is "$(live fa:16:3e:00:50:01)" 10.50.0.1/24 "the remaining row's NIC is untouched"
is "$(files_for fa:16:3e:00:50:01)" 1 "and keeps its file"

mariadb_sql "UPDATE multi_interface SET deleted_at = NULL WHERE id = 3"
live_is() {
	[ "$(live "$1")" = "$2" ]
}
ok "a row whose deleted_at is cleared again is applied again" \
    wait_until 150 live_is fa:16:3e:00:50:03 10.50.0.3/24
stop_daemon "$DAEMON_PID"

ok "no child was killed by a signal (seccomp)" \
    eval "! grep -q 'killed by signal' '$log'"
done_testing
