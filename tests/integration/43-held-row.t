#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A row turned invalid (MTU 20) holds its NIC: the configuration it has
# stays, file and live state alike, however many polls go by; the row says
# netplan_success=0 and the health endpoint is degraded. Corrected, the row
# is applied again.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

good=fa:16:3e:43:00:01
bad=fa:16:3e:43:00:02
node_setup
node_nic ens5 $good
node_nic ens6 $bad
row_add $good 10.43.0.5 10.43.0.0/24 1500
row_add $bad 10.43.1.5 10.43.1.0/24 1500
node_start
ok "both rows are applied" wait_until 100 applied_rows 2
files_before=$(file_ids "$(netplan_dir)")
bad_before=$(link_state multinic1)

row_set $bad "mtu = 20, address = '10.43.1.99'"
ok "the invalid row says netplan_success=0" wait_until 100 success_is $bad 0
ok "the health endpoint counts it held" wait_until 100 state_count_is held 1
ok "and reports degraded" health_is degraded
ok "the applier acts on three more snapshots" wait_snapshots 3
is "$(link_state multinic1)" "$bad_before" \
    "multinic1 keeps its MTU, its address and stays up"
is "$(file_ids "$(netplan_dir)")" "$files_before" \
    "no file was rewritten, replaced or removed"
ok "the other row still says netplan_success=1" success_is $good 1
id=$(mariadb_sql "SELECT id FROM multi_interface WHERE macaddress = '$bad'")
ok "the log names the row and its MTU" log_has "row $id.*mtu"

row_set $bad "mtu = 9000"
ok "corrected, the row is applied" wait_until 100 success_is $bad 1
is "$(link_state multinic1)" "multinic1 9000 up 10.43.1.99/24 " \
    "multinic1 has the corrected row's MTU and address"
ok "the health endpoint is healthy again" \
    wait_until 100 health_is healthy
done_testing
