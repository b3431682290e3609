#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# doc/architecture.md, 7.4 on one node: the applier's CPU time for 10 new
# NICs, memory of the three processes with 10 NICs (RSS, USS, PSS), and what
# an idle poll costs (queries, writes, execs, CPU from schedstat without
# strace, then syscalls per process counted under strace). Measures and
# prints; asserts nothing. Run by bench/run.sh as root.
#   STEADY_SECONDS  idle polls measured for CPU (default 30, one a second)
#   SYSCALL_POLLS   idle polls traced for syscalls (default 20)
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lib/tap.sh"
. "$here/../tests/lib/daemon.sh"
. "$here/../tests/lib/mariadb.sh"
. "$here/../tests/lib/netns.sh"
. "$here/../tests/lib/node.sh"
. "$here/../tests/lib/applier.sh"
. "$here/lib.sh"

NICS=10
STEADY_SECONDS=${STEADY_SECONDS:-30}
SYSCALL_POLLS=${SYSCALL_POLLS:-20}

server_counter() {
	mariadb_sql "SHOW GLOBAL STATUS LIKE '$1'" | awk '{ print $2 }'
}

now_ms() {
	date +%s%3N
}

mac_of() {
	printf 'fa:16:3e:00:20:%02x' "$1"
}

node_setup LOG_LEVEL=info POLL_INTERVAL=1s
command -v strace >/dev/null || bail_out "no strace"
machine
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
# Settled: a few idle polls after the last change.
sleep 3
sum_rss=0 sum_uss=0 sum_pss=0
line="memory with $NICS NICs, kB (RSS / USS / PSS):"
for proc in supervisor fetcher applier; do
	read -r rss uss pss <<<"$(mem_kb "${!proc}")"
	line="$line $proc $rss / $uss / $pss,"
	sum_rss=$((sum_rss + rss)) sum_uss=$((sum_uss + uss))
	sum_pss=$((sum_pss + pss))
done
echo "$line sum $sum_rss / $sum_uss / $sum_pss"

# --- idle polls, without strace --------------------------------------------------
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
    'BEGIN { printf "%.3f", ns / c / 1e6 }') ms per poll (all three processes," \
    "schedstat, no strace)"

# --- idle polls, syscalls under strace -------------------------------------------
# A poll is one prepared SELECT, so the server's Com_stmt_execute marks
# each one without a request to the daemon (which would be syscalls too).
stmt_count() {
	server_counter Com_stmt_execute
}
stmts_past() {
	[ "$(stmt_count)" -gt "$1" ]
}
# wait_poll: returns shortly (0.1 s) after a poll ran.
wait_poll() {
	wait_until 50 stmts_past "$(stmt_count)"
}
traced() {
	local pid
	for pid in "$@"; do
		[ "$(awk '$1 == "TracerPid:" { print $2 }' "/proc/$pid/status")" != 0 ] ||
		    return 1
	done
}
# strace_calls FILE: "total name calls name calls ..." from strace -c.
strace_calls() {
	awk '/^-+/ { part++; next } part == 1 && NF >= 5 { print $4, $NF }
	    part == 2 { total = $4 } END { print total, "total" }' "$1" |
	    sort -k1,1nr | awk '{ printf "%s%s %s", (NR > 1 ? " " : ""), $2, $1 }'
}

wait_poll
strace_pids=()
for proc in supervisor fetcher applier; do
	strace -f -c -q -o "$TEST_DIR/strace.$proc" -p "${!proc}" &
	strace_pids+=("$!")
done
wait_until 50 traced "$supervisor" "$fetcher" "$applier" ||
    bail_out "strace did not attach"
first=$(stmt_count)
sleep "$((SYSCALL_POLLS - 1))"
wait_poll
last=$(stmt_count)
kill -INT "${strace_pids[@]}"
wait "${strace_pids[@]}"
polls=$((last - first))
echo "syscalls per idle poll, counted under strace over $polls polls" \
    "(strace slows the processes; CPU above is without it):"
all=0
for proc in supervisor fetcher applier; do
	read -r _ total rest <<<"$(strace_calls "$TEST_DIR/strace.$proc")"
	all=$((all + ${total:-0}))
	echo "  $proc: $(awk -v t="${total:-0}" -v p="$polls" 'BEGIN { printf "%.1f", t / p }')" \
	    "per poll; calls in all: ${rest:-none}"
done
echo "  all three: $(awk -v t="$all" -v p="$polls" 'BEGIN { printf "%.1f", t / p }') per poll"
node_stop >/dev/null
