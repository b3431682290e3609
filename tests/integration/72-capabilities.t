#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The systemd unit's CapabilityBoundingSet is enough and nothing in it is
# spare: under exactly that set (read from etc/multinicd.service, through
# setpriv) the daemon starts its sandboxed children, applies a row in a
# namespace, serves HTTP, restarts a child on reload and stops cleanly;
# with any one capability taken away, something visibly breaks.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"

test_begin setpriv

unit=$here/../../etc/multinicd.service
# "CAP_NET_ADMIN CAP_SETUID" -> (net_admin setuid)
read -ra unit_caps < <(sed -n 's/^CapabilityBoundingSet=//p' "$unit" |
    tr '[:upper:]' '[:lower:]' | sed 's/cap_//g')
[ "${#unit_caps[@]}" -gt 0 ] || bail_out "no CapabilityBoundingSet= in $unit"
diag "the unit's bounding set: ${unit_caps[*]}"

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
mac=fa:16:3e:00:72:01
mariadb_sql "INSERT INTO multi_interface (port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, mtu) VALUES
    ('p1', 's1', '$mac', 'cap-node', '10.72.0.5', '10.72.0.0/24', 1400)"
ln -s "$MARIADB_SOCKET" "$TEST_DIR/db/other-name.sock"

# setpriv's list for CAPS: -all,+a,+b
bounding_list() {
	local list=-all cap
	for cap in "$@"; do
		list=$list,+$cap
	done
	echo "$list"
}

# start_bounded NAME CAP...: a fresh namespace with one NIC, a config of
# its own, and multinicd in it under bounding set CAP... Sets NS, CONF.
start_bounded() {
	local name=$1
	shift
	netns_create || bail_out "cannot create a namespace"
	NS=$NETNS_NAME
	netns_add_veth "$NS" ens5 "$mac" || bail_out "cannot add a veth link"
	mariadb_sql "UPDATE multi_interface SET netplan_success = 0"
	rm -rf "$TEST_DIR/state" "$TEST_DIR/root" "$TEST_DIR/run"
	mkdir -p "$TEST_DIR/run"
	CONF=$TEST_DIR/$name.conf
	write_test_config "$CONF" DB_SOCKET="$MARIADB_SOCKET" \
	    DB_PASSWORD="$MARIADB_PASSWORD" NODE_NAME=cap-node \
	    POLL_INTERVAL=1s HEALTH_ADDR=127.0.0.1 HEALTH_PORT=8080
	DAEMON_COUNT=$((DAEMON_COUNT + 1))
	DAEMON_LOG=$TEST_DIR/multinicd.$name.log
	env -i PATH="$DAEMON_PATH" ip netns exec "$NS" \
	    setpriv --bounding-set="$(bounding_list "$@")" \
	    "$MULTINIC_BUILD/multinicd" -d -f "$CONF" >"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	STARTED_PIDS+=("$DAEMON_PID")
}

finish_bounded() {
	stop_daemon "$DAEMON_PID" 30
	netns_delete "$NS"
}

row_applied() {
	[ "$(mariadb_sql "SELECT netplan_success FROM multi_interface")" = 1 ]
}

log_has() {
	grep -Eqs -- "$1" "$DAEMON_LOG"
}

# show_why REGEX: the log line that proves the point, for the reader.
show_why() {
	diag "$(grep -Em1 -- "$1" "$DAEMON_LOG")"
}

# bounding_mask CAP...: CapBnd of /proc/PID/status for that set, as the
# kernel reports it for a process started with it.
bounding_mask() {
	setpriv --bounding-set="$(bounding_list "$@")" cat /proc/self/status |
	    awk '$1 == "CapBnd:" { print $2 }'
}

fetcher_of() {
	child_titled "$1" "multinicd: fetcher"
}

start_bounded full "${unit_caps[@]}"
sv=$DAEMON_PID
wait_until 150 children_ready "$sv"
ok "under the unit's set the supervisor starts a titled fetcher and applier" \
    children_ready "$sv" || diag "$(cat "$DAEMON_LOG")"
