# SPDX-License-Identifier: ISC
# A real "make install" into a prefix of the test's own, so what is
# installed can run: the unit's ExecStart names an existing multinicd,
# and the supervisor's compiled-in LIBEXECDIR is the test's.
# Needs tap.sh and daemon.sh (TEST_DIR). Sets PREFIX_DIR.
# shellcheck shell=bash

INSTALL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PREFIX_DIR=

# install_into_prefix: builds in TEST_DIR/build (the shared build directory
# keeps its /usr/local paths) and installs under TEST_DIR/prefix, the rc
# script and configuration included.
install_into_prefix() {
	PREFIX_DIR=$TEST_DIR/prefix
	# Not the settings of a make that may be running these tests.
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -C "$INSTALL_TOP" --no-print-directory -j2 \
	    BUILD="$TEST_DIR/build" PREFIX="$PREFIX_DIR" \
	    INITDIR="$PREFIX_DIR/etc/init.d" CONFDIR="$PREFIX_DIR/etc/multinic" \
	    install >"$TEST_DIR/install.log" 2>&1; then
		diag "make install PREFIX=$PREFIX_DIR failed:"
		diag "$(tail -n 20 "$TEST_DIR/install.log")"
		return 1
	fi
}
