#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Source routing: the node's primary link eth0 (10.57.0.10/24) has the
# default route via a router; its secondary NIC, multinic0 once named
# (10.57.1.5/24), sits in another subnet behind the same router
# (10.57.1.1), and a client (10.57.2.9) is beyond the router, whose
# rp_filter is strict. With SOURCE_ROUTING=off the node answers the client
# from multinic0's address through eth0 and the router drops the replies;
# with on, multinic0's table and rule send them out through multinic0 and
# the client is answered. A rule or route removed by hand comes back; a
# change rolled back takes its table and rule back too; off again removes
# them. Someone else's rule at one of multinicd's priorities is left alone.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

mac=fa:16:3e:57:00:01
address=10.57.1.5
client_address=10.57.2.9

# in_ns NS COMMAND...: runs COMMAND in namespace NS.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# route_dev FROM: the link the node sends a packet to the client from FROM by.
route_dev() {
	ip -n "$NODE_NS" -j route get "$client_address" from "$1" 2>/dev/null |
	    jq -r '.[0].dev'
}

route_dev_is() {
	[ "$(route_dev "$1")" = "$2" ]
}

# tx_packets LINK: packets the node sent through LINK.
tx_packets() {
	ip -n "$NODE_NS" -j -s link show dev "$1" | jq -r '.[0].stats64.tx.packets'
}

fails() {
	! "$@"
}

# ping_client COUNT: the client pings multinic0's address; ping's status.
ping_client() {
	in_ns "$client" ping -q -n -c "$1" -i 0.2 -W 2 "$address" >/dev/null
}

# rules: the node's rules at multinicd's priorities, "PRIORITY SRC TABLE",
# but for the foreign one.
rules() {
	ip -n "$NODE_NS" -j rule show |
	    jq -r '.[] | select(.priority >= 1000 and .priority <= 1009) |
	    select(.src != "10.99.0.0") |
	    "\(.priority) \(.src)/\(.srcLen // 32) \(.table)"'
}

# A rule of the operator's at priority 1005, for a subnet: not multinicd's.
foreign_rule_there() {
	ip -n "$NODE_NS" rule show priority 1005 |
	    grep -q 'from 10.99.0.0/16 lookup 100'
}

rules_are() {
	[ "$(rules)" = "$1" ]
}

# table N: the routes of table N, one a line.
table() {
	ip -n "$NODE_NS" -4 route show table "$1" 2>/dev/null
}

table_is() {
	[ "$(table "$1")" = "$2" ]
}

drifts() {
	node_metric 'multinic_configuration_drifts_total{drift_type="route"}'
}

drifts_above() {
	[ "$(drifts)" -gt "$1" ]
}

# held_by_route MAC: multinicctl shows it held by the route guard.
held_by_route() {
	[[ $(nic_of "$1") =~ ^held\ route: ]]
}

# restart KEY=VALUE...: the daemon again with these settings.
restart() {
	node_stop
	node_config "$NODE_CONF" "$@"
	node_start
}

node_setup SOURCE_ROUTING=off
command -v ping >/dev/null || skip_all "no ping"
netns_create || bail_out "cannot create the router's namespace"
router=$NETNS_NAME
netns_create || bail_out "cannot create the client's namespace"
client=$NETNS_NAME

# Node eth0 -- router r-node: 10.57.0.0/24, the node's default route.
ip -n "$NODE_NS" link add eth0 address fa:16:3e:57:00:99 type veth \
    peer name r-node netns "$router" || bail_out "cannot add eth0"
ip -n "$NODE_NS" addr add 10.57.0.10/24 dev eth0
ip -n "$NODE_NS" link set eth0 up
ip -n "$NODE_NS" route add default via 10.57.0.1 dev eth0 ||
    bail_out "cannot add the node's default route"
# Node ens5 (multinic0 to be) -- router r-nic: 10.57.1.0/24.
ip -n "$NODE_NS" link add ens5 address "$mac" type veth \
    peer name r-nic netns "$router" || bail_out "cannot add ens5"
# Client c-eth0 -- router r-client: 10.57.2.0/24.
ip -n "$client" link add c-eth0 type veth peer name r-client \
    netns "$router" || bail_out "cannot add the client's link"
ip -n "$client" addr add "$client_address/24" dev c-eth0
ip -n "$client" link set c-eth0 up
ip -n "$client" route add default via 10.57.2.1
ip -n "$router" addr add 10.57.0.1/24 dev r-node
ip -n "$router" addr add 10.57.1.1/24 dev r-nic
ip -n "$router" addr add 10.57.2.1/24 dev r-client
for link in r-node r-nic r-client; do
	ip -n "$router" link set "$link" up
