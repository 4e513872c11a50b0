#!/bin/sh
# The footprint of a supervisor with N supervised services (`sleep`), side
# by side: tend (--no-web, and with its dashboard), monit, supervisord,
# runit and s6, each started on the same N services and left idle; and tend
# --no-web with an HTTP check per service every 10 s against loopback
# endpoints (tend-http), beside monit's process check per service at its
# 1 s cycle. For the
# supervisor's own processes (runit's runsvdir and its runsv per service,
# s6's s6-svscan and its s6-supervise per service; the others are one
# process): RSS, PSS and private dirty summed, threads, and the CPU seconds
# they use over IDLE seconds (footprint.py). runit and s6 are installed from
# Debian when missing, as are monit and supervisord. Loopback only;
# everything started is killed by PID.
#
# usage: bench/footprint/run.sh [BUILD_DIR]   (environment: N=100 IDLE=30
#        SUPERVISORS="tend tend-web tend-http monit supervisord runit s6")
set -eu

BUILD=${1:-build}
N=${N:-100}
IDLE=${IDLE:-30}
SUPERVISORS=${SUPERVISORS:-tend tend-web tend-http monit supervisord runit s6}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend endpoints >/dev/null
FP="python3 $ROOT/bench/footprint/footprint.py"
missing=""
command -v runsvdir >/dev/null || missing="$missing runit"
command -v s6-svscan >/dev/null || missing="$missing s6"
command -v monit >/dev/null || missing="$missing monit"
command -v supervisord >/dev/null || missing="$missing supervisor"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    $missing >/dev/null 2>&1 || true
fi

WORK=$(mktemp -d /tmp/tend-footprint-XXXXXX)
PIDS=""
stop_all() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	sleep 1
	for p in $PIDS; do kill -9 "$p" 2>/dev/null || true; done
	pkill -9 -f "sleep 100$$" 2>/dev/null || true
	PIDS=""
	if [ -n "${EP:-}" ]; then kill -9 "$EP" 2>/dev/null || true; wait "$EP" 2>/dev/null || true; fi
	EP=""
}
cleanup() { stop_all; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
SLEEP="sleep 100$$"	# a marker in every service's argv, to find and kill them

wanted() { case " $SUPERVISORS " in *" $1 "*) return 0 ;; esac; return 1; }
# Waits until N services run (their argv has the marker), 30 s at most.
wait_services() {
	i=0
	while [ "$(pgrep -c -f "^$SLEEP" || true)" -lt "$N" ] && [ "$i" -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
# The processes of a supervisor: PID and its descendants but the services.
tree() {
	echo "$1"
	for c in $(pgrep -P "$1"); do
		case "$(cat /proc/$c/cmdline 2>/dev/null | tr '\0' ' ')" in
		"$SLEEP"*) ;;
		*) tree "$c" ;;
		esac
	done
}
measure() {
	wait_services
	sleep 2
	TREE=$(tree "$2")
	$FP "$1" "$IDLE" $TREE
	# runsv and s6-supervise outlive their scanner: every process measured is stopped.
	PIDS="$PIDS $TREE"
	stop_all
}

# tend-http's endpoints: N loopback HTTP servers keeping connections alive.
start_endpoints() {
	BASE=$((20000 + ($$ % 5000)))
	"$BUILD/bench/endpoints" "$BASE" "$N" 0 600 keepalive >"$WORK/ep.out" 2>/dev/null &
	EP=$!
	i=0
	while [ $i -lt 50 ] && ! grep -q ready "$WORK/ep.out"; do sleep 0.1; i=$((i + 1)); done
}

echo "supervisor procs rss_kb pss_kb private_dirty_kb threads cpu_s_per_${IDLE}s ($N services)"
for mode in tend tend-web tend-http; do
	wanted "$mode" || continue
	[ "$mode" = tend-http ] && start_endpoints
	{ echo "state_dir: $WORK/state-$mode"; echo "web: { listen: 127.0.0.1:0 }"
	  echo "services:"
	  i=0; while [ "$i" -lt "$N" ]; do
		echo "  s$i: { run: [sleep, '100$$'] }"
		[ "$mode" = tend-http ] && echo "  c$i: { type: http, url: 'http://127.0.0.1:$((BASE + i))/', every: 10s }" >>"$WORK/checks"
		i=$((i + 1)); done
	  if [ "$mode" = tend-http ]; then echo "checks:"; cat "$WORK/checks"; fi; } >"$WORK/$mode.yaml"
	flag=--no-web; [ "$mode" = tend-web ] && flag=""
	"$BUILD/tend" run -c "$WORK/$mode.yaml" $flag >"$WORK/$mode.log" 2>&1 &
	PIDS="$!"
	measure "$mode" "$!"
done

if wanted monit && command -v monit >/dev/null; then
	{ echo "set daemon 1"; echo "set logfile $WORK/monit.log"; echo "set pidfile $WORK/monit.pid"
	  echo "set idfile $WORK/monit.id"; echo "set statefile $WORK/monit.state"
	  i=0; while [ "$i" -lt "$N" ]; do
		echo "check process s$i with pidfile $WORK/s$i.pid"
		# monit waits for a start program: it backgrounds the service, as init scripts do.
		echo "  start program = \"/bin/sh -c '$SLEEP </dev/null >/dev/null 2>&1 & echo \$! >$WORK/s$i.pid'\""
		i=$((i + 1)); done; } >"$WORK/monitrc"
	chmod 600 "$WORK/monitrc"
	monit -I -c "$WORK/monitrc" >/dev/null 2>&1 &
	PIDS="$!"
	measure monit "$!"
fi

if wanted supervisord && command -v supervisord >/dev/null; then
	{ echo "[supervisord]"; echo "nodaemon=true"; echo "logfile=$WORK/supervisord.log"
	  echo "pidfile=$WORK/supervisord.pid"; echo "childlogdir=$WORK"
	  echo "[program:s]"; echo "process_name=%(program_name)s%(process_num)d"
	  echo "numprocs=$N"; echo "command=$SLEEP"; echo "startsecs=0"; } >"$WORK/supervisord.conf"
	supervisord -n -c "$WORK/supervisord.conf" >/dev/null 2>&1 &
	PIDS="$!"
	measure supervisord "$!"
fi

# runit and s6 read the same thing: a directory with a run script per service.
service_dirs() {
	i=0
	while [ "$i" -lt "$N" ]; do
		mkdir -p "$1/s$i"
		printf '#!/bin/sh\nexec %s\n' "$SLEEP" >"$1/s$i/run"
		chmod +x "$1/s$i/run"
		i=$((i + 1))
	done
}

if wanted runit && command -v runsvdir >/dev/null; then
	service_dirs "$WORK/runit"
	runsvdir "$WORK/runit" >/dev/null 2>&1 &
	PIDS="$!"
	measure runit "$!"
fi

if wanted s6 && command -v s6-svscan >/dev/null; then
	service_dirs "$WORK/s6"
	s6-svscan "$WORK/s6" >/dev/null 2>&1 &
	PIDS="$!"
	measure s6 "$!"
fi
