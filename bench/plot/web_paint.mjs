// web_paint.mjs PAGE - opens the page in headless Chromium (warmed by a first small page, as a
// browser already running would be); prints "FCP FULL ZOOM POINTS": first contentful paint
// (the overview drawn; ms since navigation), the whole series parsed and drawn (ms since
// navigation), the median time of a zoom to a tenth of the range, redrawn (ms), and the points
// drawn then.
import { launch } from '../../tests/web/browser.mjs';

const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
await page.setContent('<p>warm</p>');
await page.goto('file://' + process.argv[2]);
await page.waitForSelector('#status[data-full="1"]', { state: 'attached', timeout: 60000 });
const r = await page.evaluate(async () => {
	const s = document.getElementById('status').dataset;
	const u = window.mprofChart;
	const full = performance.now();
	const lo = u.scales.x.min, hi = u.scales.x.max, times = [];
	for (let k = 0; k < 5; k++) {
		const a = lo + (hi - lo) * (0.1 + 0.15 * k), t = performance.now();
		u.setScale('x', { min: a, max: a + (hi - lo) / 10 });
		await new Promise((res) => requestAnimationFrame(() => res()));
		times.push(performance.now() - t);
	}
	times.sort((x, y) => x - y);
	const fcp = performance.getEntriesByName('first-contentful-paint')[0];
	return [fcp ? fcp.startTime.toFixed(0) : '-', Number(s.fullAtMs).toFixed(0), times[2].toFixed(1), s.points];
});
console.log(r.join(' '));
await browser.close();
