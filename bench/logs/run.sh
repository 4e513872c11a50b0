#!/bin/sh
# Log checks: lines per second one core matches with 10 regexes
# (bench/logs/patterns.txt) over a generated log of LINES lines
# (genlog.py): tend's follower and regex set (logbench.c), glibc's regexec
# through the same follower, and `grep -E -c` with the same patterns.
#
# usage: bench/logs/run.sh [BUILD_DIR]  (LINES=3000000 ROUNDS=3)
set -eu

BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
LINES=${LINES:-3000000}
ROUNDS=${ROUNDS:-3}
HERE="$ROOT/bench/logs"
TMP=$(mktemp -d /tmp/tend-logbench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

cmake --build "$BUILD" --target logbench >/dev/null
python3 "$HERE/genlog.py" "$LINES" >"$TMP/app.log"
echo "log: $LINES lines, $(($(stat -c %s "$TMP/app.log") / 1048576)) MiB; $(nproc) cores," \
    "taskset to one"
taskset -c 0 "$BUILD/bench/logbench" "$TMP/app.log" "$HERE/patterns.txt" "$ROUNDS"
# grep: best of ROUNDS, the file in the page cache like the others'.
best=""
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	start=$(date +%s%N)
	n=$(taskset -c 0 grep -E -c -f "$HERE/patterns.txt" "$TMP/app.log")
	t=$(( $(date +%s%N) - start ))
	if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	i=$((i + 1))
done
echo "grep -E -c (GNU grep $(grep --version | head -1 | awk '{print $NF}')):" \
    "$LINES lines, $n matched, $(awk "BEGIN{printf \"%.3f s, %.0f lines/s\", $best/1e9, $LINES/($best/1e9)}")"
