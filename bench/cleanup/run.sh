#!/bin/sh
# The cleanup action on 10,000 old files (bench/cleanup/cleanbench.c):
# cleanup_run alone, as a dry run and for real, one directory of 10,000
# and 100 directories of 100 (a pattern with a wildcard directory).
#
# usage: bench/cleanup/run.sh [BUILD_DIR]  (FILES=10000 DIRS=100 ROUNDS=9)
set -eu

BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
cmake --build "$BUILD" --target cleanbench >/dev/null
"$BUILD/bench/cleanbench" "${FILES:-10000}" "${DIRS:-100}" "${ROUNDS:-9}"
