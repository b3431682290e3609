# SPDX-License-Identifier: ISC
# The applier's stories on a node (node.sh): the whole test set up
# in one call, NICs plugged in by name, rows by MAC, the live links, the
# netplan files, what the daemon reports, and the kernel's events watched.
# Needs tap.sh, daemon.sh, mariadb.sh, netns.sh and node.sh.
# shellcheck shell=bash

NODE_CONF=
NODE_ROOT=
NODE_NAME=$(uname -n)

# node_setup [KEY=VALUE...]: everything but the daemon, which node_start
# starts; the settings go to the configuration (node_config).
node_setup() {
	test_begin curl jq netplan
	mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
	node_create || bail_out "cannot create a namespace"
	NODE_ROOT=$TEST_DIR/root
	NODE_CONF=$TEST_DIR/multinicd.conf
	node_config "$NODE_CONF" "$@"
}

# node_start: the daemon in the namespace, its children sandboxed.
node_start() {
	start_in_netns "$NODE_NS" "$NODE_CONF"
	wait_children_ready "$DAEMON_PID"
}

node_stop() {
	stop_daemon "$DAEMON_PID"
}

# node_applier: the PID of the running applier.
node_applier() {
	child_titled "$DAEMON_PID" "multinicd: applier"
}

# node_nic NAME MAC: a freshly plugged NIC (a veth; its peer is up).
node_nic() {
	netns_add_veth "$NODE_NS" "$1" "$2" || bail_out "cannot add $1"
}

# --- The table ---------------------------------------------------------------

# row_add MAC ADDRESS CIDR MTU: a row for this node; NULL for no value.
row_add() {
	local address=NULL cidr=NULL
	[ "$2" = NULL ] || address="'$2'"
	[ "$3" = NULL ] || cidr="'$3'"
	mariadb_sql "INSERT INTO multi_interface (port_id, subnet_id,
	    macaddress, attached_node_name, address, cidr, mtu) VALUES
	    ('port-$1', 'subnet', '$1', '$NODE_NAME', $address, $cidr, $4)"
}

# row_set MAC ASSIGNMENTS: UPDATE of the row with that MAC.
row_set() {
	mariadb_sql "UPDATE multi_interface SET $2 WHERE macaddress = '$1'"
}

# mac_success MAC: netplan_success of the row with that MAC.
mac_success() {
	mariadb_sql "SELECT netplan_success FROM multi_interface
	    WHERE macaddress = '$1'"
}

# success_is MAC 0|1
success_is() {
	[ "$(mac_success "$1")" = "$2" ]
}

# applied_rows N: exactly N rows have netplan_success = 1.
applied_rows() {
	[ "$(mariadb_sql "SELECT COUNT(*) FROM multi_interface
	    WHERE netplan_success = 1")" = "$1" ]
}

# --- Live state ----------------------------------------------------------------

# link_json NAME: `ip -j -d link show` of one link in the namespace.
link_json() {
	ip -n "$NODE_NS" -j link show dev "$1" 2>/dev/null | jq -c '.[0]'
}

# link_of_mac MAC: the names of the links carrying it, one a line.
link_of_mac() {
	ip -n "$NODE_NS" -j link show | jq -r --arg mac "$1" \
	    '.[] | select(.address == $mac) | .ifname'
}

link_mtu() {
	ip -n "$NODE_NS" -j link show dev "$1" 2>/dev/null | jq -r '.[0].mtu'
}

# link_up NAME: administratively up.
link_up() {
	ip -n "$NODE_NS" -j link show dev "$1" 2>/dev/null |
	    jq -e '.[0].flags | index("UP") != null' >/dev/null
}

link_ipv4() {
	netns_ipv4 "$NODE_NS" "$1"
}

# link_state NAME: "name mtu up|down addresses" in one line, for comparing
# a link before and after.
link_state() {
	local up=down
	link_up "$1" && up=up
	echo "$1 $(link_mtu "$1") $up $(link_ipv4 "$1" | tr '\n' ' ')"
}

# link_state_is NAME "STATE": link_state gives that (for wait_until).
link_state_is() {
	[ "$(link_state "$1")" = "$2" ]
}

