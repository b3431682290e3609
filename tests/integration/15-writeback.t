#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Writing netplan_success back (doc/architecture.md, 3.10): only where the value
# changes, so a steady state sends no UPDATE at all; an account that may
# only read gets its failures counted and retried, logged once, with the
# database still connected; a grant later lets the writes through.
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
macs=(fa:16:3e:00:70:01 fa:16:3e:00:70:02 fa:16:3e:00:70:03)
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, mtu) VALUES
    (1, 'p1', 's1', '${macs[0]}', '$node', '10.70.0.1', '10.70.0.0/24', 1500),
    (2, 'p2', 's1', '${macs[1]}', '$node', '10.70.0.2', '10.70.0.0/24', 20),
    (3, 'p3', 's1', '${macs[2]}', '$node', '10.70.0.3', '10.70.0.0/24', 1500)" ||
    bail_out "cannot insert the rows"
# Every statement the server runs, in a table we can count in.
mariadb_sql "SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = ON" ||
    bail_out "cannot turn the general log on"

# executed WHAT: how many prepared statements starting with WHAT ran.
executed() {
	mariadb_sql "SELECT COUNT(*) FROM mysql.general_log
	    WHERE command_type = 'Execute' AND argument LIKE '$1%'"
}

# --- Steady state: no UPDATE ------------------------------------------------

node_create "${macs[@]}" || bail_out "cannot create the node's namespace"
node_config "$TEST_DIR/rw.conf" STATE_DIR="$TEST_DIR/rw-state"
start_in_netns "$NODE_NS" "$TEST_DIR/rw.conf"
wait_children_ready "$DAEMON_PID"
log=$DAEMON_LOG

ok "the good rows are written back as 1" wait_until 150 rows_success_are 1=1 3=1
# polls_after N: the applier has logged at least N snapshots.
polls_after() {
	[ "$(applier_snapshots "$log")" -ge "$1" ]
}
ok "and the next poll is through" \
    wait_until 150 polls_after $(($(applier_snapshots "$log") + 1))
is "$(executed UPDATE)" 2 \
    "2 UPDATEs: rows 1 and 3; row 2, held, was already 0"
updates=$(executed UPDATE)
selects=$(executed SELECT)
snapshots=$(applier_snapshots "$log")
ok "five more polls" wait_until 100 polls_after $((snapshots + 5))
is "$(executed UPDATE)" "$updates" "a steady state sends no UPDATE"
polls=$(($(applier_snapshots "$log") - snapshots))
ran=$(($(executed SELECT) - selects))
# (give or take the poll under way while counting)
ok "one SELECT a poll ($ran SELECTs, $polls polls)" \
    test "$ran" -ge $((polls - 1)) -a "$ran" -le $((polls + 1))

# The controller resets a row behind the agent's back.
mariadb_sql "UPDATE multi_interface SET netplan_success = 0 WHERE id = 1"
ok "a value changed by someone else is written again" \
    wait_until 150 rows_success_are 1=1
is "$(executed UPDATE)" $((updates + 1)) "with exactly one UPDATE"
stop_daemon "$DAEMON_PID"
netns_delete "$NODE_NS"

# --- A read-only account ----------------------------------------------------

mariadb_sql "UPDATE multi_interface SET netplan_success = 0;
    CREATE USER 'reader'@'localhost' IDENTIFIED BY 'reader-pw';
    GRANT SELECT ON $MARIADB_DB.* TO 'reader'@'localhost'" ||
    bail_out "cannot create the read-only user"
node_create "${macs[@]}" || bail_out "cannot create the node's namespace"
node_config "$TEST_DIR/ro.conf" STATE_DIR="$TEST_DIR/ro-state" \
    CONFIG_ROOT="$TEST_DIR/ro-root" DB_USER=reader DB_PASSWORD=reader-pw
start_in_netns "$NODE_NS" "$TEST_DIR/ro.conf"
wait_children_ready "$DAEMON_PID"
log=$DAEMON_LOG

failures() {
	node_metric multinic_db_writeback_failures_total
}
failures_at_least() {
	[ "$(failures)" -ge "$1" ] 2>/dev/null
}
ok "read-only: failed write-backs are counted" wait_until 150 failures_at_least 2
counted=$(failures)
writeback_warnings() {
	grep -cE '^[^ ]* warn .*(netplan_success|write-back)' "$log"
}
warned=$(writeback_warnings)
ok "retried every cycle: two rows, two more cycles, four more failures" \
    wait_until 300 failures_at_least $((counted + 4))
is "$(rows_success_are 1=0 3=0 && echo unchanged)" unchanged \
    "the rows stay as they are in the DB"
is "$(node_status .database_connected)" true "database_connected stays true"
is "$(node_metric multinic_db_connection_status)" 1 "so does multinic_db_connection_status"
like "$(node_get /metrics)" '^multinic_errors_total\{error_type="writeback"\} [1-9]' \
    "errors_total counts them under writeback"
is "$(writeback_warnings)" "$warned" \
    "the failure is not logged again each cycle"
is "$warned" 1 "it was logged once"

mariadb_sql "GRANT UPDATE ON $MARIADB_DB.multi_interface TO 'reader'@'localhost'" ||
    bail_out "cannot grant UPDATE"
ok "granted UPDATE: the writes go through without a restart" \
    wait_until 100 rows_success_are 1=1 3=1
like "$(grep -E '^[^ ]* info ' "$log")" 'write-backs work again' \
    "and the log says write-backs work again"
stop_daemon "$DAEMON_PID"

ok "no child was killed by a signal (seccomp)" \
    eval "! grep -q 'killed by signal' '$TEST_DIR'/multinicd.*.log"
done_testing
