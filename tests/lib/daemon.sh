# SPDX-License-Identifier: ISC
# Running multinicd from an integration test: a temp dir per test, a config
# file, the daemon started in the background, its children and their /proc.
# Needs tap.sh. Every process stopped here is one this test started.
# shellcheck shell=bash

TEST_DIR=
DAEMON_PID=
DAEMON_LOG=
STARTED_PIDS=()
DAEMON_COUNT=0
# The daemon gets a clean environment so nothing from the caller's
# (CI's) environment overrides the config file by accident.
DAEMON_PATH=/usr/sbin:/usr/bin:/sbin:/bin
# One multinicd per network namespace (the node lock): tests running at
# once share the root namespace, so each names a lock of its own for the
# daemons it starts there. 07-node-lock.t tests the real name in namespaces
# of its own.
TEST_NODE_LOCK=multinicd-test-$$

require_root_and_build() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
	if [ -z "${MULTINIC_BUILD:-}" ] || [ ! -x "$MULTINIC_BUILD/multinicd" ]; then
		bail_out "no multinicd in MULTINIC_BUILD='${MULTINIC_BUILD:-}'"
	fi
}

# The fetcher's user; CI starts on a clean machine, so the test creates it
# (or a test running beside it does, the moment it looks).
ensure_privsep_user() {
	privsep_user_exists && return 0
	useradd --system --no-create-home --shell /usr/sbin/nologin _multinic \
	    2>/dev/null || wait_until 100 privsep_user_exists
}

privsep_user_exists() {
	getent passwd _multinic >/dev/null
}

# Sets TEST_DIR: state/, run/ and root/ inside, searchable by the
# unprivileged fetcher (a DB socket may live here too).
make_test_dir() {
	TEST_DIR=$(mktemp -d /tmp/multinic-test.XXXXXX) || bail_out "mktemp"
	chmod 0755 "$TEST_DIR"
	mkdir -p "$TEST_DIR/state" "$TEST_DIR/run" "$TEST_DIR/root"
}

# write_config FILE KEY=VALUE...: mode 0600, since it may hold a password.
write_config() {
	local file=$1
	shift
	(umask 077 && printf '%s\n' "$@" >"$file")
	chmod 0600 "$file"
}

# write_test_config FILE [KEY=VALUE...]: a daemon confined to TEST_DIR,
# with no HTTP and a DB that never answers (nothing listens on port 1);
# the KEY=VALUE arguments replace or add lines.
write_test_config() {
	local file=$1 setting
	shift
	write_config "$file" \
	    DB_HOST=127.0.0.1 \
	    DB_PORT=1 \
	    STATE_DIR="$TEST_DIR/state" \
	    CONTROL_SOCKET="$TEST_DIR/run/multinicd.sock" \
	    CONFIG_ROOT="$TEST_DIR/root" \
	    HEALTH_PORT=0 \
	    LOG_FORMAT=text \
	    OS_TYPE=netplan
	for setting in "$@"; do
		set_config "$file" "${setting%%=*}" "${setting#*=}"
	done
}

# set_config FILE KEY VALUE: replaces KEY's line, or appends one.
set_config() {
	local file=$1 key=$2 value=$3 rest
	rest=$(grep -v "^$key=" "$file")
	printf '%s\n%s=%s\n' "$rest" "$key" "$value" >"$file"
}

