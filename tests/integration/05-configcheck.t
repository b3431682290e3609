#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# multinicd -n checks the configuration and exits: 0 when it is good, 1 with
# every problem on stderr (each naming its key) when it is not; it never
# contacts the DB. Unknown and legacy keys only warn; the environment
# overrides the file.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"

require_root_and_build
ensure_privsep_user || bail_out "cannot create the _multinic user"
command -v python3 >/dev/null || skip_all "needs python3 for a fake DB server"
make_test_dir
listener_pid=
trap 'cleanup_listener; cleanup_daemons' EXIT

# A "DB server" that accepts TCP connections, never answers and writes down
# that someone connected: a check that contacted it would hang or show up.
contacts=$TEST_DIR/db-contacts
: >"$contacts"
python3 -c '
import socket, sys
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(8)
print(server.getsockname()[1], flush=True)
while True:
    conn, peer = server.accept()
    with open(sys.argv[1], "a") as contacts:
        contacts.write("connection from %s:%d\n" % peer)
' "$contacts" >"$TEST_DIR/db-port" &
listener_pid=$!

cleanup_listener() {
	[ -n "$listener_pid" ] || return 0
	kill "$listener_pid" 2>/dev/null
	wait "$listener_pid" 2>/dev/null
}

port_known() {
	[ -s "$TEST_DIR/db-port" ]
}
wait_until 150 port_known || abort_test "the fake DB server did not start"
db_port=$(cat "$TEST_DIR/db-port")

# check [NAME=VALUE...] CONF: multinicd -n -f CONF with those environment
# variables; sets status, stderr and millis.
check() {
	local started conf=${*: -1} vars=("${@:1:$#-1}")
	started=$(date +%s%N)
	stderr=$(timeout 20 env -i PATH="$DAEMON_PATH" "${vars[@]}" \
	    "$MULTINIC_BUILD/multinicd" -n -f "$conf" 2>&1 >/dev/null)
	status=$?
	millis=$((($(date +%s%N) - started) / 1000000))
}

good=$TEST_DIR/good.conf
write_test_config "$good" DB_HOST=127.0.0.1 DB_PORT="$db_port" \
    DB_CONNECT_TIMEOUT=10s DB_PASSWORD=s3cret

# A good file.
check "$good"
is "$status" 0 "-n with a good file exits 0"
ok "it does not wait for the DB: back before DB_CONNECT_TIMEOUT (${millis} ms)" \
    [ "$millis" -lt 10000 ]
is "$(cat "$contacts")" "" "it does not contact the DB"

# Several bad values: all of them reported.
bad=$TEST_DIR/bad.conf
write_test_config "$bad" POLL_INTERVAL=0s DB_PORT=99999 LOG_LEVEL=loud \
    APPLY_MODE=command
check "$bad"
is "$status" 1 "-n with bad values exits 1"
like "$stderr" "POLL_INTERVAL" "it names POLL_INTERVAL (0s)"
like "$stderr" "DB_PORT" "it names DB_PORT (99999)"
like "$stderr" "LOG_LEVEL" "it names LOG_LEVEL (loud)"
like "$stderr" "APPLY_COMMAND" "it names APPLY_COMMAND (missing with APPLY_MODE=command)"

# A file that does not exist.
check "$TEST_DIR/missing.conf"
is "$status" 1 "-n with a missing -f file exits 1"
like "$stderr" "missing\.conf" "it names the file"

# A password in a file others can read.
open_conf=$TEST_DIR/world-readable.conf
write_test_config "$open_conf" DB_PASSWORD=s3cret
chmod 0644 "$open_conf"
check "$open_conf"
is "$status" 1 "a file holding DB_PASSWORD with mode 0644 is refused"
like "$stderr" "world-readable\.conf" "the message names the file"
unlike "$stderr" "s3cret" "the message does not show the password"

# A privilege separation user that does not exist.
nouser=$TEST_DIR/nouser.conf
write_test_config "$nouser" PRIVSEP_USER=nosuchuser123
check "$nouser"
is "$status" 1 "PRIVSEP_USER=nosuchuser123 is an error"
like "$stderr" "nosuchuser123" "the message names the user"

# DB_HOST names that once passed -n and then failed every poll.
for host in -db .db "$(printf 'a%.0s' $(seq 300))"; do
	badhost=$TEST_DIR/badhost.conf
	write_test_config "$badhost" DB_HOST="$host"
	check "$badhost"
	is "$status" 1 "DB_HOST=${host:0:20} is refused by -n"
	like "$stderr" "DB_HOST" "and the message names DB_HOST"
