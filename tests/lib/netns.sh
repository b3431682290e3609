# SPDX-License-Identifier: ISC
# Network namespaces with veth links carrying chosen MACs, standing in for
# a node's hot-plugged NICs (this kernel has no dummy links).
# shellcheck shell=bash

NETNS_CREATED=()
NETNS_COUNT=0

# netns_create: makes a namespace with a unique name (mn-test-PID-N), sets
# NETNS_NAME to it and records it for netns_cleanup (so no $(...) around it).
netns_create() {
	NETNS_COUNT=$((NETNS_COUNT + 1))
	NETNS_NAME=mn-test-$$-$NETNS_COUNT
	ip netns add "$NETNS_NAME" || return 1
	NETNS_CREATED+=("$NETNS_NAME")
	ip -n "$NETNS_NAME" link set lo up
}

# netns_add_veth NS NAME MAC: NAME (with MAC) and its peer p-NAME, peer up,
# so NAME looks like a freshly plugged NIC: present, down, unconfigured.
netns_add_veth() {
	ip netns exec "$1" ip link add "$2" address "$3" type veth \
	    peer name "p-$2" || return 1
	ip -n "$1" link set "p-$2" up
}

# netns_link NS NAME: one line of `ip -o link show` for it (empty if absent).
netns_link() {
	ip -n "$1" -o link show dev "$2" 2>/dev/null
}

# netns_ipv4 NS NAME: its IPv4 addresses as a/p, one a line.
netns_ipv4() {
	ip -n "$1" -o -4 addr show dev "$2" 2>/dev/null | awk '{ print $4 }'
}

netns_delete() {
	local ns kept=()
	ip netns delete "$1"
	for ns in "${NETNS_CREATED[@]}"; do
		[ "$ns" = "$1" ] || kept+=("$ns")
	done
	NETNS_CREATED=("${kept[@]}")
}

# For the EXIT trap: deletes every namespace netns_create made (and with it
# the veth links inside).
netns_cleanup() {
	local ns
	for ns in "${NETNS_CREATED[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	NETNS_CREATED=()
}
