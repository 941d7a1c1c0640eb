// overlay_check.mjs HTML ROWS - opens `mprof plot -o x.html a.dat b.dat` (profiles with
// collections) in headless Chromium: no console error; the GC lane has ROWS rows, one per
// profile with collections, and hovering each row shows a collection; every profile's curve
// is drawn.
import fs from 'node:fs';
import { check, done, launch } from './browser.mjs';

const [htmlFile, rows] = process.argv.slice(2);
const browser = await launch();
try {
	const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
	const errors = [];
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.on('pageerror', (e) => errors.push(String(e)));
	await page.goto('file://' + fs.realpathSync(htmlFile));
	await page.waitForSelector('#status[data-full="1"]', { state: 'attached', timeout: 30000 });
	const s = await page.evaluate(() => ({ ...document.getElementById('status').dataset }));
	check(errors.length === 0, `no console error ${errors.join('; ')}`);
	check(Number(s.gcRows) === Number(rows), `the GC lane has ${s.gcRows} rows (want ${rows})`);
	const curves = await page.evaluate(() => mprofCurves.length);
	check(curves >= 2, `${curves} curves drawn`);
	const lane = await page.locator('#gclane').boundingBox();
	check(lane && lane.height >= 30 * Number(rows) - 1, `the lane is ${lane && lane.height} px tall`);
	for (let r = 0; r < Number(rows); r++) {
		let text = '';
		const y = lane.y + 30 * r + 26;
		for (let x = 0; x < lane.width && !/GC gen/.test(text); x += 2) {
			await page.mouse.move(lane.x + x, y);
			text = await page.textContent('#readout');
		}
		check(/GC gen \d: [\d.]+ ms, freed \d+ objects/.test(text), `row ${r + 1} hover: ${text}`);
		await page.mouse.move(1, 1);
		await page.evaluate(() => { document.getElementById('readout').textContent = ''; });
	}
	check(errors.length === 0, `still no console error ${errors.join('; ')}`);
} finally {
	await browser.close();
}
done();
