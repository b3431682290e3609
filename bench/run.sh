#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The benchmarks of doc/architecture.md, 7.4, one after the other; compare with
# RESULTS.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
echo "# $(date -u +%FT%TZ) on $(nproc) cores, $(uname -r)"
echo "## one node (bench/footprint.sh)"
bash "$here/footprint.sh"
echo "## many nodes, one MariaDB (bench/dbload.sh)"
bash "$here/dbload.sh"
