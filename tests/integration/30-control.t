#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# multinicctl and the control socket (doc/architecture.md, 5.5): status and show
# interfaces as JSON with the documented fields and types and as aligned tables;
# read commands for the socket's group, changing ones for root only; sync polls
# at once, log changes the level, reload re-reads the configuration; bad usage,
# a missing socket and hostile clients get their exit status or an error reply,
# and a hung database never delays an answer. The daemon runs with the real
# seccomp filters.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"

test_begin jq python3 setpriv curl
[ -x "$MULTINIC_BUILD/multinicctl" ] || bail_out "no multinicctl in $MULTINIC_BUILD"

node=$(uname -n)
socket=$TEST_DIR/run/multinicd.sock
group_gid=$(getent group _multinic | cut -d: -f3)
[ -n "$group_gid" ] || bail_out "no _multinic group"
rfc3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

# --- Small clients -----------------------------------------------------------

CTL_OUT=
CTL_ERR=
CTL_STATUS=
# ctl ARG...: multinicctl as root on the test's socket; sets CTL_OUT,
# CTL_ERR and CTL_STATUS.
ctl() {
	ctl_as "" "$@"
}

# ctl_as "SETPRIV-ARGS" ARG...: the same under setpriv (empty: as root).
ctl_as() {
	local how=$1
	shift
	# shellcheck disable=SC2086
	CTL_OUT=$(${how:+setpriv $how} "$MULTINIC_BUILD/multinicctl" \
	    -s "$socket" "$@" 2>"$TEST_DIR/ctl.err")
	CTL_STATUS=$?
	CTL_ERR=$(cat "$TEST_DIR/ctl.err")
}

# A member of the socket's group who is not root, and someone who is neither.
member="--reuid=65534 --regid=65534 --groups=$group_gid"
stranger="--reuid=65534 --regid=65534 --clear-groups"

json_ok() {
	ok "$3" jq_holds "$1" "$2"
}

jq_holds() {
	jq -e "$2" <<<"$1" >/dev/null
}

# nic JSON MAC: the object of show interfaces -j with that mac.
nic() {
	jq -c --arg mac "$2" '.[] | select(.mac == $mac)' <<<"$1"
}

ctl_json_holds() {
	ctl -j "$1" ${2:+"$2"} && jq_holds "$CTL_OUT" "$3"
}

# elapsed COMMAND...: runs it, prints the seconds it took.
elapsed() {
	local start end
	start=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }'
}

# debug_lines_since LINES PROC-REGEX: a debug line of PROC after LINES.
debug_lines_since() {
	log_since "$DAEMON_LOG" "$1" | grep -qE "^[^ ]+ debug +$2: "
}

no_debug_lines_since() {
	! debug_lines_since "$@"
}

# logged_since LINES TEXT: a line containing TEXT after LINES.
no_signal_deaths() {
	! grep -h "killed by signal" "$TEST_DIR"/multinicd.*.log
}

cat >"$TEST_DIR/client.py" <<'EOF'
# Sends argv[2] (with \n, \0 escapes) to the control socket argv[1], prints
# the reply or "closed", after closing its side for writing; argv[3] "slow"
# sends nothing and says how long the server took to close the connection.
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(15)
s.connect(sys.argv[1])
start = time.monotonic()
if len(sys.argv) < 4:
    try:
        s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
reply = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        reply += chunk
except OSError:
    pass
if len(sys.argv) >= 4:
    print("%.1f" % (time.monotonic() - start))
else:
    print(reply.decode("utf-8", "replace").strip() or "closed")
EOF

# --- Usage and a missing socket, before any daemon ---------------------------

for args in "" "show" "show routes" "sync --force" "log loud" "log" \
    "-x status" "status extra" "reload now"; do
	# shellcheck disable=SC2086
	"$MULTINIC_BUILD/multinicctl" -s "$socket" $args >/dev/null 2>&1
	is "$?" 2 "bad usage '$args' exits 2"
done
like "$("$MULTINIC_BUILD/multinicctl" 2>&1)" '^usage: multinicctl' \
    "bad usage prints the usage"
