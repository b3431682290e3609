#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Under systemd (Type=notify, journald): the supervisor says READY=1 once
# both children run, RELOADING=1 then READY=1 around a SIGHUP reload (valid
# or not), and STOPPING=1 at SIGTERM, each with a STATUS= line; with stderr
# the stream JOURNAL_STREAM names, every line of every process carries its
# priority as "<N>" and reads as text with key=value fields, not JSON.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"

test_begin python3

# systemd's notify socket, played by notify.py.
notify_socket=$TEST_DIR/notify.sock
notified=$TEST_DIR/notified
: >"$notified"
python3 "$here/../lib/notify.py" "$notify_socket" "$notified" &
STARTED_PIDS+=("$!")
listener=$!
wait_until 100 test -S "$notify_socket" ||
    abort_test "notify.py did not bind $notify_socket"

# notified_since LINES PATTERN: a message after the first LINES matches.
notified_since() {
	log_since "$notified" "$1" | grep -Eq -- "$2"
}

# The daemon's stderr is a file whose device and inode JOURNAL_STREAM
# names, as systemd does for the journal's stream socket.
conf=$TEST_DIR/multinicd.conf
write_test_config "$conf" LOG_FORMAT=auto
DAEMON_LOG=$TEST_DIR/multinicd.log
: >"$DAEMON_LOG"
stream=$(stat -c '%d:%i' "$DAEMON_LOG")
env -i PATH="$DAEMON_PATH" MULTINICD_NODE_LOCK="$TEST_NODE_LOCK" \
    NOTIFY_SOCKET="$notify_socket" JOURNAL_STREAM="$stream" \
    "$MULTINIC_BUILD/multinicd" -d -f "$conf" >>"$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
STARTED_PIDS+=("$DAEMON_PID")
wait_children_ready "$DAEMON_PID"

ok "READY=1 once the fetcher and the applier run" \
    wait_until 300 notified_since 0 '^READY=1\|STATUS=running: fetcher pid [0-9]+, applier pid [0-9]+$'
is "$(grep -c 'READY=1' "$notified")" 1 "and only once"

# 1. SIGHUP with a valid configuration.
lines=$(log_lines "$notified")
kill -HUP "$DAEMON_PID"
ok "SIGHUP: RELOADING=1 with MONOTONIC_USEC" \
    wait_until 300 notified_since "$lines" '^RELOADING=1\|MONOTONIC_USEC=[0-9]+\|STATUS=reloading the configuration$'
ok "then READY=1 saying what the reload did" \
    wait_until 300 notified_since "$lines" '^READY=1\|STATUS=configuration reloaded; fetcher kept, applier kept$'

# 2. SIGHUP with an invalid one: still RELOADING=1 and READY=1, and the
# warning is a warning for journalctl -p warning.
set_config "$conf" POLL_INTERVAL bogus
lines=$(log_lines "$notified")
log_at=$(log_lines "$DAEMON_LOG")
kill -HUP "$DAEMON_PID"
ok "an invalid configuration: RELOADING=1" \
    wait_until 300 notified_since "$lines" '^RELOADING=1\|'
ok "then READY=1 saying the running one stays" \
    wait_until 300 notified_since "$lines" '^READY=1\|STATUS=configuration invalid; keeping the running one'
ok "the log has the warning at priority 4" \
    wait_until 300 logged_since "$log_at" \
    "<4>supervisor: configuration invalid; keeping the running one"
set_config "$conf" POLL_INTERVAL 30

# 3. The log under journald: no JSON, no time stamp, a priority per line,
# from each of the three processes (the fetcher's DB on port 1 refuses it:
# a warning). test_log covers the key=value fields of such a line.
ok "the fetcher's refused connection is logged at priority 4" \
    wait_until 300 grep -q '^<4>fetcher: ' "$DAEMON_LOG"
like "$(grep '^<4>fetcher: ' "$DAEMON_LOG" | head -n 1)" \
    '^<4>fetcher: poll failed \(1 in a row\)' "as readable text"
ok "the supervisor's lines at priority 6" grep -q '^<6>supervisor: started, version ' "$DAEMON_LOG"
ok "the applier's too" grep -q '^<6>applier: ' "$DAEMON_LOG"
is "$(grep -cv '^<[0-7]>[a-z]*: ' "$DAEMON_LOG")" 0 \
    "every line starts with <N> and a process name"

# 4. SIGTERM.
lines=$(log_lines "$notified")
stop_daemon "$DAEMON_PID"
is "$?" 0 "SIGTERM: exit 0"
ok "STOPPING=1 was sent" notified_since "$lines" '^STOPPING=1\|STATUS=stopping$'

# 5. A stderr other than the journal's stream keeps JSON (a container, or
# a redirected multinicd under systemd).
write_test_config "$conf" LOG_FORMAT=auto
start_daemon "$conf" JOURNAL_STREAM="$stream"
wait_children_ready "$DAEMON_PID"
ok "another stderr than JOURNAL_STREAM's: the supervisor logs JSON" \
    wait_until 300 grep -q '^{"time":"[^"]*","level":"info","proc":"supervisor","msg":"started' "$DAEMON_LOG"
ok "and so do the children" wait_until 300 grep -q '^{"time":"[^"]*","level":"[a-z]*","proc":"fetcher"' "$DAEMON_LOG"
stop_daemon "$DAEMON_PID"

kill "$listener" 2>/dev/null
reap "$listener"

done_testing
