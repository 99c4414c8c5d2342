// The embed framed by a page of another origin (argv[3], served by the python
// test on another port): it loads in the frame, its live script connects, and
// a post published after load appears inside the frame without a reload, the
// oldest of its ten posts leaving at the bottom. The
// live page itself, framed by the same page, is refused by the browser. Links
// in the frame open a new top-level window.
import { BASE, SLUG, check, post, until, withBrowser } from './lib.mjs';

const HOST = process.argv[3];

await withBrowser(async (ctx) => {
	const page = await ctx.newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	// The browser's own refusal to frame the live page is expected (below),
	// as is the host server's 404 for a favicon.
	page.on('console', (m) => {
		if (m.type() !== 'error' || /frame-ancestors 'none'/.test(m.text()) ||
		    /favicon\.ico$/.test(m.location().url || ''))
			return;
		errors.push(`${m.text()} (${m.location().url})`);
	});
	// A CSP violation in the frame is an error too (the embed's own policy).
	await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => {
		if (location.pathname.endsWith('/embed'))
			console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
	}));
	await page.goto(HOST);

	const embedUrl = `${BASE}/live/${SLUG}/embed`;
	let frame = null;
	await until(() => (frame = page.frames().find((f) => f.url() === embedUrl)), 10000,
		'the embed frame');
	await until(() => frame.evaluate(() => document.querySelectorAll('#updates > article.post')
		.length === 10), 10000, 'the embed\'s ten posts in the frame');
	await until(() => frame.evaluate(() =>
		document.querySelector('.live-indicator')?.dataset.state === 'connected'),
	10000, 'the frame\'s live indicator to say connected');
	await frame.evaluate(() => { window.__sameDocument = true; });

	const id = post('Seen from another site', 'Published **after** the frame loaded.');
	await until(() => frame.evaluate((id) => !!document.getElementById('post-' + id), id), 10000,
		`post-${id} inside the frame`);
	const first = await frame.evaluate(() =>
		document.querySelector('#updates > article.post').id);
	check(first === `post-${id}`, `the new post is first in the frame (${first})`);
	check(await frame.evaluate(() => window.__sameDocument === true), 'the frame did not reload');
	const title = await frame.evaluate((id) =>
		document.querySelector(`#post-${id} .post-title`).textContent.trim(), id);
	check(title === 'Seen from another site', `its title (${title})`);
	// Still the newest ten: the oldest went out at the bottom.
	const count = await frame.evaluate(() => document.querySelectorAll('#updates > article.post')
		.length);
	check(count === 10, `ten posts in the frame (${count})`);

	// A link in the new post (added by the stream) and the full-coverage link
	// open a new top-level window, not inside the frame.
	const target = await frame.evaluate((id) => {
		const a = document.querySelector(`#post-${id} .post-title a`);
		return a.target || document.querySelector('base')?.target;
	}, id);
	check(target === '_blank', `the post's link opens a new window (${target})`);
	const [popup] = await Promise.all([
		ctx.waitForEvent('page', { timeout: 10000 }),
		frame.click('.embed-more a'),
	]);
	await popup.waitForLoadState('domcontentloaded');
	check(popup.url() === `${BASE}/live/${SLUG}`, `the full coverage in a new window (${popup.url()})`);
	check(page.url() === HOST, 'the host page stayed where it was');
	check(await popup.evaluate(() => window.opener === null), 'no opener for the new window');

	// The live page itself refuses to be framed: its frame stays empty.
	const liveFrame = page.frames().find((f) => f.url() === `${BASE}/live/${SLUG}`);
	const framedLive = liveFrame
		? await liveFrame.evaluate(() => !!document.getElementById('updates')).catch(() => false)
		: false;
	check(!framedLive, 'the live page did not render inside another site\'s frame');
	check(errors.length === 0, 'no script errors: ' + errors.join('; '));
	console.log(`ok: post-${id} appeared inside the frame`);
});