# Bad usage names what was wrong, before the usage.
for case in "frobnicate|unknown command: frobnicate" \
    "s|ambiguous command: s \\(status, show, sync\\)" \
    "show routes|unknown argument to show: routes" \
    "status extra|status: unexpected argument: extra" \
    "log loud|unknown log level: loud"; do
	# shellcheck disable=SC2086
	err=$("$MULTINIC_BUILD/multinicctl" -s "$socket" ${case%%|*} 2>&1)
	like "$err" "^multinicctl: ${case#*|}" "'${case%%|*}' says so"
done
# -V and -h answer and exit 0.
is "$("$MULTINIC_BUILD/multinicctl" -V)" \
    "multinicctl $(cat "$here/../../VERSION")" "-V prints the version"
like "$("$MULTINIC_BUILD/multinicctl" -h)" '^usage: multinicctl' \
    "-h prints the usage"
"$MULTINIC_BUILD/multinicctl" -h >/dev/null
is "$?" 0 "-h exits 0"
ctl status
is "$CTL_STATUS" 3 "no daemon: exit 3"
like "$CTL_ERR" "cannot connect to $socket" "no daemon: stderr names the socket"

# --- A node with one NIC: a valid row for it, a held row, a row waiting ------

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
mariadb_sql "INSERT INTO multi_interface (port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, mtu) VALUES
    ('p1', 's1', 'FA:16:3E:00:30:01', '$node', '10.30.0.5', '10.30.0.0/24', 1400),
    ('p2', 's1', 'not-a-mac', '$node', '10.30.0.6', '10.30.0.0/24', 1500),
    ('p3', 's1', 'fa:16:3e:00:30:09', '$node', NULL, NULL, NULL)" ||
    bail_out "cannot insert the rows"
valid_id=$(mariadb_sql "SELECT id FROM multi_interface WHERE port_id = 'p1'")
held_id=$(mariadb_sql "SELECT id FROM multi_interface WHERE port_id = 'p2'")
waiting_id=$(mariadb_sql "SELECT id FROM multi_interface WHERE port_id = 'p3'")

netns_create || bail_out "cannot create a namespace"
ns=$NETNS_NAME
netns_add_veth "$ns" ens5 fa:16:3e:00:30:01 || bail_out "cannot add a veth"
http_port=$(mariadb_free_port) || bail_out "no free port"
conf=$TEST_DIR/multinicd.conf
# A long poll interval and no hot-plug polls (the veth's peer is a NIC no
# row names): only a sync polls again within this test.
write_test_config "$conf" \
    DB_SOCKET="$MARIADB_SOCKET" \
    DB_PASSWORD="$MARIADB_PASSWORD" \
    CONFIG_ROOT="$TEST_DIR/root" \
    HEALTH_ADDR=127.0.0.1 \
    HEALTH_PORT="$http_port" \
    POLL_INTERVAL=5m \
    HOTPLUG_POLL_INTERVAL=0
DAEMON_COUNT=$((DAEMON_COUNT + 1))
DAEMON_LOG=$TEST_DIR/multinicd.$DAEMON_COUNT.log
env -i PATH="$DAEMON_PATH" ip netns exec "$ns" \
    "$MULTINIC_BUILD/multinicd" -d -f "$conf" >"$DAEMON_LOG" 2>&1 &
DAEMON_PID=$!
STARTED_PIDS+=("$DAEMON_PID")
supervisor=$DAEMON_PID
wait_children_ready "$supervisor"
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
applier=$(child_titled "$supervisor" "multinicd: applier")

row_applied() {
	ctl -j show interfaces &&
	    jq_holds "$CTL_OUT" '.[] | select(.mac == "fa:16:3e:00:30:01") | .state == "applied"'
}
ok "the valid row is applied" wait_until 100 row_applied

# --- status -j, field by field -----------------------------------------------

ctl -j status
is "$CTL_STATUS" 0 "status -j exits 0"
status=$CTL_OUT
diag "status -j: $(jq -c . <<<"$status")"
json_ok "$status" 'keys | sort == ["applied_generation","database_connected","deletion_held","hotplug_polls","interfaces","landlock","last_error","last_sync","node_name","os_type","polls","snapshot_generation","uptime_seconds","version"]' \
    "status -j has exactly the documented members"
json_ok "$status" '.version | type == "string" and length > 0' "version is a string"
is "$(jq -r .node_name <<<"$status")" "$node" "node_name is uname -n"
json_ok "$status" '.os_type == "netplan"' "os_type is the configured format"
json_ok "$status" '.uptime_seconds | type == "number" and . >= 0 and floor == .' \
    "uptime_seconds is a whole number"
