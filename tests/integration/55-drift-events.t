#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A managed link changed by hand is repaired on the kernel's event, not at
# the next poll (an hour away here): its MTU, a removed address, the link
# set down, a rename. Each repair is counted by kind and logged. Another
# agent setting an MTU back again and again is a fight: logged once, and
# the repairs back off. Events lost to an overrun of the event socket (the
# applier stopped while thousands of addresses come and go) make a full
# resync, which repairs what changed meanwhile.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

drift=fa:16:3e:55:00:01
fight=fa:16:3e:55:00:02
overrun=fa:16:3e:55:00:03
# No hot-plug polls: the flood's veth, whose peer stays on the node, would
# ask for them, and this test counts polls.
node_setup POLL_INTERVAL=1h HOTPLUG_POLL_INTERVAL=0
node_nic ens5 $drift
node_nic ens6 $fight
node_nic ens7 $overrun
row_add $drift 10.55.0.5 10.55.0.0/24 1450
row_add $fight 10.55.1.5 10.55.1.0/24 1450
row_add $overrun 10.55.2.5 10.55.2.0/24 1450
node_start
ok "the three rows are applied" wait_until 150 applied_rows 3
want0="multinic0 1450 up 10.55.0.5/24 "
is "$(link_state multinic0)" "$want0" "multinic0 is configured"
polls=$(node_metric multinic_polling_cycles_total)
like "$polls" '^[0-9]+$' "the poll counter reads $polls"

# repairs KIND: multinic_drift_repairs_total for that kind.
repairs() {
	node_metric "multinic_drift_repairs_total{kind=\"$1\"}"
}

# repairs_past KIND N: more than N repairs of KIND were counted.
repairs_past() {
	local value
	value=$(repairs "$1")
	[[ $value =~ ^[0-9]+$ ]] && [ "$value" -gt "$2" ]
}

# repaired KIND WHAT COMMAND...: COMMAND drifts multinic0; it comes back
# as wanted, counted and logged, without a poll.
repaired() {
	local kind=$1 what=$2 before lines
	shift 2
	before=$(repairs "$kind")
	lines=$(log_lines "$DAEMON_LOG")
	"$@" || bail_out "cannot drift multinic0: $*"
	ok "$what is repaired" wait_until 100 link_state_is multinic0 "$want0"
	ok "a $kind repair is counted" wait_until 100 repairs_past "$kind" "$before"
	ok "and logged" wait_until 50 logged_since "$lines" \
	    "updated multinic0 ($drift): "
}

is "$(repairs mtu)" 0 "no repair is counted before any drift"
repaired mtu "a changed MTU" ip -n "$NODE_NS" link set multinic0 mtu 1400
repaired address "a removed address" \
    ip -n "$NODE_NS" addr del 10.55.0.5/24 dev multinic0
repaired admin_state "the link set down" \
    ip -n "$NODE_NS" link set multinic0 down
printf 'link set multinic0 down\nlink set multinic0 name renamed0\n' \
    >"$TEST_DIR/rename.batch"
repaired name "a rename" ip -n "$NODE_NS" -batch "$TEST_DIR/rename.batch"
is "$(node_metric multinic_polling_cycles_total)" "$polls" \
    "no poll happened: the kernel's events did it"

# A fight: multinic1's MTU set back five times, each after its repair.
lines=$(log_lines "$DAEMON_LOG")
for round in 1 2 3 4 5; do
	ip -n "$NODE_NS" link set multinic1 mtu 1400
	wait_until 150 link_mtu_is multinic1 1450 ||
	    fail "round $round of the fight: multinic1's MTU is not repaired"
done
pass "multinic1's MTU was repaired after each of five changes"
is "$(log_since "$DAEMON_LOG" "$lines" | grep -c "multinic1 ($fight): repaired 3 times within 30 s")" 1 \
    "the fight is logged once"
ok "a repair during the fight waited for its backoff" \
    logged_since "$lines" "event cycle: a deferred repair is due"

# An overrun: the applier stopped, a flood of events, multinic2 changed.
ip -n "$NODE_NS" link add flood0 type veth peer name p-flood0 ||
    bail_out "cannot add flood0"
for verb in add del; do
	for i in $(seq 0 3999); do
		echo "addr $verb 10.99.$((i / 250)).$((i % 250 + 1))/32 dev flood0"
	done
done >"$TEST_DIR/flood.batch"
applier=$(node_applier)
like "$applier" '^[0-9]+$' "the applier runs as $applier"
lines=$(log_lines "$DAEMON_LOG")
kill -STOP "$applier"
ip -n "$NODE_NS" -batch "$TEST_DIR/flood.batch" ||
    fail "the flood of addresses failed"
ip -n "$NODE_NS" link set multinic2 mtu 1300
kill -CONT "$applier"
ok "the overrun is logged" wait_until 100 logged_since "$lines" \
    "the rtnetlink event socket overran"
ok "multinic2's MTU is repaired by the resync" \
    wait_until 100 link_mtu_is multinic2 1450
ok "the resync is logged" wait_until 50 logged_since "$lines" \
    "resynced after the overrun"
is "$(log_since "$DAEMON_LOG" "$lines" | grep -c 'event socket overran')" 1 \
    "the overrun is logged once"
is "$(node_metric multinic_polling_cycles_total)" "$polls" \
    "still no poll happened"
is "$(child_titled "$DAEMON_PID" "multinicd: applier")" "$applier" \
    "the applier is the same process"
done_testing
