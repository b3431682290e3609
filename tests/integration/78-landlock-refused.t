#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# When Landlock is refused, as a container runtime's seccomp profile or an
# old kernel does (ENOSYS, EPERM): by default (LANDLOCK=best-effort) both
# children warn and run, and multinicctl status -j, GET / and /metrics say
# so; with LANDLOCK=required they refuse to run and multinicd gives up. The
# refusal comes from a real seccomp filter put on multinicd by a small
# helper, not from a hook in the product.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/netns.sh"

test_begin cc jq curl promtool pkg-config

# refuse-landlock ERRNO PROGRAM ARG...: PROGRAM with landlock_create_ruleset
# failing with ERRNO, everything else allowed.
helper=$TEST_DIR/refuse-landlock
cat >"$helper.c" <<'C'
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	scmp_filter_ctx	ctx;
	int		err;

	if (argc < 3)
		return 2;
	err = strcmp(argv[1], "EPERM") == 0 ? EPERM : ENOSYS;
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL ||
	    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err),
	    SCMP_SYS(landlock_create_ruleset), 0) < 0 ||
	    seccomp_load(ctx) < 0) {
		fprintf(stderr, "cannot load the filter\n");
		return 1;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
C
# shellcheck disable=SC2046 # pkg-config's flags are separate words
cc -o "$helper" "$helper.c" $(pkg-config --cflags --libs libseccomp) ||
    bail_out "cannot build the helper"

netns_create || bail_out "cannot create a namespace"
ns=$NETNS_NAME
conf=$TEST_DIR/multinicd.conf
write_test_config "$conf" HEALTH_ADDR=127.0.0.1 HEALTH_PORT=8080

applier_reported() {
	local state
	state=$(status_field landlock.applier)
	[ -n "$state" ] && [ "$state" != unknown ]
}

metrics() {
	ip netns exec "$ns" curl -s http://127.0.0.1:8080/metrics
}

# The kernel's own state first: here Landlock works, and says so.
start_in_netns "$ns" "$conf"
wait_children_ready "$DAEMON_PID"
wait_until 100 applier_reported
is "$(status_field landlock.fetcher)/$(status_field landlock.applier)" \
    enforced/enforced "status -j: Landlock enforced in both children"
like "$(metrics)" 'multinic_sandbox_landlock_enforced\{proc="applier"\} 1' \
    "/metrics: the applier's Landlock in force"
stop_daemon "$DAEMON_PID" 30

for err in ENOSYS EPERM; do
	start_in_netns "$ns" "$conf" "$helper" "$err"
	sv=$DAEMON_PID
	wait_children_ready "$sv"
	wait_until 100 applier_reported
	like "$(status_field landlock.applier)" '^unavailable: landlock_create_ruleset: ' \
	    "$err, best-effort: status -j says the applier runs without Landlock"
	like "$(status_field landlock.fetcher)" '^unavailable: ' \
	    "$err, best-effort: and so does the fetcher"
	like "$("$MULTINIC_BUILD/multinicctl" -s "$TEST_DIR/run/multinicd.sock" status)" \
	    '^landlock +fetcher unavailable: .*, applier unavailable: landlock_create_ruleset: ' \
	    "$err: multinicctl status says so in text too"
	like "$(ip netns exec "$ns" curl -s http://127.0.0.1:8080/ |
	    jq -r .landlock.applier)" '^unavailable: ' "$err: GET / says it too"
	page=$(metrics)
	like "$page" 'multinic_sandbox_landlock_enforced\{proc="applier"\} 0' \
	    "$err: /metrics shows the applier's Landlock not in force"
	like "$page" 'multinic_sandbox_landlock_enforced\{proc="fetcher"\} 0' \
	    "$err: and the fetcher's"
	is "$(promtool check metrics <<<"$page" 2>&1)" "" "$err: promtool is happy"
	like "$(cat "$DAEMON_LOG")" 'Landlock unavailable .*LANDLOCK=best-effort' \
	    "$err: a warning says why"
	stop_daemon "$sv" 30
done

# Seccomp itself is not optional, Landlock now neither: the children die,
# and after five deaths multinicd exits non-zero.
set_config "$conf" LANDLOCK required
start_in_netns "$ns" "$conf" "$helper" ENOSYS
sv=$DAEMON_PID
ok "LANDLOCK=required: multinicd gives up" wait_until 900 is_gone "$sv"
reap "$sv"
status=$?
ok "and exits non-zero ($status)" test "$status" -ne 0
like "$(cat "$DAEMON_LOG")" 'Landlock unavailable \(landlock_create_ruleset: .*\) and LANDLOCK=required' \
    "naming Landlock and the setting"

done_testing
