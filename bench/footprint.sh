#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# doc/architecture.md, 7.4 on one node: memory of the three processes with 10
# NICs, the applier's CPU time for 10 new NICs, what a no-change poll costs
# (queries, writes, execs, CPU), and how long a DB change takes to reach the
# link. Measures and prints; asserts nothing. Run by bench/run.sh as root.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lib/tap.sh"
. "$here/../tests/lib/daemon.sh"
. "$here/../tests/lib/mariadb.sh"
. "$here/../tests/lib/netns.sh"
. "$here/../tests/lib/node.sh"
. "$here/../tests/lib/applier.sh"

NICS=10
STEADY_SECONDS=${STEADY_SECONDS:-20}
CHANGES=${CHANGES:-5}

# cpu_ns PID...: time on CPU so far, summed (schedstat: nanoseconds).
cpu_ns() {
	local pid total=0 ns
	for pid in "$@"; do
		read -r ns _ <"/proc/$pid/schedstat" || return 1
		total=$((total + ns))
	done
	echo "$total"
}

# pss_kb PID...: proportional set size, summed.
pss_kb() {
	local pid total=0 kb
	for pid in "$@"; do
		kb=$(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup")
		total=$((total + kb))
	done
	echo "$total"
}

server_counter() {
	mariadb_sql "SHOW GLOBAL STATUS LIKE '$1'" | awk '{ print $2 }'
}

now_ms() {
	date +%s%3N
}

mac_of() {
	printf 'fa:16:3e:00:20:%02x' "$1"
}

node_setup LOG_LEVEL=info
for ((i = 0; i < NICS; i++)); do
	node_nic "ens$((i + 10))" "$(mac_of "$i")"
done
node_start
supervisor=$DAEMON_PID
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
applier=$(node_applier)
polled() {
	[ "$(node_metric multinic_polling_cycles_total)" -ge 1 ]
}
wait_until 100 polled

# --- 10 new NICs -------------------------------------------------------------
before=$(cpu_ns "$applier")
started=$(now_ms)
for ((i = 0; i < NICS; i++)); do
	row_add "$(mac_of "$i")" "10.30.0.$((i + 1))" 10.30.0.0/24 1500
done
wait_until 300 applied_rows "$NICS" || echo "not all $NICS NICs applied"
finished=$(now_ms)
echo "10 new NICs: applier CPU $((($(cpu_ns "$applier") - before) / 1000000)) ms," \
    "rows to netplan_success=1 in $((finished - started)) ms wall" \
    "(POLL_INTERVAL 1 s)"

# --- memory --------------------------------------------------------------------
sleep 3
echo "PSS with $NICS NICs: supervisor $(pss_kb "$supervisor") kB," \
    "fetcher $(pss_kb "$fetcher") kB, applier $(pss_kb "$applier") kB," \
    "sum $(pss_kb "$supervisor" "$fetcher" "$applier") kB"

# --- a steady state ------------------------------------------------------------
cycles_before=$(node_metric multinic_polling_cycles_total)
stmts_before=$(server_counter Com_stmt_execute)
updated_before=$(server_counter Innodb_rows_updated)
cpu_before=$(cpu_ns "$supervisor" "$fetcher" "$applier")
files_before=$(file_ids "$(netplan_dir)")
children_before=$(children_of "$supervisor" | sort | tr '\n' ' ')
monitor_start "$TEST_DIR/monitor.log"
sleep "$STEADY_SECONDS"
monitor_stop
cpu_after=$(cpu_ns "$supervisor" "$fetcher" "$applier")
cycles=$(($(node_metric multinic_polling_cycles_total) - cycles_before))
stmts=$(($(server_counter Com_stmt_execute) - stmts_before))
updated=$(($(server_counter Innodb_rows_updated) - updated_before))
[ "$(file_ids "$(netplan_dir)")" = "$files_before" ] && files=0 || files=changed
[ "$(children_of "$supervisor" | sort | tr '\n' ' ')" = "$children_before" ] &&
    execs=0 || execs="new processes"
echo "no-change polls: $cycles in ${STEADY_SECONDS}s;" \
    "per poll $(awk -v s="$stmts" -v c="$cycles" 'BEGIN { printf "%.2f", s / c }') statements," \
    "$updated rows updated, files $files, netlink events $(monitor_events | wc -l)," \
    "execs $execs, CPU $(awk -v ns=$((cpu_after - cpu_before)) -v c="$cycles" \
    'BEGIN { printf "%.3f", ns / c / 1e6 }') ms (all three processes)"

# --- DB change to live link ------------------------------------------------------
worst=0
for ((i = 0; i < CHANGES; i++)); do
	mtu=$((9000 - i))
	started=$(now_ms)
	row_set "$(mac_of 0)" "mtu = $mtu"
	until [ "$(link_mtu multinic0)" = "$mtu" ]; do
		sleep 0.005
		[ $(($(now_ms) - started)) -lt 10000 ] || break
	done
	took=$(($(now_ms) - started))
	[ "$took" -gt "$worst" ] && worst=$took
	echo "DB change $((i + 1)): MTU $mtu live after $took ms"
	sleep 0.$((RANDOM % 10))
done
echo "DB change to live link: worst $worst ms of $CHANGES (POLL_INTERVAL 1000 ms)"
node_stop >/dev/null
