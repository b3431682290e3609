#!/usr/bin/env bash
# Every shell script of the project is clean under shellcheck: scripts/,
# the rc script, the tests and their library, and anything else that starts
# with a shell's #! line.
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
		*.sh | *.t | etc/multinicd.init) echo "$file" ;;
		*) head -c 64 "$file" 2>/dev/null |
		    grep -Eq '^#! *(/usr)?/bin/(env +)?(ba|da)?sh\b' &&
		    echo "$file" ;;
		esac
	    done)
}

scripts=$(shell_scripts)
for must in scripts/install-deps.sh scripts/demo.sh etc/multinicd.init \
    tests/lib/tap.sh tests/integration/74-shellcheck.t; do
	like "$scripts" "^$must\$" "$must is among the scripts checked"
done
while IFS= read -r file; do
	if out=$(cd "$top" && shellcheck -x "$file" 2>&1); then
		pass "shellcheck $file"
	else
		fail "shellcheck $file"
		diag "$out"
	fi
done <<<"$scripts"

done_testing
