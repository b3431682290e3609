#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The Debian package: make deb builds it lintian-clean; apt installs it into
# a fresh Debian 12 root made by mmdebstrap, resolving its Depends; the
# programs run there; the service is enabled for systemd and sysvinit; purge
# removes the configuration and /var/lib/multinic but not the node's
# network files. Slow (a package build and a root from the apt mirror).
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"
. "$here/../lib/package.sh"

test_begin dpkg-buildpackage dh lintian mmdebstrap
chmod 0755 "$TEST_DIR"

ok "make deb builds the package" package_build || abort_test "no package"
lint=$(lintian --fail-on error,warning "${PACKAGE_DEB%.deb}.changes" 2>&1)
ok "lintian finds no error or warning" test $? -eq 0 || diag "$lint"
is "$(dpkg-deb -f "$PACKAGE_DEB" Version)" "$PACKAGE_VERSION" \
    "the package's version is the one in VERSION"
is "$(dpkg-deb -c "$PACKAGE_DEB" | awk '$6 == "./etc/multinic/multinicd.conf" { print $1 }')" \
    "-rw-------" "multinicd.conf is packaged mode 0600"
is "$(dpkg-deb -I "$PACKAGE_DEB" conffiles)" "/etc/init.d/multinicd
/etc/multinic/multinicd.conf" \
    "the configuration and the rc script are its conffiles"

# The file-mirror-automount hook makes the .deb visible to dpkg inside;
# mmdebstrap keeps services from starting while it installs.
root=$TEST_DIR/root
if ! nice mmdebstrap --quiet --variant=apt \
    --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
    --include="$PACKAGE_DEB" bookworm "$root" >"$TEST_DIR/mmdebstrap.log" 2>&1; then
	diag "$(tail -n 30 "$TEST_DIR/mmdebstrap.log")"
	abort_test "apt installs the package into a fresh Debian 12 root"
fi
pass "apt installs the package into a fresh Debian 12 root"

in_root() {
	chroot "$root" "$@"
}

# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
like "$(in_root dpkg-query -W -f='${Status}' multinic)" "install ok installed" \
    "dpkg says it is installed"
is "$(in_root multinicd -n 2>&1)" "multinicd: configuration OK" \
    "multinicd -n accepts the packaged configuration"
like "$(in_root multinicctl -h 2>&1)" '^usage: multinicctl' "multinicctl -h runs"
is "$(in_root multinicd -V)" "multinicd $PACKAGE_VERSION" "multinicd -V"
ok "postinst created _multinic" in_root getent passwd _multinic
is "$(stat -c %a "$root/etc/multinic/multinicd.conf")" 600 \
    "the installed configuration is mode 0600"
ok "the unit is enabled" test -L \
    "$root/etc/systemd/system/multi-user.target.wants/multinicd.service"
ok "so is the rc script" eval "ls '$root'/etc/rc2.d/S*multinicd >/dev/null"
ok "nothing started the daemon in the root" \
    test ! -e "$root/var/lib/multinic/multinicd.lock"

# What multinicd leaves on a node: its state, and files it wrote for NICs.
mkdir -p "$root/var/lib/multinic" "$root/etc/netplan"
echo state >"$root/var/lib/multinic/journal"
echo "network: {version: 2}" >"$root/etc/netplan/90-multinic0.yaml"
in_root dpkg --purge multinic >"$TEST_DIR/purge.log" 2>&1
ok "dpkg --purge succeeds" test $? -eq 0 || diag "$(cat "$TEST_DIR/purge.log")"
ok "purge removes /etc/multinic" test ! -e "$root/etc/multinic"
ok "and /var/lib/multinic" test ! -e "$root/var/lib/multinic"
ok "and the programs" test ! -e "$root/usr/sbin/multinicd"
ok "and the unit's enablement" test ! -e \
    "$root/etc/systemd/system/multi-user.target.wants/multinicd.service"
ok "and the rc script's links" eval "! ls '$root'/etc/rc2.d/S*multinicd 2>/dev/null"
ok "the node's network files stay" test -f "$root/etc/netplan/90-multinic0.yaml"
is "$(in_root dpkg -S multinic 2>/dev/null)" "" "no file of the package is left"

done_testing