# link_ipv4_is NAME ADDRESSES: its IPv4 addresses (one a line) are these.
link_ipv4_is() {
	[ "$(link_ipv4 "$1")" = "$2" ]
}

link_mtu_is() {
	[ "$(link_mtu "$1")" = "$2" ]
}

# --- Files ---------------------------------------------------------------------

netplan_dir() {
	echo "$NODE_ROOT/etc/netplan"
}

# netplan_file N: multinicN's file.
netplan_file() {
	echo "$NODE_ROOT/etc/netplan/9$1-multinic$1.yaml"
}

# netplan_accepts: the real netplan reads every file we wrote.
netplan_accepts() {
	local out
	if ! out=$(netplan generate --root-dir "$NODE_ROOT" 2>&1); then
		diag "$out"
		return 1
	fi
}

# file_ids DIR: "name inode mtime-ns mode" of each file, dot-files too.
file_ids() {
	find "$1" -maxdepth 1 -type f -printf '%f %i %T@ %m\n' | sort
}

# dot_files DIR: the hidden files (half-written ones would be there).
dot_files() {
	find "$1" -maxdepth 1 -name '.*' -type f -printf '%f\n'
}

# --- What the daemon reports -----------------------------------------------------

# state_count STATE: interfaces in that state according to GET /.
state_count() {
	node_status ".interfaces[\"$1\"]"
}

# state_count_is STATE N
state_count_is() {
	[ "$(state_count "$1")" = "$2" ]
}

# health_is STATUS: GET / says healthy, degraded or unhealthy.
health_is() {
	[ "$(node_status .status)" = "$1" ]
}

# ctl ARG...: multinicctl against this node's daemon.
ctl() {
	"$MULTINIC_BUILD/multinicctl" -s "$TEST_DIR/run/multinicd.sock" "$@"
}

# nic_of MAC: "state reason" of that MAC per multinicctl show interfaces.
nic_of() {
	node_interfaces | jq -r --arg mac "$1" \
	    '.[] | select(.mac == $mac) | "\(.state) \(.reason)"'
}

# log_has REGEX: a line of the current daemon's log matches.
log_has() {
	grep -Eq -- "$1" "$DAEMON_LOG"
}

# --- Watching the kernel ---------------------------------------------------------

MONITOR_PID=
MONITOR_LOG=

# monitor_mark: an event on lo the watch must see (a loopback address
# added and removed); prints the address to look for.
monitor_mark() {
	local addr=127.77.$((RANDOM % 250)).$((RANDOM % 250))
	ip -n "$NODE_NS" addr add "$addr/32" dev lo
	ip -n "$NODE_NS" addr del "$addr/32" dev lo
	echo "$addr"
}

monitor_saw() {
	grep -qF "inet $1/32" "$MONITOR_LOG"
}

# monitor_start FILE: `ip monitor link address` of the namespace into FILE;
# listening for sure once it returns (it has seen a marker).
monitor_start() {
	local addr
	MONITOR_LOG=$1
	ip -n "$NODE_NS" -ts monitor link address >"$MONITOR_LOG" 2>&1 &
	MONITOR_PID=$!
	HELPER_PIDS+=("$MONITOR_PID")
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		addr=$(monitor_mark)
		wait_until 3 monitor_saw "$addr" && return 0
	done
	bail_out "ip monitor does not report"
}

# monitor_stop: a last marker makes sure everything before it is in the
# file, then the watch stops.
monitor_stop() {
	local addr
	addr=$(monitor_mark)
	wait_until 20 monitor_saw "$addr" || diag "ip monitor missed a marker"
	kill "$MONITOR_PID" 2>/dev/null
	wait "$MONITOR_PID" 2>/dev/null
}

# monitor_events: one event a line (continuation lines joined), the
# markers on lo left out.
monitor_events() {
	awk '/^\[/ { if (ev != "") print ev; ev = $0; next }
	    { ev = ev " " $0 } END { if (ev != "") print ev }' "$MONITOR_LOG" |
	    grep -Ev '^\[[^]]*\] (Deleted )?1: lo[: ]'
}
