#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Stopping: SIGTERM or SIGINT stop the supervisor and both children with
# status 0. A child that keeps dying (5 deaths within 60 s) makes
# the supervisor stop everything and exit non-zero, so systemd or Kubernetes
# notices.
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

# start_ready: starts multinicd and waits for its children; sets supervisor,
# fetcher and applier.
start_ready() {
	start_daemon "$conf"
	supervisor=$DAEMON_PID
	wait_children_ready "$supervisor"
	fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
	applier=$(child_titled "$supervisor" "multinicd: applier")
}

# all_gone PID...: none of them runs any more.
all_gone() {
	local pid
	for pid in "$@"; do
		is_alive "$pid" && return 1
	done
	return 0
}

for signal in TERM INT; do
	start_ready
	kill -"$signal" "$supervisor"
	ok "SIG$signal: supervisor, fetcher and applier are gone" \
	    wait_until 150 all_gone "$supervisor" "$fetcher" "$applier"
	reap "$supervisor"
	is "$?" 0 "SIG$signal: multinicd exits with status 0"
done

# Ctrl-C on a foreground multinicd -d: the terminal sends SIGINT to the
# whole foreground process group. With job control the daemon gets a group
# of its own, as in a terminal, and env makes sure SIGINT is not ignored (as
# it is for a background job without job control). The children have groups
# of their own: only the supervisor takes the SIGINT and stops them cleanly.
DAEMON_COUNT=$((DAEMON_COUNT + 1))
DAEMON_LOG=$TEST_DIR/multinicd.$DAEMON_COUNT.log
set -m
env -i --default-signal=INT PATH="$DAEMON_PATH" \
    "$MULTINIC_BUILD/multinicd" -d -f "$conf" >"$DAEMON_LOG" 2>&1 &
supervisor=$!
set +m
STARTED_PIDS+=("$supervisor")
wait_children_ready "$supervisor"
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
applier=$(child_titled "$supervisor" "multinicd: applier")
# own_group PID...: none of them is in the supervisor's process group.
own_group() {
	local pid
	for pid in "$@"; do
		[ "$(ps -o pgid= -p "$pid" | tr -d ' ')" != "$supervisor" ] ||
		    return 1
	done
}
ok "the children are in process groups of their own" \
    own_group "$fetcher" "$applier"
kill -INT -- "-$supervisor"
ok "Ctrl-C: supervisor, fetcher and applier are gone" \
    wait_until 150 all_gone "$supervisor" "$fetcher" "$applier"
reap "$supervisor"
is "$?" 0 "Ctrl-C: multinicd exits with status 0"
unlike "$(cat "$DAEMON_LOG")" "killed by signal" "no child is logged as killed"
like "$(cat "$DAEMON_LOG")" "fetcher \\(pid $fetcher\\) stopped" \
    "the fetcher's stop is logged as a clean one"
like "$(cat "$DAEMON_LOG")" "applier \\(pid $applier\\) stopped" \
    "and the applier's"

# Crash loop: kill the fetcher five times; the supervisor restarts it after
# 1, 2, 4 and 8 s, then gives up at the fifth death.
start_ready
first_applier=$applier
fetchers=()
for death in 1 2 3 4 5; do
	fetchers+=("$fetcher")
	kill -KILL "$fetcher"
	[ "$death" -eq 5 ] && break
	backoff=$((1 << (death - 1)))
	if ! wait_until $(((backoff + 10) * 10)) new_child_running "$supervisor" \
	    "multinicd: fetcher" "$fetcher"; then
		fail "a new fetcher runs within $((backoff + 10)) s of death $death"
		break
	fi
	pass "a new fetcher runs within $((backoff + 10)) s of death $death"
	fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
done
ok "after the fifth death within 60 s the supervisor exits" \
    wait_until 100 is_gone "$supervisor"
reap "$supervisor"
status=$?
ok "its exit status is non-zero ($status)" [ "$status" -ne 0 ]
ok "it leaves no child behind" all_gone "${fetchers[@]}" "$first_applier"
done_testing
