// tend dashboard: the status, live through Server-Sent Events, with actions
// on services, incidents, alerts, metric history, logs and job runs. No build step: the
// browser loads these modules as they are (docs/api.md is the contract).
import { eventData, getJSON, initToken, notify, setStateDir } from './api.js';
import { loadChanges, onChangeEvent, setSnapshotSets } from './changes.js';
import { Chart, fetchSeries } from './charts.js';
import { initChecks, renderChecks } from './checks.js';
import { initFilter } from './filter.js';
import { initJobs, setJobHeartbeats } from './jobs.js';
import { initLogs, setLogServices } from './logs.js';
import { initReport } from './report.js';
import { setText } from './dom.js';
import { initServices, renderServices } from './services.js';
import {
	TILES, addEvent, clearEvents, incidentOpen, redrawSparks, renderAlerts, renderIncidents,
	renderMeta, renderOverall, renderTiles, tick,
} from './views.js';

const HOUR = 3600 * 1000;
const RANGE_MS = { '1h': HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR };
const LIVE_EVENTS = ['state', 'incident', 'action', 'anomaly', 'alert', 'change', 'snapshot',
	'rollback'];

const app = {
	status: null,
	receivedAt: 0,		// performance.now() when the status came
	ageAtReceipt: 0,	// how old it was then, in ms
	live: false,		// the event stream is open
	typedAt: 0,		// when loadTyped last ran (Date.now())
	incidents: new Map(),	// id -> incident
	alerts: [],
	sparks: new Map(),	// series -> [[t_ms, v]...] over the last hour
	range: '1h',
	series: [],		// names from GET /api/metrics
	charts: {},
	otherSeries: '',
	typed: [],		// resource and heartbeat checks, when the status lists only problems
};

// How long ago the status was generated. The daemon publishes a status only
// when something changes, so the one a new stream starts with may be old:
// its age when it came is read from the wall clocks (the same one, on the
// usual loopback address), and the time since then from the page's own
// monotonic clock.
function sinceStatus() {
	if (!app.status)
		return 0;
	return app.ageAtReceipt + Math.max(0, performance.now() - app.receivedAt);
}

// ---- The status ----

function onStatus(status) {
	if (!status || typeof status !== 'object')
		return;
	app.status = status;
	app.receivedAt = performance.now();
	app.ageAtReceipt = typeof status.generated_at === 'number'
	    ? Math.max(0, Date.now() - status.generated_at) : 0;
	setStateDir(status.tend?.state_dir);
	setSnapshotSets(status.snapshot_sets);
	if (status.checks_trimmed && !app.typedAt)
		loadTyped();
	setLogServices(withTyped(status));
	setJobHeartbeats(withTyped(status));
	appendSparks(status);
	render();
}

function render() {
	const s = app.status;
	renderOverall(s, app.live);
	if (!s)
		return;
	renderMeta(s, sinceStatus());
	renderTiles(withTyped(s), app.sparks);
	renderServices(s, sinceStatus());
	renderChecks(s, sinceStatus());
}

// Past the daemon's threshold the status lists only the checks that are not
// healthy; the host tiles and the jobs want their resource and heartbeat
// checks in any state: those are read now and then, and added.
const TYPED = ['resource', 'heartbeat'];

async function loadTyped() {
	app.typedAt = Date.now();
	if (!app.status?.checks_trimmed) {
		app.typed = [];
		return;
	}
	try {
		const pages = await Promise.all(TYPED.map((t) => getJSON(`/api/checks?type=${t}`)));
		app.typed = pages.flatMap((r) => r.checks || []);
	} catch {
		// The next status shows what it lists; the next read may do better.
	}
}

function withTyped(status) {
	if (!status.checks_trimmed || app.typed.length === 0)
		return status;
	const listed = new Set((status.checks || []).map((c) => c.name));
	return { ...status, checks: [...(status.checks || []), ...app.typed.filter((c) => !listed.has(c.name))] };
}

// The live host figures extend the sparklines between reads of the store.
function appendSparks(status) {
	const host = status.host;
	const t = status.generated_at;
	if (!host || typeof t !== 'number')
		return;
	for (const spec of TILES) {
		const v = host[spec.key];
		if (typeof v !== 'number')
			continue;
		const pts = app.sparks.get(spec.series) || [];
		if (pts.length && t - pts[pts.length - 1][0] < 5000)
			continue;
		pts.push([t, v]);
		while (pts.length && pts[0][0] < t - HOUR)
			pts.shift();
		app.sparks.set(spec.series, pts);
	}
}

