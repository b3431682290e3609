#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make demo: multinicd against a throwaway MariaDB, inside a network
# namespace with three hot-plugged NICs (veth links with chosen MACs).
# Shows the applied state, changes one row and deletes another, then
# removes everything it made, also on Ctrl-C. Run as root after "make".
# shellcheck source-path=SCRIPTDIR/..
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${MULTINIC_BUILD:-$top/build}
. "$top/tests/lib/tap.sh"	# diag and wait_until, which mariadb.sh uses
. "$top/tests/lib/mariadb.sh"
. "$top/tests/lib/netns.sh"

NODE=demo-node1
DEMO_DIR=
DAEMON_PID=
CLEANED=

say() {
	if [ -t 1 ]; then
		printf '\n\033[1m== %s\033[0m\n' "$*"
	else
		printf '\n== %s\n' "$*"
	fi
}

# run CMD...: shows the command, then its output.
run() {
	printf '$ %s\n' "$*"
	"$@" 2>&1
}

die() {
	echo "demo: $*" >&2
	if [ -n "$DEMO_DIR" ] && [ -s "$DEMO_DIR/multinicd.log" ]; then
		echo "demo: the daemon's log:" >&2
		tail -n 30 "$DEMO_DIR/multinicd.log" >&2
	fi
	exit 1
}

# Everything started here is stopped by its PID; the namespace and the
# temp dir go with it. Runs once, whichever of INT, TERM, EXIT comes first.
cleanup() {
	[ -z "$CLEANED" ] || return 0
	CLEANED=1
	trap - INT TERM
	say "cleaning up"
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill -TERM "$DAEMON_PID"
		wait_until 50 daemon_gone || kill -KILL "$DAEMON_PID" 2>/dev/null
		wait "$DAEMON_PID" 2>/dev/null
		echo "multinicd (pid $DAEMON_PID) stopped"
	fi
	if [ -n "$MARIADB_PID" ]; then
		mariadb_stop
		echo "mariadbd stopped"
	fi
	if [ "${#NETNS_CREATED[@]}" -gt 0 ]; then
		echo "namespace ${NETNS_CREATED[*]} deleted"
		netns_cleanup
	fi
	if [ -n "$DEMO_DIR" ]; then
		rm -rf "$DEMO_DIR"
		echo "$DEMO_DIR removed"
	fi
}

daemon_gone() {
	local state
	state=$(awk '/^State:/ { print $2 }' "/proc/$DAEMON_PID/status" \
	    2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ]
}

interrupted() {
	echo
	echo "demo: interrupted"
	cleanup
	exit 130
}

check_prerequisites() {
	[ "$(id -u)" = 0 ] || die "run as root (it creates a network namespace)"
	[ -x "$build/multinicd" ] || die "no $build/multinicd; run make first"
	CTL=$build/multinicctl
	[ -x "$CTL" ] || CTL=
	getent passwd _multinic >/dev/null ||
	    useradd --system --no-create-home --shell /usr/sbin/nologin \
	    _multinic || die "cannot create the _multinic user"
}

start_database() {
	say "a throwaway MariaDB with the controller's table and three rows"
	mariadb_start "$DEMO_DIR/db" || die "cannot start MariaDB"
	echo "mariadbd (pid $MARIADB_PID) on $MARIADB_SOCKET"
	# The third MAC in dash form and upper case: it is normalised.
	mariadb_sql "INSERT INTO multi_interface (port_id, subnet_id,
	    macaddress, attached_node_name, address, cidr, mtu) VALUES
	    ('port-a', 'net-1', 'fa:16:3e:de:00:01', '$NODE', '10.20.0.11', '10.20.0.0/24', 1500),
	    ('port-b', 'net-1', 'fa:16:3e:de:00:02', '$NODE', '10.20.0.12', '10.20.0.0/24', 1500),
	    ('port-c', 'net-2', 'FA-16-3E-DE-00-03', '$NODE', '192.168.50.7', '192.168.50.0/26', 1450)" ||
	    die "cannot insert the rows"
	show_rows
}

show_rows() {
	run mariadb --no-defaults -S "$MARIADB_SOCKET" -u root -t "$MARIADB_DB" \
	    -e "SELECT id, macaddress, attached_node_name AS node, address,
	    cidr, mtu, netplan_success FROM multi_interface ORDER BY id"
}

make_node() {
	say "a network namespace standing in for the node: three new NICs"
	netns_create || die "cannot create a network namespace"
	NS=$NETNS_NAME
	if ! { netns_add_veth "$NS" ens5 fa:16:3e:de:00:01 &&
	    netns_add_veth "$NS" ens6 fa:16:3e:de:00:02 &&
	    netns_add_veth "$NS" ens7 fa:16:3e:de:00:03; }; then
		die "cannot add the veth links"
	fi
	run ip -n "$NS" -br link show
}

