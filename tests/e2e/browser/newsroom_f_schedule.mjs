// (newsroom f) Scheduling from the composer. The editor writes a post, sets
// "Publish at" a few seconds ahead (the page is in UTC, so the field's value
// is UTC) and clicks Schedule: the desk lists it under "Scheduled"; at the
// time, the server publishes it and the reader's open page shows it, and the
// desk's own lists move it from "Scheduled" to the published posts.
//
// The field is a datetime-local with minute precision (step 60 s), as a
// newsroom needs; to schedule 5 s ahead rather than wait for the next minute,
// the test gives it second precision (step="1"). The form and the server's
// parsing are otherwise those a person uses.
import {
	SLUG, asUser, check, checkClean, deskPosts, expect, finish, newContext, noPageErrors, notice,
	openLive, readerPostByTitle, until, utcLocalValue, withChromium,
} from './newsroom_lib.mjs';

const TITLE = 'Fireworks start on the hour';

// Fills "Publish at" with a time about 5 s ahead and clicks Schedule; returns
// the time (ms).
async function scheduleAhead(e) {
	await e.evaluate(() => { document.getElementById('c-publish-at').step = '1'; });
	const at = Math.ceil((Date.now() + 5000) / 1000) * 1000;
	await e.fill('#c-publish-at', utcLocalValue(at, new Date(at).getUTCSeconds() !== 0));
	await e.click('#composer-h ~ form button[value="schedule"]');
	return at;
}

await withChromium(async (browser) => {
	const readerCtx = await newContext(browser);
	const reader = await openLive(readerCtx);
	await reader.evaluate(() => { window.__sameDocument = true; });

	const editor = await asUser(browser, 'editor', {}, `/newsroom/${SLUG}`);
	const e = editor.page;
	check(/coordinated universal time|utc/i.test(await e.textContent('label[for="c-publish-at"]')),
		'the field says which zone it is in');
	await e.fill('#c-title', TITLE);
	await e.fill('#c-body', 'The display lasts **twelve minutes**.');

	// Schedule without a time: the form asks for one.
	await e.click('#composer-h ~ form button[value="schedule"]');
	await until(() => e.evaluate(() => document.activeElement?.id === 'c-publish-at'), 3000,
		'the focus on "Publish at"');
	check(new URL(e.url()).search === '', 'not sent without a time');

	// Now with a time. (A person who first forgot the time types it in and
	// clicks again: the form must let them.)
	let at = await scheduleAhead(e);
	const sent = await e.waitForURL((u) => u.searchParams.get('notice') === 'scheduled',
		{ timeout: 4000 }).then(() => true, () => false);
	if (!expect(sent, 'after a first try without a time, Schedule works once a time is ' +
		`filled in (the field still says "${await e.evaluate(() =>
			document.getElementById('c-publish-at').validationMessage)}")`)) {
		await e.goto(e.url());
		await e.fill('#c-title', TITLE);
		await e.fill('#c-body', 'The display lasts **twelve minutes**.');
		at = await scheduleAhead(e);
		await e.waitForURL((u) => u.searchParams.get('notice') === 'scheduled');
	}
	check(/scheduled/i.test(await notice(e)), `scheduled (${e.url()}: ${await notice(e)})`);
	const listed = await e.evaluate((title) => {
		const h = [...document.querySelectorAll('#desk-drafts h3')]
			.find((x) => /^Scheduled/.test(x.textContent.trim()));
		const items = h ? [...h.nextElementSibling.querySelectorAll('li.nr-draft')] : [];
		const li = items.find((x) => x.querySelector('.nr-draft-title')?.textContent.trim() === title);
		return { heading: h?.textContent.trim(), meta: li?.querySelector('.nr-meta')?.textContent };
	}, TITLE);
	check(listed.heading === 'Scheduled (1)', `a "Scheduled" list (${listed.heading})`);
	check(/Scheduled for \d\d:\d\d/.test(listed.meta || ''),
		`the post in it with its time (${listed.meta})`);
	check(!(await readerPostByTitle(reader, TITLE)), 'not on the reader page yet');

	const p = await until(() => readerPostByTitle(reader, TITLE),
		Math.max(1000, at - Date.now()) + 8000,
		'the scheduled post on the reader page');
	const late = Date.now() - at;
	check(late > -1000, `not published early (${late} ms after the time)`);
	check(await reader.evaluate(() => window.__sameDocument === true),
		'the reader page did not reload');

	// The desk follows: the post leaves "Scheduled" and joins the published ones.
	const moved = await until(async () => {
		const posts = await deskPosts(e);
		const sched = await e.$('#desk-drafts li.nr-draft-scheduled');
		return posts[0]?.id === p.id && !sched;
	}, 5000, 'the desk to move the post from Scheduled to published').catch(() => false);
	expect(moved, 'the open desk shows the scheduled post as published, without reload');

	noPageErrors(reader);
	checkClean(editor.ctx, "the editor's pages");
	checkClean(readerCtx, "the reader's page");
	console.log(`time: the scheduled post reached the reader ${(late / 1000).toFixed(1)} s ` +
		'after its time');
	finish(`post-${p.id} scheduled and published on time`);
});
