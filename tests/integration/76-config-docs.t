#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The example configuration and the README's table document every key the
# parser knows (the list comes from common/config.c's key table), with the
# same defaults, the README names every legacy key, and the example with
# every key uncommented is a valid configuration.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/daemon.sh"

require_root_and_build
ensure_privsep_user || bail_out "cannot create the _multinic user"
make_test_dir
trap 'rm -rf "$TEST_DIR"' EXIT
example=$top/etc/multinicd.conf.example
readme=$top/README.md

key_table() {
	sed -n '/^static const struct config_key config_keys\[\] = {/,/^};/p' \
	    "$top/common/config.c"
}
# The earlier agent's keys: LEGACY("...") and the one with its own parser.
legacy_keys() {
	key_table | grep -E 'LEGACY\(|parse_backoff_enabled' |
	    grep -o '"[A-Z][A-Z0-9_]*"' | tr -d '"' | sort -u
}
current_keys() {
	key_table | grep -o '"[A-Z][A-Z0-9_]*"' | tr -d '"' | sort -u |
	    comm -23 - <(legacy_keys)
}
# "#KEY=value" lines of the example: KEY value
example_settings() {
	sed -n 's/^#\([A-Z][A-Z0-9_]*\)=\(.*\)$/\1 \2/p' "$example" | sort
}
# "| `KEY` | `default` | ..." rows of the README: KEY default
readme_settings() {
	# shellcheck disable=SC2016 # backquotes of Markdown, not the shell's
	sed -n 's/^| `\([A-Z][A-Z0-9_]*\)` | \([^|]*\) |.*/\1 \2/p' "$readme" |
	    sed 's/ (unset)$/ /; s/ (empty)$/ /; s/`//g' | sort
}

keys=$(current_keys)
ok "common/config.c has keys" [ "$(wc -l <<<"$keys")" -gt 20 ]
is "$(example_settings | awk '{ print $1 }')" "$keys" \
    "the example shows every current key once"
is "$(readme_settings | awk '{ print $1 }')" "$keys" \
    "the README's table has every current key once"
is "$(readme_settings | sed 's/ *$//')" "$(example_settings | sed 's/ *$//')" \
    "and both give the same defaults"
for key in $(legacy_keys); do
	like "$(cat "$readme")" "\`$key\`" "the README names the legacy key $key"
done

# Every commented setting switched on: still a valid configuration.
conf=$TEST_DIR/all-keys.conf
(umask 077 && sed 's/^#\([A-Z][A-Z0-9_]*=\)/\1/' "$example" >"$conf")
out=$(multinicd -n -f "$conf" 2>&1)
status=$?
is "$status" 0 "the example with every key uncommented passes multinicd -n"
unlike "$out" 'warning' "without a warning" || diag "$out"

done_testing
