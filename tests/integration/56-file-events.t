#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A managed file changed by hand is ours again at once, not at the next
# poll: the applier watches its directory with inotify. An edited file is
# rewritten, and so is a deleted one, and the log says why; the poll counter
# shows that no poll did it (the next poll is an hour away). The same goes
# for the udev rules of ifcfg.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

mac=fa:16:3e:56:00:01
logged() {
	grep -qF -- "$1" "$DAEMON_LOG"
}
node_setup POLL_INTERVAL=1h
node_nic ens5 $mac
row_add $mac 10.56.0.5 10.56.0.0/24 1500
node_start
ok "the row is applied by the first poll" wait_until 100 success_is $mac 1
ok "the applier says it watches the files with inotify" \
    logged 'managed files: watched by inotify'
polls=$(node_metric multinic_polling_cycles_total)
is "$polls" 1 "one poll so far"

file=$(netplan_file 0)
ours=$(cat "$file")
file_is_ours() {
	[ "$(cat "$file" 2>/dev/null)" = "$ours" ]
}
# changed_logged_more_than N: the change of the file was logged more than
# N times.
changed_logged_more_than() {
	[ "$(grep -cF -- "$file changed outside multinicd" "$DAEMON_LOG")" \
	    -gt "$1" ]
}

# An editor's way: a new file renamed over the old one.
sed -i 's/mtu: 1500/mtu: 9000/' "$file"
like "$(cat "$file")" "mtu: 9000" "the file was edited by hand"
ok "the edited file is ours again" wait_until 100 file_is_ours
ok "the log says it was changed by someone else" \
    wait_until 100 logged "$file changed outside multinicd"
ok "and that multinic0's file was repaired" \
    wait_until 100 logged "updated multinic0 ($mac): file"
is "$(node_metric multinic_polling_cycles_total)" "$polls" \
    "no poll was needed"

# Written in place, as `cat >file` does.
printf '# not ours\n' >"$file"
ok "a file overwritten in place is ours again" wait_until 100 file_is_ours

changed=$(grep -cF -- "$file changed outside multinicd" "$DAEMON_LOG")
rm -f "$file"
ok "a deleted file is written again" wait_until 100 file_is_ours
ok "the log says so" wait_until 100 changed_logged_more_than "$changed"
is "$(stat -c %a "$file")" 600 "with mode 0600"
is "$(node_metric multinic_polling_cycles_total)" "$polls" \
    "and no poll was needed"
is "$(link_state multinic0)" "multinic0 1500 up 10.56.0.5/24 " \
    "the link was left as it was"
ok "netplan generate accepts the file" netplan_accepts

# ifcfg and wicked name NICs at boot by a udev rule: its file is watched too.
node_stop
ifcfg_conf=$TEST_DIR/ifcfg.conf
node_config "$ifcfg_conf" POLL_INTERVAL=1h OS_TYPE=ifcfg
start_in_netns "$NODE_NS" "$ifcfg_conf"
wait_children_ready "$DAEMON_PID"
rules=$NODE_ROOT/etc/udev/rules.d/70-multinic.rules
rule="SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"$mac\", NAME=\"multinic0\""
rules_are_ours() {
	grep -qxF "$rule" "$rules" 2>/dev/null
}
ok "the udev rule is written" wait_until 100 rules_are_ours
ok "after the first poll" wait_until 100 counter_past polls 1
polls=$(node_metric multinic_polling_cycles_total)
printf '# not ours\n' >"$rules"
ok "udev rules overwritten by hand are ours again" \
    wait_until 100 rules_are_ours
ok "the log says they were changed" \
    wait_until 100 logged "$rules changed outside multinicd"
rm -f "$rules"
ok "deleted, they are written again" wait_until 100 rules_are_ours
is "$(node_metric multinic_polling_cycles_total)" "$polls" \
    "no poll was needed"
done_testing
