// (newsroom i) Nothing a newsroom page shows runs injected script. An editor
// publishes, through the composer, a post whose title, body, byline, alt
// text, credit and caption hold script, then corrects it with a note that
// does too, and saves a draft like it. The desk, the post editor, the preview,
// the history, the draft editor and the reader's pages (live and as served)
// all show the text as text: window.__pwned stays undefined, no dialog opens,
// no element with an on* attribute appears, and the pages' strict
// Content-Security-Policy reports no violation (an inline script or style of
// our own would be one; so would injected markup that got through escaping).
import {
	PNG, SLUG, asUser, check, checkClean, clickAndLoad, eventually, finish, newContext,
	noPageErrors, notice, openLive, openPage, readerPostByTitle, until, withChromium,
} from './newsroom_lib.mjs';

const IMG = '<img src=x onerror="window.__pwned=1">';
const SCRIPT = '<script>window.__pwned=1</script>';
const BOTH = `${IMG} ${SCRIPT}`;
const TITLE = `Title ${BOTH} "quoted" & 'single'`;
const BODY = [
	`Paragraph ${SCRIPT} and ${IMG} in text.`,
	'',
	IMG,
	'',
	`- item ${SCRIPT}`,
	`- **bold ${IMG}**`,
	'',
	`> quote ${BOTH}`,
	'',
	'A [link](javascript:window.__pwned=1) and <svg onload="window.__pwned=1"></svg>.',
].join('\n');

// Active content anywhere in `root`: on* attributes, javascript: URLs,
// elements that run or embed code.
const AUDIT = (root) => {
	const bad = [];
	for (const el of root.querySelectorAll('*')) {
		for (const a of el.attributes) {
			if (/^on/i.test(a.name))
				bad.push(`${el.tagName} ${a.name}`);
			if (/^\s*javascript:/i.test(a.value) && /^(href|src|action|formaction|data)$/i.test(a.name))
				bad.push(`${el.tagName} ${a.name}=${a.value}`);
		}
		if (/^(iframe|object|embed|svg|math)$/i.test(el.tagName))
			bad.push(`<${el.tagName.toLowerCase()}>`);
		if (el.tagName === 'SCRIPT' && !el.src && el.type !== 'application/ld+json')
			bad.push('an inline <script>');
	}
	return bad;
};

// Waits until every image of the page has loaded or failed (an onerror
// handler would have run by then), then checks nothing ran.
async function checkInert(page, what) {
	await page.waitForLoadState('load');
	await until(() => page.evaluate(() =>
		[...document.images].every((i) => i.complete || i.loading === 'lazy')), 5000,
		`the images of ${what} to settle`);
	await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
	check(await page.evaluate(() => window.__pwned) === undefined,
		`window.__pwned undefined on ${what}`);
	check(page.dialogs.length === 0, `no dialog on ${what}: ${page.dialogs.join('; ')}`);
	const bad = await page.$eval('html', AUDIT);
	check(bad.length === 0, `nothing active on ${what}: ${bad.join(', ')}`);
}

await withChromium(async (browser) => {
	const readerCtx = await newContext(browser);
	const reader = await openLive(readerCtx);

	const editor = await asUser(browser, 'editor', {}, `/newsroom/${SLUG}`);
	const e = editor.page;
	await e.fill('#c-title', TITLE);
	await e.fill('#c-body', BODY);
	await e.fill('#c-bylines', `Reporter ${IMG}|Role ${SCRIPT}`);
	await e.setInputFiles('#c-image', PNG);
	await e.fill('#c-image-alt', `Alt ${BOTH}`);
	await e.fill('#c-image-credit', `Credit ${BOTH}`);
	await e.fill('#c-image-caption', `Caption ${BOTH}`);
	await until(() => e.evaluate(() => document.getElementById('c-preview').querySelector('ul')),
		5000, 'the preview');
	await checkInert(e, 'the composer with its preview');
	await clickAndLoad(e, '#composer-h ~ form button[value="publish"]');
	check(/published/i.test(await notice(e)), `published (${e.url()}: ${await notice(e)})`);
	const id = (await e.$eval('#desk-posts .nr-post', (d) => Number(d.id.replace('desk-post-', ''))));
	const shown = (await e.textContent(`#desk-post-${id} .post-title`)).trim();
	check(shown === TITLE, `the desk shows the title as text (${shown})`);
	check((await e.getAttribute(`#desk-post-${id} figure.image img`, 'alt')) === `Alt ${BOTH}`,
		'the alt text as typed');
	await checkInert(e, 'the desk');

	// The reader's page, live.
	const p = await eventually(() => readerPostByTitle(reader, TITLE), 5000,
		'the post on the reader page, without reload');
	if (p) {
		check(p.id === id, 'the same post');
		await checkInert(reader, 'the reader page (live)');
	}

	// Correct it, with a note that holds script too.
	const ed = await openPage(editor.ctx, `/newsroom/${SLUG}/posts/${id}/edit`);
	check(await ed.inputValue('#e-title') === TITLE, 'the editor holds the title as typed');
	await checkInert(ed, 'the post editor');
	await ed.fill('#e-correction', `Note ${BOTH}`);
	await clickAndLoad(ed, 'main form.nr-form button.nr-btn-primary');
	check(/saved/i.test(await notice(ed)), `corrected (${await notice(ed)})`);
	await checkInert(ed, 'the desk after the edit');

	const hist = await openPage(editor.ctx, `/newsroom/${SLUG}/posts/${id}/history`);
	check(await hist.$$eval('li.nr-revision', (l) => l.length) === 2, 'two versions in the history');
	check((await hist.textContent('h1')).includes(TITLE), 'the history names the post as text');
	await checkInert(hist, 'the history');

	// A draft with the same text.
	await e.goto(e.url().split('?')[0]);
	await e.fill('#c-title', `Draft ${BOTH}`);
	await e.fill('#c-body', BODY);
	await clickAndLoad(e, '#composer-h ~ form button[value="draft"]');
	check(/draft saved/i.test(await notice(e)), `draft saved (${await notice(e)})`);
	await checkInert(e, 'the desk with the draft');
	const draftUrl = await e.getAttribute('#desk-drafts li.nr-draft a[href$="/edit"]', 'href');
	const dr = await openPage(editor.ctx, draftUrl);
	check(await dr.inputValue('#d-title') === `Draft ${BOTH}`, 'the draft editor holds the title');
	await until(() => dr.evaluate(() => document.getElementById('d-preview').querySelector('ul')),
		5000, 'the draft preview');
	await checkInert(dr, 'the draft editor with its preview');

	// The reader's pages as served.
	await reader.reload();
	if (await eventually(() => reader.$(`#post-${id}`), 3000,
		'the post on the reader page as served')) {
		await checkInert(reader, 'the reader page (served)');
		check((await reader.textContent(`#post-${id} .post-title`)).trim() === TITLE,
			'the title as text');
	}
	const one = await openPage(readerCtx, `/live/${SLUG}/posts/${id}`);
	await checkInert(one, "the post's own page");
	check((await one.textContent('h1.post-title')).trim() === TITLE,
		"the post's own page titles it as text");

	noPageErrors(reader);
	checkClean(editor.ctx, "the editor's pages");
	checkClean(readerCtx, "the reader's pages");
	const otherConsole = editor.ctx.pages().flatMap((x) => x.console);
	if (otherConsole.length)
		console.log('note: console errors (not CSP): ' + otherConsole.join('; '));
	finish(`post-${id} and a draft full of script stayed inert on every page`);
});
