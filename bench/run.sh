#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The benchmarks of doc/architecture.md, 7.4, one after the other; compare
# with RESULTS.md, which says how each figure is measured. BENCHES picks
# some (default all: footprint latency dbload dbload-tls dbload-restart);
# each script's own variables (NODES, SAMPLES, ...) pass through.
set -u
here=$(cd "$(dirname "$0")" && pwd)
BENCHES=${BENCHES:-footprint latency dbload dbload-tls dbload-restart}

# What else runs: the figures are only as good as the machine is quiet.
echo "# $(date -u +%FT%TZ) on $(nproc) cores, kernel $(uname -r)," \
    "$(mariadbd --version | awk '{ print $3 }')"
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg); busiest processes:"
ps -eo pcpu=,comm= --sort=-pcpu | head -n 5 | sed 's/^/#   /'
for bench in $BENCHES; do
	echo "## $bench"
	case $bench in
	footprint) bash "$here/footprint.sh" ;;
	latency) bash "$here/latency.sh" ;;
	dbload) bash "$here/dbload.sh" ;;
	dbload-tls) TRANSPORT=tls bash "$here/dbload.sh" ;;
	dbload-restart) RESTART=1 bash "$here/dbload.sh" ;;
	*) echo "unknown benchmark $bench" >&2; exit 2 ;;
	esac
done
