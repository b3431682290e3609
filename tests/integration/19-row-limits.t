#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Rows past the daemon's limits degrade a node, they do not stop it. A
# row with a 200 kB value is held and the others still apply. More rows
# than one snapshot holds (64) make an incomplete poll: the first 64 by
# id apply, no NIC is deleted for a row that may be among the rest, and
# last_error and the log say why. Complete again, deletions resume.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

first=fa:16:3e:19:00:01
second=fa:16:3e:19:00:02
third=fa:16:3e:19:00:03
node_setup
node_nic ens5 $first
node_nic ens6 $second
node_nic ens7 $third
row_add $first 10.19.0.5 10.19.0.0/24 1500
row_add $second 10.19.1.5 10.19.1.0/24 1500
node_start
ok "both rows are applied" wait_until 100 applied_rows 2

node_status_is() {
	[ "$(node_status "$1")" = "$2" ]
}

node_status_like() {
	node_status "$1" | grep -q -- "$2"
}

polls_failed() {
	grep -c "fetcher: poll failed" "$DAEMON_LOG"
}

# --- One oversized row ---------------------------------------------------------

# A controller's schema may use wider columns than ours.
mariadb_sql "ALTER TABLE multi_interface MODIFY macaddress MEDIUMTEXT NOT NULL" ||
    bail_out "cannot widen macaddress"
failed_before=$(polls_failed)
mariadb_sql "INSERT INTO multi_interface (port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, mtu) VALUES ('port-big', 'subnet',
    REPEAT('a', 200000), '$NODE_NAME', '10.19.9.5', '10.19.9.0/24', 1500)" ||
    bail_out "cannot insert the big row"
big=$(mariadb_sql "SELECT id FROM multi_interface WHERE port_id = 'port-big'")
ok "the oversized row is held" wait_until 100 state_count_is held 1
ok "the applier acts on two more snapshots" wait_snapshots 2
is "$(polls_failed)" "$failed_before" "no poll failed because of it"
ok "its rejection names the row" log_has "row $big rejected: macaddress"
is "$(node_status .database_connected)" true "database_connected stays true"
ok "the other rows stay applied" applied_rows 2
mariadb_sql "DELETE FROM multi_interface WHERE id = $big"
ok "without it, nothing is held" wait_until 100 state_count_is held 0

# --- More rows than a snapshot holds ---------------------------------------------

# 70 rows for NICs the node does not have, ids 100 to 169: with the two
# above, 72 rows, of which the first 64 by id are read.
values=
for i in $(seq 0 69); do
	values="$values${values:+,}($((100 + i)), 'port-filler-$i', 'subnet',
	    'fa:16:3e:19:01:$(printf %02x "$i")', '$NODE_NAME', NULL, NULL, 1500)"
done
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, mtu) VALUES $values" ||
    bail_out "cannot insert the filler rows"
ok "the poll is incomplete: last_error says why" \
    wait_until 100 node_status_like .last_error "more than 64 rows"
ok "and the log says so" log_has "fetcher: poll incomplete: more than 64 rows"
is "$(node_status .database_connected)" true \
    "an incomplete poll reached the database"
is "$(node_status .status)" degraded "the node is degraded, not unhealthy"

# The second NIC's row goes, a row for the third comes, with id 3: among
# the first 64.
second_file=$(netplan_file 1)
second_link=$(link_state multinic1)
mariadb_sql "DELETE FROM multi_interface WHERE macaddress = '$second'"
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, mtu) VALUES (3, 'port-3', 'subnet',
    '$third', '$NODE_NAME', '10.19.2.5', '10.19.2.0/24', 1500)"
ok "a valid row among the first 64 still applies" \
    wait_until 100 success_is $third 1
ok "the applier acts on three more snapshots" wait_snapshots 3
like "$(nic_of $second)" "^deleting deletion waits: the node has more rows" \
    "the NIC whose row is gone is not deleted: its row may be among the rest"
ok "its file is still there" test -e "$second_file"
is "$(link_state multinic1)" "$second_link" \
    "and its link keeps its MTU, state and address"

# --- Complete again ------------------------------------------------------------------

mariadb_sql "DELETE FROM multi_interface WHERE id >= 100"
ok "complete again: last_error is cleared" \
    wait_until 100 node_status_is .last_error null
ok "and the log says so" log_has "fetcher: poll complete again"
ok "now the NIC without a row is de-configured" \
    wait_until 300 test ! -e "$second_file"
is "$(mac_success $first)" 1 "the first row is still applied"
done_testing
