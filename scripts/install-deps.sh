#!/bin/sh
# Installs the Debian packages a make target needs, only those missing.
#   install-deps.sh build   make all: the compiler and the -dev libraries
#   install-deps.sh demo    make demo: build, and MariaDB, ip, curl, jq
#   install-deps.sh fuzz    make fuzz: build, and clang with libFuzzer
#   install-deps.sh check   make check (the default): all of it, and the
#                           tests' tools and validators
# Idempotent: a second run installs nothing and makes no network request.
set -eu

build_pkgs="gcc make pkg-config libc6-dev libmariadb-dev libyaml-dev libevent-dev libbsd-dev
libseccomp-dev libmnl-dev libjson-c-dev"
# What scripts/demo.sh and the tests/lib files it sources run.
demo_pkgs="mariadb-server-core mariadb-client iproute2 curl jq"
fuzz_pkgs="clang libclang-rt-14-dev"
# systemd for systemd-analyze verify and systemd-sysusers (nothing is started),
# man-db because verify looks up the unit's Documentation= man pages; python3
# for the fake servers in tests/lib; the package build and lintian, and
# mmdebstrap, podman and runc for the package and image tests.
check_pkgs="libcmocka-dev netplan.io mandoc shellcheck procps util-linux openssl strace
systemd man-db python3
dpkg-dev debhelper lintian fakeroot mmdebstrap podman runc"

usage() {
	echo "usage: install-deps.sh [build|demo|fuzz|check]..." >&2
	exit 2
}

[ $# -gt 0 ] || set -- check
wanted=""
promtool=no
for set in "$@"; do
	case $set in
	build) wanted="$wanted $build_pkgs" ;;
	demo) wanted="$wanted $build_pkgs $demo_pkgs" ;;
	fuzz) wanted="$wanted $build_pkgs $fuzz_pkgs" ;;
	check)
		wanted="$wanted $build_pkgs $demo_pkgs $fuzz_pkgs $check_pkgs"
		promtool=yes
		;;
	*) usage ;;
	esac
done

missing=""
for pkg in $wanted; do
	case " $missing " in *" $pkg "*) continue ;; esac
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
if [ "$promtool" = yes ] && ! command -v promtool >/dev/null 2>&1; then
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
