#!/bin/sh
# Writes tend.yaml(5) from docs/config.md, the one reference of the config
# file: a NAME and SYNOPSIS before it, FILES and SEE ALSO after, its own
# sections one level up (## is .SH) and its links to other documents pointing
# at where they are installed (man/links.lua). tests/docs/check_config_doc.sh
# checks that docs/config.md names every key the parser takes, and
# tests/docs/check_man.sh that the rendered page does.
#
#   gen-tend-yaml-5.sh CONFIG_MD LINKS_LUA VERSION OUT
set -eu

if [ $# -ne 4 ]; then
	echo "usage: gen-tend-yaml-5.sh CONFIG_MD LINKS_LUA VERSION OUT" >&2
	exit 2
fi
config_md=$1 links=$2 version=$3 out=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"

{
	cat <<'EOF'
## NAME

tend.yaml - configuration of tend, the self-healing supervisor

## SYNOPSIS

*/etc/tend/tend.yaml*, */etc/tend/conf.d/\*.yaml*, or **tend -c** *FILE*

## DESCRIPTION

What follows is docs/config.md, tend's reference of its configuration.

EOF
	cat "$config_md"
	cat <<'EOF'

## FILES

*/etc/tend/tend.yaml*
:   The configuration of the systemd unit **tend.service**, installed by the
    Debian package (a conffile: an upgrade does not overwrite your changes).

*/etc/tend/conf.d/\*.yaml*
:   Drop-in files that */etc/tend/tend.yaml* includes.

## SEE ALSO

**tend**(1); the documents in */usr/share/doc/tend/docs/*.
EOF
} >"$work/tend.yaml.5.md"

date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)
pandoc -s -f markdown -t man --lua-filter="$links" \
	-V title=TEND.YAML -V section=5 -V header="tend manual" \
	-V footer="tend $version" -V date="$date" \
	-o "$out" "$work/tend.yaml.5.md"
