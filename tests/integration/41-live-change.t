#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A changed MTU or address reaches the live link and the file without the
# link ever going down: the kernel's own link events (ip monitor), taken
# throughout, all show it up, and its carrier-down counter does not move.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

mac=fa:16:3e:41:00:01
node_setup
node_nic ens5 $mac
row_add $mac 10.41.0.5 10.41.0.0/24 1500
node_start
ok "the row is applied" wait_until 100 success_is $mac 1
is "$(link_state multinic0)" "multinic0 1500 up 10.41.0.5/24 " \
    "multinic0 is up with MTU 1500 and 10.41.0.5/24"

# sysfs of the namespace: ip netns exec mounts it.
carrier_downs() {
	ip netns exec "$NODE_NS" cat /sys/class/net/multinic0/carrier_down_count
}
index_before=$(link_json multinic0 | jq -r .ifindex)
downs_before=$(carrier_downs)
monitor_start "$TEST_DIR/monitor"

file_has() {
	grep -qxF "$1" "$(netplan_file 0)"
}
row_set $mac "mtu = 9000"
ok "the new MTU is live" wait_until 100 link_mtu_is multinic0 9000
ok "and in the file" wait_until 150 file_has "      mtu: 9000"
row_set $mac "address = '10.41.7.7', cidr = '10.41.0.0/16'"
ok "the new address is live, the old one gone" \
    wait_until 100 link_ipv4_is multinic0 10.41.7.7/16
ok "and in the file" wait_until 150 file_has "      - 10.41.7.7/16"
row_set $mac "mtu = 1450, address = '10.41.8.8'"
ok "MTU and address changed together are live" wait_until 100 \
    link_state_is multinic0 "multinic0 1450 up 10.41.8.8/16 "
monitor_stop

events=$(monitor_events)
link_events=$(grep -E "^\[[^]]*\] (Deleted )?$index_before: multinic0[@:]" \
    <<<"$events")
like "$link_events" "mtu 9000 " "the watch saw the link change to MTU 9000"
like "$link_events" "mtu 1450 " "and to MTU 1450"
like "$events" "Deleted $index_before: multinic0 +inet 10\.41\.0\.5/24" \
    "it saw the old address go"
like "$events" "^\[[^]]*\] $index_before: multinic0 +inet 10\.41\.7\.7/16" \
    "and the new one come"
is "$(grep -o '<[^>]*>' <<<"$link_events" | grep -vE '[<,]UP[,>]')" "" \
    "every link event of multinic0 shows it up"
unlike "$link_events" "NO-CARRIER" "and with carrier"
unlike "$link_events" "^\[[^]]*\] Deleted" "the link was never deleted"
# (The kernel gives links IPv6 link-local addresses in its own time.)
is "$(grep -vE "^\[[^]]*\] (Deleted )?$index_before: | inet6 fe80::" \
    <<<"$events")" "" "no other link or address changed"
is "$(carrier_downs)" "$downs_before" "the carrier-down counter did not move"
is "$(link_json multinic0 | jq -r .ifindex)" "$index_before" \
    "it is still the same link"
ok "the row still says netplan_success=1" success_is $mac 1
ok "netplan generate accepts the rewritten file" netplan_accepts
done_testing
