#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Every shell script of the project is clean under shellcheck: scripts/,
# the rc script, the bash completion, the tests and their library, and
# anything else that starts with a shell's #! line.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"

command -v shellcheck >/dev/null ||
    bail_out "no shellcheck: scripts/install-deps.sh installs it"

# One path a line, relative to the top; the build directory is not ours.
shell_scripts() {
	(cd "$top" && find . \( -path ./.git -o -path ./build \) -prune -o \
	    -type f -print | sed 's|^\./||' | sort |
	    while IFS= read -r file; do
		case $file in
		*.sh | *.t | etc/multinicd.init | etc/bash-completion/*)
			echo "$file" ;;
		*) head -c 64 "$file" 2>/dev/null |
		    grep -Eq '^#! *(/usr)?/bin/(env +)?(ba|da)?sh\b' &&
		    echo "$file" ;;
		esac
	    done)
}

scripts=$(shell_scripts)
for must in scripts/install-deps.sh scripts/demo.sh etc/multinicd.init \
    etc/bash-completion/multinicctl tests/lib/tap.sh tests/integration/74-shellcheck.t; do
	like "$scripts" "^$must\$" "$must is among the scripts checked"
done
# missing_sources FILE: the tests/lib files FILE sources that are not in
# this tree (one of them arrives with another branch).
missing_sources() {
	local lib
	grep -Eo '^\. "\$[a-z]+/[./]*tests/lib/[a-z_]+\.sh"' "$top/$1" |
	    grep -Eo 'tests/lib/[a-z_]+\.sh' | while IFS= read -r lib; do
		[ -e "$top/$lib" ] || echo "$lib"
	done
}

while IFS= read -r file; do
	if out=$(cd "$top" && shellcheck -x "$file" 2>&1); then
		pass "shellcheck $file"
	elif missing=$(missing_sources "$file") && [ -n "$missing" ]; then
		# A TODO failure is reported but does not fail the run.
		TAP_COUNT=$((TAP_COUNT + 1))
		echo "not ok $TAP_COUNT - shellcheck $file # TODO sources" \
		    "${missing//$'\n'/ }, not in this tree yet"
		diag "$out"
	else
		fail "shellcheck $file"
		diag "$out"
	fi
done <<<"$scripts"

done_testing
