#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# One multinicd per node, that is per network namespace, whatever its
# STATE_DIR and control socket: a second one in the same namespace exits
# non-zero naming the first one's pid; one in another namespace runs. The
# lock is the abstract unix socket @multinicd, freed when its holder goes.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/netns.sh"

test_begin ip timeout

# Each instance has its own STATE_DIR and control socket.
instance_conf() {
	mkdir -p "$TEST_DIR/$1"
	write_test_config "$TEST_DIR/$1.conf" STATE_DIR="$TEST_DIR/$1/state" \
	    CONTROL_SOCKET="$TEST_DIR/$1/multinicd.sock"
}
instance_conf first
instance_conf second
instance_conf elsewhere

# Namespaces of the test's own: the real lock name, not TEST_NODE_LOCK.
netns_create || bail_out "cannot create a namespace"
node=$NETNS_NAME
netns_create || bail_out "cannot create a namespace"
other_node=$NETNS_NAME

start_in_netns "$node" "$TEST_DIR/first.conf"
first=$DAEMON_PID
wait_children_ready "$first"
pass "the first multinicd runs in its namespace"
like "$(ip netns exec "$node" ss -xlp 2>/dev/null | grep '@multinicd ')" \
    "pid=$first," "it holds the abstract socket @multinicd"

second_stderr=$(timeout 10 env -i PATH="$DAEMON_PATH" ip netns exec "$node" \
    "$MULTINIC_BUILD/multinicd" -d -f "$TEST_DIR/second.conf" 2>&1 >/dev/null)
second_status=$?
diag "the second one said: $second_stderr"
ok "a second one in the same namespace, with another STATE_DIR and socket, fails (status $second_status)" \
    test "$second_status" -ne 0 -a "$second_status" -ne 124
like "$second_stderr" "already running in this network namespace: pid $first holds the node lock @multinicd" \
    "it names the first one's pid"
ok "it left no control socket behind" test ! -e "$TEST_DIR/second/multinicd.sock"
ok "the first one still runs" children_ready "$first"

# Asking for the pid again and again must keep working: the supervisor
# clears the connections made to learn it.
for _ in $(seq 1 70); do
	timeout 10 env -i PATH="$DAEMON_PATH" ip netns exec "$node" \
	    "$MULTINIC_BUILD/multinicd" -d -f "$TEST_DIR/second.conf" 2>&1 >/dev/null |
	    tail -n 1 >"$TEST_DIR/last.err"
done
like "$(cat "$TEST_DIR/last.err")" "pid $first holds the node lock" \
    "after 70 more attempts, more than the backlog, the pid is still named"

start_in_netns "$other_node" "$TEST_DIR/elsewhere.conf"
elsewhere=$DAEMON_PID
wait_children_ready "$elsewhere"
pass "one in another namespace starts: that is another node"

stop_daemon "$first"
is "$?" 0 "the first one stops cleanly"
start_in_netns "$node" "$TEST_DIR/second.conf"
second=$DAEMON_PID
wait_children_ready "$second"
pass "once the first has stopped, the second starts in its namespace"
stop_daemon "$second"
stop_daemon "$elsewhere"
done_testing
