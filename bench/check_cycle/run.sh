#!/bin/sh
# Check cycle: COUNT loopback HTTP endpoints, HUNG of them accepting and never
# answering, timeout 2 s. How long one full `tend check` takes, beside one
# monit cycle over the same endpoints (`monit validate` runs exactly one
# cycle in the foreground). Everything on 127.0.0.1; the endpoints process
# stops by itself and is killed by PID on exit.
#
# usage: bench/check_cycle/run.sh [BUILD_DIR]   (COUNT=200 HUNG=20 RUNS=3)
set -eu

BUILD=${1:-build}
COUNT=${COUNT:-200}
HUNG=${HUNG:-20}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

if [ "$(id -u)" -eq 0 ] && ! command -v monit >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q monit >/dev/null
fi
cmake --build "$BUILD" --target tend endpoints >/dev/null

WORK=$(mktemp -d /tmp/tend-cycle-XXXXXX)
EP_PID=""
cleanup() {
	[ -n "$EP_PID" ] && kill -9 "$EP_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# A free run of ports: try a few bases until the endpoints bind them all.
for try in 1 2 3 4 5; do
	BASE=$((30000 + ($$ * 7 + try * 1543) % 25000))
	"$BUILD/bench/endpoints" "$BASE" "$COUNT" "$HUNG" 600 >"$WORK/ep.out" 2>/dev/null &
	EP_PID=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q ready "$WORK/ep.out"; do sleep 0.1; i=$((i + 1)); done
	grep -q ready "$WORK/ep.out" && break
	kill -9 "$EP_PID" 2>/dev/null || true
	EP_PID=""
done
[ -n "$EP_PID" ] || { echo "no free port range" >&2; exit 1; }

echo "checks:" >"$WORK/tend.yaml"
cat >"$WORK/monitrc" <<CONF
set daemon 60
set logfile $WORK/monit.log
set idfile $WORK/monit.id
set statefile $WORK/monit.state
CONF
i=0
while [ $i -lt "$COUNT" ]; do
	port=$((BASE + i))
	echo "  ep$i: { type: http, url: 'http://127.0.0.1:$port/', timeout: 2s }" >>"$WORK/tend.yaml"
	printf 'check host ep%d with address 127.0.0.1\n  if failed port %d protocol http request "/" with timeout 2 seconds then alert\n' \
		"$i" "$port" >>"$WORK/monitrc"
	i=$((i + 1))
done
chmod 600 "$WORK/monitrc"

now_ms() { date +%s%3N; }

echo "== tend check: $COUNT endpoints, $HUNG hung, timeout 2 s, $RUNS runs"
TIMES=""
r=0
while [ $r -lt "$RUNS" ]; do
	t0=$(now_ms)
	"$BUILD/tend" check -c "$WORK/tend.yaml" >"$WORK/tend.out" 2>&1 || true
	t1=$(now_ms)
	TIMES="$TIMES $((t1 - t0))"
	r=$((r + 1))
done
TEND_MS=$(echo $TIMES | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "runs (ms):$TIMES; median $TEND_MS ms"
grep -c critical "$WORK/tend.out" | sed 's/^/critical checks: /'

MONIT_MS=-
if command -v monit >/dev/null; then
	echo "== monit validate (one cycle)"
	t0=$(now_ms)
	monit -c "$WORK/monitrc" validate >/dev/null 2>&1 || true
	t1=$(now_ms)
	MONIT_MS=$((t1 - t0))
	echo "monit cycle: $MONIT_MS ms"
fi

echo
echo "One full check cycle, $COUNT HTTP endpoints, $HUNG hung, timeout 2 s"
printf '%-8s %10s %8s\n' tool "cycle ms" ratio
printf '%-8s %10s %8s\n' tend "$TEND_MS" 1.0x
awk -v t="$TEND_MS" -v m="$MONIT_MS" 'BEGIN { if (m + 0 > 0) printf "%-8s %10s %7.1fx\n", "monit", m, m / t }'
