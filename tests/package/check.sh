#!/bin/sh
# Checks tend's Debian package as a host would get it: lintian, then the
# package unpacked into a scratch root (dpkg -x) and looked at there —
#   - the files: binary 0755, /etc/tend/tend.yaml 0644 and a conffile,
#     conf.d, the unit, tmpfiles.d, man pages, completions;
#   - the packages of the libraries tend loads with dlopen are in Depends;
#   - /var/lib/tend as tmpfiles.d and the unit make it (0750 root:root),
#     made in the root by systemd-tmpfiles, and `tend run` accepts it;
#   - the unit's directives, and `systemd-analyze verify` on it with its
#     paths in the root;
#   - the installed tend validates the installed config;
#   - the man pages render cleanly and match tend (tests/docs/check_man.sh);
#   - the completions parse (bash, and zsh and fish where installed), and
#     bash's completes commands;
# and prints the package's size. Needs root for the state dir's owner.
#   check.sh DEB           (make package-check)
set -eu

deb=${1:?usage: check.sh DEB}
src=$(cd "$(dirname "$0")/../.." && pwd)
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
work=$(mktemp -d /tmp/tend-package-check.XXXXXX)
root=$work/root
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
fail=0
bad() {
	echo "FAIL: $*" >&2
	fail=1
}
ok() {
	echo "ok: $*"
}

# lintian: nothing but what debian/tend.lintian-overrides explains.
changes=${deb%_*.deb}_$(dpkg-deb -f "$deb" Architecture).changes
target=$deb
[ -f "$changes" ] && target=$changes
if lintian --display-info --fail-on error,warning,info "$target" >"$work/lintian" 2>&1; then
	# Once more to list what the overrides hide (their exit status counts them).
	lintian --display-info --show-overrides "$target" 2>/dev/null |
		grep '^O:' >"$work/overridden" || true
	cat "$work/overridden"
	ok "lintian: no tags but the $(wc -l <"$work/overridden") overridden above"
else
	grep -v 'running with root privileges' "$work/lintian" >&2
	bad "lintian has tags"
fi

mkdir -p "$root" "$work/control"
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"

# The files, and their modes.
before=$fail
mode() {
	stat -c '%a %U:%G' "$root/$1"
}
for f in usr/bin/tend etc/tend/tend.yaml etc/tend/conf.d/README \
    lib/systemd/system/tend.service usr/lib/tmpfiles.d/tend.conf \
    usr/share/man/man1/tend.1.gz usr/share/man/man5/tend.yaml.5.gz \
    usr/share/bash-completion/completions/tend usr/share/zsh/vendor-completions/_tend \
    usr/share/fish/vendor_completions.d/tend.fish usr/share/doc/tend/copyright \
    usr/share/doc/tend/docs/config.md; do
	[ -f "$root/$f" ] || bad "/$f is not in the package"
done
[ "$(mode usr/bin/tend)" = "755 root:root" ] || bad "/usr/bin/tend is $(mode usr/bin/tend)"
[ "$(mode etc/tend/tend.yaml)" = "644 root:root" ] ||
	bad "/etc/tend/tend.yaml is $(mode etc/tend/tend.yaml)"
[ -d "$root/etc/tend/conf.d" ] || bad "/etc/tend/conf.d is not in the package"
grep -qx /etc/tend/tend.yaml "$work/control/conffiles" ||
	bad "/etc/tend/tend.yaml is not a conffile"
if [ "$fail" -eq "$before" ]; then
	ok "files and modes; /etc/tend/tend.yaml is a conffile"
fi

# Depends names the package of each library tend loads with dlopen: the
# sonames compiled into it (src/core/dl_libs.c) that it does not link.
depends=$(dpkg-deb -f "$deb" Depends)
libdir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)
objdump -p "$root/usr/bin/tend" | awk '/NEEDED/ { print $2 }' | sort >"$work/needed"
strings "$root/usr/bin/tend" | grep -E '^lib[a-z0-9_-]+\.so\.[0-9]+$' | sort -u |
	comm -23 - "$work/needed" >"$work/loaded"
[ -s "$work/loaded" ] || bad "no sonames to load found in /usr/bin/tend"
for so in $(cat "$work/loaded"); do
	owner=$(dpkg -S "$libdir/$so" 2>/dev/null | head -n 1 | cut -d: -f1)
	case ", $depends," in
	*", $owner,"* | *", $owner "*) ;;
	*) bad "tend loads $so, of $owner, which Depends does not name" ;;
	esac
done

# The state dir: 0750 root:root from tmpfiles.d and the unit alike, made in
# the root by systemd-tmpfiles as the postinst makes it, and accepted by
# tend run (which refuses a state dir with other owners or modes).
unit=$root/lib/systemd/system/tend.service
grep -qx 'd /var/lib/tend 0750 root root -' "$root/usr/lib/tmpfiles.d/tend.conf" ||
	bad "tmpfiles.d does not make /var/lib/tend 0750 root:root"
