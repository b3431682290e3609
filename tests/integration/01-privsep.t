#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Privilege separation: multinicd runs as three processes; the fetcher (the
# one exposed to the network) has no privileges and no secrets in its
# environment; the root applier is sandboxed and maps no DB, TLS or HTTP code.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"

require_root_and_build
ensure_privsep_user || bail_out "cannot create the _multinic user"
make_test_dir
trap cleanup_daemons EXIT

password=s3cret
privsep_uid=$(id -u _multinic)
privsep_gid=$(id -g _multinic)

# The DB is unreachable: privilege separation must not depend on it.
conf=$TEST_DIR/multinicd.conf
write_test_config "$conf" DB_PASSWORD="$password"
is "$(stat -c %a "$conf")" 600 "the config file holding the password is 0600"

# The password is in the supervisor's environment too, to show it goes no
# further than the supervisor.
start_daemon "$conf" DB_PASSWORD="$password"
supervisor=$DAEMON_PID
wait_children_ready "$supervisor"
pass "the supervisor started its children"

is "$(children_of "$supervisor" | wc -l)" 2 "the supervisor has exactly two children"
like "$(proc_title "$supervisor")" "^multinicd: supervisor" "the supervisor's title"
fetcher=$(child_titled "$supervisor" "multinicd: fetcher")
applier=$(child_titled "$supervisor" "multinicd: applier")
is "$(wc -w <<<"$fetcher")" 1 "one child is titled 'multinicd: fetcher'"
is "$(wc -w <<<"$applier")" 1 "one child is titled 'multinicd: applier'"

# Fetcher: unprivileged user, no capabilities, no new privileges, seccomp.
uids="$privsep_uid $privsep_uid $privsep_uid $privsep_uid"
gids="$privsep_gid $privsep_gid $privsep_gid $privsep_gid"
is "$(proc_status "$fetcher" Uid)" "$uids" "fetcher: every uid is _multinic's"
is "$(proc_status "$fetcher" Gid)" "$gids" "fetcher: every gid is _multinic's"
unlike "$(proc_status "$fetcher" Groups | tr ' ' '\n')" "^0$" \
    "fetcher: root's group is not among its supplementary groups"
is "$(proc_status "$fetcher" CapEff)" 0000000000000000 "fetcher: no effective capabilities"
is "$(proc_status "$fetcher" CapPrm)" 0000000000000000 "fetcher: no permitted capabilities"
is "$(proc_status "$fetcher" NoNewPrivs)" 1 "fetcher: no new privileges"
is "$(proc_status "$fetcher" Seccomp)" 2 "fetcher: a seccomp filter is on"
is "$(tr -d '\0' <"/proc/$fetcher/environ")" "" "fetcher: empty environment"

# The fetcher makes its DB connects on a second thread, made after the drop
# and before the filter: both hold there too.
tasks=$(ls "/proc/$fetcher/task")
is "$(wc -w <<<"$tasks")" 2 "fetcher: two threads, the loop and the DB connect thread"
for task in $tasks; do
	thread=$fetcher/task/$task
	is "$(proc_status "$thread" Uid)/$(proc_status "$thread" CapPrm)/$(proc_status "$thread" NoNewPrivs)/$(proc_status "$thread" Seccomp)" \
	    "$uids/0000000000000000/1/2" \
	    "fetcher thread $task: _multinic, no capabilities, no new privileges, seccomp"
done
unlike "$(proc_title "$fetcher")" "$password" "fetcher: the password is not on its command line"

# Applier: root, but filtered, and without the code that talks to the world.
is "$(proc_status "$applier" Uid)" "0 0 0 0" "applier: runs as root"
is "$(proc_status "$applier" NoNewPrivs)" 1 "applier: no new privileges"
is "$(proc_status "$applier" Seccomp)" 2 "applier: a seccomp filter is on"
is "$(tr -d '\0' <"/proc/$applier/environ")" "" "applier: empty environment"
unlike "$(proc_title "$applier")" "$password" "applier: the password is not on its command line"
applier_maps=$(cat "/proc/$applier/maps")
like "$applier_maps" "libc\.so" "applier: its memory map is readable"
unlike "$applier_maps" "libmariadb" "applier: no libmariadb mapped"
unlike "$applier_maps" "libcrypto" "applier: no libcrypto mapped"
unlike "$applier_maps" "libssl" "applier: no libssl mapped"
unlike "$applier_maps" "libgnutls" "applier: no libgnutls mapped"
unlike "$applier_maps" "libevent_extra" "applier: no evhttp (libevent_extra) mapped"

# Capabilities, though started from a root shell holding all of them: the
# applier keeps CAP_NET_ADMIN (bit 12) alone, the fetcher nothing, the
# supervisor CAP_CHOWN, CAP_KILL and CAP_NET_BIND_SERVICE (bits 0, 5, 10)
# effective, only permitted what its children need under no_new_privs
# (CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_NET_ADMIN: bits 6, 7, 8, 12), and
# the bounding set it was given (what APPLY_COMMAND may get).
caps_of() {
	local field sets=
	for field in CapBnd CapPrm CapEff CapInh CapAmb; do
		sets="$sets $field=$(proc_status "$1" "$field")"
	done
	echo "${sets# }"
}
none=0000000000000000
is "$(caps_of "$applier")" \
    "CapBnd=$none CapPrm=0000000000001000 CapEff=0000000000001000 CapInh=$none CapAmb=$none" \
    "applier: CAP_NET_ADMIN only, and an empty bounding set"
is "$(caps_of "$fetcher")" \
    "CapBnd=$none CapPrm=$none CapEff=$none CapInh=$none CapAmb=$none" \
    "fetcher: no capability in any set"
is "$(caps_of "$supervisor")" \
    "CapBnd=$(proc_status $$ CapBnd) CapPrm=00000000000015e1 CapEff=0000000000000421 CapInh=$none CapAmb=$none" \
    "supervisor: CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE in effect; its children's permitted"

# Supervisor: it parses nothing from the DB.
unlike "$(cat "/proc/$supervisor/maps")" "libmariadb" "supervisor: no libmariadb mapped"

ok "the supervisor still runs" is_alive "$supervisor"
done_testing