start_daemon() {
	say "multinicd in the namespace (netplan, 1 s poll)"
	CONF=$DEMO_DIR/multinicd.conf
	(umask 077 && cat >"$CONF") <<-EOF
		NODE_NAME=$NODE
		DB_SOCKET=$MARIADB_SOCKET
		DB_USER=$MARIADB_USER
		DB_PASSWORD=$MARIADB_PASSWORD
		DB_NAME=$MARIADB_DB
		OS_TYPE=netplan
		CONFIG_ROOT=$DEMO_DIR/root
		STATE_DIR=$DEMO_DIR/state
		CONTROL_SOCKET=$DEMO_DIR/run/multinicd.sock
		HEALTH_ADDR=127.0.0.1
		HEALTH_PORT=$HTTP_PORT
		POLL_INTERVAL=1s
		LOG_FORMAT=text
	EOF
	sed 's/^DB_PASSWORD=.*/DB_PASSWORD=(hidden)/' "$CONF"
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ip netns exec "$NS" \
	    "$build/multinicd" -d -f "$CONF" >"$DEMO_DIR/multinicd.log" 2>&1 &
	DAEMON_PID=$!
	echo "multinicd (pid $DAEMON_PID) started; log in $DEMO_DIR/multinicd.log"
}

applied() {
	[ "$(mariadb_sql "SELECT COUNT(*) FROM multi_interface
	    WHERE netplan_success = 1")" = "$1" ]
}

ctl() {
	if [ -n "$CTL" ]; then
		run "$CTL" -s "$DEMO_DIR/run/multinicd.sock" "$@" ||
		    die "multinicctl $* failed"
	else
		echo "(multinicctl is not built yet: skipping multinicctl $*)"
	fi
}

show_state() {
	ctl status
	ctl show interfaces
	run ip -n "$NS" -br addr show
	printf '$ ip -n %s link show (name, MTU, MAC)\n' "$NS"
	ip -n "$NS" -o link show | awk '$2 ~ /^multinic/ { print $2, $4, $5, $(NF - 2) }'
	local file
	for file in "$DEMO_DIR"/root/etc/netplan/*.yaml; do
		[ -e "$file" ] || continue
		echo "--- ${file#"$DEMO_DIR"/root}"
		cat "$file"
	done
	run ip netns exec "$NS" curl -sS "http://127.0.0.1:$HTTP_PORT/" ||
	    die "no answer on http://127.0.0.1:$HTTP_PORT/ in $NS"
	echo
}

# link_with_mac MAC: the name of the namespace's link with that MAC.
link_with_mac() {
	ip -n "$NS" -o link show | awk -v mac="$1" '
	    { for (i = 1; i < NF; i++) if ($i == "link/ether" && $(i + 1) == mac) {
	        sub(/@.*/, "", $2); sub(/:$/, "", $2); print $2 } }'
}

# changed_and_deleted CHANGED DELETED: CHANGED runs at MTU 9000; DELETED has
# no IPv4 address and no netplan file left, and the daemon has reported the
# deletion done (nothing "deleting" on /).
changed_and_deleted() {
	ip -n "$NS" -o link show dev "$1" | grep -q ' mtu 9000 ' &&
	    [ -z "$(ip -n "$NS" -o -4 addr show dev "$2")" ] &&
	    ! grep -qs "$2" "$DEMO_DIR"/root/etc/netplan/*.yaml &&
	    ip netns exec "$NS" curl -s "http://127.0.0.1:$HTTP_PORT/" |
	    jq -e '.interfaces.deleting == 0' >/dev/null
}

main() {
	local started=$SECONDS
	check_prerequisites
	trap interrupted INT TERM
	trap cleanup EXIT
	DEMO_DIR=$(mktemp -d /tmp/multinic-demo.XXXXXX) || die "mktemp"
	# The fetcher's user must reach the DB socket inside.
	chmod 0755 "$DEMO_DIR"
	mkdir -p "$DEMO_DIR/root" "$DEMO_DIR/state" "$DEMO_DIR/run"
	# A fresh namespace has every port free; this one is on its loopback.
	HTTP_PORT=8080

	start_database
	make_node
	start_daemon
	wait_until 150 applied 3 || die "the three rows were not applied in 15 s"
	say "applied: every row has netplan_success = 1"
	show_rows
	show_state

	local changed deleted
	changed=$(link_with_mac fa:16:3e:de:00:01)
	deleted=$(link_with_mac fa:16:3e:de:00:02)
	say "the controller changes port-a's MTU to 9000 and deletes port-b"
	run mariadb_sql "UPDATE multi_interface SET mtu = 9000 WHERE port_id = 'port-a';
	    DELETE FROM multi_interface WHERE port_id = 'port-b'"
	wait_until 150 changed_and_deleted "$changed" "$deleted" ||
	    die "the change and the deletion were not applied in 15 s"
	say "after the change: $changed has MTU 9000, $deleted is de-configured"
	show_rows
	show_state
	cleanup
	say "done in $((SECONDS - started)) s"
}

main "$@"
