# SPDX-License-Identifier: ISC
# Building the Debian package and a Debian 12 root to install it in, for
# the packaging tests. Needs tap.sh and daemon.sh (TEST_DIR).
# shellcheck shell=bash

PACKAGE_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACKAGE_VERSION=$(cat "$PACKAGE_TOP/VERSION")

# package_make LOG ARG...: make in the source tree, quiet unless it fails.
package_make() {
	local log=$1
	shift
	# Not the settings of a make that may be running these tests.
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    nice make -C "$PACKAGE_TOP" --no-print-directory "$@" >"$log" 2>&1; then
		diag "make $* failed:"
		diag "$(tail -n 30 "$log")"
		return 1
	fi
}

# package_build: make deb into TEST_DIR/deb; sets PACKAGE_DEB.
package_build() {
	package_make "$TEST_DIR/deb.log" deb DEB_DIR="$TEST_DIR/deb" || return 1
	PACKAGE_DEB=$TEST_DIR/deb/multinic_${PACKAGE_VERSION}_$(dpkg --print-architecture).deb
	[ -f "$PACKAGE_DEB" ]
}
