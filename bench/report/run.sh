#!/bin/sh
# tend report --since 365d over a synthesized year (bench/README.md).
# usage: sh bench/report/run.sh BUILD_DIR [RUNS]
set -eu
build=${1:-build}
runs=${2:-5}
tend=$(cd "$build" && pwd)/tend
dir=$(mktemp -d /tmp/tend-bench-report-XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
mkdir -m 0700 "$dir/state"
# A brief writer (tend retry) makes tend.db with the store's own schema.
TEND_STATE_DIR="$dir/state" "$tend" retry -- true >/dev/null
python3 "$(dirname "$0")/synth.py" "$dir/state/tend.db" "$(date +%s%3N)"
ls -l "$dir/state/tend.db" | awk '{print "tend.db", $5, "bytes"}'
for f in text json markdown html; do
	for i in $(seq "$runs"); do
		/usr/bin/time -f "%e s %M KB" "$tend" report --since 365d --compare --format "$f" \
		    --state-dir "$dir/state" --output "$dir/out.$f" 2>>"$dir/times.$f"
	done
	printf '%-8s ' "$f"; sort -n "$dir/times.$f" | awk -v n="$runs" \
	    'NR == int((n + 1) / 2) {print "median", $1, "s, max RSS", $3, "KB"}'
done
