// Shared helpers for the newsroom's browser tests (tests/e2e/test_browser_newsroom.py).
// Each scenario is its own script, run as
//
//     node tests/e2e/browser/newsroom_NAME.mjs BASE_URL
//
// with LIVELINE_BIN, LIVELINE_DB, LIVELINE_SLUG (the live page the scenario
// works on: in UTC and live, made by the driver, except for the scenario that
// makes it through the form), LIVELINE_USERS (JSON: role -> {login, password,
// name}), LIVELINE_SESSIONS (a folder of signed-in sessions, ROLE.json),
// LIVELINE_PNG (a 1200x800 photo) and LIVELINE_BROWSER_WS (the Chromium to
// use, from newsroom_browser.mjs) in the environment. Unlike the reader's
// scripts (lib.mjs), these need several browser contexts at once: an editor,
// an admin, a reader who is not signed in.
//
// Every page opened here is watched: a script error, a Content-Security-Policy
// violation or an unexpected dialog is a failure (checkClean), since a person
// would meet a broken or blocked page.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, CHROMIUM_ARGS, SLUG, check, until } from './lib.mjs';

export { BASE, SLUG, check, until };
export { cli, openLive, post, sleep, visiblePosts, noPageErrors } from './lib.mjs';

export const USERS = JSON.parse(process.env.LIVELINE_USERS || '{}');
export const PNG = process.env.LIVELINE_PNG;

// A check that does not stop the scenario: what follows is still worth
// seeing. withChromium fails at the end if any failed.
const failures = [];
export function expect(cond, what) {
	if (!cond) {
		failures.push(what);
		console.error('check failed (continuing): ' + what);
	}
	return !!cond;
}

// The script's last line: "ok: WHAT", or, after a failed expect(), says so.
export function finish(what) {
	console.log(`${failures.length ? 'finished, with failed checks' : 'ok'}: ${what}`);
}

// until() that does not stop the scenario: on timeout, a failed expect() and
// null.
export async function eventually(fn, ms, what) {
	try {
		return await until(fn, ms, what);
	} catch (e) {
		expect(false, e.message);
		return null;
	}
}

// Runs `main(browser)` with the test run's Chromium (LIVELINE_BROWSER_WS,
// from newsroom_browser.mjs) or, run by hand, a fresh one; exits 0 or 1.
// Contexts made by `main` are closed at the end either way.
export async function withChromium(main) {
	const { chromium } = await import('playwright-core');
	const ws = process.env.LIVELINE_BROWSER_WS;
	let browser;
	let code = 1;
	try {
		browser = ws ? await chromium.connect(ws, { timeout: 30000 }) : await chromium.launch({
			executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
			args: CHROMIUM_ARGS, headless: true, timeout: 60000,
		});
		await main(browser);
		if (failures.length)
			throw new Error(`${failures.length} check(s) failed:\n  ` + failures.join('\n  '));
		code = 0;
	} catch (e) {
		console.error(e && e.stack ? e.stack : e);
	} finally {
		if (browser)
			await browser.close().catch(() => {});
	}
	process.exit(code);
}

// Reports every CSP violation a page sees, across navigations, to the test.
const CSP_WATCH = () => {
	document.addEventListener('securitypolicyviolation', (e) => {
		window.__llCsp?.(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'}` +
			`${e.sample ? ` sample=${JSON.stringify(e.sample)}` : ''}` +
			` in ${e.sourceFile || location.pathname}:${e.lineNumber}`);
	});
};

function watchPage(ctx, page) {
	if (page.watched)
		return page;
	page.watched = true;
	page.errors = [];   // script errors
	page.console = [];  // console errors (informational)
	page.dialogs = [];  // messages of every dialog shown
	page.dialogAnswer = null; // 'accept' or 'dismiss' when the test expects one
	page.on('pageerror', (e) => page.errors.push(`${page.url()}: ${e}`));
	page.on('console', (m) => {
		if (m.type() !== 'error')
			return;
		page.console.push(`${page.url()}: ${m.text()}`);
		if (/Content Security Policy/i.test(m.text()))
			ctx.csp.push(`${page.url()}: ${m.text()}`);
	});
	page.on('dialog', async (d) => {
		page.dialogs.push(`${d.type()}: ${d.message()}`);
		const answer = page.dialogAnswer;
		if (!answer)
			ctx.unexpected.push(`${page.url()}: unexpected ${d.type()} "${d.message()}"`);
		await (answer === 'accept' ? d.accept() : d.dismiss()).catch(() => {});
	});
	return page;
}

