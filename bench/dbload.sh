#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# doc/architecture.md, 7.4: NODES simulated nodes (default 10000), each
# polling one throwaway MariaDB every INTERVAL seconds (default 30) through
# the fetcher's own MariaDB layer (bench/dbload.c), open loop, for DURATION
# seconds (default 120; RESTART=1: 4 intervals, at least 60) after every node's first poll. Prints the server's
# settings and the latency distribution. Run by bench/run.sh.
#   TRANSPORT=socket  the unix socket (default)
#   TRANSPORT=tcp     TCP to 127.0.0.1
#   TRANSPORT=tls     TCP with TLS, the certificate verified (DB_TLS=verify)
#                     against a CA made for this run
#   RESTART=1         once every node is connected and polling, the server
#                     is restarted: how long until every node has polled
#                     successfully again, connects per second, errors
#   CONNECT_THREADS   dbload's connect threads (default 16)
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lib/tap.sh"
. "$here/../tests/lib/mariadb.sh"

NODES=${NODES:-10000}
INTERVAL=${INTERVAL:-30}
TRANSPORT=${TRANSPORT:-socket}
RESTART=${RESTART:-0}
CONNECT_THREADS=${CONNECT_THREADS:-16}
# A restart run lasts until every node is back, or four intervals.
if [ "$RESTART" = 1 ]; then
	DURATION=${DURATION:-$((INTERVAL * 4 > 60 ? INTERVAL * 4 : 60))}
else
	DURATION=${DURATION:-120}
fi
ROWS_PER_NODE=3
dir=$(mktemp -d /tmp/multinic-bench.XXXXXX)
dbload_pid=
cleanup() {
	[ -z "$dbload_pid" ] || kill "$dbload_pid" 2>/dev/null
	mariadb_stop
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case $TRANSPORT in
socket|tcp|tls) ;;
*) echo "TRANSPORT must be socket, tcp or tls" >&2; exit 2 ;;
esac

# A CA and a server certificate for 127.0.0.1 (an IP SAN: the connector
# checks the address it connects to), as tests/integration/17-tls.t makes.
make_pki() {
	local pki=$1
	mkdir -p "$pki" || return 1
	{
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		    -subj /CN=bench-ca -keyout "$pki/ca.key" -out "$pki/ca.pem" &&
		openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		    -keyout "$pki/server.key" -out "$pki/server.csr" &&
		printf 'subjectAltName=IP:127.0.0.1\n' >"$pki/san.ext" &&
		openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" \
		    -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
		    -extfile "$pki/san.ext" -out "$pki/server.pem"
	} >"$pki/openssl.log" 2>&1
}

# A connection is a thread unless the pool serves them; 10,000 idle
# connections are what the fleet looks like to the server.
MARIADB_EXTRA_ARGS=(
	--max-connections=$((NODES + 50))
	--open-files-limit=$((NODES + 2000))
	--thread-handling=pool-of-threads
	--thread-pool-size=2
	--table-open-cache=400
	--innodb-buffer-pool-size=128M
	--skip-log-bin
	# Each node's connection prepares two statements (the SELECT and the
	# write-back UPDATE): the default limit, 16382, serves 8,191 nodes.
	--max-prepared-stmt-count=$((NODES * 2 + 100))
)
if [ "$TRANSPORT" = tls ]; then
	make_pki "$dir/pki" || { cat "$dir/pki/openssl.log"; exit 1; }
	MARIADB_EXTRA_ARGS+=(--ssl-ca="$dir/pki/ca.pem"
	    --ssl-cert="$dir/pki/server.pem" --ssl-key="$dir/pki/server.key")
fi
ulimit -n $((NODES + 2000)) || exit 1
mariadb_start "$dir/db" || exit 1

# NODES nodes with ROWS_PER_NODE NICs each.
{
	echo "INSERT INTO multi_interface (port_id, subnet_id, macaddress,"
	echo "    attached_node_name, address, cidr, mtu) VALUES"
	awk -v nodes="$NODES" -v per="$ROWS_PER_NODE" 'BEGIN {
		for (n = 0; n < nodes; n++)
			for (r = 0; r < per; r++) {
				i = n * per + r
				printf "%s(\"p%d\", \"s1\", \"fa:16:3e:%02x:%02x:%02x\", \"node%d\", \"10.%d.%d.%d\", \"10.0.0.0/8\", 1500)",
				    (i ? ",\n" : ""), i, int(i / 65536) % 256,
				    int(i / 256) % 256, i % 256, n,
				    int(i / 65536) % 256, int(i / 256) % 256, i % 256 + 1
			}
		print ";"
	}'
} >"$dir/rows.sql"
mariadb_load "$dir/rows.sql" || exit 1
mariadb_sql "ANALYZE TABLE multi_interface" >/dev/null

server_status() {
	mariadb_sql "SHOW GLOBAL STATUS WHERE Variable_name IN ($1)" |
	    tr '\t\n' '= '
}

echo "server: $(mariadbd --version)"
mariadb_sql "SELECT @@max_connections, @@thread_handling, @@thread_pool_size,
    @@innodb_buffer_pool_size, @@table_open_cache, @@max_prepared_stmt_count,
    @@have_ssl" |
    awk '{ printf "settings: max_connections=%s thread_handling=%s thread_pool_size=%s innodb_buffer_pool_size=%s table_open_cache=%s max_prepared_stmt_count=%s have_ssl=%s\n", $1, $2, $3, $4, $5, $6, $7 }'
echo "rows: $(mariadb_sql "SELECT COUNT(*) FROM multi_interface")," \
    "transport: $TRANSPORT"

target=(-S "$MARIADB_SOCKET")
case $TRANSPORT in
tcp) target=(-H 127.0.0.1 -P "$MARIADB_PORT") ;;
tls) target=(-H 127.0.0.1 -P "$MARIADB_PORT" -C "$dir/pki/ca.pem") ;;
esac
"$MULTINIC_BUILD/bench/dbload" "${target[@]}" -u "$MARIADB_USER" \
    -p "$MARIADB_PASSWORD" -D "$MARIADB_DB" -n "$NODES" -r "$ROWS_PER_NODE" \
    -i "$INTERVAL" -d "$DURATION" -c "$CONNECT_THREADS" >"$dir/dbload.out" &
dbload_pid=$!

if [ "$RESTART" = 1 ]; then
	all_connected() {
		local n
		n=$(mariadb_sql "SHOW GLOBAL STATUS LIKE 'Threads_connected'" |
		    awk '{ print $2 }')
		[ "${n:-0}" -gt "$NODES" ]
	}
	# Every node connects within its first interval.
	if ! wait_until $(((INTERVAL + 60) * 10)) all_connected; then
		echo "not every node connected; no restart"
	else
		sleep "$((INTERVAL / 3 + 1))"
		echo "before the restart: $(server_status "'Threads_connected'")"
		down_start=$(date +%s%N)
		mariadb_stop
		kill -USR1 "$dbload_pid"
		down=$(date +%s%N)
		mariadb_restart || exit 1
		up=$(date +%s%N)
		echo "restart: shutdown took $(((down - down_start) / 1000000)) ms," \
		    "down $(((up - down) / 1000000)) ms until it answered again"
	fi
fi
wait "$dbload_pid"
dbload_pid=
cat "$dir/dbload.out"
echo "server: $(server_status "'Max_used_connections', 'Threads_created',
    'Connections', 'Aborted_connects', 'Slow_queries', 'Ssl_accepts'")"
