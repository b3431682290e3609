#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The runner behind make unit, unit-sanitized, integration and fuzz: runs
# test files one after the other, keeps each one's whole output, prints one
# line per file and, for a file that fails, what failed.
#
#   run-tests.sh [-kv] [-j JOBS] -d LOGDIR -s STAGE unit|tap|fuzz FILE...
#   run-tests.sh -d LOGDIR -t START total [STATUS]
#
# unit: cmocka binaries. tap: TAP scripts (tests/integration/*.t), judged as
# prove judges them, but on their stdout alone while the log keeps stdout
# and stderr in the order they came. fuzz: libFuzzer harnesses, each run for
# FUZZ_SECONDS on FUZZ_CORPUS/<its name without fuzz_>, crashes written
# under FUZZ_ARTIFACTS.
# -j runs up to JOBS files at once, each one's lines printed when it ends
# (the integration tests wait on the daemon much more than they compute).
# -v shows the whole output as it comes as well (make V=1); with -k a
# failed file does not fail the run (make check fails at its end). CI=true adds a
# failing file's whole log after its diagnostics: CI keeps no build/.
# Logs: LOGDIR/STAGE/FILE.log; LOGDIR/results has a line per file, which
# "total" sums up at the end of make check (START: its start, epoch seconds;
# STATUS: non-zero when a stage failed, maybe before running any test).
set -u

LOGDIR=
STAGE=
VERBOSE=
KEEP_GOING=
JOBS=1
START=
WIDTH=0
TAP_STDOUT=

usage() {
	echo "usage: run-tests.sh [-kv] [-j JOBS] -d LOGDIR -s STAGE unit|tap|fuzz FILE..." >&2
	echo "       run-tests.sh -d LOGDIR -t START total [STATUS]" >&2
	exit 2
}

now_ms() {
	local usec=${EPOCHREALTIME/[.,]/}
	echo $((usec / 1000))
}

# duration MS: "0.4 s", "12 s", "3 min 5 s".
duration() {
	if [ "$1" -lt 10000 ]; then
		printf '%d.%d s' $(($1 / 1000)) $(($1 % 1000 / 100))
	elif [ "$1" -lt 60000 ]; then
		printf '%d s' $(($1 / 1000))
	else
		printf '%d min %d s' $(($1 / 60000)) $(($1 % 60000 / 1000))
	fi
}

# exit_text STATUS: how a process ended.
exit_text() {
	if [ "$1" -gt 128 ] && [ "$1" -lt 160 ]; then
		echo "killed by signal $(($1 - 128))"
	else
		echo "exit status $1"
	fi
}

# indent: the diagnostics go under the file's name.
indent() {
	sed 's/^/      /'
}

# run_logged COMMAND...: its stdout and stderr in $LOG, also on the
# terminal with -v. The lock's descriptor stays here: a daemon a test
# leaves behind must not hold it.
run_logged() {
	if [ -n "$VERBOSE" ]; then
		"$@" 9>&- 2>&1 | tee -a "$LOG"
		return "${PIPESTATUS[0]}"
	fi
	"$@" 9>&- >>"$LOG" 2>&1
}

