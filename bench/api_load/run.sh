#!/bin/sh
# API load: wrk against tend's /api/status and /metrics with COUNT services
# configured, each with an HTTP check every EVERY_S seconds, beside monit's
# HTTP status pages over the same services; and tend's own event-loop lag,
# idle and while wrk runs. nginx (one worker, sendfile) serving a copy of
# tend's status as a file is the yardstick: what a server that only sends
# bytes gets on this machine under the same wrk. Everything on 127.0.0.1;
# every process started here is killed by PID on exit.
#
# PIN=1 keeps client and servers apart, as on two hosts: wrk on the last
# core (one thread), tend, nginx, monit and the checks' targets on the others.
#
# usage: bench/api_load/run.sh [BUILD_DIR]
#        (environment: COUNT=100 EVERY_S=2 THREADS=2 CONNECTIONS=50 DURATION=10
#         TOOLS="tend nginx monit" TEND_PATHS="/api/status /metrics /healthz"
#         MONIT_PATHS="/_status?format=xml /" PIN=0; DURATION and EVERY_S in
#         whole seconds)
set -eu

BUILD=${1:-build}
COUNT=${COUNT:-100}
EVERY_S=${EVERY_S:-2}
PIN=${PIN:-0}
ON_SERVER="" ON_CLIENT=""	# taskset prefixes, with PIN=1
if [ "$PIN" = 1 ]; then
	CORES=$(nproc)
	[ "$CORES" -ge 2 ] || { echo "PIN=1 needs two cores or more" >&2; exit 1; }
	ON_SERVER="taskset -c 0-$((CORES - 2))" ON_CLIENT="taskset -c $((CORES - 1))"
	THREADS=${THREADS:-1}
fi
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10}
DURATION=${DURATION%s}
TOOLS=${TOOLS:-tend nginx monit}
TEND_PATHS=${TEND_PATHS:-/api/status /metrics /healthz}
MONIT_PATHS=${MONIT_PATHS:-/_status?format=xml /}
# Issue 16's aims at 50 connections on 2 cores: /api/status >= 40,000 req/s
# with p99 <= 2 ms, /healthz >= 60,000 req/s.
AIM_STATUS=40000 AIM_STATUS_P99=2 AIM_HEALTHZ=60000
wanted() { case " $TOOLS " in *" $1 "*) return 0 ;; esac; return 1; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

if [ "$(id -u)" -eq 0 ]; then
	for pkg in wrk monit nginx curl; do
		[ "$pkg" = monit ] && ! wanted monit && continue
		[ "$pkg" = nginx ] && { wanted nginx || continue; pkg=nginx-light; command -v nginx >/dev/null && continue; }
		command -v "$pkg" >/dev/null ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null 2>&1 || true
	done
fi
for cmd in wrk curl; do
	command -v "$cmd" >/dev/null || { echo "$cmd is needed (Debian package '$cmd')" >&2; exit 1; }
done
cmake --build "$BUILD" --target tend endpoints >/dev/null

WORK=$(mktemp -d /tmp/tend-apiload-XXXXXX)
EP=""		# the endpoints process
TEND=""		# tend run
MONIT=""	# monit -I
NGINX=""	# nginx, the yardstick
WWW=""		# its files
LOADER=""	# a wrk still running
SVC_PIDS=""	# the services started here for monit

