#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A child that dies is restarted by the same supervisor, and the supervisor's
# log says which one died.
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
write_test_config "$conf"
start_daemon "$conf"
supervisor=$DAEMON_PID
wait_children_ready "$supervisor"

# kill_and_expect_restart NAME: kill -9 the child titled "multinicd: NAME",
# expect a new one and a log line naming the dead one.
kill_and_expect_restart() {
	local name=$1 old new log_before died
	old=$(child_titled "$supervisor" "multinicd: $name")
	is "$(wc -w <<<"$old")" 1 "one $name is running before the kill"
	log_before=$(log_lines "$DAEMON_LOG")
	kill -KILL "$old"
	ok "a new $name (not pid $old) runs" \
	    wait_until 100 new_child_running "$supervisor" "multinicd: $name" "$old"
	new=$(child_titled "$supervisor" "multinicd: $name")
	ok "the new $name is a child of the same supervisor" \
	    [ "$(awk '/^PPid:/ { print $2 }' "/proc/$new/status")" = "$supervisor" ]
	died=$(log_since "$DAEMON_LOG" "$log_before")
	like "$died" "$name.*(killed|signal|died|exit|terminated)" \
	    "the supervisor's log names the dead $name"
}

kill_and_expect_restart fetcher
kill_and_expect_restart applier

ok "the supervisor (pid $supervisor) still runs" is_alive "$supervisor"
is "$(children_of "$supervisor" | wc -l)" 2 "it has exactly two children again"
ok "they are a fetcher and an applier" children_ready "$supervisor"
done_testing