is "$(proc_status "$sv" CapBnd)" "$(bounding_mask "${unit_caps[@]}")" \
    "the supervisor's bounding set is the unit's"
fetcher=$(fetcher_of "$sv")
is "$(proc_status "$fetcher" CapEff)" 0000000000000000 \
    "the fetcher has no capabilities"
applier=$(child_titled "$sv" "multinicd: applier")
is "$(proc_status "$applier" CapEff)/$(proc_status "$applier" CapBnd)" \
    0000000000001000/0000000000000000 \
    "the applier keeps CAP_NET_ADMIN alone and empties its bounding set"
ok "the row is applied" wait_until 100 row_applied
like "$(netns_ipv4 "$NS" multinic0)" '^10\.72\.0\.5/24$' \
    "multinic0 carries the row's address"
like "$(netns_link "$NS" multinic0)" ' mtu 1400 ' "and its MTU"
is "$(stat -c %G "$TEST_DIR/run/multinicd.sock")" \
    "$(id -gn _multinic)" "the control socket belongs to the fetcher's group"
like "$(ip netns exec "$NS" curl -s http://127.0.0.1:8080/)" \
    '"database_connected":true' "HTTP answers in the namespace"
# A key the fetcher's sandbox is built from: reload restarts the fetcher.
set_config "$CONF" DB_SOCKET "$TEST_DIR/db/other-name.sock"
kill -HUP "$sv"
ok "SIGHUP restarts the fetcher (the supervisor may signal it)" \
    wait_until 150 new_child_running "$sv" "multinicd: fetcher" "$fetcher"
kill -TERM "$sv"
ok "SIGTERM stops everything" wait_until 150 is_gone "$sv"
reap "$sv"
is "$?" 0 "and the supervisor exits 0"
netns_delete "$NS"

# without CAP: the unit's set minus CAP, one a line.
without() {
	local cap
	for cap in "${unit_caps[@]}"; do
		[ "$cap" = "$1" ] || echo "$cap"
	done
}

for cap in "${unit_caps[@]}"; do
	mapfile -t fewer < <(without "$cap")
	start_bounded "no-$cap" "${fewer[@]}"
	sv=$DAEMON_PID
	case $cap in
	net_admin)
		ok "without net_admin the applier cannot program the link" \
		    wait_until 100 log_has "[Oo]peration not permitted|EPERM"
		show_why "[Oo]peration not permitted|EPERM"
		ok "and the row is not applied" eval '! row_applied'
		;;
	setuid | setgid)
		ok "without $cap the fetcher cannot drop to _multinic" \
		    wait_until 150 log_has "set(res)?[ug]id|setgroups"
		show_why "set(res)?[ug]id|setgroups"
		;;
	kill)
		wait_until 150 children_ready "$sv"
		fetcher=$(fetcher_of "$sv")
		lines=$(log_lines "$DAEMON_LOG")
		kill -TERM "$sv"
		ok "without kill the supervisor cannot stop the fetcher" \
		    wait_until 150 logged_since "$lines" \
		    "cannot send SIGTERM to the fetcher"
		show_why "cannot send SIGTERM"
		ok "and the fetcher runs on" is_alive "$fetcher"
		;;
	chown)
		ok "without chown the control socket cannot go to _multinic's group: multinicd exits" \
		    wait_until 150 is_gone "$sv"
		like "$(cat "$DAEMON_LOG")" "multinicd.sock" "naming the socket"
		show_why "multinicd.sock"
		;;
	setpcap)
		ok "without setpcap the children cannot empty their bounding sets" \
		    wait_until 150 log_has "needs CAP_SETPCAP"
		show_why "needs CAP_SETPCAP"
		;;
	*)
		fail "no check for $cap: say in this test what needs it"
		;;
	esac
	finish_bounded
done

done_testing
