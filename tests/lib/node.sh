# SPDX-License-Identifier: ISC
# A node for the integration tests: a network namespace with veth NICs, the
# daemon inside it reaching a throwaway MariaDB through its unix socket and
# serving HTTP on the namespace's own loopback (so no port is shared with
# anything else running on the machine).
# Needs tap.sh, daemon.sh, mariadb.sh (started) and netns.sh. Sets NODE_NS.
# shellcheck shell=bash

NODE_NS=
NODE_HTTP=http://127.0.0.1:8080

# node_create MAC...: a namespace with one fresh veth NIC per MAC, named
# ens5, ens6, ... in order.
node_create() {
	local mac slot=5
	netns_create || return 1
	NODE_NS=$NETNS_NAME
	for mac in "$@"; do
		netns_add_veth "$NODE_NS" "ens$slot" "$mac" || return 1
		slot=$((slot + 1))
	done
}

# node_config FILE [KEY=VALUE...]: a test configuration for the daemon in
# the node: the DB through its socket, HTTP on loopback, a poll a second,
# debug logs (the applier logs every snapshot row it receives at debug).
node_config() {
	local file=$1
	shift
	write_test_config "$file" \
	    DB_SOCKET="$MARIADB_SOCKET" \
	    DB_USER="$MARIADB_USER" \
	    DB_PASSWORD="$MARIADB_PASSWORD" \
	    HEALTH_ADDR=127.0.0.1 \
	    HEALTH_PORT=8080 \
	    POLL_INTERVAL=1s \
	    LOG_LEVEL=debug \
	    "$@"
}

# node_get PATH: the body GET PATH returns inside the node, whatever the status.
node_get() {
	ip netns exec "$NODE_NS" curl -s --max-time 2 "$NODE_HTTP$1"
}

# node_metric SAMPLE: the value of one sample of /metrics, the sample named
# as it is written there (multinic_rows_rejected_total{reason="mtu"}).
node_metric() {
	node_get /metrics | awk -v sample="$1" '$1 == sample { print $2 }'
}

# node_status FILTER: jq -r FILTER applied to GET /.
node_status() {
	node_get / | jq -r "$1"
}

# node_interfaces: multinicctl show interfaces -j on the daemon's control
# socket (a unix socket: reachable from outside the namespace).
node_interfaces() {
	"$MULTINIC_BUILD/multinicctl" -j -s "$TEST_DIR/run/multinicd.sock" \
	    show interfaces
}

# row_success ID: netplan_success of row ID as stored (NULL spelled out).
row_success() {
	mariadb_sql "SELECT IFNULL(netplan_success, 'NULL') FROM multi_interface
	    WHERE id = $1"
}

# rows_success_are ID=VALUE...: every named row has that netplan_success.
rows_success_are() {
	local pair
	for pair in "$@"; do
		[ "$(row_success "${pair%%=*}")" = "${pair#*=}" ] || return 1
	done
}

# applier_rows LOG: the rows of the last snapshot the applier logged, one
# "ID valid" or "ID held" a line, in the order received.
applier_rows() {
	sed -nE -e 's/.* applier: snapshot [0-9]+: [0-9]+ rows(, incomplete)?$/BEGIN/p' \
	    -e 's/.* applier: snapshot [0-9]+ row (-?[0-9]+): (valid|held) .*/\1 \2/p' \
	    "$1" | awk '$0 == "BEGIN" { rows = ""; next }
	    { rows = rows $0 "\n" }
	    END { printf "%s", rows }'
}

# applier_snapshots LOG: how many snapshots the applier has logged.
applier_snapshots() {
	grep -cE ' applier: snapshot [0-9]+: [0-9]+ rows(, incomplete)?(, unchanged)?$' "$1"
}
