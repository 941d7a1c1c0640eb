// trace_check.mjs DAT TRACE - checks `mprof export --format trace` output: every event against
// the trace-event format's rules for its phase, event counts against the .dat's lines, and
// the file opened by a real consumer, speedscope (from npm, in headless Chromium), whose own
// export of what it imported must hold every bracket and every collection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { check, datCounts, done, launch, modulesDir } from './browser.mjs';

const [datFile, traceFile] = process.argv.slice(2);
const text = fs.readFileSync(traceFile, 'utf8');
const trace = JSON.parse(text);
const events = trace.traceEvents;
const dat = datCounts(datFile);
const n = (k) => dat[k] || 0;

// --- the schema of every event ------------------------------------------------------------
const isInt = (v) => Number.isInteger(v);
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const rules = {
	M: (e) => ['process_name', 'thread_name'].includes(e.name) && typeof e.args?.name === 'string',
	C: (e) => isNum(e.ts) && e.ts >= 0 && isObj(e.args) && Object.keys(e.args).length === 1 &&
		Object.values(e.args).every(isNum),
	X: (e) => isNum(e.ts) && e.ts >= 0 && isNum(e.dur) && e.dur >= 0 &&
		['function', 'gc'].includes(e.cat) && isObj(e.args),
	i: (e) => isNum(e.ts) && e.ts >= 0 && ['g', 'p', 't'].includes(e.s) && isObj(e.args),
};
const gcArgs = ['generation', 'collected', 'uncollectable', 'candidates', 'duration_ms',
	'mem_before_MiB', 'mem_after_MiB'];
let bad = 0;
for (const e of events) {
	const ok = isObj(e) && typeof e.name === 'string' && e.name.length > 0 && isInt(e.pid) &&
		(e.ph === 'C' || isInt(e.tid)) && rules[e.ph]?.(e) &&
		(e.cat !== 'gc' || gcArgs.every((k) => k in e.args));
	if (!ok && bad++ < 5) console.log('# bad event:', JSON.stringify(e));
}
check(Array.isArray(events) && events.length > 0, `${events.length} events`);
check(bad === 0, `every event has its phase's fields (${bad} bad)`);
check(trace.displayTimeUnit === 'ms' && isObj(trace.otherData), 'displayTimeUnit and otherData');

// --- counts against the .dat ---------------------------------------------------------------
const count = (f) => events.filter(f).length;
check(count((e) => e.ph === 'C') === n('MEM') + n('PEAK') + n('CHLD'),
	`counters: MEM ${n('MEM')} + PEAK ${n('PEAK')} + CHLD ${n('CHLD')}`);
check(count((e) => e.ph === 'X' && e.cat === 'function') === n('FUNC'), `slices: FUNC ${n('FUNC')}`);
check(count((e) => e.ph === 'X' && e.cat === 'gc') === n('GC'), `GC slices: GC ${n('GC')}`);
check(count((e) => e.ph === 'i') === n('MARK') + n('EXIT'), `instants: MARK ${n('MARK')} + EXIT ${n('EXIT')}`);
// Every counter holds its line's value and time: the memory to the .dat's precision (6
// decimals), the time in whole microseconds since otherData.start, computed here in exact
// decimal (BigInt microseconds), so a rounding or a digit lost anywhere fails.
const micros = (s) => {
	const [int, frac = ''] = String(s).split('.');
	const sign = int.startsWith('-') ? -1n : 1n;
	return BigInt(int) * 1000000n + sign * BigInt((frac + '000000').slice(0, 6));
};
const start = micros(trace.otherData.start);
const datMeta = /^META .*\bbackend=([A-Za-z0-9-]+)/m.exec(fs.readFileSync(datFile, 'utf8'));
const memName = datMeta ? datMeta[1] : 'memory';
const want = new Map(); // series (pid and counter name) -> ["ts value", ...] from the .dat
const have = new Map();
const add = (m, key, ts, v) => (m.get(key) ?? m.set(key, []).get(key)).push(`${ts} ${v}`);
for (const line of fs.readFileSync(datFile, 'utf8').split('\n')) {
	const f = line.split(' ');
	const pt = f[0] === 'MEM' ? [trace.otherData.pid, memName, f[1], f[2]]
		: f[0] === 'PEAK' ? [trace.otherData.pid, 'true peak', f[1], f[2]]
		: f[0] === 'CHLD' && f[1] !== '0' ? [Number(f[1]), memName, f[2], f[3]] : null;
	if (pt)
		add(want, `${pt[0]} ${pt[1]}`, Number(micros(pt[3]) - start), Number(Number(pt[2]).toFixed(6)));
}
let keyed = true;
for (const e of events.filter((x) => x.ph === 'C')) {
	keyed &&= Object.keys(e.args).join() === 'MiB';
	add(have, `${e.pid} ${e.name}`, e.ts, e.args.MiB);
}
const sorted = (m) => JSON.stringify([...m].map(([k, v]) => [k, v.sort()]).sort());
check(keyed, 'every counter has one series, MiB');
check(sorted(have) === sorted(want), `every counter's process, name (${memName}, true peak), ` +
	'time and value are its line\'s');
