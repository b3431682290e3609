#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# New rows become configured NICs: each NIC is renamed multinicN, gets the
# row's MTU and address and is up, its netplan file (9N-multinicN.yaml,
# mode 0600) is accepted by the real netplan, and the row says
# netplan_success=1.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

node_setup
node_nic ens5 fa:16:3e:40:00:01
node_nic ens6 fa:16:3e:40:00:02
node_nic ens7 fa:16:3e:40:00:03
row_add fa:16:3e:40:00:01 10.40.0.5 10.40.0.0/24 1500
row_add FA-16-3E-40-00-02 10.40.1.9 10.40.1.0/24 9000
# No address: named and given its MTU only.
row_add fa:16:3e:40:00:03 NULL NULL 1400
node_start

ok "all three rows say netplan_success=1" wait_until 100 applied_rows 3
is "$(link_of_mac fa:16:3e:40:00:01)" multinic0 "the first NIC is multinic0"
is "$(link_of_mac fa:16:3e:40:00:02)" multinic1 \
    "the second, its MAC written with dashes in capitals, is multinic1"
is "$(link_of_mac fa:16:3e:40:00:03)" multinic2 "the third is multinic2"
is "$(link_state multinic0)" "multinic0 1500 up 10.40.0.5/24 " \
    "multinic0 is up with MTU 1500 and 10.40.0.5/24"
is "$(link_state multinic1)" "multinic1 9000 up 10.40.1.9/24 " \
    "multinic1 is up with MTU 9000 and 10.40.1.9/24"
is "$(link_state multinic2)" "multinic2 1400 up " \
    "multinic2 is up with MTU 1400 and no IPv4 address"

is "$(find "$(netplan_dir)" -mindepth 1 -printf '%f %m\n' | sort)" \
    "90-multinic0.yaml 600
91-multinic1.yaml 600
92-multinic2.yaml 600" "etc/netplan holds one file per NIC, mode 0600, nothing else"
is "$(cat "$(netplan_file 1)")" \
    "# Written by multinicd: changes here are overwritten.
network:
  version: 2
  ethernets:
    multinic1:
      match:
        macaddress: \"fa:16:3e:40:00:02\"
      set-name: multinic1
      addresses:
      - 10.40.1.9/24
      mtu: 9000
      dhcp4: false" "multinic1's file matches the MAC, sets the name, address and MTU"
unlike "$(cat "$(netplan_file 2)")" addresses "multinic2's file has no addresses"
ok "netplan generate accepts the files" netplan_accepts
networkd=$NODE_ROOT/run/systemd/network
ok "netplan turns multinic1's file into a networkd unit with its address" \
    grep -qx 'Address=10.40.1.9/24' "$networkd/10-netplan-multinic1.network"
ok "and a link unit that names it by its MAC" \
    grep -qx 'Name=multinic1' "$networkd/10-netplan-multinic1.link"
ok "the health endpoint counts three applied interfaces" \
    state_count_is applied 3
done_testing
