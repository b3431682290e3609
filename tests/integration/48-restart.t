#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A restarted daemon finds its work done: the same names, no file written
# (inodes and mtimes unchanged), no change to any link or address (the
# kernel's events, watched across the restart, show none), no write to
# the database. Then, traced, its cycles on unchanged snapshots send
# rtnetlink nothing and open no file. Restarted while the database is
# down, it still shows the NICs it manages.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

node_setup
node_nic ens5 fa:16:3e:48:00:01
node_nic ens6 fa:16:3e:48:00:02
node_nic ens7 fa:16:3e:48:00:03
row_add fa:16:3e:48:00:01 10.48.0.5 10.48.0.0/24 1500
row_add fa:16:3e:48:00:02 10.48.1.5 10.48.1.0/24 9000
row_add fa:16:3e:48:00:03 NULL NULL 1400
node_start
ok "the rows are applied" wait_until 100 applied_rows 3
# Settled: a poll after the one that applied them.
ok "a whole cycle goes by, write-backs included" wait_cycle
node_stop

links() {
	local name
	for name in multinic0 multinic1 multinic2; do
		link_state "$name"
		link_json "$name" | jq -r '"\(.ifindex) \(.address)"'
	done
}
# The applier's part of STATE_DIR (the supervisor's lock holds its pid).
state_files() {
	find "$TEST_DIR/state" -type f ! -name multinicd.lock \
	    -printf '%P %i %T@\n' | sort
}
db_updates() {
	mariadb_sql "SHOW GLOBAL STATUS LIKE 'Com_update'" | cut -f2
}
links_before=$(links)
files_before=$(file_ids "$(netplan_dir)")
state_before=$(state_files)
updates_before=$(db_updates)
monitor_start "$TEST_DIR/monitor"

node_start
ok "the restarted daemon sees the rows applied" \
    wait_until 100 state_count_is applied 3
ok "the applier acts on three snapshots more" wait_snapshots 3
monitor_stop

is "$(links)" "$links_before" \
    "the same links keep the same names, MTUs, addresses and state"
is "$(file_ids "$(netplan_dir)")" "$files_before" \
    "no netplan file was written: same inodes and mtimes"
is "$(state_files)" "$state_before" \
    "the name map and journal in STATE_DIR were not written either"
is "$(monitor_events | grep -v ' inet6 fe80::')" "" \
    "the kernel reported no link or IPv4 address change"
is "$(db_updates)" "$updates_before" "no UPDATE reached the database"
ok "the rows still say netplan_success=1" applied_rows 3
unlike "$(log_since "$DAEMON_LOG" 0)" "applier: (created|updated|deleted) " \
    "the log reports no change"

# Even a no-op write (the same MTU again) would reach the kernel without
# an event: the system calls show there is none. Nothing changed, so the
# fetcher sends the rows as unchanged snapshots and the applier, whose
# rtnetlink events and inotify watches report nothing, answers each without
# reading a link, an address, a route or a file.
trace=$TEST_DIR/strace
command -v strace >/dev/null || bail_out "no strace"
strace -qq -e signal=none -o "$trace" \
    -e trace=sendto,sendmsg,openat,rename,renameat,renameat2,unlink,unlinkat \
    -p "$(node_applier)" &
tracer=$!
HELPER_PIDS+=("$tracer")
# Attached once an answer to the fetcher shows; then whole cycles are seen.
ok "strace sees the applier" wait_until 300 grep -qs sendmsg "$trace"
ok "the applier acts on two more snapshots under strace" wait_snapshots 2
kill -INT "$tracer"
wait "$tracer" 2>/dev/null
is "$(grep -c 'nlmsg_type' "$trace")" 0 \
    "traced, the applier sent rtnetlink nothing: not even a request to read"
is "$(grep -c '^openat' "$trace")" 0 "and opened no file"
is "$(grep -E "^(rename|unlink)" "$trace")" "" "and renamed or removed none"
like "$(log_since "$DAEMON_LOG" 0)" "applier: snapshot [0-9]+: 3 rows, unchanged" \
    "the applier logged unchanged snapshots"

# --- Restarted while the database is down ------------------------------------

node_stop
links_before=$(links)
mariadb_stop
node_start
# Before any poll succeeds, the applier's own record says what it manages.
ok "with the database down, the restarted daemon shows its three NICs" \
    wait_until 100 state_count_is applied 3
is "$(node_interfaces | jq -r '[.[].name] | sort | join(" ")')" \
    "multinic0 multinic1 multinic2" "show interfaces names them"
unlike "$(node_status .status)" '^healthy$' \
    "no poll has succeeded: / is not healthy"
is "$(ip netns exec "$NODE_NS" curl -s -o /dev/null -w '%{http_code}' \
    --max-time 2 "$NODE_HTTP/readyz")" 503 \
    "and not ready: the applier has acknowledged no snapshot"
is "$(links)" "$links_before" "and no link was changed"
done_testing
