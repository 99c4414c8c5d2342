/*
 * Liveline's reader script: live updates on the newest page of a live page.
 * The page is whole without it; this follows the change stream (docs/stream.md)
 * and applies each change to the server-rendered markup.
 *
 * Three promises to the reader: the text under their eyes never moves (posts
 * that would land above the viewport wait behind a "N new posts" button); focus
 * moves only when they ask for it (the button); and what appears is also said,
 * politely, to screen readers. The HTML in events is rendered and escaped by
 * our server; it goes in through a <template>, never pasted together with data.
 */
(() => {
	'use strict';

	const updates = document.getElementById('updates');
	const head = document.querySelector('header.page-head');
	if (!updates || !head || !window.EventSource)
		return;
	const slug = updates.dataset.slug;
	if (!slug || updates.dataset.page !== updates.dataset.pages)
		return; /* an older page does not change at the top */

	const RELOAD_KEY = 'liveline-reload:' + slug;
	const RELOAD_GAP_MS = 10000; /* at most one automatic reload in 10 s */
	const RETRY_MS = 30000;      /* after the browser gives up (an HTTP error) */
	const STATES = {
		connecting: 'Connecting to live updates\u2026',
		connected: 'Live: new posts appear automatically',
		reconnecting: 'Connection lost. Reconnecting\u2026',
		offline: 'Live updates paused. Trying again shortly\u2026',
		stale: 'This page is out of date. Reload it to catch up.',
		ended: 'Coverage has ended',
	};
	const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

	let lastSeq = Number(updates.dataset.seq) || 0;
	let baseTitle = document.title;
	let held = [];            /* [{id, el}] waiting behind the button, oldest first */
	let es = null;
	let retryTimer = 0;
	let ended = false;

	const el = (tag, cls, attrs = {}) => {
		const e = document.createElement(tag);
		e.className = cls;
		for (const [k, v] of Object.entries(attrs))
			e.setAttribute(k, v);
		return e;
	};

	/* ---- what this script adds to the page ---- */

	const indicator = el('p', 'live-indicator', { role: 'status' });
	head.append(indicator);

	const announcer = el('div', 'vh', { 'aria-live': 'polite' });
	document.body.append(announcer);

	/* A bar of no height, sticky at the top of the updates: the button shows in
	 * it without pushing anything down. New posts go in right after it. */
	const bar = el('div', 'new-posts-bar');
	const button = el('button', 'new-posts', { type: 'button' });
	button.hidden = true;
	bar.append(button);
	const heading = updates.querySelector(':scope > #updates-h');
	if (heading)
		heading.after(bar);
	else
		updates.prepend(bar);

	/* The first element of a fragment rendered by our server, or null. */
	const parse = (html) => {
		const t = document.createElement('template');
		t.innerHTML = html || '';
		return t.content.firstElementChild;
	};

	const setState = (state) => {
		indicator.dataset.state = state;
		if (indicator.textContent !== STATES[state])
			indicator.textContent = STATES[state];
	};

	const announce = (text) => {
		/* Emptied first, so that the same words twice are read twice. */
		announcer.textContent = '';
		setTimeout(() => { announcer.textContent = text; }, 50);
	};

	const countText = (n) => (n === 1 ? '1 new post' : n + ' new posts');
	const titleOf = (article) => article.querySelector('.post-title')?.textContent.trim() || '';
	const postEl = (id) => document.getElementById('post-' + id);
	const heldIndex = (id) => held.findIndex((h) => h.id === id);

	/* ---- keeping the text still ---- */

	/* What can be at the top of the viewport; posts are found again by id. */
	const ANCHORS = ['header.page-head', 'section.summary', 'section.pinned-post'];
	const anchorKey = (e) => (e.id ? '#' + CSS.escape(e.id) : ANCHORS.find((s) => e.matches(s)));

	/* Runs `change`, then scrolls by as much as it moved what is on screen, so
	 * that nothing under the reader's eyes moves, with or without the browser's
	 * own scroll anchoring. The anchor is the first thing whose top is on screen
	 * (one that starts above may be the thing that changes), else the one that
	 * fills the screen. At the very top there is nothing to keep. */
	const keepStill = (change) => {
		let anchor = null;
		/* The browser's anchoring is off while we do it, or both would move. */
		const root = document.documentElement.style;
		root.overflowAnchor = 'none';
		requestAnimationFrame(() => requestAnimationFrame(() => { root.overflowAnchor = ''; }));
		if (window.scrollY > 0) {
			for (const e of document.querySelectorAll(ANCHORS.join() + ',#updates > .post')) {
				const r = e.getBoundingClientRect();
				if (r.bottom <= 0 || !r.height)
					continue;
				if (anchor && r.top >= window.innerHeight)
					break;
				anchor = { key: anchorKey(e), top: r.top };
				if (r.top >= 0)
					break;
			}
		}
		change();
		const e = anchor && document.querySelector(anchor.key);
		const delta = e ? e.getBoundingClientRect().top - anchor.top : 0;
		if (Math.abs(delta) >= 0.5)
			window.scrollBy(0, delta);
	};

	/* True when the place new posts go is on screen or below it: the reader is
	 * at the top of the updates (or above them) and sees a post come in. Once
	 * that place has scrolled above the screen, a post put there would push
	 * down the text being read, so it waits behind the button instead. */
	const atTop = () =>
		(updates.querySelector(':scope > .post') || updates).getBoundingClientRect().top >= -1;

	/* ---- posts ---- */

	const insertPost = (article) => {
		updates.querySelector(':scope > .empty')?.remove();
		article.classList.add('is-new'); /* slides in (style.css; not under reduced motion) */
		bar.after(article);
	};

	const showHeld = () => {
		button.hidden = held.length === 0;
		button.textContent = countText(held.length);
		document.title = held.length ? `(${held.length}) ${baseTitle}` : baseTitle;
	};

	/* Puts the held posts on the page and takes the reader to the newest. */
	const reveal = () => {
		const batch = held;
		if (!batch.length)
			return;
		held = [];
		/* In without a jump, then a scroll to them that the reader can follow. */
		keepStill(() => batch.forEach((h) => insertPost(h.el)));
		showHeld();
		const newest = batch[batch.length - 1].el;
		newest.tabIndex = -1;
		newest.scrollIntoView({ behavior: reduceMotion.matches ? 'auto' : 'smooth', block: 'start' });
		newest.focus({ preventScroll: true });
	};

	button.addEventListener('click', reveal);

	const onPost = (d) => {
		const article = !d.gone && parse(d.html); /* gone: deleted since, a delete follows */
		if (!article)
			return;
		if (postEl(d.post_id) || heldIndex(d.post_id) >= 0)
			return onUpdate(d); /* never the same post twice */
		if (!held.length && atTop()) {
			insertPost(article);
			announce('New post: ' + titleOf(article));
		} else {
			held.push({ id: d.post_id, el: article });
			showHeld();
			announce(countText(held.length));
		}
	};

	const onUpdate = (d) => {
		const article = parse(d.html);
		const i = heldIndex(d.post_id);
		if (article && i >= 0)
			held[i].el = article;
		const pinned = parse(d.pinned_html);
		keepStill(() => {
			if (article)
				postEl(d.post_id)?.replaceWith(article);
			if (pinned) {
				const old = pinned.matches('section.pinned-post')
					? document.querySelector('section.pinned-post')
					: document.getElementById('pinned-' + d.post_id);
				old?.replaceWith(pinned);
			}
		});
	};

	const onDelete = (d) => {
		const i = heldIndex(d.post_id);
		if (i >= 0) {
			held.splice(i, 1);
			showHeld();
		}
		keepStill(() => {
			postEl(d.post_id)?.remove();
			document.getElementById('pinned-' + d.post_id)?.closest('section.pinned-post')?.remove();
		});
	};

	/* ---- the page around the posts ---- */

	/* Replaces `selector` by `html`; inserts it after the first of `after` that
	 * is on the page when it is absent; removes it when `html` is empty. */
	const replaceSection = (selector, html, after) => keepStill(() => {
		const old = document.querySelector(selector);
		const fresh = parse(html);
		if (!fresh)
			old?.remove();
		else if (old)
			old.replaceWith(fresh);
		else
			after.map((s) => document.querySelector(s)).find(Boolean)?.after(fresh);
	});

	/* The pinned section moves; the list's copies change their "Pinned" label. */
	const onPin = (d) => {
		replaceSection('section.pinned-post', d.html, ['section.summary', 'header.page-head']);
		keepStill(() => {
			updates.querySelectorAll('article.post.pinned').forEach((a) => {
				a.classList.remove('pinned');
				a.querySelector('.label-pinned')?.remove();
			});
			const fresh = parse(d.post_html);
			if (fresh)
				postEl(d.post_id)?.replaceWith(fresh);
		});
	};

	const onStatus = (d) => {
		const fresh = parse(d.html);
		const old = head.querySelector('p.status');
		if (fresh && old)
			old.replaceWith(fresh);
		else if (fresh)
			head.prepend(fresh);
		if (d.status === 'ended') {
			ended = true;
			close();
			setState('ended');
		}
	};

	const onPage = (d) => {
		const h1 = head.querySelector('h1');
		if (h1 && typeof d.title === 'string' && d.title) {
			if (baseTitle.startsWith(h1.textContent))
				baseTitle = d.title + baseTitle.slice(h1.textContent.length);
			h1.textContent = d.title;
			showHeld();
		}
		if (typeof d.description !== 'string')
			return;
		let p = head.querySelector('p.description');
		if (!d.description) {
			p?.remove();
		} else {
			if (!p) {
				p = el('p', 'description');
				(h1 || indicator).after(p);
			}
			p.textContent = d.description;
		}
	};

	const onReload = () => {
		try {
			const last = Number(sessionStorage.getItem(RELOAD_KEY)) || 0;
			if (Date.now() - last >= RELOAD_GAP_MS) {
				sessionStorage.setItem(RELOAD_KEY, String(Date.now()));
				location.reload();
				return;
			}
		} catch {
			/* No storage, so no guard against a reload loop: let the reader decide. */
		}
		setState('stale');
	};

	const handlers = {
		post: onPost,
		update: onUpdate,
		delete: onDelete,
		pin: onPin,
		summary: (d) => replaceSection('section.summary', d.html, ['header.page-head']),
		status: onStatus,
		page: onPage,
	};

	/* ---- the stream ---- */

	const handle = (e) => {
		let d;
		try {
			d = JSON.parse(e.data);
		} catch {
			return;
		}
		const seq = Number(e.lastEventId) || Number(d.seq) || 0;
		if (seq && seq <= lastSeq)
			return; /* applied already */
		lastSeq = seq || lastSeq;
		handlers[e.type](d);
		/* For the other blocks of this file: each change applied, once. */
		document.dispatchEvent(new CustomEvent('liveline:change',
			{ detail: { kind: e.type, data: d, keepStill } }));
	};

	const open = () => {
		clearTimeout(retryTimer);
		if (es || ended)
			return;
		setState('connecting');
		es = new EventSource(`/live/${encodeURIComponent(slug)}/events?since=${lastSeq}&readers=1`);
		for (const kind of Object.keys(handlers))
			es.addEventListener(kind, handle);
		es.addEventListener('reload', onReload);
		/* "N reading now" is the block at the end's (no id, no seq). */
		es.addEventListener('readers', (e) =>
			updates.dispatchEvent(new CustomEvent('liveline-readers', { detail: e.data })));
		es.onopen = () => setState('connected');
		es.onerror = () => {
			if (es?.readyState !== EventSource.CLOSED) {
				setState('reconnecting'); /* the browser retries, sending Last-Event-ID */
				return;
			}
			/* The browser gave up (an HTTP error, not a dropped line): try again
			 * later, from the last change we applied. */
			close();
			setState('offline');
			retryTimer = setTimeout(open, RETRY_MS * (0.5 + Math.random()));
		};
	};

	const close = () => {
		clearTimeout(retryTimer);
		es?.close();
		es = null;
	};

	/* An open stream keeps a page out of the back-forward cache: close it on
	 * the way out, and go on from where we were if the page comes back. */
	window.addEventListener('pagehide', close);
	window.addEventListener('pageshow', (e) => {
		if (e.persisted)
			open();
	});

	if (head.querySelector('p.status-ended')) {
		ended = true;
		setState('ended');
	} else {
		open();
	}
})();

