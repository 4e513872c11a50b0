#!/bin/sh
# Check throughput: the daemon runs COUNT HTTP checks, each `every: EVERY`,
# against loopback endpoints; how many checks per second it completes over
# SECONDS, and the CPU time it spends per check. Everything on 127.0.0.1;
# every process is killed by PID on exit.
#
# usage: bench/check_throughput/run.sh [BUILD_DIR]  (COUNT=200 EVERY=20ms SECONDS=10)
set -eu

BUILD=${1:-build}
COUNT=${COUNT:-200}
EVERY=${EVERY:-20ms}
SECONDS_RUN=${SECONDS:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend endpoints >/dev/null

WORK=$(mktemp -d /tmp/tend-throughput-XXXXXX)
PIDS=""
cleanup() {
	for pid in $PIDS; do kill -9 "$pid" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for try in 1 2 3 4 5; do
	BASE=$((30000 + ($$ * 11 + try * 1777) % 25000))
	"$BUILD/bench/endpoints" "$BASE" "$COUNT" 0 600 >"$WORK/ep.out" 2>/dev/null &
	EP=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q ready "$WORK/ep.out"; do sleep 0.1; i=$((i + 1)); done
	grep -q ready "$WORK/ep.out" && { PIDS="$EP"; break; }
	kill -9 "$EP" 2>/dev/null || true
done
[ -n "$PIDS" ] || { echo "no free port range" >&2; exit 1; }

echo "checks:" >"$WORK/tend.yaml"
i=0
while [ $i -lt "$COUNT" ]; do
	echo "  ep$i: { type: http, url: 'http://127.0.0.1:$((BASE + i))/', every: $EVERY, timeout: 2s }" >>"$WORK/tend.yaml"
	i=$((i + 1))
done
"$BUILD/tend" run -c "$WORK/tend.yaml" --state-dir "$WORK/state" 2>/dev/null &
TEND=$!
PIDS="$PIDS $TEND"
sleep 2

runs() { "$BUILD/tend" status --state-dir "$WORK/state" --format json |
	sed -n 's/.*"check_runs": \([0-9]*\).*/\1/p'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$TEND/stat"; }

r0=$(runs); c0=$(cpu_ticks); t0=$(date +%s%3N)
sleep "$SECONDS_RUN"
r1=$(runs); c1=$(cpu_ticks); t1=$(date +%s%3N)
TICK=$(getconf CLK_TCK)
awk -v r=$((r1 - r0)) -v ms=$((t1 - t0)) -v c=$((c1 - c0)) -v tick="$TICK" -v n="$COUNT" -v e="$EVERY" 'BEGIN {
	rate = r / (ms / 1000); cpu = c / tick
	printf "%d HTTP checks every %s: %d runs in %.1f s = %.0f checks/s\n", n, e, r, ms / 1000, rate
	printf "tend CPU: %.2f s over the run (%.0f%% of one core), %.1f us per check\n", cpu, 100 * cpu / (ms / 1000), 1e6 * cpu / (r > 0 ? r : 1)
}'
