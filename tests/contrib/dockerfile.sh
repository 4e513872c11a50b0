#!/bin/sh
# The Dockerfile without a container engine (none runs on the build
# machines): its runtime stage installs a Debian package for every library
# the built tend links or loads when first used (their sonames are in the
# binary), the config it copies loads, and its entrypoint is `tend init`
# on that config. Fails naming what is missing.
set -eu
SRC=${1:?usage: dockerfile.sh SOURCE_DIR TEND_BIN}
TEND=${2:?usage: dockerfile.sh SOURCE_DIR TEND_BIN}
DOCKERFILE="$SRC/Dockerfile"
command -v dpkg >/dev/null || { echo "SKIP: no dpkg to name the libraries' packages"; exit 77; }

# The runtime stage's apt-get install line(s), continuation lines joined.
runtime=$(sed -n '/^FROM .* AS runtime/,/^FROM /p' "$DOCKERFILE" |
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep 'apt-get install' ||
	{ echo "the runtime stage installs nothing"; exit 1; })
fail=0
for so in $(strings "$TEND" | grep -E '^lib[A-Za-z0-9_.+-]+\.so\.[0-9]+$' | sort -u); do
	# debian:12-slim's own; a sanitizer build's runtimes are no image's.
	case "$so" in libc.so.*|libm.so.*|libasan.so.*|libubsan.so.*|liblsan.so.*) continue ;; esac
	pkg=$(dpkg -S "*/$so" 2>/dev/null | head -1 | cut -d: -f1)
	if [ -z "$pkg" ]; then
		echo "no Debian package here ships $so"; fail=1
	elif ! printf '%s\n' "$runtime" | grep -qw -- "$pkg"; then
		echo "tend needs $so, from $pkg: the runtime stage does not install it"; fail=1
	else
		echo "ok: $so from $pkg"
	fi
done

config=$(sed -n 's#^COPY examples/\([^ ]*\) /etc/tend/tend.yaml$#\1#p' "$DOCKERFILE")
[ -n "$config" ] || { echo "the Dockerfile copies no config to /etc/tend/tend.yaml"; exit 1; }
"$TEND" validate -c "$SRC/examples/$config" || { echo "examples/$config does not load"; fail=1; }
grep -q '^ENTRYPOINT \["/usr/bin/tend", "init", "-c", "/etc/tend/tend.yaml"' "$DOCKERFILE" ||
	{ echo "the entrypoint is not tend init on /etc/tend/tend.yaml"; fail=1; }
grep -q '^USER tend$' "$DOCKERFILE" || { echo "the image runs as root"; fail=1; }
exit $fail
