#!/bin/sh
# One config of SERVICES services (`sleep`) with CHECKS process checks each
# (every 10 s): how long `tend validate` takes, how long from `tend run` to
# every service up (tend status polled), tend's RSS and threads once
# settled, `tend status`'s time, and tend's CPU over IDLE seconds. The
# anchors are issue 16's: validation <= 200 ms, all up <= 2 s, RSS <= 40 MB,
# idle CPU <= 0.05 core, tend status <= 20 ms. Every process started here
# is killed by PID on exit.
#
# usage: bench/bigconfig/run.sh [BUILD_DIR]   (SERVICES=1000 CHECKS=10 IDLE=30)
set -eu

BUILD=${1:-build}
SERVICES=${SERVICES:-1000}
CHECKS=${CHECKS:-10}
IDLE=${IDLE:-30}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend >/dev/null
TEND="$BUILD/tend"
WORK=$(mktemp -d /tmp/tend-bigconfig-XXXXXX)
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && sleep 2 && kill -9 "$PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

python3 - "$WORK" "$SERVICES" "$CHECKS" <<'PY'
import sys
work, n, k = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = [f"state_dir: {work}/state", "web: { enabled: false }", "services:"]
for i in range(n):
    lines += [f"  s{i}:", "    run: [sleep, '100000']", "    checks:"]
    lines += [f"      c{i}_{j}: {{ type: process, every: 10s }}" for j in range(k)]
open(f"{work}/big.yaml", "w").write("\n".join(lines) + "\n")
PY
echo "$SERVICES services, $((SERVICES * CHECKS)) process checks"
/usr/bin/time -f "validate: %e s, max RSS %M KB" "$TEND" validate -c "$WORK/big.yaml" >/dev/null
start=$(date +%s%N)
"$TEND" run -c "$WORK/big.yaml" >"$WORK/tend.log" 2>&1 &
PID=$!
# The first line says "N services up" once all are (the brief table is cheap to ask for).
up() {
	"$TEND" status -c "$WORK/big.yaml" 2>/dev/null | head -1 | grep -c " $SERVICES services up"
}
i=0
while [ "$(up)" != 1 ] && [ "$i" -lt 1200 ]; do sleep 0.02; i=$((i + 1)); done
echo "start to all up: $(( ($(date +%s%N) - start) / 1000000 )) ms"
sleep 15
grep -E "VmRSS|Threads" /proc/$PID/status | tr -s '\t ' ' '
for i in 1 2 3 4 5; do /usr/bin/time -f "tend status: %e s" "$TEND" status -c "$WORK/big.yaml" >/dev/null; done
/usr/bin/time -f "tend status --format json (every check): %e s" "$TEND" status -c "$WORK/big.yaml" --format json >/dev/null
grep -E "VmRSS" /proc/$PID/status | tr -s '\t ' ' ' | sed "s/^/after the JSON: /"
c1=$(awk '{print $14 + $15}' /proc/$PID/stat)
sleep "$IDLE"
c2=$(awk '{print $14 + $15}' /proc/$PID/stat)
echo "CPU over $IDLE s: $(awk "BEGIN{printf \"%.1f s (%.2f cores)\", ($c2 - $c1) / 100, ($c2 - $c1) / 100 / $IDLE}")"
