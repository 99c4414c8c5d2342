// (newsroom e) Pin and delete from the desk. Pinning a post puts it in the
// reader's pinned section; deleting one (after the confirmation, which can be
// declined) takes it off the reader's open page; unpinning removes the
// pinned section. All without the reader reloading.
import {
	SLUG, asUser, check, checkClean, clickAndLoad, deskPosts, eventually, expect, finish,
	newContext, noPageErrors, notice, openLive, post, until, withChromium,
} from './newsroom_lib.mjs';

await withChromium(async (browser) => {
	const first = post('Polls close', 'Polls closed at 10pm.');
	const keep = post('Turnout estimated at 64%', 'Early estimates put turnout at **64%**.');
	const gone = post('Recount rumour', 'A recount has been mentioned.');
	const last = post('First result declared', 'The first seat has been declared.');

	const readerCtx = await newContext(browser);
	const reader = await openLive(readerCtx);
	await reader.evaluate(() => { window.__sameDocument = true; });
	check(!(await reader.$('section.pinned-post')), 'nothing pinned at first');

	const editor = await asUser(browser, 'editor', {}, `/newsroom/${SLUG}`);
	const e = editor.page;
	check((await deskPosts(e)).map((p) => p.id).join() === [last, gone, keep, first].join(),
		'the desk lists the posts newest first');

	// Pin.
	await clickAndLoad(e, `#desk-post-${keep} form[action$="/posts/${keep}/pin"] button`);
	check(/pinned/i.test(await notice(e)), `pinned (${await notice(e)})`);
	const mark = await e.evaluate((id) => {
		const d = document.getElementById(`desk-post-${id}`);
		return { cls: d.classList.contains('nr-post-pinned'), text: /\bPinned\b/i.test(d.innerText) };
	}, keep);
	check(mark.cls && mark.text, `the desk marks the post as pinned (${JSON.stringify(mark)})`);
	check(await e.isVisible(`#desk-post-${keep} form[action$="/unpin"] button`), 'and offers Unpin');
	if (await eventually(() => reader.$(`section.pinned-post #pinned-${keep}`), 5000,
		'the pinned section on the reader page, without reload')) {
		const pinned = await reader.evaluate((keep) => ({
			heading: document.querySelector('section.pinned-post h2')?.textContent.trim(),
			title: document.querySelector(`#pinned-${keep} .post-title`)?.textContent.trim(),
			visible: !!document.querySelector('section.pinned-post')?.offsetParent,
			label: document.querySelector(`#post-${keep} .label-pinned`)?.textContent.trim(),
		}), keep);
		check(pinned.visible && pinned.heading === 'Pinned',
			`the reader sees "Pinned" (${pinned.heading})`);
		check(pinned.title === 'Turnout estimated at 64%', `with the post (${pinned.title})`);
		expect(pinned.label === 'Pinned', `the post in the list is labelled "Pinned" (${pinned.label})`);
	}

	// Delete: first declined, then confirmed.
	const del = `#desk-post-${gone} form[action$="/posts/${gone}/delete"] button`;
	e.dialogAnswer = 'dismiss';
	await e.click(del);
	await until(() => e.dialogs.length === 1, 3000, 'the confirmation');
	check(/delete this post/i.test(e.dialogs[0]), `it asks first ("${e.dialogs[0]}")`);
	check(await e.$(`#desk-post-${gone}`), 'declined: the post is still on the desk');
	check(await reader.$(`#post-${gone}`), 'declined: the reader still has it');
	e.dialogAnswer = 'accept';
	await clickAndLoad(e, del);
	e.dialogAnswer = null;
	check(/deleted/i.test(await notice(e)), `deleted (${await notice(e)})`);
	check(!(await e.$(`#desk-post-${gone}`)), 'gone from the desk');
	await eventually(async () => !(await reader.$(`#post-${gone}`)), 5000,
		'the post to leave the reader page, without reload');
	check(await reader.$(`#post-${first}`) && await reader.$(`#post-${last}`), 'the others stay');

	// Unpin.
	await clickAndLoad(e, `#desk-post-${keep} form[action$="/unpin"] button`);
	check(/unpinned/i.test(await notice(e)), `unpinned (${await notice(e)})`);
	await eventually(async () => !(await reader.$('section.pinned-post')), 5000,
		'the pinned section to go, without reload');
	check(await reader.evaluate(() => window.__sameDocument === true),
		'the reader page did not reload');

	noPageErrors(reader);
	checkClean(editor.ctx, "the editor's pages");
	checkClean(readerCtx, "the reader's page");
	finish(`post-${keep} pinned and unpinned, post-${gone} deleted, live`);
});
