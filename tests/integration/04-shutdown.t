#!/usr/bin/env bash
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
