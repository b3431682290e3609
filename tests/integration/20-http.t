#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# HTTP (doc/architecture.md, 5.3): the fetcher serves status JSON, liveness,
# readiness and Prometheus metrics while the database is missing, up, gone or
# hung, and keeps answering through oversized headers and piles of idle
# connections. The daemon runs with the real seccomp filters: a syscall evhttp
# needs and the filter lacks would kill the fetcher.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"

test_begin curl jq promtool python3

node=$(uname -n)
password=http-test-$$
families=(
	multinic_interfaces_processed_total
	multinic_interface_processing_duration_seconds
	multinic_polling_cycles_total
	multinic_polling_cycle_duration_seconds
	multinic_polling_backoff_level
	multinic_db_connection_status
	multinic_db_query_duration_seconds
	multinic_db_writeback_failures_total
	multinic_configuration_drifts_total
	multinic_drift_repairs_total
	multinic_orphaned_interfaces_deleted_total
	multinic_rows_rejected_total
	multinic_deletions_held
	multinic_errors_total
	multinic_agent_info
)

# --- Small clients -----------------------------------------------------------

BASE=
# code PATH [CURL-ARG...]: the HTTP status, 000 when nothing answered in 2 s.
code() {
	local path=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$BASE$path"
}

# body PATH: what GET PATH returns, whatever the status.
body() {
	curl -s --max-time 2 "$BASE$1"
}

code_is() {
	[ "$(code "$1")" = "$2" ]
}

# timed PATH SECONDS: "CODE TIME" of a GET given at most SECONDS.
timed() {
	curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time "$2" \
	    "$BASE$1"
}

# faster_than "CODE TIME" LIMIT: the request answered within LIMIT seconds.
# (PROMPT_SECONDS, daemon.sh: a bound for what must not wait, not a latency.)
faster_than() {
	awk -v t="${1#* }" -v limit="$2" 'BEGIN { exit !(t + 0 < limit + 0) }'
}

# json_ok JSON FILTER DESC: jq -e FILTER holds.
json_ok() {
	ok "$3" jq_holds "$1" "$2"
}

jq_holds() {
	jq -e "$2" <<<"$1" >/dev/null
}

cat >"$TEST_DIR/big_header.py" <<'EOF'
# Sends a request with a 1 MiB header; prints the status line, or "closed".
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
try:
    s.sendall(b"GET / HTTP/1.1\r\nHost: test\r\nX-Big: " + b"a" * (1 << 20)
              + b"\r\n\r\n")
except OSError:
    pass  # the server stopped reading: that is a refusal too
try:
    line = s.recv(128).split(b"\r\n")[0].decode("ascii", "replace")
except OSError:
    line = ""
print(line or "closed")
EOF

cat >"$TEST_DIR/request_line.py" <<'EOF'
# Sends one raw request line; prints the status line, or "closed".
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode("ascii") + b"\r\nHost: test\r\n\r\n")
try:
    line = s.recv(128).split(b"\r\n")[0].decode("ascii", "replace")
except OSError:
    line = ""
print(line or "closed")
EOF

no_signal_deaths() {
	! grep -h "killed by signal" "$TEST_DIR"/multinicd.*.log
}

# --- The database is not there yet -------------------------------------------

http_port=$(mariadb_free_port) || bail_out "no free port"
BASE=http://127.0.0.1:$http_port
conf=$TEST_DIR/multinicd.conf
# BACKOFF_MAX_INTERVAL=1s: retries stay 1 s apart, so the daemon finds the
# database soon after it comes up.
write_test_config "$conf" \
    DB_HOST=localhost \
    DB_SOCKET="$TEST_DIR/db/mysqld.sock" \
    DB_USER="$MARIADB_USER" \
    DB_PASSWORD="$password" \
    DB_CONNECT_TIMEOUT=2s \
    HEALTH_ADDR=127.0.0.1 \
    HEALTH_PORT="$http_port" \
    POLL_INTERVAL=1s \
    BACKOFF_MAX_INTERVAL=1s
start_daemon "$conf"
supervisor=$DAEMON_PID
wait_children_ready "$supervisor"
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")

is "$(code /healthz)" 200 "DB missing: /healthz is 200"
is "$(code /readyz)" 503 "DB missing: /readyz is 503 before any acknowledged snapshot"
ok "DB missing: / turns 503 after 3 poll intervals without a successful poll" \
    wait_until 60 code_is / 503