done
# Strict reverse path filtering: the kernel uses the larger of "all" and
# the link's own value.
in_ns "$router" sysctl -q -w net.ipv4.ip_forward=1 \
    net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.r-node.rp_filter=1 \
    net.ipv4.conf.r-nic.rp_filter=1 net.ipv4.conf.r-client.rp_filter=1 ||
    bail_out "cannot make the router forward with strict rp_filter"

ip -n "$NODE_NS" rule add from 10.99.0.0/16 lookup 100 priority 1005 ||
    bail_out "cannot add the operator's rule"
row_add "$mac" "$address" 10.57.1.0/24 1500
node_start

# --- Off: replies from multinic0's address leave by eth0 ---
ok "off: the row is applied" wait_until 100 success_is "$mac" 1
is "$(link_state multinic0)" "multinic0 1500 up $address/24 " \
    "multinic0 is up with its address"
is "$(rules)" "" "off: no rule at multinicd's priorities"
is "$(route_dev "$address")" eth0 \
    "off: a packet from multinic0's address to the client leaves by eth0"
eth0_before=$(tx_packets eth0)
ok "off: the client gets no answer: the router drops replies from the wrong side" \
    fails ping_client 3
ok "off: the node did answer, through eth0" \
    [ "$(tx_packets eth0)" -ge $((eth0_before + 3)) ]

# --- On: multinic0's own table and rule ---
restart SOURCE_ROUTING=on
ok "on: the rule from multinic0's address to table 1000 appears" \
    wait_until 100 rules_are "1000 $address/32 1000"
is "$(table 1000)" "default via 10.57.1.1 dev multinic0 proto static 
10.57.1.0/24 dev multinic0 proto static scope link src $address " \
    "table 1000: the default route via the subnet's first host, and the subnet on-link"
is "$(route_dev "$address")" multinic0 \
    "on: a packet from multinic0's address to the client leaves by multinic0"
is "$(route_dev 10.57.0.10)" eth0 "one from eth0's address still leaves by eth0"
nic_before=$(tx_packets multinic0)
ok "on: the client is answered despite strict rp_filter" ping_client 3
ok "on: through multinic0" \
    [ "$(tx_packets multinic0)" -ge $((nic_before + 3)) ]
like "$(cat "$(netplan_file 0)")" "routing-policy:" \
    "the netplan file carries the table and the rule"
ok "netplan generate accepts it" netplan_accepts
ok "netplan turns it into a routing policy rule" \
    grep -qx 'Table=1000' "$NODE_ROOT/run/systemd/network/10-netplan-multinic0.network"
is "$(node_interfaces | jq -c '.[0].source_routing')" \
    '{"table":1000,"gateway":"10.57.1.1"}' "show interfaces -j shows the table and gateway"
like "$(ctl show interfaces)" "table 1000 via 10.57.1.1" \
    "and so does its text form"

# --- Drift: what is taken away by hand comes back ---
before=$(drifts)
ip -n "$NODE_NS" rule del priority 1000
ok "a rule deleted by hand comes back" \
    wait_until 100 rules_are "1000 $address/32 1000"
ok "counted as route drift" drifts_above "$before"
ip -n "$NODE_NS" route flush table 1000
ok "a table flushed by hand is filled again" \
    wait_until 100 table_is 1000 "default via 10.57.1.1 dev multinic0 proto static 
10.57.1.0/24 dev multinic0 proto static scope link src $address "

# --- Rolled back: a second NIC whose subnet would move a protected route ---
restart SOURCE_ROUTING=on PROTECTED_DESTINATIONS=10.57.3.9
mac1=fa:16:3e:57:00:02
node_nic ens6 "$mac1"
row_add "$mac1" 10.57.3.5 10.57.3.0/24 1500
ok "a row that would move the route to a protected destination is held" \
    wait_until 100 held_by_route "$mac1"
is "$(rules)" "1000 $address/32 1000" \
    "its rollback took its rule away: only multinic0's is left"
is "$(table 1001)" "" "and its table"
mariadb_sql "DELETE FROM multi_interface WHERE macaddress = '$mac1'"

# --- Gateway none: the subnet only ---
restart SOURCE_ROUTING=on SOURCE_ROUTING_GATEWAY=none
ok "SOURCE_ROUTING_GATEWAY=none: table 1000 keeps only the on-link route" \
    wait_until 100 table_is 1000 \
    "10.57.1.0/24 dev multinic0 proto static scope link src $address "

# --- Off again: the table and the rule go ---
restart SOURCE_ROUTING=off
ok "off again: the rule goes" wait_until 100 rules_are ""
is "$(table 1000)" "" "and the table is empty"
unlike "$(cat "$(netplan_file 0)")" "routing-policy" \
    "and the netplan file no longer has them"
is "$(route_dev "$address")" eth0 "replies from multinic0's address leave by eth0 again"
ok "the operator's rule at priority 1005 is still there" foreign_rule_there
done_testing