# The services, whoever started them (tend, monit, or this script), by PID:
# every process run as WORK/bin/svc. WORK is a fresh mktemp name.
kill_ours() {
	[ -f "$WORK/svc.name" ] || return 0
	for f in $(grep -s -l -z -x -F -f "$WORK/svc.name" /proc/[0-9]*/cmdline); do
		f=${f#/proc/}
		kill -9 "${f%/cmdline}" 2>/dev/null || true
	done
	return 0
}

# SIGTERM, up to 10 s for it to exit, then SIGKILL; reaps it.
stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		[ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)" = Z ] && break
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

cleanup() {
	for pid in $LOADER $TEND $MONIT $NGINX $SVC_PIDS $EP; do kill -9 "$pid" 2>/dev/null || true; done
	kill_ours
	rm -rf "$WORK"
	[ -z "$WWW" ] || rm -rf "$WWW"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }
ticks() { awk '{ print $14 + $15 }' "$1" 2>/dev/null || echo 0; }
TICK=$(getconf CLK_TCK)

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits (bounded, 10 s) until URL answers 200.
wait_http() {
	i=0
	while [ $i -lt 100 ]; do
		curl -sf -o /dev/null --max-time 2 "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# The targets of the checks: COUNT HTTP endpoints on consecutive loopback ports
# (one process, one poll loop, `Connection: close`). It stops by itself after
# its lifetime. Below the ephemeral range (32768-): no client socket takes one.
for try in 1 2 3 4 5 6 7 8 9 10; do
	BASE=$((10000 + ($$ * 13 + try * 1613) % (32000 - 10000 - COUNT)))
	$ON_SERVER "$BUILD/bench/endpoints" "$BASE" "$COUNT" 0 $((300 + 20 * DURATION)) >"$WORK/ep.out" 2>/dev/null &
	EP=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q ready "$WORK/ep.out"; do sleep 0.1; i=$((i + 1)); done
	grep -q ready "$WORK/ep.out" && break
	kill -9 "$EP" 2>/dev/null || true
	wait "$EP" 2>/dev/null || true
	EP=""
done
[ -n "$EP" ] || { echo "no free port range" >&2; exit 1; }

# The services: a sleep under a name in WORK (so that every one of them can be
# found again by its command line, whoever started it).
mkdir -p "$WORK/bin" "$WORK/pids"
ln -s "$(command -v sleep)" "$WORK/bin/svc"
echo "$WORK/bin/svc" >"$WORK/svc.name"	# a pattern file: grep's own arguments never match

echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s per endpoint; $(nproc) cores${ON_CLIENT:+ (wrk: $ON_CLIENT; servers: $ON_SERVER)}; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# tend's loop lag and completed check runs: "LAG_MS CHECK_RUNS".
. "$ROOT/bench/tend_metrics.sh"
snap() { tend_snap "$BUILD" "$WORK/state"; }

# The loop thread's time spent runnable but waiting for a CPU, ns (schedstat).
runq_ns() { cut -d' ' -f2 "/proc/$TEND/task/$TEND/schedstat" 2>/dev/null || echo 0; }

# observe LABEL PID SECONDS: until PID exits (bounded at SECONDS + 15 s), or
# for SECONDS when PID is "-": tend's loop lag every 150 ms or so into WORK/lag.LABEL,
# and "CPU% LOOP_THREAD_CPU% CHECK_RUNS_PER_S LOOP_RUNQUEUE_MS_PER_S" (CPU in %
# of one core) into WORK/obs.LABEL.
observe() {
	label=$1 watch=$2 secs=$3
	: >"$WORK/lag.$label"
	c0=$(ticks "/proc/$TEND/stat"); l0=$(ticks "/proc/$TEND/task/$TEND/stat"); q0=$(runq_ns)
	s=$(snap); r0=${s#* }; t0=$(now_ms)
	if [ "$watch" = - ]; then end=$((t0 + secs * 1000)); else end=$((t0 + secs * 1000 + 15000)); fi
	while [ "$(now_ms)" -lt "$end" ]; do
		[ "$watch" != - ] && ! kill -0 "$watch" 2>/dev/null && break
		s=$(snap)
		[ -n "$s" ] && echo "${s% *}" >>"$WORK/lag.$label"
		sleep 0.15
	done
	c1=$(ticks "/proc/$TEND/stat"); l1=$(ticks "/proc/$TEND/task/$TEND/stat"); q1=$(runq_ns)
	s=$(snap); r1=${s#* }; t1=$(now_ms)
	awk -v c=$((c1 - c0)) -v l=$((l1 - l0)) -v r=$((${r1:-0} - ${r0:-0})) -v ms=$((t1 - t0)) \
		-v q=$((q1 - q0)) -v tick="$TICK" 'BEGIN { s = ms / 1000; printf "%.0f %.0f %.1f %.1f\n",
		100 * c / tick / s, 100 * l / tick / s, r / s, q / 1e6 / s }' >"$WORK/obs.$label"
}

# wrk_run URL OUT: wrk against URL in the background (LOADER), its report in OUT.
wrk_run() {
	$ON_CLIENT wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$1" >"$2" 2>&1 &
	LOADER=$!
}

# wrk_wait T0_MS: until LOADER exits, bounded at DURATION + 15 s from T0_MS.
wrk_wait() {
	end=$(($1 + DURATION * 1000 + 15000))
	while kill -0 "$LOADER" 2>/dev/null && [ "$(now_ms)" -lt "$end" ]; do sleep 0.2; done
	kill -0 "$LOADER" 2>/dev/null && { echo "wrk overran its duration; killed" >&2; kill -9 "$LOADER"; }
	wait "$LOADER" 2>/dev/null || true
	LOADER=""
}

# load TOOL N URL PID: wrk against URL, and PID's CPU meanwhile; for tend,
# a second run while its loop is observed. One result line in WORK/results:
# TOOL N URL REQ_PER_S P99_MS ERRORS REQUESTS BODY_BYTES CONNECTION CPU%
load() {
	tool=$1 n=$2 url=$3 server=$4
	hdr=$(curl -s -o "$WORK/body" -D - --max-time 5 "$url" | tr -d '\r' || true)
	bytes=$(wc -c <"$WORK/body")
	conn=$(echo "$hdr" | awk -F': *' 'tolower($1) == "connection" { print tolower($2) }')
	[ -n "$conn" ] || conn=keep-alive
	c0=$(ticks "/proc/$server/stat"); t0=$(now_ms)
	wrk_run "$url" "$WORK/wrk.$tool.$n"
	wrk_wait "$t0"
	c1=$(ticks "/proc/$server/stat"); t1=$(now_ms)
	# tend's loop under the same load, in a second run: each look at it
	# (`tend export-metrics`, answered by the loop) takes the loop a few
	# milliseconds, and the web thread yields to the loop, so the figures
	# above come from a run nobody watched.
	if [ "$tool" = tend ]; then
		wrk_run "$url" "$WORK/wrk.watched.$n"
		observe "$n" "$LOADER" "$DURATION"
		wrk_wait "$(now_ms)"
	fi
	cpu=$(awk -v c=$((c1 - c0)) -v ms=$((t1 - t0)) -v tick="$TICK" 'BEGIN { printf "%.0f", 100 * c / tick / (ms / 1000) }')
	awk -v tool="$tool" -v n="$n" -v url="$url" -v bytes="$bytes" -v conn="$conn" -v cpu="$cpu" '
		/^Requests\/sec:/ { rps = $2 }
		$1 == "99%" { v = $2
			if (v ~ /us$/) p99 = v / 1000; else if (v ~ /ms$/) p99 = v + 0
			else if (v ~ /s$/) p99 = v * 1000; else if (v ~ /m$/) p99 = v * 60000 }
		/requests in/ { reqs = $1 }
		/Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) err += $i }
		/Non-2xx or 3xx responses:/ { err += $NF }
		END { printf "%s %s %s %s %s %d %s %s %s %s\n", tool, n, url, rps == "" ? "-" : rps,
			p99 == "" ? "-" : p99, err, reqs == "" ? 0 : reqs, bytes, conn, cpu }' \
		"$WORK/wrk.$tool.$n" >>"$WORK/results"
	grep -q '^Requests/sec' "$WORK/wrk.$tool.$n" || { echo "wrk against $url:" >&2; cat "$WORK/wrk.$tool.$n" >&2; }
	grep -E 'Socket errors|Non-2xx' "$WORK/wrk.$tool.$n" | sed "s,^ *,$tool $url: ," >>"$WORK/errors" || true
}

: >"$WORK/results"

# tend: the services supervised, one HTTP check each. wrk opens all its
# connections from 127.0.0.1: the web server's per-IP limit (default 64) and
# its total (default 256) are raised above CONNECTIONS, with room for a browser.
if wanted tend; then
	cat >"$WORK/tend.yaml" <<CONF
web: { listen: 127.0.0.1:0, max_connections: $((CONNECTIONS + 64)), per_ip_connections: $((CONNECTIONS + 16)) }
services:
CONF
	i=0
	while [ $i -lt "$COUNT" ]; do
		name=$(printf 'svc%03d' $i)
		cat >>"$WORK/tend.yaml" <<CONF
  $name:
    run: [$WORK/bin/svc, "100000"]
    checks:
      $name-http: { type: http, url: 'http://127.0.0.1:$((BASE + i))/', every: ${EVERY_S}s, timeout: 1s }
CONF
		i=$((i + 1))
	done
	$ON_SERVER "$BUILD/tend" run -c "$WORK/tend.yaml" --state-dir "$WORK/state" 2>"$WORK/tend.log" &
	TEND=$!
	i=0
	while [ ! -s "$WORK/state/web.url" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s "$WORK/state/web.url" ] || { echo "tend wrote no web.url" >&2; tail -5 "$WORK/tend.log" >&2; exit 1; }
	URL=$(sed 's,/$,,' "$WORK/state/web.url")
	wait_http "$URL/healthz" || { echo "tend's web server does not answer" >&2; exit 1; }
	# Every check has run once (bounded, 20 s), then two more rounds to settle.
	i=0
	while [ $i -lt 80 ]; do
		s=$(snap)
		[ -n "$s" ] && [ "${s#* }" -ge "$COUNT" ] && break
		sleep 0.25
		i=$((i + 1))
	done
	sleep $((2 * EVERY_S))
	curl -s "$URL/api/status" >"$WORK/status.json" || true
	up=$(grep -o '"state":"up"' "$WORK/status.json" | wc -l)
	healthy=$(grep -o '"raw_state":"healthy"' "$WORK/status.json" | wc -l)
	echo "== tend $("$BUILD/tend" --version 2>/dev/null | awk '{ print $2; exit }'): $up of $COUNT services up," \
		"$healthy http checks healthy; web server on $URL"
	echo "   idle, ${DURATION} s: loop lag sampled"
	observe idle - "$DURATION"
	n=0
	for path in $TEND_PATHS; do
		n=$((n + 1))
		echo "   wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s $URL$path"
		load tend "$n" "$URL$path" "$TEND"
	done
	stop_pid "$TEND"
	TEND=""
	kill_ours
fi

# nginx: tend's status body as a file, and /healthz's, with sendfile and
# keep-alive, one worker process (as tend's status goes out of one shared
# response); its master and worker are killed by the master's PID.
if wanted nginx && [ -s "$WORK/status.json" ]; then
	if command -v nginx >/dev/null; then
		NPORT=$(free_port)
		# As root, nginx's worker runs as nobody: its files in a folder of
		# their own that anyone may read (WORK, with tend's state, stays 0700).
		WWW=$(mktemp -d /tmp/tend-apiload-www-XXXXXX)
		mkdir -p "$WWW/api" "$WORK/nginx"
		cp "$WORK/status.json" "$WWW/api/status"
		echo '{"ok":true}' >"$WWW/healthz"
		chmod -R a+rX "$WWW"
		cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    default_type application/json;
    client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx;
    fastcgi_temp_path $WORK/nginx; uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
    server { listen 127.0.0.1:$NPORT; root $WWW; }
}
CONF
		$ON_SERVER nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" >"$WORK/nginx.out" 2>&1 &
		NGINX=$!
		NURL="http://127.0.0.1:$NPORT"
		if wait_http "$NURL/healthz"; then
			echo "== nginx $(nginx -v 2>&1 | sed 's,.*/,,'): tend's status as a file, one worker; on $NURL"
			worker=$(pgrep -P "$NGINX" | head -1)	# its CPU is the server's
			n=0
			for path in /api/status /healthz; do
				n=$((n + 1))
				echo "   wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s $NURL$path"
				load nginx "$n" "$NURL$path" "${worker:-$NGINX}"
			done
		else
			echo "== nginx: does not answer; skipped"; cat "$WORK/nginx.out" >&2
		fi
		stop_pid "$NGINX"
		NGINX=""
	else
		echo "== nginx: not installed and cannot be installed here; skipped"
	fi
