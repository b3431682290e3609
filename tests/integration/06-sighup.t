#!/usr/bin/env bash
# SIGHUP re-reads the configuration: a plain change keeps both children; an
# invalid file keeps the running configuration and the log says why; a
# change to what the applier's sandbox depends on (CONFIG_ROOT) restarts the
# applier alone.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"

require_root_and_build
ensure_privsep_user || bail_out "cannot create the _multinic user"
make_test_dir
trap cleanup_daemons EXIT

conf=$TEST_DIR/multinicd.conf
write_test_config "$conf" LOG_LEVEL=info
start_daemon "$conf"
supervisor=$DAEMON_PID
wait_children_ready "$supervisor"
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
applier=$(child_titled "$supervisor" "multinicd: applier")

# reload: SIGHUP, then give the supervisor a second to act on it.
reload() {
	kill -HUP "$supervisor"
	sleep 1
}

# A change no sandbox depends on.
set_config "$conf" LOG_LEVEL debug
reload
ok "LOG_LEVEL=debug + SIGHUP: the supervisor runs on" is_alive "$supervisor"
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" "the fetcher keeps its PID"
is "$(child_titled "$supervisor" "multinicd: applier")" "$applier" "the applier keeps its PID"

# An invalid file.
log_before=$(log_lines "$DAEMON_LOG")
set_config "$conf" POLL_INTERVAL 0s
kill -HUP "$supervisor"
logged_poll_interval() {
	log_since "$DAEMON_LOG" "$log_before" | grep -q POLL_INTERVAL
}
ok "POLL_INTERVAL=0s + SIGHUP: the log names POLL_INTERVAL within 3 s" \
    wait_until 30 logged_poll_interval
sleep 1
ok "the supervisor keeps running" is_alive "$supervisor"
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" "the fetcher keeps its PID"
is "$(child_titled "$supervisor" "multinicd: applier")" "$applier" "the applier keeps its PID"

# A valid file again, with another CONFIG_ROOT: only the applier writes
# there, so only the applier is restarted.
mkdir -p "$TEST_DIR/root2"
set_config "$conf" POLL_INTERVAL 30s
set_config "$conf" CONFIG_ROOT "$TEST_DIR/root2"
kill -HUP "$supervisor"
ok "CONFIG_ROOT changed + SIGHUP: a new applier runs within 5 s" \
    wait_until 50 new_child_running "$supervisor" "multinicd: applier" "$applier"
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" "the fetcher keeps its PID"
ok "the old applier ($applier) is gone" is_gone "$applier"
is "$(children_of "$supervisor" | wc -l)" 2 "the supervisor has exactly two children"
ok "the supervisor still runs" is_alive "$supervisor"
done_testing
