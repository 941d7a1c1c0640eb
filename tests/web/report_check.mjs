// report_check.mjs DIR - opens DIR/report.html (scripts/demo's report) in headless Chromium:
// no console error; every picture loads, shown at least 900 px wide in a 1200 px window (the
// plots' text readable) and linked to its own file, to open at full size; the Markdown is
// rendered (no literal ** or *word* left, tables are tables); the page is not blank; and the
// page with every file it shows or links to (one copy of each picture) is under 500 KB.
import fs from 'node:fs';
import path from 'node:path';
import { check, done, launch } from './browser.mjs';

const dir = fs.realpathSync(process.argv[2]);
const file = path.join(dir, 'report.html');
const browser = await launch();
try {
	const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
	const errors = [];
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.on('pageerror', (e) => errors.push(String(e)));
	await page.goto('file://' + file);
	await page.waitForLoadState('load');
	check(errors.length === 0, `no console error ${errors.join('; ')}`);
	const imgs = await page.evaluate(() => [...document.images].map((i) => ({
		ok: i.complete && i.naturalWidth > 0, shown: i.getBoundingClientRect().width,
		natural: i.naturalWidth, href: i.closest('a')?.getAttribute('href'),
		src: i.getAttribute('src') })));
	check(imgs.length >= 4, `${imgs.length} pictures`);
	check(imgs.every((i) => i.ok), 'every picture loads');
	const narrow = imgs.filter((i) => i.shown < Math.min(900, i.natural));
	check(narrow.length === 0, `every picture shown at least 900 px wide (or its own width): ${narrow.map((i) => i.shown).join(' ')}`);
	check(imgs.every((i) => i.href && i.href === i.src && fs.existsSync(path.join(dir, i.href))),
		'every picture links to its own file (the one shown), to open it at full size');
	const text = await page.evaluate(() => document.body.innerText);
	check(!/\*\*|(^|\s)\*[^\s*][^*]*\*(\s|$)/.test(text), 'no Markdown emphasis left as asterisks');
	check(await page.locator('table').count() > 0 && await page.locator('h2').count() >= 4,
		'tables and sections rendered');
	const shot = await page.screenshot();
	check(shot.length > 20000, `screenshot ${shot.length} bytes`);
	// The budget: the page and each local file it loads or links to, counted once.
	const refs = await page.evaluate(() => [...new Set([...document.querySelectorAll('[src],[href]')]
		.map((e) => e.getAttribute('src') ?? e.getAttribute('href')))]);
	const local = refs.filter((r) => !/^([a-z]+:|#)/.test(r));
	check(local.every((r) => fs.existsSync(path.join(dir, r))), `every local reference exists: ${local.length}`);
	check(refs.every((r) => !/^(https?|data):/.test(r)), 'nothing from the network, nothing embedded twice');
	const html = fs.statSync(file).size;
	const total = local.reduce((s, r) => s + fs.statSync(path.join(dir, r)).size, html);
	check(total < 500000, `report.html ${html} bytes + its ${local.length} files = ${total} bytes, under 500 KB`);
} finally {
	await browser.close();
}
done();
