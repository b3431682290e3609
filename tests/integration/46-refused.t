#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Rows multinicd refuses, each with its reason, and what it leaves alone:
# a row naming the MAC of the link that carries the default route is held,
# a MAC that two links carry is refused as ambiguous (neither link renamed
# or configured), and an 11th NIC finds no free multinicN. A normal row
# beside them is applied and takes the first slot; each refused row is
# applied once its obstacle is gone.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

uplink=fa:16:3e:46:00:09
twin=fa:16:3e:46:00:77
normal=fa:16:3e:46:00:01
node_setup
node_nic ens9 $uplink
ip -n "$NODE_NS" link set ens9 up
ip -n "$NODE_NS" addr add 192.168.46.2/24 dev ens9
ip -n "$NODE_NS" route add default via 192.168.46.1 dev ens9
node_nic ens7 $twin
node_nic ens8 $twin
node_nic ens5 $normal
row_add $uplink 10.46.9.5 10.46.9.0/24 9000
row_add $twin 10.46.7.5 10.46.7.0/24 9000
row_add $normal 10.46.0.5 10.46.0.0/24 1500
# The default route, and every route through the uplink.
routes() {
	ip -n "$NODE_NS" route show default
	ip -n "$NODE_NS" route show dev ens9
}
uplink_before=$(link_state ens9)
routes_before=$(routes)
twins_before="$(link_state ens7); $(link_state ens8)"
node_start

ok "the normal row is applied" wait_until 100 success_is $normal 1
is "$(link_of_mac $normal)" multinic0 "it takes the first slot: multinic0"
ok "the health endpoint counts one NIC held" wait_until 100 state_count_is held 1
ok "and one failed" state_count_is failed 1
is "$(mac_success $uplink)" 0 "the default route's row says netplan_success=0"
is "$(mac_success $twin)" 0 "the ambiguous row says netplan_success=0"
is "$(link_state ens9)" "$uplink_before" \
    "the default route's link keeps its name, MTU, address, up state"
is "$(routes)" "$routes_before" "the default route and the uplink's routes are as they were"
is "$(link_state ens7); $(link_state ens8)" "$twins_before" \
    "neither link with the shared MAC was renamed or configured"
is "$(find "$(netplan_dir)" -mindepth 1 -printf '%f\n')" 90-multinic0.yaml \
    "only the normal row has a file"
like "$(nic_of $uplink)" "^held .*protected" \
    "multinicctl says the default route's link is protected"
like "$(nic_of $twin)" "^failed .*ambiguous" \
    "and that the shared MAC is ambiguous"
# log_once REGEX: exactly one line of the log matches.
log_once() {
	[ "$(grep -cE -- "$1" "$DAEMON_LOG")" = 1 ]
}
uplink_held="applier: row [0-9]+ \($uplink\) held: link ens9 is protected"
twin_failed="applier: row [0-9]+ \($twin\) failed: .*ambiguous"
ok "the applier acts on two more snapshots" wait_snapshots 2
ok "the log says once why the uplink's row is held" log_once "$uplink_held"
ok "and once why the shared MAC's row failed" log_once "$twin_failed"

ip -n "$NODE_NS" link del ens8
ok "with one link left carrying it, the shared MAC's row is applied" \
    wait_until 150 success_is $twin 1
is "$(link_state multinic1)" "multinic1 9000 up 10.46.7.5/24 " \
    "that link is now multinic1 with its MTU and address"
is "$(link_state ens9)" "$uplink_before" \
    "the default route's link is still untouched"

# Eight more NICs fill multinic2..9; the one after them has no slot.
for n in 2 3 4 5 6 7 8 9; do
	node_nic "ens1$n" "fa:16:3e:46:01:0$n"
	row_add "fa:16:3e:46:01:0$n" "10.46.1$n.5" "10.46.1$n.0/24" 1500
done
eleventh=fa:16:3e:46:00:11
node_nic ens11 $eleventh
ens11_before=$(link_state ens11)
ok "ten NICs are applied" wait_until 300 applied_rows 10
row_add $eleventh 10.46.11.5 10.46.11.0/24 1500
ok "the 11th NIC is refused" wait_until 150 state_count_is failed 1
like "$(nic_of $eleventh)" "^failed no free multinic slot" \
    "multinicctl says: no free multinic slot"
ok "its row says netplan_success=0" success_is $eleventh 0
is "$(link_state ens11)" "$ens11_before" "its link is left as it was"
is "$(find "$(netplan_dir)" -mindepth 1 | wc -l)" 10 "ten files, no 11th"
ok "the applier acts on two more snapshots" wait_snapshots 2
ok "the log says once that there is no free slot" \
    log_once "applier: row [0-9]+ \($eleventh\) failed: no free multinic slot"

# The controller unplugs multinic0's NIC and deletes its row.
ip -n "$NODE_NS" link del multinic0
mariadb_sql "DELETE FROM multi_interface WHERE macaddress = '$normal'"
ok "the 11th NIC takes the freed slot" wait_until 300 success_is $eleventh 1
is "$(link_state multinic0)" "multinic0 1500 up 10.46.11.5/24 " \
    "it is multinic0 with its MTU and address"
done_testing