grep -q 'systemd-tmpfiles.*tend.conf' "$work/control/postinst" ||
	bad "the postinst does not run systemd-tmpfiles"
grep -qx 'StateDirectoryMode=0750' "$unit" ||
	bad "the unit's StateDirectoryMode is not 0750"
systemd-tmpfiles --create --root="$root" "$root/usr/lib/tmpfiles.d/tend.conf"
state=$root/var/lib/tend
[ "$(mode var/lib/tend)" = "750 root:root" ] || bad "/var/lib/tend is $(mode var/lib/tend)"

# The config as installed, its include pointed into the root.
sed "s|/etc/tend/conf.d/|$root/etc/tend/conf.d/|" "$root/etc/tend/tend.yaml" \
	>"$work/tend.yaml"
grep -q "^include: \[$root/etc/tend/conf.d/\*.yaml\]" "$work/tend.yaml" ||
	bad "/etc/tend/tend.yaml does not include /etc/tend/conf.d/*.yaml"
if "$root/usr/bin/tend" validate -c "$work/tend.yaml" >"$work/validate" 2>&1; then
	ok "tend validate: the installed config (with conf.d) is valid"
else
	cat "$work/validate" >&2
	bad "tend validate fails on /etc/tend/tend.yaml"
fi
"$root/usr/bin/tend" run -c "$work/tend.yaml" --state-dir "$state" --no-web \
	>"$work/run.log" 2>&1 &
pid=$!
i=0
while [ ! -S "$state/tend.sock" ] && [ "$i" -lt 100 ] && kill -0 "$pid" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
if "$root/usr/bin/tend" status --state-dir "$state" >"$work/status" 2>&1; then
	ok "tend run on /var/lib/tend as packaged: $(head -n 1 "$work/status")"
else
	cat "$work/run.log" "$work/status" >&2
	bad "tend run does not run on the packaged state dir"
fi
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=""

# The unit: what tend needs from systemd, none of what would break the
# services it runs, and systemd's own verdict with the paths in the root.
for d in Type=notify NotifyAccess=main 'WatchdogSec=30s' KillMode=mixed \
    'ExecReload=/bin/kill -HUP $MAINPID' OOMPolicy=continue Delegate=yes \
    'ExecStart=/usr/bin/tend run -c /etc/tend/tend.yaml --state-dir /var/lib/tend'; do
	grep -qxF "$d" "$unit" || bad "the unit lacks $d"
done
for d in ProtectSystem PrivateTmp NoNewPrivileges CapabilityBoundingSet ProtectHome \
    PrivateDevices ProtectClock; do
	grep -q "^$d=" "$unit" && bad "the unit sets $d=, which would break the services"
done
sed "s|/usr/bin/tend|$root/usr/bin/tend|g; s|/etc/tend/|$root/etc/tend/|g" "$unit" \
	>"$work/tend.service"
if command -v systemd-analyze >/dev/null 2>&1; then
	MANPATH=$root/usr/share/man systemd-analyze verify "$work/tend.service" \
		>"$work/verify" 2>&1 || true
	if [ -s "$work/verify" ]; then
		cat "$work/verify" >&2
		bad "systemd-analyze verify has something to say about the unit"
	else
		ok "the unit: its directives, and systemd-analyze verify"
	fi
fi

# The man pages.
if sh "$src/tests/docs/check_man.sh" "$root/usr/bin/tend" "$src" \
    "$(dpkg-deb -f "$deb" Version)" "$root/usr/share/man/man1/tend.1.gz" \
    "$root/usr/share/man/man5/tend.yaml.5.gz"; then
	:
else
	bad "the man pages"
fi

# The completions.
bash -n "$root/usr/share/bash-completion/completions/tend" || bad "bash completion"
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$root/usr/share/zsh/vendor-completions/_tend" || bad "zsh completion"
fi
if command -v fish >/dev/null 2>&1; then
	fish -n "$root/usr/share/fish/vendor_completions.d/tend.fish" || bad "fish completion"
fi
words=$(PATH=$root/usr/bin:$PATH bash -c '
	. "$1/usr/share/bash-completion/completions/tend"
	COMP_WORDS=(tend st); COMP_CWORD=1; _tend; echo "${COMPREPLY[*]}"
	COMP_WORDS=(tend deps ""); COMP_CWORD=2; _tend; echo "${COMPREPLY[*]}"' sh "$root")
case $words in
*"status start stop"*check*install*) ok "completions: tend st<TAB>, tend deps <TAB>" ;;
*) bad "bash completion gives: $words" ;;
esac

echo "size: $(stat -c %s "$deb") bytes (.deb), $(dpkg-deb -f "$deb" Installed-Size) KiB" \
	"installed, of which /usr/bin/tend $(($(stat -c %s "$root/usr/bin/tend") / 1024)) KiB"
if [ "$fail" -ne 0 ]; then
	echo "FAIL: the package check" >&2
	exit 1
fi
echo "ok: the package check passed"
