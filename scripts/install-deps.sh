#!/bin/sh
# Installs the Debian packages tend needs to build and test, when missing
# (monitoring-plugins-basic: the tests run Debian's Nagios plugins unchanged).
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

PACKAGES="build-essential cmake pkg-config libuv1-dev libcurl4-openssl-dev
libjansson-dev libyaml-dev libcmocka-dev libssl-dev libsqlite3-dev
monitoring-plugins-basic"

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
	esac
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "tend needs these Debian packages; install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
