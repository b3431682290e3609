#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A member of the socket's group floods the control socket with connections
# (doc/architecture.md, 5.5): root's multinicctl status still succeeds every
# time, the flooder is refused once over its uid's limit instead of pushing
# other clients out, the refusals are logged once with their count, and the
# fetcher lives on.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"

test_begin perl setpriv
[ -x "$MULTINIC_BUILD/multinicctl" ] || bail_out "no multinicctl in $MULTINIC_BUILD"

socket=$TEST_DIR/run/multinicd.sock
group_gid=$(getent group _multinic | cut -d: -f3)
[ -n "$group_gid" ] || bail_out "no _multinic group"
member="--reuid=65534 --regid=65534 --groups=$group_gid"
# The flooder's own directory: it writes its ready and count files there.
flood_dir=$TEST_DIR/flood
if ! { mkdir "$flood_dir" && chown 65534:65534 "$flood_dir"; }; then
	bail_out "cannot make $flood_dir"
fi

conf=$TEST_DIR/multinicd.conf
write_test_config "$conf"
start_daemon "$conf"
supervisor=$DAEMON_PID
wait_children_ready "$supervisor"
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")

status_answers() {
	"$MULTINIC_BUILD/multinicctl" -s "$socket" status >/dev/null 2>&1
}
ok "the control socket answers" wait_until 100 status_answers

# --- The flood ---------------------------------------------------------------

lines=$(log_lines "$DAEMON_LOG")
# shellcheck disable=SC2086 # $member is setpriv's arguments
setpriv $member perl "$here/../lib/flood.pl" "$socket" 4 8 \
    "$flood_dir/ready" "$flood_dir/count" &
flood_pid=$!
HELPER_PIDS+=("$flood_pid")
ok "4 flooding processes have each made 100 connections" \
    wait_until 300 test -e "$flood_dir/ready"
ok "the fetcher says it refuses the flooder's connections" \
    wait_until 100 logged_since "$lines" "control: refusing connections: uid 65534 has 4 connections open"

# Root gets through every time. How fast is measured, not asserted: the
# target is 100 ms, but on a loaded test machine a bound that tight would
# fail for reasons of the machine, so the bound is PROMPT_SECONDS and the
# times are printed.
attempts=25
succeeded=0
times=()
for _ in $(seq 1 "$attempts"); do
	start=$(date +%s%N)
	if "$MULTINIC_BUILD/multinicctl" -s "$socket" status \
	    >"$TEST_DIR/status.out" 2>"$TEST_DIR/status.err"; then
		succeeded=$((succeeded + 1))
	else
		diag "status failed: $(cat "$TEST_DIR/status.err")"
	fi
	times+=($((($(date +%s%N) - start) / 1000000)))
done
is "$succeeded" "$attempts" "during the flood, root's status succeeds every time"
slowest=$(printf '%s\n' "${times[@]}" | sort -n | tail -n 1)
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$((attempts / 2 + 1))p")
diag "root's status under the flood: median $median ms, slowest $slowest ms (target 100 ms)"
ok "and each answer came within $PROMPT_SECONDS s (slowest $slowest ms)" \
    test "$slowest" -lt $((PROMPT_SECONDS * 1000))

# The flooder's own uid is refused with a reason, not served by evicting.
member_refused() {
	# shellcheck disable=SC2086
	setpriv $member "$MULTINIC_BUILD/multinicctl" -s "$socket" status \
	    >/dev/null 2>"$TEST_DIR/member.err"
	grep -q "connections open, the most one user may have" "$TEST_DIR/member.err"
}
ok "a status of the flooder's uid is refused, saying why" \
    wait_until 100 member_refused
diag "$(cat "$TEST_DIR/member.err")"

refusal_logs=$(log_since "$DAEMON_LOG" "$lines" | grep -c "refusing connections")
is "$refusal_logs" 1 "the refusals start one log line, not one per connection"

kill "$flood_pid"
wait "$flood_pid"
flooded=$(awk '{ n += $1 } END { print n + 0 }' "$flood_dir/count")
diag "the flooder made $flooded connections"
ok "the flood was a flood (more than 1000 connections)" test "$flooded" -gt 1000

# --- After the flood ---------------------------------------------------------

ok "once the flood is over, the fetcher logs how many it refused" \
    wait_until 300 logged_since "$lines" "control: no refusal for 10 s;"
diag "$(log_since "$DAEMON_LOG" "$lines" | grep "no refusal")"
status_as_member() {
	# shellcheck disable=SC2086
	setpriv $member "$MULTINIC_BUILD/multinicctl" -s "$socket" status >/dev/null 2>&1
}
ok "the flooder's uid gets its status again" wait_until 100 status_as_member
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" \
    "the fetcher survived the flood"
ok "no child was killed by a signal" \
    bash -c "! grep -q 'killed by signal' '$DAEMON_LOG'"
stop_daemon "$supervisor"
done_testing
