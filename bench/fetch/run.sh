#!/bin/sh
# Time to a verified file: a 100 MB artifact from a loopback mirror that
# resets the connection every 10 MB (fakehttp --drop-after --drop-rst), under
# `tend fetch` (resumes at once, sha256 streamed while writing), curl and wget.
# curl and wget are followed by a sha256 check (openssl dgst, the fastest one
# here) so that every tool ends with a file known to be right.
# Everything on 127.0.0.1; every process started here is killed by PID on exit.
#
# usage: bench/fetch/run.sh [BUILD_DIR]
#        (environment: RUNS=3 SIZE_MB=100 DROP_MB=10
#         TOOLS="tend curl-retry curl-loop wget wget-nowait")
set -eu

BUILD=${1:-build}
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-100}
DROP_MB=${DROP_MB:-10}
TOOLS=${TOOLS:-tend curl-retry curl-loop wget wget-nowait}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

cmake --build "$BUILD" --target tend fakehttp >/dev/null
# The tools compared: each is skipped (and said so) when it is not installed.
for tool in $TOOLS; do
	case $tool in
	curl-*) command -v curl >/dev/null || { echo "curl is not installed: $tool skipped"; TOOLS=$(echo " $TOOLS " | sed "s/ $tool / /"); } ;;
	wget*) command -v wget >/dev/null || { echo "wget is not installed: $tool skipped"; TOOLS=$(echo " $TOOLS " | sed "s/ $tool / /"); } ;;
	esac
done
# The fastest sha256 at hand for the others' check: openssl's, else coreutils'.
if command -v openssl >/dev/null; then
	sha256() { openssl dgst -sha256 -r "$1" | cut -d' ' -f1; }
else
	sha256() { sha256sum "$1" | cut -d' ' -f1; }
fi
TEND="$BUILD/tend"
FAKEHTTP="$BUILD/tests/fakehttp"

WORK=$(mktemp -d /tmp/tend-fetch-XXXXXX)
SERVER=""

cleanup() {
	if [ -n "$SERVER" ]; then
		kill "$SERVER" 2>/dev/null || true
		wait "$SERVER" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
now_ms() { date +%s%3N; }

mkdir -p "$WORK/root"
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$WORK/root/artifact.bin"
SHA=$(sha256 "$WORK/root/artifact.bin")
PORT=$(free_port)
URL="http://127.0.0.1:$PORT/artifact.bin"
"$FAKEHTTP" --listen "$PORT" --root "$WORK/root" --record "$WORK/record" --name mirror \
	--drop-after $((DROP_MB * 1024 * 1024)) --drop-rst &
SERVER=$!
i=0
until grep -q '^start mirror' "$WORK/record" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "fakehttp did not start" >&2; exit 1; }
	sleep 0.05
done
cat >"$WORK/manifest.yaml" <<CONF
assets:
  artifact:
    sha256: $SHA
    mirrors: ['$URL']
    dest: $WORK/out/artifact.bin
CONF

requests() { grep -c '^request' "$WORK/record" 2>/dev/null || true; }
verified() { [ "$(sha256 "$1" 2>/dev/null)" = "$SHA" ]; }

# One run of one tool: "ms connections" in WORK/NAME.runs, or "fail connections".
run_tool() {
	name=$1
	rm -rf "$WORK/cache" "$WORK/out" "$WORK/dl"
	mkdir -p "$WORK/dl"
	before=$(requests)
	t0=$(now_ms)
	ok=0
	case $name in
	tend)
		"$TEND" fetch --manifest "$WORK/manifest.yaml" --cache-dir "$WORK/cache" \
			>/dev/null 2>"$WORK/tend.log" && ok=1
		file="$WORK/out/artifact.bin"
		;;
	curl-retry)
		# curl's own retries, told to retry every error and to resume.
		curl -sS --retry 5 --retry-all-errors --retry-delay 1 -C - \
			-o "$WORK/dl/a" "$URL" 2>/dev/null && verified "$WORK/dl/a" && ok=1
		file="$WORK/dl/a"
		;;
	curl-loop)
		# What works with curl: run it again until it exits 0, each run
		# resuming from the file's length.
		n=0
		until curl -sS -C - -o "$WORK/dl/a" "$URL" 2>/dev/null; do
			n=$((n + 1))
			[ $n -lt 50 ] || break
		done
		verified "$WORK/dl/a" && ok=1
		file="$WORK/dl/a"
		;;
	wget)
		wget -q -c --tries=20 -O "$WORK/dl/a" "$URL" && verified "$WORK/dl/a" && ok=1
		file="$WORK/dl/a"
		;;
	wget-nowait)
		wget -q -c --tries=20 --waitretry=0 -O "$WORK/dl/a" "$URL" &&
			verified "$WORK/dl/a" && ok=1
		file="$WORK/dl/a"
		;;
	esac
	t1=$(now_ms)
	conns=$(($(requests) - before))
	if [ $ok -eq 1 ] && [ -f "$file" ]; then
		echo "$((t1 - t0)) $conns" >>"$WORK/$name.runs"
	else
		echo "fail $conns $((t1 - t0))" >>"$WORK/$name.runs"
	fi
}

echo "== ${SIZE_MB} MB from $URL, reset every ${DROP_MB} MB; $RUNS runs each"
r=1
while [ $r -le "$RUNS" ]; do
	for tool in $TOOLS; do
		run_tool "$tool"
		printf '  run %d %-12s %s\n' "$r" "$tool" "$(tail -n 1 "$WORK/$tool.runs")"
	done
	r=$((r + 1))
done

# Median (lower middle), min, max of the successful runs; connections of the last.
stats() {
	awk '$1 != "fail" { print $1 }' "$WORK/$1.runs" | sort -n |
		awk '{ v[NR] = $1 } END { if (NR) printf "%d %d %d %d", v[int((NR + 1) / 2)], v[1], v[NR], NR; else print "- - - 0" }'
}

echo
echo "Time to a verified ${SIZE_MB} MB file, connection reset every ${DROP_MB} MB (ms; ratio = median / tend's median)"
printf '%-12s %6s %8s %8s %8s %6s %9s\n' tool ok median min max conns "vs tend"
tm=$(stats tend | cut -d' ' -f1)
for tool in $TOOLS; do
	[ -f "$WORK/$tool.runs" ] || continue
	set -- $(stats "$tool")
	conns=$(tail -n 1 "$WORK/$tool.runs" | awk '{ print $2 }')
	ratio=$(awk -v a="$tm" -v b="$1" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1fx", b / a; else print "-" }')
	printf '%-12s %3s/%-2s %8s %8s %8s %6s %9s\n' "$tool" "$4" "$RUNS" "$1" "$2" "$3" \
		"$conns" "$ratio"
done
echo
echo "curl-retry: curl $(curl --version | sed -n '1s/curl \([^ ]*\).*/\1/p') --retry 5 --retry-all-errors --retry-delay 1 -C -"
echo "curl-loop:  until curl -C - -o FILE URL; do :; done (at most 50 runs)"
echo "wget:       wget $(wget --version | sed -n '1s/GNU Wget \([^ ]*\).*/\1/p') -c --tries=20 (its default waits between retries: 1 s, 2 s, ... 10 s)"
echo "wget-nowait: wget -c --tries=20 --waitretry=0"
echo "curl and wget then: $(command -v openssl >/dev/null && echo 'openssl dgst -sha256' || echo sha256sum) (tend hashes while it writes)"
