#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# One multinicd per STATE_DIR and per control socket: a second one exits at
# once saying "already running" and leaves the first alone; a stale socket
# left by a crash does not stop a start.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"

require_root_and_build
ensure_privsep_user || bail_out "cannot create the _multinic user"
command -v python3 >/dev/null || skip_all "needs python3 for unix sockets"
make_test_dir
trap cleanup_daemons EXIT

socket=$TEST_DIR/run/multinicd.sock

# make_stale_socket PATH: a socket file nobody listens on, as a crash leaves.
make_stale_socket() {
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"
}

socket_answers() {
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' \
	    "$1" 2>/dev/null
}

socket_is_stale() {
	[ -S "$1" ] && ! socket_answers "$1"
}

# Start-up over a stale socket.
make_stale_socket "$socket"
ok "a stale control socket (nobody listening) exists before the start" \
    socket_is_stale "$socket"

conf=$TEST_DIR/multinicd.conf
write_test_config "$conf" CONTROL_SOCKET="$socket"
start_daemon "$conf"
first=$DAEMON_PID
wait_children_ready "$first"
pass "multinicd starts over a stale control socket"
ok "the control socket answers" wait_until 100 socket_answers "$socket"

# run_second CONF: a second multinicd in the foreground; sets second_status
# and second_stderr. It must fail by itself, not by timeout (10 s, status
# 124), for it would otherwise run on. Its node lock is not the first's, so
# what refuses it is what each case names (07-node-lock.t tests that lock).
run_second() {
	second_stderr=$(timeout 10 env -i PATH="$DAEMON_PATH" \
	    MULTINICD_NODE_LOCK="$TEST_NODE_LOCK-second" \
	    "$MULTINIC_BUILD/multinicd" -d -f "$1" 2>&1 >/dev/null)
	second_status=$?
}

second_refused() {
	[ "$second_status" -ne 0 ] && [ "$second_status" -ne 124 ]
}

# Same STATE_DIR (and everything else): refused by the lock.
run_second "$conf"
ok "a second multinicd with the same STATE_DIR fails (status $second_status)" \
    second_refused
like "$second_stderr" "already running" "it says 'already running'"

# Another STATE_DIR, same control socket: refused because the socket answers.
other_conf=$TEST_DIR/other.conf
write_test_config "$other_conf" STATE_DIR="$TEST_DIR/other-state" \
    CONTROL_SOCKET="$socket"
run_second "$other_conf"
ok "a second multinicd on the same live control socket fails (status $second_status)" \
    second_refused
like "$second_stderr" "already running" "it says 'already running'"

ok "the first multinicd still runs" is_alive "$first"
ok "with its fetcher and applier" children_ready "$first"
ok "its control socket still answers" socket_answers "$socket"
stop_daemon "$first"
is "$?" 0 "the first multinicd stops cleanly"

# CONTROL_SOCKET naming something that is not a socket: root never removes
# it (a mistyped path could name any file); the daemon refuses to start.
file=$TEST_DIR/run/not-a-socket
echo "precious" >"$file"
file_conf=$TEST_DIR/file.conf
write_test_config "$file_conf" STATE_DIR="$TEST_DIR/file-state" \
    CONTROL_SOCKET="$file"
run_second "$file_conf"
ok "CONTROL_SOCKET naming a regular file: multinicd refuses to start (status $second_status)" \
    second_refused
like "$second_stderr" "not-a-socket.*not a socket" "it says the path is not a socket"
is "$(cat "$file" 2>&1)" precious "the file is left as it was"

# The same on SIGHUP: the running socket is kept, the file left alone.
start_daemon "$conf"
first=$DAEMON_PID
wait_children_ready "$first"
lines=$(log_lines "$DAEMON_LOG")
set_config "$conf" CONTROL_SOCKET "$file"
kill -HUP "$first"
ok "a reload to it keeps the control socket" \
    wait_until 100 logged_since "$lines" "keeping control socket $socket"
like "$(log_since "$DAEMON_LOG" "$lines")" "not-a-socket.*not a socket" \
    "saying why"
is "$(cat "$file" 2>&1)" precious "and leaves the file as it was"
ok "the supervisor runs on" is_alive "$first"
ok "its control socket still answers" socket_answers "$socket"
stop_daemon "$first"
done_testing
