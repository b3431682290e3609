#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A change that cannot be completed is undone: the old file and the old
# live state come back, the row says netplan_success=0 and the log gives
# the reason; unchanged, it is not retried every poll. Once the obstacle
# is gone the change goes through.
# Two obstacles: a configuration directory that became read-only, and an
# MTU the kernel refuses (an XDP program on a veth's peer lowers the veth's
# maximum MTU; that part needs a compiler for BPF).
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/mariadb.sh"
. "$here/../lib/netns.sh"
. "$here/../lib/node.sh"
. "$here/../lib/applier.sh"

mac0=fa:16:3e:47:00:01
mac1=fa:16:3e:47:00:02
node_setup
node_nic ens5 $mac0
row_add $mac0 10.47.0.5 10.47.0.0/24 1500
node_start
ok "the first row is applied" wait_until 100 success_is $mac0 1

# --- A read-only configuration directory ---
# Read-only in the daemon's mount namespace only (ip netns exec gave it
# its own), so this test still sees and can check the files.
in_daemon_mounts() {
	nsenter -t "$(node_applier)" -m -- "$@"
}
dir=$(netplan_dir)
file0=$(netplan_file 0)
content_before=$(cat "$file0")
ids_before=$(file_ids "$dir")
link_before=$(link_state multinic0)
if ! in_daemon_mounts mount --bind "$dir" "$dir" ||
    ! in_daemon_mounts mount -o remount,bind,ro "$dir"; then
	bail_out "cannot make $dir read-only for the daemon"
fi
lines=$(log_lines "$DAEMON_LOG")
row_set $mac0 "mtu = 9000, address = '10.47.0.99'"
ok "read-only dir: the row says netplan_success=0" \
    wait_until 100 success_is $mac0 0
ok "read-only dir: the health endpoint counts it failed" \
    wait_until 100 state_count_is failed 1
like "$(log_since "$DAEMON_LOG" "$lines")" \
    "cannot update multinic0 .*Read-only file system.*rolled back" \
    "read-only dir: the log gives the reason"
like "$(nic_of $mac0)" "^failed cannot write .*Read-only file system" \
    "read-only dir: so does multinicctl"
is "$(link_state multinic0)" "$link_before" \
    "read-only dir: the link keeps its old MTU and address"
is "$(cat "$file0")" "$content_before" "read-only dir: the old file is there"
is "$(file_ids "$dir")" "$ids_before" \
    "read-only dir: no file was replaced, none left half-written"
in_daemon_mounts umount "$dir" || bail_out "cannot unmount $dir"
ok "writable again, the change goes through" wait_until 100 success_is $mac0 1
is "$(link_state multinic0)" "multinic0 9000 up 10.47.0.99/24 " \
    "multinic0 has the new MTU and address"

# --- An MTU the kernel refuses ---
bpf=$TEST_DIR/xdp-pass.o
if ! printf '%s\n' \
    'int pass(void *ctx) __attribute__((section("xdp"), used));' \
    'int pass(void *ctx) { (void)ctx; return 2; }' \
    'char _license[] __attribute__((section("license"), used)) = "GPL";' |
    clang -O2 -target bpf -c -x c -o "$bpf" - 2>/dev/null; then
	skip "the kernel refuses the MTU" "no BPF compiler (clang)"
	done_testing
	exit
fi
# A NIC in use: up, with an address someone gave it.
node_nic ens6 $mac1
ip -n "$NODE_NS" link set ens6 up
ip -n "$NODE_NS" addr add 10.47.6.6/24 dev ens6
ip -n "$NODE_NS" link set dev p-ens6 xdpdrv obj "$bpf" sec xdp ||
    bail_out "cannot attach XDP to p-ens6"
like "$(ip -n "$NODE_NS" -d link show dev ens6)" "maxmtu [0-9]{4} " \
    "with XDP on its peer, ens6 takes no MTU above 4 digits' worth"
ens6_before=$(link_state ens6)
monitor_start "$TEST_DIR/monitor"
lines=$(log_lines "$DAEMON_LOG")
acted_before=$(status_field applied_generation)
row_add $mac1 10.47.1.5 10.47.1.0/24 9000
ok "refused MTU: the health endpoint counts it failed" \
    wait_until 100 state_count_is failed 1
ok "refused MTU: the row says netplan_success=0" success_is $mac1 0
ok "refused MTU: the applier acts on six more snapshots" wait_snapshots 6 600
acted=$(($(status_field applied_generation) - acted_before))
monitor_stop
like "$(log_since "$DAEMON_LOG" "$lines")" \
    "cannot create multinic1 .*cannot set MTU 9000.*rolled back" \
    "refused MTU: the log gives the reason"
like "$(nic_of $mac1)" "^failed cannot set MTU 9000 on multinic1" \
    "refused MTU: so does multinicctl, polls later"
renames=$(monitor_events | grep -c ": multinic1@")
ok "refused MTU: the link had been renamed multinic1 before the refusal" \
    [ "$renames" -ge 1 ]
# Retried every poll, it would be taken down and renamed once a snapshot.
# Retries wait 1, 2, 4 ... poll intervals of wall-clock time: however slow
# the cycles, there are fewer attempts than snapshots.
ok "refused MTU: unchanged, it is not retried every poll ($renames attempts, $acted snapshots)" \
    [ "$renames" -le $((acted - 2)) ]
# (Between attempts: a retry may be under way at any moment.)
ok "refused MTU: it is ens6 again, up, with its MTU and address" \
    wait_until 100 link_state_is ens6 "$ens6_before"
only_first_file() {
	[ "$(find "$dir" -mindepth 1 -printf '%f\n')" = 90-multinic0.yaml ]
}
ok "refused MTU: its new file is gone again" wait_until 100 only_first_file
ip -n "$NODE_NS" link set dev p-ens6 xdpdrv off
# The planner cannot see that change; the operator says so.
ok "without XDP, multinicctl sync is accepted" eval 'ctl sync >/dev/null'
ok "and the row is applied" wait_until 150 success_is $mac1 1
is "$(link_state multinic1)" "multinic1 9000 up 10.47.1.5/24 " \
    "it is multinic1 with the row's MTU and only the row's address"
done_testing
