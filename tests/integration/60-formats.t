#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The same cycle for each persistent format: rows become files in the
# format's place (ifcfg, wicked, netplan), with udev rules following the
# managed set where the format needs them; an update rewrites the file and
# a deleted row takes its file and rule away. Source routing is on: each
# NIC's routes and rule are in the format's own files beside its file, and
# go with it.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"

test_begin

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
node=$(uname -n)
header='# Written by multinicd: changes here are overwritten.'

applied_rows() {
	[ "$(mariadb_sql "SELECT COUNT(*) FROM multi_interface
	    WHERE netplan_success = 1")" = "$1" ]
}

file_has() {
	grep -qxF "$2" "$1" 2>/dev/null
}

# expected_file FORMAT SLOT MAC ADDRESS PREFIX MTU: the whole file.
expected_file() {
	local slot=$2 mac=$3 addr=$4 prefix=$5 mtu=$6
	echo "$header"
	case $1 in
	ifcfg)
		printf 'DEVICE="multinic%s"\nNAME="multinic%s"\n' "$slot" "$slot"
		printf 'TYPE="Ethernet"\nONBOOT="yes"\nBOOTPROTO="none"\n'
		printf 'HWADDR="%s"\nIPADDR="%s"\nPREFIX="%s"\nMTU="%s"\n' \
		    "$mac" "$addr" "$prefix" "$mtu" ;;
	wicked)
		printf '# multinic%s %s\n' "$slot" "$mac"
		printf "STARTMODE='auto'\nBOOTPROTO='static'\n"
		printf "IPADDR='%s/%s'\nMTU='%s'\n" "$addr" "$prefix" "$mtu" ;;
	esac
}

# expected_routing FORMAT routes|rule SLOT ADDRESS: multinicN's routes
# or rule file, for an address in 10.1.0.0/24 (gateway 10.1.0.1).
expected_routing() {
	local slot=$3 addr=$4 table=$((1000 + $3))
	echo "$header"
	case $1-$2 in
	ifcfg-routes)
		echo "10.1.0.0/24 dev multinic$slot scope link src $addr table $table"
		echo "default via 10.1.0.1 dev multinic$slot table $table" ;;
	ifcfg-rule)
		echo "from $addr/32 table $table priority $table" ;;
	wicked-routes)
		echo "10.1.0.0/24 - - multinic$slot scope link src $addr table $table"
		echo "default 10.1.0.1 - multinic$slot table $table" ;;
	wicked-rule)
		echo "ipv4 from $addr/32 table $table priority $table" ;;
	esac
}

udev_rule() {
	printf 'SUBSYSTEM=="net", ACTION=="add", ATTR{address}=="%s", NAME="multinic%s"\n' \
	    "$1" "$2"
}

run_format() {
	local format=$1 dir=$2 routes=$3 rule=$4 root conf ns f0 f1 rules
	root=$TEST_DIR/$format-root
	conf=$TEST_DIR/$format.conf
	rm -rf "$TEST_DIR/state"
	netns_create || bail_out "cannot create a namespace"
	ns=$NETNS_NAME
	netns_add_veth "$ns" ens5 fa:16:3e:00:10:01
	netns_add_veth "$ns" ens6 fa:16:3e:00:10:02
	mariadb_sql "DELETE FROM multi_interface;
	    INSERT INTO multi_interface (port_id, subnet_id, macaddress,
	    attached_node_name, address, cidr, mtu) VALUES
	    ('p1', 's1', 'fa:16:3e:00:10:01', '$node', '10.1.0.5', '10.1.0.0/24', 1500),
	    ('p2', 's1', 'fa:16:3e:00:10:02', '$node', '10.1.0.6', '10.1.0.0/24', 1500)"
	write_test_config "$conf" OS_TYPE="$format" CONFIG_ROOT="$root" \
	    DB_SOCKET="$MARIADB_SOCKET" DB_PASSWORD="$MARIADB_PASSWORD" \
	    POLL_INTERVAL=1s LOG_LEVEL=debug SOURCE_ROUTING=on
	start_in_netns "$ns" "$conf"
	ok "$format: both rows applied" wait_until 100 applied_rows 2

	f0=$root/$dir/ifcfg-multinic0
	f1=$root/$dir/ifcfg-multinic1
	rules=$root/etc/udev/rules.d/70-multinic.rules
	is "$(cat "$f0" 2>&1)" \
	    "$(expected_file "$format" 0 fa:16:3e:00:10:01 10.1.0.5 24 1500)" \
	    "$format: multinic0's file is as expected"
	is "$(stat -c %a "$f0" 2>&1)" 600 "$format: its mode is 0600"
	is "$(cat "$rules" 2>&1)" "$(echo "$header"
	    udev_rule fa:16:3e:00:10:01 0; udev_rule fa:16:3e:00:10:02 1)" \
	    "$format: a udev rule per managed NIC"
	like "$(netns_ipv4 "$ns" multinic1)" '^10\.1\.0\.6/24$' \
	    "$format: multinic1 is live with its address"
	is "$(cat "$root/$dir/$routes-multinic0" 2>&1)" \
	    "$(expected_routing "$format" routes 0 10.1.0.5)" \
	    "$format: multinic0's routes file"
	is "$(cat "$root/$dir/$rule-multinic1" 2>&1)" \
	    "$(expected_routing "$format" rule 1 10.1.0.6)" \
	    "$format: multinic1's rule file"
	like "$(ip -n "$ns" rule show priority 1001)" \
	    'from 10\.1\.0\.6 lookup 1001' "$format: and the rule is live"

	mariadb_sql "UPDATE multi_interface SET mtu = 9000 WHERE macaddress = 'fa:16:3e:00:10:01'"
	if [ "$format" = ifcfg ]; then
		ok "$format: the MTU change reaches the file" \
		    wait_until 100 file_has "$f0" 'MTU="9000"'
	else
		ok "$format: the MTU change reaches the file" \
		    wait_until 100 file_has "$f0" "MTU='9000'"
	fi

	mariadb_sql "DELETE FROM multi_interface WHERE macaddress = 'fa:16:3e:00:10:02'"
	ok "$format: the deleted row's file goes" wait_until 100 \
	    eval "[ ! -e '$f1' ]"
	ok "$format: and its routes and rule files with it" wait_until 100 \
	    eval "[ ! -e '$root/$dir/$routes-multinic1' ] &&
	    [ ! -e '$root/$dir/$rule-multinic1' ]"
	ok "$format: the udev rules follow the managed set" wait_until 150 \
	    eval "[ \"\$(cat '$rules')\" = \"\$(echo '$header'; udev_rule fa:16:3e:00:10:01 0)\" ]"
	is "$(netns_ipv4 "$ns" multinic1)" "" "$format: multinic1 is de-configured"

	stop_daemon "$DAEMON_PID"
	netns_delete "$ns"
}

run_format ifcfg etc/sysconfig/network-scripts route rule
run_format wicked etc/sysconfig/network ifroute ifrule

done_testing
