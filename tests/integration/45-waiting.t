#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A row whose MAC is not on the node yet waits: netplan_success=0, no file,
# nothing retried or logged above debug poll after poll. When the NIC is
# plugged in, the next cycle applies the row.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

mac=fa:16:3e:45:00:01
node_setup
row_add $mac 10.45.0.5 10.45.0.0/24 1500
node_start

ok "the health endpoint counts one NIC waiting" \
    wait_until 100 state_count_is waiting 1
ok "the row says netplan_success=0" success_is $mac 0
lines=$(log_lines "$DAEMON_LOG")
ok "the applier acts on three more snapshots" wait_snapshots 3
ok "still waiting" state_count_is waiting 1
is "$(find "$(netplan_dir)" -mindepth 1)" "" "no file is written for it"
is "$(log_since "$DAEMON_LOG" "$lines" | grep -v ' debug ')" "" \
    "nothing above debug is logged while it waits"

node_nic ens5 $mac
ok "once the NIC is plugged in, the row is applied" \
    wait_until 150 success_is $mac 1
is "$(link_state multinic0)" "multinic0 1500 up 10.45.0.5/24 " \
    "the NIC is multinic0, up, with its MTU and address"
ok "its file is there" [ -f "$(netplan_file 0)" ]
ok "netplan generate accepts it" netplan_accepts
ok "nothing is waiting any more" state_count_is waiting 0
done_testing
