#!/usr/bin/env node
// The dashboard of a config past the status's thresholds, in a real
// browser: 40 services of 6 file checks each (240 checks), one failing.
// The services fold in two groups, the one needing attention open with
// the failing service and the healthy one closed (and opened on a click);
// the Checks panel lists the failing check and says how many healthy ones
// it does not list; the filter finds services and checks by name (the
// checks read from GET /api/checks), by state, and pages through more than
// a hundred; a service's row opens to its checks, read when opened.
//
// Usage: scale.mjs TEND [SCREENSHOT]
// Exits 77 (skipped) when /usr/bin/chromium or web/node_modules/playwright-core
// is missing; non-zero with the step that failed otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	StepError, checkPrerequisites, launchChromium, log, main, readIfExists, startTend, step,
	stopTend, until,
} from './browser.mjs';

const tendBin = process.argv[2] || process.env.TEND_BIN;
const screenshotPath = process.argv[3] || path.join(os.tmpdir(), 'tend-dashboard-scale.png');
const SERVICES = 40;
const CHECKS = 6;
const TEST_DEADLINE_MS = 100_000;

function writeConfig(dir) {
	const q = JSON.stringify;
	const lines = [`state_dir: ${q(path.join(dir, 'state'))}`, 'web: { listen: 127.0.0.1:0 }',
		'services:'];
	for (let i = 0; i < SERVICES; i++) {
		lines.push(`  s${i}:`, "    run: [sleep, '1000']", '    checks:');
		for (let k = 0; k < CHECKS; k++) {
			const file = i === 3 && k === 1 ? 'gone' : 'ok';
			lines.push(`      c${i}_${k}: { type: file, path: ${q(path.join(dir, file))}, every: 5s }`);
		}
	}
	const config = path.join(dir, 'tend.yaml');
	fs.writeFileSync(config, `${lines.join('\n')}\n`);
	fs.writeFileSync(path.join(dir, 'ok'), 'here\n');
	return config;
}

// What the Services and Checks panels show now.
function panels(page) {
	return page.evaluate(() => ({
		folds: [...document.querySelectorAll('#services-body tr.fold')].map((r) => ({
			key: r.dataset.fold,
			text: r.textContent.trim(),
			open: r.querySelector('button')?.getAttribute('aria-expanded') === 'true',
		})),
		services: [...document.querySelectorAll('#services-body tr[data-service]')]
		    .map((r) => r.dataset.service),
		checks: [...document.querySelectorAll('#checks-body tr[data-check]')].map((r) => r.dataset.check),
		count: document.getElementById('checks-count').textContent,
		next: !document.getElementById('checks-next').hidden,
	}));
}

async function filterBy(page, text, state) {
	await page.fill('#filter', text);
	await page.selectOption('#filter-state', state);
}

