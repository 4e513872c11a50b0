// Validation of Kubernetes objects, shared by the manifests' test and the
// chart's: each object against its API schema twice (kubernetes-models'
// OpenAPI validators, and the strict schema of its type), then the
// references between objects no schema sees, then tend's own config in each
// ConfigMap through the tend binary itself.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import YAML from "yaml";
import { checkStrict } from "./schemas.mjs";

// apiVersion/kind -> kubernetes-models' module; the kinds tend ships.
const MODELS = {
	"v1/Namespace": "kubernetes-models/v1/Namespace",
	"v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
	"v1/Service": "kubernetes-models/v1/Service",
	"apps/v1/DaemonSet": "kubernetes-models/apps/v1/DaemonSet",
	"apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
	"monitoring.coreos.com/v1/ServiceMonitor":
	    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
	"monitoring.coreos.com/v1/PodMonitor":
	    "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor",
};

// Every document of a multi-document YAML text; a YAML error is an error.
export function parseDocuments(text, where) {
	const docs = YAML.parseAllDocuments(text, { uniqueKeys: true });
	const out = [];
	for (const d of docs) {
		if (d.errors.length > 0)
			throw new Error(`${where}: ${d.errors[0].message}`);
		const obj = d.toJS();
		if (obj !== null && obj !== undefined)
			out.push(obj);
	}
	return out;
}

// Where each object came from (a file), for the messages.
export const sources = new WeakMap();

function name(obj) {
	const from = sources.has(obj) ? ` (${sources.get(obj)})` : "";
	return `${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"}${from}`;
}

// An object against both schemas of its kind: a list of errors.
export async function validateObject(obj) {
	const key = `${obj.apiVersion}/${obj.kind}`;
	const mod = MODELS[key];
	if (mod === undefined)
		return [`${key}: a kind the tests have no schema for`];
	const errors = [];
	const Model = (await import(mod))[obj.kind];
	try {
		new Model(obj).validate();
	} catch (e) {
		errors.push(...String(e.message).split(", ").map((m) => `OpenAPI: ${m}`));
	}
	errors.push(...checkStrict(obj.kind, obj).map((m) => `strict: ${m}`));
	return errors;
}

