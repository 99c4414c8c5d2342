// Shared helpers for the browser and EventSource tests. Each scenario is its own
// script, run by tests/e2e/test_browser.py as
//
//     node tests/e2e/browser/NAME.mjs BASE_URL
//
// with LIVELINE_BIN, LIVELINE_DB and LIVELINE_SLUG in the environment: the
// server at BASE_URL serves that database, and the scripts make their changes
// through the command line, as a newsroom would, while the reader watches.
// A script prints what it checked and exits 0, or prints why and exits 1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..', '..');
export const BASE = (process.argv[2] || '').replace(/\/$/, '');
export const SLUG = process.env.LIVELINE_SLUG || 'demo';
const BIN = process.env.LIVELINE_BIN;
const DB = process.env.LIVELINE_DB;

if (!BASE || !BIN || !DB) {
	console.error('usage: LIVELINE_BIN=... LIVELINE_DB=... [LIVELINE_SLUG=...] node NAME.mjs BASE_URL');
	process.exit(2);
}

export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking', '--disable-component-update',
	'--disable-sync'];

export function check(cond, what) {
	if (!cond)
		throw new Error('check failed: ' + what);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `fn` (sync or async) until it returns something truthy; fails after `ms`.
export async function until(fn, ms, what) {
	const deadline = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v)
			return v;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${ms} ms waiting for ${what}`);
		await sleep(25);
	}
}

// `liveline --db DB ARGS...`; returns its standard output, trimmed.
export function cli(args, input) {
	return execFileSync(BIN, ['--db', DB, ...args], {
		input: input ?? '', timeout: 60000, stdio: ['pipe', 'pipe', 'pipe'],
	}).toString().trim();
}

// Publishes a post; returns its id.
export function post(title, body = 'Body text.', ...flags) {
	const out = cli(['post', SLUG, '--title', title, ...flags], body + '\n');
	const id = Number((out.match(/\d+/) || [])[0]);
	check(id > 0, `post printed an id (got ${JSON.stringify(out)})`);
	return id;
}

// Runs `main(browser)` with a fresh headless Chromium and profile; exits 0 or 1.
export async function withBrowser(main) {
	const { chromium } = await import('playwright-core');
	const profile = mkdtempSync(join(tmpdir(), 'liveline-chromium-'));
	let ctx;
	let code = 1;
	try {
		ctx = await chromium.launchPersistentContext(profile, {
			executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
			args: CHROMIUM_ARGS, headless: true, viewport: { width: 1000, height: 700 },
			timeout: 60000,
		});
		await main(ctx);
		code = 0;
	} catch (e) {
		console.error(e && e.stack ? e.stack : e);
	} finally {
		if (ctx)
			await ctx.close().catch(() => {});
		rmSync(profile, { recursive: true, force: true });
	}
	process.exit(code);
}

// Opens the live page in a new tab and waits until its stream is connected.
// When the served page has no live script yet (the server does not link it),
// the working tree's web/live.js is added in the same way, so the script is
// still tested: say so, since the page a reader gets would not update.
// `rewrite(html)` changes the page as served (every load); `wait: false`
// returns without waiting for the connection.
export async function openLive(ctx, { path = `/live/${SLUG}`, reducedMotion = 'no-preference',
	rewrite = null, wait = true } = {}) {
	const page = await ctx.newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
	page.liveErrors = errors;
	// A Content-Security-Policy violation is a page error too (the policy is
	// the server's: live.js and style.css must satisfy it).
	await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
		console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
	await page.emulateMedia({ reducedMotion });
	await page.route((url) => url.pathname === `/live/${SLUG}`, async (route) => {
		const req = route.request();
		if (req.resourceType() !== 'document')
			return route.continue();
		const res = await route.fetch();
		let body = await res.text();
		if (!/<script[^>]+src="[^"]*live[^"]*\.js"/.test(body)) {
			if (!openLive.warned)
				console.log('note: the page does not link live.js; adding web/live.js from the tree');
			openLive.warned = true;
			body = body.replace('</head>', '<script src="/__test__/live.js" defer></script>\n</head>');
		}
		if (rewrite)
			body = rewrite(body);
		return route.fulfill({ response: res, body });
	});
	await page.route(`${BASE}/__test__/live.js`, (route) => route.fulfill({
		contentType: 'text/javascript; charset=utf-8',
		body: readFileSync(join(ROOT, 'web', 'live.js'), 'utf8'),
	}));
	const res = await page.goto(BASE + path);
	page.liveCsp = res ? res.headers()['content-security-policy'] : undefined;
	if (wait)
		await until(() => page.evaluate(() =>
			document.querySelector('.live-indicator')?.dataset.state === 'connected'),
		10000, 'the live indicator to say connected');
	return page;
}

// What a sighted reader sees of the posts: ids in page order, with titles.
export function visiblePosts(page) {
	return page.evaluate(() => [...document.querySelectorAll('#updates > article.post')]
		.map((a) => ({ id: a.id, title: a.querySelector('.post-title').textContent.trim(),
			isNew: a.classList.contains('is-new') })));
}

export function noPageErrors(page) {
	check(page.liveErrors.length === 0, 'no script errors: ' + page.liveErrors.join('; '));
}