# run_unit FILE: a cmocka binary, "[  FAILED  ]" per failed test.
run_unit() {
	local status total failed
	run_logged "$1"
	status=$?
	read -r total failed < <(awk '
	    /^\[==========\] Running [0-9]+ test/ { total += $3 }
	    /^\[  FAILED  \] [0-9]+ test\(s\)/ { failed += $4 }
	    END { print total + 0, failed + 0 }' "$LOG")
	if [ "$status" -eq 0 ]; then
		VERDICT=ok DETAIL="$total tests"
	elif [ "$failed" -gt 0 ]; then
		VERDICT=FAIL DETAIL="$failed of $total failed"
	else
		VERDICT=FAIL DETAIL=$(exit_text "$status")
	fi
}

# unit_diagnostics: the output of each failed test (from its "[ RUN ]")
# and the last lines of one that never finished (a crash, a sanitizer's
# report); else the end of the output (a leak found at exit).
unit_diagnostics() {
	awk -v keep=40 '
	function show(   i, from) {
		from = n > keep ? n - keep + 1 : 1
		if (from > 1)
			print "..."
		for (i = from; i <= n; i++)
			print lines[i]
		shown = 1
	}
	/^\[ RUN      \]/ { running = 1; n = 0 }
	running { lines[++n] = $0 }
	/^\[       OK \]|^\[  SKIPPED \]/ { running = 0 }
	running && /^\[  FAILED  \]/ { show(); running = 0 }
	END {
		if (running)
			show()
		exit !shown
	}' "$LOG" || tail -n 30 "$LOG"
}

# run_tap FILE: a TAP script, run as prove runs it (by its #! line).
run_tap() {
	local status plans planned ran failed skipped bail sequence reason
	local command=("$1") problems=() problem
	case $1 in
	*/*) ;;
	*) command=("./$1") ;;
	esac
	[ -x "$1" ] || command=(bash "$1")
	if [ -n "$VERBOSE" ]; then
		"${command[@]}" 9>&- 2> >(tee -a "$LOG" >&2) |
		    tee "$TAP_STDOUT" | tee -a "$LOG"
	else
		"${command[@]}" 9>&- 2>>"$LOG" | tee "$TAP_STDOUT" >>"$LOG"
	fi
	status=${PIPESTATUS[0]}
	read -r plans planned ran failed skipped bail sequence reason < <(awk '
	    /^1\.\.[0-9]+/ {
		plans++
		planned = substr($0, 4) + 0
		reason = $0
		if (!sub(/^[^#]*#[ \t]*[Ss][Kk][Ii][Pp][^ \t]*[ \t]*/, "", reason))
			reason = ""
		next
	    }
	    /^ok([ \t]|$)/ {
		ran++
		if ($2 ~ /^[0-9]+$/ && $2 != ran)
			sequence = 1
		if (tolower($0) ~ /#[ \t]*skip/)
			skipped++
		next
	    }
	    /^not ok([ \t]|$)/ {
		ran++
		if ($3 ~ /^[0-9]+$/ && $3 != ran)
			sequence = 1
		if (tolower($0) !~ /#[ \t]*todo/)
			failed++
		next
	    }
	    /^Bail out!/ { bail = 1 }
	    END {
		printf "%d %d %d %d %d %d %d %s\n", plans, planned, ran,
		    failed, skipped, bail, sequence, reason
	    }' "$TAP_STDOUT")
	if [ "$status" -eq 0 ] && [ "$plans" -eq 1 ] && [ "$planned" -eq 0 ] &&
	    [ "$ran" -eq 0 ]; then
		VERDICT=skip DETAIL=${reason:-no tests}
		return
	fi
	[ "$failed" -eq 0 ] || problems+=("$failed of $ran failed")
	[ "$bail" -eq 0 ] || problems+=("bailed out")
	if [ "$plans" -eq 0 ]; then
		problems+=("no plan")
	elif [ "$plans" -gt 1 ]; then
		problems+=("more than one plan")
	elif [ "$planned" -ne "$ran" ]; then
		problems+=("planned $planned, ran $ran")
	fi
	[ "$sequence" -eq 0 ] || problems+=("tests out of sequence")
	# A failed test makes the script end non-zero: say so only otherwise.
	[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] ||
	    problems+=("$(exit_text "$status")")
	if [ "${#problems[@]}" -eq 0 ]; then
		VERDICT=ok DETAIL="$ran tests"
		[ "$skipped" -eq 0 ] || DETAIL="$DETAIL, $skipped skipped"
	else
		VERDICT=FAIL DETAIL=${problems[0]}
		for problem in "${problems[@]:1}"; do
			DETAIL="$DETAIL, $problem"
		done
	fi
}

# tap_diagnostics: each "not ok" with the lines after it up to the next
# test (its diag lines, stderr), and the last few lines before it (what a
# command printed before its test failed); else the end of the output.
tap_diagnostics() {
	awk -v before=10 -v after=40 '
	/^(not )?ok([ \t]|$)|^1\.\.[0-9]/ {
		following = 0
		if ($0 ~ /^not ok/ && tolower($0) !~ /#[ \t]*todo/) {
			for (i = pending > before ? pending - before + 1 : 1;
			    i <= pending; i++)
				print context[i % before]
			print
			following = 1
			shown++
		}
		pending = 0
		next
	}
	/^Bail out!/ { print; shown++; next }
	following {
		if (following++ <= after)
			print
		else if (following == after + 2)
			print "..."
		next
	}
	{ context[++pending % before] = $0 }
	END { exit !shown }' "$LOG" || tail -n 20 "$LOG"
}

# run_fuzz FILE: a libFuzzer harness.
run_fuzz() {
	local status name=${1##*/} runs
	run_logged "$1" -max_total_time="${FUZZ_SECONDS:?}" \
	    -artifact_prefix="${FUZZ_ARTIFACTS:?}" "${FUZZ_CORPUS:?}/${name#fuzz_}"
	status=$?
	runs=$(awk '/^Done [0-9]+ runs/ { print $2 }' "$LOG")
	if [ "$status" -eq 0 ]; then
		VERDICT=ok DETAIL="${runs:-?} runs"
	else
		VERDICT=FAIL DETAIL=$(exit_text "$status")
	fi
}

# fuzz_diagnostics: the report from its first line (sanitizer, libFuzzer's
# crash, timeout or leak) to its SUMMARY line, and where the input went.
fuzz_diagnostics() {
	awk -v keep=40 '
	!found && /^==[0-9]+== ?ERROR|^ERROR: |runtime error:|deadly signal|^SUMMARY: / {
		found = 1
	}
	found && !summarized {
		if (++n <= keep)
			print
		else if (n == keep + 1)
			print "..."
		if (/^SUMMARY: /) {
			summarized = 1
			if (n > keep)
				print
		}
		next
	}
	/Test unit written to/ { print }
	END { exit !found }' "$LOG" || tail -n 30 "$LOG"
}

# full_log: for CI, the whole output (its end, when it is long).
full_log() {
	local lines
	lines=$(wc -l <"$LOG")
	if [ "$lines" -gt 300 ]; then
		echo "----- last 300 of $lines lines of $LOG -----"
		tail -n 300 "$LOG"
	else
		echo "----- $LOG -----"
		cat "$LOG"
	fi
	echo "----- end of $LOG -----"
}

# run_file KIND FILE: runs it, prints its line and, if it failed, why.
run_file() {
	local kind=$1 file=$2 started took
	LOG=$LOGDIR/$STAGE/${file##*/}.log
	: >"$LOG"
	if [ -n "$VERBOSE" ]; then
		echo "# $file"
	elif [ -t 1 ] && [ "$JOBS" -eq 1 ]; then
		printf '      %s ...\r' "$file"
	fi
	started=$(now_ms)
	if [ ! -e "$file" ]; then
		echo "no such file: $file" >>"$LOG"
		VERDICT=FAIL DETAIL="no such file"
	else
		"run_$kind" "$file"
	fi
	took=$(($(now_ms) - started))
	[ -n "$VERBOSE" ] || [ ! -t 1 ] || [ "$JOBS" -gt 1 ] || printf '\033[K'
	printf '%-4s  %-*s  (%s, %s)\n' "$VERDICT" "$WIDTH" "$file" "$DETAIL" \
	    "$(duration "$took")"
	printf '%s\t%s\t%s\t%s\n' "$VERDICT" "$STAGE" "$file" "$took" \
	    >>"$LOGDIR/results"
	[ "$VERDICT" = FAIL ] || return 0
	{
		[ -e "$file" ] && "${kind}_diagnostics"
		echo "full output: $LOG"
	} | indent
	[ "${CI:-}" != true ] || full_log
	return 1
}

# run_parallel KIND FILE...: run_file for up to JOBS files at once, each in
# a subshell of its own whose lines are printed, whole, once it ends.
run_parallel() {
	local kind=$1 file pid running=0
	local -A output
	shift
	for file in "$@"; do
		if [ "$running" -ge "$JOBS" ]; then
			wait -n -p pid
			cat "${output[$pid]}" && rm -f "${output[$pid]}"
			running=$((running - 1))
		fi
		output[next]=$(mktemp) || exit 1
		(
			TAP_STDOUT=$(mktemp) || exit 1
			run_file "$kind" "$file"
			rm -f "$TAP_STDOUT"
		) >"${output[next]}" 2>&1 &
		output[$!]=${output[next]}
		running=$((running + 1))
	done
	while [ "$running" -gt 0 ]; do
		wait -n -p pid
		cat "${output[$pid]}" && rm -f "${output[$pid]}"
		running=$((running - 1))
	done
}

# stage_verdicts: this stage's verdicts so far, one a line (results).
stage_verdicts() {
	awk -F '\t' -v stage="$STAGE" '$2 == stage { print $1 }' \
	    "$LOGDIR/results"
}

# run_stage KIND FILE...: every file, JOBS at a time, then a summary line.
run_stage() {
	local kind=$1 file started before verdict passed=0 failed=0 skipped=0
	shift
	case $kind in
	unit | tap | fuzz) ;;
	*) usage ;;
	esac
	[ $# -gt 0 ] || { echo "$STAGE: no test files" >&2; exit 1; }
	for file in "$@"; do
		[ "${#file}" -le "$WIDTH" ] || WIDTH=${#file}
	done
	mkdir -p "$LOGDIR/$STAGE" && touch "$LOGDIR/results" || exit 1
	# Two stages side by side (make -j) would double the load the tests
	# are sized for, and a sanitizer build would skew their timing: one
	# stage at a time.
	if command -v flock >/dev/null; then
		exec 9>>"$LOGDIR/.lock" || exit 1
		if ! flock -n 9; then
			echo "$STAGE: waiting for another test run in $LOGDIR"
			flock 9 || exit 1
		fi
	fi
	started=$(now_ms)
	before=$(stage_verdicts | wc -l)
	if [ "$JOBS" -gt 1 ]; then
		run_parallel "$kind" "$@"
	else
		TAP_STDOUT=$(mktemp) || exit 1
		trap 'rm -f "$TAP_STDOUT"' EXIT
		for file in "$@"; do
			run_file "$kind" "$file"
		done
	fi
	while read -r verdict; do
		case $verdict in
		ok) passed=$((passed + 1)) ;;
		skip) skipped=$((skipped + 1)) ;;
		*) failed=$((failed + 1)) ;;
		esac
	done < <(stage_verdicts | tail -n "+$((before + 1))")
	printf '%s: %d passed, %d failed%s in %s%s\n' "$STAGE" "$passed" \
	    "$failed" "$([ "$skipped" -eq 0 ] || echo ", $skipped skipped")" \
	    "$(duration $(($(now_ms) - started)))" \
	    "$([ "$failed" -eq 0 ] || echo "; output in $LOGDIR/$STAGE/")"
	[ "$failed" -eq 0 ] || [ -n "$KEEP_GOING" ]
}