json_ok "$status" '.database_connected == true' "database_connected is the boolean true"
json_ok "$status" ".last_sync | type == \"string\" and test(\"$rfc3339\")" \
    "last_sync is RFC 3339 UTC"
json_ok "$status" '.deletion_held == false' "deletion_held is the boolean false"
json_ok "$status" '[.polls, .snapshot_generation, .applied_generation] | map(type == "number" and . >= 1 and floor == .) | all' \
    "polls, snapshot_generation and applied_generation are whole numbers, 1 or more"
json_ok "$status" '.snapshot_generation <= .polls and .applied_generation <= .snapshot_generation' \
    "no more snapshots than polls, no more applied than sent"
json_ok "$status" '.interfaces | (keys | sort) == ["applied","deleting","failed","held","pending","waiting"]' \
    "interfaces has the six states"
json_ok "$status" '[.interfaces[] | type == "number"] | all' "every count is a number"
json_ok "$status" '.interfaces | .applied == 1 and .held == 1 and .waiting == 1 and .failed == 0 and .pending == 0 and .deleting == 0' \
    "the counts are 1 applied, 1 held, 1 waiting"

# The HTTP endpoint reports the same, with the same types.
http=$(ip netns exec "$ns" curl -s --max-time 2 "http://127.0.0.1:$http_port/")
diag "GET /: $http"
is "$(jq -c '[.interfaces, .version, .node_name, .database_connected, .last_sync]' <<<"$http")" \
    "$(jq -c '[.interfaces, .version, .node_name, .database_connected, .last_sync]' <<<"$status")" \
    "GET / and status -j agree on counts, version, node, DB and last sync"

# --- show interfaces -j, field by field --------------------------------------

ctl -j show interfaces
is "$CTL_STATUS" 0 "show interfaces -j exits 0"
nics=$CTL_OUT
diag "show interfaces -j: $(jq -c . <<<"$nics")"
json_ok "$nics" 'type == "array" and length == 3' "an array of the three rows"
json_ok "$nics" 'map(keys | sort == ["address","last_change","mac","mtu","name","prefix","reason","row_id","state"]) | all' \
    "every object has exactly the documented members"

valid=$(nic "$nics" fa:16:3e:00:30:01)
json_ok "$valid" '.name == "multinic0"' "valid row: name multinic0"
json_ok "$valid" '.address == "10.30.0.5" and .prefix == 24' \
    "valid row: address a string, prefix the number 24"
json_ok "$valid" '.mtu == 1400' "valid row: mtu the number 1400"
json_ok "$valid" '.state == "applied"' "valid row: state applied"
json_ok "$valid" ".row_id == $valid_id" "valid row: row_id the number $valid_id"
json_ok "$valid" ".last_change | type == \"string\" and test(\"$rfc3339\")" \
    "valid row: last_change is RFC 3339 UTC"
json_ok "$valid" '.reason == null or (.reason | type == "string")' \
    "valid row: reason is null or a string"

held=$(nic "$nics" not-a-mac)
json_ok "$held" '.state == "held"' "held row: state held, MAC as the row has it"
json_ok "$held" ".row_id == $held_id" "held row: row_id the number $held_id"
json_ok "$held" '.reason | type == "string" and test("macaddress")' \
    "held row: reason names the column"
json_ok "$held" '.name == null' "held row: name is null"
json_ok "$held" '.address == "10.30.0.6" and .prefix == 24 and .mtu == 1500' \
    "held row: the row's address, prefix and MTU"
json_ok "$held" '.last_change == null' "held row: last_change is null (never changed)"

waiting=$(nic "$nics" fa:16:3e:00:30:09)
json_ok "$waiting" ".state == \"waiting\" and .row_id == $waiting_id" \
    "absent NIC: state waiting"
json_ok "$waiting" '.address == null and .prefix == null and .mtu == 1500' \
    "row without address: address and prefix null, mtu 1500"

# --- The human tables --------------------------------------------------------

ctl status
is "$CTL_STATUS" 0 "status exits 0"
like "$CTL_OUT" "^node name +$node\$" "status names the node"
like "$CTL_OUT" '^database +connected$' "status says the database is connected"
like "$CTL_OUT" '^deletions held +no$' "status says no deletion is held"
like "$CTL_OUT" '^landlock +fetcher enforced, applier enforced$' \
    "status says both children run under Landlock"