fi

# monit: the same services (started here, each with a pidfile), the same HTTP
# checks, one cycle every EVERY_S seconds, and its HTTP interface on loopback
# (no password: the host list alone, 127.0.0.1).
if wanted monit; then
	if command -v monit >/dev/null; then
		MPORT=$(free_port)
		cat >"$WORK/monitrc" <<CONF
set daemon $EVERY_S
set logfile $WORK/monit.log
set pidfile $WORK/monit.pid
set idfile $WORK/monit.id
set statefile $WORK/monit.state
set httpd port $MPORT use address 127.0.0.1
    allow 127.0.0.1
CONF
		i=0
		while [ $i -lt "$COUNT" ]; do
			name=$(printf 'svc%03d' $i)
			"$WORK/bin/svc" 100000 &
			echo $! >"$WORK/pids/$name.pid"
			SVC_PIDS="$SVC_PIDS $!"
			cat >>"$WORK/monitrc" <<CONF
check process $name with pidfile $WORK/pids/$name.pid
  start program = "/bin/sh -c '$WORK/bin/svc 100000 </dev/null >/dev/null 2>&1 & echo \$! >$WORK/pids/$name.pid'"
  stop program = "/bin/sh -c 'kill \$(cat $WORK/pids/$name.pid)'"
  if failed port $((BASE + i)) protocol http request "/" with timeout 1 seconds then restart