async function loadSparks() {
	await Promise.all(TILES.map(async (spec) => {
		try {
			const pts = await fetchSeries(spec.series, '1h');
			const live = (app.sparks.get(spec.series) || [])
			    .filter((p) => !pts.length || p[0] > pts[pts.length - 1][0]);
			app.sparks.set(spec.series, pts.concat(live));
		} catch {
			// A series the store does not have yet: the live figures fill in.
		}
	}));
	redrawSparks(app.sparks);
}

async function pollStatus() {
	try {
		onStatus(await getJSON('/api/status'));
	} catch (e) {
		if (!app.status)
			renderOverall(null, false);
	}
}

// ---- The event stream ----

let stream = null;
let pollTimer = null;
let retryMs = 1000;

function setLive(live) {
	if (app.live !== live) {
		app.live = live;
		renderOverall(app.status, live);
		addEvent('stream', live ? 'connected: live updates' : 'disconnected: reconnecting');
	}
	// While the stream is down the status is polled, so the page stays close to the truth.
	if (live) {
		clearInterval(pollTimer);
		pollTimer = null;
	} else if (!pollTimer) {
		pollTimer = setInterval(pollStatus, 5000);
	}
}

function connect() {
	stream = new EventSource('/api/events');
	stream.addEventListener('open', () => {
		retryMs = 1000;
		setLive(true);
	});
	stream.addEventListener('status', (e) => {
		setLive(true);
		onStatus(eventData(e));
	});
	for (const kind of LIVE_EVENTS)
		stream.addEventListener(kind, (e) => onLiveEvent(kind, eventData(e)));
	stream.addEventListener('error', () => {
		setLive(false);
		// EventSource retries by itself unless the server refused the stream
		// (503: too many dashboards); then it is retried here, slower each time.
		if (stream.readyState === EventSource.CLOSED) {
			stream.close();
			setTimeout(connect, retryMs);
			retryMs = Math.min(retryMs * 2, 30000);
		}
	});
}

function onLiveEvent(kind, data) {
	if (data === null)
		return;
	addEvent(kind, data);
	if (kind === 'incident')
		mergeIncident(data);
	else if (kind === 'action')
		mergeAction(data);
	else if (kind === 'alert')
		mergeAlert(data);
	else if (kind === 'change' || kind === 'snapshot' || kind === 'rollback')
		onChangeEvent(kind, data);
}

// ---- Incidents ----

// The stream sends incidents without their attempts (and the daemon's live
// form names them `actions`); what is known of the attempts is kept.
function normalIncident(inc, prev) {
	const n = { ...prev, ...inc };
	if (!Array.isArray(inc.attempts)) {
		if (typeof inc.attempts === 'number')
			n.attempt_count = inc.attempts;
		n.attempts = Array.isArray(inc.actions)
		    ? inc.actions.map((a) => ({ action: a.action, outcome: a.outcome, detail: a.detail, ended_at: a.at }))
		    : prev?.attempts || [];
	}
	if (n.acknowledged === undefined && n.acked !== undefined)
		n.acknowledged = !!n.acked;
	return n;
}

function mergeIncident(inc) {
	if (inc?.id == null)
		return;
	app.incidents.set(inc.id, normalIncident(inc, app.incidents.get(inc.id)));
	renderIncidents(app.incidents);
	scheduleIncidents();
}

function mergeAction(a) {
	const inc = app.incidents.get(a.incident);
	if (inc) {
		inc.attempts = [...(inc.attempts || []),
			{ action: a.action, outcome: a.outcome, detail: a.detail, ended_at: a.at }];
		renderIncidents(app.incidents);
	}
	scheduleIncidents();
}

async function loadIncidents() {
	try {
		const r = await getJSON('/api/incidents?since=7d&limit=100');
		const next = new Map();
		for (const inc of r.incidents || [])
			next.set(inc.id, normalIncident(inc));
		// Open incidents older than the window stay in view until they close.
		for (const [id, inc] of app.incidents)
			if (!next.has(id) && incidentOpen(inc))
				next.set(id, inc);
		app.incidents = next;
		renderIncidents(app.incidents);
	} catch (e) {
		setText(document.getElementById('incidents-count'), `cannot read incidents: ${e.message}`);
	}
}

// Events come in bursts: one read of the full records a second later.
let incidentsTimer = null;
function scheduleIncidents() {
	clearTimeout(incidentsTimer);
	incidentsTimer = setTimeout(loadIncidents, 1000);
}

// ---- Alerts ----

