// What the browser tests share: steps with deadlines, chromium from
// playwright-core (web/node_modules), tend started and stopped, and a main
// that bounds the whole test and prints tend's log when a step fails.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const SKIP = 77;
const here = path.dirname(fileURLToPath(import.meta.url));
const sourceDir = process.env.TEND_SOURCE_DIR || path.resolve(here, '..', '..');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const playwrightDir = path.join(sourceDir, 'web', 'node_modules', 'playwright-core');

export function log(msg) {
	process.stdout.write(`${msg}\n`);
}

export class StepError extends Error {}
// Something that waiting longer cannot mend (tend exited): ends a wait at once.
export class Fatal extends Error {}

// Polls fn (which returns a value, or a falsy one while not there yet) until
// the deadline; the step fails with what was last seen.
export async function until(what, timeoutMs, fn) {
	const end = Date.now() + timeoutMs;
	let last = '';
	for (;;) {
		try {
			const v = await fn();
			if (v)
				return v;
		} catch (e) {
			if (e instanceof Fatal)
				throw e;
			last = e.message;
		}
		if (Date.now() >= end)
			throw new StepError(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${last})` : ''}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

// A step of the test, timed, with its name in the failure.
export async function step(name, fn) {
	const t0 = Date.now();
	try {
		const v = await fn();
		log(`ok - ${name} (${Date.now() - t0} ms)`);
		return v;
	} catch (e) {
		throw new StepError(`${name}: ${e.message}`);
	}
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

export function readIfExists(file) {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return null;
	}
}

// Exits 2 without the binaries, 1 when one is not executable, 77 (skipped)
// without chromium or playwright-core.
export function checkPrerequisites(usage, bins) {
	if (bins.some((b) => !b)) {
		log(`usage: ${usage}`);
		process.exit(2);
	}
	for (const bin of bins) {
		try {
			fs.accessSync(bin, fs.constants.X_OK);
		} catch {
			log(`FAIL: ${bin} is not an executable`);
			process.exit(1);
		}
	}
	try {
		fs.accessSync(chromiumPath, fs.constants.X_OK);
	} catch {
		log(`SKIP: ${chromiumPath} is missing (apt-get install chromium, or make deps)`);
		process.exit(SKIP);
	}
	if (!fs.existsSync(path.join(playwrightDir, 'package.json'))) {
		log(`SKIP: ${playwrightDir} is missing (make deps, or npm ci in web/)`);
		process.exit(SKIP);
	}
}

export function launchChromium() {
	const require = createRequire(path.join(playwrightDir, 'package.json'));
	const { chromium } = require('playwright-core');

	return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'],
	    timeout: 30_000 });
}

// tend run -c config, its output in ctx.logPath; ctx.tendExit is set when it exits.
export function startTend(ctx, tendBin, config) {
	ctx.logPath = path.join(ctx.dir, 'tend.log');
	const logFd = fs.openSync(ctx.logPath, 'w');
	ctx.tend = spawn(tendBin, ['run', '-c', config], { stdio: ['ignore', logFd, logFd] });
	fs.closeSync(logFd);
	ctx.tendExit = null;
	ctx.tend.on('exit', (code, signal) => { ctx.tendExit = signal || code; });
	ctx.tend.on('error', (e) => { ctx.tendExit = e.message; });
	return () => {
		if (ctx.tendExit !== null)
			throw new Fatal(`tend exited (${ctx.tendExit})`);
	};
}

// Stops tend: TERM, then KILL after a deadline.
export async function stopTend(ctx) {
	if (!ctx.tend || ctx.tendExit !== null)
		return;
	ctx.tend.kill('SIGTERM');
	const end = Date.now() + 10_000;
	while (ctx.tendExit === null && Date.now() < end)
		await new Promise((r) => setTimeout(r, 50));
	if (ctx.tendExit === null) {
		log('# tend did not stop on SIGTERM within 10 s: SIGKILL');
		ctx.tend.kill('SIGKILL');
	}
}

// Runs run(ctx) within deadlineMs, then cleanup(ctx); exits 0 or 1.
export async function main(name, deadlineMs, run, cleanup) {
	const ctx = {};
	let code = 0;
	let timer;
	const deadline = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new StepError(
		    `the test did not finish within ${deadlineMs / 1000} s`)), deadlineMs);
	});

	try {
		await Promise.race([run(ctx), deadline]);
		log(`PASS: ${name}`);
	} catch (e) {
		code = 1;
		log(`FAIL: ${e instanceof StepError ? e.message : e.stack}`);
		const tendLog = ctx.logPath ? readIfExists(ctx.logPath) : null;
		if (tendLog)
			log(`--- tend log ---\n${tendLog.split('\n').slice(-40).join('\n')}`);
	} finally {
		clearTimeout(timer);
		await cleanup(ctx);
	}
	process.exit(code);
}
