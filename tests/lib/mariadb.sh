# SPDX-License-Identifier: ISC
# A throwaway MariaDB server for one test: its own data directory, unix
# socket and TCP port on 127.0.0.1, the multinic_db database with the
# controller's schema (etc/schema.sql) and a password-protected user.
# Needs tap.sh (diag, wait_until). Sets:
#   MARIADB_SOCKET MARIADB_PORT MARIADB_PID MARIADB_DIR
#   MARIADB_DB MARIADB_USER MARIADB_PASSWORD
# shellcheck shell=bash

MARIADB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MARIADB_SCHEMA=$MARIADB_LIB_DIR/../../etc/schema.sql
MARIADB_DIR=
MARIADB_PID=
MARIADB_PORT=
MARIADB_SOCKET=
MARIADB_DB=multinic_db
MARIADB_USER=multinic
MARIADB_PASSWORD=
# More mariadbd options, for a benchmark's server settings.
MARIADB_EXTRA_ARGS=()

# A TCP port nobody listens on, from a random base in 20000..39999.
mariadb_free_port() {
	local port tries
	port=$((20000 + RANDOM % 20000))
	for ((tries = 0; tries < 100; tries++)); do
		if [ -z "$(ss -Htln "sport = :$port")" ]; then
			echo "$port"
			return 0
		fi
		port=$((port + 1))
	done
	return 1
}

mariadb_ping() {
	mariadb-admin --no-defaults -S "$MARIADB_SOCKET" -u root ping \
	    >/dev/null 2>&1
}

mariadb_up_or_dead() {
	mariadb_ping || mariadb_is_gone
}

# mariadb_sql SQL: runs it as root in multinic_db; prints rows tab-separated,
# without column names.
mariadb_sql() {
	mariadb --no-defaults -S "$MARIADB_SOCKET" -u root -N -B \
	    "$MARIADB_DB" -e "$1"
}

# mariadb_load FILE: runs the SQL in FILE as root in multinic_db.
mariadb_load() {
	mariadb --no-defaults -S "$MARIADB_SOCKET" -u root "$MARIADB_DB" <"$1"
}

# mariadb_launch PORT: mariadbd on the data directory in MARIADB_DIR,
# listening on PORT and MARIADB_SOCKET; 0 once it answers, else it is gone.
# Not in a subshell: MARIADB_PID must stay a child of the test shell.
mariadb_launch() {
	MARIADB_PORT=$1
	mariadbd --no-defaults --user=root --datadir="$MARIADB_DIR/data" \
	    --socket="$MARIADB_SOCKET" --port="$MARIADB_PORT" \
	    --bind-address=127.0.0.1 --pid-file="$MARIADB_DIR/mysqld.pid" \
	    --log-error="$MARIADB_DIR/error.log" --tmpdir="$MARIADB_DIR/tmp" \
	    "${MARIADB_EXTRA_ARGS[@]}" \
	    >>"$MARIADB_DIR/mariadbd.out" 2>&1 &
	MARIADB_PID=$!
	wait_until 200 mariadb_up_or_dead
	mariadb_ping && return 0
	wait "$MARIADB_PID" 2>/dev/null
	MARIADB_PID=
	return 1
}

# mariadb_start DIR: DIR (created, mode 0755 so the fetcher's user can reach
# the socket) holds data/, tmp/, mysqld.sock, mysqld.pid and error.log.
mariadb_start() {
	local attempt port
	MARIADB_DIR=$1
	MARIADB_SOCKET=$MARIADB_DIR/mysqld.sock
	mkdir -p "$MARIADB_DIR/data" "$MARIADB_DIR/tmp" &&
	    chmod 0755 "$MARIADB_DIR" || return 1
	# A temporary directory of its own: servers bootstrapped at the same
	# time in a shared /tmp trip over each other's temporary tables.
	if ! mariadb-install-db --no-defaults --user=root --skip-test-db \
	    --datadir="$MARIADB_DIR/data" --tmpdir="$MARIADB_DIR/tmp" \
	    >"$MARIADB_DIR/install.log" 2>&1; then
		diag "mariadb-install-db failed:"
		diag "$(cat "$MARIADB_DIR/install.log")"
		return 1
	fi
	# Another process may take the port between the check and the bind.
	for attempt in 1 2 3; do
		port=$(mariadb_free_port) || return 1
		mariadb_launch "$port" && break
		diag "mariadbd did not start (attempt $attempt, port $port)"
		grep -q "Bind on TCP/IP port" "$MARIADB_DIR/error.log" || break
	done
	if [ -z "$MARIADB_PID" ]; then
		diag "$(tail -n 20 "$MARIADB_DIR/error.log")"
		return 1
	fi
	mariadb_create_db
}

# mariadb_restart: the same server again after mariadb_stop: same data and
# socket, and the same port unless another process took it meanwhile.
mariadb_restart() {
	local lines port
	lines=$(wc -l <"$MARIADB_DIR/error.log")
	mariadb_launch "$MARIADB_PORT" && return 0
	if tail -n "+$((lines + 1))" "$MARIADB_DIR/error.log" |
	    grep -q "Bind on TCP/IP port"; then
		diag "port $MARIADB_PORT was taken meanwhile; another one"
		port=$(mariadb_free_port) && mariadb_launch "$port" && return 0
	fi
	diag "mariadbd did not restart"
	diag "$(tail -n 20 "$MARIADB_DIR/error.log")"
	return 1
}

mariadb_create_db() {
	MARIADB_PASSWORD=mn-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	# Like a real deployment: the agent reads and writes back, nothing more.
	mariadb --no-defaults -S "$MARIADB_SOCKET" -u root <<-EOF || return 1
		CREATE DATABASE $MARIADB_DB;
		CREATE USER '$MARIADB_USER'@'localhost' IDENTIFIED BY '$MARIADB_PASSWORD';
		CREATE USER '$MARIADB_USER'@'127.0.0.1' IDENTIFIED BY '$MARIADB_PASSWORD';
		GRANT SELECT, UPDATE ON $MARIADB_DB.* TO '$MARIADB_USER'@'localhost';
		GRANT SELECT, UPDATE ON $MARIADB_DB.* TO '$MARIADB_USER'@'127.0.0.1';
	EOF
	mariadb_load "$MARIADB_SCHEMA"
}

# The optional multi_subnet table some sites have (doc/architecture.md, 1.1).
mariadb_add_multi_subnet() {
	mariadb_load "$MARIADB_LIB_DIR/multi_subnet.sql"
}

# mariadb_stop: clean shutdown, SIGKILL after 20 s.
mariadb_stop() {
	[ -n "$MARIADB_PID" ] || return 0
	mariadb-admin --no-defaults -S "$MARIADB_SOCKET" -u root shutdown \
	    >/dev/null 2>&1 || kill -TERM "$MARIADB_PID" 2>/dev/null
	if ! wait_until 200 mariadb_is_gone; then
		diag "mariadbd $MARIADB_PID did not shut down; killing it"
		kill -KILL "$MARIADB_PID" 2>/dev/null
	fi
	wait "$MARIADB_PID" 2>/dev/null
	MARIADB_PID=
}

mariadb_is_gone() {
	local state
	state=$(awk '/^State:/ { print $2 }' "/proc/$MARIADB_PID/status" \
	    2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ]
}