done

# An unknown key: a warning only.
unknown=$TEST_DIR/unknown.conf
write_test_config "$unknown" FROBNICATE_LEVEL=11
check "$unknown"
is "$status" 0 "an unknown key does not fail the check"
like "$stderr" "FROBNICATE_LEVEL" "it warns about the unknown key"

# A key of the earlier Go agent: a deprecation warning only.
legacy=$TEST_DIR/legacy.conf
write_test_config "$legacy" MAX_RETRIES=3
check "$legacy"
is "$status" 0 "a legacy key (MAX_RETRIES) does not fail the check"
like "$stderr" "MAX_RETRIES.*deprecated|deprecated.*MAX_RETRIES" \
    "it warns that MAX_RETRIES is deprecated"

# The environment overrides the file.
check POLL_INTERVAL=abc "$good"
is "$status" 1 "POLL_INTERVAL=abc in the environment fails a good file"
like "$stderr" "POLL_INTERVAL" "it names POLL_INTERVAL"

# The earlier Go agent's config.env, valid there: an inline comment, a ';'
# comment line, a fraction, and a POLL_INTERVAL above the default backoff cap.
earlier=$TEST_DIR/earlier-agent.conf
write_test_config "$earlier"
printf '%s\n' "; systemd EnvironmentFile comment" \
    "POLL_INTERVAL=10m  # poll every ten minutes" \
    "DB_CONNECT_TIMEOUT=1.5s" >>"$earlier"
check "$earlier"
is "$status" 0 "the earlier agent's file (inline '#', ';' line, 1.5s, 10m) passes"
is "$stderr" "multinicd: configuration OK" "with nothing to warn about"

# A misspelt key names the key it most resembles.
typo=$TEST_DIR/typo.conf
write_test_config "$typo" DB_PASWORD=x
check "$typo"
is "$status" 0 "a misspelt key only warns"
like "$stderr" "DB_PASWORD: unknown key ignored; did you mean DB_PASSWORD\?" \
    "it suggests DB_PASSWORD"

# -n -v: every key with its value and source, the secret masked.
verbose=$(env -i PATH="$DAEMON_PATH" LOG_LEVEL=debug \
    "$MULTINIC_BUILD/multinicd" -n -v -f "$good" 2>/dev/null)
is "$?" 0 "-n -v exits 0"
like "$verbose" "DB_PORT=$db_port +# .*good\.conf:[0-9]+" \
    "it shows a value from the file with its line"
like "$verbose" "LOG_LEVEL=debug +# environment" "one from the environment"
like "$verbose" "DB_USER=multinic +# default" "and a default"
like "$verbose" "DB_PASSWORD=\*+ " "the password is masked"
unlike "$verbose" "s3cret" "and never shown"
keys=$(grep -c '^[A-Z_]*=' <<<"$verbose")
ok "it lists every key ($keys)" [ "$keys" -ge 30 ]

# No configuration file at all: say that the defaults are used.
if [ -e /etc/multinic/multinicd.conf ]; then
	skip "-n without a file says that the defaults are used" \
	    "/etc/multinic/multinicd.conf exists here"
else
	nofile=$(env -i PATH="$DAEMON_PATH" DB_HOST=127.0.0.1 HEALTH_PORT=0 \
	    CONFIG_ROOT="$TEST_DIR/root" OS_TYPE=netplan \
	    "$MULTINIC_BUILD/multinicd" -n 2>&1)
	like "$nofile" "no /etc/multinic/multinicd.conf; using the defaults" \
	    "-n without a file says that the defaults are used"
fi

# -V and -h answer and exit 0; a bad option exits 2.
is "$("$MULTINIC_BUILD/multinicd" -V)" "multinicd $(cat "$here/../../VERSION")" \
    "-V prints the version from the VERSION file"
like "$("$MULTINIC_BUILD/multinicd" -h)" "^usage: multinicd" "-h prints the usage"
"$MULTINIC_BUILD/multinicd" -h >/dev/null
is "$?" 0 "-h exits 0"
"$MULTINIC_BUILD/multinicd" -x 2>/dev/null
is "$?" 2 "a bad option exits 2"

is "$(cat "$contacts")" "" "no check contacted the DB"
done_testing
