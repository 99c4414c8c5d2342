// (newsroom a) The goal: publish a post with a photo in under a minute.
// An admin creates the live page through the "New live page" form, starts
// coverage and publishes the page; an editor signs in through the sign-in form and writes a post in
// the desk's composer (the live preview renders the Markdown), attaches a
// photo with alt text, credit and caption, and publishes; a reader who has the
// page open (another browser, not signed in) sees the post with its photo
// appear without reloading. Prints how long the editor's part took.
import {
	BASE, PNG, SLUG, check, checkClean, clickAndLoad, deskPosts, expect, finish, newContext,
	noPageErrors, notice, openLive, pathIs, readerPostByTitle, signIn, until, utcLocalValue,
	withChromium,
} from './newsroom_lib.mjs';

const PAGE_TITLE = 'Harbour fire: live updates';
const TITLE = 'Fire crews reach the harbour warehouse';
const BODY = 'Firefighters are **containing** the blaze at the old warehouse.\n\n' +
	'- The harbour road is closed\n- Ferries leave from the north pier';
const ALT = 'Firefighters spray water on a burning warehouse roof at dusk';
const CREDIT = 'Harbour News / J. Doe';
const CAPTION = 'Crews arrived at 18:05';

await withChromium(async (browser) => {
	const tAll = Date.now();

	// The admin creates the page with the form and starts coverage.
	const admin = await signIn(browser, 'admin');
	const a = admin.page;
	check(await a.isVisible('#new-page-h'), 'the admin sees the "New live page" form');
	await a.fill('#np-title', PAGE_TITLE);
	await a.fill('#np-slug', SLUG);
	await a.fill('#np-description', 'The fire at the harbour, as it happens.');
	await a.fill('#np-zone', 'UTC');
	await a.fill('#np-start', utcLocalValue(Date.now() + 3600e3));
	await clickAndLoad(a, '#new-page-h ~ form button[type="submit"]');
	check(pathIs(`/newsroom/${SLUG}`)(new URL(a.url())),
		`the form leads to the new page's desk (at ${a.url()}: ${await notice(a)})`);
	check(/created/i.test(await notice(a)), `a confirmation (${await notice(a)})`);
	check((await a.textContent('#desk-head h1')).trim() === PAGE_TITLE, 'the desk shows the title');
	check(/planned start/i.test(await a.textContent('#desk-head .nr-meta')),
		'the desk shows the planned start');
	await clickAndLoad(a, '#desk-head form[action$="/status"] button:has-text("Start coverage")');
	check(/status changed/i.test(await notice(a)), `coverage started (${await notice(a)})`);
	check(/live/i.test(await a.textContent('#desk-head .status')), 'the desk says live');
	check(await a.isVisible('#desk-head button:has-text("End coverage")'), 'and offers to end it');
	// A new page is the newsroom's alone until it is published.
	check(/not published/i.test(await a.textContent('#desk-head .nr-unpublished')),
		'the desk says the new page is not published');
	await clickAndLoad(a, '#desk-head form[action$="/publish"] button:has-text("Publish page")');
	check(/published/i.test(await notice(a)), `the page is published (${await notice(a)})`);
	check(!(await a.isVisible('#desk-head .nr-unpublished')), 'the desk no longer says otherwise');
	check(await a.isVisible('#desk-head button:has-text("Unpublish page")'),
		'and offers to unpublish it');

	// A reader opens the page.
	const readerCtx = await newContext(browser);
	const reader = await openLive(readerCtx);
	await reader.evaluate(() => { window.__sameDocument = true; });
	check(/live/i.test(await reader.textContent('header.page-head .status')),
		'the reader sees "live"');

	// The editor signs in, writes and publishes.
	const editor = await signIn(browser, 'editor');
	const e = editor.page;
	const t0 = Date.now();
	await clickAndLoad(e, `a[href="/newsroom/${SLUG}"]`);
	check(pathIs(`/newsroom/${SLUG}`)(new URL(e.url())), 'the editor opened the desk from the list');
	await e.fill('#c-title', TITLE);
	await e.fill('#c-body', BODY);
	await until(() => e.evaluate(() => {
		const p = document.getElementById('c-preview');
		return p && !p.closest('[hidden]') && p.querySelector('strong')?.textContent === 'containing' &&
			p.querySelectorAll('ul > li').length === 2;
	}), 5000, 'the live preview to show <strong> and a two-item <ul>');
	const preview = await e.textContent('#c-preview');
	check(!preview.includes('**'), `the preview shows no Markdown marks (${preview.trim()})`);
	const previewTitle = await e.evaluate(() =>
		document.querySelector('#c-preview .post-title')?.textContent.trim() ?? null);
	expect(previewTitle === null || previewTitle === TITLE,
		`a title in the preview is the one typed ("${previewTitle}" while the title field ` +
		`holds "${TITLE}")`);

	await e.setInputFiles('#c-image', PNG);
	await until(() => e.evaluate(() => {
		const img = document.querySelector('#c-thumb img');
		return img && !document.getElementById('c-thumb').hidden && img.naturalWidth === 1200 &&
			img.src.startsWith('data:image/png');
	}), 5000, 'a thumbnail of the chosen photo');
	await e.fill('#c-image-alt', ALT);
	await e.fill('#c-image-credit', CREDIT);
	await e.fill('#c-image-caption', CAPTION);
	const tClick = Date.now();
	const res = await clickAndLoad(e, '#composer-h ~ form button[value="publish"]');
	const tAnswer = Date.now();
	check(res && res.status() === 200 && /published/i.test(await notice(e)),
		`published (${res && res.status()} ${e.url()}: ${await notice(e)})`);

	const post = await until(() => readerPostByTitle(reader, TITLE), 5000,
		'the post on the reader page');
	const ms = Date.now() - t0;
	const msLive = Date.now() - tAnswer;
	const sel = `#${post.domId}`;
	await until(() => reader.evaluate((sel) => {
		const img = document.querySelector(`${sel} figure.image img`);
		return img && img.complete && img.naturalWidth > 0;
	}, sel), 5000, 'the photo to load on the reader page');
	const seen = await reader.evaluate((sel) => {
		const a = document.querySelector(sel);
		const img = a.querySelector('figure.image img');
		const cap = a.querySelector('figure.image figcaption');
		return {
			src: img.getAttribute('src'), alt: img.getAttribute('alt'),
			cap: cap ? cap.innerText : '', strong: a.querySelector('.post-body strong')?.textContent,
			items: a.querySelectorAll('.post-body ul li').length,
			first: document.querySelector('#updates > article.post') === a,
		};
	}, sel);
	check(/^\/media\/[^/]+$/.test(seen.src), `the image is served from /media/ (${seen.src})`);
	check(seen.alt === ALT, `alt text as typed (${seen.alt})`);
	check(seen.cap.includes(CAPTION), `the caption is visible (${seen.cap})`);
	check(seen.cap.includes(CREDIT), `the credit is visible (${seen.cap})`);
	check(seen.strong === 'containing' && seen.items === 2, 'the body as Markdown: bold and a list');
	check(seen.first, 'the new post is at the top of the reader page');
	check(await reader.isVisible(`${sel} figure.image figcaption`), 'the caption is shown');
	check(await reader.evaluate(() => window.__sameDocument === true),
		'the reader page did not reload');
	const img = await fetch(BASE + seen.src);
	check(img.ok && /^image\//.test(img.headers.get('content-type') || ''),
		`the image answers ${img.status} ${img.headers.get('content-type')}`);

	check(ms < 60000, `published with a photo in under a minute (${ms} ms)`);
	const desk = await deskPosts(e);
	check(desk[0]?.id === post.id, 'the desk lists the new post first');
	noPageErrors(reader);
	checkClean(admin.ctx, "the admin's pages");
	checkClean(editor.ctx, "the editor's pages");
	checkClean(readerCtx, "the reader's page");
	console.log(`time: publish with a photo took ${(ms / 1000).toFixed(1)} s (editor opens the ` +
		`desk -> reader sees the post; the form's answer took ${tAnswer - tClick} ms, ` +
		`then ${msLive} ms until the reader had it); whole scenario with page creation ` +
		`${((Date.now() - tAll) / 1000).toFixed(1)} s`);
	finish(`post-${post.id} with its photo reached the reader in ${ms} ms`);
});