# multinicd [NAME=VALUE...] ARG...: runs it in the foreground with a clean
# environment plus the given variables.
multinicd() {
	local vars=()
	while [ $# -gt 0 ] && [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
		vars+=("$1")
		shift
	done
	env -i PATH="$DAEMON_PATH" MULTINICD_NODE_LOCK="$TEST_NODE_LOCK" \
	    "${vars[@]}" "$MULTINIC_BUILD/multinicd" "$@"
}

# start_daemon CONF [NAME=VALUE...]: multinicd -d -f CONF in the background.
# Sets DAEMON_PID and DAEMON_LOG. Not in a subshell, so the test can `wait`.
start_daemon() {
	local conf=$1
	shift
	DAEMON_COUNT=$((DAEMON_COUNT + 1))
	DAEMON_LOG=$TEST_DIR/multinicd.$DAEMON_COUNT.log
	env -i PATH="$DAEMON_PATH" MULTINICD_NODE_LOCK="$TEST_NODE_LOCK" "$@" \
	    "$MULTINIC_BUILD/multinicd" -d -f "$conf" >"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	STARTED_PIDS+=("$DAEMON_PID")
}

# start_in_netns NS CONF [NAME=VALUE...]: the same inside network namespace
# NS, still a child of this shell (ip netns exec execs it), so stop_daemon
# can reap it.
start_in_netns() {
	local ns=$1
	shift
	start_in_netns_as "$ns" "" "$@"
}

# start_in_netns_as NS HOSTNAME CONF [NAME=VALUE...]: start_in_netns in a
# UTS namespace of its own whose host name is HOSTNAME (empty: the
# machine's own, in the machine's UTS namespace).
start_in_netns_as() {
	local ns=$1 host=$2 conf=$3 uts=()
	shift 3
	if [ -n "$host" ]; then
		# shellcheck disable=SC2016 # expanded by that sh, not this one
		uts=(unshare --uts sh -c 'hostname "$0" && exec "$@"' "$host")
	fi
	DAEMON_COUNT=$((DAEMON_COUNT + 1))
	DAEMON_LOG=$TEST_DIR/multinicd.$DAEMON_COUNT.log
	env -i PATH="$DAEMON_PATH" "$@" ip netns exec "$ns" "${uts[@]}" \
	    "$MULTINIC_BUILD/multinicd" -d -f "$conf" >"$DAEMON_LOG" 2>&1 &
	DAEMON_PID=$!
	STARTED_PIDS+=("$DAEMON_PID")
}

# Alive and not a zombie (our own child stays a zombie until waited for).
is_alive() {
	local state
	state=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) ||
	    return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

is_gone() {
	! is_alive "$1"
}

# children_of PID: one PID a line, live processes only.
children_of() {
	local child
	for child in $(pgrep -P "$1"); do
		is_alive "$child" && echo "$child"
	done
}

# proc_title PID: the command line with NULs as spaces, trailing blanks cut.
proc_title() {
	local title
	title=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
	echo "${title%"${title##*[! ]}"}"
}

# proc_status PID FIELD: the field of /proc/PID/status, tabs as spaces.
proc_status() {
	awk -v field="$2:" '$1 == field { $1 = ""; sub(/^ /, ""); print }' \
	    "/proc/$1/status"
}

# child_titled PID TITLE: the children of PID whose title starts with TITLE.
child_titled() {
	local child title
	for child in $(children_of "$1"); do
		title=$(proc_title "$child") || continue
		case $title in
		"$2"*) echo "$child" ;;
		esac
	done
}

# True once the supervisor PID has a titled fetcher and a titled applier
# (titles are set after the sandbox is in place).
children_ready() {
	[ -n "$(child_titled "$1" "multinicd: fetcher")" ] &&
	    [ -n "$(child_titled "$1" "multinicd: applier")" ]
}

# wait_children_ready PID: up to 30 s (a loaded machine starts processes
# slowly); else the test stops, showing the log.
wait_children_ready() {
	wait_until 300 children_ready "$1" && return 0
	diag "$(cat "$DAEMON_LOG")"
	abort_test "multinicd did not start a titled fetcher and applier within 30 s"
}

# new_child_running PID TITLE OLDPID: true once a child titled TITLE with
# another PID than OLDPID runs.
new_child_running() {
	local child
	child=$(child_titled "$1" "$2")
	[ -n "$child" ] && [ "$child" != "$3" ]
}

# A PID counts as a leftover of ours only while it still runs multinicd
# (titled, or still as exec'd by absolute path).
is_multinicd() {
	is_alive "$1" && [[ $(proc_title "$1") =~ ^(/[^ ]*/)?multinicd ]]
}

# cpu_ticks PID: the user and system clock ticks it has used.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# open_fds PID: how many descriptors it has open.
open_fds() {
	find "/proc/$1/fd" -mindepth 1 | wc -l
}

soft_nofile() {
	awk '/^Max open files/ { print $4 }' "/proc/$1/limits"
}

# set_soft_nofile PID N: its soft descriptor limit, set as its own user
# (root may lack CAP_SYS_RESOURCE in a container).
set_soft_nofile() {
	setpriv --reuid="$(stat -c %u "/proc/$1")" \
	    --regid="$(stat -c %g "/proc/$1")" --clear-groups \
	    prlimit --pid "$1" --nofile="$2":
}

DAEMON_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# starve_fetcher PID TARGET WHAT: the fetcher PID out of descriptors while
# clients connect to TARGET (an HTTP port or the control socket's path):
# accept(2) fails with the socket still readable, and the fetcher must log
# "WHAT: accept: ..." and pause instead of spinning. Its limit is restored.
starve_fetcher() {
	local fetcher=$1 target=$2 what=$3 soft lines ticks idle_pid
	soft=$(soft_nofile "$fetcher")
	lines=$(log_lines "$DAEMON_LOG")
	set_soft_nofile "$fetcher" $(($(open_fds "$fetcher") + 1)) ||
	    abort_test "cannot lower the fetcher's descriptor limit"
	rm -f "$TEST_DIR/idle.ready"
	python3 "$DAEMON_LIB_DIR/idle.py" "$target" 3 "$TEST_DIR/idle.ready" &
	idle_pid=$!
	HELPER_PIDS+=("$idle_pid")
	wait_until 100 test -e "$TEST_DIR/idle.ready"
	ok "out of descriptors: the fetcher says so" \
	    wait_until 30 logged_since "$lines" "$what: accept: Too many open files"
	ticks=$(cpu_ticks "$fetcher")
	sleep 2
	ticks=$(($(cpu_ticks "$fetcher") - ticks))
	ok "out of descriptors: the fetcher does not spin ($ticks ticks in 2 s)" \
	    test "$ticks" -lt 50
	kill "$idle_pid" 2>/dev/null
	wait "$idle_pid" 2>/dev/null
	set_soft_nofile "$fetcher" "$soft"
}

# A request the event loop must not hold up is answered within
# PROMPT_SECONDS: far above an answer's usual time (milliseconds, on a busy
# machine too), far below the stalls the tests provoke (database timeouts
# of 10 s and more). Latencies themselves are measured in bench/.
# shellcheck disable=SC2034 # for the tests that source this file
PROMPT_SECONDS=3

# --- What the daemon says of its cycles (multinicctl -j status) --------------

# status_field NAME: one member of multinicctl -j status on TEST_DIR's
# control socket; empty when the daemon does not answer.
status_field() {
	"$MULTINIC_BUILD/multinicctl" -j -s "$TEST_DIR/run/multinicd.sock" \
	    status 2>/dev/null | jq -r ".$1 // empty"
}

# counter_past NAME N: the status counter NAME is N or more.
counter_past() {
	local value
	value=$(status_field "$1")
	[[ $value =~ ^[0-9]+$ ]] && [ "$value" -ge "$2" ]
}

# wait_cycle [TENTHS]: waits (each step up to TENTHS, default 30 s) until a
# poll that began after the call has been applied and reported on by the
# applier, and the write-backs of that report are done. The snapshot after
# the one read now may come from a poll already under way; the one after it
# cannot. The fetcher queues a report's write-backs when the report comes
# in and runs its database work in order: a poll queued after that, which
# the second snapshot sent after the report was seen surely is, runs after
# them.
wait_cycle() {
	local sent
	wait_snapshots 2 "${1:-300}" || return 1
	sent=$(status_field snapshot_generation)
	[[ $sent =~ ^[0-9]+$ ]] &&
	    wait_until "${1:-300}" counter_past snapshot_generation $((sent + 2))
}

# wait_snapshots N [TENTHS]: waits (default 30 s) until the applier has
# acted and reported on N snapshots sent after the call.
wait_snapshots() {
	local sent
	sent=$(status_field snapshot_generation)
	[[ $sent =~ ^[0-9]+$ ]] || return 1
	wait_until "${2:-300}" counter_past applied_generation $((sent + $1))
}

# slowest PATH SECONDS [MAX_TIME [PAUSE]]: the slowest answer, in seconds,
# of GETs of $BASE PATH sent one after the other for SECONDS, PAUSE (0.1)
# apart; "none" when one got no answer within MAX_TIME (2) seconds.
slowest() {
	local end=$((SECONDS + $2)) max=${3:-2} pause=${4:-0.1} worst=0 took
	while [ "$SECONDS" -lt "$end" ]; do
		took=$(curl -s -o /dev/null -w '%{time_total}' --max-time "$max" \
		    "$BASE$1") || { echo none; return; }
		worst=$(awk -v a="$worst" -v b="$took" 'BEGIN { print (b > a ? b : a) }')
		sleep "$pause"
	done
	echo "$worst"
}

# slowest_ctl SECONDS [PAUSE]: the slowest answer, in seconds, of
# "multinicctl status" run one after the other for SECONDS, PAUSE (0.1)
# apart, its start-up included; "none" when one failed or took 10 s.
slowest_ctl() {
	local end=$((SECONDS + $1)) pause=${2:-0.1} worst=0 start took
	while [ "$SECONDS" -lt "$end" ]; do
		start=$EPOCHREALTIME
		timeout 10 "$MULTINIC_BUILD/multinicctl" \
		    -s "$TEST_DIR/run/multinicd.sock" status >/dev/null 2>&1 ||
		    { echo none; return; }
		took=$(awk -v a="$start" -v b="$EPOCHREALTIME" \
		    'BEGIN { printf "%.6f", b - a }')
		worst=$(awk -v a="$worst" -v b="$took" 'BEGIN { print (b > a ? b : a) }')
		sleep "$pause"
	done
	echo "$worst"
}

# under SECONDS LIMIT: SECONDS is a number below LIMIT.
under() {
	awk -v t="$1" -v limit="$2" 'BEGIN { exit !(t ~ /^[0-9.]+$/ && t + 0 < limit + 0) }'
}

# logged_since LINES TEXT: the daemon's log gained a line with TEXT after
# its first LINES lines.
logged_since() {
	log_since "$DAEMON_LOG" "$1" | grep -qF -- "$2"
}

# log_lines FILE: how many lines it has now.
log_lines() {
	wc -l <"$1"
}

# log_since FILE LINES: what FILE gained after its first LINES lines.
log_since() {
	tail -n "+$(($2 + 1))" "$1"
}

# reap PID: waits for a daemon this test started (it must be exiting) and
# returns its exit status; cleanup leaves it alone afterwards.
reap() {
	local status pid kept=()
	# (no "Killed" job notice on stderr)
	{ wait "$1"; } 2>/dev/null
	status=$?
	for pid in "${STARTED_PIDS[@]}"; do
		[ "$pid" = "$1" ] || kept+=("$pid")
	done
	STARTED_PIDS=("${kept[@]}")
	return "$status"
}

# stop_daemon PID [TENTHS]: SIGTERM, then SIGKILL after TENTHS (default 50)
# for it and any child it left. Returns the daemon's exit status.
stop_daemon() {
	local pid=$1 tenths=${2:-50} children child status
	children=$(children_of "$pid")
	if is_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		if ! wait_until "$tenths" is_gone "$pid"; then
			diag "multinicd $pid ignored SIGTERM; killing it"
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	reap "$pid"
	status=$?
	for child in $children; do
		if is_multinicd "$child"; then
			diag "multinicd child $child outlived the supervisor; killing it"
			kill -KILL "$child" 2>/dev/null
		fi
	done
	return "$status"
}

# Stops every daemon this test started and has not reaped yet.
stop_all_daemons() {
	local pid
	for pid in "${STARTED_PIDS[@]}"; do
		stop_daemon "$pid" 30
	done
}

# Removes TEST_DIR (kept when KEEP_TEST_DIR is set).
remove_test_dir() {
	if [ -n "$TEST_DIR" ] && [ -d "$TEST_DIR" ]; then
		if [ -n "${KEEP_TEST_DIR:-}" ]; then
			diag "kept $TEST_DIR"
		else
			rm -rf "$TEST_DIR"
		fi
	fi
}

# Background helpers a test started (servers, watchers): test_cleanup stops them.
HELPER_PIDS=()

# test_begin [TOOL...]: what every daemon test does first: root and a
# build, the tools it needs (skipped without them), the fetcher's user, its
# TEST_DIR, and test_cleanup on exit.
test_begin() {
	local tool
	require_root_and_build
	for tool in "$@"; do
		command -v "$tool" >/dev/null || skip_all "no $tool"
	done
	ensure_privsep_user || bail_out "cannot create the _multinic user"
	make_test_dir
	trap test_cleanup EXIT
}

# For the EXIT trap: the helpers, every daemon, MariaDB and the namespaces
# where the test uses them (mariadb.sh, netns.sh), then TEST_DIR.
test_cleanup() {
	local pid
	for pid in "${HELPER_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	stop_all_daemons
	if declare -F mariadb_stop >/dev/null; then
		mariadb_stop
	fi
	if declare -F netns_cleanup >/dev/null; then
		netns_cleanup
	fi
	remove_test_dir
}

# For the EXIT trap: stop_all_daemons, then remove_test_dir.
cleanup_daemons() {
	stop_all_daemons
	remove_test_dir
}
