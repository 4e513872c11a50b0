#!/bin/sh
# Heartbeats under load: COUNT heartbeat checks, each with a ping key of its
# own, pinged over HTTP on loopback (POST /api/ping/hbN with the key) at each
# of RATES a second for DURATION seconds by bench/heartbeat/pinger (open
# loop, CONNS keep-alive connections): ping latency p50/p90/p99/max, tend's
# CPU, its loop lag and the check runs a second while it lasts. Every
# process started here is killed by PID on exit.
#
# usage: bench/heartbeat/run.sh [BUILD_DIR]
#        (environment: COUNT=10000 RATES="1000 5000" DURATION=20 CONNS=32)
set -eu

BUILD=${1:-build}
COUNT=${COUNT:-10000}
RATES=${RATES:-1000 5000}
DURATION=${DURATION:-20}
CONNS=${CONNS:-32}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend pinger >/dev/null

WORK=$(mktemp -d /tmp/tend-heartbeat-XXXXXX)
TEND=""
cleanup() {
	[ -n "$TEND" ] && kill -9 "$TEND" 2>/dev/null || true
	[ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }
ticks() { awk '{ print $14 + $15 }' "$1" 2>/dev/null || echo 0; }
TICK=$(getconf CLK_TCK)

# From /metrics, served by the web threads from the published snapshot (asking
# the loop, as export-metrics does, would build a status per sample and load
# the loop being measured): "LAG_MS RUNS".
snap() {
	curl -s --max-time 2 "http://127.0.0.1:$PORT/metrics" 2>/dev/null | awk '
		$1 == "tend_loop_lag_seconds" { lag = $2 * 1000 }
		$1 == "tend_check_runs_total" { runs = $2 }
		END { if (lag != "" && runs != "") printf "%.3f %d\n", lag, runs }' || true
}

# The checks: hb0..hbN-1, an hour's period (a ping every 2 s per check at
# 5,000/s), each with its own key.
{
	echo "web: { listen: 127.0.0.1:0, max_connections: $((CONNS + 64)), per_ip_connections: $((CONNS + 16)) }"
	echo "checks:"
	awk -v n="$COUNT" 'BEGIN { for (i = 0; i < n; i++)
		printf "  hb%d: { type: heartbeat, period: 1h, key: bench-key-0123456789-%d }\n", i, i }'
} >"$WORK/tend.yaml"

"$BUILD/tend" run -c "$WORK/tend.yaml" --state-dir "$WORK/state" 2>"$WORK/tend.log" &
TEND=$!
echo "$TEND" >"${PIDFILE:-/dev/null}"
i=0
while [ ! -s "$WORK/state/web.url" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$WORK/state/web.url" ] || { echo "tend wrote no web.url" >&2; tail -5 "$WORK/tend.log" >&2; exit 1; }
PORT=$(sed 's,.*:\([0-9]*\)/*$,\1,' "$WORK/state/web.url")
# Every check has run once (bounded, 30 s).
i=0
while [ $i -lt 120 ]; do
	s=$(snap)
	[ -n "$s" ] && [ "${s#* }" -ge "$COUNT" ] && break
	sleep 0.25
	i=$((i + 1))
done
echo "$COUNT heartbeat checks, $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %8s %8s %7s %7s %7s %8s %6s %9s %9s\n' rate sent "200s" p50 p90 p99 max "cpu%" "lag max" "runs/s"
for rate in $RATES; do
	c0=$(ticks "/proc/$TEND/stat"); s=$(snap); r0=${s#* }; t0=$(now_ms)
	"$BUILD/bench/pinger" "$PORT" "$COUNT" "$rate" "$DURATION" "$CONNS" bench-key-0123456789 \
	    >"$WORK/ping.out" 2>&1 &
	P=$!
	lagmax=0
	while kill -0 "$P" 2>/dev/null; do
		s=$(snap)
		[ -n "$s" ] && lagmax=$(awk -v a="$lagmax" -v b="${s% *}" 'BEGIN { print (b > a ? b : a) }')
		sleep 0.25
	done
	wait "$P" || true
	c1=$(ticks "/proc/$TEND/stat"); s=$(snap); r1=${s#* }; t1=$(now_ms)
	awk -v rate="$rate" -v c=$((c1 - c0)) -v ms=$((t1 - t0)) -v tick="$TICK" -v lag="$lagmax" \
	    -v runs=$((r1 - r0)) '
		/^sent/ { sent = $2; ok = $8 + 0; p50 = $14; p90 = $16; p99 = $18; max = $20 }
		END { s = ms / 1000; printf "%-7s %8s %8s %7s %7s %7s %8s %6.0f %9.1f %9.0f\n", rate "/s",
			sent, ok, p50, p90, p99, max, 100 * c / tick / s, lag, runs / s }' "$WORK/ping.out"
	grep -v '^sent' "$WORK/ping.out" >&2 || true
done
# The key is in no log line.
grep -c "bench-key" "$WORK/tend.log" | sed 's/^/log lines holding a key: /'