is "$(body / | jq -r .status)" unhealthy "DB missing: / says unhealthy"
is "$(body / | jq -r .last_sync)" null "DB missing: last_sync is null"
like "$(body / | jq -r .last_error)" "connect" "DB missing: last_error says why"
like "$(body /metrics)" '^multinic_poll_error\{error="[^"]*connect[^"]*"\} 1$' \
    "DB missing: multinic_poll_error is 1 and its label says why"

# --- The database comes up, with a row that fails validation ----------------

# The row goes in before the password is set: the daemon's first poll
# that gets through must see it.
mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
mariadb_sql "INSERT INTO multi_interface (port_id, subnet_id, macaddress,
    attached_node_name, address, cidr, mtu) VALUES ('port-1', 'subnet-1',
    'not-a-mac', '$node', '10.99.0.5', '10.99.0.0/24', 1500)" ||
    bail_out "cannot insert the row"
mariadb_sql "ALTER USER '$MARIADB_USER'@'localhost' IDENTIFIED BY '$password'" ||
    bail_out "cannot set the DB password"

ok "DB up: /readyz turns 200 once the applier acknowledged a snapshot" \
    wait_until 100 code_is /readyz 200
ok "DB up: / turns 200 again" wait_until 150 code_is / 200

status=$(body /)
diag "GET /: $status"
json_ok "$status" '.status == "degraded"' "a held row makes / degraded"
json_ok "$status" '.uptime | type == "string" and test("^([0-9]+h)?([0-9]+m)?[0-9]+s$")' \
    "uptime is a duration string like 3h25m10s"
json_ok "$status" '.uptime_seconds | type == "number" and . >= 0 and floor == .' \
    "uptime_seconds is a whole number"
json_ok "$status" '.processed_vms | type == "number"' "processed_vms is a number"
json_ok "$status" '.failed_configs | type == "number" and . >= 1' \
    "failed_configs is a number counting the held row"
json_ok "$status" '.database_connected == true' "database_connected is the boolean true"
json_ok "$status" '.last_error == null' "last_error is null after a good poll"
like "$(body /metrics)" '^multinic_poll_error\{error=""\} 0$' \
    "multinic_poll_error is 0 with an empty label after a good poll"
json_ok "$status" '.last_sync | type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")' \
    "last_sync is RFC 3339 UTC"
json_ok "$status" '.interfaces | type == "object" and (keys | sort) == ["applied","deleting","failed","held","pending","waiting"]' \
    "interfaces has exactly the six states"
json_ok "$status" '[.interfaces[] | type == "number"] | all' "every interface count is a number"
json_ok "$status" '.interfaces.held >= 1' "the held row is counted under held"
json_ok "$status" '.version | type == "string" and length > 0' "version is a string"
is "$(jq -r .node_name <<<"$status")" "$node" "node_name is uname -n"

metrics=$(body /metrics)
ok "promtool check metrics is clean on live /metrics" \
    promtool check metrics <<<"$metrics"
missing=
for family in "${families[@]}"; do
	grep -q "^# TYPE $family " <<<"$metrics" || missing="$missing $family"
	grep -Eq "^${family}(_bucket|_sum|_count)?(\{[^}]*\})? " <<<"$metrics" ||
	    missing="$missing $family(no sample)"
done
is "$missing" "" \
    "every family of doc/architecture.md, 5.4 is there, with a sample"
like "$metrics" '^multinic_rows_rejected_total\{reason="macaddress"\} 1$' \
    "the held row is counted once under reason=macaddress"
like "$metrics" '^multinic_db_connection_status 1$' "db_connection_status is 1"
is "$(grep -c '^multinic_drift_repairs_total{kind="[a-z_]*"} 0$' <<<"$metrics")" 6 \
    "drift_repairs_total has each of the 6 kinds (route too), at 0"
like "$metrics" "^multinic_agent_info\\{version=\"[^\"]+\",os_type=\"netplan\",node_name=\"$node\"\\} 1$" \
    "agent_info names version, OS type and node"
is "$(curl -s -o /dev/null -w '%{content_type}' --max-time 2 "$BASE/metrics")" \
    "text/plain; version=0.0.4; charset=utf-8" "/metrics has the 0.0.4 content type"

# --- What is not served ------------------------------------------------------

is "$(code /nope)" 404 "an unknown path is 404"
is "$(code / -X POST)" 405 "POST / is 405"
like "$(curl -s -D - -o /dev/null --max-time 2 -X POST "$BASE/")" \
    '^Allow: GET, HEAD' "405 says which methods are allowed"
is "$(code /metrics -X DELETE)" 405 "DELETE /metrics is 405"
is "$(code /healthz -I)" 200 "HEAD /healthz is 200"
for method in FOO get PROPFIND; do
	is "$(code / -X "$method")" 405 "a method evhttp does not know ($method) is 405"