async function run(ctx) {
	ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-browser-scale-'));
	const running = startTend(ctx, tendBin, writeConfig(ctx.dir));
	const url = await step('tend writes the URL it serves', () =>
		until('web.url', 15_000, () => {
			running();
			const text = readIfExists(path.join(ctx.dir, 'state', 'web.url'))?.trim();
			return text && /^http:\/\/[^/]+\/$/.test(text) ? text : null;
		}));
	ctx.browser = await step('chromium starts', () => launchChromium());
	const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
	const problems = [];
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() === 'error')
			problems.push(`console: ${m.text()}`);
	});
	await step('the dashboard loads', () => page.goto(url, { timeout: 15_000 }));

	await step('the failing service is open under "Needing attention", the healthy ones folded', () =>
		until('folds', 20_000, async () => {
			running();
			const p = await panels(page);
			const [attention, healthy] = p.folds;
			if (attention?.key !== 'attention' || !attention.open || !/Needing attention: 1\b/.test(attention.text))
				throw new Error(`attention fold: ${JSON.stringify(attention)}`);
			if (healthy?.key !== 'healthy' || healthy.open || !/Healthy and up: 39\b/.test(healthy.text))
				throw new Error(`healthy fold: ${JSON.stringify(healthy)}`);
			if (p.services.join(' ') !== 's3')
				throw new Error(`services shown: ${p.services.join(' ')}`);
			return true;
		}));

	await step('the Checks panel lists the failing check and counts the others', () =>
		until('checks', 10_000, async () => {
			const p = await panels(page);
			if (p.checks.join(' ') !== 'c3_1' || !/1 of 240 failing · 239 healthy not listed/.test(p.count))
				throw new Error(`checks ${p.checks.join(' ')}, '${p.count}'`);
			return true;
		}));

	await step('the healthy fold opens on a click', async () => {
		await page.getByRole('button', { name: 'Show the services healthy and up' }).click();
		await until('healthy rows', 5_000, async () => {
			const p = await panels(page);
			if (p.services.length !== SERVICES || !p.services.includes('s17'))
				throw new Error(`${p.services.length} services shown`);
			return true;
		});
	});

	await step('the filter finds a service and, among every check, its checks', async () => {
		await filterBy(page, 's17', 'all');
		await until('s17', 5_000, async () => {
			const p = await panels(page);
			const want = Array.from({ length: CHECKS }, (_, k) => `c17_${k}`).join(' ');
			if (p.services.join(' ') !== 's17' || p.checks.join(' ') !== want ||
			    !/1–6 of 6 matching/.test(p.count))
				throw new Error(`services ${p.services.join(' ')}, checks ${p.checks.join(' ')}, '${p.count}'`);
			return true;
		});
	});

	await step('a service opens to its checks, read when opened', async () => {
		await page.getByRole('button', { name: 'Checks of s17' }).click();
		await until('s17 checks', 5_000, async () => {
			const shown = await page.evaluate(() => [...document.querySelectorAll(
			    'tr.svc-checks[data-checks-of="s17"] tr[data-check]')].map((r) => r.dataset.check));
			if (shown.length !== CHECKS || shown[0] !== 'c17_0')
				throw new Error(`shown: ${shown.join(' ')}`);
			return true;
		});
	});

	await step('a state alone finds the failing check among every check', async () => {
		await filterBy(page, '', 'critical');
		await until('critical', 5_000, async () => {
			const p = await panels(page);
			if (p.checks.join(' ') !== 'c3_1' || p.services.join(' ') !== 's3')
				throw new Error(`checks ${p.checks.join(' ')}, services ${p.services.join(' ')}`);
			return true;
		});
	});

	await step('more than a page of matches pages on', async () => {
		await filterBy(page, '', 'healthy');
		await until('first page', 5_000, async () => {
			const p = await panels(page);
			if (p.checks.length !== 100 || !/1–100 of 239 matching/.test(p.count) || !p.next)
				throw new Error(`${p.checks.length} checks, '${p.count}'`);
			return true;
		});
		await page.click('#checks-next');
		await until('second page', 5_000, async () => {
			const p = await panels(page);
			if (p.checks.length !== 100 || !/101–200 of 239 matching/.test(p.count))
				throw new Error(`${p.checks.length} checks, '${p.count}'`);
			return true;
		});
	});

	await step(`screenshot saved to ${screenshotPath}`, () =>
		page.screenshot({ path: screenshotPath, fullPage: false }));
	if (problems.length)
		throw new StepError(`the page reported problems:\n  ${problems.join('\n  ')}`);
	log('# all steps passed');
}

async function cleanup(ctx) {
	await ctx.browser?.close().catch(() => {});
	await stopTend(ctx);
	if (ctx.dir)
		fs.rmSync(ctx.dir, { recursive: true, force: true });
}

checkPrerequisites('scale.mjs TEND [SCREENSHOT]', [tendBin]);
main('dashboard at scale', TEST_DEADLINE_MS, run, cleanup);
