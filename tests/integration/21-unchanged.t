#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Idle polls send no snapshot (issue 14, part 3): a poll that read what the
# applier last acknowledged says "unchanged, generation N" instead, and the
# applier answers that the last verdict stands. Polls are counted, readiness
# and status stay right; a changed row sends the whole snapshot again and is
# applied, and so does multinicctl sync.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

macs=(fa:16:3e:21:00:01 fa:16:3e:21:00:02)
node_setup POLL_INTERVAL=1s LOG_LEVEL=debug
row_add "${macs[0]}" 10.21.0.5 10.21.0.0/24 1500
row_add "${macs[1]}" 10.21.0.6 10.21.0.0/24 1500
node_nic ens5 "${macs[0]}"
node_nic ens6 "${macs[1]}"
node_start

ok "both rows are applied" wait_until 300 applied_rows 2

# fetcher_sent KIND: snapshots the fetcher logged as sent since the mark,
# "unchanged" ones or whole ones ("rows").
fetcher_sent() {
	log_since "$DAEMON_LOG" "$lines" |
	    grep -cE " fetcher: snapshot [0-9]+ sent: ($1)"
}
readyz() {
	ip netns exec "$NODE_NS" curl -s -o /dev/null -w '%{http_code}' \
	    --max-time 2 "$NODE_HTTP/readyz"
}

lines=$(log_lines "$DAEMON_LOG")
cycles=$(node_metric multinic_polling_cycles_total)
ok "ten more polls are acknowledged" wait_snapshots 10 600
ok "polls are still counted" \
    test "$(node_metric multinic_polling_cycles_total)" -ge $((cycles + 10))
# (A poll whose predecessor's acknowledgement is late sends the whole
# snapshot, which a loaded machine may make happen now and then.)
sent_unchanged=$(fetcher_sent "unchanged since [0-9]+")
ok "the fetcher sent most of them as unchanged ($sent_unchanged)" \
    test "$sent_unchanged" -ge 5
like "$(log_since "$DAEMON_LOG" "$lines" | grep ' applier: ')" 'unchanged' \
    "the applier's debug log shows the unchanged acknowledgements"
is "$(readyz)" 200 "/readyz stays 200"
is "$(node_status .database_connected)" true "database_connected stays true"
ok "both NICs stay applied in GET /" state_count_is applied 2
is "$(status_field interfaces.applied)" 2 "and in multinicctl status"

# A changed row: the whole snapshot again, and it is applied.
link=$(link_of_mac "${macs[1]}")
lines=$(log_lines "$DAEMON_LOG")
row_set "${macs[1]}" "mtu = 1400"
ok "a changed row is applied" wait_until 300 link_mtu_is "$link" 1400
ok "by a whole snapshot" test "$(fetcher_sent "2 rows")" -ge 1

# multinicctl sync: whole, whatever the applier holds.
ok "the quiet comes back" wait_snapshots 3 600
lines=$(log_lines "$DAEMON_LOG")
ok "multinicctl sync" ctl sync
sent_whole() {
	[ "$(fetcher_sent "2 rows")" -ge 1 ]
}
ok "sends the whole snapshot" wait_until 100 sent_whole
node_stop
ok "no child was killed by a signal (seccomp)" \
    eval "! grep -q 'killed by signal' '$DAEMON_LOG'"
done_testing
