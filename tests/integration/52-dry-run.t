#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# DRY_RUN=true changes nothing: no name, MTU, address or file, no write to
# the table. Each planned action is logged once at info, when it first
# appears or changes, not at every poll; the status shows it as pending.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

mac=fa:16:3e:52:00:01
node_setup DRY_RUN=true
node_nic ens5 $mac
row_add $mac 10.52.0.5 10.52.0.0/24 1400
before=$(link_state ens5)
node_start

# would_lines: info lines of the plan for the row (debug ones are repeats).
would_lines() {
	grep -c "info  applier: dry run: would create multinic0 ($mac): $1" \
	    "$DAEMON_LOG"
}
would_logged() {
	[ "$(would_lines "$1")" -ge 1 ]
}
ok "the plan is logged" wait_until 100 would_logged "mtu 1400, 10.52.0.5/24"
ok "the applier acts on three more snapshots" wait_snapshots 3
is "$(would_lines "mtu 1400, 10.52.0.5/24")" 1 \
    "the same plan is logged at info once, not at every poll"
like "$(nic_of $mac)" "^pending dry run: would create" \
    "show interfaces says what would be done"
is "$(link_state ens5)" "$before" "the NIC keeps its name, MTU, state and no address"
is "$(find "$(netplan_dir)" -type f 2>/dev/null)" "" "no file is written"
is "$(mac_success $mac)" 0 "netplan_success is not written"

row_set $mac "mtu = 1450"
ok "a changed row is a new plan, logged again" \
    wait_until 100 would_logged "mtu 1450, 10.52.0.5/24"
ok "the applier acts on three more snapshots" wait_snapshots 3
is "$(would_lines "mtu 1450, 10.52.0.5/24")" 1 "and only once"
is "$(link_state ens5)" "$before" "the NIC is still untouched"
done_testing
