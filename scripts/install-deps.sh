#!/bin/sh
# Installs the Debian packages multinic needs to build and test, only when missing.
# Idempotent: a second run installs nothing and makes no network request.
set -eu

build_pkgs="gcc make pkg-config libc6-dev libmariadb-dev libyaml-dev libevent-dev libbsd-dev
libseccomp-dev libmnl-dev libcmocka-dev libjson-c-dev clang libclang-rt-14-dev"
# systemd for systemd-analyze verify and systemd-sysusers (nothing is started),
# man-db because verify looks up the unit's Documentation= man pages.
test_pkgs="mariadb-server-core mariadb-client iproute2 curl jq netplan.io mandoc shellcheck
procps util-linux openssl strace systemd man-db"

missing=""
for pkg in $build_pkgs $test_pkgs; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $pkg"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "install-deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# promtool ships in the prometheus package, whose install would start a server:
# unpack the .deb and take only the tool.
if ! command -v promtool >/dev/null 2>&1; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: promtool missing (run as root to install)" >&2
		exit 1
	fi
	workdir=$(mktemp -d)
	trap 'rm -rf "$workdir"' EXIT
	(cd "$workdir" && apt-get download -qq prometheus >/dev/null)
	dpkg-deb -x "$workdir"/prometheus_*.deb "$workdir/root"
	install -m 0755 "$workdir/root/usr/bin/promtool" /usr/local/bin/promtool
	echo "install-deps: promtool installed"
fi