like "$CTL_OUT" '^interfaces +applied 1, pending 0, waiting 1, failed 0, held 1, deleting 0$' \
    "status counts the interfaces by state"

ctl show interfaces
is "$CTL_STATUS" 0 "show interfaces exits 0"
diag "$CTL_OUT"
like "$CTL_OUT" '^NAME +MAC +ADDRESS +MTU +STATE +ROW +LAST CHANGE +REASON$' \
    "show interfaces has a header"
like "$CTL_OUT" "^multinic0 +fa:16:3e:00:30:01 +10\\.30\\.0\\.5/24 +1400 +applied +$valid_id +[0-9T:-]+Z" \
    "the applied row is a line of the table"
like "$CTL_OUT" "^- +not-a-mac +10\\.30\\.0\\.6/24 +1500 +held +$held_id +- +macaddress" \
    "the held row is a line of the table"
is "$(wc -l <<<"$CTL_OUT")" 4 "a header and three rows"
# Aligned: each column starts where its heading does, on every line.
columns_aligned() {
	awk 'NR == 1 { mac = index($0, "MAC"); state = index($0, "STATE") }
	    NR > 1 { split($0, f, / +/)
		if (index($0, f[2]) != mac || substr($0, state - 2, 2) != "  ")
			bad = 1 }
	    END { exit bad }' <<<"$1"
}
ok "the columns are aligned" columns_aligned "$CTL_OUT"

# --- The socket's group may look, not change ---------------------------------

ctl_as "$member" status
is "$CTL_STATUS" 0 "a member of the socket's group: status exits 0"
like "$CTL_OUT" '^database +connected$' "a member of the socket's group gets the status"
ctl_as "$member" -j show interfaces
json_ok "$CTL_OUT" 'length == 3' "a member of the socket's group: show interfaces -j"
for cmd in "sync" "sync --allow-delete" "reload" "log debug"; do
	# shellcheck disable=SC2086
	ctl_as "$member" $cmd
	is "$CTL_STATUS" 1 "a member of the socket's group: '$cmd' exits 1"
	like "$CTL_ERR" 'permission denied: .*needs root \(uid 0\); you are uid 65534' \
	    "a member of the socket's group: '$cmd' is refused, saying why"
done
ctl_as "$stranger" status
is "$CTL_STATUS" 3 "neither root nor in the group: cannot connect, exit 3"
like "$CTL_ERR" 'Permission denied' "neither root nor in the group: stderr says why"

# --- root: sync polls at once ------------------------------------------------

mariadb_sql "UPDATE multi_interface SET mtu = 1450 WHERE id = $valid_id"
lines=$(log_lines "$DAEMON_LOG")
ctl sync
is "$CTL_STATUS" 0 "root: sync exits 0"
like "$CTL_OUT" 'poll started' "root: sync says a poll started"
mtu_is() {
	ctl -j show interfaces &&
	    jq_holds "$CTL_OUT" ".[] | select(.row_id == $valid_id) | .mtu == $1 and .state == \"applied\""
}
ok "root: sync brings a DB change long before the next poll (in 5m)" \
    wait_until 300 mtu_is 1450
like "$(ip -n "$ns" -o link show dev multinic0)" 'mtu 1450 ' \
    "the link has the new MTU"
ok "the fetcher logs who asked for the sync" \
    logged_since "$lines" "fetcher: control: sync from uid 0"
ctl sync --allow-delete
is "$CTL_STATUS" 0 "root: sync --allow-delete exits 0"
like "$CTL_OUT" 'held deletions are released' "root: sync --allow-delete says so"

# --- root: log changes the level of every process ----------------------------

lines=$(log_lines "$DAEMON_LOG")
ctl status
ok "at LOG_LEVEL=info nothing logs at debug" \
    no_debug_lines_since "$lines" "(fetcher|applier)"
ctl log debug
is "$CTL_STATUS" 0 "root: log debug exits 0"
like "$CTL_OUT" 'log level set to debug' "root: log debug says so"
ok "the supervisor logs the new level" \
    wait_until 100 logged_since "$lines" "supervisor: log level set to debug"
lines=$(log_lines "$DAEMON_LOG")
ctl sync
ok "after log debug, the fetcher logs at debug" \
    wait_until 100 debug_lines_since "$lines" fetcher
ok "after log debug, the applier logs at debug" \
    wait_until 100 debug_lines_since "$lines" applier
