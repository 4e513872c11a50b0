// contrib/kubernetes: every object of every manifest against the Kubernetes
// and Prometheus Operator API schemas, the references between them (all the
// files are one install), and each ConfigMap's tend.yaml through tend
// validate. Usage: node kubernetes.mjs SOURCE_DIR TEND_BIN
import fs from "node:fs";
import path from "node:path";
import { parseDocuments, checkAll, sources } from "./lib/k8s.mjs";

const [src, tendBin] = process.argv.slice(2);
const dir = path.join(src, "contrib/kubernetes");
const objects = [];
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
	for (const o of parseDocuments(fs.readFileSync(path.join(dir, f), "utf8"), f)) {
		sources.set(o, f);
		objects.push(o);
	}
}
const kinds = new Set(objects.map((o) => o.kind));
const errors = await checkAll(objects, "contrib/kubernetes", tendBin);
for (const k of ["DaemonSet", "Deployment", "ServiceMonitor", "PodMonitor", "ConfigMap"])
	if (!kinds.has(k))
		errors.push(`contrib/kubernetes: no ${k}`);
for (const e of errors)
	console.log(e);
console.log(`${objects.length} objects, ${errors.length} errors`);
process.exit(errors.length === 0 ? 0 : 1);
