// History: sparklines on the host tiles (a canvas each) and uPlot charts of
// metric series, read from /api/metrics/SERIES?since=RANGE.
import { getJSON } from './api.js';
import { h } from './dom.js';

const PALETTE = ['#1f6feb', '#d9480f', '#2b8a3e', '#9c36b5', '#c92a2a', '#0b7285',
	'#e67700', '#5c7cfa', '#862e9c', '#495057'];

export function seriesColor(i) {
	return PALETTE[i % PALETTE.length];
}

// [[t_ms, value], ...] of one series, oldest first.
export async function fetchSeries(series, since) {
	const r = await getJSON(`/api/metrics/${encodeURIComponent(series)}?since=${encodeURIComponent(since)}`);
	return Array.isArray(r.points) ? r.points.filter((p) => Array.isArray(p) && p.length >= 2) : [];
}

// ---- Sparklines ----

// Draws points on a canvas sized to its box. lo/hi: a fixed range, or null
// to fit the data (with minSpan so that noise does not fill the height).
export function drawSpark(canvas, points, { lo = null, hi = null, minSpan = 1, color = PALETTE[0] } = {}) {
	const dpr = window.devicePixelRatio || 1;
	const w = canvas.clientWidth;
	const ht = canvas.clientHeight;
	if (w === 0 || ht === 0)
		return;
	if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(ht * dpr)) {
		canvas.width = Math.round(w * dpr);
		canvas.height = Math.round(ht * dpr);
	}
	const ctx = canvas.getContext('2d');
	ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
	ctx.clearRect(0, 0, w, ht);
	const pts = points.filter((p) => typeof p[1] === 'number' && Number.isFinite(p[1]));
	if (pts.length < 2) {
		ctx.fillStyle = '#8a94a3';
		ctx.font = '11px system-ui, sans-serif';
		ctx.fillText(pts.length ? 'collecting…' : 'no history yet', 2, ht - 6);
		return;
	}
	let min = lo ?? Math.min(...pts.map((p) => p[1]));
	let max = hi ?? Math.max(...pts.map((p) => p[1]));
	if (max - min < minSpan) {
		const mid = (max + min) / 2;
		min = Math.max(lo ?? -Infinity, mid - minSpan / 2);
		max = min + minSpan;
	}
	const t0 = pts[0][0];
	const t1 = pts[pts.length - 1][0];
	const x = (t) => (t1 === t0 ? w : ((t - t0) / (t1 - t0)) * (w - 2) + 1);
	const y = (v) => ht - 2 - ((v - min) / (max - min)) * (ht - 4);

	ctx.beginPath();
	pts.forEach((p, i) => (i ? ctx.lineTo(x(p[0]), y(p[1])) : ctx.moveTo(x(p[0]), y(p[1]))));
	ctx.strokeStyle = color;
	ctx.lineWidth = 1.5;
	ctx.lineJoin = 'round';
	ctx.stroke();
	ctx.lineTo(x(t1), ht);
	ctx.lineTo(x(t0), ht);
	ctx.closePath();
	ctx.globalAlpha = 0.12;
	ctx.fillStyle = color;
	ctx.fill();
	ctx.globalAlpha = 1;
}

// ---- uPlot charts ----

// One x axis for several series read separately: the union of their
// timestamps, each series null where it has no point (spanGaps draws across).
export function alignSeries(list) {
	const times = new Set();
	for (const pts of list)
		for (const p of pts)
			times.add(p[0]);
	const xs = [...times].sort((a, b) => a - b);
	const index = new Map(xs.map((t, i) => [t, i]));
	const data = [xs.map((t) => t / 1000)];
	for (const pts of list) {
		const col = new Array(xs.length).fill(null);
		for (const p of pts)
			col[index.get(p[0])] = typeof p[1] === 'number' ? p[1] : null;
		data.push(col);
	}
	return data;
}

// A chart in a box: created on first data, replaced when its series change,
// sized to the box.
export class Chart {
	constructor(box, { unit = '', range = null, height = 220 } = {}) {
		this.box = box;
		this.unit = unit;
		this.range = range;
		this.height = height;
		this.plot = null;
		this.names = '';
		new ResizeObserver(() => this.resize()).observe(box);
	}

	note(text) {
		this.destroy();
		this.box.replaceChildren(h('p', { class: 'chart-note' }, text));
	}

	destroy() {
		this.plot?.destroy();
		this.plot = null;
		this.names = '';
	}

	width() {
		return Math.max(200, this.box.clientWidth);
	}

	resize() {
		if (this.plot && Math.abs(this.plot.width - this.width()) > 1)
			this.plot.setSize({ width: this.width(), height: this.height });
	}

	// labels: series names; lists: [[t_ms, v]...] for each; windowMs: the
	// range shown, up to now, however few points there are in it.
	show(labels, lists, windowMs) {
		if (typeof window.uPlot !== 'function') {
			// A build without web/node_modules embeds no uPlot (cmake warned).
			this.note('Charts need uPlot, which did not load: was tend built without it? ' +
				'(make deps, then rebuild)');
			return;
		}
		if (labels.length === 0 || lists.every((l) => l.length === 0)) {
			this.note('No data in this range yet.');
			return;
		}
		const data = alignSeries(lists);
		const names = labels.join('\n');
		const now = Date.now() / 1000;
		this.window = [now - windowMs / 1000, now];
		if (this.plot && this.names === names) {
			this.plot.setData(data);
			return;
		}
		this.destroy();
		this.box.replaceChildren();
		const unit = this.unit;
		const chart = this;
		this.plot = new window.uPlot({
			width: this.width(),
			height: this.height,
			scales: {
				// The whole range asked for: a series that began five
				// minutes ago shows as five minutes of an hour. A drag
				// zooms in; a double click comes back here.
				// (From the data itself: for a single point uPlot
				// proposes a range of a thousand days.)
				x: { time: true, range: (u) => {
					const xs = u.data?.[0] || [];
					return [Math.min(xs[0] ?? Infinity, chart.window[0]),
						Math.max(xs[xs.length - 1] ?? -Infinity, chart.window[1])];
				} },
				y: this.range ? { range: this.range } : { auto: true },
			},
			series: [
				{ label: 'time' },
				...labels.map((label, i) => ({
					label,
					stroke: seriesColor(i),
					width: 1.5,
					spanGaps: true,
					value: (u, v) => (v == null ? '–' : `${tickText(v)}${unit}`),
				})),
			],
			axes: [
				{ stroke: '#5b6676', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#d8dee6' } },
				{ stroke: '#5b6676', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#d8dee6' },
				  values: (u, vals) => vals.map((v) => `${tickText(v)}${unit}`),
				  size: (u, values) => (values ? 22 + 7.5 * Math.max(3, ...values.map((v) => v.length)) : 40) },
			],
			legend: { live: true },
			cursor: { drag: { x: true, y: false } },
		}, data, this.box);
		this.names = names;
	}
}

// 0.00036, 0.25, 12.5, 1200: four significant digits at most, no trailing zeros.
function tickText(v) {
	return String(Number(v.toPrecision(4)));
}
