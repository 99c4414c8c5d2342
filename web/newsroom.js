/*
 * Liveline's newsroom script (markup from src/render/render_newsroom.c). Every
 * page works without it: each action is a plain form. This adds, where the
 * page asks for it through data-* attributes:
 *
 *   - a live preview of the body as readers will see it ([data-preview-for]);
 *   - a thumbnail of the chosen image, and alt text required with it
 *     (input[type=file][data-alt]);
 *   - a publish time required to schedule ([data-schedule]);
 *   - the desk's list of posts kept current (#desk-posts[data-events]);
 *   - a confirmation before deleting or revoking (form[data-confirm],
 *     button[data-confirm]);
 *   - a copy button for a new API token and the embed code ([data-copy]).
 *
 * The page is served with a strict Content-Security-Policy: no inline script
 * or style, and images only from the site, https: and data: (so the thumbnail
 * is a data: URL, not a blob: one). HTML put into the page comes from our own
 * server, which renders and escapes it (the preview API, the desk itself).
 */
(() => {
	'use strict';

	const csrf = document.querySelector('meta[name="csrf-token"]')?.content || '';

	/* ---- live preview ---- */

	const PREVIEW_DELAY_MS = 300;

	const setupPreview = (box) => {
		const input = document.getElementById(box.dataset.previewFor);
		const out = box.querySelector('.nr-preview');
		if (!input || !out || !window.fetch)
			return;
		let timer = 0;
		let ctl = null;

		const show = (html, isError) => {
			out.classList.toggle('nr-preview-error', !!isError);
			out.innerHTML = html;
		};
		const message = (text, isError) => {
			const p = document.createElement('p');
			p.className = isError ? 'nr-preview-error-text' : 'nr-preview-empty';
			p.textContent = text;
			out.replaceChildren(p);
			out.classList.toggle('nr-preview-error', !!isError);
		};

		/* The rest of the post, so the preview is the post readers will see:
		 * its title, labels and bylines, and the page (for its time zone). */
		const form = input.form;
		const field = (name) => form?.elements.namedItem(name);
		const slug = (location.pathname.match(/^\/newsroom\/([a-z0-9-]+)/) || [])[1];
		const post = (text) => {
			const d = { body: text };
			const title = field('title');
			if (title && title.value.trim())
				d.title = title.value;
			const breaking = field('breaking'), key = field('key_event');
			if (breaking)
				d.breaking = !!breaking.checked;
			if (key)
				d.key_event = !!key.checked;
			const bylines = field('bylines');
			if (bylines && bylines.value !== undefined) {
				d.bylines = bylines.value.split('\n').map((line) => {
					const bar = line.indexOf('|');
					return bar < 0 ? { name: line.trim(), role: '' }
						: { name: line.slice(0, bar).trim(), role: line.slice(bar + 1).trim() };
				}).filter((b) => b.name);
			}
			if (slug)
				d.slug = slug;
			return d;
		};

		const render = async () => {
			const text = input.value;
			ctl?.abort();
			if (!text.trim()) {
				message('The preview appears here as you type.', false);
				return;
			}
			ctl = new AbortController();
			try {
				const r = await fetch('/api/v1/preview', {
					method: 'POST',
					credentials: 'same-origin',
					headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
					body: JSON.stringify(post(text)),
					signal: ctl.signal,
				});
				const d = await r.json().catch(() => ({}));
				if (r.ok && typeof d.html === 'string')
					show(d.html, false);
				else
					message(d.error?.message || `Preview unavailable (${r.status}).`, true);
			} catch (e) {
				if (e.name !== 'AbortError')
					message('Preview unavailable: the server could not be reached.', true);
			}
		};

		const later = () => {
			clearTimeout(timer);
			timer = setTimeout(render, PREVIEW_DELAY_MS);
		};
		input.addEventListener('input', later);
		for (const name of ['title', 'bylines', 'breaking', 'key_event']) {
			const f = field(name);
			if (f && f.addEventListener)
				f.addEventListener(f.type === 'checkbox' ? 'change' : 'input', later);
		}
		box.hidden = false;
		if (input.value.trim())
			render();
	};

	document.querySelectorAll('[data-preview-for]').forEach(setupPreview);

	/* ---- image: thumbnail, and alt text required with a file ---- */

	const ALT_MESSAGE = 'Describe the image: alt text is required with an image.';

	const setupImage = (file) => {
		const alt = document.getElementById(file.dataset.alt);
		const thumb = document.getElementById(file.dataset.thumb);
		if (!alt)
			return;

		const check = () => {
			const need = file.files.length > 0;
			alt.required = need;
			alt.setCustomValidity(need && !alt.value.trim() ? ALT_MESSAGE : '');
		};

		file.addEventListener('change', () => {
			check();
			if (!thumb)
				return;
			thumb.replaceChildren();
			thumb.hidden = true;
			const f = file.files[0];
			if (!f || !f.type.startsWith('image/') || !window.FileReader)
				return;
			const reader = new FileReader();
			reader.onload = () => {
				if (file.files[0] !== f)
					return; /* another file was chosen meanwhile */
				const img = document.createElement('img');
				img.src = reader.result;
				img.alt = '';
				const cap = document.createElement('p');
				cap.className = 'nr-hint';
				cap.textContent = 'Chosen: ' + f.name;
				thumb.replaceChildren(img, cap);
				thumb.hidden = false;
			};
			reader.readAsDataURL(f);
		});
		alt.addEventListener('input', check);
		check();
	};

	document.querySelectorAll('input[type="file"][data-alt]').forEach(setupImage);

	/* ---- a publish time to schedule; confirmations ---- */

	/* The time is needed only by the Schedule button. The browser checks a
	 * form before 'submit' fires, so the requirement is set (or cleared) when
	 * a button is clicked, and cleared as soon as a time is entered. */
	document.addEventListener('click', (e) => {
		const button = e.target.closest?.('button[type="submit"], input[type="submit"]');
		const when = button?.form?.querySelector('[data-schedule]');
		if (!when)
			return;
		const scheduling = button.name === 'action' && button.value === 'schedule';
		when.setCustomValidity(scheduling && !when.value ? 'Choose when to publish it.' : '');
	}, true);
	document.querySelectorAll('[data-schedule]').forEach((when) => {
		when.addEventListener('input', () => when.setCustomValidity(''));
	});

	document.addEventListener('submit', (e) => {
		const form = e.target;
		const button = e.submitter;
		const alt = form.querySelector('input[type="file"][data-alt]');
		if (alt && alt.files.length) {
			const field = document.getElementById(alt.dataset.alt);
			if (field && !field.value.trim()) {
				e.preventDefault();
				field.setCustomValidity(ALT_MESSAGE);
				field.reportValidity();
				field.focus();
				return;
			}
		}
		const ask = button?.dataset.confirm || form.dataset.confirm;
		if (ask && !window.confirm(ask))
			e.preventDefault();
	});

	/* ---- copy the new token, or the embed code ---- */

	document.querySelectorAll('[data-copy]').forEach((button) => {
		const field = document.getElementById(button.dataset.copy);
		if (!field || !navigator.clipboard)
			return;
		button.hidden = false;
		button.addEventListener('click', async () => {
			try {
				await navigator.clipboard.writeText(field.value);
				button.textContent = 'Copied';
			} catch {
				field.select();
			}
		});
	});

	/* ---- the desk's posts, kept current ---- */

	const posts = document.getElementById('desk-posts');
	if (!posts || !posts.dataset.events || !window.EventSource || !window.DOMParser)
		return;

	const REFRESH_DELAY_MS = 400; /* one fetch for a burst of changes */
	const RETRY_MS = 30000;
	/* What a refresh replaces, when the page has it: ids in the desk. */
	const REGIONS = ['desk-posts', 'desk-drafts', 'desk-head'];
	const STATES = {
		connecting: 'Connecting\u2026',
		live: 'Live: this list updates itself',
		lost: 'Connection lost. Reconnecting\u2026',
		paused: 'Live updates paused. Reload to see the latest.',
	};

	const indicator = document.createElement('p');
	indicator.className = 'nr-live';
	indicator.setAttribute('role', 'status');
	posts.before(indicator);
	const setState = (s) => {
		indicator.dataset.state = s;
		indicator.textContent = STATES[s];
	};

	let timer = 0;
	let busy = false;
	let again = false;
	let es = null;

	/* A region with focus or a half-filled form in it is left alone until the
	 * user is done with it: replacing it would take their place away. */
	const inUse = (el) =>
		el.contains(document.activeElement) && document.activeElement !== el;

	const refresh = async () => {
		if (busy) {
			again = true;
			return;
		}
		busy = true;
		try {
			const r = await fetch(location.href, {
				credentials: 'same-origin',
				cache: 'no-store',
				headers: { Accept: 'text/html' },
			});
			if (r.redirected && new URL(r.url).pathname.endsWith('/signin')) {
				close();
				setState('paused');
				return;
			}
			if (!r.ok)
				return;
			const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
			for (const id of REGIONS) {
				const old = document.getElementById(id);
				const fresh = doc.getElementById(id);
				if (!old || !fresh)
					continue;
				if (inUse(old)) {
					old.addEventListener('focusout', schedule, { once: true });
					continue;
				}
				old.replaceWith(document.adoptNode(fresh));
			}
		} catch {
			/* The next event tries again. */
		} finally {
			busy = false;
			if (again) {
				again = false;
				schedule();
			}
		}
	};

	function schedule() {
		clearTimeout(timer);
		timer = setTimeout(refresh, REFRESH_DELAY_MS);
	}

	const open = () => {
		if (es)
			return;
		setState('connecting');
		es = new EventSource(posts.dataset.events);
		for (const kind of ['post', 'update', 'delete', 'pin', 'status', 'reload'])
			es.addEventListener(kind, schedule);
		es.onopen = () => setState('live');
		es.onerror = () => {
			if (es?.readyState !== EventSource.CLOSED) {
				setState('lost');
				return;
			}
			close();
			setState('paused');
			setTimeout(() => {
				open();
				schedule(); /* catch up with what happened meanwhile */
			}, RETRY_MS * (0.5 + Math.random()));
		};
	};

	function close() {
		es?.close();
		es = null;
	}

	window.addEventListener('pagehide', close);
	window.addEventListener('pageshow', (e) => {
		if (e.persisted) {
			open();
			schedule();
		}
	});
	open();
})();
