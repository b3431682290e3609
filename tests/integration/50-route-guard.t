#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A row that passes validation must not take over the node's routing. The
# node has a primary NIC, eth0 with 10.50.0.10/24, and its default route via
# 10.50.0.1. Held before anything changes: a row with a /1 (shorter than
# MIN_PREFIX_LEN), one at the default gateway's address, one at the
# metadata address 169.254.169.254 and one at eth0's own address. Held
# after the change, rolled back: a row whose subnet would take the route
# to a PROTECTED_DESTINATIONS address away from eth0. A second NIC in
# eth0's subnet, the usual OpenStack layout, is applied; routing to the
# gateway, the metadata service and the rest of IPv4 stays on eth0.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

wide=fa:16:3e:50:00:01
gateway=fa:16:3e:50:00:02
metadata=fa:16:3e:50:00:03
primary=fa:16:3e:50:00:04
second=fa:16:3e:50:00:05
steal=fa:16:3e:50:00:06

# route_dev ADDRESS: the link the node sends packets for ADDRESS through.
route_dev() {
	ip -n "$NODE_NS" -j route get "$1" 2>/dev/null | jq -r '.[0].dev'
}

# routes_on_eth0: the gateway, the metadata service, both halves of IPv4
# and the protected destination are all reached through eth0.
routes_on_eth0() {
	local addr
	for addr in 10.50.0.1 169.254.169.254 8.8.8.8 200.2.0.9 10.51.0.9; do
		[ "$(route_dev "$addr")" = eth0 ] || return 1
	done
}

# held_with MAC REGEX: multinicctl shows the NIC held, the reason matching.
held_with() {
	[[ $(nic_of "$1") =~ ^held\ $2 ]]
}

row_id() {
	mariadb_sql "SELECT id FROM multi_interface WHERE macaddress = '$1'"
}

rejected() {
	node_metric "multinic_rows_rejected_total{reason=\"$1\"}"
}

node_setup PROTECTED_DESTINATIONS=10.51.0.9
ip -n "$NODE_NS" link add eth0 address fa:16:3e:50:00:99 type veth \
    peer name p-eth0 || bail_out "cannot add eth0"
ip -n "$NODE_NS" link set p-eth0 up
ip -n "$NODE_NS" link set eth0 up
ip -n "$NODE_NS" addr add 10.50.0.10/24 dev eth0
ip -n "$NODE_NS" route add default via 10.50.0.1 dev eth0 ||
    bail_out "cannot add the default route"
ok "before the daemon, everything routes through eth0" routes_on_eth0

node_nic ens5 $wide
node_nic ens6 $gateway
node_nic ens7 $metadata
node_nic ens8 $primary
node_nic ens9 $second
row_add $wide 200.2.0.5 128.0.0.0/1 1500
row_add $gateway 10.50.0.1 10.50.0.0/24 1500
row_add $metadata 169.254.169.254 169.254.0.0/16 1500
row_add $primary 10.50.0.10 10.50.0.0/24 1500
row_add $second 10.50.0.20 10.50.0.0/24 1500
node_start

# --- Before the change: held by the planner ---
ok "the second NIC in eth0's subnet is applied" \
    wait_until 100 success_is $second 1
is "$(link_state multinic0)" "multinic0 1500 up 10.50.0.20/24 " \
    "it is multinic0 with 10.50.0.20/24"
ok "the /1 row is held for MIN_PREFIX_LEN" \
    wait_until 100 held_with $wide "cidr: a /1 is shorter than MIN_PREFIX_LEN"
ok "the row at the gateway's address is held" \
    held_with $gateway "address: 10.50.0.1 is the default gateway"
ok "the row at 169.254.169.254 is held" \
    held_with $metadata "address: 169.254.169.254 is the metadata service"
ok "the row at eth0's address is held" \
    held_with $primary "address: 10.50.0.10 is on protected link eth0"
ok "the write-backs of a later cycle are done" wait_cycle
for mac in $wide $gateway $metadata $primary; do
	ok "row $(row_id "$mac") says netplan_success=0" success_is "$mac" 0
done
for nic in ens5 ens6 ens7 ens8; do
	is "$(link_state "$nic")" "$nic 1500 down " \
	    "$nic is left as it was: named so, down, without an address"
done
ok "routing still goes through eth0" routes_on_eth0
ok "the log names the /1 row and why" \
    log_has "row $(row_id $wide) \($wide\) held: cidr: a /1"
ok "and the gateway's" \
    log_has "row $(row_id $gateway) \($gateway\) held: address: 10.50.0.1"
is "$(rejected cidr)" 1 "multinic_rows_rejected_total counts the /1 row"
is "$(rejected address)" 3 "and the three rows at a protected address"

# --- After the change: the route check rolls it back ---
lines=$(log_lines "$DAEMON_LOG")
node_nic ens10 $steal
row_add $steal 10.51.0.5 10.51.0.0/24 1500
ok "a row taking the route to a PROTECTED_DESTINATIONS address is held" \
    wait_until 100 held_with $steal \
    "route: the route to 10.51.0.9 \(in PROTECTED_DESTINATIONS\) moved from eth0 to multinic1"
ok "the applier acts on three more snapshots" wait_snapshots 3
ok "its row says netplan_success=0" success_is $steal 0
is "$(link_state ens10)" "ens10 1500 down " \
    "ens10 is back as it was: named so, down, without an address"
ok "routing still goes through eth0" routes_on_eth0
held=$(log_since "$DAEMON_LOG" "$lines" |
    grep -c "cannot create multinic1 ($steal): the route to 10.51.0.9 .* rolled back, held")
is "$held" 1 "the log gives the reason once: a held row is not retried"
is "$(rejected route)" 1 "multinic_rows_rejected_total counts it as route"
ok "multinic0 is still applied" success_is $second 1
done_testing
