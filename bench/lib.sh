# SPDX-License-Identifier: ISC
# What the benchmarks share: CPU time and memory of processes from /proc,
# and percentiles of a list of samples.
# shellcheck shell=bash

# cpu_ns PID...: time on CPU so far, summed (schedstat: nanoseconds).
cpu_ns() {
	local pid total=0 ns
	for pid in "$@"; do
		read -r ns _ <"/proc/$pid/schedstat" || return 1
		total=$((total + ns))
	done
	echo "$total"
}

# mem_kb PID: "RSS USS PSS" in kB from smaps_rollup; USS is what only this
# process maps (Private_Clean + Private_Dirty).
mem_kb() {
	awk '$1 == "Rss:" { rss = $2 } $1 == "Pss:" { pss = $2 }
	    $1 == "Private_Clean:" || $1 == "Private_Dirty:" { uss += $2 }
	    END { print rss, uss, pss }' "/proc/$1/smaps_rollup"
}

# percentiles UNIT: samples on stdin, one a line; prints
# "n N: min p50 p90 p99 max UNIT" (nearest rank).
percentiles() {
	sort -n | awk -v unit="$1" '{ v[NR] = $1 }
	    function rank(p,  r) { r = int(p * NR + 0.999999); return v[r < 1 ? 1 : r] }
	    END {
		if (NR == 0) { print "no samples"; exit }
		printf "n %d: min %s  p50 %s  p90 %s  p99 %s  max %s %s\n",
		    NR, v[1], rank(0.5), rank(0.9), rank(0.99), v[NR], unit
	    }'
}

# machine: the facts every figure states.
machine() {
	echo "machine: $(nproc) cores, kernel $(uname -r)," \
	    "$(mariadbd --version | awk '{ print $3 }'), load average" \
	    "$(cut -d' ' -f1-3 /proc/loadavg) at start"
}
