#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The project is ISC-licensed, as the OpenBSD daemons are: LICENSE holds
# the ISC text, debian/copyright and the RPM spec say ISC, and every source
# file, script, test and man page names the license in an SPDX line near
# its top. Needs neither root nor a build.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

top=$(cd "$here/../.." && pwd)

like "$(cat "$top/LICENSE")" "Permission to use, copy, modify, and distribute this software for any" \
    "LICENSE holds the ISC license"
ok "debian/copyright says ISC" grep -q '^License: ISC$' "$top/debian/copyright"
ok "the RPM spec says ISC" grep -q '^License: *ISC$' "$top/multinic.spec"

# Files whose kind carries a comment syntax: code, scripts, tests, man pages,
# the build and the units. Data (golden files, corpora, charts) does not.
licensed_files() {
	(cd "$top" && git ls-files) |
	    grep -Ev '^(tests/golden|fuzz/corpus|tests/k8s)/' |
	    grep -E '\.(c|h|t|sh|py|pl|cjs|sql|[58]|init|service|spec)$|^Makefile$|^\.ci/run$|^etc/bash-completion/|^debian/(rules|postinst|postrm)$'
}
[ -d "$top/.git" ] || skip_all "not a git work tree"
files=$(licensed_files)
ok "there are source files to check ($(wc -l <<<"$files"))" test -n "$files"
missing=
while read -r f; do
	head -n 3 "$top/$f" | grep -q 'SPDX-License-Identifier: ISC' ||
	    missing="$missing $f"
done <<<"$files"
is "$missing" "" "every one has an SPDX-License-Identifier: ISC line in its first 3 lines"
done_testing
