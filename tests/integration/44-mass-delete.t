#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# An error or an empty answer de-configures nothing. A query that fails
# (the table gone) changes nothing at all. Every row gone at once (here:
# the rows name another node, as a wrong node name would make it look)
# holds the deletions: the hold shows in the metrics, the health endpoint
# and multinicctl status, files and links stay as they are. DELETE_GRACE
# running out releases the hold; so does `multinicctl sync --allow-delete`,
# whatever the grace.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

mac0=fa:16:3e:44:00:01
mac1=fa:16:3e:44:00:02
node_setup
node_nic ens5 $mac0
node_nic ens6 $mac1
row_add $mac0 10.44.0.5 10.44.0.0/24 1500
row_add $mac1 10.44.1.5 10.44.1.0/24 9000

rows_elsewhere() {
	mariadb_sql "UPDATE multi_interface SET attached_node_name = 'other-node'"
}
rows_here() {
	mariadb_sql "UPDATE multi_interface SET attached_node_name = '$NODE_NAME'"
}
held() {
	[ "$(node_metric multinic_deletions_held)" = 1 ]
}
not_held() {
	[ "$(node_metric multinic_deletions_held)" = 0 ]
}
nothing_left() {
	[ -z "$(find "$(netplan_dir)" -mindepth 1)" ] &&
	    link_state_is multinic0 "multinic0 1500 down " &&
	    link_state_is multinic1 "multinic1 9000 down "
}

# expect_hold WHAT POLLS: the rows are elsewhere; the hold appears and,
# POLLS polls later, files and links are still as they were.
expect_hold() {
	local files links
	ok "$1: a whole cycle goes by first" wait_cycle
	files=$(file_ids "$(netplan_dir)")
	links="$(link_state multinic0); $(link_state multinic1)"
	rows_elsewhere
	ok "$1: the deletions are held" wait_until 100 held
	ok "$1: the health endpoint reports degraded" health_is degraded
	is "$(ctl -j status | jq -r .deletion_held)" true \
	    "$1: multinicctl status says deletion held"
	is "$(state_count deleting)" 2 "$1: it counts both NICs as deleting"
	ok "$1: the log warns of the hold" log_has "deletions held"
	ok "$1: the applier acts on $2 more snapshots" wait_snapshots "$2"
	ok "$1: still held" held
	is "$(file_ids "$(netplan_dir)")" "$files" "$1: no file was touched"
	is "$(link_state multinic0); $(link_state multinic1)" "$links" \
	    "$1: both links keep their configuration"
}

# --- DELETE_GRACE=20s: the hold ends by itself ---
# (Long enough for the checks of a hold to run on a busy machine before it
# ends.)
node_config "$NODE_CONF" DELETE_GRACE=20s BACKOFF_MAX_INTERVAL=2s
node_start
ok "both rows are applied" wait_until 100 applied_rows 2

# --- First, an error: the query fails for a while ---
failed_polls() {
	[ "$(grep -c "fetcher: poll failed" "$DAEMON_LOG")" -ge "$1" ]
}
files=$(file_ids "$(netplan_dir)")
links="$(link_state multinic0); $(link_state multinic1)"
mariadb_sql "RENAME TABLE multi_interface TO multi_interface_away"
ok "error: polls fail" wait_until 100 failed_polls 2
# The server answers, the query does not: a failed poll all the same.
is "$(node_status .database_connected)" false \
    "error: database_connected is false while the query fails"
like "$(node_status .last_error)" "multi_interface.*doesn't exist" \
    "error: last_error says why"
unlike "$(node_status .status)" '^healthy$' "error: GET / is no longer healthy (degraded, or unhealthy once 3 intervals pass)"
mariadb_sql "RENAME TABLE multi_interface_away TO multi_interface"
ok "error: polls succeed again, and the applier acts on them" wait_cycle
is "$(file_ids "$(netplan_dir)")" "$files" "error: no file was touched"
is "$(link_state multinic0); $(link_state multinic1)" "$links" \
    "error: both links keep their configuration"
ok "error: both rows still say netplan_success=1" applied_rows 2
expect_hold "grace" 1
ok "once DELETE_GRACE is over, the files go and the links are de-configured" \
    wait_until 400 nothing_left
ok "the hold is over" wait_until 100 not_held
rows_here
# (netplan_success still says 1: nobody wrote to rows of another node.)
ok "back on this node, both rows are applied again" \
    wait_until 300 state_count_is applied 2
ok "and their rows say so" applied_rows 2
node_stop

# --- The default DELETE_GRACE (10m): only multinicctl releases it ---
node_config "$NODE_CONF"
node_start
expect_hold "no grace" 4
reply=$(ctl sync --allow-delete)
ok "multinicctl sync --allow-delete is accepted" [ $? = 0 ]
like "$reply" "released" "it says the held deletions are released"
ok "released: the files go and the links are de-configured" \
    wait_until 400 nothing_left
ok "the hold is over" wait_until 100 not_held
done_testing
