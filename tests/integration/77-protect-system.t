#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The unit's view of the file system is enough for the default paths: in a
# mount namespace of its own where / is read-only (ProtectSystem=strict),
# only the unit's ReadWritePaths=, StateDirectory= and RuntimeDirectory=
# are writable (each a fresh tmpfs, so nothing of this machine is written)
# and the bounding set is the unit's, multinicd with CONFIG_ROOT=/, the
# default STATE_DIR and CONTROL_SOCKET applies a row in a network namespace,
# reaching MariaDB through a socket on the read-only file system.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"

test_begin nsenter

unit=$here/../../etc/multinicd.service
setting() {
	sed -n "s/^$1=//p" "$unit"
}
caps=$(setting CapabilityBoundingSet | tr '[:upper:]' '[:lower:]' |
    sed 's/cap_//g; s/ /,+/g')
# "-/etc/netplan -/etc/sysconfig/network-scripts" ... -> "/etc/netplan ..."
writable=$(setting ReadWritePaths | tr '\n' ' ' | sed 's/-\//\//g')
state=/var/lib/$(setting StateDirectory)
runtime=/run/$(setting RuntimeDirectory)
is "$state:$runtime" /var/lib/multinic:/run/multinicd \
    "the unit's state and runtime directories are multinicd's defaults"

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
mac=fa:16:3e:00:77:01
mariadb_sql "INSERT INTO multi_interface (port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, mtu) VALUES
    ('p1', 's1', '$mac', 'ro-node', '10.77.0.5', '10.77.0.0/24', 1450)"
netns_create || bail_out "cannot create a namespace"
ns=$NETNS_NAME
netns_add_veth "$ns" ens5 "$mac" || bail_out "cannot add a veth link"

# Only the DB settings and the node: every path is multinicd's default.
conf=$TEST_DIR/multinicd.conf
write_config "$conf" DB_SOCKET="$MARIADB_SOCKET" \
    DB_PASSWORD="$MARIADB_PASSWORD" NODE_NAME=ro-node POLL_INTERVAL=1s \
    OS_TYPE=netplan HEALTH_PORT=0 LOG_FORMAT=text

# What systemd sets up, by hand: tmpfs on each writable path that exists
# ("-": the others are skipped), on /var/lib and /run for the directories
# systemd creates, then / and everything else below it read-only.
sandbox=$TEST_DIR/sandbox.sh
cat >"$sandbox" <<-EOF
	set -e
	mount --make-rprivate /
	for dir in $writable; do
		[ ! -d "\$dir" ] || mount -t tmpfs -o mode=0755 tmpfs "\$dir"
	done
	mount -t tmpfs -o mode=0755 tmpfs /var/lib
	mkdir -m 0755 $state
	mount -t tmpfs -o mode=0755 tmpfs /run
	mkdir -m 0755 $runtime
	mount -o remount,bind,ro /
	exec setpriv --bounding-set=-all,+$caps $MULTINIC_BUILD/multinicd -d -f $conf
EOF
DAEMON_LOG=$TEST_DIR/multinicd.log
env -i PATH="$DAEMON_PATH" ip netns exec "$ns" unshare -m sh "$sandbox" \
    >"$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
STARTED_PIDS+=("$DAEMON_PID")

# in_sandbox CMD...: run in the daemon's mount namespace.
in_sandbox() {
	nsenter -t "$DAEMON_PID" -m "$@"
}

row_applied() {
	[ "$(mariadb_sql "SELECT netplan_success FROM multi_interface")" = 1 ]
}

wait_until 150 children_ready "$DAEMON_PID"
ok "multinicd starts its children under the unit's file system view" \
    children_ready "$DAEMON_PID" || diag "$(cat "$DAEMON_LOG")"
ok "/ is read-only in there" eval "! in_sandbox touch /etc/multinic-ro-probe 2>/dev/null"
ok "the row is applied" wait_until 100 row_applied || diag "$(cat "$DAEMON_LOG")"
like "$(netns_ipv4 "$ns" multinic0)" '^10\.77\.0\.5/24$' "multinic0 carries the address"
like "$(in_sandbox cat /etc/netplan/90-multinic0.yaml 2>&1)" \
    'macaddress: "fa:16:3e:00:77:01"' "its netplan file is in /etc/netplan"
ok "the state is in $state" in_sandbox test -s "$state/multinicd.lock"
ok "the control socket is in $runtime" in_sandbox test -S "$runtime/multinicd.sock"
ok "nothing was written to this machine's /etc/netplan" \
    eval "[ ! -e /etc/netplan/90-multinic0.yaml ]"
stop_daemon "$DAEMON_PID"
is "$?" 0 "and it stops cleanly"

done_testing
