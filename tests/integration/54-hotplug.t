#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A NIC plugged in after its row was read is configured on the kernel's
# event, not at the next poll: with an hour between polls, it is named,
# given its MTU and address and written to a file within seconds, and no
# poll happens meanwhile.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

mac=fa:16:3e:54:00:01
node_setup POLL_INTERVAL=1h
row_add $mac 10.54.0.5 10.54.0.0/24 1400
node_start

ok "the applier acknowledged the first snapshot" \
    wait_until 300 counter_past applied_generation 1
ok "the NIC is waiting" wait_until 100 state_count_is waiting 1
polls=$(node_metric multinic_polling_cycles_total)
like "$polls" '^[0-9]+$' "the poll counter reads $polls"

# The peer goes to a namespace of its own: only the NIC appears here.
netns_create || bail_out "cannot create the peer's namespace"
ip -n "$NODE_NS" link add ens5 address $mac type veth \
    peer name p-ens5 netns "$NETNS_NAME" || bail_out "cannot plug in ens5"
ok "the plugged NIC becomes multinic0 with the row's MTU and address" \
    wait_until 100 link_state_is multinic0 "multinic0 1400 up 10.54.0.5/24 "
ok "its file is written" wait_until 100 test -f "$(netplan_file 0)"
ok "the row says netplan_success=1" wait_until 100 success_is $mac 1
ok "nothing is waiting any more" wait_until 100 state_count_is waiting 0
is "$(node_metric multinic_polling_cycles_total)" "$polls" \
    "no poll happened: the kernel's event did it"
ok "the applier logged the event cycle" log_has 'event cycle: link changed'
ok "netplan generate accepts the file" netplan_accepts
done_testing
