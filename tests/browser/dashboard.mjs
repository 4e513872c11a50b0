#!/usr/bin/env node
// The dashboard in a real browser, against the real daemon: tend supervises
// fakesvc with an HTTP check; the page must show the service up with its
// pid, take the token (after a wrong one is refused), restart the service
// and show the new pid, live, without a reload. The Logs panel tails a
// service: a line it prints after the page opened shows, a JSON line by
// field, the filter hides what does not match, Pause holds new lines until
// Resume; an incident's "Logs around this incident" shows its window. The
// Jobs panel lists a run of tend job. A configured set never
// snapshotted shows in the Changes panel; a change POSTed to the API shows
// there, live; a snapshot's Diff shows it against the live files; and the
// snapshot set's Roll back button (after its confirm) starts a rollback. After a reload adds two disk
// checks, the Disk tile takes the state of the one of its own path, not of
// the failing one of another path. The Report panel, opened, shows the
// numbers GET /api/report answers, and its period selector asks again; the
// HTML `tend report` writes from the same state dir opens from a file with
// its title, tables and inline SVG, no console error and no request.
//
// Usage: dashboard.mjs TEND FAKESVC [SCREENSHOT]
//   (or TEND_BIN, FAKESVC_BIN, DASHBOARD_SCREENSHOT in the environment)
// Exits 77 (skipped) when /usr/bin/chromium or web/node_modules/playwright-core
// is missing; non-zero with the step that failed otherwise.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	StepError, checkPrerequisites, freePort, launchChromium, log, main, readIfExists, startTend,
	step, stopTend, until,
} from './browser.mjs';

const tendBin = process.argv[2] || process.env.TEND_BIN;
const fakesvcBin = process.argv[3] || process.env.FAKESVC_BIN;
const screenshotPath = process.argv[4] || process.env.DASHBOARD_SCREENSHOT ||
    path.join(os.tmpdir(), 'tend-dashboard.png');

// The whole test must end well inside ctest's 120 s.
const TEST_DEADLINE_MS = 100_000;

// A pid that is still our fakesvc (not a reused pid of something else).
function stillFakesvc(pid) {
	const cmdline = readIfExists(`/proc/${pid}/cmdline`);
	return cmdline !== null && cmdline.split('\0')[0] === fakesvcBin;
}

// The pids fakesvc recorded as started ("start web PID MONO_NS").
function recordedPids(record) {
	return (readIfExists(record) || '').split('\n')
	    .map((l) => l.split(' '))
	    .filter((f) => f[0] === 'start' && f[1] === 'web')
	    .map((f) => Number(f[2]));
}

function say(dir) {
	return path.join(dir, 'say');
}

// What the talker service prints next (written whole, then renamed into place).
function talk(dir, text) {
	fs.writeFileSync(`${say(dir)}.tmp`, text);
	fs.renameSync(`${say(dir)}.tmp`, say(dir));
}

// The Logs panel's lines: their text and whether shown.
function logLines(page) {
	return page.evaluate(() => [...document.querySelectorAll('#logs-lines li.log-line')]
	    .map((li) => ({ text: li.textContent, hidden: li.hidden, json: li.classList.contains('log-json'),
		level: li.querySelector('.log-level')?.textContent ?? '' })));
}

// diskChecks: also a disk check of / (healthy) and one of dir (critical).
function writeConfig(dir, port, diskChecks = false) {
	const q = JSON.stringify;
	const config = path.join(dir, 'tend.yaml');
	const disks = !diskChecks ? [] : [
		'checks:',
		'  root_disk: { type: resource, metric: disk, path: /, warn: 100%, crit: 100%, every: 1s }',
		`  other_disk: { type: resource, metric: disk, path: ${q(dir)}, warn: 0%, crit: 0%, every: 1s }`,
	];
	fs.writeFileSync(config, [
		`state_dir: ${q(path.join(dir, 'state'))}`,
		'web:',
		'  listen: 127.0.0.1:0',
		'services:',
		'  web:',
		`    run: [${q(fakesvcBin)}, --name, web, --record, ${q(path.join(dir, 'record'))},`,
		`          --http, --listen, '${port}']`,
		`    ready: { tcp: ${port} }`,
		'    checks:',
		`      health: { type: http, url: 'http://127.0.0.1:${port}/health', every: 1s, timeout: 2s }`,
		// Prints what the test puts in DIR/say, once.
		'  talker:',
		`    run: [/bin/sh, -c, 'while :; do if [ -e ${say(dir)} ]; then cat ${say(dir)}; ` +
		    `rm -f ${say(dir)}; fi; sleep 0.05; done']`,
		// Copies of a service, one running of at most two.
		'  pool:',
		"    run: [/bin/sh, -c, 'exec sleep 1000']",
		'    scale: { min: 1, max: 2 }',
		'snapshots:',
		'  app:',
		`    paths: [${q(path.join(dir, 'app'))}]`,
		'    lkg_after: 1s',
		'  quiet:',
		`    paths: [${q(path.join(dir, 'quiet'))}]`,
		'    watch: false',
		...disks,
		'',
	].join('\n'));
	return config;
}