/* ---- the embed (/live/SLUG/embed, render_embed.c) ----
 * A frame on another site shows the newest posts (RENDER_EMBED_POSTS), however
 * long it stays open: posts the stream adds at the top push the oldest out at
 * the bottom, so the list and the page's memory do not grow for hours. */
(() => {
	'use strict';

	const KEEP = 10; /* RENDER_EMBED_POSTS */
	const updates = document.getElementById('updates');
	if (!updates || !document.body.classList.contains('page-embed') || !window.MutationObserver)
		return;
	new MutationObserver(() => {
		const posts = updates.querySelectorAll(':scope > article.post');
		for (let i = KEEP; i < posts.length; i++)
			posts[i].remove();
	}).observe(updates, { childList: true });
})();

/*
 * "N reading now": the figure in the page head's p.readers-now, from the
 * stream's `readers` event (docs/stream.md), which the block above passes on
 * as a `liveline-readers` event on #updates. The server sends it at most
 * every few seconds and only when it changed; the page renders the element
 * empty and hidden (the cached HTML does not change with every reader). Not a
 * live region: a figure that moves every few seconds is not worth announcing.
 */
(() => {
	'use strict';

	const updates = document.getElementById('updates');
	const figure = document.querySelector('header.page-head p.readers-now');
	if (!updates || !figure)
		return;
	let format;
	try {
		format = new Intl.NumberFormat(document.documentElement.lang || undefined);
	} catch {
		format = new Intl.NumberFormat();
	}
	updates.addEventListener('liveline-readers', (e) => {
		let n;
		try {
			n = Number(JSON.parse(e.detail).readers);
		} catch {
			return;
		}
		if (!Number.isSafeInteger(n) || n < 1) {
			figure.hidden = true;
			return;
		}
		figure.textContent = `${format.format(n)} reading now`;
		figure.dataset.readers = String(n);
		figure.hidden = false;
	});
})();