done
like "$(curl -s -D - -o /dev/null --max-time 2 -X FOO "$BASE/")" \
    '^Allow: GET, HEAD' "and its 405 says which methods are allowed"
is "$(python3 "$TEST_DIR/request_line.py" "$http_port" "GET / HTTP/1.9")" \
    "HTTP/1.1 505 HTTP Version Not Supported" "HTTP/1.9 is 505, answered as 1.1"
like "$(python3 "$TEST_DIR/request_line.py" "$http_port" "GET / HTTP/2.0")" \
    '^(HTTP/1\.[01] (400|505)|closed)' "HTTP/2.0 as a request line is refused"
is "$(python3 "$TEST_DIR/request_line.py" "$http_port" "GET / HTTP/1.0")" \
    "HTTP/1.0 200 OK" "HTTP/1.0 is still served"

refusal=$(python3 "$TEST_DIR/big_header.py" "$http_port")
like "$refusal" '^(HTTP/1\.[01] 4[0-9][0-9]|closed)' \
    "a 1 MiB header is refused (4xx or connection closed): $refusal"
is "$(code /healthz)" 200 "and the server answers after it"

python3 "$here/../lib/idle.py" "$http_port" 100 "$TEST_DIR/idle.ready" &
HELPER_PIDS+=("$!")
idle_pid=$!
ok "100 idle connections are open" wait_until 100 test -e "$TEST_DIR/idle.ready"
answer=$(timed / 10)
ok "with 100 idle connections open, / answers promptly ($answer)" \
    faster_than "$answer" "$PROMPT_SECONDS"
is "${answer%% *}" 200 "and it is a 200"
kill "$idle_pid" 2>/dev/null
wait "$idle_pid" 2>/dev/null

# Out of descriptors: accept(2) fails while the socket stays readable; the
# fetcher pauses accepting instead of spinning, and recovers.
starve_fetcher "$fetcher" "$http_port" HTTP
ok "descriptors back: / answers again" wait_until 150 code_is / 200

# --- The database goes away --------------------------------------------------

mariadb_stop
ok "DB stopped: / turns 503 after 3 poll intervals" wait_until 80 code_is / 503
status=$(body /)
json_ok "$status" '.status == "unhealthy"' "DB stopped: / says unhealthy"
json_ok "$status" '.database_connected == false' "DB stopped: database_connected is false"
is "$(code /healthz)" 200 "DB stopped: /healthz is still 200"
is "$(code /readyz)" 200 "DB stopped: /readyz stays 200 (a snapshot was acknowledged)"
like "$(body /metrics)" '^multinic_db_connection_status 0$' "db_connection_status is 0"

is "$(child_titled "$supervisor" "multinicd: fetcher")" "$fetcher" \
    "the fetcher kept its PID through all of it"
stop_daemon "$supervisor"

# --- A database that accepts and never answers -------------------------------

python3 "$here/../lib/hung_db.py" "$TEST_DIR/hung.port" "$TEST_DIR/hung.log" &
HELPER_PIDS+=("$!")
wait_until 150 test -s "$TEST_DIR/hung.port" || abort_test "the hung DB did not start"
http_port=$(mariadb_free_port) || bail_out "no free port"
BASE=http://127.0.0.1:$http_port
conf=$TEST_DIR/hung.conf
write_test_config "$conf" \
    DB_HOST=127.0.0.1 \
    DB_PORT="$(cat "$TEST_DIR/hung.port")" \
    DB_USER="$MARIADB_USER" \
    DB_PASSWORD="$password" \
    DB_CONNECT_TIMEOUT=30s \
    HEALTH_ADDR=127.0.0.1 \
    HEALTH_PORT="$http_port" \
    POLL_INTERVAL=1s
start_daemon "$conf"
wait_children_ready "$DAEMON_PID"
ok "the fetcher is connecting to the hung DB" \
    wait_until 150 grep -q accepted "$TEST_DIR/hung.log"
answer=$(timed /healthz 10)
ok "hung DB: /healthz answers promptly ($answer)" \
    faster_than "$answer" "$PROMPT_SECONDS"
is "${answer%% *}" 200 "hung DB: /healthz is 200"
answer=$(timed / 10)
ok "hung DB: / answers promptly ($answer)" faster_than "$answer" "$PROMPT_SECONDS"
like "${answer%% *}" '^(200|503)$' "hung DB: / gives a status"
stop_daemon "$DAEMON_PID"

ok "no child was killed by a signal (seccomp) in any run" no_signal_deaths
done_testing
