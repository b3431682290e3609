#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# TLS to the database (DB_TLS, doc/architecture.md, 2.3): the sandboxed fetcher polls a
# MariaDB server over TLS (on), checks its certificate against DB_TLS_CA
# (verify) and refuses one from another CA; a server that offers TLS and
# then never answers the handshake holds up neither HTTP nor multinicctl,
# is given up after DB_CONNECT_TIMEOUT, and does not delay a stop.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"

test_begin curl jq openssl python3

# A CA, a server certificate it signed for 127.0.0.1 (an IP SAN: the
# connector checks the address it connects to), and an unrelated CA.
pki=$TEST_DIR/pki
mkdir -p "$pki" && chmod 0755 "$pki"
{
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca \
	    -keyout "$pki/ca.key" -out "$pki/ca.pem" &&
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
	    -keyout "$pki/server.key" -out "$pki/server.csr" &&
	printf 'subjectAltName=IP:127.0.0.1\n' >"$pki/san.ext" &&
	openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" \
	    -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
	    -extfile "$pki/san.ext" -out "$pki/server.pem" &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca \
	    -keyout "$pki/other.key" -out "$pki/other.pem"
} >"$pki/openssl.log" 2>&1 || bail_out "openssl: $(cat "$pki/openssl.log")"
chmod 0644 "$pki"/*.pem

MARIADB_EXTRA_ARGS=(--ssl-ca="$pki/ca.pem" --ssl-cert="$pki/server.pem"
    --ssl-key="$pki/server.key")
mariadb_start "$TEST_DIR/db" || bail_out "cannot start MariaDB"
[ "$(mariadb_sql "SELECT @@have_ssl")" = YES ] || bail_out "MariaDB has no TLS"
mariadb_sql "INSERT INTO multi_interface (id, port_id, subnet_id, macaddress,
    attached_node_name, address, cidr) VALUES
    (1, 'p1', 's1', 'fa:16:3e:00:a0:01', '$(uname -n)', '10.100.0.1', '10.100.0.0/24')" ||
    bail_out "cannot insert the row"

http_port=$(mariadb_free_port) || bail_out "no free port"
BASE=http://127.0.0.1:$http_port

# run_daemon NAME KEY=VALUE...: the daemon against DB_HOST with these
# settings, HTTP on loopback, a poll a second, debug logs (the applier logs
# each snapshot it gets at debug).
run_daemon() {
	local conf=$TEST_DIR/$1.conf
	shift
	write_test_config "$conf" \
	    DB_HOST=127.0.0.1 \
	    DB_PORT="$MARIADB_PORT" \
	    DB_USER="$MARIADB_USER" \
	    DB_PASSWORD="$MARIADB_PASSWORD" \
	    HEALTH_ADDR=127.0.0.1 \
	    HEALTH_PORT="$http_port" \
	    POLL_INTERVAL=1s \
	    LOG_LEVEL=debug \
	    "$@"
	start_daemon "$conf"
	wait_children_ready "$DAEMON_PID"
}

ready() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/readyz")" = 200 ]
}

connected() {
	curl -s --max-time 2 "$BASE/" | jq -r .database_connected
}

tls_accepts() {
	mariadb_sql "SHOW GLOBAL STATUS LIKE 'Ssl_accepts'" | awk '{ print $2 }'
}

no_signal_deaths() {
	! grep -q 'killed by signal' "$DAEMON_LOG"
}

# --- DB_TLS=on ----------------------------------------------------------------

accepts=$(tls_accepts)
run_daemon on DB_TLS=on
ok "DB_TLS=on: the poll goes through" wait_until 100 ready
ok "and its snapshot reaches the applier" \
    grep -q 'applier: snapshot [0-9]*: 1 rows' "$DAEMON_LOG"
is "$(connected)" true "database_connected is true"
ok "over TLS: the server counts more TLS sessions ($accepts, then $(tls_accepts))" \
    test "$(tls_accepts)" -gt "$accepts"
ok "the sandboxed fetcher was not killed on the way" no_signal_deaths
stop_daemon "$DAEMON_PID"

# --- DB_TLS=verify ------------------------------------------------------------

run_daemon verify DB_TLS=verify DB_TLS_CA="$pki/ca.pem"
ok "DB_TLS=verify with the server's CA: the poll goes through" \
    wait_until 100 ready
ok "and the fetcher was not killed" no_signal_deaths
stop_daemon "$DAEMON_PID"

run_daemon other DB_TLS=verify DB_TLS_CA="$pki/other.pem"
ok "DB_TLS=verify with another CA: the poll fails" \
    wait_until 100 grep -q 'fetcher: poll failed' "$DAEMON_LOG"
like "$(grep 'fetcher: poll failed' "$DAEMON_LOG" | head -n 1)" \
    'connect to 127\.0\.0\.1:[0-9]+: .*(certificate|TLS|SSL)' \
    "the error names the TLS failure"
is "$(connected)" false "database_connected is false"
ok "nothing reached the applier" \
    eval "! grep -q 'applier: snapshot' '$DAEMON_LOG'"
ok "and the fetcher was not killed" no_signal_deaths
stop_daemon "$DAEMON_PID"

# --- A server that offers TLS, then never answers the handshake ------------

python3 "$here/../lib/hung_db.py" "$TEST_DIR/hung.port" "$TEST_DIR/hung.log" tls &
HELPER_PIDS+=("$!")
wait_until 150 test -s "$TEST_DIR/hung.port" || bail_out "the hung DB did not start"
run_daemon hung DB_TLS=on DB_PORT="$(cat "$TEST_DIR/hung.port")" \
    DB_CONNECT_TIMEOUT=5s BACKOFF_MAX_INTERVAL=1s
ok "the fetcher is talking to the silent server" \
    wait_until 150 grep -q accepted "$TEST_DIR/hung.log"

# Each handshake waits DB_CONNECT_TIMEOUT, longer than PROMPT_SECONDS, and
# the next attempt comes a second after: the requests meet handshakes.
worst=$(slowest /healthz 8 10 0.05)
ok "meanwhile /healthz answers promptly every time (slowest: $worst s)" \
    under "$worst" "$PROMPT_SECONDS"
worst=$(slowest_ctl 4)
ok "and so does multinicctl status (slowest: $worst s)" \
    under "$worst" "$PROMPT_SECONDS"
ok "the handshake is given up after DB_CONNECT_TIMEOUT" \
    wait_until 150 grep -q 'fetcher: poll failed.*timed out after 5000 ms.*TLS' \
    "$DAEMON_LOG"
ok "and the fetcher was not killed" no_signal_deaths

# more_accepted N: the silent server has accepted more than N connections.
more_accepted() {
	[ "$(grep -c accepted "$TEST_DIR/hung.log")" -gt "$1" ]
}
ok "another attempt starts its handshake" \
    wait_until 150 more_accepted "$(grep -c accepted "$TEST_DIR/hung.log")"
ok "stopped meanwhile, multinicd exits 0 within 5 s" stop_daemon "$DAEMON_PID"
ok "and no child was killed" no_signal_deaths

done_testing
