#!/bin/sh
# The package's version is the project's: debian/changelog's top entry says
# what CMakeLists.txt's project(VERSION) says (which `tend version` prints).
#   check_version.sh SOURCE_DIR
set -eu

src=${1:?usage: check_version.sh SOURCE_DIR}
cmake=$(sed -n 's/^project(tend VERSION \([0-9.]*\) .*/\1/p' "$src/CMakeLists.txt")
deb=$(sed -n '1s/^tend (\([^)]*\)).*/\1/p' "$src/debian/changelog")
if [ -z "$cmake" ] || [ "$cmake" != "$deb" ]; then
	echo "FAIL: CMakeLists.txt says version '$cmake', debian/changelog '$deb':" \
		"add a changelog entry (dch -v $cmake)" >&2
	exit 1
fi
echo "ok: version $cmake in CMakeLists.txt and debian/changelog"