// A new browser context (a person on their own device) whose pages are watched.
export async function newContext(browser, opts = {}) {
	const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 }, ...opts });
	ctx.csp = [];
	ctx.unexpected = [];
	await ctx.exposeBinding('__llCsp', ({ page }, text) => {
		ctx.csp.push(`${page.url()}: ${text}`);
	});
	await ctx.addInitScript(CSP_WATCH);
	ctx.on('page', (p) => watchPage(ctx, p));
	ctx.setDefaultTimeout(15000);
	ctx.setDefaultNavigationTimeout(20000);
	return ctx;
}

// Opens `path` in a new tab of `ctx`.
export async function openPage(ctx, path) {
	const page = watchPage(ctx, await ctx.newPage());
	if (path)
		await page.goto(BASE + path);
	return page;
}

// Fails if any page of `ctx` had a script error, a CSP violation or a dialog
// nobody expected.
export function checkClean(ctx, what = 'the pages') {
	const errors = ctx.pages().flatMap((p) => p.errors || []);
	check(errors.length === 0, `no script errors on ${what}: ${errors.join('; ')}`);
	check(ctx.csp.length === 0, `no Content-Security-Policy violations on ${what}: ` +
		ctx.csp.join('; '));
	check(ctx.unexpected.length === 0, `no unexpected dialogs on ${what}: ` +
		ctx.unexpected.join('; '));
}

export const pathIs = (path) => (url) => url.pathname === path;

// Clicks `selector` and waits for the page it leads to (a form's answer, which
// may be a redirect or an error page); returns the final response.
export async function clickAndLoad(page, selector) {
	const nav = page.waitForNavigation({ timeout: 20000 });
	try {
		await page.click(selector);
	} catch (e) {
		nav.catch(() => {}); // the click's error is the one to report
		throw e;
	}
	return nav;
}

// Signs `role` in through the sign-in form, in a new context; returns
// { ctx, page, user } with the page at /newsroom.
export async function signIn(browser, role, opts = {}) {
	const user = USERS[role];
	check(user, `a ${role} in LIVELINE_USERS`);
	const ctx = await newContext(browser, opts);
	const page = await openPage(ctx, '/newsroom');
	check(new URL(page.url()).pathname === '/newsroom/signin',
		`signed out, /newsroom leads to the sign-in page (got ${page.url()})`);
	await page.fill('#signin-login', user.login);
	await page.fill('#signin-password', user.password);
	await clickAndLoad(page, 'form[action="/newsroom/signin"] button[type="submit"]');
	if (new URL(page.url()).pathname !== '/newsroom')
		check(false, `${user.login} signed in and sees the pages list (at ${page.url()}: ` +
			`${await notice(page)})`);
	const name = (await page.textContent('.nr-user-name')).trim();
	check(name === user.name, `the bar names the user (${name})`);
	return { ctx, page, user };
}

// A browser of `role`, already signed in, with `path` open: the driver signed
// everyone in and left each session as a Playwright storage state in
// LIVELINE_SESSIONS (as a browser keeps its cookie). Without it, signs in
// through the form first. Returns { ctx, page, user }.
export async function asUser(browser, role, opts = {}, path = '/newsroom') {
	const file = process.env.LIVELINE_SESSIONS && join(process.env.LIVELINE_SESSIONS, `${role}.json`);
	if (!file || !existsSync(file)) {
		const r = await signIn(browser, role, opts);
		if (path !== '/newsroom')
			await r.page.goto(BASE + path);
		return r;
	}
	const user = USERS[role];
	const ctx = await newContext(browser, { ...opts, storageState: file });
	const page = await openPage(ctx, path);
	check(new URL(page.url()).pathname === path,
		`${user.login}'s session is valid (at ${page.url()})`);
	const name = (await page.textContent('.nr-user-name')).trim();
	check(name === user.name, `the bar names the user (${name})`);
	return { ctx, page, user };
}

