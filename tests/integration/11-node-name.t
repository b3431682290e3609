#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Which rows are this node's (doc/architecture.md, 1.2): on a host whose name is
# an FQDN (node1.novalocal), rows naming it or its short form (node1) are; the
# host name is read at start, on a reload and after a reconnect (not at every
# poll), so a renamed host gets its new rows after a reload; and
# NODE_NAME, when set, is the only name that counts. Names match whatever
# their case, but in full: trailing spaces count.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"

test_begin curl jq nsenter

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr) VALUES
    (1, 'p1', 's1', 'fa:16:3e:00:30:01', 'node1', '10.30.0.1', '10.30.0.0/24'),
    (2, 'p2', 's1', 'fa:16:3e:00:30:02', 'node1.novalocal', '10.30.0.2', '10.30.0.0/24'),
    (3, 'p3', 's1', 'fa:16:3e:00:30:03', 'node1.other', '10.30.0.3', '10.30.0.0/24'),
    (4, 'p4', 's1', 'fa:16:3e:00:30:04', 'node2', '10.30.0.4', '10.30.0.0/24'),
    (5, 'p5', 's1', 'fa:16:3e:00:30:05', 'node9', '10.30.0.5', '10.30.0.0/24'),
    (6, 'p6', 's1', 'fa:16:3e:00:30:06', 'k8s-worker-3', '10.30.0.6', '10.30.0.0/24')" ||
    bail_out "cannot insert the rows"

# run_dir NAME: state and config root of one daemon run.
run_dir() {
	mkdir -p "$TEST_DIR/$1/state" "$TEST_DIR/$1/root" && echo "$TEST_DIR/$1"
}

# live_of MAC: the IPv4 address/prefix of the node's link with this MAC.
live_of() {
	local name
	name=$(ip -n "$NODE_NS" -o link show | awk -v mac="$1" \
	    '$0 ~ "link/ether " mac " " { sub(/:$/, "", $2); sub(/@.*/, "", $2); print $2 }')
	netns_ipv4 "$NODE_NS" "$name"
}

# --- An FQDN host name ---------------------------------------------------------

node_create fa:16:3e:00:30:01 fa:16:3e:00:30:02 fa:16:3e:00:30:03 \
    fa:16:3e:00:30:04 fa:16:3e:00:30:05 fa:16:3e:00:30:06 ||
    bail_out "cannot create the node's namespace"
dir=$(run_dir fqdn) || bail_out "cannot make a run directory"
node_config "$TEST_DIR/fqdn.conf" STATE_DIR="$dir/state" CONFIG_ROOT="$dir/root"
start_in_netns_as "$NODE_NS" node1.novalocal "$TEST_DIR/fqdn.conf"
wait_children_ready "$DAEMON_PID"

ok "host node1.novalocal: rows for node1 and node1.novalocal are applied" \
    wait_until 150 rows_success_are 1=1 2=1
is "$(applier_rows "$DAEMON_LOG" | tr '\n' ' ')" "1 valid 2 valid " \
    "no row of another name reaches the applier (node1.other, node2 ...)"
is "$(node_status .node_name)" node1.novalocal "GET / names the host as uname(2) has it"

# The host is renamed under the running daemon: first to a name no row
# has. A successful but empty answer must not de-configure the node (the
# earlier agent's worst failure).
nsenter --uts --target "$DAEMON_PID" hostname node7.novalocal ||
    bail_out "cannot rename the daemon's host"
kill -HUP "$DAEMON_PID"
held() {
	[ "$(node_metric multinic_deletions_held)" = 1 ]
}
ok "renamed to node7.novalocal, which no row names, and reloaded: the deletions are held" \
    wait_until 100 held
is "$(applier_rows "$DAEMON_LOG")" "" "the applier got an empty snapshot"
is "$(live_of fa:16:3e:00:30:01) $(live_of fa:16:3e:00:30:02)" \
    "10.30.0.1/24 10.30.0.2/24" "node1's NICs keep their addresses"
is "$(find "$dir/root/etc/netplan" -name '*.yaml' | wc -l)" 2 "and their files"
no_row_lines() {
	grep -c 'fetcher: no row names this node: attached_node_name matched none of "node7.novalocal", "node7"' \
	    "$DAEMON_LOG"
}
ok "the applier acts on three more snapshots" wait_snapshots 3
is "$(no_row_lines)" 1 \
    "the log says once that no row names the node, with the names tried"

nsenter --uts --target "$DAEMON_PID" hostname node9.novalocal ||
    bail_out "cannot rename the daemon's host"
kill -HUP "$DAEMON_PID"
ok "renamed to node9.novalocal and reloaded: node9's row is applied" \
    wait_until 100 rows_success_are 5=1
is "$(node_status .node_name)" node9.novalocal "GET / has the new name"
ok "the log says rows are back" \
    grep -q 'fetcher: rows for this node again (1, names "node9.novalocal", "node9")' "$DAEMON_LOG"
like "$(node_get /metrics)" '^multinic_agent_info\{.*node_name="node9\.novalocal"\} 1$' \
    "and so has multinic_agent_info"
is "$(row_success 3),$(row_success 4),$(row_success 6)" 0,0,0 \
    "rows of other nodes were never applied"
stop_daemon "$DAEMON_PID"
netns_delete "$NODE_NS"

# --- NODE_NAME ---------------------------------------------------------------

mariadb_sql "UPDATE multi_interface SET netplan_success = 0" ||
    bail_out "cannot reset netplan_success"
node_create fa:16:3e:00:30:01 fa:16:3e:00:30:02 fa:16:3e:00:30:06 ||
    bail_out "cannot create the node's namespace"
dir=$(run_dir k8s) || bail_out "cannot make a run directory"
node_config "$TEST_DIR/k8s.conf" STATE_DIR="$dir/state" CONFIG_ROOT="$dir/root"
start_in_netns_as "$NODE_NS" node1.novalocal "$TEST_DIR/k8s.conf" \
    NODE_NAME=k8s-worker-3
wait_children_ready "$DAEMON_PID"

ok "NODE_NAME=k8s-worker-3 from the environment: its row is applied" \
    wait_until 150 rows_success_are 6=1
is "$(applier_rows "$DAEMON_LOG" | tr '\n' ' ')" "6 valid " \
    "the host name's rows do not reach the applier: NODE_NAME replaces it"
is "$(row_success 1),$(row_success 2)" 0,0 "node1's rows stay as they are"
is "$(node_status .node_name)" k8s-worker-3 "GET / names the node NODE_NAME"

# Names match as DNS names do, whatever their case; but the whole name:
# MariaDB's default collations would also take "k8s-worker-3   ".
mariadb_sql "UPDATE multi_interface SET attached_node_name = 'K8S-Worker-3'
    WHERE id = 6" || bail_out "cannot rename row 6's node"
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr) VALUES (7, 'p7', 's1',
    'fa:16:3e:00:30:07', 'k8s-worker-3   ', '10.30.0.7', '10.30.0.0/24')" ||
    bail_out "cannot insert row 7"
ok "the applier acts on three more snapshots" wait_snapshots 3
is "$(applier_rows "$DAEMON_LOG" | tr '\n' ' ')" "6 valid " \
    "a row for K8S-Worker-3 is the node's; one for 'k8s-worker-3   ' is not"
stop_daemon "$DAEMON_PID"

ok "no child was killed by a signal (seccomp)" \
    eval "! grep -q 'killed by signal' '$TEST_DIR'/multinicd.*.log"
done_testing
