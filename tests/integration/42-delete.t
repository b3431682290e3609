#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A row the controller deletes takes its NIC's configuration with it, but
# only once two counted snapshots lack it: the file outlives the first one,
# then goes, and the link is de-configured (IPv4 flushed, down). The other
# NIC is left as it is.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

stays=fa:16:3e:42:00:01
gone=fa:16:3e:42:00:02
node_setup
node_nic ens5 $stays
node_nic ens6 $gone
row_add $stays 10.42.0.5 10.42.0.0/24 1500
row_add $gone 10.42.1.5 10.42.1.0/24 9000
node_start
ok "both rows are applied" wait_until 100 applied_rows 2
is "$(link_state multinic1)" "multinic1 9000 up 10.42.1.5/24 " \
    "multinic1 is up with its MTU and address"
stays_before=$(link_state multinic0)
file=$(netplan_file 1)

# Sampled: the applier's verdict first, then the file. A "deleting" verdict
# followed by a file still there means the file outlived a snapshot that
# lacked the row.
file_gone() {
	[ ! -e "$file" ]
}
# snapshots_before_deletion: how many snapshots of one row the applier
# logged before the line saying it deleted multinic1.
snapshots_before_deletion() {
	awk '/ applier: snapshot [0-9]+: 1 rows(, unchanged)?$/ { n++ }
	    / deleted multinic1/ { print n + 0; exit }' "$DAEMON_LOG"
}

polls_before=$(node_metric multinic_polling_cycles_total)
mariadb_sql "DELETE FROM multi_interface WHERE macaddress = '$gone'"
ok "the deleted row's file goes" wait_until 300 file_gone
polls_after=$(node_metric multinic_polling_cycles_total)
ok "it outlived the first snapshot without the row ($(snapshots_before_deletion) before it went)" \
    [ "$(snapshots_before_deletion)" -ge 2 ]
ok "at least two polls ran before it went ($polls_before -> $polls_after)" \
    [ "$((polls_after - polls_before))" -ge 2 ]
ok "the link is de-configured: no IPv4 address, down" \
    wait_until 150 link_state_is multinic1 "multinic1 9000 down "
is "$(link_state multinic0)" "$stays_before" "multinic0 is untouched"
is "$(find "$(netplan_dir)" -mindepth 1 -printf '%f\n')" 90-multinic0.yaml \
    "only multinic0's file is left"
ok "netplan generate accepts what is left" netplan_accepts
is "$(node_metric multinic_orphaned_interfaces_deleted_total)" 1 \
    "the deletion is counted"
ok "the kept row still says netplan_success=1" success_is $stays 1
ok "the log says multinic1 was deleted" log_has "deleted multinic1"
done_testing