const procs = events.filter((e) => e.ph === 'M' && e.name === 'process_name');
// Named from CMDLINE; every consumer shows the pid beside the name.
check(procs.length >= 1 && procs[0].args.name === (trace.otherData.cmdline ?? 'profiled program') &&
	procs[0].pid === trace.otherData.pid, `process named ${procs[0]?.args.name}, pid ${procs[0]?.pid}`);
if (n('GC'))
	check(events.some((e) => e.ph === 'M' && e.name === 'thread_name' && e.args.name === 'GC'),
		'a GC track');

// --- speedscope imports it -----------------------------------------------------------------
const release = path.join(modulesDir, 'speedscope', 'dist', 'release');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trace_check.'));
const loader = path.join(tmp, 'profile.js');
// As speedscope's own command line hands it a file: a script that calls its loader.
fs.writeFileSync(loader, `speedscope.loadFileFromBase64(${JSON.stringify(path.basename(traceFile))}, ` +
	`${JSON.stringify(Buffer.from(text).toString('base64'))})`);
if (n('FUNC') + n('GC') === 0) {
	// No slice at all: a profile viewer has nothing to show (speedscope refuses such a file).
	console.log('# no brackets or collections: not for speedscope');
	done();
}
const browser = await launch();
try {
	const page = await browser.newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	// speedscope's Export saves a Blob through an object URL: keep the Blob to read it back.
	await page.addInitScript(() => {
		const create = URL.createObjectURL;
		URL.createObjectURL = (b) => { window.__exported = b; return create(b); };
	});
	await page.goto(`file://${release}/index.html#localProfilePath=${loader}`);
	await page.getByText('Export', { exact: false }).first().waitFor({ timeout: 20000 });
	check(errors.length === 0, `speedscope loaded it without an error ${errors.join('; ')}`);
	await page.getByText('Export', { exact: false }).first().click();
	await page.waitForFunction(() => window.__exported, null, { timeout: 10000 });
	const exported = JSON.parse(await page.evaluate(() => window.__exported.text()));
	const frames = exported.shared.frames;
	let opens = 0, gcOpens = 0;
	for (const prof of exported.profiles)
		for (const ev of prof.events || [])
			if (ev.type === 'O') {
				opens++;
				if (/^GC gen \d+( |$)/.test(frames[ev.frame].name)) gcOpens++; // speedscope adds the args
			}
	check(opens === n('FUNC') + n('GC'),
		`speedscope imported ${opens} slices in ${exported.profiles.length} tracks: FUNC ${n('FUNC')} + GC ${n('GC')}`);
	check(gcOpens === n('GC'), `of them ${gcOpens} collections`);
} finally {
	await browser.close();
	fs.rmSync(tmp, { recursive: true, force: true });
}
done();
