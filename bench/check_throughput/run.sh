#!/bin/sh
# Check throughput: the daemon runs COUNT HTTP checks, each `every: EVERY`
# (in ms), against loopback endpoints that keep connections alive or close
# them after each answer (MODES); how many checks per second it completes
# over SECONDS, the CPU time it spends per check, and its loop lag
# meanwhile. Then the same checks alone (checkbench: the scheduler and the
# HTTP engine on a loop, without the daemon's store, healer and anomaly
# watch). With two cores or more, tend is pinned to one and the endpoints
# to the other (PIN=0: neither). Everything on 127.0.0.1; every process is
# killed by PID on exit.
#
# usage: bench/check_throughput/run.sh [BUILD_DIR]
#        (COUNT=400 EVERY=20ms SECONDS=20 MODES="keepalive close" PIN=1)
set -eu

BUILD=${1:-build}
COUNT=${COUNT:-400}
EVERY=${EVERY:-20ms}
SECONDS_RUN=${SECONDS:-20}
MODES=${MODES:-keepalive close}
PIN=${PIN:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend endpoints checkbench >/dev/null

WORK=$(mktemp -d /tmp/tend-throughput-XXXXXX)
EP=""
TEND=""
cleanup() {
	for pid in $TEND $EP; do kill -9 "$pid" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

TEND_CPU="" EP_CPU=""
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
	TEND_CPU="taskset -c 1" EP_CPU="taskset -c 0"
fi
TICK=$(getconf CLK_TCK)
now_ms() { date +%s%3N; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Time the process's threads spent runnable but waiting for a CPU, ns.
runq_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ n += $2 } END { printf "%.0f\n", n }'; }

# tend's loop lag and completed check runs: "LAG_MS CHECK_RUNS".
. "$ROOT/bench/tend_metrics.sh"
snap() { tend_snap "$BUILD" "$WORK/state"; }

# Stops PID: SIGTERM, 10 s to go, then SIGKILL.
stop_pid() {
	kill "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# The endpoints, MODE keepalive or close, on a free run of ports below the
# ephemeral range (no client socket takes one); sets EP and BASE.
start_endpoints() {
	for try in 1 2 3 4 5 6 7 8 9 10; do
		BASE=$((10000 + ($$ * 11 + try * 1777) % (32000 - 10000 - COUNT)))
		$EP_CPU "$BUILD/bench/endpoints" "$BASE" "$COUNT" 0 600 "$1" >"$WORK/ep.out" 2>/dev/null &
		EP=$!
		i=0
		while [ $i -lt 50 ] && ! grep -q ready "$WORK/ep.out"; do sleep 0.1; i=$((i + 1)); done
		grep -q ready "$WORK/ep.out" && return 0
		kill -9 "$EP" 2>/dev/null || true
		wait "$EP" 2>/dev/null || true
		EP=""
	done
	echo "no free port range" >&2
	exit 1
}

# One run against endpoints in MODE: prints its line of the table.
measure() {
	mode=$1
	start_endpoints "$mode"
	rm -rf "$WORK/state"
	echo "checks:" >"$WORK/tend.yaml"
	i=0
	while [ $i -lt "$COUNT" ]; do
		echo "  ep$i: { type: http, url: 'http://127.0.0.1:$((BASE + i))/', every: $EVERY, timeout: 2s }"
		i=$((i + 1))
	done >>"$WORK/tend.yaml"
	$TEND_CPU "$BUILD/tend" run -c "$WORK/tend.yaml" --state-dir "$WORK/state" --no-web \
		2>"$WORK/tend.log" &
	TEND=$!
	# Warm up: every check has run and the rate has settled.
	i=0
	while [ $i -lt 100 ] && [ -z "$(snap)" ]; do sleep 0.1; i=$((i + 1)); done
	sleep 2

	: >"$WORK/lag"
	s=$(snap); r0=${s#* }; c0=$(cpu_ticks "$TEND"); t0=$(now_ms)
	e0=$(cpu_ticks "$EP"); q0=$(runq_ns "$TEND")
	end=$((t0 + SECONDS_RUN * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		s=$(snap)
		[ -n "$s" ] && echo "${s% *}" >>"$WORK/lag"
		sleep 0.1
	done
	s=$(snap); r1=${s#* }; c1=$(cpu_ticks "$TEND"); t1=$(now_ms)
	e1=$(cpu_ticks "$EP"); q1=$(runq_ns "$TEND")
	failing=$(grep -c -e '-> critical' "$WORK/tend.log" || true)
	stop_pid "$TEND"
	TEND=""
	sort -n "$WORK/lag" | awk -v r=$((r1 - r0)) -v ms=$((t1 - t0)) -v c=$((c1 - c0)) \
	    -v tick="$TICK" -v bad="$failing" '
		{ v[NR] = $1 }
		function at(p) { return NR ? sprintf("%.2f", v[int((NR - 1) * p + 0.5) + 1]) : "-" }
		END {
			s = ms / 1000; cpu = c / tick
			printf "%.0f %.0f %.1f %s %s %s %d %d\n", r / s, 100 * cpu / s,
			    1e6 * cpu / (r > 0 ? r : 1), at(0.5), at(0.99), at(1), NR, bad
		}' | row "$mode" "tend run" $((e1 - e0)) $((q1 - q0)) $((t1 - t0))
	# The checks alone, against the same endpoints.
	$TEND_CPU "$BUILD/bench/checkbench" "$BASE" "$COUNT" "${EVERY%ms}" "$SECONDS_RUN" \
		2>/dev/null >"$WORK/alone" &
	CB=$!
	sleep 2		# checkbench's warm-up
	e0=$(cpu_ticks "$EP"); t0=$(now_ms)
	wait "$CB" || true
	e1=$(cpu_ticks "$EP"); t1=$(now_ms)
	row "$mode" "checks alone" $((e1 - e0)) "" $((t1 - t0)) <"$WORK/alone"
	kill -9 "$EP" 2>/dev/null || true
	wait "$EP" 2>/dev/null || true
	EP=""
}

# row MODE WHAT EP_TICKS RUNQ_NS MS: the table's line from "RATE CPU% US LAG50 LAG99
# LAGMAX N FAILS [RUNQ_NS]", with the endpoints' CPU and tend's time waiting for a CPU
# over MS (RUNQ_NS "": checkbench's own, the line's last).
row() {
	awk -v mode="$1" -v what="$2" -v ep="$3" -v q="$4" -v ms="$5" -v tick="$TICK" \
	    -v n="$COUNT" -v e="$EVERY" '{
		runq = sprintf("%.0f", (q == "" ? $9 : q) / 1e6 / (ms / 1000))
		printf "%-9s %-12s %5d x %-5s %8.0f %8.0f %8.0f%% %8.1f %6s %6s %6s %4d %5d %5.0f%% %5s\n",
		    mode, what, n, e, n * 1000 / (e + 0), $1, $2, $3, $4, $5, $6, $7, $8,
		    100 * ep / tick / (ms / 1000), runq }'
}

echo "$(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg);" \
	"${TEND_CPU:+tend on CPU 1, endpoints on CPU 0}"
printf '%-9s %-12s %-13s %8s %8s %9s %8s %6s %6s %6s %4s %5s %6s %5s\n' endpoints what checks \
	"asked/s" "done/s" "CPU" "us/check" "lag50" "lag99" "lagmax" "n" "fails" "epCPU" "runq"
for mode in $MODES; do
	measure "$mode"
done
echo "lag: ms, how late the loop's 250 ms tick fired (tend: export-metrics every ~0.1 s; checks"
echo "alone: every tick), n samples; CPU: % of one core; fails: checks that went critical"
echo "in tend's log, results not healthy for checks alone (should be 0); epCPU: the endpoints'"
echo "CPU; runq: ms a second tend's threads were runnable but waiting for a CPU (contention)"