CONF
			i=$((i + 1))
		done
		chmod 600 "$WORK/monitrc"
		$ON_SERVER monit -I -c "$WORK/monitrc" >"$WORK/monit.out" 2>&1 &
		MONIT=$!
		MURL="http://127.0.0.1:$MPORT"
		wait_http "$MURL/_status?format=xml" || { echo "monit's httpd does not answer" >&2; cat "$WORK/monit.out" >&2; exit 1; }
		sleep $((2 * EVERY_S + 1))	# two cycles: every service and port tested
		curl -s "$MURL/_status?format=xml" >"$WORK/monit.xml" || true
		set -- $(python3 -c 'import sys, xml.etree.ElementTree as T
p = [s for s in T.parse(sys.argv[1]).getroot().iter("service") if s.get("type") == "3"]
print(len(p), sum(s.findtext("status") == "0" for s in p))' "$WORK/monit.xml" 2>/dev/null || echo "? ?")
		svcs=$1 ok=$2
		echo "== monit $(monit -V | sed -n 's/.*version \([^ ]*\).*/\1/p'): $svcs process services, $ok of them status ok; httpd on $MURL"
		n=0
		for path in $MONIT_PATHS; do
			n=$((n + 1))
			echo "   wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s $MURL$path"
			load monit "$n" "$MURL$path" "$MONIT"
		done
		stop_pid "$MONIT"
		MONIT=""
		for pid in $SVC_PIDS; do kill "$pid" 2>/dev/null || true; done
		for pid in $SVC_PIDS; do wait "$pid" 2>/dev/null || true; done
		SVC_PIDS=""
		kill_ours
	else
		echo "== monit: not installed and cannot be installed here; monit is skipped"
	fi
fi

# The table. Ratio: req/s over that of monit's first page (its XML status, the
# one scripts and exporters read).
ref=$(awk '$1 == "monit" && $2 == 1 { print $4 }' "$WORK/results")
echo
echo "HTTP status under load: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $COUNT services each with an HTTP check every $EVERY_S s"
echo "(body = one response; conn = what the server says after it; CPU = the server's, % of one core; ratio = req/s / monit's first page)"
printf '%-6s %-22s %9s %-10s %10s %9s %7s %6s %9s\n' tool endpoint body conn req/s "p99 ms" errors CPU "vs monit"
while read -r tool n url rps p99 err reqs bytes conn cpu; do
	path=/${url#http://*/}
	awk -v t="$tool" -v p="$path" -v r="$rps" -v q="$p99" -v e="$err" -v b="$bytes" \
		-v c="$conn" -v u="$cpu" -v ref="$ref" 'BEGIN {
		ratio = (ref + 0 > 0 && r + 0 > 0) ? sprintf("%.2fx", r / ref) : "-"
		printf "%-6s %-22s %6.1f KB %-10s %10.0f %9.1f %7d %5d%% %9s\n", t, p, b / 1024, c, r, q, e, u, ratio }'
done <"$WORK/results"
[ -s "$WORK/errors" ] && sed 's/^/  errors: /' "$WORK/errors"
awk -v rps="$AIM_STATUS" -v p99="$AIM_STATUS_P99" -v hz="$AIM_HEALTHZ" '
	$1 == "tend" && $3 ~ /\/api\/status$/ {
		printf "aim: /api/status >= %d req/s, p99 <= %g ms: %.0f req/s, p99 %.1f ms: %s\n", rps, p99,
		    $4, $5, ($4 >= rps && $5 <= p99) ? "met" : "not met" }
	$1 == "tend" && $3 ~ /\/healthz$/ {
		printf "aim: /healthz >= %d req/s: %.0f req/s: %s\n", hz, $4, ($4 >= hz) ? "met" : "not met" }' \
	"$WORK/results"

if [ -f "$WORK/obs.idle" ]; then
	echo
	echo "tend's event loop (tend export-metrics, back to back: how late the loop's 250 ms timer fired, ms;"
	echo "CPU in % of one core; runq = the loop thread runnable but waiting for a CPU, ms per second;"
	echo "check runs asked: $COUNT / $EVERY_S s = $(awk -v c="$COUNT" -v e="$EVERY_S" 'BEGIN { printf "%.1f", c / e }')/s)"
	printf '%-22s %7s %8s %8s %8s %11s %9s %9s %13s\n' "while" samples median p90 max "loop thread" runq "tend CPU" "check runs/s"
	for label in idle $(awk '$1 == "tend" { print $2 }' "$WORK/results"); do
		[ -f "$WORK/obs.$label" ] || continue
		if [ "$label" = idle ]; then what=idle; else
			what="wrk $(awk -v n="$label" '$1 == "tend" && $2 == n { sub(/^http:\/\/[^\/]*/, "", $3); print $3 }' "$WORK/results")"
		fi
		read -r cpu loopcpu rate runq <"$WORK/obs.$label"
		sort -n "$WORK/lag.$label" | awk -v w="$what" -v c="$cpu" -v l="$loopcpu" -v r="$rate" -v q="$runq" '
			{ v[NR] = $1 }
			function at(p) { return NR ? sprintf("%.2f", v[int((NR - 1) * p + 0.5) + 1]) : "-" }
			END { printf "%-22s %7d %8s %8s %8s %10s%% %9s %8s%% %13s\n", w, NR, at(0.5), at(0.9), at(1), l, q, c, r }'
	done
fi
