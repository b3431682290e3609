#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# One version: debian/changelog's newest entry is the VERSION file's.
# shellcheck source-path=SCRIPTDIR/../lib
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/../lib/tap.sh"

is "$(sed -n '1s/^multinic (\([^)]*\)) .*/\1/p' "$top/debian/changelog")" \
    "$(cat "$top/VERSION")" "debian/changelog's version is VERSION's"
done_testing
