#!/bin/sh
# Builds tend's Debian package from a copy of the tree in a temporary dir
# (dpkg-buildpackage writes beside the source, so never in the work tree),
# tests off and two jobs, and puts the .deb into OUTDIR.
#   build.sh OUTDIR        (make package)
set -eu

out=${1:?usage: build.sh OUTDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
work=$(mktemp -d /tmp/tend-package.XXXXXX)
trap 'rm -rf "$work"' EXIT

# The files of the tree as git sees them (tracked or new, not ignored, not
# deleted), and the dashboard's uPlot from npm, which the build embeds.
tree=$work/tend-$version
mkdir -p "$tree"
(
	cd "$src"
	git ls-files --cached --others --exclude-standard | while IFS= read -r f; do
		[ -f "$f" ] && printf '%s\n' "$f"
	done
	[ -d web/node_modules/uplot ] && find web/node_modules/uplot -type f
) | (cd "$src" && tar -cf - -T -) | (cd "$tree" && tar -xf -)

echo "building tend $version in $tree"
if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1); then
	tail -n 60 "$work/build.log" >&2
	echo "FAIL: dpkg-buildpackage (the log's end above)" >&2
	exit 1
fi
mkdir -p "$out"
rm -f "$out"/tend_*.deb "$out"/tend-dbgsym_*.deb "$out"/tend_*.changes \
	"$out"/tend_*.buildinfo
cp "$work"/tend_*.deb "$work"/tend_*.changes "$work"/tend_*.buildinfo "$out"/
cp "$work"/tend-dbgsym_*.deb "$out"/ 2>/dev/null || true
ls -l "$out"/tend_*.deb