lines=$(log_lines "$DAEMON_LOG")
ctl log info
is "$CTL_STATUS" 0 "root: log info exits 0"
ok "the supervisor logs the new level" \
    wait_until 100 logged_since "$lines" "supervisor: log level set to info"
# The fetcher logs a request at debug before it answers: a status answered
# with no debug line after it shows the fetcher at info.
status_not_at_debug() {
	local before
	before=$(log_lines "$DAEMON_LOG")
	ctl status
	no_debug_lines_since "$before" fetcher
}
ok "after log info, the fetcher stops logging at debug" \
    wait_until 150 status_not_at_debug

# --- Abbreviations, as bgpctl and ntpctl take them ---------------------------

ctl -j sh int
is "$CTL_STATUS" 0 "'sh int' is show interfaces"
json_ok "$CTL_OUT" 'type == "array"' "and answers with the interface list"
ctl -j st
json_ok "$CTL_OUT" '.polls | type == "number"' "'st' is status"

# --- root: reload re-reads the configuration ---------------------------------

set_config "$conf" LOG_LEVEL debug
lines=$(log_lines "$DAEMON_LOG")
ctl reload
is "$CTL_STATUS" 0 "root: reload exits 0"
is "$CTL_OUT" "configuration reloaded; fetcher kept, applier kept" \
    "it waits for the outcome and prints it"
ok "reload acts like SIGHUP: the supervisor re-reads the configuration" \
    wait_until 100 logged_since "$lines" "supervisor: reloading the configuration"
status_logged_at_debug() {
	ctl status
	log_since "$DAEMON_LOG" "$lines" |
	    grep -qE '^[^ ]+ debug +fetcher: control: status from uid 0'
}
ok "the reloaded LOG_LEVEL=debug reaches the fetcher" \
    wait_until 100 status_logged_at_debug
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" \
    "the fetcher kept its PID through sync, log and reload"
is "$(child_titled "$supervisor" "multinicd: applier")" "$applier" \
    "the applier kept its PID"

# A configuration the supervisor refuses: reload exits 1 with the reason,
# FILE:LINE included, and the running configuration stays.
cp "$conf" "$TEST_DIR/good.conf"
set_config "$conf" POLL_INTERVAL 0s
bad_line=$(grep -n '^POLL_INTERVAL=' "$conf" | cut -d: -f1)
ctl reload
is "$CTL_STATUS" 1 "a reload of a bad configuration exits 1"
like "$CTL_ERR" "^multinicctl: config file has errors, reload failed: $conf:$bad_line: POLL_INTERVAL" \
    "it names the file, the line and the key"
like "$CTL_ERR" "the running configuration stays" "and says what happens"
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" \
    "the fetcher keeps running"
cp "$TEST_DIR/good.conf" "$conf"

# A reload that restarts the fetcher (DB_SOCKET is a key its sandbox depends
# on; here another path to the same server) still answers: the supervisor
# sends the outcome before it stops the fetcher, which delivers it.
ln -s "$MARIADB_SOCKET" "$TEST_DIR/db-link.sock"
set_config "$conf" DB_SOCKET "$TEST_DIR/db-link.sock"
ctl reload
is "$CTL_STATUS" 0 "a reload that restarts the fetcher exits 0"
is "$CTL_OUT" "configuration reloaded; fetcher restarted, applier kept" \
    "and its outcome arrived"
ok "a new fetcher runs" \
    wait_until 300 new_child_running "$supervisor" "multinicd: fetcher" "$fetcher"
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
ok "the new fetcher serves the socket, with the DB" wait_until 300 row_applied

# --- A managed NIC whose row is gone ------------------------------------------

# Its deletion waits for a second counted snapshot (POLL_INTERVAL/2 later),
# so after a sync it is listed without a row.
mariadb_sql "DELETE FROM multi_interface WHERE id = $valid_id"
ctl sync
orphan_listed() {
	ctl -j show interfaces &&
	    jq_holds "$CTL_OUT" '.[] | select(.mac == "fa:16:3e:00:30:01") | .state == "deleting"'
}
ok "a managed NIC whose row is gone is listed as deleting" \
    wait_until 300 orphan_listed
orphan=$(nic "$CTL_OUT" fa:16:3e:00:30:01)
diag "orphan: $orphan"
json_ok "$orphan" '.row_id == null and .name == "multinic0"' \
    "it has no row_id (null) and keeps its name"