// A JSON API call from the page, as newsroom.js makes them (session cookie
// and the page's CSRF token). Returns { status, json }.
export async function api(page, method, path, body) {
	return page.evaluate(async ({ method, path, body }) => {
		const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
		const r = await fetch(path, {
			method, credentials: 'same-origin',
			headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await r.text();
		let json = null;
		try { json = JSON.parse(text); } catch { /* not JSON */ }
		return { status: r.status, json, text };
	}, { method, path, body });
}

// Publishes a post through the API; returns its id.
export async function apiPost(page, slug, input) {
	const r = await api(page, 'POST', `/api/v1/pages/${slug}/posts`, input);
	check(r.status === 201 && r.json?.post?.id > 0,
		`post "${input.title}" published through the API (${r.status} ${r.text})`);
	return r.json.post.id;
}

// The published posts as the API lists them.
export async function apiPosts(page, slug) {
	const r = await api(page, 'GET', `/api/v1/pages/${slug}/posts`);
	check(r.status === 200, `posts of ${slug} listed (${r.status} ${r.text})`);
	return r.json.posts;
}

// Uploads the test photo through the API; returns its /media/ URL.
export async function uploadPhoto(page) {
	const { readFileSync } = await import('node:fs');
	const b64 = readFileSync(PNG).toString('base64');
	const r = await page.evaluate(async (b64) => {
		const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
		const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';
		const res = await fetch('/api/v1/media', {
			method: 'POST', credentials: 'same-origin',
			headers: { 'Content-Type': 'image/png', 'X-CSRF-Token': csrf }, body: bytes,
		});
		return { status: res.status, text: await res.text() };
	}, b64);
	check(r.status === 201, `photo uploaded (${r.status} ${r.text})`);
	return JSON.parse(r.text).media.url;
}

// The desk's published posts: [{ id, title }], in the order shown.
export function deskPosts(page) {
	return page.evaluate(() => [...document.querySelectorAll('#desk-posts .nr-post')].map((d) => ({
		id: Number(d.id.replace('desk-post-', '')),
		title: d.querySelector('.post-title')?.textContent.trim(),
	})));
}

// The notice at the top of a newsroom page ('' when none).
export async function notice(page) {
	const el = await page.$('.nr-notice');
	return el ? (await el.textContent()).trim() : '';
}

// The reader's post with this title, or null: { id, ... }.
export function readerPostByTitle(page, title) {
	return page.evaluate((title) => {
		const a = [...document.querySelectorAll('#updates > article.post')]
			.find((x) => x.querySelector('.post-title')?.textContent.trim() === title);
		return a ? { id: Number(a.dataset.id), domId: a.id } : null;
	}, title);
}

// "2026-02-17T10:37" (or with seconds) for a datetime-local field, in UTC
// (the scenarios' pages are in UTC).
export function utcLocalValue(ms, seconds = false) {
	return new Date(ms).toISOString().slice(0, seconds ? 19 : 16);
}

// Fails unless the page has no horizontal scroll; names the widest elements.
export async function checkNoSideScroll(page, what) {
	const w = await page.evaluate(() => {
		const name = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') +
			(typeof el.className === 'string' && el.className.trim()
				? '.' + el.className.trim().split(/\s+/).join('.') : '');
		return {
			scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
			wide: [...document.querySelectorAll('body *')]
				.filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 &&
					getComputedStyle(el).position !== 'fixed' && !el.closest('.vh, .skip-link'))
				.slice(0, 5)
				.map((el) => `${name(el)} (right ${Math.round(el.getBoundingClientRect().right)})`),
		};
	});
	check(w.scroll <= w.inner, `${what}: no horizontal scroll (scrollWidth ${w.scroll} > ` +
		`innerWidth ${w.inner}; wide: ${w.wide.join(', ')})`);
}
