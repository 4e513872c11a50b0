#!/bin/sh
# Retry overhead: what `tend retry -- true` costs over running `true`
# itself, per run, when the command works the first time (the common case
# in a CI script). Each loop runs RUNS times, in ROUNDS interleaved rounds;
# the median round is reported. The loops:
#   bare       /bin/true                                  (the command alone)
#   floor      wrapper /bin/true                          (the least a wrapper costs:
#              spawn and wait, static, nothing else: one more process)
#   retry      tend retry -q --state-dir S -- /bin/true   (recorded in the store)
#   no-store   tend retry -q --no-store -- /bin/true
#   startup    tend help >/dev/null                       (tend's process start, nothing else)
#   libraries  nothing.c linked as tend is                (loading tend's shared libraries)
#
# libcurl, libmicrohttpd and libcrypto are not among them: tend loads them
# when a command needs them (src/core/dynlib.h).
#
# usage: bench/retry_overhead/run.sh [BUILD_DIR]  (RUNS=1000 ROUNDS=3)
set -eu

BUILD=${1:-build}
RUNS=${RUNS:-1000}
ROUNDS=${ROUNDS:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend >/dev/null
TEND="$BUILD/tend"
TRUE=$(command -v true)
case "$TRUE" in /*) ;; *) TRUE=/bin/true ;; esac

WORK=$(mktemp -d /tmp/tend-retry-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
# The libraries tend's binary names (its DT_NEEDED entries), as it links them.
needed=$(objdump -p "$TEND" | awk '$1 == "NEEDED" { printf " -l:%s", $2 }')
# shellcheck disable=SC2086
cc -O2 -o "$WORK/nothing" "$ROOT/bench/retry_overhead/nothing.c" -Wl,--no-as-needed $needed
cc -O2 -static -o "$WORK/wrapper" "$ROOT/bench/retry_overhead/wrapper.c"
# Not CI for this measure: the same defaults everywhere.
unset CI GITHUB_ACTIONS GITHUB_STEP_SUMMARY || true

now_ns() { date +%s%N; }

loop() {
	i=0
	case "$1" in
	bare) while [ $i -lt "$RUNS" ]; do "$TRUE"; i=$((i + 1)); done ;;
	floor) while [ $i -lt "$RUNS" ]; do "$WORK/wrapper" "$TRUE"; i=$((i + 1)); done ;;
	retry) while [ $i -lt "$RUNS" ]; do
		"$TEND" retry -q --state-dir "$WORK/state" -- "$TRUE"; i=$((i + 1)); done ;;
	no-store) while [ $i -lt "$RUNS" ]; do
		"$TEND" retry -q --no-store -- "$TRUE"; i=$((i + 1)); done ;;
	startup) while [ $i -lt "$RUNS" ]; do
		"$TEND" help >/dev/null; i=$((i + 1)); done ;;
	libraries) while [ $i -lt "$RUNS" ]; do "$WORK/nothing"; i=$((i + 1)); done ;;
	esac
}

# The store exists before the clock starts: the first run creates it.
"$TEND" retry -q --state-dir "$WORK/state" -- "$TRUE"

# CPU time of a subshell's children (user + system), in microseconds,
# from the shell's `times`: on a busy machine the wall clock also counts
# the time spent waiting for a CPU.
children_cpu_us() { tail -n 1 | awk '{ t = 0
	for (i = 1; i <= 2; i++) { split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2] }
	printf "%d", t * 1e6 }'; }

r=1
while [ $r -le "$ROUNDS" ]; do
	for what in bare floor retry no-store startup libraries; do
		t0=$(now_ns)
		cpu=$( (loop "$what"; times) | children_cpu_us)
		t1=$(now_ns)
		echo "$what $(( (t1 - t0) / 1000 )) $cpu" >>"$WORK/times"
	done
	r=$((r + 1))
done

if command -v sqlite3 >/dev/null; then
	recorded=$(sqlite3 "$WORK/state/tend.db" "SELECT count(*) FROM retry_runs WHERE outcome = 'succeeded'")
	echo "runs recorded in the store: $recorded (expected $((RUNS * ROUNDS + 1)))"
fi

# Median round per loop, in microseconds for all RUNS: wall clock ($2) and CPU ($3).
median() { grep "^$1 " "$WORK/times" | awk -v f="$2" '{ print $f }' | sort -n |
	awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
report() {
	bare=$(median bare "$1"); retry=$(median retry "$1"); nostore=$(median no-store "$1")
	startup=$(median startup "$1"); libs=$(median libraries "$1"); floor=$(median floor "$1")
	awk -v n="$RUNS" -v what="$2" -v b="$bare" -v r="$retry" -v s="$nostore" \
	    -v u="$startup" -v l="$libs" -v f="$floor" 'BEGIN {
		printf "%s, ms per run:\n", what
		printf "  /bin/true                            %7.3f\n", b / n / 1000
		printf "  wrapper -- /bin/true (the floor)     %7.3f   overhead %.3f ms\n", f / n / 1000, (f - b) / n / 1000
		printf "  tend retry -- /bin/true (stored)     %7.3f   overhead %.3f ms\n", r / n / 1000, (r - b) / n / 1000
		printf "  tend retry --no-store -- /bin/true   %7.3f   overhead %.3f ms\n", s / n / 1000, (s - b) / n / 1000
		printf "  tend help (tend starting, alone)     %7.3f\n", u / n / 1000
		printf "  nothing.c with tend'\''s libraries     %7.3f\n", l / n / 1000
		printf "  of the overhead: loading the libraries %.3f, the rest of tend'\''s start %.3f,\n", (l - b) / n / 1000, (u - l) / n / 1000
		printf "  retrying %.3f, the store %.3f\n", (s - u - b) / n / 1000, (r - s) / n / 1000
		printf "  over the floor: %.3f ms stored, %.3f ms without the store\n", (r - f) / n / 1000, (s - f) / n / 1000
	}'
}
echo "$RUNS runs per loop, median of $ROUNDS rounds"
report 2 "wall clock"
report 3 "CPU (user + system, tend and the command)"