json_ok "$orphan" '.reason | type == "string" and length > 0' "its reason says why"
json_ok "$CTL_OUT" 'length == 3' "held and waiting rows are still listed"
ctl -j status
json_ok "$CTL_OUT" '.interfaces.deleting == 1 and .interfaces.applied == 0' \
    "status counts it under deleting"

# --- Hostile clients ---------------------------------------------------------

client() {
	python3 "$TEST_DIR/client.py" "$socket" "$@"
}
like "$(client 'not json\n')" '^\{"ok":false,"error":"request is not valid JSON' \
    "a line that is not JSON gets an error reply"
like "$(client '{"command":"format disk"}\n')" '"error":"unknown command \\"format disk\\""' \
    "an unknown command gets an error reply naming it"
like "$(client '{"command":"log","level":5}\n')" '"error":"\\"level\\" must be a string"' \
    "a value of the wrong type gets an error reply"
like "$(client "$(printf 'x%.0s' $(seq 1 5000))")" '"error":"request longer than 1023 bytes"' \
    "an oversize request gets an error reply"
like "$(client '{"command":"status"}')" '^\{"ok":true,"result":\{' \
    "a request without its newline, then end of file, is still answered"
python3 "$here/../lib/idle.py" "$socket" 40 "$TEST_DIR/idle.ready" &
HELPER_PIDS+=("$!")
idle_pid=$!
ok "40 idle clients are connected" wait_until 100 test -e "$TEST_DIR/idle.ready"
took=$(elapsed "$MULTINIC_BUILD/multinicctl" -s "$socket" status)
ok "with 40 idle clients, status answers promptly ($took s)" \
    under "$took" "$PROMPT_SECONDS"
kill "$idle_pid" 2>/dev/null
wait "$idle_pid" 2>/dev/null
took=$(client "" slow)
ok "a client that sends nothing is closed after the 5 s deadline ($took s)" \
    under "$took" $((5 + PROMPT_SECONDS))
ok "and not long before it" under 4 "$took"

# Out of descriptors: accept(2) fails while the socket stays readable; the
# fetcher pauses accepting instead of spinning, and recovers.
starve_fetcher "$fetcher" "$socket" control
status_answers() {
	"$MULTINIC_BUILD/multinicctl" -s "$socket" status >/dev/null 2>&1
}
ok "descriptors back: status answers again" wait_until 150 status_answers
is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" \
    "the fetcher survived the hostile clients"

stop_daemon "$supervisor"
mariadb_stop

# --- A database that accepts and never answers -------------------------------

python3 "$here/../lib/hung_db.py" "$TEST_DIR/hung.port" "$TEST_DIR/hung.log" &
HELPER_PIDS+=("$!")
wait_until 150 test -s "$TEST_DIR/hung.port" || abort_test "the hung DB did not start"
conf=$TEST_DIR/hung.conf
write_test_config "$conf" \
    DB_HOST=127.0.0.1 \
    DB_PORT="$(cat "$TEST_DIR/hung.port")" \
    DB_PASSWORD=unused \
    DB_CONNECT_TIMEOUT=30s \
    POLL_INTERVAL=1s
start_daemon "$conf"
wait_children_ready "$DAEMON_PID"
ok "the fetcher is connecting to the hung DB" \
    wait_until 150 grep -q accepted "$TEST_DIR/hung.log"
took=$(elapsed "$MULTINIC_BUILD/multinicctl" -s "$socket" status)
ok "hung DB: status answers promptly ($took s)" under "$took" "$PROMPT_SECONDS"
ctl -j status
is "$CTL_STATUS" 0 "hung DB: status exits 0"
json_ok "$CTL_OUT" '.database_connected == false and .last_sync == null' \
    "hung DB: not connected, never synced"
took=$(elapsed "$MULTINIC_BUILD/multinicctl" -s "$socket" sync)
ok "hung DB: sync answers promptly ($took s)" under "$took" "$PROMPT_SECONDS"
took=$(elapsed "$MULTINIC_BUILD/multinicctl" -s "$socket" show interfaces)
ok "hung DB: show interfaces answers promptly ($took s)" \
    under "$took" "$PROMPT_SECONDS"
stop_daemon "$DAEMON_PID"

ok "no child was killed by a signal (seccomp) in any run" no_signal_deaths
done_testing
