#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# doc/architecture.md, 7.4: NODES simulated nodes (default 10000), each with one
# persistent connection, poll one throwaway MariaDB every INTERVAL seconds
# (default 30) with the fetcher's own SELECT, for DURATION seconds (default
# 120). Prints the server's settings and the latency distribution. Run by
# bench/run.sh.
# shellcheck source-path=SCRIPTDIR
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lib/tap.sh"
. "$here/../tests/lib/mariadb.sh"

NODES=${NODES:-10000}
INTERVAL=${INTERVAL:-30}
DURATION=${DURATION:-120}
ROWS_PER_NODE=3
dir=$(mktemp -d /tmp/multinic-bench.XXXXXX)
cleanup() {
	mariadb_stop
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
)
ulimit -n $((NODES + 2000)) || exit 1
mariadb_start "$dir/db" || exit 1

# NODES nodes with ROWS_PER_NODE NICs each, and a few other nodes' rows.
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

echo "server: $(mariadbd --version)"
mariadb_sql "SELECT @@max_connections, @@thread_handling, @@thread_pool_size,
    @@innodb_buffer_pool_size, @@table_open_cache" |
    awk '{ printf "settings: max_connections=%s thread_handling=%s thread_pool_size=%s innodb_buffer_pool_size=%s table_open_cache=%s\n", $1, $2, $3, $4, $5 }'
echo "rows: $(mariadb_sql "SELECT COUNT(*) FROM multi_interface")"
"$MULTINIC_BUILD/bench/dbload" -S "$MARIADB_SOCKET" -u "$MARIADB_USER" \
    -p "$MARIADB_PASSWORD" -D "$MARIADB_DB" -n "$NODES" -i "$INTERVAL" \
    -d "$DURATION" -t 4
echo "server: $(mariadb_sql "SHOW GLOBAL STATUS WHERE Variable_name IN
    ('Max_used_connections', 'Threads_created', 'Slow_queries')" |
    tr '\t\n' '= ')"
