#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# make dist makes multinic-VERSION.tar.gz from the committed tree, and what
# it unpacks builds with make alone (no git), with a packager's CPPFLAGS,
# CFLAGS and LDFLAGS as dpkg-buildflags sets them: each reaches every
# compile or link, the project's own include paths and hardening stay, and
# warnings are not errors outside a git work tree. The programs and the man
# pages carry VERSION. Needs git and the build dependencies, not root.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"

command -v git >/dev/null || skip_all "no git"
git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
    skip_all "not a git work tree: make dist needs one"
work=$(mktemp -d /tmp/multinic-dist.XXXXXX) || bail_out "mktemp"
trap 'rm -rf "$work"' EXIT
version=$(cat "$top/VERSION")

# make_in DIR LOG ARG...: make, quiet unless it fails; not the settings
# of a make that may be running these tests.
make_in() {
	local dir=$1 log=$2
	shift 2
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CC -u CFLAGS -u CPPFLAGS \
	    -u LDFLAGS make -C "$dir" --no-print-directory "$@" >"$log" 2>&1; then
		diag "make $* failed:"
		diag "$(tail -n 20 "$log")"
		return 1
	fi
}

ok "make dist succeeds" make_in "$top" "$work/dist.log" \
    BUILD="$work/build" dist || abort_test "no tarball"
tarball=$work/build/multinic-$version.tar.gz
ok "it wrote multinic-$version.tar.gz" [ -f "$tarball" ] ||
    abort_test "no $tarball"
ok "which unpacks into multinic-$version/" tar -xzf "$tarball" -C "$work"
src=$work/multinic-$version
for file in Makefile VERSION NEWS README.md etc/bash-completion/multinicctl \
    man/multinicd.8 supervisor/notify.c; do
	ok "the tarball has $file" [ -f "$src/$file" ]
done
ok "and no .git" [ ! -e "$src/.git" ]

flags=(CPPFLAGS=-DMULTINIC_PACKAGER CFLAGS="-O1 -g0"
    LDFLAGS="-Wl,-z,now -Wl,--as-needed")
ok "make V=1 with the packager's flags builds the unpacked tree" \
    make_in "$src" "$work/build.log" -j2 V=1 "${flags[@]}" ||
    abort_test "the unpacked tree does not build"

compiles=$(grep -E '^cc .* -c -o ' "$work/build.log")
links=$(grep -E '^cc .* -o build/multinic[a-z-]* ' "$work/build.log")
ok "it compiled" [ -n "$compiles" ]
is "$(wc -l <<<"$links")" 4 "and linked the four programs"
is "$(grep -vc -- ' -DMULTINIC_PACKAGER ' <<<"$compiles")" 0 \
    "CPPFLAGS reach every compile"
is "$(grep -vc -- ' -O1 -g0 ' <<<"$compiles")" 0 "so does CFLAGS"
is "$(grep -vc -- ' -Wl,-z,now -Wl,--as-needed ' <<<"$links")" 0 \
    "LDFLAGS reach every link"
is "$(grep -Evc -- ' -I/usr/include/[a-z]+' <<<"$compiles")" 0 \
    "pkg-config's include paths stay beside CFLAGS"
is "$(grep -vc -- ' -fstack-protector-strong -fPIE ' <<<"$compiles")" 0 \
    "so does the hardening"
is "$(grep -c -- ' -Werror ' <<<"$compiles")" 0 \
    "outside a git work tree warnings are not errors"
# CFLAGS after the project's -O2: the packager's optimisation wins.
like "$(head -n 1 <<<"$compiles")" ' -O1 -g0( |$)' \
    "the packager's CFLAGS come after the project's flags"

is "$("$src/build/multinicd" -V)" "multinicd $version" "multinicd -V says VERSION"
is "$("$src/build/multinicctl" -V 2>&1)" "multinicctl $version" \
    "multinicctl -V too"
ok "the built man pages carry it" \
    grep -qx "\\.Os multinic $version" "$src/build/man/multinicd.8"

# In a git work tree warnings are errors, unless WERROR= says otherwise.
ok "in the git work tree make V=1 compiles with -Werror" \
    make_in "$top" "$work/dev.log" -n V=1 BUILD="$work/dev" \
    "$work/dev/common/log.o"
like "$(cat "$work/dev.log")" ' -Werror ' "-Werror is there"
make_in "$top" "$work/nowerror.log" -n V=1 BUILD="$work/dev" WERROR= \
    "$work/dev/common/log.o"
unlike "$(cat "$work/nowerror.log")" ' -Werror ' "and WERROR= drops it"

done_testing
