#!/bin/sh
# tend's sha256 against libcrypto's on MB megabytes (default 100): in
# memory (shabench: tend's engines and libcrypto's EVP, best of ROUNDS), then
# the same file, in the page cache, by tend and by `openssl dgst -sha256`
# and `sha256sum` (each the best of ROUNDS runs, their process included).
#
# usage: bench/sha256/run.sh [BUILD_DIR]   (environment: MB=100 ROUNDS=5)
set -eu
BUILD=${1:-build}
MB=${MB:-100}
ROUNDS=${ROUNDS:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target shabench >/dev/null
OUT=$(mktemp)
trap 'rm -f "$OUT" "${FILE:-}"' EXIT
"$BUILD/bench/shabench" "$MB" "$ROUNDS" | tee "$OUT"
FILE=$(sed -n 's/^file: //p' "$OUT")
# The best wall time of ROUNDS runs of a command, in ms.
best() {
	python3 - "$ROUNDS" "$@" <<'PY'
import subprocess, sys, time
rounds, cmd = int(sys.argv[1]), sys.argv[2:]
best = min((lambda t0: (subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True),
                         time.monotonic() - t0)[1])(time.monotonic()) for _ in range(rounds))
print(f"{best * 1000:.1f}")
PY
}
for tool in "openssl dgst -sha256" sha256sum; do
	set -- $tool
	command -v "$1" >/dev/null || continue
	printf '%-28s %8s ms (process and read included)\n' "$tool" "$(best "$@" "$FILE")"
done
