#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A hung database never delays HTTP or multinicctl (doc/architecture.md, 2.3):
# not a server that accepts TCP and never answers, the first of a DB_HOST
# failover list, nor a SELECT stuck behind another session's table lock. Each is
# given up after its timeout, and the fetcher goes on with the server that
# answers.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"

test_begin curl jq python3

mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
# A MAC no link of this machine has: the row waits, nothing is touched.
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr) VALUES
    (1, 'p1', 's1', 'fa:16:3e:00:90:01', '$(uname -n)', '10.90.0.1', '10.90.0.0/24')" ||
    bail_out "cannot insert the row"
python3 "$here/../lib/hung_db.py" "$TEST_DIR/hung.port" "$TEST_DIR/hung.log" &
HELPER_PIDS+=("$!")
wait_until 150 test -s "$TEST_DIR/hung.port" || bail_out "the hung DB did not start"
hung_port=$(cat "$TEST_DIR/hung.port")

http_port=$(mariadb_free_port) || bail_out "no free port"
BASE=http://127.0.0.1:$http_port
write_test_config "$TEST_DIR/multinicd.conf" \
    DB_HOST="127.0.0.1:$hung_port,127.0.0.1:$MARIADB_PORT" \
    DB_USER="$MARIADB_USER" \
    DB_PASSWORD="$MARIADB_PASSWORD" \
    DB_CONNECT_TIMEOUT=10s \
    HEALTH_ADDR=127.0.0.1 \
    HEALTH_PORT="$http_port" \
    POLL_INTERVAL=1s
start_daemon "$TEST_DIR/multinicd.conf"
wait_children_ready "$DAEMON_PID"

# --- The first DB_HOST accepts and never answers ----------------------------

ok "the fetcher is connecting to the hung server" \
    wait_until 150 grep -q accepted "$TEST_DIR/hung.log"
worst=$(slowest /healthz 2 10)
ok "meanwhile /healthz answers promptly every time (slowest: $worst s)" \
    under "$worst" "$PROMPT_SECONDS"
worst=$(slowest / 1 10)
ok "and so does / (slowest: $worst s)" under "$worst" "$PROMPT_SECONDS"
ready() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/readyz")" = 200 ]
}
ok "after DB_CONNECT_TIMEOUT, the next host answers: /readyz is 200" \
    wait_until 300 ready
like "$(grep 'fetcher: db: connected to' "$DAEMON_LOG")" \
    "connected to 127\\.0\\.0\\.1:$MARIADB_PORT after failures: connect to 127\\.0\\.0\\.1:$hung_port: timed out after 10000 ms" \
    "the log names the host given up and why"

# --- A SELECT stuck behind a table lock ---------------------------------------

mariadb --no-defaults -S "$MARIADB_SOCKET" -u root "$MARIADB_DB" \
    -e "LOCK TABLES multi_interface WRITE; SELECT SLEEP(30)" >/dev/null &
locker=$!
HELPER_PIDS+=("$locker")
stuck() {
	[ "$(mariadb_sql "SELECT COUNT(*) FROM information_schema.processlist
	    WHERE user = '$MARIADB_USER' AND state LIKE '%lock%'")" -ge 1 ]
}
ok "the fetcher's SELECT waits for the lock" wait_until 100 stuck
worst=$(slowest /metrics 3 10)
ok "meanwhile /metrics answers promptly every time (slowest: $worst s)" \
    under "$worst" "$PROMPT_SECONDS"
took=$( { TIMEFORMAT=%R; time "$MULTINIC_BUILD/multinicctl" \
    -s "$TEST_DIR/run/multinicd.sock" status >/dev/null; } 2>&1)
ok "and so does multinicctl status ($took s)" under "$took" "$PROMPT_SECONDS"
ok "the stuck poll is given up after its timeout" \
    wait_until 300 grep -q 'poll failed.*execute the SELECT.*timed out after 10000 ms' \
    "$DAEMON_LOG"
kill "$locker"
wait "$locker" 2>/dev/null
ok "with the lock gone, the database is reachable again" \
    wait_until 150 grep -q 'fetcher: database reachable again' "$DAEMON_LOG"
is "$(curl -s --max-time 2 "$BASE/" | jq -r .database_connected)" true \
    "GET / says database_connected true"
stop_daemon "$DAEMON_PID"

ok "no child was killed by a signal (seccomp)" \
    eval "! grep -q 'killed by signal' '$DAEMON_LOG'"
done_testing
