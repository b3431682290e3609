#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make demo runs to completion in well under two minutes, shows what it
# promises (rows applied, multinicctl, links, netplan files, HTTP, an MTU
# change and a deletion) and leaves nothing behind; interrupted with Ctrl-C
# it cleans up as well.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"

require_root_and_build
make_test_dir
trap 'rm -rf "$TEST_DIR"' EXIT

# skip DESC REASON: a TAP test not run here.
skip() {
	TAP_COUNT=$((TAP_COUNT + 1))
	echo "ok $TAP_COUNT - $1 # SKIP $2"
}

# What a demo run made, from its own output: namespace, temp dir, PIDs.
made_namespace() {
	sed -n 's/^namespace \([^ ]*\) deleted$/\1/p' "$1"
}
made_dir() {
	sed -n 's|^\(/tmp/multinic-demo\.[A-Za-z0-9]*\) removed$|\1|p' "$1"
}
made_pids() {
	sed -n 's/^\(multinicd\|mariadbd\) (pid \([0-9]*\)).*/\2/p' "$1" | sort -u
}

# left_behind LOG: one line per thing of that run still there.
left_behind() {
	local ns dir pid
	ns=$(made_namespace "$1")
	dir=$(made_dir "$1")
	[ -n "$ns" ] && ip netns list | grep -qw "$ns" && echo "namespace $ns"
	[ -n "$dir" ] && [ -e "$dir" ] && echo "directory $dir"
	for pid in $(made_pids "$1"); do
		is_alive "$pid" && echo "process $pid: $(proc_title "$pid")"
	done
	return 0
}

log=$TEST_DIR/demo.log
start=$SECONDS
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -C "$top" --no-print-directory BUILD="$MULTINIC_BUILD" demo >"$log" 2>&1
status=$?
took=$((SECONDS - start))
is "$status" 0 "make demo succeeds" || diag "$(tail -n 40 "$log")"
diag "make demo took $took s"
out=$(cat "$log")

like "$out" '\| +1 \| fa:16:3e:de:00:01 .* \| +1 \|$' "the rows get netplan_success = 1"
like "$out" '^multinic2@p-ens7: mtu 1450 fa:16:3e:de:00:03$' \
    "a dash-form upper-case MAC is matched and gets its MTU"
like "$out" '^multinic0@p-ens5 +UP +10\.20\.0\.11/24' "ip -br addr shows the address"
like "$out" '^--- /etc/netplan/90-multinic0\.yaml$' "the netplan files are shown"
like "$out" '^ +macaddress: "fa:16:3e:de:00:01"$' "with their MAC match"
like "$out" '"status":"healthy"' "curl / answers healthy"
like "$out" '^multinic0@p-ens5: mtu 9000 ' "the MTU change is applied"
like "$out" '^multinic1@p-ens6 +DOWN *$' "the deleted row's link is de-configured"
unlike "$(sed -n '/after the change/,$p' "$log")" '91-multinic1\.yaml' \
    "and its netplan file is gone"
if [ -x "$MULTINIC_BUILD/multinicctl" ]; then
	like "$out" '^\$ .*multinicctl -s [^ ]* status$' "multinicctl status is shown"
	like "$out" '^database +connected' "it says the database is connected"
	like "$out" 'applied 3' "and counts three applied interfaces"
	like "$out" '^\$ .*multinicctl -s [^ ]* show interfaces$' \
	    "multinicctl show interfaces is shown"
	like "$out" '^multinic2 +fa:16:3e:de:00:03 +192\.168\.50\.7/26 +1450 +applied' \
	    "listing each interface with its state"
	like "$out" 'applied 2,.* deleting 0' "after the deletion two remain applied"
	unlike "$out" 'multinicctl is not built' "nothing of multinicctl is skipped"
else
	for what in status "database connected" "three applied" \
	    "show interfaces" "each interface listed" "two applied after"; do
		skip "multinicctl $what is shown" \
		    "multinicctl is not built yet (no multinicctl/ sources)"
	done
fi
like "$out" '^== done in [0-9]+ s$' "it says it is done"
is "$(left_behind "$log")" "" "nothing of it is left behind"

# Ctrl-C reaches the whole foreground process group: the same here. With
# job control the demo gets a group of its own and, unlike a background job
# without it, is not made to ignore SIGINT. Nor may it inherit SIGINT
# ignored from whatever started the tests (a job in the background, a CI
# runner): a shell that starts so cannot trap it, and would run on.
log=$TEST_DIR/interrupted.log
set -m
env --default-signal=INT MULTINIC_BUILD="$MULTINIC_BUILD" \
    bash "$top/scripts/demo.sh" >"$log" 2>&1 &
demo=$!
set +m
ok "the demo starts multinicd" wait_until 300 grep -q '^multinicd (pid' "$log"
kill -INT -- "-$demo"
ok "interrupted, it ends" wait_until 300 is_gone "$demo"
wait "$demo"
is "$?" 130 "with status 130"
like "$(cat "$log")" '^demo: interrupted$' "saying so"
is "$(left_behind "$log")" "" "and leaves nothing behind"

done_testing
