#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# SIGHUP re-reads the configuration: a plain change keeps both children; an
# invalid file keeps the running configuration and the log says why; a
# change to what the applier's sandbox depends on (CONFIG_ROOT) restarts the
# applier alone; the instance lock follows STATE_DIR, and a directory
# another instance holds refuses the reload; HTTP moves to a new port, and
# stays where it was when the new port is taken.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"

test_begin

conf=$TEST_DIR/multinicd.conf
write_test_config "$conf" LOG_LEVEL=info
start_daemon "$conf"
supervisor=$DAEMON_PID
wait_children_ready "$supervisor"
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
applier=$(child_titled "$supervisor" "multinicd: applier")

# reload: SIGHUP; true once the supervisor says the reload is over.
reload() {
	local lines
	lines=$(log_lines "$DAEMON_LOG")
	kill -HUP "$supervisor"
	wait_until 100 logged_since "$lines" "supervisor: configuration reloaded"
}

# A change no sandbox depends on.
set_config "$conf" LOG_LEVEL debug
ok "LOG_LEVEL=debug + SIGHUP: the reload is over" reload
ok "and it says it kept both children" \
    grep -q "configuration reloaded; fetcher kept, applier kept" "$DAEMON_LOG"
ok "the supervisor runs on" is_alive "$supervisor"
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" "the fetcher keeps its PID"
is "$(child_titled "$supervisor" "multinicd: applier")" "$applier" "the applier keeps its PID"

# An invalid file.
log_before=$(log_lines "$DAEMON_LOG")
set_config "$conf" POLL_INTERVAL 0s
kill -HUP "$supervisor"
logged_poll_interval() {
	log_since "$DAEMON_LOG" "$log_before" | grep -q POLL_INTERVAL
}
ok "POLL_INTERVAL=0s + SIGHUP: the log names POLL_INTERVAL" \
    wait_until 100 logged_poll_interval
ok "and says the running configuration stays: the reload is over" \
    wait_until 100 logged_since "$log_before" "keeping the running one"
ok "the supervisor keeps running" is_alive "$supervisor"
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" "the fetcher keeps its PID"
is "$(child_titled "$supervisor" "multinicd: applier")" "$applier" "the applier keeps its PID"

# A valid file again, with another CONFIG_ROOT: only the applier writes
# there, so only the applier is restarted.
mkdir -p "$TEST_DIR/root2"
set_config "$conf" POLL_INTERVAL 30s
set_config "$conf" CONFIG_ROOT "$TEST_DIR/root2"
kill -HUP "$supervisor"
ok "CONFIG_ROOT changed + SIGHUP: a new applier runs" \
    wait_until 150 new_child_running "$supervisor" "multinicd: applier" "$applier"
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" "the fetcher keeps its PID"
ok "the old applier ($applier) is gone" is_gone "$applier"
is "$(children_of "$supervisor" | wc -l)" 2 "the supervisor has exactly two children"
ok "the supervisor still runs" is_alive "$supervisor"

# locked FILE: some process holds its flock.
locked() {
	! flock -n "$1" true
}

unlocked() {
	flock -n "$1" true
}

# STATE_DIR moves: the lock goes with it, and both children restart.
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
applier=$(child_titled "$supervisor" "multinicd: applier")
set_config "$conf" STATE_DIR "$TEST_DIR/state2"
kill -HUP "$supervisor"
ok "STATE_DIR changed + SIGHUP: a new fetcher runs" \
    wait_until 150 new_child_running "$supervisor" "multinicd: fetcher" "$fetcher"
ok "and a new applier" \
    wait_until 150 new_child_running "$supervisor" "multinicd: applier" "$applier"
ok "the new STATE_DIR's lock is held" locked "$TEST_DIR/state2/multinicd.lock"
ok "the old STATE_DIR's lock is released" \
    unlocked "$TEST_DIR/state/multinicd.lock"

# A STATE_DIR another instance holds: the reload is refused.
mkdir -p "$TEST_DIR/state3"
# (exec: the PID that holds the lock is the one cleanup kills.)
(exec 9>"$TEST_DIR/state3/multinicd.lock" && flock 9 && exec sleep 60) \
    >/dev/null 2>&1 &
HELPER_PIDS+=("$!")
wait_until 100 locked "$TEST_DIR/state3/multinicd.lock"
children_before=$(children_of "$supervisor" | sort | tr '\n' ' ')
log_before=$(log_lines "$DAEMON_LOG")
set_config "$conf" STATE_DIR "$TEST_DIR/state3"
kill -HUP "$supervisor"
logged_locked() {
	log_since "$DAEMON_LOG" "$log_before" | grep -q "already running"
}
ok "a STATE_DIR locked by another instance: the log says so" \
    wait_until 100 logged_locked
ok "and that the running configuration stays: the reload is over" \
    wait_until 100 logged_since "$log_before" "keeping the running one"
is "$(children_of "$supervisor" | sort | tr '\n' ' ')" "$children_before" \
    "both children keep running as they were"
ok "the running STATE_DIR's lock is still held" \
    locked "$TEST_DIR/state2/multinicd.lock"
set_config "$conf" STATE_DIR "$TEST_DIR/state2"

# HTTP: off, then on a free port, then a taken port keeps the old one.
http_code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
	    "http://127.0.0.1:$1/healthz"
}
http_answers() {
	[ "$(http_code "$1")" = 200 ]
}
port=$(mariadb_free_port) || bail_out "no free port"
set_config "$conf" HEALTH_ADDR 127.0.0.1
set_config "$conf" HEALTH_PORT "$port"
kill -HUP "$supervisor"
ok "HEALTH_PORT set + SIGHUP: /healthz answers on port $port" \
    wait_until 150 http_answers "$port"
taken=$(mariadb_free_port) || bail_out "no free port"
python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(60)' "$taken" >/dev/null 2>&1 &
HELPER_PIDS+=("$!")
port_listening() {
	[ -n "$(ss -Htln "sport = :$1")" ]
}
wait_until 100 port_listening "$taken"
log_before=$(log_lines "$DAEMON_LOG")
set_config "$conf" HEALTH_PORT "$taken"
kill -HUP "$supervisor"
logged_keeping() {
	log_since "$DAEMON_LOG" "$log_before" | grep -q "keeping HTTP"
}
ok "HEALTH_PORT taken by another program: the log says HTTP stays" \
    wait_until 100 logged_keeping
ok "and /healthz still answers on port $port" wait_until 100 http_answers "$port"
done_testing
