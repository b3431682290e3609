#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The installed LSB rc script, for machines without systemd: start
# daemonizes multinicd and finds it by the PID in its lock file, status
# answers with LSB's exit codes, reload makes it re-read its configuration,
# stop and restart work, a crashed daemon shows as dead.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/install.sh"

require_root_and_build
ensure_privsep_user || bail_out "cannot create the _multinic user"
make_test_dir
# The daemon detaches, so it is no child of ours: stop it by its PID.
cleanup() {
	local pid
	pid=$(head -n 1 "$TEST_DIR/state/multinicd.lock" 2>/dev/null)
	if [ -n "$pid" ] && is_multinicd "$pid"; then
		kill -TERM "$pid"
		wait_until 150 is_gone "$pid" || kill -KILL "$pid"
	fi
	rm -rf "$TEST_DIR"
}
trap cleanup EXIT

ok "make install PREFIX=<test dir> succeeds" install_into_prefix ||
    abort_test "cannot install"
rc=$PREFIX_DIR/etc/init.d/multinicd
conf=$TEST_DIR/multinicd.conf
write_test_config "$conf" DB_SOCKET="$TEST_DIR/a.sock"
lock=$TEST_DIR/state/multinicd.lock

# rc_script ARG: the script as init runs it, with a clean environment
# (CONFIG points it at the test's configuration).
rc_script() {
	env -i PATH="$DAEMON_PATH" CONFIG="$conf" \
	    MULTINICD_NODE_LOCK="$TEST_NODE_LOCK" sh "$rc" "$1" 2>&1
}

pid_in_lock() {
	head -n 1 "$lock" 2>/dev/null
}

out=$(rc_script status)
is "$?:$out" "3:multinicd is not running" "status before start: 3, not running"

out=$(rc_script start)
is "$?" 0 "start succeeds"
pid=$(pid_in_lock)
like "$out" "^multinicd started \\(pid $pid\\)" "and names the PID from the lock file"
like "$(proc_title "$pid")" "^multinicd: supervisor" "which is the supervisor"
ok "with its children" wait_until 150 children_ready "$pid"
# daemon(3) calls setsid(): a session of its own, no controlling terminal.
is "$(ps -o sid= -o tty= -p "$pid" | awk '{ print $1, $2 }')" "$pid ?" \
    "detached: it leads its own session, without a terminal"

out=$(rc_script status)
is "$?:$out" "0:multinicd is running (pid $pid)" "status: 0, running"
out=$(rc_script start)
is "$?:$out" "0:multinicd is already running (pid $pid)" \
    "a second start leaves it alone"

fetcher=$(child_titled "$pid" "multinicd: fetcher")
set_config "$conf" DB_SOCKET "$TEST_DIR/b.sock"
out=$(rc_script reload)
is "$?" 0 "reload succeeds"
ok "it re-read its configuration: a new DB_SOCKET restarts the fetcher" \
    wait_until 150 new_child_running "$pid" "multinicd: fetcher" "$fetcher"

out=$(rc_script restart)
is "$?" 0 "restart succeeds"
ok "the old supervisor is gone" is_gone "$pid"
new=$(pid_in_lock)
ok "a new one runs" eval "[ '$new' != '$pid' ] && is_multinicd '$new'"
pid=$new

out=$(rc_script stop)
is "$?:$out" "0:multinicd stopped" "stop succeeds"
ok "the supervisor is gone" is_gone "$pid"
is "$(wc -c <"$lock")" 0 "a clean stop empties the lock file"
out=$(rc_script status)
is "$?" 3 "status after stop: 3"
out=$(rc_script stop)
is "$?:$out" "0:multinicd is not running" "stop when stopped: 0"

rc_script start >/dev/null
pid=$(pid_in_lock)
wait_until 150 children_ready "$pid"
kill -KILL "$pid"
wait_until 150 is_gone "$pid"
out=$(rc_script status)
is "$?" 1 "status after a crash: 1, dead with a PID file left"
out=$(rc_script start)
is "$?" 0 "start after a crash works"
pid=$(pid_in_lock)
ok "and runs a supervisor" is_multinicd "$pid"
rc_script stop >/dev/null

out=$(rc_script bogus)
is "$?" 2 "an unknown action is a usage error"

done_testing
