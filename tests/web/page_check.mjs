// page_check.mjs DAT HTML [SHOT] - opens `mprof plot -o x.html` in headless Chromium: it
// renders without a console error; the chart holds every sample of the .dat, decoded to the
// same times and memory; a hover reads
// the memory at that time (and the GC lane's hover a collection); the wheel zooms (fewer
// seconds, the points re-decimated); the page is not blank (the chart's canvas has ink, and
// the screenshot is larger than a blank page's).
import fs from 'node:fs';
import { check, datCounts, done, launch } from './browser.mjs';

// The .dat's sample series as the page orders them (MEM, then each child's CHLD in the order
// first seen), times in epoch seconds.
function datSeries(file) {
	const lines = fs.readFileSync(file, 'utf8').split('\n');
	const mem = [], kids = new Map();
	for (const l of lines) {
		const f = l.trim().split(/\s+/);
		if (f[0] === 'MEM') mem.push([+f[2], +f[1]]);
		else if (f[0] === 'CHLD') {
			if (!kids.has(f[1])) kids.set(f[1], []);
			kids.get(f[1]).push([+f[3], +f[2]]);
		}
	}
	return [mem, ...kids.values()].map((s) => s.sort((a, b) => a[0] - b[0]));
}

const [datFile, htmlFile, shot] = process.argv.slice(2);
const dat = datCounts(datFile);
const browser = await launch();
try {
	const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
	const errors = [];
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('requestfailed', (r) => errors.push('request ' + r.url()));
	let requests = 0;
	page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests++; });
	await page.goto('file://' + fs.realpathSync(htmlFile));
	await page.waitForSelector('#status[data-full="1"]', { state: 'attached', timeout: 30000 });
	const status = () => page.evaluate(() => ({ ...document.getElementById('status').dataset }));
	const s = await status();
	check(errors.length === 0, `no console error ${errors.join('; ')}`);
	check(requests === 0, 'no network request');
	const mem = (dat.MEM || 0) + (dat.CHLD || 0);
	check(Number(s.samples) === mem, `the chart holds ${s.samples} samples: MEM + CHLD lines ${mem}`);
	check(Number(s.points) > 0 && Number(s.points) <= Number(s.samples) + 2, `${s.points} points drawn`);
	// The decoded samples are the .dat's: times to the microsecond, memory to the KiB.
	const got = await page.evaluate(() => mprofCurves.map((c) => [Array.from(c.t), Array.from(c.m)]));
	const want = datSeries(datFile);
	const close = (a, b, eps) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= eps);
	// Times against the first sample's (the page counts from the file's earliest time).
	const rel = (a, z) => a.map((x) => x - z);
	check(got.length === want.length && want.every((w, i) => close(rel(got[i][0], got[0][0][0]),
		rel(w.map((p) => p[0]), want[0][0][0]), 1.5e-6) &&
		close(got[i][1], w.map((p) => p[1]), 0.5 / 1024 + 1e-9)),
	`every series decoded as in the .dat (${want.map((w) => w.length).join(', ')} samples)`);
	// Hover in the middle of the plot.
	const over = await page.locator('.u-over').boundingBox();
	await page.mouse.move(over.x + over.width / 2, over.y + over.height / 2);
	await page.waitForTimeout(50);
	const readout = await page.textContent('#readout');
	check(/\d+\.\d{3} MiB at \d+\.\d+ s/.test(readout), `hover readout: ${readout}`);
	if (dat.GC) {
		const lane = await page.locator('#gclane').boundingBox();
		check(lane && lane.height >= 20, 'a GC lane');
		const labels = Number((await status()).gcLabels);
		check(labels >= 1, `the lane says what collections freed (${labels} labels)`);
		// Walk the lane until a collection is under the pointer.
		let text = '';
		for (let x = 0; x < lane.width && !/GC gen/.test(text); x += 2) {
			await page.mouse.move(lane.x + x, lane.y + lane.height - 4);
			text = await page.textContent('#readout');
		}
		check(/GC gen \d: [\d.]+ ms, freed \d+ objects/.test(text), `GC hover: ${text}`);
	}
	// Ink on the chart's canvas.
	const ink = await page.evaluate(() => {
		const c = document.querySelector('#chart canvas'), x = c.getContext('2d');
		const d = x.getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) n++;
		return n;
	});
	check(ink > 2000, `the chart has ink (${ink} dark pixels)`);
	const png = await page.screenshot({ path: shot || undefined });
	const blank = await (async () => {
		const p = await browser.newPage({ viewport: { width: 1200, height: 800 } });
		await p.setContent('<html><body></body></html>');
		const b = await p.screenshot();
		await p.close();
		return b;
	})();
	check(png.length > 5 * blank.length, `screenshot ${png.length} bytes, a blank page ${blank.length}`);
	// Zoom with the wheel around the middle: a narrower range, re-decimated.
	const before = await page.evaluate(() => mprofChart.scales.x.max - mprofChart.scales.x.min);
	await page.mouse.move(over.x + over.width / 2, over.y + over.height / 2);
	for (let i = 0; i < 4; i++) await page.mouse.wheel(0, -100);
	await page.waitForTimeout(100);
	const after = await page.evaluate(() => mprofChart.scales.x.max - mprofChart.scales.x.min);
	check(after < before * 0.5, `the wheel zooms in: ${before.toFixed(3)} s to ${after.toFixed(3)} s`);
	await page.dblclick('.u-over');
	const reset = await page.evaluate(() => mprofChart.scales.x.max - mprofChart.scales.x.min);
	check(Math.abs(reset - before) < 1e-9, 'double click resets');
	check(errors.length === 0, `still no console error ${errors.join('; ')}`);
} finally {
	await browser.close();
}
done();
