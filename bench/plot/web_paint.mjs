// web_paint.mjs PAGE [WARM_PAGE] - opens PAGE in headless Chromium; prints
// "FCP FIRST FULL ZOOM POINTS": the median first contentful paint of 5 loads (the overview
// drawn; ms since navigation), the first of them, the whole series parsed and drawn (ms since
// navigation, median), the median time of a zoom to a tenth of the range, redrawn (ms), and the
// points drawn then. The browser is warmed first by WARM_PAGE (another mprof page: a browser
// already running, the page's renderer started), when given; the first load is still the
// one a user who has opened no other page meets.
import { launch } from '../../tests/web/browser.mjs';

const [pageFile, warmFile] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
await page.setContent('<p>warm</p>');
if (warmFile) {
	await page.goto('file://' + warmFile);
	await page.waitForSelector('#status[data-full="1"]', { state: 'attached', timeout: 60000 });
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const fcps = [], fulls = [];
let zoom, points;
for (let load = 0; load < 5; load++) {
	await page.goto('file://' + pageFile);
	await page.waitForSelector('#status[data-full="1"]', { state: 'attached', timeout: 60000 });
	const r = await page.evaluate(async (measureZoom) => {
		const s = document.getElementById('status').dataset;
		const fcp = performance.getEntriesByName('first-contentful-paint')[0];
		const out = { fcp: fcp ? fcp.startTime : NaN, full: Number(s.fullAtMs) };
		if (!measureZoom) return out;
		const u = window.mprofChart;
		const lo = u.scales.x.min, hi = u.scales.x.max, times = [];
		for (let k = 0; k < 5; k++) {
			const a = lo + (hi - lo) * (0.1 + 0.15 * k), t = performance.now();
			u.setScale('x', { min: a, max: a + (hi - lo) / 10 });
			await new Promise((res) => requestAnimationFrame(() => res()));
			times.push(performance.now() - t);
		}
		times.sort((x, y) => x - y);
		return { ...out, zoom: times[2], points: s.points };
	}, load === 4);
	fcps.push(r.fcp);
	fulls.push(r.full);
	if (r.zoom !== undefined) ({ zoom, points } = r);
}
console.log([median(fcps).toFixed(0), fcps[0].toFixed(0), median(fulls).toFixed(0), zoom.toFixed(1), points].join(' '));
await browser.close();
