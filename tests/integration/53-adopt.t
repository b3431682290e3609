#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A node the earlier agent managed: its netplan files have our names and
# shape, and its NICs are named and configured, but STATE_DIR is new. At
# the first start multinicd adopts those files: a NIC whose row is there
# stays as it is, one whose row is gone is reported and de-configured like
# any NIC of ours, and a file that is not of our shape is left alone.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

kept_mac=fa:16:3e:53:00:01
gone_mac=fa:16:3e:53:00:02
foreign_mac=fa:16:3e:53:00:03
node_setup
node_nic ens5 $kept_mac
node_nic ens6 $gone_mac
node_nic ens7 $foreign_mac
row_add $kept_mac 10.53.0.5 10.53.0.0/24 1450

# What the earlier agent left: links renamed and configured, and its files
# (no header, flow-style lists, unquoted MACs).
old_agent_nic() {	# OLD-NAME NEW-NAME ADDRESS MTU
	ip -n "$NODE_NS" link set dev "$1" down
	ip -n "$NODE_NS" link set dev "$1" name "$2"
	ip -n "$NODE_NS" link set dev "$2" mtu "$4" up
	ip -n "$NODE_NS" addr add "$3" dev "$2"
}
old_agent_file() {	# SLOT MAC ADDRESS MTU [EXTRA-KEY]
	mkdir -p "$(netplan_dir)"
	cat >"$(netplan_file "$1")" <<EOF2
network:
  version: 2
  ethernets:
    multinic$1:
      match: {macaddress: $2}
      set-name: multinic$1
      addresses: [$3]
      mtu: $4
      dhcp4: false${5:+
      $5}
EOF2
}
old_agent_nic ens5 multinic0 10.53.0.5/24 1450
old_agent_file 0 $kept_mac 10.53.0.5/24 1450
old_agent_nic ens6 multinic1 10.53.1.5/24 1500
old_agent_file 1 $gone_mac 10.53.1.5/24 1500
old_agent_nic ens7 multinic2 10.53.2.5/24 1500
old_agent_file 2 $foreign_mac 10.53.2.5/24 1500 "dhcp6: true"
foreign_file=$(cat "$(netplan_file 2)")
kept_link=$(link_state multinic0)

node_start
ok "the first start adopts the file of multinic0" \
    wait_until 100 log_has "applier: adopted multinic0 \\($kept_mac\\) from an existing file"
ok "and of multinic1" log_has "applier: adopted multinic1 \\($gone_mac\\) from an existing file"
ok "a file of another shape is not adopted, and the log says why" \
    log_has "applier: not adopting .*/92-multinic2\\.yaml: .*dhcp6"
ok "the NIC with a row is applied" wait_until 100 success_is $kept_mac 1
is "$(link_state multinic0)" "$kept_link" "and keeps its name, MTU and address"
ok "its file is rewritten as ours, with the header" \
    wait_until 100 grep -q '^# Written by multinicd' "$(netplan_file 0)"
ok "the NIC whose row is gone is de-configured, its file removed" \
    wait_until 300 test ! -e "$(netplan_file 1)"
is "$(link_ipv4 multinic1)" "" "its address is gone"
ok "the applier acts on two more snapshots" wait_snapshots 2
is "$(cat "$(netplan_file 2)")" "$foreign_file" "the foreign file is untouched"
is "$(link_state multinic2)" "multinic2 1500 up 10.53.2.5/24 " \
    "and so is its link"

# Adoption happens once: a file written later is not adopted.
node_stop
old_agent_file 2 $foreign_mac 10.53.2.5/24 1500
node_start
ok "the applier acts on two snapshots after a restart" wait_snapshots 2
unlike "$(log_since "$DAEMON_LOG" 0)" "adopted multinic2" \
    "a later start adopts nothing: the name map exists"
done_testing
