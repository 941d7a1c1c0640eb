// browser.mjs - what the browser tests share: the npm packages the build installed (WEB_MODULES),
// Debian's Chromium driven headless by playwright-core, and a small assertion helper.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const modules = process.env.WEB_MODULES;
if (!modules || !fs.existsSync(path.join(modules, 'playwright-core')))
	throw new Error(`WEB_MODULES (${modules}) holds no playwright-core: the build installs it`);
export const require = createRequire(path.join(modules, 'x.js'));
export const modulesDir = modules;

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launch() {
	const { chromium } = require('playwright-core');
	return chromium.launch({
		executablePath: CHROMIUM,
		// Root (CI) needs --no-sandbox; files open files (speedscope's profile script).
		args: ['--no-sandbox', '--allow-file-access-from-files', '--disable-gpu'],
	});
}

let passed = 0, failed = 0;
export function check(ok, what) {
	if (ok) {
		passed++;
		console.log(`ok - ${what}`);
	} else {
		failed++;
		console.log(`not ok - ${what}`);
	}
}

export function done() {
	console.log(`${passed} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}

// The lines of a .dat profile by type (memory_profiler's CHLD placeholder left out).
export function datCounts(file) {
	const counts = {};
	for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
		if (!line) continue;
		const [type, ...rest] = line.split(' ');
		if (type === 'CHLD' && rest[0] === '0') continue;
		counts[type] = (counts[type] || 0) + 1;
	}
	return counts;
}
