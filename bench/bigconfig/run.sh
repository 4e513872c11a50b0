#!/bin/sh
# One config of SERVICES services (`sleep`) with CHECKS process checks each
# (every 10 s): how long `tend validate` takes, how long from `tend run` to
# every service up (tend status polled), tend's RSS and threads once
# settled, `tend status`'s time, and tend's CPU over IDLE seconds. The
# anchors are issue 16's: validation <= 200 ms, all up <= 2 s, RSS <= 40 MB,
# idle CPU <= 0.05 core, tend status <= 20 ms. Every process started here
# is killed by PID on exit.
#
# WEB=1 turns the web server on: then also tend's idle CPU with a dashboard's
# event stream open, and GET /api/status (the aim: <= 5 ms p99) and
# /api/checks under wrk at 1, 10 and 50 connections (DURATION s each).
#
# usage: bench/bigconfig/run.sh [BUILD_DIR]
#        (SERVICES=1000 CHECKS=10 IDLE=30 WEB=0 DURATION=10)
set -eu

BUILD=${1:-build}
SERVICES=${SERVICES:-1000}
CHECKS=${CHECKS:-10}
IDLE=${IDLE:-30}
WEB=${WEB:-0}
DURATION=${DURATION:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend >/dev/null
TEND="$BUILD/tend"
WORK=$(mktemp -d /tmp/tend-bigconfig-XXXXXX)
PID=""
STREAM=""	# curl following /api/events
# Each step on its own: under set -e a failed kill (the process gone) ended
# the trap before the rm, and every run left its state dir behind.
cleanup() {
	if [ -n "$STREAM" ]; then kill "$STREAM" 2>/dev/null || true; fi
	if [ -n "$PID" ] && kill "$PID" 2>/dev/null; then
		sleep 2
		kill -9 "$PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

python3 - "$WORK" "$SERVICES" "$CHECKS" "$WEB" <<'PY'
import sys
work, n, k, web = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
lines = [f"state_dir: {work}/state",
         "web: { listen: '127.0.0.1:0', max_connections: 128, per_ip_connections: 80 }" if web
         else "web: { enabled: false }", "services:"]
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
# idle_cpu LABEL: tend's CPU over IDLE seconds.
idle_cpu() {
	c1=$(awk '{print $14 + $15}' /proc/$PID/stat)
	sleep "$IDLE"
	c2=$(awk '{print $14 + $15}' /proc/$PID/stat)
	echo "CPU over $IDLE s$1: $(awk "BEGIN{printf \"%.1f s (%.3f cores)\", ($c2 - $c1) / 100, ($c2 - $c1) / 100 / $IDLE}")"
}
idle_cpu ""
[ "$WEB" = 1 ] || exit 0

URL=$(sed 's,/$,,' "$WORK/state/web.url")
curl -sN "$URL/api/events" >/dev/null 2>&1 &
STREAM=$!
idle_cpu ", a dashboard's event stream open"
kill "$STREAM" 2>/dev/null
STREAM=""
grep -E "VmRSS" /proc/$PID/status | tr -s '\t ' ' ' | sed "s/^/after: /"
for path in /api/status "/api/checks?service=s$((SERVICES / 2))" "/api/checks?state=unhealthy" \
    "/api/checks?q=c$((SERVICES / 2))_&limit=100" /api/checks /metrics; do
	curl -s -o /dev/null -w "GET $path: %{size_download} bytes, %{time_total} s\n" "$URL$path"
done
command -v wrk >/dev/null || { echo "wrk is needed for the rest (Debian package 'wrk')"; exit 0; }
# wrk_p99 PATH CONNECTIONS: "req/s p99_ms"
wrk_p99() {
	wrk --latency -t"$(($2 < 2 ? 1 : 2))" -c"$2" -d"${DURATION}s" "$URL$1" 2>&1 | awk '
		/^Requests\/sec:/ { rps = $2 }
		$1 == "99%" { v = $2
			if (v ~ /us$/) p99 = v / 1000; else if (v ~ /ms$/) p99 = v + 0; else if (v ~ /s$/) p99 = v * 1000 }
		END { printf "%.0f req/s, p99 %.2f ms", rps, p99 }'
}
for c in 1 10 50; do
	echo "wrk -c$c ${DURATION}s GET /api/status: $(wrk_p99 /api/status $c)"
done
echo "wrk -c1 ${DURATION}s GET /api/checks?service=s1: $(wrk_p99 "/api/checks?service=s1" 1)"
echo "wrk -c1 ${DURATION}s GET /api/checks?q=c7_&limit=100: $(wrk_p99 "/api/checks?q=c7_&limit=100" 1)"
