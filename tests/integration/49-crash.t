#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The applier killed (SIGKILL) in the middle of applying, the moment it
# starts writing a netplan file: the supervisor restarts it, it undoes the
# interrupted change from its journal, and the node converges on the rows.
# No half-written file (dot-file) is left in etc/netplan, none that netplan
# would read is malformed, and the journal is empty. Once for new NICs,
# once for changed ones, once for a new NIC unplugged while the applier was
# down (then nothing rewrites its file: the dot-file must go anyway).
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

command -v python3 >/dev/null || skip_all "no python3"
node_setup
macs=(fa:16:3e:49:00:01 fa:16:3e:49:00:02 fa:16:3e:49:00:03)
for i in 0 1 2; do
	node_nic "ens$((5 + i))" "${macs[$i]}"
done
node_start
journal=$TEST_DIR/state/journal
CRASH_ROUND=0

# converged MTU HOST WAITING: three NICs applied, each link as its row
# says, WAITING rows waiting.
converged() {
	local i
	[ "$(state_count applied)" = 3 ] && state_count_is waiting "$3" ||
	    return 1
	for i in 0 1 2; do
		link_state_is "multinic$i" \
		    "multinic$i $1 up 10.49.$i.$2/24 " || return 1
	done
}

# crash_during DESCRIPTION SQL MTU HOST WAITING [AFTER]: runs SQL with the
# killer armed on the applier, runs AFTER once it struck, then checks what
# the restarted applier makes of it.
crash_during() {
	local what=$1 killer_out applier killer
	# A file of its own: a "watching" left by the last round must not
	# pass for this killer's (a background job's redirection happens
	# when the job runs, not when the shell goes on).
	CRASH_ROUND=$((CRASH_ROUND + 1))
	killer_out=$TEST_DIR/killer.$CRASH_ROUND.out
	applier=$(node_applier)
	python3 "$here/../lib/kill_on_create.py" "$(netplan_dir)" "$applier" \
	    >"$killer_out" 2>&1 &
	killer=$!
	HELPER_PIDS+=("$killer")
	wait_until 150 grep -qs watching "$killer_out" ||
	    abort_test "$what: the killer does not watch: $(cat "$killer_out")"
	mariadb_sql "$2"
	wait "$killer" || diag "$what: the killer gave up: $(cat "$killer_out")"
	[ -z "${6:-}" ] || "$6"
	ok "$what: the applier was killed writing $(tail -n 1 "$killer_out")" \
	    wait_until 100 is_gone "$applier"
	if [ -n "$(find "$journal" -type f 2>/dev/null)" ]; then
		pass "$what: it died mid-apply (its journal has an entry)"
	else
		fail "$what: it died mid-apply (its journal has an entry)"
	fi
	# (The supervisor's backoff grows: 1 s, 2 s, 4 s.)
	ok "$what: the supervisor starts a new applier" wait_until 300 \
	    new_child_running "$DAEMON_PID" "multinicd: applier" "$applier"
	ok "$what: the node converges on the rows" wait_until 300 converged \
	    "$3" "$4" "$5"
	is "$(dot_files "$(netplan_dir)")" "" \
	    "$what: no dot-file is left in etc/netplan"
	is "$(find "$journal" -type f)" "" "$what: the journal is empty"
	ok "$what: netplan generate accepts the files" netplan_accepts
}

crash_during "new NICs" "INSERT INTO multi_interface (port_id, subnet_id,
    macaddress, attached_node_name, address, cidr, mtu) VALUES
    ('p0', 's', '${macs[0]}', '$NODE_NAME', '10.49.0.5', '10.49.0.0/24', 1500),
    ('p1', 's', '${macs[1]}', '$NODE_NAME', '10.49.1.5', '10.49.1.0/24', 1500),
    ('p2', 's', '${macs[2]}', '$NODE_NAME', '10.49.2.5', '10.49.2.0/24', 1500)" \
    1500 5 0
crash_during "changed NICs" "UPDATE multi_interface SET mtu = 9000,
    address = REPLACE(address, '.5', '.7')" 9000 7 0
unplug() {
	ip -n "$NODE_NS" link del ens8
}
node_nic ens8 fa:16:3e:49:00:04
crash_during "a NIC unplugged meanwhile" "INSERT INTO multi_interface
    (port_id, subnet_id, macaddress, attached_node_name, address, cidr, mtu)
    VALUES ('p3', 's', 'fa:16:3e:49:00:04', '$NODE_NAME', '10.49.3.7',
    '10.49.3.0/24', 9000)" 9000 7 1 unplug
ok "the supervisor still runs" is_alive "$DAEMON_PID"
done_testing
