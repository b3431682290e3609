#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The manual pages are clean mdoc (mandoc -Tlint -Wwarning says nothing),
# and multinicd.conf(5) documents every key the configuration parser knows,
# the legacy ones included: the key list comes from the key table in
# common/config.c, so a key added there without its documentation fails
# here. Needs neither root nor a build.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"

top=$(cd "$here/../.." && pwd)
conf_page=$top/man/multinicd.conf.5
pages=("$top/man/multinicd.8" "$top/man/multinicctl.8" "$conf_page")

# The names in config_keys[]: every quoted upper-case word between the
# table's first line and its closing brace ("DB_HOST", LEGACY("MAX_RETRIES")).
code_keys() {
	sed -n '/^static const struct config_key config_keys\[\] = {/,/^};/p' \
	    "$top/common/config.c" |
	    grep -o '"[A-Z][A-Z0-9_]*"' | tr -d '"' | sort -u
}

# The keys the page documents, each as a tag of its own: ".It Ic KEY".
page_keys() {
	sed -n 's/^\.It Ic \([A-Z][A-Z0-9_]*\).*/\1/p' "$conf_page" | sort -u
}

# Every page is there and mandoc finds nothing to say about it.
for page in "${pages[@]}"; do
	ok "${page#"$top"/} exists" [ -f "$page" ]
done
if command -v mandoc >/dev/null; then
	for page in "${pages[@]}"; do
		[ -f "$page" ] || continue
		lint=$(mandoc -Tlint -Wwarning "$page" 2>&1)
		status=$?
		is "$status:$lint" "0:" \
		    "mandoc -Tlint -Wwarning ${page#"$top"/} is silent"
	done
else
	fail "mandoc is installed (scripts/install-deps.sh installs it)"
fi

# Every key of the parser has its item in multinicd.conf(5).
mapfile -t keys < <(code_keys)
ok "the key table of common/config.c yields its keys (${#keys[@]} found)" \
    [ "${#keys[@]}" -ge 30 ]
documented=$(page_keys)
for key in "${keys[@]}"; do
	if grep -qx -- "$key" <<<"$documented"; then
		pass "$key is documented in multinicd.conf.5"
	else
		fail "$key is documented in multinicd.conf.5"
		diag "add an item \".It Ic $key\" to man/multinicd.conf.5"
	fi
done

# And the page documents no key the parser does not know (a removed key).
unknown=$(comm -13 <(printf '%s\n' "${keys[@]}") <(printf '%s\n' "$documented"))
is "$unknown" "" "multinicd.conf.5 documents no key unknown to common/config.c"

done_testing
