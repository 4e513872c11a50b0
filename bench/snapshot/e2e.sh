#!/bin/sh
# A deploy that breaks an HTTP check, put right: tend's auto_rollback
# against an operator's `git checkout` + restart.
#
# The service is a small HTTP file server (tests/fakehttp) serving APP/;
# its check asks for /site.conf and wants "good" in it, every CHECK_MS.
# A "deploy" writes "broken" into site.conf. tend runs with the set
# {paths: [APP], restart: [web], auto_rollback: true}: the check turns
# critical, the incident is blamed on the change, its plan starts with the
# rollback to the last known good, web is restarted, the check verifies.
# Measured from tend's own record of each incident (tend incidents): its
# MTTR, from the check's first critical result to verified healthy — the
# aim is 1 s — and from the deploy's write to its detection.
# Baseline: what an operator runs once they know (their reaction time not
# counted): `git checkout -- site.conf`, a restart of the server (kill,
# start, wait for its port), a check by hand (curl | grep). ROUNDS each.
#
# usage: bench/snapshot/e2e.sh [BUILD_DIR]   (ROUNDS=10 CHECK_MS=100)
set -eu

BUILD=${1:-build}
ROUNDS=${ROUNDS:-10}
CHECK_MS=${CHECK_MS:-100}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target tend fakehttp >/dev/null
TEND="$BUILD/tend"
FAKEHTTP="$BUILD/tests/fakehttp"
if [ "$(id -u)" -eq 0 ]; then
	for pkg in git curl; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null
	done
fi

WORK=$(mktemp -d /tmp/tend-e2e-XXXXXX)
TEND_PID=""
SERVER=""

cleanup() {
	for pid in $TEND_PID $SERVER; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# What tend started (web) is recorded by pid: none may outlive us.
	if [ -f "$WORK/record" ]; then
		awk '$1 == "start" { print $3 }' "$WORK/record" | while read -r pid; do
			kill "$pid" 2>/dev/null || true
		done
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port below the ephemeral range, free now (as the tests pick them).
free_port() {
	p=$((20000 + $$ % 10000))
	while ss -ltn "sport = :$p" 2>/dev/null | grep -q LISTEN; do p=$((p + 1)); done
	echo "$p"
}
now_ms() { date +%s%3N; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }

PORT=$(free_port)
mkdir -p "$WORK/app" "$WORK/state"
printf 'good\n' >"$WORK/app/site.conf"
cat >"$WORK/tend.yaml" <<CONF
snapshots:
  app:
    paths: [$WORK/app]
    restart: [web]
    auto_rollback: true
    guard_window: 1m
    lkg_after: 500ms
services:
  web:
    run: [$FAKEHTTP, --listen, '$PORT', --root, $WORK/app, --record, $WORK/record, --name, web]
    checks:
      site:
        type: http
        url: http://127.0.0.1:$PORT/site.conf
        contains: good
        every: ${CHECK_MS}ms
        timeout: 1s
CONF

echo "tend: auto_rollback of a deploy that breaks an HTTP check ($ROUNDS rounds, check every ${CHECK_MS} ms)"
"$TEND" run -c "$WORK/tend.yaml" --state-dir "$WORK/state" --no-web >"$WORK/tend.log" 2>&1 &
TEND_PID=$!
wait_log() {	# COUNT PATTERN: until the log has COUNT such lines (10 s at most)
	i=0
	while [ "$(grep -c "$2" "$WORK/tend.log" || true)" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "timed out waiting for '$2'" >&2; tail -20 "$WORK/tend.log" >&2; exit 1; }
		sleep 0.05
	done
}
wait_log 1 "last known good"
# The incident's own line (the ALERT line says it too).
HEALED='\[web\] incident #[0-9]* resolved after .*: healed by rollback-app'
: >"$WORK/starts"
r=1
while [ $r -le "$ROUNDS" ]; do
	lkg=$(grep -c "last known good" "$WORK/tend.log" || true)
	start=$(now_ms)
	printf 'broken\n' >"$WORK/app/site.conf"
	wait_log "$r" "$HEALED"
	echo "$start" >>"$WORK/starts"
	[ "$(cat "$WORK/app/site.conf")" = "good" ] || { echo "site.conf not rolled back" >&2; grep -v host: "$WORK/tend.log" | tail -20 >&2; exit 1; }
	wait_log $((lkg + 1)) "last known good"	# the next round rolls back to it
	r=$((r + 1))
done
# Each incident healed by the rollback, from tend's own record: when it was
# detected (the check's first critical result) and its MTTR (to verified).
"$TEND" incidents --format json -c "$WORK/tend.yaml" --state-dir "$WORK/state" |
    awk '/"detected_at":/ { gsub(/[^0-9]/, ""); d = $0 }
	/"mttr_ms":/ { gsub(/[^0-9]/, ""); m = $0 }
	/"resolution": "healed by rollback-app"/ { print d, m }' | sort -n >"$WORK/incidents"
# Each deploy's incident: the first detected after its write.
awk 'NR == FNR { s[n++] = $1; next } { d[m] = $1; t[m++] = $2 }
    END { j = 0; for (i = 0; i < n; i++) { while (j < m && d[j] < s[i]) j++;
	if (j < m) { print d[j] - s[i] > "/dev/stderr"; print t[j]; j++ } } }' \
    "$WORK/starts" "$WORK/incidents" >"$WORK/heal" 2>"$WORK/detect"
kill "$TEND_PID"; wait "$TEND_PID" 2>/dev/null || true; TEND_PID=""

echo "baseline: git checkout + restart + a check by hand ($ROUNDS rounds)"
cd "$WORK/app"
git init -q . && git add -A && git -c user.email=b@e -c user.name=bench commit -q -m good
: >"$WORK/record2"
"$FAKEHTTP" --listen "$PORT" --root "$WORK/app" --record "$WORK/record2" --name web &
SERVER=$!
: >"$WORK/manual"
r=1
while [ $r -le "$ROUNDS" ]; do
	printf 'broken\n' >site.conf
	start=$(now_ms)
	git checkout -q -- site.conf
	kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
	"$FAKEHTTP" --listen "$PORT" --root "$WORK/app" --record "$WORK/record2" --name web &
	SERVER=$!
	until curl -fsS "http://127.0.0.1:$PORT/site.conf" 2>/dev/null | grep -q good; do
		sleep 0.005
	done
	echo $(( $(now_ms) - start )) >>"$WORK/manual"
	r=$((r + 1))
done

printf '\n%-44s %10s %16s\n' "" "median ms" "min-max"
printf '%-44s %10s %16s\n' "tend: deploy -> check critical (detection)" "$(median <"$WORK/detect")" \
    "$(sort -n "$WORK/detect" | sed -n '1p;$p' | paste -sd-)"
printf '%-44s %10s %16s\n' "tend: critical -> rolled back, verified" "$(median <"$WORK/heal")" \
    "$(sort -n "$WORK/heal" | sed -n '1p;$p' | paste -sd-)"
printf '%-44s %10s %16s\n' "operator: checkout + restart + curl" "$(median <"$WORK/manual")" \
    "$(sort -n "$WORK/manual" | sed -n '1p;$p' | paste -sd-)"
