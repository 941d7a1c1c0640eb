// page.js - the interactive page of `mprof plot -o x.html` (embedded by web/embed.cmake).
//
// Reads the profile from #profile-data (written by src/mprof/view/html.c), decodes the sample
// series (base64 of zigzag varint deltas: microseconds, KiB), and draws with uPlot: memory
// curves decimated to the chart's pixel columns for the visible range (each column's first,
// lowest, highest and last sample, so every extreme stays), again at every zoom. On top, in
// uPlot's draw hook: true-peak bands, brackets at their memory, marks, the peak. Under the chart,
// the GC lane on a canvas of its own, sharing the time axis. Zoom: drag, or the wheel; pan:
// shift-drag; reset: double click or the button. Hover: the readout says the memory at that
// time, the bracket, collection and mark there.
//
// For tests and benchmarks, #status carries data-samples (decoded), data-points (given to
// uPlot now), data-gc-labels (the GC lane's labels drawn), data-ready and data-first-paint-ms.
(function () {
	'use strict';
	const D = JSON.parse(document.getElementById('profile-data').textContent);
	const root = document.getElementById('mprof');
	const t0 = performance.now();

	// --- decoding ------------------------------------------------------------------------
	// `order` 1: each varint is the step from the previous value (memory); 2: the change of
	// that step (times, at a steady interval mostly 0).
	function varints(b64, n, scale, order) {
		const bin = atob(b64), len = bin.length, out = new Float64Array(n);
		let v = 0, d = 0, k = 0;
		for (let i = 0; i < len && k < n;) {
			let z = 0, mul = 1, byte;
			do {
				byte = bin.charCodeAt(i++);
				z += (byte & 0x7f) * mul;
				mul *= 128;
			} while (byte & 0x80);
			const x = z % 2 ? -(z + 1) / 2 : z / 2; // zigzag
			if (order === 2) d += x; else d = x;
			v += d;
			out[k++] = v * scale;
		}
		return out;
	}
	const times = (b64, n) => varints(b64, n, 1e-6, 2), mems = (b64, n) => varints(b64, n, 1 / 1024, 1);
	// First the overview (each series decimated to 2048 columns), drawn at once; the whole
	// series come at the end of the page (mprofLoadFull).
	function series(s, name, color, width) {
		return { name, color, width, n: s.n, t: times(s.ov.t, s.ov.n), m: mems(s.ov.m, s.ov.n) };
	}
	const curves = [];
	for (const f of D.files) {
		curves.push(series(f, f.name, f.color, 1.8));
		for (const c of f.children) curves.push(series(c, 'child ' + c.pid, c.color, 1.3));
	}
	const main = curves[0];
	const tDecoded = performance.now();
	let samples = 0;
	for (const c of curves) samples += c.n;

	// --- helpers -------------------------------------------------------------------------
	function lower(a, x) { // first index with a[i] >= x
		let lo = 0, hi = a.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (a[mid] < x) lo = mid + 1; else hi = mid;
		}
		return lo;
	}
	function memAt(c, t) { // the sampled curve at t, between its samples
		const j = lower(c.t, t);
		if (j === 0) return c.m[0];
		if (j >= c.t.length) return c.m[c.t.length - 1];
		const ta = c.t[j - 1], tb = c.t[j];
		return tb > ta ? c.m[j - 1] + (c.m[j] - c.m[j - 1]) * (t - ta) / (tb - ta) : c.m[j];
	}
	const fmt = (v, d) => v.toFixed(d);
	function el(tag, attrs, text) {
		const e = document.createElement(tag);
		for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
		if (text !== undefined) e.textContent = text;
		return e;
	}

	// Each column's first, lowest, highest and last point of [lo, hi], plus one point
	// outside each end so the line reaches the edges.
	function decimate(c, lo, hi, cols) {
		const i0 = Math.max(0, lower(c.t, lo) - 1), i1 = Math.min(c.t.length, lower(c.t, hi) + 1);
		const xs = [], ys = [];
		if (i1 - i0 <= 4 * cols) {
			for (let i = i0; i < i1; i++) { xs.push(c.t[i]); ys.push(c.m[i]); }
			return [xs, ys];
		}
		const scale = cols / (hi - lo);
		let col = -Infinity, first = i0, mn = i0, mx = i0, last = i0;
		const flush = () => {
			const idx = [first, Math.min(mn, mx), Math.max(mn, mx), last];
			for (let k = 0; k < 4; k++)
				if (k === 0 || idx[k] !== idx[k - 1]) { xs.push(c.t[idx[k]]); ys.push(c.m[idx[k]]); }
		};
		for (let i = i0; i < i1; i++) {
			const cc = Math.floor((c.t[i] - lo) * scale);
			if (cc !== col) {
				if (col !== -Infinity) flush();
				col = cc; first = mn = mx = last = i;
				continue;
			}
			if (c.m[i] < c.m[mn]) mn = i;
			if (c.m[i] > c.m[mx]) mx = i;
			last = i;
		}
		flush();
		return [xs, ys];
	}

	// --- the page ------------------------------------------------------------------------
	if (D.title) root.appendChild(el('h1', { id: 'title' }, D.title));
	const bar = el('div', { id: 'toolbar' });
	const reset = el('button', { id: 'reset', type: 'button' }, 'reset zoom');
	bar.appendChild(reset);
	bar.appendChild(el('span', { class: 'hint' },
		'drag or wheel to zoom, shift-drag to pan, double click to reset; hover for values'));
	root.appendChild(bar);
	const wrap = el('div', { id: 'chart-wrap' });
	const chartDiv = el('div', { id: 'chart' });
	wrap.appendChild(chartDiv);
	const lane = el('canvas', { id: 'gclane' });
	if (D.gcs.length) wrap.appendChild(lane);
	root.appendChild(wrap);
	const readout = el('div', { id: 'readout' }, '\u00a0');
	root.appendChild(readout);
	const legend = el('ul', { id: 'legend' });
	for (const k of D.legend) {
		const li = el('li');
		const sw = el('span', { class: 'swatch ' + k.kind + (k.gc >= 0 ? ' gen' + k.gc : '') });
		if (k.kind === 'band' && k.colors.length > 1)
			sw.style.background = 'linear-gradient(90deg,' + k.colors.map((c, i) =>
				`${c} ${100 * i / k.colors.length}% ${100 * (i + 1) / k.colors.length}%`).join(',') + ')';
		else if (k.kind !== 'text') sw.style.background = k.colors[0];
		if (k.kind === 'band') sw.style.opacity = 0.45;
		li.appendChild(sw);
		li.appendChild(el('span', {}, k.text));
		legend.appendChild(li);
	}
	root.appendChild(legend);
	const status = el('div', { id: 'status', 'data-samples': samples, 'data-points': 0, 'data-ready': 0 });
	root.appendChild(status);

	// --- the chart -----------------------------------------------------------------------
	const tmin0 = D.tmin, tmax0 = D.tmax;
	let yRange = [D.mmin, D.mmax];
	function width() { return Math.max(300, Math.min(root.clientWidth || 1000, 1600)); }
	function columns(u) { return Math.max(50, Math.round((u ? u.bbox.width : width() * devicePixelRatio))); }

	// The memory range of what is visible, as the PNG chooses it: from 0 when the data fills
	// at least half the height, else fitted with a margin.
	function fitY(lo, hi) {
		let a = Infinity, b = -Infinity;
		for (const c of curves) {
			const i0 = Math.max(0, lower(c.t, lo) - 1), i1 = Math.min(c.t.length, lower(c.t, hi) + 1);
			// Large spans: a strided look is enough for the scale (decimation keeps extremes).
			const step = Math.max(1, Math.floor((i1 - i0) / 200000));
			for (let i = i0; i < i1; i += step) { const v = c.m[i]; if (v < a) a = v; if (v > b) b = v; }
		}
		if (!(a <= b)) return [D.mmin, D.mmax];
		let base = a >= 0 && a <= b / 2 ? 0 : a - Math.max(b - a, Math.abs(b) * 0.01, 1e-3) * 0.05;
		let top = b + (b - base) * 0.08;
		if (!(top > base)) top = base + 1;
		return [base, top];
	}

	function dataFor(lo, hi, cols) {
		const tables = curves.map((c) => decimate(c, lo, hi, cols));
		const joined = tables.length === 1 ? [tables[0][0], tables[0][1]] : uPlot.join(tables);
		let points = 0;
		for (const t of tables) points += t[0].length;
		status.dataset.points = points;
		return joined;
	}

	const dpr = () => devicePixelRatio || 1;
	function drawOver(u) {
		const ctx = u.ctx, lo = u.scales.x.min, hi = u.scales.x.max;
		const X = (t) => u.valToPos(t, 'x', true), Y = (m) => u.valToPos(m, 'y', true);
		const r = dpr();
		ctx.save();
		ctx.beginPath();
		ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
		ctx.clip();
		// Guides: a faint line at each collection's start (one profile only, as the PNG).
		let lastX = -1;
		for (const g of D.files.length === 1 ? D.gcs : []) {
			if (g[2] < lo || g[1] > hi) continue;
			const x = Math.round(X(g[1]));
			if (x === lastX) continue;
			lastX = x;
			ctx.fillStyle = D.gcColors[Math.min(g[0], 2)] + '59';
			ctx.fillRect(x, u.bbox.top, 1, u.bbox.height);
		}
		// True-peak bands, over the curve between samples.
		D.files.forEach((f, k) => {
			const c = curves.find((cc) => cc.name === f.name) || main;
			ctx.fillStyle = f.color + '47';
			for (const p of f.peaks) {
				if (p[1] < lo || p[0] > hi) continue;
				const x0 = X(p[0]), x1 = Math.max(X(p[1]), x0 + r);
				ctx.beginPath();
				ctx.moveTo(x0, Y(memAt(c, p[0])));
				ctx.lineTo(x0, Y(p[2]));
				ctx.lineTo(x1, Y(p[2]));
				ctx.lineTo(x1, Y(memAt(c, p[1])));
				ctx.fill();
			}
		});
		// Brackets at the call's own memory (its FUNC line), '[' at entry, ']' at exit; the curve
		// where the line has none.
		const h = 7 * r, v = 11 * r;
		ctx.lineWidth = 2.5 * r;
		let drawn = 0;
		for (const c of D.calls) {
			if (c[2] < lo || c[1] > hi || drawn > 20000) continue;
			drawn++;
			ctx.strokeStyle = D.functions[c[0]].color;
			ctx.beginPath();
			if (c[1] >= lo) {
				const x = X(c[1]), y = Y(c[3] ?? memAt(main, c[1]));
				ctx.moveTo(x + h, y - v); ctx.lineTo(x, y - v); ctx.lineTo(x, y + v); ctx.lineTo(x + h, y + v);
			}
			if (c[2] <= hi) {
				const x = X(c[2]), y = Y(c[4] ?? memAt(main, c[2]));
				ctx.moveTo(x - h, y - v); ctx.lineTo(x, y - v); ctx.lineTo(x, y + v); ctx.lineTo(x - h, y + v);
			}
			ctx.stroke();
		}
		// Marks.
		ctx.setLineDash([4 * r, 3 * r]);
		ctx.lineWidth = 1.2 * r;
		ctx.strokeStyle = ctx.fillStyle = '#555';
		ctx.font = `${11 * r}px sans-serif`;
		D.marks.forEach((m, i) => {
			if (m[1] < lo || m[1] > hi) return;
			const x = X(m[1]);
			ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
			ctx.fillText(m[0], x + 3 * r, u.bbox.top + (12 + 13 * (i % 3)) * r);
		});
		ctx.setLineDash([]);
		ctx.restore();
		// The peaks: a dot (whole, even at an edge) and its label.
		ctx.font = `bold ${11 * r}px sans-serif`;
		for (const f of D.files) {
			if (!f.peak || f.peak.t < lo || f.peak.t > hi) continue;
			const x = X(f.peak.t), y = Y(f.peak.mem);
			ctx.fillStyle = f.peak.color;
			ctx.beginPath(); ctx.arc(x, y, 4.5 * r, 0, 2 * Math.PI); ctx.fill();
			const text = `peak ${fmt(f.peak.mem, 1)} MiB at ${fmt(f.peak.t, 2)} s`;
			const w = ctx.measureText(text).width;
			const tx = x + 8 * r + w > u.bbox.left + u.bbox.width ? x - 8 * r - w : x + 8 * r;
			ctx.fillText(text, tx, y - 7 * r < u.bbox.top + 12 * r ? y + 16 * r : y - 7 * r);
		}
		drawLane(u);
	}

	// The GC lane: a bar per collection as wide as it lasted (2 px at least), as tall as its
	// generation, in its colour; one row per profile with collections (D.gcRows), each marked
	// at its left by the profile's colour when there are several profiles.
	let laneBars = [];
	const ROW = 30;
	// Room for the lane between the plot and the time axis' labels, as in the PNG.
	const LANE_H = D.gcs.length ? ROW * Math.max(1, D.gcRows.length) + 4 : 0;
	function drawLane(u) {
		if (!D.gcs.length) return;
		// The canvas starts at the chart's left edge (room for the lane's name); the lane
		// itself at the plot's.
		const r = dpr(), left = u.bbox.left / r, w = u.bbox.width / r;
		const rows = Math.max(1, D.gcRows.length), H = ROW * rows;
		lane.style.width = left + w + 'px';
		lane.style.height = H + 'px';
		lane.style.top = (u.bbox.top + u.bbox.height) / r + 3 + 'px';
		lane.width = Math.round((left + w) * r);
		lane.height = Math.round(H * r);
		laneLeft = left;
		const ctx = lane.getContext('2d'), lo = u.scales.x.min, hi = u.scales.x.max;
		ctx.scale(r, r);
		ctx.font = '12px "DejaVu Sans", sans-serif';
		ctx.fillStyle = '#222';
		ctx.textAlign = 'right';
		ctx.textBaseline = 'middle';
		ctx.fillText('GC', left - 8, H / 2);
		ctx.translate(left, 0);
		ctx.fillStyle = '#f6f6f6';
		ctx.fillRect(0, 0, w, H);
		laneBars = [];
		const X = (t) => (t - lo) / (hi - lo) * w;
		for (let gen = 0; gen < 3; gen++) {
			for (let i = 0; i < D.gcs.length; i++) {
				const g = D.gcs[i], y1 = ((g[7] || 0) + 1) * ROW;
				if (Math.min(g[0], 2) !== gen || g[2] < lo || g[1] > hi) continue;
				let x0 = Math.max(0, X(g[1])), x1 = Math.min(w, X(g[2]));
				if (x1 - x0 < 2) x1 = x0 + 2;
				if (x1 > w) { x0 -= x1 - w; x1 = w; }
				const bh = (ROW - 13) * (gen + 1) / 3;
				ctx.fillStyle = D.gcColors[gen];
				ctx.fillRect(x0, y1 - 1 - bh, x1 - x0, bh);
				ctx.strokeStyle = 'rgba(0,0,0,.45)';
				ctx.lineWidth = 0.6;
				ctx.strokeRect(x0, y1 - 1 - bh, x1 - x0, bh);
				laneBars.push([x0, x1, i, g[7] || 0]);
			}
		}
		// What each collection freed, over its bar, where it fits without touching another
		// label of its row (older generations and bigger collections first), as the PNG's.
		ctx.font = '10px "DejaVu Sans", sans-serif';
		ctx.textAlign = 'center';
		ctx.textBaseline = 'top';
		ctx.fillStyle = '#222';
		const taken = [];
		const order = laneBars.map((b) => [b, D.gcs[b[2]]])
			.sort((a, b) => Math.min(b[1][0], 2) - Math.min(a[1][0], 2) || b[1][5] - a[1][5]);
		for (const [b, g] of order) {
			const text = gcLabel(g);
			if (!text) continue;
			const tw = ctx.measureText(text).width;
			let x = (b[0] + b[1]) / 2;
			x = Math.min(Math.max(x, tw / 2 + 2), w - tw / 2 - 2);
			const a = x - tw / 2 - 4, z = x + tw / 2 + 4;
			if (tw + 4 > w || taken.some((t) => t[2] === b[3] && a < t[1] && t[0] < z)) continue;
			taken.push([a, z, b[3]]);
			ctx.fillText(text, x, b[3] * ROW + 2);
		}
		status.dataset.gcLabels = taken.length;
		status.dataset.gcRows = rows;
		if (D.files.length > 1) {
			D.gcRows.forEach((row, k) => {
				if (k) {
					ctx.fillStyle = 'rgba(68,68,68,.5)';
					ctx.fillRect(0, k * ROW, w, 1);
				}
				ctx.fillStyle = row.color;
				ctx.fillRect(-5, k * ROW + 2, 4, ROW - 4);
			});
		}
		ctx.strokeStyle = '#444';
		ctx.strokeRect(0.5, 0.5, w - 1, H - 1);
	}
	let laneLeft = 0;

	// "1234 obj, 2.1 MiB": what a collection freed (plot_model.c's gc_label); '' for nothing.
	function gcLabel(g) {
		const obj = g[5] > 0 ? (g[5] >= 100000 ? `${(g[5] / 1e3).toFixed(0)}k obj` : `${g[5]} obj`) : '';
		const mib = g[3] - g[4] >= 0.05 ? `${(g[3] - g[4]).toFixed(1)} MiB` : '';
		return obj && mib ? `${obj}, ${mib}` : obj || mib;
	}

	function gcText(g) {
		const freed = g[3] > g[4] ? `, ${fmt(g[3] - g[4], 2)} MiB` : '';
		return `GC gen ${g[0]}: ${fmt((g[2] - g[1]) * 1e3, 3)} ms, freed ${g[5]} objects${freed}` +
			(g[6] ? `, ${g[6]} uncollectable` : '') + ` (${fmt(g[3], 2)} \u2192 ${fmt(g[4], 2)} MiB)`;
	}

	// What is at time t (and within `slack` seconds): memory, the innermost bracket, a
	// collection, a mark.
	function describe(t, slack) {
		const parts = [];
		for (const c of curves) {
			const j = Math.min(c.t.length - 1, Math.max(0, lower(c.t, t)));
			const k = j > 0 && Math.abs(c.t[j - 1] - t) < Math.abs(c.t[j] - t) ? j - 1 : j;
			parts.push(`${c.name}: ${fmt(c.m[k], 3)} MiB at ${fmt(c.t[k], 4)} s`);
		}
		let inner = null;
		for (const c of D.calls)
			if (c[1] <= t && t <= c[2] && (!inner || c[5] >= inner[5])) inner = c;
		if (inner)
			parts.push(`${D.functions[inner[0]].name}: ${fmt((inner[2] - inner[1]) * 1e3, 2)} ms, ` +
				`${inner[4] >= inner[3] ? '+' : ''}${fmt(inner[4] - inner[3], 3)} MiB`);
		for (const g of D.gcs)
			if (g[1] - slack <= t && t <= g[2] + slack) { parts.push(gcText(g)); break; }
		for (const m of D.marks)
			if (Math.abs(m[1] - t) <= slack) { parts.push(`mark ${m[0]} at ${fmt(m[1], 4)} s`); break; }
		return parts;
	}
	function show(parts) {
		readout.textContent = '';
		for (const p of parts) readout.appendChild(el('span', { class: 'item' }, p));
	}

	let redecimating = false;
	const opts = {
		width: width(),
		height: 420 + LANE_H,
		series: [{ label: 'time (s)' }].concat(curves.map((c) => ({
			label: c.name, stroke: c.color, width: c.width, spanGaps: true, points: { show: false },
			value: (u, v) => v == null ? '' : fmt(v, 3) + ' MiB',
		}))),
		scales: {
			x: { time: false, min: tmin0, max: tmax0 },
			y: { range: () => yRange },
		},
		axes: [
			{ label: 'time (s)', gap: 5 + LANE_H, size: 50 + LANE_H },
			{ label: 'memory (MiB)', size: 70 },
		],
		cursor: { drag: { x: true, y: false }, points: { show: false } },
		legend: { show: false },
		hooks: {
			draw: [drawOver],
			setScale: [(u, key) => {
				if (key !== 'x' || redecimating) return;
				const lo = u.scales.x.min, hi = u.scales.x.max;
				redecimating = true;
				yRange = fitY(lo, hi);
				u.setData(dataFor(lo, hi, columns(u)), false);
				u.setScale('y', { min: yRange[0], max: yRange[1] });
				redecimating = false;
			}],
			setCursor: [(u) => {
				const left = u.cursor.left;
				if (left == null || left < 0) return;
				const t = u.posToVal(left, 'x');
				show(describe(t, 3 * (u.scales.x.max - u.scales.x.min) / (u.bbox.width / dpr())));
			}],
		},
	};
	const u = new uPlot(opts, dataFor(tmin0, tmax0, Math.round(width() * dpr())), chartDiv);
	yRange = [D.mmin, D.mmax];
	u.setScale('y', { min: D.mmin, max: D.mmax });

	function zoom(lo, hi) {
		const span = tmax0 - tmin0;
		if (hi - lo < span * 1e-7) return;
		u.setScale('x', { min: Math.max(tmin0 - span, lo), max: Math.min(tmax0 + span, hi) });
	}
	reset.addEventListener('click', () => zoom(tmin0, tmax0));
	u.over.addEventListener('dblclick', () => zoom(tmin0, tmax0));
	// Wheel: zoom around the cursor.
	u.over.addEventListener('wheel', (e) => {
		e.preventDefault();
		const lo = u.scales.x.min, hi = u.scales.x.max;
		const at = u.posToVal(e.offsetX, 'x'), f = e.deltaY < 0 ? 0.75 : 1 / 0.75;
		zoom(at - (at - lo) * f, at + (hi - at) * f);
	}, { passive: false });
	// Shift-drag: pan (uPlot's own drag zooms).
	u.over.addEventListener('mousedown', (e) => {
		if (!e.shiftKey) return;
		e.stopPropagation();
		e.preventDefault();
		const x0 = e.clientX, lo = u.scales.x.min, hi = u.scales.x.max;
		const perPx = (hi - lo) / u.over.clientWidth;
		const move = (m) => zoom(lo - (m.clientX - x0) * perPx, hi - (m.clientX - x0) * perPx);
		const up = () => { removeEventListener('mousemove', move); removeEventListener('mouseup', up); };
		addEventListener('mousemove', move);
		addEventListener('mouseup', up);
	}, true);
	// Hover on the GC lane: the collection under the pointer.
	lane.addEventListener('mousemove', (e) => {
		const x = e.offsetX - laneLeft, row = Math.floor(e.offsetY / ROW);
		const hit = laneBars.filter((b) => b[3] === row && b[0] - 2 <= x && x <= b[1] + 2);
		if (hit.length) show([gcText(D.gcs[hit[hit.length - 1][2]])]);
	});
	window.addEventListener('resize', () => u.setSize({ width: width(), height: 420 + LANE_H }));

	// The whole series, parsed after the overview was drawn: they replace it, and the view is
	// decimated again from them.
	window.mprofLoadFull = function () {
		const tf = performance.now();
		const F = JSON.parse(document.getElementById('profile-full').textContent);
		F.series.forEach((s, i) => {
			curves[i].t = times(s.t, s.n);
			curves[i].m = mems(s.m, s.n);
		});
		u.setScale('x', { min: u.scales.x.min, max: u.scales.x.max });
		status.dataset.fullMs = fmt(performance.now() - tf, 1);
		status.dataset.fullAtMs = fmt(performance.now(), 1); // since navigation start
		status.dataset.full = 1;
	};

	requestAnimationFrame(() => {
		status.dataset.firstPaintMs = fmt(performance.now() - t0, 1);
		status.dataset.decodeMs = fmt(tDecoded - t0, 1);
		status.dataset.scriptStartMs = fmt(t0, 1);
		status.dataset.paintSinceNavMs = fmt(performance.now(), 1); // since navigation start
		status.dataset.ready = 1;
	});
	window.mprofChart = u; // for the tests and the curious
	window.mprofCurves = curves;
})();
