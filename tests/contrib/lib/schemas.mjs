// Strict JSON schemas, made from the TypeScript types schema-types.ts names
// (ts-json-schema-generator, every object closed), and checked with ajv.
// kubernetes-models' own validators (generated from Kubernetes' OpenAPI)
// check formats, patterns and required fields but let an unknown field
// through; these catch it, as kubectl apply --validate=strict does.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createGenerator } from "ts-json-schema-generator";
import Ajv from "ajv";

const here = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
let generator = null;
const compiled = new Map();
const ajv = new Ajv({ allErrors: true, strict: false });

// The validator of the type NAME of schema-types.ts, made once per run.
export function strictValidator(name) {
	if (compiled.has(name))
		return compiled.get(name);
	if (generator === null)
		generator = createGenerator({
			path: path.join(here, "schema-types.ts"),
			tsconfig: path.join(here, "tsconfig.json"),
			type: "*", skipTypeCheck: true, additionalProperties: false,
		});
	const v = ajv.compile(generator.createSchema(name));
	compiled.set(name, v);
	return v;
}

// A failed validation's errors, one line each: where, and what is wrong.
export function describe(errors) {
	// anyOf failures repeat every branch's complaint; the first says enough.
	const seen = new Set();
	const out = [];
	for (const e of errors ?? []) {
		const extra = e.keyword === "additionalProperties" ?
			` (unknown field "${e.params.additionalProperty}")` : "";
		const line = `${e.instancePath || "/"} ${e.message}${extra}`;
		if (!seen.has(line)) {
			seen.add(line);
			out.push(line);
		}
	}
	return out;
}

export function checkStrict(name, obj) {
	const v = strictValidator(name);
	return v(obj) ? [] : describe(v.errors);
}
