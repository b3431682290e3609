#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The database goes down (doc/architecture.md, 1.5, 3.1): an error is never an
# empty answer, so nothing reaches the applier and nothing on the node changes,
# while the poll backs off; when the same server comes back, the fetcher
# reconnects by itself and the cycle goes on.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"

test_begin curl jq

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
node=$(uname -n)
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr) VALUES
    (1, 'p1', 's1', 'fa:16:3e:00:60:01', '$node', '10.60.0.1', '10.60.0.0/24'),
    (2, 'p2', 's1', 'fa:16:3e:00:60:02', '$node', '10.60.0.2', '10.60.0.0/24')" ||
    bail_out "cannot insert the rows"
node_create fa:16:3e:00:60:01 fa:16:3e:00:60:02 fa:16:3e:00:60:03 ||
    bail_out "cannot create the node's namespace"
conf=$TEST_DIR/multinicd.conf
# Retries at 1, 2, 4, 4 ... s: the backoff shows within seconds.
node_config "$conf" BACKOFF_MAX_INTERVAL=4s
start_in_netns "$NODE_NS" "$conf"
wait_children_ready "$DAEMON_PID"
log=$DAEMON_LOG

ok "both rows are applied" wait_until 150 rows_success_are 1=1 2=1

# --- The server drops the idle connection -----------------------------------

connections_are() {
	[ "$(grep -c 'fetcher: db: connected to' "$log")" = "$1" ]
}
snapshots_after() {
	[ "$(applier_snapshots "$log")" -gt "$1" ]
}
mariadb_sql "SELECT CONCAT('KILL ', id, ';') FROM information_schema.processlist
    WHERE user = '$MARIADB_USER'" >"$TEST_DIR/kill.sql"
is "$(wc -l <"$TEST_DIR/kill.sql")" 1 "the fetcher holds one connection"
mariadb_load "$TEST_DIR/kill.sql" || bail_out "cannot kill its connection"
ok "killed by the server, it is replaced at the next poll" \
    wait_until 150 connections_are 2
sent=$(applier_snapshots "$log")
ok "and the polls go on" wait_until 150 snapshots_after "$sent"
is "$(grep -c 'fetcher: poll failed' "$log")" 0 \
    "silently: the poll is retried once on the new connection, none fails"

# node_state: the node's managed files and links, as text to compare.
node_state() {
	(cd "$TEST_DIR/root" && find . -type f -print0 | sort -z |
	    xargs -0 -r sha256sum)
	ip -n "$NODE_NS" -o link show | sed 's/ qdisc.*state [A-Z]*//'
	ip -n "$NODE_NS" -4 -o addr show
}
before=$(node_state)

# --- The server stops ------------------------------------------------------

mariadb_stop
ok "the next poll fails" wait_until 150 grep -q 'fetcher: poll failed' "$log"
sent=$(applier_snapshots "$log")
backoff() {
	node_metric multinic_polling_backoff_level
}
level_at_least() {
	[ "$(backoff)" -ge "$1" ] 2>/dev/null
}
level_is() {
	[ "$(backoff)" = "$1" ]
}
ok "DB down: the backoff level grows (to 4)" \
    wait_until 300 level_at_least 4
like "$(grep 'fetcher: poll failed' "$log" | tail -n 1)" \
    'poll failed \([0-9]+ in a row\), next try in [0-9]+ ms: .*mysqld\.sock' \
    "each failure is logged with the next delay and what failed"
# The retry delays double up to BACKOFF_MAX_INTERVAL, less up to 10%
# jitter: in whole seconds rounded up, 1, 2, 4, 4 ...
delays=$(sed -nE 's/.*poll failed \([0-9]+ in a row\), next try in ([0-9]+) ms.*/\1/p' \
    "$log" | awk '{ printf "%s%d", sep, int(($1 + 999) / 1000); sep = " " }')
like "$delays" '^1 2 4 4( 4)*$' "retry delays of 1, 2, then the 4 s cap ($delays s)"
is "$(node_status .database_connected)" false "GET / says database_connected false"
is "$(node_metric multinic_db_connection_status)" 0 "multinic_db_connection_status is 0"
is "$(applier_snapshots "$log")" "$sent" "no snapshot reached the applier since"
is "$(node_state)" "$before" "files, links and addresses are unchanged"
is "$(grep -c 'applier: delete' "$log")" 0 "nothing was deleted"

# A reload during the outage does not forget the failures.
# Two failures after the reload: the second surely comes after the
# fetcher has the new configuration (retries are seconds apart).
level=$(backoff)
lines=$(log_lines "$log")
kill -HUP "$DAEMON_PID"
ok "the configuration is reloaded" \
    wait_until 150 logged_since "$lines" "supervisor: configuration reloaded"
failures_since() {
	[ "$(log_since "$log" "$lines" | grep -c 'fetcher: poll failed')" -ge "$1" ]
}
ok "two more polls fail" wait_until 300 failures_since 2
in_a_row=$(log_since "$log" "$lines" | grep 'fetcher: poll failed' |
    sed -nE 's/.*poll failed \(([0-9]+) in a row\).*/\1/p' | tail -n 1)
ok "a SIGHUP keeps the count of failures ($level before, $in_a_row after)" \
    [ "${in_a_row:-0}" -gt "$level" ]

# --- The same server comes back ------------------------------------------

mariadb_restart || bail_out "cannot restart MariaDB"
ok "the fetcher reconnects by itself" \
    wait_until 100 grep -q 'fetcher: database reachable again' "$log"
ok "multinic_polling_backoff_level is 0 again" wait_until 150 level_is 0
is "$(node_status .database_connected)" true "GET / says database_connected true"
ok "the applier acts on a whole cycle" wait_cycle
is "$(node_state)" "$before" "a good poll of the same rows changes nothing"

mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr) VALUES
    (3, 'p3', 's1', 'fa:16:3e:00:60:03', '$node', '10.60.0.3', '10.60.0.0/24')"
ok "the cycle goes on: a new row is applied" \
    wait_until 100 rows_success_are 3=1
stop_daemon "$DAEMON_PID"

ok "no child was killed by a signal (seccomp)" \
    eval "! grep -q 'killed by signal' '$log'"
done_testing