# total [STATUS]: make check's last line, over every stage's results.
total() {
	local status=${1:-0} took=$(($(date +%s) - START))
	mkdir -p "$LOGDIR" && touch "$LOGDIR/results" || exit 1
	awk -F '\t' -v status="$status" -v took="$(duration $((took * 1000)))" \
	    -v logdir="$LOGDIR" '
	{
		if (!($2 in files))
			stages[++nstages] = $2
		files[$2]++
		count[$1]++
		if ($1 == "FAIL") {
			n = split($3, path, "/")
			printf "failed: %s (output in %s/%s/%s.log)\n", $3,
			    logdir, $2, path[n]
		}
	}
	END {
		all = count["ok"] + count["FAIL"] + count["skip"]
		for (i = 1; i <= nstages; i++)
			by = by (i > 1 ? ", " : "") files[stages[i]] " " stages[i]
		skipped = count["skip"] ? ", " count["skip"] " skipped" : ""
		if (count["FAIL"])
			printf "check: FAILED: %d of %d files failed, %d passed%s (%s) in %s\n",
			    count["FAIL"], all, count["ok"], skipped, by, took
		else if (status)
			printf "check: FAILED: a step failed before its tests ran, see above (%d files passed%s: %s) in %s\n",
			    count["ok"], skipped, by, took
		else
			printf "check: passed: %d files%s (%s) in %s\n",
			    all, skipped, by, took
		exit count["FAIL"] || status
	}' "$LOGDIR/results"
}

while getopts kvj:d:s:t: option; do
	case $option in
	j) JOBS=$OPTARG ;;
	k) KEEP_GOING=1 ;;
	v) VERBOSE=1 ;;
	d) LOGDIR=$OPTARG ;;
	s) STAGE=$OPTARG ;;
	t) START=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ -z "$LOGDIR" ] || [ $# -eq 0 ]; then
	usage
fi
if [ "$1" = total ]; then
	[ -n "$START" ] || usage
	shift
	total "$@"
else
	[ -n "$STAGE" ] || usage
	run_stage "$@"
fi