function mergeAlert(alert) {
	if (alert.id != null)
		app.alerts = app.alerts.filter((a) => a.id !== alert.id);
	app.alerts.unshift(alert);
	app.alerts.length = Math.min(app.alerts.length, 50);
	renderAlerts(app.alerts);
}

async function loadAlerts() {
	try {
		const r = await getJSON('/api/alerts?limit=50');
		app.alerts = Array.isArray(r.alerts) ? r.alerts : [];
		renderAlerts(app.alerts);
	} catch (e) {
		setText(document.getElementById('alerts-count'), `cannot read alerts: ${e.message}`);
	}
}

// ---- Charts ----

const GROUPS = [
	{ id: 'host', match: (s) => /^host\..*_pct$/.test(s), unit: '%', range: [0, 100] },
	{ id: 'load', match: (s) => /^host\.load/.test(s), unit: '' },
	{ id: 'latency', match: (s) => /^check\..*\.latency_ms$/.test(s), unit: ' ms' },
];

function initCharts() {
	for (const g of GROUPS)
		app.charts[g.id] = new Chart(document.getElementById(`chart-${g.id}`), { unit: g.unit, range: g.range });
	app.charts.other = new Chart(document.getElementById('chart-other'));
	for (const b of document.querySelectorAll('[data-range]'))
		b.addEventListener('click', () => setRange(b.dataset.range));
	const pick = document.getElementById('series-pick');
	pick.addEventListener('change', () => {
		app.otherSeries = pick.value;
		loadOther();
	});
}

function setRange(range) {
	app.range = range;
	for (const b of document.querySelectorAll('[data-range]'))
		b.setAttribute('aria-pressed', String(b.dataset.range === range));
	loadCharts();
}

function fillSeriesPicker() {
	const pick = document.getElementById('series-pick');
	const names = app.series;
	if (!names.includes(app.otherSeries))
		app.otherSeries = names.find((s) => !GROUPS.some((g) => g.match(s))) || names[0] || '';
	const current = [...pick.options].map((o) => o.value).join('\n');
	if (current !== names.join('\n')) {
		pick.replaceChildren(...names.map((n) => new Option(n, n)));
	}
	pick.value = app.otherSeries;
	pick.disabled = names.length === 0;
}

async function showGroup(chart, names) {
	if (names.length === 0) {
		chart.note('No series recorded yet.');
		return;
	}
	try {
		const lists = await Promise.all(names.map((n) => fetchSeries(n, app.range)));
		chart.show(names, lists, RANGE_MS[app.range]);
	} catch (e) {
		chart.note(`Cannot read the history: ${e.message}`);
	}
}

function loadOther() {
	return showGroup(app.charts.other, app.otherSeries ? [app.otherSeries] : []);
}

async function loadCharts() {
	try {
		const r = await getJSON('/api/metrics');
		app.series = Array.isArray(r.series) ? [...r.series].sort() : [];
	} catch (e) {
		for (const c of Object.values(app.charts))
			c.note(`Cannot list the series: ${e.message}`);
		return;
	}
	fillSeriesPicker();
	await Promise.all([
		...GROUPS.map((g) => showGroup(app.charts[g.id], app.series.filter(g.match))),
		loadOther(),
	]);
}

// The longer the range, the less often a new point shows.
function chartRefreshMs() {
	return app.range === '1h' ? 30000 : app.range === '24h' ? 120000 : 600000;
}

function scheduleCharts() {
	setTimeout(async () => {
		if (!document.hidden)
			await loadCharts();
		scheduleCharts();
	}, chartRefreshMs());
}

// ---- Start ----

function start() {
	initToken();
	initCharts();
	initReport();
	initLogs();
	initJobs();
	initFilter(render);
	initServices(render);
	initChecks(render);
	document.getElementById('events-clear').addEventListener('click', clearEvents);
	document.addEventListener('tend:action-done', render);
	renderOverall(null, false);
	connect();
	pollStatus();
	loadSparks();
	loadIncidents();
	loadAlerts();
	loadChanges();
	loadCharts();
	scheduleCharts();
	setInterval(() => tick(app.status, sinceStatus()), 1000);
	setInterval(loadSparks, 5 * 60000);
	setInterval(loadIncidents, 60000);
	setInterval(loadTyped, 15000);
	// A rollback marks its change without an event: read again now and then.
	setInterval(loadChanges, 30000);
	// A resized window redraws the sparklines at the new width.
	new ResizeObserver(() => redrawSparks(app.sparks)).observe(document.getElementById('tiles'));
	window.addEventListener('unhandledrejection', (e) => {
		notify('error', 'Dashboard error:', String(e.reason?.message || e.reason));
	});
}

start();