// What the page does that it must not: script errors and CSP refusals.
function watchPage(page, problems) {
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('console', (m) => {
		if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
			problems.push(`CSP: ${m.text()}`);
	});
}

// The web row's state word and pid as the page shows them.
function rowState(page) {
	return page.evaluate(() => {
		const row = document.querySelector('tr[data-service="web"]');
		if (!row)
			return null;
		return {
			state: row.querySelector('.col-state .word')?.textContent ?? '',
			pid: (row.querySelector('.col-pid')?.textContent ?? '').trim(),
		};
	});
}

async function run(ctx) {
	ctx.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-browser-'));
	const state = path.join(ctx.dir, 'state');
	const record = path.join(ctx.dir, 'record');
	const port = await freePort();
	const config = writeConfig(ctx.dir, port);
	fs.mkdirSync(path.join(ctx.dir, 'app'));
	fs.mkdirSync(path.join(ctx.dir, 'quiet'));
	fs.writeFileSync(path.join(ctx.dir, 'app', 'site.conf'), 'good\n');

	const running = startTend(ctx, tendBin, config);

	const url = await step('tend writes the URL it serves to STATE_DIR/web.url', () =>
		until('web.url', 15_000, () => {
			running();
			const text = readIfExists(path.join(state, 'web.url'))?.trim();
			return text && /^http:\/\/[^/]+\/$/.test(text) ? text : null;
		}));
	log(`# dashboard at ${url}`);
	const token = await step('STATE_DIR/token exists', () =>
		until('token', 5_000, () => readIfExists(path.join(state, 'token'))?.trim()));

	ctx.browser = await step('chromium starts', () => launchChromium());
	const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
	const problems = [];
	watchPage(page, problems);

	await step('the dashboard loads', async () => {
		const resp = await page.goto(url, { timeout: 15_000 });
		if (!resp || resp.status() !== 200)
			throw new Error(`GET / answered ${resp?.status()}`);
		const csp = resp.headers()['content-security-policy'] || '';
		if (!csp.includes("script-src 'self'"))
			throw new Error(`no Content-Security-Policy with script-src 'self' (got '${csp}')`);
	});

	const first = await step('the web row shows state up and a pid', () =>
		until('web up with a pid', 20_000, async () => {
			running();
			const r = await rowState(page);
			if (!r)
				throw new Error('no row for web');
			if (r.state !== 'up' || !/^\d+$/.test(r.pid))
				throw new Error(`state '${r.state}', pid '${r.pid}'`);
			return r;
		}));

	await step('the pid shown is the one fakesvc started as', () =>
		until('recorded pid', 5_000, () => {
			const pids = recordedPids(record);
			if (pids.at(-1) !== Number(first.pid))
				throw new Error(`page shows ${first.pid}, fakesvc recorded ${pids.join(', ') || 'none'}`);
			return true;
		}));

	await step('the overall state reads healthy, live', () =>
		until('healthy and live', 15_000, async () => {
			const s = await page.evaluate(() => ({
				word: document.querySelector('#overall .word')?.textContent,
				conn: document.querySelector('#conn')?.textContent,
			}));
			if (s.word !== 'healthy' || s.conn !== 'live')
				throw new Error(`overall '${s.word}', connection '${s.conn}'`);
			return true;
		}));

	const restart = page.getByRole('button', { name: 'Restart web', exact: true });
	const dialog = page.locator('#token-dialog');
	const input = page.locator('#token-input');

	await step('Restart asks for the token; a wrong one is refused and asked again', async () => {
		await restart.click({ timeout: 5_000 });
		await dialog.waitFor({ state: 'visible', timeout: 5_000 });
		await input.fill('0'.repeat(64));
		await input.press('Enter');
		await page.locator('#token-why.warn').waitFor({ state: 'visible', timeout: 10_000 });
		if (!(await dialog.isVisible()))
			throw new Error('the form did not come back after a 401');
	});

	await step('the right token is taken and kept', async () => {
		await input.fill(token);
		await input.press('Enter');
		await dialog.waitFor({ state: 'hidden', timeout: 5_000 });
		const kept = await page.evaluate(() => localStorage.getItem('tend.token'));
		if (kept !== token)
			throw new Error('the token is not in localStorage');
	});

	await step('the restart is reported done', () =>
		page.locator('.notice-ok', { hasText: 'restart requested' })
		    .waitFor({ state: 'visible', timeout: 10_000 }));

	const second = await step('the pid shown changes, without a reload', () =>
		until('a new pid', 20_000, async () => {
			running();
			const r = await rowState(page);
			if (!r || r.state !== 'up' || !/^\d+$/.test(r.pid) || r.pid === first.pid)
				throw new Error(`state '${r?.state}', pid '${r?.pid}' (was ${first.pid})`);
			return r;
		}));

	await step('the new pid is the restarted fakesvc', () =>
		until('recorded pid', 5_000, () => {
			const pids = recordedPids(record);
			if (pids.at(-1) !== Number(second.pid))
				throw new Error(`page shows ${second.pid}, fakesvc recorded ${pids.join(', ')}`);
			return true;
		}));

	await step('the restart shows in the live events', () =>
		page.locator('#events li.event-state', { hasText: 'web' })
		    .first().waitFor({ state: 'visible', timeout: 10_000 }));

	await step('a configured set never snapshotted shows, with what it does and no roll back', async () => {
		await until('the quiet set in the panel', 10_000, async () => {
			running();
			const set = await page.evaluate(() => ({
				summary: document.querySelector('.snapshot-set[data-set="quiet"] .set-summary')?.textContent ?? '',
				empty: document.querySelector('.snapshot-set[data-set="quiet"] .empty-note')?.textContent ?? '',
				disabled: document.querySelector('.snapshot-set[data-set="quiet"] button')?.disabled,
			}));
			if (!set.summary.includes('1 path') || !set.summary.includes('not watched') ||
			    !set.empty.includes('No snapshots yet') || set.disabled !== true)
				throw new Error(`quiet set: ${JSON.stringify(set)}`);
			return true;
		});
	});

	await step('a change POSTed to the API shows in the Changes panel, live', async () => {
		const resp = await fetch(`${url}api/changes`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ set: 'app', label: 'deploy 1.4.2' }),
		});
		if (resp.status !== 200)
			throw new Error(`POST /api/changes answered ${resp.status}: ${await resp.text()}`);
		await until('the change in the panel', 10_000, async () => {
			running();
			const row = await page.evaluate(() => [...document.querySelectorAll('#changes-body tr')]
			    .map((tr) => tr.textContent).find((t) => t.includes('deploy 1.4.2')) ?? '');
			if (!row.includes('mark') || !row.includes('app'))
				throw new Error(`no row of the change (got '${row}')`);
			return true;
		});
	});

	await step('Diff shows the last known good against the live files', async () => {
		await until('an lkg snapshot of app', 20_000, async () => {
			running();
			const lkg = await page.evaluate(() =>
			    document.querySelector('.snapshot-set[data-set="app"] .snapshot.lkg')?.textContent ?? '');
			if (!lkg.includes('last known good'))
				throw new Error('no lkg snapshot yet');
			return true;
		});
		fs.writeFileSync(path.join(ctx.dir, 'app', 'site.conf'), 'edited by hand\n');
		await page.locator('.snapshot-set[data-set="app"] .snapshot.lkg button', { hasText: 'Diff' })
		    .first().click({ timeout: 5_000 });
		await until('the diff under the set', 10_000, async () => {
			running();
			const diff = await page.evaluate(() => ({
				text: document.querySelector('.snapshot-set[data-set="app"] .snapshot-diff')?.textContent ?? '',
				added: [...document.querySelectorAll('.snapshot-set[data-set="app"] .unified .add')]
				    .map((e) => e.textContent).join(''),
			}));
			if (!diff.text.includes('site.conf') || !diff.added.includes('+edited by hand') ||
			    !diff.text.includes('-good'))
				throw new Error(`diff: ${JSON.stringify(diff)}`);
			return true;
		});
	});

	await step('the set shows its last known good, and Roll back starts a rollback after a confirm', async () => {
		const rollback = page.getByRole('button', { name: 'Roll back app', exact: true });
		await until('an lkg snapshot of app', 20_000, async () => {
			running();
			const set = await page.evaluate(() => ({
				lkg: document.querySelector('.snapshot-set[data-set="app"] .snapshot.lkg')?.textContent ?? '',
				enabled: !document.querySelector('.snapshot-set[data-set="app"] button')?.disabled,
			}));
			if (!set.lkg.includes('last known good') || !set.enabled)
				throw new Error(`lkg '${set.lkg}', button enabled ${set.enabled}`);
			return true;
		});
		let asked = '';
		page.once('dialog', (d) => {
			asked = d.message();
			d.accept();
		});
		await rollback.click({ timeout: 5_000 });
		await page.locator('.notice-ok', { hasText: 'rollback to the last known good started' })
		    .waitFor({ state: 'visible', timeout: 10_000 });
		if (!asked.includes('Roll app back'))
			throw new Error(`no confirm before the rollback (got '${asked}')`);
		// Its end comes live: the rollback event in the feed.
		await until('the rollback in the live events', 10_000, async () => {
			running();
			const feed = await page.evaluate(() => document.getElementById('events')?.textContent ?? '');
			if (!feed.includes('rolled back'))
				throw new Error('no rollback event in the feed');
			return true;
		});
	});

	await step('after a reload with two disk checks, the Disk tile takes the one of its own path', async () => {
		writeConfig(ctx.dir, port, true);
		ctx.tend.kill('SIGHUP');
		await until('the other disk check critical', 20_000, async () => {
			running();
			const row = await page.evaluate(() =>
				document.querySelector('tr[data-check="other_disk"]')?.textContent ?? '');
			if (!row.includes('critical'))
				throw new Error(`other_disk row '${row}'`);
			return true;
		});
		await until('the Disk tile healthy from root_disk', 10_000, async () => {
			const tile = await page.evaluate(() => {
				const el = document.querySelector('.tile[data-metric="disk_pct"]');
				return {
					state: el?.querySelector('.tile-state')?.textContent ?? '',
					sub: el?.querySelector('.tile-sub')?.textContent ?? '',
				};
			});
			if (tile.sub !== 'check root_disk' || !tile.state.includes('healthy'))
				throw new Error(`the tile reads '${tile.state}', '${tile.sub}'`);
			return true;
		});
	});

	await step('the Report panel, opened, shows the numbers of GET /api/report', async () => {
		await page.locator('#report-toggle').click({ timeout: 5_000 });
		await until('the report in the panel', 15_000, async () => {
			running();
			const api = await (await fetch(`${url}api/report?since=7d&compare=1`)).json();
			const shown = await page.evaluate(() => ({
				opened: document.querySelector('#report [data-part="summary"] .report-stat .report-value')?.textContent,
				targets: [...document.querySelectorAll('#report [data-part="availability"] tbody th')]
				    .map((e) => e.textContent).sort(),
				pcts: [...document.querySelectorAll('#report [data-part="availability"] tbody tr')]
				    .map((tr) => tr.children[2]?.textContent),
				parts: [...document.querySelectorAll('#report [data-part]')].map((e) => e.dataset.part),
				note: document.getElementById('report-note')?.textContent ?? '',
			}));
			const names = api.availability.map((t) => t.name).sort();
			if (shown.opened !== String(api.summary.incidents_opened) ||
			    JSON.stringify(shown.targets) !== JSON.stringify(names) ||
			    !names.includes('web') || !names.includes('health') ||
			    !shown.pcts.every((x) => /^\d+\.\d\d%$/.test(x)) ||
			    !['summary', 'availability', 'categories', 'healing', 'chaos', 'recommendations']
				.every((x) => shown.parts.includes(x)) || !shown.note.includes('last 7d')) {
				// The store may have gained a target or incident since the page read
				// it (the disk checks just added): the period's button reads it again.
				if (shown.note)
					await page.locator('#report [data-period="7d"]').click({ timeout: 5_000 });
				throw new Error(`page ${JSON.stringify(shown)}, API opened ${api.summary.incidents_opened}, targets ${names}`);
			}
			return true;
		});
		await page.locator('#report [data-period="1d"]').click({ timeout: 5_000 });
		await until('the report of a day', 10_000, async () => {
			const s = await page.evaluate(() => ({
				pressed: document.querySelector('#report [data-period="1d"]')?.getAttribute('aria-pressed'),
				note: document.getElementById('report-note')?.textContent ?? '',
			}));
			if (s.pressed !== 'true' || !s.note.includes('last 1d'))
				throw new Error(JSON.stringify(s));
			return true;
		});
	});

	await step('the HTML report opens from a file: title, tables, inline SVG, nothing fetched', async () => {
		const file = path.join(ctx.dir, 'report.html');
		const r = spawnSync(tendBin, ['report', '--format', 'html', '--output', file,
		    '--state-dir', state], { encoding: 'utf8', timeout: 20_000 });
		if (r.status !== 0)
			throw new Error(`tend report exited ${r.status}: ${r.stderr}`);
		const rpage = await ctx.browser.newPage();
		const seen = [];
		rpage.on('request', (req) => {
			if (!req.url().startsWith('file://'))
				seen.push(`request ${req.url()}`);
		});
		rpage.on('console', (m) => {
			if (m.type() === 'error')
				seen.push(`console: ${m.text()}`);
		});
		rpage.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
		await rpage.goto(`file://${file}`, { timeout: 10_000 });
		const doc = await rpage.evaluate(() => ({
			title: document.title,
			h1: document.querySelector('h1')?.textContent ?? '',
			tables: document.querySelectorAll('table').length,
			svgs: document.querySelectorAll('svg rect').length,
			web: [...document.querySelectorAll('td, th')].some((c) => c.textContent === 'web'),
		}));
		await rpage.close();
		if (!doc.title.startsWith('tend report, ') || doc.h1 !== doc.title || doc.tables < 3 ||
		    doc.svgs < 1 || !doc.web || seen.length)
			throw new Error(`${JSON.stringify(doc)} ${seen.join('; ')}`);
	});

	await step('the log tail shows lines a service prints after the page opened, JSON by field', async () => {
		await page.locator('#logs-service').selectOption('talker', { timeout: 5_000 });
		talk(ctx.dir, 'hello from talker 1\n{"level":"error","msg":"disk full","path":"/var"}\n');
		await until('the lines in the Logs panel', 10_000, async () => {
			running();
			const lines = await logLines(page);
			const json = lines.find((l) => l.json);
			if (!lines.some((l) => l.text === 'hello from talker 1') || !json ||
			    json.level !== 'error' || !json.text.includes('disk full') || !json.text.includes('path=/var'))
				throw new Error(JSON.stringify(lines));
			return true;
		});
	});

	await step('the filter hides the lines it does not match', async () => {
		await page.locator('#logs-filter').fill('disk');
		await until('only the matching line shown', 5_000, async () => {
			const lines = await logLines(page);
			const hello = lines.find((l) => l.text === 'hello from talker 1');
			const json = lines.find((l) => l.json);
			if (!hello?.hidden || json?.hidden !== false)
				throw new Error(JSON.stringify(lines));
			return true;
		});
		await page.locator('#logs-filter').fill('');
	});

	await step('Pause stops updates; Resume shows what came meanwhile', async () => {
		await page.locator('#logs-pause').click({ timeout: 5_000 });
		talk(ctx.dir, 'said while paused\n');
		await until('the paused panel counting a new line', 10_000, async () => {
			running();
			const note = await page.evaluate(() => document.getElementById('logs-note')?.textContent ?? '');
			if (!note.includes('paused, 1 new'))
				throw new Error(`note '${note}'`);
			return true;
		});
		if ((await logLines(page)).some((l) => l.text === 'said while paused'))
			throw new Error('a line showed while paused');
		await page.locator('#logs-pause').click({ timeout: 5_000 });
		await until('the held line shown', 5_000, async () =>
			(await logLines(page)).some((l) => l.text === 'said while paused' && !l.hidden));
	});

	await step('the Jobs panel lists a run of tend job', async () => {
		const r = spawnSync(tendBin, ['job', 'nightly', '-c', config, '--', 'sh', '-c',
		    'echo saved 3 files'], { encoding: 'utf8', timeout: 20_000 });
		if (r.status !== 0)
			throw new Error(`tend job exited ${r.status}: ${r.stderr}`);
		await until('the run in the panel', 15_000, async () => {
			running();
			const row = await page.evaluate(() =>
			    document.querySelector('#jobs-body tr[data-job="nightly"]')?.textContent ?? '');
			if (!row.includes('exit 0') || !row.includes('saved 3 files'))
				throw new Error(`row '${row}'`);
			return true;
		});
	});

	await step('an incident links to the logs around it', async () => {
		// Healing asked for by hand opens an incident on the service.
		const resp = await fetch(`${url}api/services/talker/heal`, {
			method: 'POST', headers: { Authorization: `Bearer ${token}` },
		});
		if (resp.status !== 200)
			throw new Error(`POST heal answered ${resp.status}: ${await resp.text()}`);
		const link = page.locator('.incident[aria-label$=" on talker"] .incident-logs').first();
		await link.waitFor({ state: 'visible', timeout: 15_000 });
		await link.click({ timeout: 5_000 });
		await until('the incident window in the Logs panel', 10_000, async () => {
			const w = await page.evaluate(() => ({
				shown: !document.getElementById('logs-window')?.hidden,
				text: document.getElementById('logs-window-text')?.textContent ?? '',
				note: document.getElementById('logs-note')?.textContent ?? '',
			}));
			const lines = await logLines(page);
			if (!w.shown || !/^Incident #\d+: talker, /.test(w.text) ||
			    !lines.some((l) => l.text === 'said while paused'))
				throw new Error(JSON.stringify({ ...w, lines }));
			return true;
		});
		await page.locator('#logs-live').click({ timeout: 5_000 });
	});

	await step('copies show under their group; its + button runs one more', async () => {
		const group = page.locator('tr.group[data-group="pool"]');
		await group.waitFor({ state: 'visible', timeout: 10_000 });
		await until('the group row says 1 running', 10_000, async () => {
			const t = await group.textContent();
			if (!t.includes('1 running (min 1, max 2)'))
				throw new Error(`group row '${t}'`);
			return true;
		});
		const parked = await page.evaluate(() =>
		    document.querySelector('tr.copy[data-service="pool@1"] .col-state .word')?.textContent);
		if (parked !== 'parked')
			throw new Error(`pool@1 shows '${parked}', not parked`);
		await group.locator('button[aria-label="One copy more of pool"]').click({ timeout: 5_000 });
		await until('pool@1 up and the group at 2', 15_000, async () => {
			const r = await page.evaluate(() => ({
				group: document.querySelector('tr.group[data-group="pool"]')?.textContent ?? '',
				state: document.querySelector('tr[data-service="pool@1"] .col-state .word')
				    ?.textContent ?? '',
			}));
			if (!r.group.includes('2 running') || r.state !== 'up')
				throw new Error(JSON.stringify(r));
			return true;
		});
	});

	await step(`screenshot saved to ${screenshotPath}`, async () => {
		fs.mkdirSync(path.dirname(screenshotPath), { recursive: true });
		await page.screenshot({ path: screenshotPath, fullPage: true });
	});

	if (problems.length)
		throw new StepError(`the page reported problems:\n  ${problems.join('\n  ')}`);
}

// Stops tend (TERM, then KILL after a deadline), and any fakesvc left over.
async function cleanup(ctx) {
	await ctx.browser?.close().catch(() => {});
	await stopTend(ctx);
	if (ctx.dir) {
		for (const pid of recordedPids(path.join(ctx.dir, 'record')))
			if (pid > 0 && stillFakesvc(pid))
				process.kill(pid, 'SIGKILL');
		fs.rmSync(ctx.dir, { recursive: true, force: true });
	}
}

checkPrerequisites('dashboard.mjs TEND FAKESVC [SCREENSHOT]', [tendBin, fakesvcBin]);
main('dashboard', TEST_DEADLINE_MS, run, cleanup);
