#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# NetworkManager keyfiles, judged by NetworkManager's own reader (libnm, in
# tests/nmcheck): the golden files, then the files the daemon writes with
# OS_TYPE=networkmanager (root's, mode 0600, a UUID derived from the MAC),
# a hand edit repaired, a change rolled back, a deleted row's file and udev
# rule gone, source routing's routes and rule in the file. OS_TYPE=auto
# picks keyfiles for RHEL 10 and Fedora, ifcfg for RHEL 7-9, and OS_TYPE
# overrides it.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

nmcheck=$MULTINIC_BUILD/tests/nmcheck
header='# Written by multinicd: changes here are overwritten.'
mac0=fa:16:3e:61:00:01
mac1=fa:16:3e:61:00:02

node_setup OS_TYPE=networkmanager
[ -x "$nmcheck" ] || bail_out "no $nmcheck (make integration builds it)"

# --- The golden files, as NetworkManager would find them: root's, 0600 ---
golden=$TEST_DIR/golden
mkdir -p "$golden"
for f in "$here"/../golden/networkmanager/*.nmconnection; do
	install -m 0600 "$f" "$golden/"
done
ok "libnm reads every golden file as multinicd's parser does" \
    "$nmcheck" "$golden"/*.nmconnection
# nmcheck_bad EDIT: nmcheck's exit status and messages, on one line, for
# multinic0's golden file edited by sed EDIT.
nmcheck_bad() {
	local out status
	sed "$1" "$golden/multinic0-address.nmconnection" \
	    >"$golden/bad.nmconnection"
	chmod 0600 "$golden/bad.nmconnection"
	out=$("$nmcheck" "$golden/bad.nmconnection" 2>&1)
	status=$?
	echo "exit $status: ${out//$'\n'/ }"
}
like "$(nmcheck_bad 's/^mtu=1500$/mtu=15x0/')" \
    "^exit 1: .*libnm warns: .*integer" "libnm itself fails a bad MTU"
like "$(nmcheck_bad 's|^address1=.*|address1=10.0.0.5/40|')" \
    "^exit 1: .*libnm warns: .*prefix" "and a bad prefix"
like "$(nmcheck_bad 's/^method=ignore$/method=bogus/')" \
    "^exit 1: .*libnm: ipv6\.method" "and a bad IPv6 method"
chmod 0644 "$golden/multinic0-address.nmconnection"
ok "and one NetworkManager would skip for its mode" \
    eval "! '$nmcheck' '$golden/multinic0-address.nmconnection' 2>/dev/null"

# --- The daemon's files ---
node_nic ens5 $mac0
node_nic ens6 $mac1
row_add $mac0 10.61.0.5 10.61.0.0/24 1500
row_add $mac1 NULL NULL 9000
node_start
ok "both rows are applied" wait_until 100 applied_rows 2
is "$(status_field os_type)" networkmanager "status says os_type networkmanager"

dir=$NODE_ROOT/etc/NetworkManager/system-connections
file0=$dir/multinic0.nmconnection
file1=$dir/multinic1.nmconnection
rules=$NODE_ROOT/etc/udev/rules.d/70-multinic.rules
is "$(find "$dir" -maxdepth 1 -type f -printf '%f %m %u\n' | sort)" \
    "multinic0.nmconnection 600 root
multinic1.nmconnection 600 root" \
    "one keyfile per NIC, root's, mode 0600, nothing else"

# RFC 4122 version 5 by another implementation than ours.
uuid_of() {
	python3 -c 'import sys, uuid
print(uuid.uuid5(uuid.UUID("11ee3422-cea2-47b3-8b96-f96c55847c6a"), sys.argv[1]))' "$1"
}
uuid0=$(uuid_of $mac0)
uuid1=$(uuid_of $mac1)
is "$(cat "$file0")" "$header
[connection]
id=multinic0
uuid=$uuid0
type=ethernet
interface-name=multinic0
autoconnect=true

[ethernet]
mac-address=$mac0
mtu=1500

[ipv4]
method=manual
address1=10.61.0.5/24

[ipv6]
method=ignore" "multinic0's keyfile is as expected"
is "$("$nmcheck" "$file0" "$file1" 2>&1)" \
    "$file0: interface-name=multinic0 mac=$mac0 mtu=1500 ipv4=10.61.0.5/24 ipv6=ignore uuid=$uuid0
$file1: interface-name=multinic1 mac=$mac1 mtu=9000 ipv4=disabled ipv6=ignore uuid=$uuid1" \
    "libnm reads the rows' name, MAC, MTU and address, IPv6 left alone"
is "$(cat "$rules" 2>&1)" "$header
SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"$mac0\", NAME=\"multinic0\"
SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"$mac1\", NAME=\"multinic1\"" \
    "a udev rule names each NIC at boot"
like "$(link_state multinic0)" "^multinic0 1500 up 10\.61\.0\.5/24 $" \
    "multinic0 is live with its address"

# --- A hand edit is drift: the file is written again ---
want0=$(cat "$file0")
sed -i 's/^mtu=1500$/mtu=1400/' "$file0"
file0_is_ours() {
	[ "$(cat "$file0")" = "$want0" ]
}
ok "an edited MTU in the keyfile is repaired" wait_until 150 file0_is_ours
is "$(stat -c '%a %U' "$file0")" "600 root" "still root's, mode 0600"
ok "and libnm reads it" "$nmcheck" "$file0"

# --- A change that cannot be written is rolled back, then goes through ---
# Read-only in the daemon's mount namespace only (ip netns exec gave it its
# own), as in 47-rollback.
in_daemon_mounts() {
	nsenter -t "$(node_applier)" -m -- "$@"
}
link_before=$(link_state multinic0)
if ! in_daemon_mounts mount --bind "$dir" "$dir" ||
    ! in_daemon_mounts mount -o remount,bind,ro "$dir"; then
	bail_out "cannot make $dir read-only for the daemon"
fi
row_set $mac0 "mtu = 9000, address = '10.61.7.7', cidr = '10.61.0.0/16'"
ok "read-only keyfile directory: the row says netplan_success=0" \
    wait_until 100 success_is $mac0 0
is "$(cat "$file0")" "$want0" "the old keyfile is there"
is "$(link_state multinic0)" "$link_before" \
    "the link keeps its old MTU and address"
in_daemon_mounts umount "$dir" || bail_out "cannot unmount $dir"
file0_says() {
	"$nmcheck" "$file0" 2>/dev/null | grep -q "mtu=9000 ipv4=10.61.7.7/16 "
}
ok "writable again, the change reaches the keyfile as libnm reads it" \
    wait_until 150 file0_says
ok "and the row says netplan_success=1" wait_until 100 success_is $mac0 1

# --- A deleted row takes its keyfile and udev rule away ---
mariadb_sql "DELETE FROM multi_interface WHERE macaddress = '$mac1'"
ok "the deleted row's keyfile goes" wait_until 150 test ! -e "$file1"
rules_only_mac0() {
	[ "$(cat "$rules")" = "$header
SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"$mac0\", NAME=\"multinic0\"" ]
}
ok "the udev rules follow the managed set" wait_until 150 rules_only_mac0
node_stop

# --- Source routing: the routes and the rule in the keyfile, as libnm reads
# them, and as they are live ---
set_config "$NODE_CONF" SOURCE_ROUTING on
node_start
routing0="route1=10.61.0.0/16 via - metric 0 table 1000 src 10.61.7.7 scope 253 attributes 3 route2=0.0.0.0/0 via 10.61.0.1 metric 0 table 1000 src - scope - attributes 1 routing-rule1=priority 1000 from 10.61.7.7/32 table 1000"
file0_routing() {
	[ "$("$nmcheck" "$file0" 2>&1)" = "$file0: interface-name=multinic0 mac=$mac0 mtu=9000 ipv4=10.61.7.7/16 ipv6=ignore uuid=$uuid0 $routing0" ]
}
ok "SOURCE_ROUTING=on: libnm reads multinic0's table, gateway and rule" \
    wait_until 150 file0_routing
is "$(sed -n '/^\[ipv4\]$/,/^$/p' "$file0")" "[ipv4]
method=manual
address1=10.61.7.7/16
route1=10.61.0.0/16,0.0.0.0,0
route1_options=scope=253,src=10.61.7.7,table=1000
route2=0.0.0.0/0,10.61.0.1,0
route2_options=table=1000
routing-rule1=priority 1000 from 10.61.7.7/32 table 1000" "the keyfile carries the routes in libnm's syntax"
# The rule and the table as the kernel has them, "" while not (yet) live.
live_routing() {
	ip -n "$NODE_NS" rule show priority 1000
	ip -n "$NODE_NS" -4 route show table 1000 2>/dev/null | sed 's/ *$//'
}
live_routing_is() {
	[ "$(live_routing)" = "$1" ]
}
want_live="1000:	from 10.61.7.7 lookup 1000
default via 10.61.0.1 dev multinic0 proto static
10.61.0.0/16 dev multinic0 proto static scope link src 10.61.7.7"
ok "the same rule and routes are live" \
    wait_until 150 live_routing_is "$want_live" ||
    diag "live: $(live_routing)"
unlike "$(cat "$DAEMON_LOG")" "set live only" \
    "the applier no longer says the keyfile format is live only"
want0=$(cat "$file0")
sed -i 's/^route2_options=table=1000$/route2_options=table=1001/' "$file0"
ok "an edited route table in the keyfile is repaired" \
    wait_until 150 file0_is_ours
node_stop

# --- OS_TYPE=auto, and the override ---
# os_type_of SAMPLE [OS_TYPE]: what multinicd -n -v says of OS_TYPE with the
# sample as CONFIG_ROOT/etc/os-release.
os_type_of() {
	local root=$TEST_DIR/os-$1 conf=$TEST_DIR/os-$1.conf
	mkdir -p "$root/etc"
	cp "$here/../golden/os-release/$1" "$root/etc/os-release"
	write_test_config "$conf" CONFIG_ROOT="$root" OS_TYPE="${2:-auto}"
	"$MULTINIC_BUILD/multinicd" -n -v -f "$conf" 2>/dev/null |
	    awk -F'[= ]' '$1 == "OS_TYPE" { print $2 }'
}
is "$(os_type_of rhel-10)" networkmanager "auto: RHEL 10 gets keyfiles"
is "$(os_type_of almalinux-10)" networkmanager "auto: AlmaLinux 10 too"
is "$(os_type_of fedora-41)" networkmanager "auto: Fedora too"
is "$(os_type_of rhel-9)" ifcfg "auto: RHEL 9 keeps ifcfg"
is "$(os_type_of centos-7)" ifcfg "auto: CentOS 7 too"
is "$(os_type_of rhel-10 ifcfg)" ifcfg "OS_TYPE=ifcfg overrides it on RHEL 10"
done_testing
