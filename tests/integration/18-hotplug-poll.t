#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A NIC plugged in before its row is written (issue 14, part 2): the applier
# sees a candidate NIC whose MAC no row names and asks the fetcher for fast
# polls, so the row, once INSERTed, is applied about a second later although
# POLL_INTERVAL is 30s. The window is logged when it starts and when a row
# ends it, and multinic_hotplug_polls_total counts the fast polls.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

known=fa:16:3e:18:00:01
plugged=fa:16:3e:18:00:02
# A long window: a busy machine still INSERTs the row within it.
node_setup POLL_INTERVAL=30s HOTPLUG_POLL_INTERVAL=1s HOTPLUG_POLL_WINDOW=10m
row_add $known 10.18.0.5 10.18.0.0/24 1500
node_nic ens5 $known
node_start

ok "the NIC with a row is applied" wait_until 300 success_is $known 1
hotplug_polls() {
	node_metric multinic_hotplug_polls_total
}
hotplug_polls_past() {
	[ "$(hotplug_polls)" -ge "$1" ] 2>/dev/null
}

# (The veth peers p-ens5 and p-ens6 are candidate NICs without rows too:
# the counts are taken relative, the log names the MAC.)
lines=$(log_lines "$DAEMON_LOG")
polls=$(hotplug_polls)
node_nic ens6 $plugged
ok "the window's start is logged with the MAC" \
    wait_until 150 logged_since "$lines" "hot-plug: no row names NIC $plugged yet"
ok "the fetcher polls at once" wait_until 150 hotplug_polls_past $((polls + 1))
ok "and fast polls follow" wait_until 150 hotplug_polls_past $((polls + 2))
ok "the NIC waits for its row meanwhile" \
    eval "! ctl show interfaces -j | grep -q '$plugged'"

row_add $plugged 10.18.0.6 10.18.0.0/24 1400
polls=$(hotplug_polls)
ok "once the row is INSERTed, the NIC is configured" \
    wait_until 300 success_is $plugged 1
link=$(link_of_mac $plugged)
is "$(link_state "$link")" "$link 1400 up 10.18.0.6/24 " \
    "up, with the row's MTU and address"
like "$(log_since "$DAEMON_LOG" "$lines")" \
    "hot-plug: NIC $plugged: a row names it now; fast polls end" \
    "the window ends because a row names the NIC, logged"
ok "a hot-plug poll read the row" hotplug_polls_past $((polls + 1))
ok "GET / counts them too" \
    test "$(node_status .hotplug_polls)" -ge $((polls + 1))
node_stop
ok "no child was killed by a signal (seccomp)" \
    eval "! grep -q 'killed by signal' '$DAEMON_LOG'"
done_testing