function matches(selector, labels) {
	return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

function podTemplates(objects) {
	return objects.filter((o) => o.kind === "DaemonSet" || o.kind === "Deployment");
}

// What the API server or the Operator would find wrong between objects, or
// what would make the pods unreachable, that no object's schema can say.
export function crossCheck(objects) {
	const errors = [];
	const byKind = (k) => objects.filter((o) => o.kind === k);
	const configMaps = new Set(byKind("ConfigMap").map((o) => o.metadata.name));
	for (const w of podTemplates(objects)) {
		const labels = w.spec.template.metadata?.labels;
		const spec = w.spec.template.spec;
		if (!matches(w.spec.selector?.matchLabels, labels))
			errors.push(`${name(w)}: selector does not match its pod template's labels`);
		for (const v of spec.volumes ?? [])
			if (v.configMap && !configMaps.has(v.configMap.name))
				errors.push(`${name(w)}: volume ${v.name} names ConfigMap ` +
				    `${v.configMap.name}, which is not here`);
		for (const c of spec.containers) {
			const ports = new Set((c.ports ?? []).map((p) => p.name));
			const mounts = new Set((spec.volumes ?? []).map((v) => v.name));
			for (const m of c.volumeMounts ?? [])
				if (!mounts.has(m.name))
					errors.push(`${name(w)}: mount of unknown volume ${m.name}`);
			const probes = { livenessProbe: "/healthz", readinessProbe: "/readyz" };
			for (const [probe, want] of Object.entries(probes)) {
				const get = c[probe]?.httpGet;
				if (get === undefined)
					errors.push(`${name(w)}: container ${c.name} has no ${probe}`);
				else if (get.path !== want)
					errors.push(`${name(w)}: ${probe} asks ${get.path}, not ${want}`);
				else if (typeof get.port === "string" && !ports.has(get.port))
					errors.push(`${name(w)}: ${probe} names port ${get.port}, ` +
					    `which container ${c.name} does not have`);
			}
		}
	}
	for (const s of byKind("Service")) {
		const pods = podTemplates(objects).filter((w) =>
		    matches(s.spec.selector, w.spec.template.metadata?.labels));
		if (pods.length === 0)
			errors.push(`${name(s)}: its selector matches no pod template here`);
		for (const p of s.spec.ports ?? []) {
			const named = typeof p.targetPort === "string";
			if (named && !pods.every((w) => w.spec.template.spec.containers.some((c) =>
			    (c.ports ?? []).some((cp) => cp.name === p.targetPort))))
				errors.push(`${name(s)}: targetPort ${p.targetPort} ` +
				    "is no container's port");
		}
	}
	for (const m of byKind("ServiceMonitor")) {
		const svcs = byKind("Service").filter((s) =>
		    matches(m.spec.selector.matchLabels, s.metadata.labels));
		if (svcs.length === 0)
			errors.push(`${name(m)}: its selector matches no Service here`);
		for (const e of m.spec.endpoints)
			if (!svcs.every((s) => s.spec.ports.some((p) => p.name === e.port)))
				errors.push(`${name(m)}: port ${e.port} is not a port of its Service`);
		errors.push(...jobLabel(m, svcs.map((s) => s.metadata.labels)));
	}
	for (const m of byKind("PodMonitor")) {
		const pods = podTemplates(objects).filter((w) =>
		    matches(m.spec.selector.matchLabels, w.spec.template.metadata?.labels));
		if (pods.length === 0)
			errors.push(`${name(m)}: its selector matches no pod template here`);
		for (const e of m.spec.podMetricsEndpoints)
			if (!pods.every((w) => w.spec.template.spec.containers.some((c) =>
			    (c.ports ?? []).some((p) => p.name === e.port))))
				errors.push(`${name(m)}: port ${e.port} is no container's port`);
		errors.push(...jobLabel(m, pods.map((w) => w.spec.template.metadata.labels)));
	}
	return errors;
}

// The mixin's rules (contrib/prometheus) expect job="tend": the monitors'
// jobLabel must be a label whose value is "tend" on what they select.
function jobLabel(monitor, labelSets) {
	const key = monitor.spec.jobLabel;
	if (labelSets.every((l) => l?.[key] === "tend"))
		return [];
	return [`${name(monitor)}: jobLabel ${key} does not give job="tend"`];
}

// tend's config in a ConfigMap, validated by the tend binary. One kind of
// error is the image's business, not the config's: a supervised program
// that is not on this machine (it is in the user's image).
export function validateTendConfig(tendBin, text, where, workload) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tend-k8s-"));
	try {
		const file = path.join(dir, "tend.yaml");
		const cfg = YAML.parse(text);
		const errors = [];
		fs.writeFileSync(file, text);
		const r = spawnSync(tendBin, ["validate", "-c", file], { encoding: "utf8" });
		const lines = (r.stdout + r.stderr).split("\n").filter((l) => l.trim() !== "");
		for (const l of lines)
			if (l !== "ok" && !/run program '[^']+' does not exist/.test(l))
				errors.push(`tend validate: ${l.replace(file, "tend.yaml")}`);
		if (r.status !== 0 && r.status !== 2)
			errors.push(`tend validate exited ${r.status}`);
		errors.push(...configMatchesPod(cfg, workload));
		return errors;
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

// The pod reaches tend where the config puts it: every address, on the port
// the probes and monitors name; the state dir on the volume meant for it.
function configMatchesPod(cfg, workload) {
	if (workload === undefined)
		return ["no DaemonSet or Deployment mounts this ConfigMap"];
	const errors = [];
	const c = workload.spec.template.spec.containers[0];
	const port = (c.ports ?? []).find((p) => p.name === c.readinessProbe?.httpGet?.port);
	const listen = cfg.web?.listen ?? "";
	if (!String(listen).startsWith("0.0.0.0:"))
		errors.push(`web.listen ${listen} is not every address: probes would fail`);
	else if (port === undefined || String(port.containerPort) !== listen.split(":")[1])
		errors.push(`web.listen ${listen} is not the probes' port`);
	if (cfg.state_dir === undefined)
		errors.push("no state_dir: tend would pick one by its user");
	return errors;
}

// Validates every object and the whole; prints what it checked. Returns
// the errors, each naming its source.
export async function checkAll(objects, where, tendBin) {
	const errors = [];
	for (const o of objects) {
		for (const e of await validateObject(o))
			errors.push(`${where}: ${name(o)}: ${e}`);
	}
	for (const e of crossCheck(objects))
		errors.push(`${where}: ${e}`);
	for (const cm of objects.filter((o) => o.kind === "ConfigMap")) {
		const text = cm.data?.["tend.yaml"];
		if (text === undefined)
			continue;
		const workload = podTemplates(objects).find((w) =>
		    (w.spec.template.spec.volumes ?? []).some((v) =>
		    v.configMap?.name === cm.metadata.name));
		for (const e of validateTendConfig(tendBin, text, where, workload))
			errors.push(`${where}: ${name(cm)}: ${e}`);
	}
	console.log(`${errors.length === 0 ? "ok" : "FAIL"} ${where}: ` +
	    objects.map(name).join(", "));
	return errors;
}
