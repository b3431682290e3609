#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# What make install writes is usable as installed: systemd-analyze verify
# says nothing about the unit, the unit has the sandbox settings the project
# promises, systemd-sysusers finds the sysusers file and creates _multinic
# from it, and the installed multinicd runs its children from
# LIBEXECDIR/multinic (the build directory's from the build directory).
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/install.sh"

test_begin
command -v systemd-analyze >/dev/null ||
    bail_out "no systemd-analyze: scripts/install-deps.sh installs systemd"

ok "make install PREFIX=<test dir> succeeds" install_into_prefix ||
    abort_test "cannot install"
unit=$PREFIX_DIR/lib/systemd/system/multinicd.service

# systemd-analyze verify warns on unknown keys and still exits 0, so any
# output at all is a failure. Documentation= man pages are looked up too,
# in the installed tree.
pages=0
for page in man8/multinicd.8 man8/multinicctl.8 man5/multinicd.conf.5; do
	[ -e "$PREFIX_DIR/share/man/$page" ] && pages=$((pages + 1))
done
if [ "$pages" = 3 ]; then
	verify=$(MANPATH=$PREFIX_DIR/share/man systemd-analyze verify "$unit" 2>&1)
	status=$?
	is "$status:$verify" "0:" \
	    "systemd-analyze verify: no output, its man pages found"
else
	diag "man pages not in the tree yet: verify skips Documentation="
	verify=$(systemd-analyze verify --man=no "$unit" 2>&1)
	status=$?
	is "$status:$verify" "0:" "systemd-analyze verify --man=no: no output"
fi

# systemd's own rating of the sandbox (0 best, 10 worst); it was 4.3 ("OK")
# when the unit was written: a change that weakens it shows here.
exposure=$(systemd-analyze security --offline=yes "$unit" 2>&1 |
    awk 'END { print $(NF - 2), $(NF - 1) }')
ok "systemd-analyze security rates the unit 5.0 or better: $exposure" \
    systemd-analyze security --offline=yes --threshold=50 "$unit"

setting() {
	sed -n "s/^$1=//p" "$unit"
}

is "$(setting Type)" notify "Type=notify: multinicd calls sd_notify"
is "$(setting NotifyAccess)" main "NotifyAccess=main: only the supervisor"
is "$(setting ExecStart)" "$PREFIX_DIR/sbin/multinicd -d" \
    "ExecStart= runs the installed multinicd in the foreground"
is "$(setting ExecReload)" "/bin/kill -HUP \$MAINPID" "ExecReload= sends SIGHUP"
is "$(setting Restart)" on-failure "Restart=on-failure"
is "$(setting RuntimeDirectory)" multinicd \
    "RuntimeDirectory= holds the default CONTROL_SOCKET's directory"
is "$(setting StateDirectory)" multinic "StateDirectory= is the default STATE_DIR"
is "$(setting EnvironmentFile)" "" \
    "no EnvironmentFile=: multinicd reads its file, the password stays out of the environment"
for kv in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
    NoNewPrivileges=yes PrivateDevices=yes ProtectKernelTunables=yes \
    SystemCallArchitectures=native LockPersonality=yes \
    MemoryDenyWriteExecute=yes \
    "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK"; do
	is "$(setting "${kv%%=*}")" "${kv#*=}" "$kv"
done

# Every directory a renderer writes (the applier's Landlock list) is
# writable under ProtectSystem=strict, and optional ("-").
writable=" $(setting ReadWritePaths | tr '\n' ' ') "
for dir in $(grep -o '"etc/[a-z/.-]*"' "$top/applier/sandbox.c" | tr -d '"' |
    sort -u); do
	like "$writable" " -/$dir " "ReadWritePaths= has -/$dir"
done

# sysusers.d: found where systemd looks below PREFIX=/usr/local, and valid.
sysroot=$TEST_DIR/sysroot
mkdir -p "$sysroot/usr/local/lib/sysusers.d" "$sysroot/etc"
cp "$PREFIX_DIR/lib/sysusers.d/multinicd.conf" "$sysroot/usr/local/lib/sysusers.d/"
like "$(systemd-sysusers --root="$sysroot" --dry-run 2>&1)" \
    "Creating user '?_multinic'? " \
    "systemd-sysusers reads /usr/local/lib/sysusers.d and would create _multinic"

# The installed supervisor: its children from LIBEXECDIR, never beside it,
# even when a copy lies there.
cp "$MULTINIC_BUILD/multinicd-fetcher" "$PREFIX_DIR/sbin/multinicd-fetcher"
conf=$TEST_DIR/multinicd.conf
write_test_config "$conf"
env -i PATH="$DAEMON_PATH" MULTINICD_NODE_LOCK="$TEST_NODE_LOCK" \
    "$PREFIX_DIR/sbin/multinicd" -d -f "$conf" \
    >"$TEST_DIR/installed.log" 2>&1 &
DAEMON_PID=$!
DAEMON_LOG=$TEST_DIR/installed.log
STARTED_PIDS+=("$DAEMON_PID")
wait_children_ready "$DAEMON_PID"
for name in fetcher applier; do
	child=$(child_titled "$DAEMON_PID" "multinicd: $name")
	is "$(readlink "/proc/$child/exe")" \
	    "$PREFIX_DIR/libexec/multinic/multinicd-$name" \
	    "the installed multinicd runs LIBEXECDIR/multinic/multinicd-$name"
done
stop_daemon "$DAEMON_PID"
is "$?" 0 "and stops cleanly"

start_daemon "$conf"
wait_children_ready "$DAEMON_PID"
for name in fetcher applier; do
	child=$(child_titled "$DAEMON_PID" "multinicd: $name")
	is "$(readlink "/proc/$child/exe")" "$MULTINIC_BUILD/multinicd-$name" \
	    "the build directory's multinicd runs its own multinicd-$name"
done
stop_daemon "$DAEMON_PID"

done_testing
