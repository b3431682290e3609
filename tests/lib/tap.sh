# SPDX-License-Identifier: ISC
# Minimal TAP producer for the integration tests (read by prove).
# shellcheck shell=bash

TAP_COUNT=0
TAP_FAILED=0
TAP_PLANNED=

plan() {
	TAP_PLANNED=$1
	echo "1..$1"
}

diag() {
	local line
	while IFS= read -r line; do
		echo "# $line"
	done <<<"$*"
}

# pass DESC / fail DESC: record one result.
pass() {
	TAP_COUNT=$((TAP_COUNT + 1))
	echo "ok $TAP_COUNT - $*"
}

fail() {
	TAP_COUNT=$((TAP_COUNT + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_COUNT - $*"
}

# skip DESC REASON: a test that cannot run here, counted as passed.
skip() {
	TAP_COUNT=$((TAP_COUNT + 1))
	echo "ok $TAP_COUNT - $1 # SKIP $2"
}

# ok DESC COMMAND [ARG...]: passes when the command succeeds.
ok() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
	else
		fail "$desc"
		return 1
	fi
}

# is GOT EXPECTED DESC
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3"
		diag "expected: '$2'"
		diag "     got: '$1'"
		return 1
	fi
}

# like GOT REGEX DESC (extended regex, any line of GOT)
like() {
	if grep -Eq -- "$2" <<<"$1"; then
		pass "$3"
	else
		fail "$3"
		diag "expected to match: $2"
		diag "got: $1"
		return 1
	fi
}

# unlike GOT REGEX DESC: no line of GOT matches.
unlike() {
	if ! grep -Eq -- "$2" <<<"$1"; then
		pass "$3"
	else
		fail "$3"
		diag "expected not to match: $2"
		diag "matching: $(grep -E -- "$2" <<<"$1")"
		return 1
	fi
}

# wait_until TENTHS COMMAND [ARG...]: polls every 0.1 s; 1 on timeout.
wait_until() {
	local tenths=$1
	shift
	while ! "$@"; do
		[ "$tenths" -gt 0 ] || return 1
		tenths=$((tenths - 1))
		sleep 0.1
	done
}

# abort_test REASON: a failure after which this test cannot go on (the
# other tests still run, unlike with bail_out).
abort_test() {
	fail "$*"
	echo "1..$TAP_COUNT"
	exit 1
}

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

bail_out() {
	echo "Bail out! $*"
	exit 255
}

# done_testing: the last command of a test; its status is the test's.
done_testing() {
	if [ -z "$TAP_PLANNED" ]; then
		echo "1..$TAP_COUNT"
	elif [ "$TAP_PLANNED" -ne "$TAP_COUNT" ]; then
		diag "planned $TAP_PLANNED tests but ran $TAP_COUNT"
		return 255
	fi
	[ "$TAP_FAILED" -eq 0 ]
}
