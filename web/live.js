/*
 * Liveline's reader script: live updates on the newest page of a live page.
 * The page is complete without it; this only follows the change stream
 * (docs/stream.md) and applies each change to the server-rendered markup.
 *
 * Three promises to the reader: text under their eyes never moves (posts that
 * would land above the viewport wait behind a "N new posts" button); focus is
 * moved only when they ask (the button); and everything shown is also said,
 * politely, to screen readers. HTML in events is rendered and escaped by our
 * server, and goes in through a <template>, never pasted together with data.
 */
(function () {
	'use strict';

	var updates = document.getElementById('updates');
	var head = document.querySelector('header.page-head');
	if (!updates || !head || !window.EventSource || !('content' in document.createElement('template')))
		return;
	var slug = updates.dataset.slug;
	if (!slug || updates.dataset.page !== updates.dataset.pages)
		return; /* an older page never changes at the top */

	var RELOAD_KEY = 'liveline-reload:' + slug;
	var RELOAD_GAP_MS = 10000; /* at most one automatic reload per 10 s */
	var RETRY_MS = 30000;      /* after the browser gives up (HTTP error) */
	var reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

	var lastSeq = Number(updates.dataset.seq) || 0;
	var baseTitle = document.title;
	var held = [];            /* {id, el} waiting behind the button, oldest first */
	var es = null;
	var retryTimer = 0;
	var ended = false;

	/* ---- the furniture this script adds ---- */

	var indicator = el('p', 'live-indicator');
	indicator.setAttribute('role', 'status');
	head.appendChild(indicator);

	var announcer = el('div', 'vh');
	announcer.setAttribute('aria-live', 'polite');
	document.body.appendChild(announcer);

	/* A bar of no height, sticky at the top of the updates: showing the button
	 * in it moves nothing on the page. */
	var bar = el('div', 'new-posts-bar');
	var button = el('button', 'new-posts');
	button.type = 'button';
	button.hidden = true;
	bar.appendChild(button);
	var heading = updates.querySelector('#updates-h');
	if (heading)
		heading.after(bar);
	else
		updates.prepend(bar);

	function el(tag, cls) {
		var e = document.createElement(tag);
		e.className = cls;
		return e;
	}

	/* The first element of a server-rendered fragment, or null. */
	function parse(html) {
		var t = document.createElement('template');
		t.innerHTML = html || '';
		return t.content.firstElementChild;
	}

	function setState(state) {
		var text = {
			connecting: 'Connecting to live updates\u2026',
			connected: 'Live: new posts appear automatically',
			reconnecting: 'Connection lost. Reconnecting\u2026',
			offline: 'Live updates paused. Trying again shortly.',
			stale: 'This page is out of date. Reload it to catch up.',
			ended: 'Coverage has ended'
		}[state];
		indicator.dataset.state = state;
		if (indicator.textContent !== text)
			indicator.textContent = text;
	}

	function announce(text) {
		/* Emptied first so that the same words twice are still read twice. */
		announcer.textContent = '';
		setTimeout(function () { announcer.textContent = text; }, 50);
	}

	function postTitle(article) {
		var t = article.querySelector('.post-title');
		return t ? t.textContent.trim() : '';
	}

	function plural(n) {
		return n === 1 ? '1 new post' : n + ' new posts';
	}

	/* ---- keeping the text still ---- */

	/* Runs `change` and then scrolls by however much it moved the first post
	 * on screen, for browsers without scroll anchoring (and changes it misses). */
	function keepStill(change) {
		var anchor = null, top = 0;
		var posts = updates.querySelectorAll(':scope > .post');
		for (var i = 0; i < posts.length; i++) {
			var r = posts[i].getBoundingClientRect();
			if (r.bottom > 0) {
				if (r.top < window.innerHeight) {
					anchor = posts[i];
					top = r.top;
				}
				break;
			}
		}
		var id = anchor && anchor.id;
		change();
		if (!anchor)
			return;
		if (!anchor.isConnected)
			anchor = document.getElementById(id);
		if (anchor) {
			var delta = anchor.getBoundingClientRect().top - top;
			if (Math.abs(delta) >= 1)
				window.scrollBy(0, delta);
		}
	}

	/* Where a new post goes, relative to the top of the viewport: when it is
	 * not above the viewport, inserting there moves nothing the reader is
	 * reading. The sticky bar cannot be measured, so we use the first post (or
	 * the section itself when there are none). */
	function atTop() {
		var first = updates.querySelector(':scope > .post') || updates;
		return first.getBoundingClientRect().top >= -1;
	}

	/* ---- posts ---- */

	function insertPost(article, isNew) {
		var empty = updates.querySelector(':scope > .empty');
		if (empty)
			empty.remove();
		if (isNew)
			article.classList.add('is-new');
		bar.after(article);
	}

	function showHeld() {
		button.hidden = held.length === 0;
		button.textContent = plural(held.length);
		document.title = held.length ? '(' + held.length + ') ' + baseTitle : baseTitle;
	}

	/* Puts the held posts on the page; with `go`, takes the reader to them. */
	function reveal(go) {
		if (!held.length)
			return;
		var batch = held;
		held = [];
		keepStill(function () {
			batch.forEach(function (h) { insertPost(h.el, true); });
		});
		showHeld();
		if (!go)
			return;
		var first = batch[batch.length - 1].el; /* the newest is on top */
		first.setAttribute('tabindex', '-1');
		first.scrollIntoView({ behavior: reduceMotion.matches ? 'auto' : 'smooth', block: 'start' });
		first.focus({ preventScroll: true });
	}

	button.addEventListener('click', function () { reveal(true); });

	/* Back at the top with posts waiting: let them in as if they had just come. */
	var scrollQueued = false;
	window.addEventListener('scroll', function () {
		if (scrollQueued || !held.length)
			return;
		scrollQueued = true;
		requestAnimationFrame(function () {
			scrollQueued = false;
			if (held.length && atTop())
				reveal(false);
		});
	}, { passive: true });

	function findHeld(id) {
		for (var i = 0; i < held.length; i++)
			if (held[i].id === id)
				return i;
		return -1;
	}

	function onPost(d) {
		if (d.gone || !d.html)
			return; /* deleted since; the delete event follows */
		var article = parse(d.html);
		if (!article)
			return;
		if (document.getElementById('post-' + d.post_id) || findHeld(d.post_id) >= 0)
			return onUpdate(d); /* seen already (a replay): never show it twice */
		if (!held.length && atTop()) {
			insertPost(article, true);
			announce('New post: ' + postTitle(article));
		} else {
			held.push({ id: d.post_id, el: article });
			showHeld();
			announce(plural(held.length));
		}
	}

	function onUpdate(d) {
		var i = findHeld(d.post_id);
		var article = d.html && parse(d.html);
		if (i >= 0 && article)
			held[i].el = article;
		keepStill(function () {
			var old = document.getElementById('post-' + d.post_id);
			if (old && article)
				old.replaceWith(article);
			if (d.pinned_html) {
				var p = parse(d.pinned_html);
				var target = p && p.matches('section.pinned-post')
					? document.querySelector('section.pinned-post')
					: document.getElementById('pinned-' + d.post_id);
				if (p && target)
					target.replaceWith(p);
			}
		});
	}

	function onDelete(d) {
		var i = findHeld(d.post_id);
		if (i >= 0) {
			held.splice(i, 1);
			showHeld();
		}
		keepStill(function () {
			var post = document.getElementById('post-' + d.post_id);
			if (post)
				post.remove();
			var pinned = document.getElementById('pinned-' + d.post_id);
			if (pinned)
				pinned.closest('section.pinned-post').remove();
		});
	}

	/* ---- the page around the posts ---- */

	/* Replaces `selector` with `html`; inserts it after the first of `after`
	 * that exists when absent; removes it when `html` is empty. */
	function replaceSection(selector, html, after) {
		keepStill(function () {
			var old = document.querySelector(selector);
			var fresh = parse(html);
			if (!fresh) {
				if (old)
					old.remove();
			} else if (old) {
				old.replaceWith(fresh);
			} else {
				for (var i = 0; i < after.length; i++) {
					var at = document.querySelector(after[i]);
					if (at) {
						at.after(fresh);
						break;
					}
				}
			}
		});
	}

	function onStatus(d) {
		var fresh = parse(d.html);
		var old = head.querySelector('p.status');
		if (fresh && old)
			old.replaceWith(fresh);
		else if (fresh)
			head.prepend(fresh);
		if (d.status === 'ended') {
			ended = true;
			close();
			setState('ended');
		}
	}

	function onPage(d) {
		var h1 = head.querySelector('h1');
		if (typeof d.title === 'string' && d.title && h1) {
			var was = h1.textContent;
			h1.textContent = d.title;
			if (baseTitle.indexOf(was) === 0)
				baseTitle = d.title + baseTitle.slice(was.length);
			showHeld();
		}
		if (typeof d.description !== 'string')
			return;
		var p = head.querySelector('p.description');
		if (!d.description) {
			if (p)
				p.remove();
			return;
		}
		if (!p) {
			p = el('p', 'description');
			(h1 || head.lastElementChild).after(p);
		}
		p.textContent = d.description;
	}

	function onReload() {
		var last = 0;
		try {
			last = Number(sessionStorage.getItem(RELOAD_KEY)) || 0;
			if (Date.now() - last >= RELOAD_GAP_MS) {
				sessionStorage.setItem(RELOAD_KEY, String(Date.now()));
				location.reload();
				return;
			}
		} catch (e) {
			/* No storage, so no guard against a reload loop: let the reader decide. */
		}
		setState('stale');
	}

	var handlers = {
		post: onPost,
		update: onUpdate,
		delete: onDelete,
		pin: function (d) { replaceSection('section.pinned-post', d.html, ['section.summary', 'header.page-head']); },
		summary: function (d) { replaceSection('section.summary', d.html, ['header.page-head']); },
		status: onStatus,
		page: onPage
	};

	/* ---- the stream ---- */

	function handle(e) {
		var d;
		try {
			d = JSON.parse(e.data);
		} catch (err) {
			return;
		}
		var seq = Number(e.lastEventId) || Number(d.seq) || 0;
		if (seq && seq <= lastSeq)
			return; /* already applied */
		if (seq)
			lastSeq = seq;
		handlers[e.type](d);
	}

	function open() {
		clearTimeout(retryTimer);
		if (es || ended)
			return;
		setState('connecting');
		es = new EventSource('/live/' + encodeURIComponent(slug) + '/events?since=' + lastSeq);
		Object.keys(handlers).forEach(function (kind) { es.addEventListener(kind, handle); });
		es.addEventListener('reload', onReload);
		es.onopen = function () { setState('connected'); };
		es.onerror = function () {
			if (es && es.readyState === EventSource.CLOSED) {
				/* The browser gave up (an HTTP error, not a dropped line): try
				 * again later, from the last change we applied. */
				close();
				setState('offline');
				retryTimer = setTimeout(open, RETRY_MS * (0.5 + Math.random()));
			} else {
				setState('reconnecting'); /* the browser retries by itself */
			}
		};
	}

	function close() {
		clearTimeout(retryTimer);
		if (es) {
			es.close();
			es = null;
		}
	}

	/* An open stream keeps the page out of the back-forward cache; close it on
	 * the way out and resume from where we were if the page comes back. */
	window.addEventListener('pagehide', close);
	window.addEventListener('pageshow', function (e) {
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
