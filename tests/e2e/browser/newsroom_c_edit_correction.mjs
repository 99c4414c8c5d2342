// (newsroom c) Correcting a published post. The editor opens the post's edit
// page from the desk, changes the title and writes a correction note, and
// saves: the reader's open page replaces the post in place, with the note
// under it ("Updated HH:MM: ..."). The post's history lists both versions
// with the editor's name.
import {
	SLUG, apiPost, asUser, check, checkClean, clickAndLoad, eventually, expect, finish,
	newContext, noPageErrors, notice, openLive, openPage, until, visiblePosts, withChromium,
} from './newsroom_lib.mjs';

const OLD = 'Mayor to speak at 3pm';
const NEW = 'Mayor to speak at 4pm';
const NOTE = 'An earlier version of this post gave the wrong time for the speech.';
// "Updated 16:05: NOTE" (a zone or date may follow the time).
const UPDATED = new RegExp('Updated\\s+\\d{1,2}:\\d{2}\\b[^:]{0,60}:\\s*' +
	NOTE.replace(/[.]/g, '\\.'));

await withChromium(async (browser) => {
	const editor = await asUser(browser, 'editor', {}, `/newsroom/${SLUG}`);
	const name = editor.user.name;
	await apiPost(editor.page, SLUG, { title: 'Council opens', body: 'The meeting has begun.' });
	const id = await apiPost(editor.page, SLUG,
		{ title: OLD, body: 'The mayor will speak at **3pm**.' });
	await apiPost(editor.page, SLUG, { title: 'Protest outside', body: 'A small crowd gathered.' });

	const readerCtx = await newContext(browser);
	const reader = await openLive(readerCtx);
	await reader.evaluate(() => { window.__sameDocument = true; });
	const before = await visiblePosts(reader);
	check(before.map((p) => p.id).includes(`post-${id}`), 'the reader sees the post');

	const e = editor.page;
	await e.reload();
	await clickAndLoad(e, `#desk-post-${id} a[href$="/posts/${id}/edit"]`);
	check(new URL(e.url()).pathname === `/newsroom/${SLUG}/posts/${id}/edit`, 'the edit page');
	check(await e.inputValue('#e-title') === OLD, 'the form holds the title');
	check((await e.inputValue('#e-body')).includes('**3pm**'), 'and the body as Markdown');
	await e.fill('#e-title', NEW);
	await e.fill('#e-body', 'The mayor will speak at **4pm**.');
	await e.fill('#e-correction', NOTE);
	await clickAndLoad(e, 'main form.nr-form button.nr-btn-primary');
	check(/saved/i.test(await notice(e)), `saved (${e.url()}: ${await notice(e)})`);

	const live = await eventually(async () =>
		(await reader.textContent(`#post-${id} .post-title`)).trim() === NEW,
	5000, 'the new title on the reader page, without reload');
	if (live) {
		const after = await visiblePosts(reader);
		check(after.map((p) => p.id).join() === before.map((p) => p.id).join(),
			'the post kept its place among the others');
		check((await reader.textContent(`#post-${id} .post-body`)).includes('4pm'), 'the new body');
		check(await reader.evaluate(() => window.__sameDocument === true),
			'the reader page did not reload');
		let text = '';
		const shown = await until(async () => {
			text = (await reader.innerText(`#post-${id}`)).replace(/\s+/g, ' ');
			return text.includes(NOTE);
		}, 3000, 'the correction note on the reader page').catch(() => false);
		expect(shown, 'the reader sees the correction note under the post, live (the post ' +
			`reads: "${text}")`);
		expect(UPDATED.test(text), `the note reads "Updated HH:MM: ..." (the post reads: "${text}")`);
	}
	await reader.reload();
	await reader.waitForSelector(`#post-${id}`);
	const text = (await reader.innerText(`#post-${id}`)).replace(/\s+/g, ' ');
	expect(text.includes(NEW) && text.includes(NOTE),
		`the page as served has the new title and the note ("${text}")`);

	// The history: both versions, by the editor.
	const h = await openPage(editor.ctx, `/newsroom/${SLUG}/posts/${id}/edit`);
	check(await h.inputValue('#e-title') === NEW, 'the edit page now holds the new title');
	check((await h.textContent('.nr-current-note')).includes(NOTE),
		'the edit page shows the note readers see');
	await clickAndLoad(h, 'main .nr-meta a[href$="/history"]');
	const revs = await h.$$eval('li.nr-revision', (li) => li.map((x) => ({
		id: x.id, meta: x.querySelector('.nr-meta').textContent.replace(/\s+/g, ' '),
		title: x.querySelector('.post-title')?.textContent.trim(), text: x.textContent,
	})));
	check(revs.length === 2, `two versions listed (${revs.map((r) => r.id).join(', ')})`);
	check(revs[0].id === 'version-2' && revs[1].id === 'version-1', 'newest first');
	for (const r of revs)
		check(r.meta.includes(name), `${r.id} names ${name} (${r.meta})`);
	check(revs[0].title === NEW && revs[1].title === OLD, 'each version as it was');
	check(revs[0].text.includes(NOTE), 'version 2 carries the correction note');

	noPageErrors(reader);
	checkClean(editor.ctx, "the editor's pages");
	checkClean(readerCtx, "the reader's page");
	finish(`post-${id} corrected in place, history of 2 versions`);
});