/*
 * What readers get beside the posts (markup from src/render/render_audience.c):
 * the list of key events, kept in step with the stream through the
 * 'liveline:change' events of the block above, and each post's share control.
 * Without this script the list is right at every load and the share control
 * is a plain link to the post's permalink.
 */
(() => {
	'use strict';

	const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)');
	const plainClick = (e) =>
		e.button === 0 && !e.defaultPrevented && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;

	/* ---- key events ---- */

	/* Where the list goes when a page without one gets its first: after the
	 * pinned post, else the summary, else the page's heading (the order the
	 * server renders). */
	const KEY_EVENTS_AFTER = ['section.pinned-post', 'section.summary', 'header.page-head'];

	document.addEventListener('liveline:change', (e) => {
		const { data, keepStill } = e.detail || {};
		if (!data || typeof data.key_events_html !== 'string')
			return;
		const t = document.createElement('template');
		t.innerHTML = data.key_events_html;
		const fresh = t.content.firstElementChild;
		const old = document.getElementById('key-events');
		/* A reader on a link of the list stays on the same link. */
		const focused = old?.contains(document.activeElement) ? document.activeElement.dataset.post : null;
		(keepStill || ((f) => f()))(() => {
			if (!fresh)
				old?.remove();
			else if (old)
				old.replaceWith(fresh);
			else
				KEY_EVENTS_AFTER.map((s) => document.querySelector(s)).find(Boolean)?.after(fresh);
		});
		if (focused)
			fresh?.querySelector(`a[data-post="${CSS.escape(focused)}"]`)?.focus();
	});

	/* A key event whose post is on this page goes there in place, even when the
	 * server now counts it on an older page (posts that arrived live push the
	 * older ones down without a reload). */
	document.addEventListener('click', (e) => {
		const a = e.target.closest?.('#key-events a[data-post]');
		if (!a || !plainClick(e))
			return;
		const post = document.getElementById('post-' + a.dataset.post);
		if (!post)
			return; /* on another page: the link goes there */
		e.preventDefault();
		history.pushState(null, '', '#' + post.id);
		post.tabIndex = -1;
		post.scrollIntoView({ behavior: reduceMotion.matches ? 'auto' : 'smooth', block: 'start' });
		post.focus({ preventScroll: true });
	});

	/* ---- share ---- */

	const canShare = typeof navigator.share === 'function';
	const canCopy = typeof navigator.clipboard?.writeText === 'function';
	if (!canShare && !canCopy)
		return; /* the links stay links to the permalinks */

	/* Said to screen readers; the words also show beside the link. */
	const status = document.createElement('div');
	status.className = 'vh';
	status.setAttribute('role', 'status');
	status.setAttribute('aria-live', 'polite');
	document.body.append(status);

	const label = (a) => {
		a.dataset.share = canShare ? 'share' : 'copy';
		const vh = document.createElement('span');
		vh.className = 'vh';
		vh.textContent = canShare ? ' this post' : ' to this post';
		a.replaceChildren(canShare ? 'Share' : 'Copy link', vh);
	};
	/* Posts that arrive live get theirs too. */
	const labelAll = () => document.querySelectorAll('a.share-link:not([data-share])').forEach(label);
	labelAll();
	new MutationObserver(labelAll).observe(document.body, { childList: true, subtree: true });

	/* The shared address starts with the page's canonical one (the public
	 * base URL), not with whatever host this page was reached by. */
	const urlOf = (a) =>
		new URL(a.getAttribute('href'), document.querySelector('link[rel="canonical"]')?.href || location.href).href;

	const confirmCopy = (a) => {
		let note = a.parentElement.querySelector('.share-note');
		if (!note) {
			note = document.createElement('span');
			note.className = 'share-note';
			note.setAttribute('aria-hidden', 'true'); /* the status says it */
			a.after(note);
		}
		note.textContent = 'Link copied';
		clearTimeout(Number(note.dataset.timer));
		note.dataset.timer = String(setTimeout(() => note.remove(), 5000));
		/* Emptied first, so that a second copy is said again. */
		status.textContent = '';
		setTimeout(() => { status.textContent = 'Link to the post copied to the clipboard'; }, 50);
	};

	document.addEventListener('click', async (e) => {
		const a = e.target.closest?.('a.share-link[data-share]');
		if (!a || !plainClick(e))
			return;
		e.preventDefault();
		const url = urlOf(a);
		if (canShare) {
			const title = a.closest('article')?.querySelector('.post-title')?.textContent.trim();
			try {
				await navigator.share({ title: title || document.title, url });
				return;
			} catch (err) {
				if (err?.name === 'AbortError')
					return; /* the reader closed the sheet */
			}
		}
		try {
			await navigator.clipboard.writeText(url);
			confirmCopy(a);
		} catch {
			location.href = url; /* no clipboard: the permalink, as without script */
		}
	});
})();
