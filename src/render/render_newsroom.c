/*
 * HTML of the newsroom: see render_newsroom.h. Each function appends one
 * complete document to the caller's buffer; the buffer's sticky error flag
 * carries any failure to the end.
 *
 * The rules of render_html.c hold here too: plain strings (titles, names,
 * logins, bylines, slugs, URLs, alt texts, notes, tokens) go through buf_html(),
 * inline Markdown through markup_inline_html(), and posts through the reader's
 * own renderer, so the desk shows a post exactly as readers see it. Nothing
 * from the store is appended raw, not even into an attribute.
 *
 * The page is served with a strict Content-Security-Policy (no inline script
 * or style), so there is no style="" and no on*="" below: behaviour hangs on
 * data-* attributes that web/newsroom.js looks for, and every form works
 * without it. Forms and field names follow docs/api.md ("The newsroom's
 * forms") to the letter; the server builds its JSON from them.
 */
#include "render/render_newsroom.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "markup/markup.h"
#include "model/model_limits.h"
#include "page/page_assets.h"
#include "render/render_embed.h"
#include "util/tz.h"

/* Zones offered by the "new live page" form; any IANA zone may be typed. */
static const char *const rn_zones[] = {
	"Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Kyiv",
	"Europe/Moscow", "America/New_York", "America/Chicago", "America/Los_Angeles",
	"Asia/Riyadh", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "UTC",
};

/* Local names, so rendering does not depend on the store's code. */
static const char *const rn_role_names[] = { "contributor", "editor", "admin" };
static const char *const rn_role_labels[] = { "Contributor", "Editor", "Admin" };

static const char *role_name(enum model_role r)
{
	return (unsigned)r < 3 ? rn_role_names[r] : "contributor";
}

static const char *role_label(enum model_role r)
{
	return (unsigned)r < 3 ? rn_role_labels[r] : "Unknown";
}

/* Whether to show the controls of `a`: the newsroom said what the signed-in
 * user may do (nr->may); nobody may do anything when signed out. */
static int can(const struct render_newsroom *nr, enum auth_action a)
{
	return nr->user && ((nr->may >> a) & 1u);
}

/* A contributor may change their own drafts; editors anybody's. */
static int can_edit_draft(const struct render_newsroom *nr, const struct model_draft *d)
{
	if (can(nr, AUTH_DRAFT_ANY))
		return 1;
	return can(nr, AUTH_DRAFT_WRITE) && d->author_id == nr->user->id;
}

static int nonempty(const char *s)
{
	return s && s[0];
}

/* ---- times ---- */

/* "10:37 GMT 17 February 2025": as the reader pages show times, plus the year
 * (the audit trail and the users table reach back), with the zone's full name
 * for screen readers. A dash for an unset time. */
static void put_time(struct buf *out, const char *zone, int64_t t)
{
	struct tz_view tv;

	if (t <= 0 || render_time_view(zone, t, &tv) != 0) {
		buf_puts(out, "\xe2\x80\x94");
		return;
	}
	render_time_html(out, &tv, RENDER_TIME_DAY | RENDER_TIME_YEAR);
}

/* " (5 minutes ago)", " (in 2 hours)": close times only; `now` 0 shows none. */
static void put_ago(struct buf *out, int64_t now, int64_t t)
{
	int64_t d = now - t;
	int future = d < 0;
	int64_t a = future ? -d : d;

	if (now <= 0 || t <= 0 || a >= 48 * 3600)
		return;
	buf_puts(out, " <span class=\"nr-ago\">(");
	if (a < 60)
		buf_puts(out, future ? "in under a minute" : "just now");
	else if (a < 3600)
		buf_printf(out, "%s%" PRId64 " minute%s%s", future ? "in " : "", a / 60,
			   a / 60 == 1 ? "" : "s", future ? "" : " ago");
	else
		buf_printf(out, "%s%" PRId64 " hour%s%s", future ? "in " : "", a / 3600,
			   a / 3600 == 1 ? "" : "s", future ? "" : " ago");
	buf_puts(out, ")</span>");
}

/* The value of a datetime-local field: "2025-02-17T10:37" in `zone`. */
static void put_local_value(struct buf *out, const char *zone, int64_t t)
{
	struct tz_view tv;

	if (t > 0 && render_time_view(zone, t, &tv) == 0)
		buf_printf(out, "%04d-%02d-%02dT%02d:%02d", tv.year, tv.month, tv.day, tv.hour,
			   tv.minute);
}

/* "Greenwich Mean Time" (now), to say in which zone a time field is read. */
static void put_zone_name(struct buf *out, const char *zone, int64_t now)
{
	struct tz_view tv;

	if (render_time_view(zone, now > 0 ? now : 0, &tv) == 0 && tv.zone_long[0])
		buf_html(out, tv.zone_long);
	else
		buf_html(out, zone);
}

/* ---- URLs (every part escaped: a slug is data like any other) ---- */

static void put_desk_url(struct buf *out, const struct model_page *page)
{
	buf_puts(out, "/newsroom/");
	buf_html(out, page->slug);
}

static void put_reader_url(struct buf *out, const struct model_page *page)
{
	buf_puts(out, "/live/");
	buf_html(out, page->slug);
}

/* An unpublished page says so wherever the newsroom shows it: readers do not
 * see it at all. */
static void put_visibility(struct buf *out, const struct model_page *page)
{
	if (!page->published)
		buf_puts(out, "<p class=\"nr-unpublished\">Not published: only the newsroom "
			      "sees this page</p>\n");
}

static void put_post_nr_url(struct buf *out, const struct model_page *page, int64_t id,
			    const char *tail)
{
	put_desk_url(out, page);
	buf_printf(out, "/posts/%" PRId64, id);
	buf_puts(out, tail);
}

static void put_draft_nr_url(struct buf *out, const struct model_page *page, int64_t id,
			     const char *tail)
{
	put_desk_url(out, page);
	buf_printf(out, "/drafts/%" PRId64, id);
	buf_puts(out, tail);
}

/* ---- form pieces ---- */

static void put_csrf(struct buf *out, const struct render_newsroom *nr)
{
	buf_puts(out, "<input type=\"hidden\" name=\"csrf\" value=\"");
	buf_html(out, nr->csrf);
	buf_puts(out, "\">\n");
}

/* <form method="post" action="...">: the action is written by the caller
 * between rn_form_open() and rn_form_open_end(). */
static void rn_form_open(struct buf *out, const char *cls)
{
	buf_puts(out, "<form method=\"post\" class=\"");
	buf_puts(out, cls);
	buf_puts(out, "\" action=\"");
}

static void rn_form_open_end(struct buf *out, const struct render_newsroom *nr, const char *extra)
{
	buf_puts(out, "\"");
	buf_puts(out, extra ? extra : "");
	buf_puts(out, ">\n");
	put_csrf(out, nr);
}

/* The hint paragraph's id, ID-hint, between `before` and `after`: the one place
 * that names it, so the paragraph and the aria-describedby that points at it agree. */
static void put_hint_id(struct buf *out, const char *before, const char *id, const char *after)
{
	buf_puts(out, before);
	buf_puts(out, id);
	buf_puts(out, "-hint");
	buf_puts(out, after);
}

static void put_hint(struct buf *out, const char *id, const char *hint)
{
	if (!hint)
		return;
	put_hint_id(out, "<p class=\"nr-hint\" id=\"", id, "\">");
	buf_puts(out, hint);
	buf_puts(out, "</p>\n");
}

static void put_described(struct buf *out, const char *id, const char *hint)
{
	if (hint)
		put_hint_id(out, " aria-describedby=\"", id, "\"");
}

/* A labelled <input>. `label`, `hint` and `extra` (attributes, with a leading
 * space) are ours, never data; `value` is data and is escaped. */
static void put_input(struct buf *out, const char *type, const char *name, const char *id,
		      const char *label, const char *value, const char *hint, const char *extra)
{
	buf_puts(out, "<div class=\"nr-field\">\n<label for=\"");
	buf_puts(out, id);
	buf_puts(out, "\">");
	buf_puts(out, label);
	buf_puts(out, "</label>\n");
	put_hint(out, id, hint);
	buf_puts(out, "<input type=\"");
	buf_puts(out, type);
	buf_puts(out, "\" name=\"");
	buf_puts(out, name);
	buf_puts(out, "\" id=\"");
	buf_puts(out, id);
	buf_puts(out, "\"");
	if (value) {
		buf_puts(out, " value=\"");
		buf_html(out, value);
		buf_puts(out, "\"");
	}
	put_described(out, id, hint);
	buf_puts(out, extra ? extra : "");
	buf_puts(out, ">\n</div>\n");
}

/* A labelled <textarea>; the caller writes its escaped content between
 * textarea_open() and textarea_close(). */
static void textarea_open(struct buf *out, const char *name, const char *id, const char *label,
			  int rows, const char *hint, const char *extra)
{
	buf_puts(out, "<div class=\"nr-field\">\n<label for=\"");
	buf_puts(out, id);
	buf_puts(out, "\">");
	buf_puts(out, label);
	buf_puts(out, "</label>\n");
	put_hint(out, id, hint);
	buf_puts(out, "<textarea name=\"");
	buf_puts(out, name);
	buf_puts(out, "\" id=\"");
	buf_puts(out, id);
	buf_printf(out, "\" rows=\"%d\"", rows);
	put_described(out, id, hint);
	buf_puts(out, extra ? extra : "");
	/* A newline right after the tag is dropped by the parser: this one keeps
	 * a value that starts with a newline intact. */
	buf_puts(out, ">\n");
}

static void textarea_close(struct buf *out)
{
	buf_puts(out, "</textarea>\n</div>\n");
}

static void put_check(struct buf *out, const char *name, const char *id, const char *label,
		      int checked, const char *extra)
{
	buf_puts(out, "<div class=\"nr-check\"><input type=\"checkbox\" name=\"");
	buf_puts(out, name);
	buf_puts(out, "\" id=\"");
	buf_puts(out, id);
	buf_puts(out, "\"");
	if (checked)
		buf_puts(out, " checked");
	buf_puts(out, extra ? extra : "");
	buf_puts(out, "> <label for=\"");
	buf_puts(out, id);
	buf_puts(out, "\">");
	buf_puts(out, label);
	buf_puts(out, "</label></div>\n");
}

/* `open` VALUE"[ FLAG]>LABEL`close`, value and label escaped: the one shape of
 * an <option> and of a navigation link. */
static void put_marked(struct buf *out, const char *open, const char *value, const char *flag,
		       const char *label, const char *close)
{
	buf_puts(out, open);
	buf_html(out, value);
	buf_puts(out, "\"");
	buf_puts(out, flag ? flag : "");
	buf_puts(out, ">");
	buf_html(out, label);
	buf_puts(out, close);
}

static void put_option(struct buf *out, const char *value, const char *label, int selected)
{
	put_marked(out, "<option value=\"", value, selected ? " selected" : NULL, label,
		   "</option>\n");
}

static void put_role_options(struct buf *out, enum model_role selected)
{
	for (int r = MODEL_ROLE_CONTRIBUTOR; r <= MODEL_ROLE_ADMIN; r++)
		put_option(out, role_name((enum model_role)r), role_label((enum model_role)r),
			   (int)selected == r);
}

/* One "Name|Role" line per byline, as the bylines field reads them. */
static void put_bylines_text(struct buf *out, const struct model_post *post)
{
	for (size_t i = 0; i < post->n_bylines; i++) {
		buf_html(out, post->bylines[i].name);
		if (nonempty(post->bylines[i].role)) {
			buf_putc(out, '|');
			buf_html(out, post->bylines[i].role);
		}
		buf_putc(out, '\n');
	}
}

/* The user's default byline: byline_name (or display_name) "|" byline_role. */
static void put_default_byline(struct buf *out, const struct model_user *u)
{
	if (!u)
		return;
	buf_html(out, nonempty(u->byline_name) ? u->byline_name : u->display_name);
	if (nonempty(u->byline_role)) {
		buf_putc(out, '|');
		buf_html(out, u->byline_role);
	}
}

/* The labels a post carries, in the reader's classes. */
static void put_post_labels(struct buf *out, const struct model_post *p)
{
	if (!p->breaking && !p->key_event)
		return;
	buf_puts(out, "<div class=\"labels\">");
	if (p->breaking)
		buf_puts(out, "<p class=\"breaking\">Breaking</p>");
	if (p->key_event)
		buf_puts(out, "<p class=\"label label-key\">Key event</p>");
	buf_puts(out, "</div>\n");
}

/* The body field with its live preview (web/newsroom.js fills the preview;
 * without the script it stays hidden). */
static void put_body_field(struct buf *out, const char *prefix, const char *body_md)
{
	char id[32], pid[40];

	snprintf(id, sizeof(id), "%s-body", prefix);
	snprintf(pid, sizeof(pid), "%s-preview", prefix);
	textarea_open(out, "body", id, "Body", 12,
		      "Markdown: a blank line between paragraphs, **bold**, *italic*, "
		      "[link text](https://\xe2\x80\xa6), lists with <kbd>-</kbd>, quotations "
		      "with <kbd>&gt;</kbd> (a last line <kbd>&gt; \xe2\x80\x94 Name</kbd> or "
		      "<kbd>&gt; -- Name</kbd> credits the speaker), an image as "
		      "<code>![alt text](/media/\xe2\x80\xa6 \"caption\")</code> and a line "
		      "<code>Image source: Credit</code>, an embed as "
		      "<code>[Embed: Title](https://\xe2\x80\xa6)</code>.",
		      " maxlength=\"" MODEL_STR(MODEL_BODY_MAX) "\"");
	buf_html(out, body_md);
	textarea_close(out);
	buf_puts(out, "<section class=\"nr-preview-box\" data-preview-for=\"");
	buf_puts(out, id);
	buf_puts(out, "\" aria-labelledby=\"");
	buf_puts(out, pid);
	buf_puts(out, "-h\" hidden>\n<h3 class=\"nr-preview-h\" id=\"");
	buf_puts(out, pid);
	buf_puts(out, "-h\">Preview <span class=\"nr-hint\">as readers will see it</span></h3>\n"
		      "<div class=\"nr-preview post-body\" id=\"");
	buf_puts(out, pid);
	buf_puts(out, "\" aria-live=\"polite\"><p class=\"nr-preview-empty\">The preview "
		      "appears here as you type.</p></div>\n</section>\n");
}

static void put_flags_fields(struct buf *out, const char *prefix, int breaking, int key_event)
{
	char id[40];

	buf_puts(out, "<fieldset class=\"nr-flags\">\n<legend>Labels</legend>\n");
	snprintf(id, sizeof(id), "%s-breaking", prefix);
	put_check(out, "breaking", id, "<span class=\"breaking\">Breaking</span> news", breaking,
		  NULL);
	snprintf(id, sizeof(id), "%s-key", prefix);
	put_check(out, "key_event", id, "<span class=\"label label-key\">Key event</span>",
		  key_event, NULL);
	buf_puts(out, "</fieldset>\n");
}

static void put_bylines_open(struct buf *out, const char *prefix)
{
	char id[40];

	snprintf(id, sizeof(id), "%s-bylines", prefix);
	textarea_open(out, "bylines", id, "Bylines", 2,
		      "One per line, as <code>Name|Role</code>, e.g. "
		      "<code>Liza Fokht|BBC Russian service, reporting from Paris</code>.",
		      " spellcheck=\"false\"");
}

static void put_embed_fields(struct buf *out, const char *prefix, const char *url,
			     const char *title)
{
	char id[40];

	buf_puts(out, "<fieldset class=\"nr-group\">\n<legend>Embedded media or graphic "
		      "<span class=\"nr-hint\">(optional, added after the body)</span></legend>\n");
	buf_puts(out, "<div class=\"nr-row\">\n");
	snprintf(id, sizeof(id), "%s-embed-url", prefix);
	put_input(out, "url", "embed_url", id, "Embed URL", url, NULL,
		  " inputmode=\"url\" placeholder=\"https://\" autocomplete=\"off\"");
	snprintf(id, sizeof(id), "%s-embed-title", prefix);
	put_input(out, "text", "embed_title", id, "Embed title", title, NULL,
		  " maxlength=\"" MODEL_STR(MODEL_TITLE_MAX) "\"");
	buf_puts(out, "</div>\n</fieldset>\n");
}

static void put_publish_at_field(struct buf *out, const char *prefix, const struct model_page *page,
				 int64_t at, int64_t now)
{
	char id[40];
	struct buf label;

	snprintf(id, sizeof(id), "%s-publish-at", prefix);
	buf_init(&label, 512);
	buf_puts(&label, "Publish at <span class=\"nr-hint\">(for Schedule; ");
	put_zone_name(&label, page->zone, now);
	buf_puts(&label, ")</span>");
	buf_puts(out, "<div class=\"nr-field nr-field-short\">\n<label for=\"");
	buf_puts(out, id);
	buf_puts(out, "\">");
	buf_puts(out, label.err ? "Publish at" : label.data);
	buf_puts(out, "</label>\n<input type=\"datetime-local\" name=\"publish_at\" id=\"");
	buf_puts(out, id);
	buf_puts(out, "\" value=\"");
	put_local_value(out, page->zone, at);
	buf_puts(out, "\" data-schedule>\n</div>\n");
	buf_cleanup(&label);
}

/* The submit buttons of the composer and the draft editor, per role. */
static void put_post_actions(struct buf *out, const struct render_newsroom *nr, int may_save,
			     int scheduled)
{
	int publish = can(nr, AUTH_POST_PUBLISH);

	buf_puts(out, "<div class=\"nr-actions\">\n");
	if (publish)
		buf_puts(out, "<button type=\"submit\" name=\"action\" value=\"publish\" "
			      "class=\"nr-btn nr-btn-primary\">Publish</button>\n");
	/* "draft" takes a scheduled post off the schedule: say so. */
	if (may_save)
		buf_puts(out, scheduled ? "<button type=\"submit\" name=\"action\" value=\"draft\" "
					  "class=\"nr-btn\">Unschedule, keep as draft</button>\n"
					: "<button type=\"submit\" name=\"action\" value=\"draft\" "
					  "class=\"nr-btn\">Save draft</button>\n");
	if (publish)
		buf_puts(out, scheduled
				  ? "<button type=\"submit\" name=\"action\" value=\"schedule\" "
				    "class=\"nr-btn\">Save schedule</button>\n"
				  : "<button type=\"submit\" name=\"action\" value=\"schedule\" "
				    "class=\"nr-btn\">Schedule</button>\n");
	buf_puts(out, "</div>\n");
	if (!publish && may_save)
		buf_puts(out, "<p class=\"nr-hint\">An editor publishes your drafts.</p>\n");
}

/* ---- the document around every page ---- */

enum rn_nav {
	RN_NAV_NONE,
	RN_NAV_PAGES,
	RN_NAV_USERS,
	RN_NAV_AUDIT,
};

/* A <link rel="stylesheet"> for `url`, unless it is empty or already linked. */
static void put_stylesheet(struct buf *out, const char *url, const char **done, size_t *n)
{
	if (!nonempty(url))
		return;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(done[i], url) == 0)
			return;
	done[(*n)++] = url;
	buf_puts(out, "<link rel=\"stylesheet\" href=\"");
	buf_html(out, url);
	buf_puts(out, "\">\n");
}

/* The reader's stylesheet first (posts look as readers see them), then the
 * newsroom's, which builds on its custom properties. site->css_url is the
 * newsroom's; a caller that hands over the reader's site still gets both. The
 * script likewise: newsroom.js, never the reader's live.js. */
static void put_assets(struct buf *out, const struct render_site *site)
{
	const char *reader_css = page_asset_by_name("style.css")->url;
	const char *rn_css = page_asset_by_name("newsroom.css")->url;
	const char *live_js = page_asset_by_name("live.js")->url;
	const char *js = site->js_url;
	const char *done[3];
	size_t n = 0;

	put_stylesheet(out, reader_css, done, &n);
	put_stylesheet(out, site->css_url, done, &n);
	if (nonempty(site->css_url) && nonempty(reader_css) &&
	    strcmp(site->css_url, reader_css) == 0)
		put_stylesheet(out, rn_css, done, &n);
	if (!nonempty(js) || (nonempty(live_js) && strcmp(js, live_js) == 0))
		js = page_asset_by_name("newsroom.js")->url;
	if (nonempty(js)) {
		buf_puts(out, "<script src=\"");
		buf_html(out, js);
		buf_puts(out, "\" defer></script>\n");
	}
}

static void put_nav_item(struct buf *out, const char *href, const char *label, int current)
{
	put_marked(out, "<li><a href=\"", href, current ? " aria-current=\"page\"" : NULL, label,
		   "</a></li>\n");
}

static void put_notice(struct buf *out, const struct render_newsroom *nr)
{
	if (!nonempty(nr->notice))
		return;
	if (nr->notice_is_error)
		buf_puts(out, "<div class=\"nr-notice nr-notice-error\" role=\"alert\"><p>");
	else
		buf_puts(out, "<div class=\"nr-notice nr-notice-ok\" role=\"status\"><p>");
	buf_html(out, nr->notice);
	buf_puts(out, "</p></div>\n");
}

/* Opens the document: head, the top bar, <main>, and the notice. `title2` may
 * be NULL. */
static void rn_open(struct buf *out, const struct render_newsroom *nr, const char *title1,
		    const char *title2, const char *body_class, enum rn_nav nav)
{
	const struct render_site *site = nr->site;
	const struct model_user *u = nr->user;

	buf_puts(out, "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<meta name=\"color-scheme\" content=\"light dark\">\n"
		      "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
		      "<meta name=\"referrer\" content=\"same-origin\">\n");
	if (nr->csrf) {
		buf_puts(out, "<meta name=\"csrf-token\" content=\"");
		buf_html(out, nr->csrf);
		buf_puts(out, "\">\n");
	}
	/* Tag by tag, escaping each value, as every page here writes its markup:
	 * alike in shape to render_newsroom_audit()'s cells, by intent. */
	buf_puts(out, "<title>");
	buf_html(out, title1);
	if (title2) {
		buf_puts(out, " \xe2\x80\x93 ");
		buf_html(out, title2);
	}
	buf_puts(out, " \xe2\x80\x93 Newsroom \xe2\x80\x93 ");
	buf_html(out, site->name);
	buf_puts(out, "</title>\n");
	put_assets(out, site);
	buf_puts(out, "</head>\n<body class=\"nr ");
	buf_puts(out, body_class);
	buf_puts(out, "\">\n<a class=\"skip-link\" href=\"#main\">Skip to content</a>\n"
		      "<header class=\"nr-bar\"><div class=\"wrap nr-bar-inner\">\n"
		      "<a class=\"site-name\" href=\"/newsroom\">");
	buf_html(out, site->name);
	buf_puts(out, " <span class=\"nr-tag\">Newsroom</span></a>\n");
	if (u) {
		buf_puts(out, "<nav class=\"nr-nav\" aria-label=\"Newsroom\"><ul>\n");
		put_nav_item(out, "/newsroom", "Pages", nav == RN_NAV_PAGES);
		if (can(nr, AUTH_USER_ADMIN))
			put_nav_item(out, "/newsroom/users", "Users", nav == RN_NAV_USERS);
		if (can(nr, AUTH_AUDIT_READ))
			put_nav_item(out, "/newsroom/audit", "Audit", nav == RN_NAV_AUDIT);
		buf_puts(out, "</ul></nav>\n<div class=\"nr-user\">"
			      "<span class=\"vh\">Signed in as </span>"
			      "<span class=\"nr-user-name\">");
		buf_html(out, u->display_name);
		buf_puts(out, "</span> <span class=\"nr-role nr-role-");
		buf_puts(out, role_name(u->role));
		buf_puts(out, "\">");
		buf_puts(out, role_label(u->role));
		buf_puts(out, "</span>\n");
		rn_form_open(out, "nr-signout");
		buf_puts(out, "/newsroom/signout");
		rn_form_open_end(out, nr, NULL);
		buf_puts(out, "<button type=\"submit\" class=\"nr-btn nr-btn-quiet\">Sign out"
			      "</button>\n</form>\n</div>\n");
	}
	buf_puts(out, "</div></header>\n<main id=\"main\" class=\"wrap\" tabindex=\"-1\">\n");
	put_notice(out, nr);
}

static void rn_close(struct buf *out, const struct render_newsroom *nr)
{
	buf_puts(out, "</main>\n<footer class=\"site-footer\"><div class=\"wrap\"><p>");
	buf_html(out, nr->site->name);
	buf_puts(out, " newsroom \xc2\xb7 <a href=\"/\">The reader site</a></p></div></footer>\n"
		      "</body>\n</html>\n");
}

/* "← Desk: TITLE", the way back from the editors. */
static void put_back_to_desk(struct buf *out, const struct model_page *page)
{
	buf_puts(out, "<p class=\"nr-crumbs\"><a href=\"");
	put_desk_url(out, page);
	buf_puts(out, "\"><span aria-hidden=\"true\">\xe2\x86\x90 </span>Desk: ");
	buf_html(out, page->title);
	buf_puts(out, "</a></p>\n");
}

/* ---- sign-in ---- */

void render_newsroom_signin(struct buf *out, const struct render_newsroom *nr, const char *login,
		      const char *token)
{
	rn_open(out, nr, "Sign in", NULL, "nr-signin", RN_NAV_NONE);
	buf_puts(out, "<div class=\"nr-narrow\">\n<h1>Sign in to the newsroom</h1>\n"
		      "<form method=\"post\" action=\"/newsroom/signin\" class=\"nr-form\">\n");
	if (token) {
		buf_puts(out, "<input type=\"hidden\" name=\"signin_token\" value=\"");
		buf_html(out, token);
		buf_puts(out, "\">\n");
	}
	put_input(out, "text", "login", "signin-login", "Login", login ? login : "", NULL,
		  " required autocomplete=\"username\" autocapitalize=\"none\" "
		  "spellcheck=\"false\" maxlength=\"" MODEL_STR(MODEL_LOGIN_MAX) "\" autofocus");
	put_input(out, "password", "password", "signin-password", "Password", NULL, NULL,
		  " required autocomplete=\"current-password\"");
	buf_puts(out, "<div class=\"nr-actions\"><button type=\"submit\" "
		      "class=\"nr-btn nr-btn-primary\">Sign in</button></div>\n</form>\n"
		      "<p class=\"nr-hint\">No account? Ask an administrator of the newsroom.</p>\n"
		      "</div>\n");
	rn_close(out, nr);
}

/* ---- the pages list ---- */

static void put_new_page_form(struct buf *out, const struct render_newsroom *nr)
{
	buf_puts(out, "<section class=\"nr-card\" aria-labelledby=\"new-page-h\">\n"
		      "<h2 id=\"new-page-h\">New live page</h2>\n");
	rn_form_open(out, "nr-form");
	buf_puts(out, "/newsroom/pages");
	rn_form_open_end(out, nr, NULL);
	put_input(out, "text", "title", "np-title", "Title", NULL, NULL,
		  " required maxlength=\"" MODEL_STR(MODEL_TITLE_MAX) "\"");
	put_input(out, "text", "slug", "np-slug", "Address (slug)", NULL,
		  "Lower-case letters, digits and hyphens: it becomes "
		  "<code>/live/<var>slug</var></code> and cannot be changed later.",
		  " required maxlength=\"" MODEL_STR(MODEL_SLUG_MAX) "\""
		  " pattern=\"[a-z0-9]+(-[a-z0-9]+)*\" autocapitalize=\"none\" spellcheck=\"false\"");
	textarea_open(out, "description", "np-description", "Description", 2,
		      "One sentence under the title (optional).",
		      " maxlength=\"" MODEL_STR(MODEL_DESC_MAX) "\"");
	textarea_close(out);
	buf_puts(out, "<div class=\"nr-row\">\n");
	put_input(out, "text", "zone", "np-zone", "Time zone", MODEL_DEFAULT_ZONE,
		  "An IANA zone name, e.g. Europe/London.",
		  " list=\"nr-zones\" required autocapitalize=\"none\" spellcheck=\"false\"");
	buf_puts(out, "<datalist id=\"nr-zones\">\n");
	for (size_t i = 0; i < sizeof(rn_zones) / sizeof(rn_zones[0]); i++) {
		buf_puts(out, "<option value=\"");
		buf_puts(out, rn_zones[i]);
		buf_puts(out, "\"></option>\n");
	}
	buf_puts(out, "</datalist>\n");
	put_input(out, "datetime-local", "start", "np-start", "Planned start", NULL,
		  "In the page's time zone; may be left empty.", NULL);
	buf_puts(out, "</div>\n<div class=\"nr-actions\"><button type=\"submit\" "
		      "class=\"nr-btn nr-btn-primary\">Create live page</button></div>\n"
		      "</form>\n</section>\n");
}

void render_newsroom_pages(struct buf *out, const struct render_newsroom *nr,
			   const struct model_page *pages, size_t n)
{
	rn_open(out, nr, "Live pages", NULL, "nr-pages", RN_NAV_PAGES);
	buf_puts(out, "<h1>Live pages</h1>\n");
	if (n == 0)
		buf_puts(out, "<p class=\"empty\">There are no live pages yet.</p>\n");
	else
		buf_puts(out, "<ul class=\"nr-page-list\">\n");
	for (size_t i = 0; i < n; i++) {
		const struct model_page *p = &pages[i];

		buf_puts(out, "<li class=\"nr-page-item\">\n");
		render_status_html(out, p->status);
		put_visibility(out, p);
		buf_puts(out, "<h2 class=\"nr-page-title\"><a href=\"");
		put_desk_url(out, p);
		buf_puts(out, "\">");
		buf_html(out, p->title);
		buf_puts(out, "</a></h2>\n");
		if (nonempty(p->description)) {
			buf_puts(out, "<p class=\"description\">");
			buf_html(out, p->description);
			buf_puts(out, "</p>\n");
		}
		buf_puts(out, "<dl class=\"nr-facts\">\n");
		buf_printf(out, "<div><dt>Posts</dt><dd>%zu</dd></div>\n", p->n_posts);
		buf_puts(out, "<div><dt>Last update</dt><dd>");
		if (p->updated_at) {
			put_time(out, p->zone, p->updated_at);
			put_ago(out, nr->now, p->updated_at);
		} else {
			buf_puts(out, "none yet");
		}
		buf_puts(out, "</dd></div>\n");
		if (p->status == MODEL_STATUS_UPCOMING && p->start_at) {
			buf_puts(out, "<div><dt>Planned start</dt><dd>");
			put_time(out, p->zone, p->start_at);
			buf_puts(out, "</dd></div>\n");
		}
		buf_puts(out, "</dl>\n<p class=\"nr-links\"><a href=\"");
		put_desk_url(out, p);
		buf_puts(out, "\">Open the desk<span class=\"vh\">: ");
		buf_html(out, p->title);
		buf_puts(out, "</span></a> <a href=\"");
		put_reader_url(out, p);
		buf_puts(out, "\">Reader page<span class=\"vh\">: ");
		buf_html(out, p->title);
		buf_puts(out, "</span></a></p>\n</li>\n");
	}
	if (n > 0)
		buf_puts(out, "</ul>\n");
	if (can(nr, AUTH_PAGE_ADMIN))
		put_new_page_form(out, nr);
	rn_close(out, nr);
}

/* ---- the desk ---- */

static void put_publish_form(struct buf *out, const struct render_newsroom *nr,
			     const struct model_page *page)
{
	rn_form_open(out, "nr-inline");
	put_desk_url(out, page);
	buf_puts(out, page->published ? "/unpublish" : "/publish");
	rn_form_open_end(out, nr, NULL);
	if (page->published)
		buf_puts(out, "<button type=\"submit\" class=\"nr-btn\" data-confirm=\"Unpublish "
			      "the page? Readers will get &#8220;not found&#8221; until it is "
			      "published again.\">Unpublish page</button>\n</form>\n");
	else
		buf_puts(out, "<button type=\"submit\" class=\"nr-btn nr-btn-primary\">"
			      "Publish page</button>\n</form>\n");
}

static void put_status_form(struct buf *out, const struct render_newsroom *nr,
			    const struct model_page *page, const char *status, const char *label,
			    const char *confirm)
{
	rn_form_open(out, "nr-inline");
	put_desk_url(out, page);
	buf_puts(out, "/status");
	rn_form_open_end(out, nr, NULL);
	buf_puts(out, "<input type=\"hidden\" name=\"status\" value=\"");
	buf_puts(out, status);
	buf_puts(out, "\">\n<button type=\"submit\" class=\"nr-btn");
	buf_puts(out, strcmp(status, "live") == 0 ? " nr-btn-live" : "");
	buf_puts(out, "\"");
	if (confirm) {
		buf_puts(out, " data-confirm=\"");
		buf_puts(out, confirm);
		buf_puts(out, "\"");
	}
	buf_puts(out, ">");
	buf_puts(out, label);
	buf_puts(out, "</button>\n</form>\n");
}

/* Its run of tags and escaped values is alike in shape to render_feed.c's
 * rss_item(), by intent: each page writes its own elements in its own order. */
/* The code that embeds the page on another site (render_embed_iframe), to
 * copy: a read-only field, and a copy button that newsroom.js shows
 * ([data-copy]). */
static void put_embed_code(struct buf *out, const struct render_newsroom *nr,
			   const struct model_page *page)
{
	struct buf code;

	buf_init(&code, 64 * 1024);
	render_embed_iframe(&code, nr->site, page, RENDER_EMBED_WIDTH, RENDER_EMBED_HEIGHT);
	buf_puts(out, "<details class=\"nr-embed\">\n<summary>Embed on another site</summary>\n"
		      "<label for=\"embed-code\">Code to paste into another site\xe2\x80\x99s page</label>\n");
	put_hint(out, "embed-code",
		 page->published ? "It shows the newest posts, updated live, and links to the page."
				 : "It shows the newest posts once the page is published.");
	buf_puts(out, "<div class=\"nr-secret-row\"><textarea id=\"embed-code\" "
		      "class=\"nr-embed-code\" readonly rows=\"3\" spellcheck=\"false\" "
		      "aria-describedby=\"embed-code-hint\">");
	if (!code.err)
		buf_html(out, code.data);
	buf_puts(out, "</textarea> <button type=\"button\" class=\"nr-btn\" "
		      "data-copy=\"embed-code\" hidden>Copy</button></div>\n</details>\n");
	buf_cleanup(&code);
}

static void put_desk_head(struct buf *out, const struct render_newsroom *nr,
			  const struct render_newsroom_desk *desk)
{
	const struct model_page *page = desk->page;

	buf_puts(out, "<header class=\"nr-desk-head\" id=\"desk-head\">\n");
	render_status_html(out, page->status);
	put_visibility(out, page);
	buf_puts(out, "<h1>");
	buf_html(out, page->title);
	buf_puts(out, "</h1>\n<p class=\"nr-meta\">");
	if (page->status == MODEL_STATUS_UPCOMING && page->start_at) {
		buf_puts(out, "Planned start ");
		put_time(out, page->zone, page->start_at);
		buf_puts(out, " \xc2\xb7 ");
	} else if (page->status == MODEL_STATUS_ENDED && page->end_at) {
		buf_puts(out, "Ended ");
		put_time(out, page->zone, page->end_at);
		buf_puts(out, " \xc2\xb7 ");
	}
	buf_puts(out, "Times in ");
	put_zone_name(out, page->zone, nr->now);
	buf_puts(out, "</p>\n<nav class=\"nr-desk-links\" aria-label=\"This live page\"><ul>\n"
		      "<li><a href=\"");
	if (nonempty(desk->reader_url) && markup_url_allowed(desk->reader_url))
		buf_html(out, desk->reader_url);
	else
		put_reader_url(out, page);
	buf_puts(out, "\">Reader page</a></li>\n");
	if (can(nr, AUTH_SUMMARY_EDIT)) {
		buf_puts(out, "<li><a href=\"");
		put_desk_url(out, page);
		buf_puts(out, "/summary\">Edit the summary</a></li>\n");
	}
	if (can(nr, AUTH_AUDIT_READ)) {
		buf_puts(out, "<li><a href=\"/newsroom/audit?page=");
		buf_html(out, page->slug);
		buf_puts(out, "\">Audit trail</a></li>\n");
	}
	buf_puts(out, "</ul></nav>\n");
	put_embed_code(out, nr, page);
	if (can(nr, AUTH_PAGE_STATUS) || can(nr, AUTH_PAGE_PUBLISH)) {
		buf_puts(out, "<div class=\"nr-status-actions\">\n");
		if (can(nr, AUTH_PAGE_PUBLISH))
			put_publish_form(out, nr, page);
	}
	if (can(nr, AUTH_PAGE_STATUS)) {
		switch (page->status) {
		case MODEL_STATUS_UPCOMING:
			put_status_form(out, nr, page, "live", "Start coverage", NULL);
			break;
		case MODEL_STATUS_LIVE:
			put_status_form(out, nr, page, "ended", "End coverage",
					"End the coverage? Readers will see it has ended.");
			break;
		case MODEL_STATUS_ENDED:
			put_status_form(out, nr, page, "live", "Resume coverage", NULL);
			break;
		}
	}
	if (can(nr, AUTH_PAGE_STATUS) || can(nr, AUTH_PAGE_PUBLISH))
		buf_puts(out, "</div>\n");
	buf_puts(out, "</header>\n");
}

static void put_composer(struct buf *out, const struct render_newsroom *nr,
			 const struct render_newsroom_desk *desk)
{
	const struct model_page *page = desk->page;
	const struct render_newsroom_composer none = { 0 };
	const struct render_newsroom_composer *in = desk->refill ? desk->refill : &none;
	int publish = can(nr, AUTH_POST_PUBLISH);

	buf_puts(out, "<section class=\"nr-card nr-composer\" aria-labelledby=\"composer-h\">\n"
		      "<h2 id=\"composer-h\">New post</h2>\n");
	rn_form_open(out, "nr-form");
	put_desk_url(out, page);
	buf_puts(out, "/posts");
	rn_form_open_end(out, nr, " enctype=\"multipart/form-data\"");
	put_input(out, "text", "title", "c-title", "Title", in->title, NULL,
		  " required maxlength=\"" MODEL_STR(MODEL_TITLE_MAX) "\"");
	put_body_field(out, "c", in->body);
	put_flags_fields(out, "c", in->breaking, in->key_event);
	put_bylines_open(out, "c");
	if (in->bylines)
		buf_html(out, in->bylines);
	else
		put_default_byline(out, nr->user);
	textarea_close(out);

	buf_puts(out, "<fieldset class=\"nr-group nr-image\">\n<legend>Image "
		      "<span class=\"nr-hint\">(optional, shown after the body)</span></legend>\n");
	put_input(out, "file", "image", "c-image", "Image file", NULL,
		  "JPEG, PNG or WebP, up to 15 MB.",
		  " accept=\"image/jpeg,image/png,image/webp\" data-alt=\"c-image-alt\" "
		  "data-thumb=\"c-thumb\"");
	buf_puts(out, "<div class=\"nr-thumb\" id=\"c-thumb\" hidden></div>\n");
	put_input(out, "text", "image_alt", "c-image-alt",
		  "Alt text <span class=\"nr-req\">(required with an image)</span>", in->image_alt,
		  "What the picture shows, for people who cannot see it.",
		  " maxlength=\"" MODEL_STR(MODEL_NOTE_MAX) "\"");
	buf_puts(out, "<div class=\"nr-row\">\n");
	put_input(out, "text", "image_credit", "c-image-credit", "Credit", in->image_credit,
		  "Shown as \xe2\x80\x9cImage source, <var>credit</var>\xe2\x80\x9d.",
		  " maxlength=\"" MODEL_STR(MODEL_NAME_MAX) "\"");
	put_input(out, "text", "image_caption", "c-image-caption", "Caption", in->image_caption,
		  NULL, " maxlength=\"" MODEL_STR(MODEL_NOTE_MAX) "\"");
	buf_puts(out, "</div>\n</fieldset>\n");
	put_embed_fields(out, "c", in->embed_url, in->embed_title);
	if (publish)
		put_publish_at_field(out, "c", page, 0, nr->now);
	put_post_actions(out, nr, can(nr, AUTH_DRAFT_WRITE), 0);
	buf_puts(out, "</form>\n</section>\n");
}

/* A draft's line of facts: when it is scheduled for, who saved it when, its
 * version (in parentheses on the draft's own page, after a dot on the desk). */
static void rn_draft_meta(struct buf *out, const struct render_newsroom *nr,
			  const struct model_page *page, const struct model_draft *d,
			  int parenthesised)
{
	buf_puts(out, "<p class=\"nr-meta\">");
	if (d->state == MODEL_DRAFT_SCHEDULED) {
		buf_puts(out, "<strong>Scheduled for ");
		put_time(out, page->zone, d->publish_at);
		buf_puts(out, "</strong>");
		put_ago(out, nr->now, d->publish_at);
		buf_puts(out, " \xc2\xb7 ");
	}
	buf_puts(out, "by ");
	buf_html(out, d->author_name);
	buf_puts(out, " \xc2\xb7 saved ");
	put_time(out, page->zone, d->updated_at);
	put_ago(out, nr->now, d->updated_at);
	if (parenthesised)
		buf_printf(out, " (version %" PRId64 ")</p>\n", d->version);
	else
		buf_printf(out, " \xc2\xb7 version %" PRId64 "</p>\n", d->version);
}

static void put_draft_item(struct buf *out, const struct render_newsroom *nr,
			   const struct model_page *page, const struct model_draft *d)
{
	int mine = can_edit_draft(nr, d);

	buf_printf(out, "<li class=\"nr-draft%s\" id=\"draft-%" PRId64 "\">\n",
		   d->state == MODEL_DRAFT_SCHEDULED ? " nr-draft-scheduled" : "", d->id);
	buf_puts(out, "<h4 class=\"nr-draft-title\">");
	buf_html(out, nonempty(d->post.title) ? d->post.title : "(untitled)");
	buf_puts(out, "</h4>\n");
	put_post_labels(out, &d->post);
	rn_draft_meta(out, nr, page, d, 0);

	buf_puts(out, "<div class=\"nr-controls\">\n<a class=\"nr-btn nr-btn-quiet\" href=\"");
	put_draft_nr_url(out, page, d->id, "/edit");
	buf_puts(out, mine ? "\">Edit" : "\">View");
	buf_puts(out, "<span class=\"vh\"> \xe2\x80\x9c");
	buf_html(out, d->post.title);
	buf_puts(out, "\xe2\x80\x9d</span></a>\n");
	if (can(nr, AUTH_POST_PUBLISH)) {
		/* Publishes the draft as saved. The form route saves the fields it
		 * is sent before publishing: a checkbox that is absent reads as off,
		 * so the flags go along as they are, with the title and bylines;
		 * an absent body is left alone. The version guards against a newer
		 * save. */
		rn_form_open(out, "nr-inline");
		put_draft_nr_url(out, page, d->id, "");
		rn_form_open_end(out, nr, NULL);
		buf_printf(out, "<input type=\"hidden\" name=\"version\" value=\"%" PRId64 "\">\n",
			   d->version);
		buf_puts(out, "<input type=\"hidden\" name=\"title\" value=\"");
		buf_html(out, d->post.title);
		buf_puts(out, "\">\n");
		if (d->post.breaking)
			buf_puts(out, "<input type=\"hidden\" name=\"breaking\" value=\"on\">\n");
		if (d->post.key_event)
			buf_puts(out, "<input type=\"hidden\" name=\"key_event\" value=\"on\">\n");
		if (d->post.n_bylines > 0) {
			buf_puts(out, "<input type=\"hidden\" name=\"bylines\" value=\"");
			put_bylines_text(out, &d->post);
			buf_puts(out, "\">\n");
		}
		buf_puts(out, "<button type=\"submit\" name=\"action\" value=\"publish\" "
			      "class=\"nr-btn\" data-confirm=\"Publish this now?\">Publish now"
			      "<span class=\"vh\"> \xe2\x80\x9c");
		buf_html(out, d->post.title);
		buf_puts(out, "\xe2\x80\x9d</span></button>\n</form>\n");
	}
	if (mine) {
		rn_form_open(out, "nr-inline");
		put_draft_nr_url(out, page, d->id, "/delete");
		rn_form_open_end(out, nr,
			      " data-confirm=\"Delete this draft? This cannot be undone.\"");
		buf_puts(out, "<button type=\"submit\" class=\"nr-btn nr-btn-danger\">Delete"
			      "<span class=\"vh\"> draft \xe2\x80\x9c");
		buf_html(out, d->post.title);
		buf_puts(out, "\xe2\x80\x9d</span></button>\n</form>\n");
	}
	buf_puts(out, "</div>\n</li>\n");
}

static void put_drafts(struct buf *out, const struct render_newsroom *nr,
		       const struct render_newsroom_desk *desk)
{
	size_t n_sched = 0, n_saved = 0;

	for (size_t i = 0; i < desk->n_drafts; i++) {
		if (desk->drafts[i].state == MODEL_DRAFT_SCHEDULED)
			n_sched++;
		else
			n_saved++;
	}
	buf_puts(out,
		 "<section class=\"nr-card\" id=\"desk-drafts\" aria-labelledby=\"drafts-h\">\n"
		 "<h2 id=\"drafts-h\">Scheduled and drafts</h2>\n");
	if (desk->n_drafts == 0)
		buf_puts(out, "<p class=\"nr-hint\">No scheduled posts and no drafts.</p>\n");
	for (int pass = 0; pass < 2; pass++) {
		enum model_draft_state want = pass == 0 ? MODEL_DRAFT_SCHEDULED : MODEL_DRAFT_SAVED;
		size_t count = pass == 0 ? n_sched : n_saved;

		if (count == 0)
			continue;
		buf_printf(out,
			   "<h3>%s <span class=\"nr-count\">(%zu)</span></h3>\n"
			   "<ul class=\"nr-drafts\">\n",
			   pass == 0 ? "Scheduled" : "Drafts", count);
		for (size_t i = 0; i < desk->n_drafts; i++)
			if (desk->drafts[i].state == want)
				put_draft_item(out, nr, desk->page, &desk->drafts[i]);
		buf_puts(out, "</ul>\n");
	}
	buf_puts(out, "</section>\n");
}

static void put_desk_post(struct buf *out, const struct render_newsroom *nr,
			  const struct model_page *page, const struct model_post *p)
{
	int pinned = p->pinned || (page->pinned_post_id && page->pinned_post_id == p->id);

	buf_printf(out, "<div class=\"nr-post%s\" id=\"desk-post-%" PRId64 "\">\n",
		   pinned ? " nr-post-pinned" : "", p->id);
	render_post_html(out, page, p);
	buf_puts(out, "<div class=\"nr-controls\" role=\"group\" aria-label=\"Post: ");
	buf_html(out, p->title);
	buf_puts(out, "\">\n");
	/* The reader's article says "Pinned" when the post knows it is; say it
	 * here only when the page alone does. */
	if (pinned && !p->pinned)
		buf_puts(out, "<span class=\"nr-pinned-tag\">Pinned</span>\n");
	if (can(nr, AUTH_POST_EDIT)) {
		buf_puts(out, "<a class=\"nr-btn nr-btn-quiet\" href=\"");
		put_post_nr_url(out, page, p->id, "/edit");
		buf_puts(out, "\">Edit<span class=\"vh\"> \xe2\x80\x9c");
		buf_html(out, p->title);
		buf_puts(out, "\xe2\x80\x9d</span></a>\n");
	}
	buf_puts(out, "<a class=\"nr-btn nr-btn-quiet\" href=\"");
	put_post_nr_url(out, page, p->id, "/history");
	buf_puts(out, "\">History<span class=\"vh\"> of \xe2\x80\x9c");
	buf_html(out, p->title);
	buf_printf(
	    out, "\xe2\x80\x9d</span></a>\n<span class=\"nr-version\">version %" PRId64 "</span>\n",
	    p->version);
	if (can(nr, AUTH_POST_PIN)) {
		rn_form_open(out, "nr-inline");
		if (pinned) {
			put_desk_url(out, page);
			buf_puts(out, "/unpin");
			rn_form_open_end(out, nr, NULL);
			buf_puts(out, "<button type=\"submit\" class=\"nr-btn\">Unpin");
		} else {
			put_post_nr_url(out, page, p->id, "/pin");
			rn_form_open_end(out, nr, NULL);
			buf_puts(out, "<button type=\"submit\" class=\"nr-btn\">Pin");
		}
		buf_puts(out, "<span class=\"vh\"> \xe2\x80\x9c");
		buf_html(out, p->title);
		buf_puts(out, "\xe2\x80\x9d</span></button>\n</form>\n");
	}
	if (can(nr, AUTH_POST_DELETE)) {
		rn_form_open(out, "nr-inline");
		put_post_nr_url(out, page, p->id, "/delete");
		rn_form_open_end(out, nr,
			      " data-confirm=\"Delete this post? Readers will no longer "
			      "see it, and this cannot be undone.\"");
		buf_puts(out, "<button type=\"submit\" class=\"nr-btn nr-btn-danger\">Delete"
			      "<span class=\"vh\"> \xe2\x80\x9c");
		buf_html(out, p->title);
		buf_puts(out, "\xe2\x80\x9d</span></button>\n</form>\n");
	}
	buf_puts(out, "</div>\n</div>\n");
}

void render_newsroom_desk(struct buf *out, const struct render_newsroom *nr,
			  const struct render_newsroom_desk *desk)
{
	const struct model_page *page = desk->page;

	rn_open(out, nr, page->title, "Desk", "nr-desk", RN_NAV_PAGES);
	put_desk_head(out, nr, desk);
	if (can(nr, AUTH_DRAFT_WRITE) || can(nr, AUTH_POST_PUBLISH))
		put_composer(out, nr, desk);
	put_drafts(out, nr, desk);

	buf_puts(out, "<section class=\"nr-posts\" aria-labelledby=\"posts-h\">\n"
		      "<h2 id=\"posts-h\">Published posts</h2>\n"
		      "<p class=\"nr-hint\">As readers see them, newest first.</p>\n"
		      "<div id=\"desk-posts\"");
	/* The readers' stream keeps the list current; an unpublished page has
	 * none (it is a 404 for everyone), so its desk updates on reload. */
	if (page->published) {
		buf_puts(out, " data-events=\"");
		put_reader_url(out, page);
		buf_puts(out, "/events\"");
	}
	buf_printf(out, " data-seq=\"%" PRId64 "\">\n", page->last_seq);
	if (desk->n_posts == 0)
		buf_puts(out, "<p class=\"empty\">Nothing published yet.</p>\n");
	for (size_t i = 0; i < desk->n_posts; i++)
		put_desk_post(out, nr, page, &desk->posts[i]);
	buf_puts(out, "</div>\n</section>\n");
	rn_close(out, nr);
}

/* ---- the post editor ---- */

void render_newsroom_post_edit(struct buf *out, const struct render_newsroom *nr,
			       const struct render_newsroom_edit *e)
{
	const struct model_page *page = e->page;
	const struct model_post *post = e->post;
	/* On a conflict the form holds what the user typed, against the NEW
	 * version: saving again is a deliberate choice to replace it. */
	const struct model_post *form = e->mine ? e->mine : post;
	const char *md = e->mine ? e->mine_md : e->body_md;

	rn_open(out, nr, post->title, "Edit post", "nr-edit", RN_NAV_PAGES);
	put_back_to_desk(out, page);
	buf_puts(out, "<h1>Edit post</h1>\n<p class=\"nr-meta\">");
	if (e->last) {
		buf_puts(out, "Last changed by ");
		buf_html(out, e->last->user_name);
		buf_puts(out, " at ");
		put_time(out, page->zone, e->last->at);
		put_ago(out, nr->now, e->last->at);
		buf_printf(out, " (version %" PRId64 ")", e->last->version);
	} else {
		buf_printf(out, "Version %" PRId64, post->version);
	}
	buf_puts(out, " \xc2\xb7 <a href=\"");
	put_post_nr_url(out, page, post->id, "/history");
	buf_puts(out, "\">History</a> \xc2\xb7 <a href=\"");
	put_reader_url(out, page);
	buf_printf(out, "/posts/%" PRId64 "\">Reader view</a></p>\n", post->id);

	if (e->mine) {
		buf_printf(out,
			   "<section class=\"nr-conflict\" aria-labelledby=\"conflict-h\">\n"
			   "<h2 id=\"conflict-h\">Someone changed this post while you were "
			   "editing: the newer version (version %" PRId64 ")</h2>\n"
			   "<p>Your text is kept in the form below. Compare it with the newer "
			   "version; saving replaces the newer version with yours.</p>\n"
			   "<div class=\"nr-snapshot\">\n",
			   post->version);
		render_post_html(out, page, post);
		buf_puts(out, "</div>\n</section>\n");
	}

	buf_puts(out, "<section class=\"nr-card\" aria-labelledby=\"edit-h\">\n<h2 id=\"edit-h\">");
	buf_puts(out, e->mine ? "Your version" : "The post");
	buf_puts(out, "</h2>\n");
	rn_form_open(out, "nr-form");
	put_post_nr_url(out, page, post->id, "");
	rn_form_open_end(out, nr, NULL);
	buf_printf(out, "<input type=\"hidden\" name=\"version\" value=\"%" PRId64 "\">\n",
		   post->version);
	put_input(out, "text", "title", "e-title", "Title", form->title ? form->title : "", NULL,
		  " required maxlength=\"" MODEL_STR(MODEL_TITLE_MAX) "\"");
	put_body_field(out, "e", md);
	put_flags_fields(out, "e", form->breaking, form->key_event);
	put_bylines_open(out, "e");
	put_bylines_text(out, form);
	textarea_close(out);

	if (nonempty(post->correction)) {
		buf_puts(out, "<div class=\"nr-current-note\"><p><strong>The correction note "
			      "readers see now</strong>");
		if (post->correction_at) {
			buf_puts(out, " (");
			put_time(out, page->zone, post->correction_at);
			buf_puts(out, ")");
		}
		buf_puts(out, ":</p><p>");
		buf_html(out, post->correction);
		buf_puts(out, "</p>\n");
		put_check(out, "remove_correction", "e-remove-correction",
			  "Remove this note (when it was a mistake)", 0, NULL);
		buf_puts(out, "</div>\n");
	}
	textarea_open(out, "correction", "e-correction",
		      "Correction note <span class=\"nr-hint\">(optional)</span>", 2,
		      "Shown to readers under the post. Write one when a change corrects a "
		      "fact; leave empty for small fixes (and to keep the current note).",
		      " maxlength=\"" MODEL_STR(MODEL_NOTE_MAX) "\"");
	if (e->mine && nonempty(e->mine->correction) &&
	    !(post->correction && strcmp(post->correction, e->mine->correction) == 0))
		buf_html(out, e->mine->correction);
	textarea_close(out);

	buf_puts(out, "<div class=\"nr-actions\">\n");
	if (can(nr, AUTH_POST_EDIT))
		buf_puts(out, e->mine ? "<button type=\"submit\" class=\"nr-btn nr-btn-primary\">"
					"Replace the newer version with mine</button>\n"
				      : "<button type=\"submit\" class=\"nr-btn nr-btn-primary\">"
					"Save changes</button>\n");
	else
		buf_puts(out, "<p class=\"nr-hint\">Only editors can change a published post."
			      "</p>\n");
	buf_puts(out, "<a class=\"nr-btn nr-btn-quiet\" href=\"");
	put_desk_url(out, page);
	buf_puts(out, "\">Cancel</a>\n</div>\n</form>\n</section>\n");
	rn_close(out, nr);
}

/* ---- the draft editor ---- */

void render_newsroom_draft_edit(struct buf *out, const struct render_newsroom *nr,
				const struct model_page *page, const struct model_draft *d,
				const char *body_md)
{
	int mine = can_edit_draft(nr, d);
	int scheduled = d->state == MODEL_DRAFT_SCHEDULED;

	rn_open(out, nr, nonempty(d->post.title) ? d->post.title : "Draft",
		scheduled ? "Scheduled post" : "Draft", "nr-edit", RN_NAV_PAGES);
	put_back_to_desk(out, page);
	buf_puts(out, scheduled ? "<h1>Scheduled post</h1>\n" : "<h1>Draft</h1>\n");
	rn_draft_meta(out, nr, page, d, 1);
	if (!mine)
		buf_puts(out, "<p class=\"nr-notice nr-notice-info\">Only its author or an editor "
			      "can change this draft.</p>\n");

	buf_puts(out, "<section class=\"nr-card\" aria-labelledby=\"draft-h\">\n"
		      "<h2 id=\"draft-h\" class=\"vh\">The draft</h2>\n");
	rn_form_open(out, "nr-form");
	put_draft_nr_url(out, page, d->id, "");
	rn_form_open_end(out, nr, NULL);
	buf_printf(out, "<input type=\"hidden\" name=\"version\" value=\"%" PRId64 "\">\n",
		   d->version);
	buf_puts(out, mine ? "<fieldset class=\"nr-plain\">\n"
			   : "<fieldset class=\"nr-plain\" disabled>\n");
	buf_puts(out, "<legend class=\"vh\">The draft's content</legend>\n");
	put_input(out, "text", "title", "d-title", "Title", d->post.title ? d->post.title : "",
		  NULL, " required maxlength=\"" MODEL_STR(MODEL_TITLE_MAX) "\"");
	put_body_field(out, "d", body_md);
	put_flags_fields(out, "d", d->post.breaking, d->post.key_event);
	put_bylines_open(out, "d");
	put_bylines_text(out, &d->post);
	textarea_close(out);
	/* No image or embed fields: what the composer attached is in the body as
	 * Markdown now, and that is where a new one goes (the body's hint). */
	if (can(nr, AUTH_POST_PUBLISH))
		put_publish_at_field(out, "d", page, scheduled ? d->publish_at : 0, nr->now);
	buf_puts(out, "</fieldset>\n");
	if (mine)
		put_post_actions(out, nr, 1, scheduled);
	buf_puts(out, "</form>\n");
	if (mine) {
		rn_form_open(out, "nr-inline nr-danger-zone");
		put_draft_nr_url(out, page, d->id, "/delete");
		rn_form_open_end(out, nr,
			      scheduled ? " data-confirm=\"Delete this scheduled post? "
					  "It will not be published.\""
					: " data-confirm=\"Delete this draft? This cannot "
					  "be undone.\"");
		buf_puts(out, "<button type=\"submit\" class=\"nr-btn nr-btn-danger\">");
		buf_puts(out, scheduled ? "Delete scheduled post" : "Delete draft");
		buf_puts(out, "</button>\n</form>\n");
	}
	buf_puts(out, "</section>\n");
	rn_close(out, nr);
}

/* ---- a post's history ---- */

void render_newsroom_history(struct buf *out, const struct render_newsroom *nr,
			     const struct model_page *page, const struct model_post *post,
			     const struct model_revision *revs, size_t n)
{
	rn_open(out, nr, post->title, "History", "nr-history", RN_NAV_PAGES);
	put_back_to_desk(out, page);
	buf_puts(out, "<h1>History <span class=\"nr-sub\">of \xe2\x80\x9c");
	buf_html(out, post->title);
	buf_puts(out, "\xe2\x80\x9d</span></h1>\n<p class=\"nr-meta\">");
	buf_printf(out, "Now at version %" PRId64 ". Times in ", post->version);
	put_zone_name(out, page->zone, nr->now);
	buf_puts(out, ".");
	if (can(nr, AUTH_POST_EDIT)) {
		buf_puts(out, " <a href=\"");
		put_post_nr_url(out, page, post->id, "/edit");
		buf_puts(out, "\">Edit the post</a>");
	}
	buf_puts(out, "</p>\n");
	if (n == 0)
		buf_puts(out, "<p class=\"empty\">No revisions recorded.</p>\n");
	else
		buf_puts(out, "<ol class=\"nr-revisions\">\n");
	for (size_t i = 0; i < n; i++) {
		const struct model_revision *r = &revs[i];

		buf_printf(out,
			   "<li class=\"nr-revision\" id=\"version-%" PRId64 "\">\n"
			   "<article aria-labelledby=\"version-%" PRId64 "-h\">\n"
			   "<h2 id=\"version-%" PRId64 "-h\">Version %" PRId64 "</h2>\n"
			   "<p class=\"nr-meta\"><strong>",
			   r->version, r->version, r->version, r->version);
		buf_html(out, nonempty(r->what) ? r->what : "changed");
		buf_puts(out, "</strong> by ");
		buf_html(out, nonempty(r->user_name) ? r->user_name : "command line");
		buf_puts(out, " at ");
		put_time(out, page->zone, r->at);
		put_ago(out, nr->now, r->at);
		buf_puts(out, "</p>\n");
		if (nonempty(r->correction)) {
			buf_puts(out, "<div class=\"nr-current-note\"><p><strong>Correction note"
				      "</strong> (shown to readers):</p><p>");
			buf_html(out, r->correction);
			buf_puts(out, "</p></div>\n");
		}
		/* The body renderer, not the whole article: the same post shown
		 * several times must not repeat the article's id. */
		buf_puts(out, "<details class=\"nr-snapshot\"");
		if (i == 0)
			buf_puts(out, " open");
		buf_puts(out, "><summary>The post as it was</summary>\n"
			      "<div class=\"post\">\n<h3 class=\"post-title\">");
		buf_html(out, r->post.title);
		buf_puts(out, "</h3>\n");
		put_post_labels(out, &r->post);
		buf_puts(out, "<div class=\"post-body\">\n");
		render_post_body_html(out, page, &r->post);
		buf_puts(out, "</div>\n</div>\n</details>\n</article>\n</li>\n");
	}
	if (n > 0)
		buf_puts(out, "</ol>\n");
	rn_close(out, nr);
}

/* ---- the summary editor ---- */

void render_newsroom_summary(struct buf *out, const struct render_newsroom *nr,
			     const struct model_page *page, const char *points_md)
{
	const struct model_summary *s = &page->summary;
	static const char *const kinds[] = {"none", "image", "video"};
	static const char *const kind_labels[] = {"None", "Image", "Video"};
	const char *kind = s->media_kind == MODEL_MEDIA_IMAGE	? "image"
			   : s->media_kind == MODEL_MEDIA_VIDEO ? "video"
								: "none";
	struct buf now;

	rn_open(out, nr, page->title, "Summary", "nr-summary", RN_NAV_PAGES);
	put_back_to_desk(out, page);
	buf_puts(out, "<h1>Summary</h1>\n<p class=\"nr-meta\">Key points and featured media at "
		      "the top of the live page.</p>\n"
		      "<section class=\"nr-card\" aria-labelledby=\"summary-form-h\">\n"
		      "<h2 id=\"summary-form-h\" class=\"vh\">Edit the summary</h2>\n");
	rn_form_open(out, "nr-form");
	put_desk_url(out, page);
	buf_puts(out, "/summary");
	rn_form_open_end(out, nr, NULL);
	textarea_open(out, "points", "s-points", "Key points", 8,
		      "One point per line, each starting with <kbd>-</kbd> and a space. "
		      "**Bold**, *italic* and [links](https://\xe2\x80\xa6) are allowed.",
		      " maxlength=\"" MODEL_STR(MODEL_SUMMARY_MAX) "\"");
	buf_html(out, points_md);
	textarea_close(out);
	buf_puts(out, "<fieldset class=\"nr-group\">\n<legend>Featured media</legend>\n"
		      "<div class=\"nr-field nr-field-short\">\n"
		      "<label for=\"s-media-kind\">Kind</label>\n"
		      "<select name=\"media_kind\" id=\"s-media-kind\">\n");
	for (size_t i = 0; i < 3; i++)
		put_option(out, kinds[i], kind_labels[i], strcmp(kind, kinds[i]) == 0);
	buf_puts(out, "</select>\n</div>\n");
	put_input(out, "text", "media_url", "s-media-url", "Media URL",
		  s->media_url ? s->media_url : "",
		  "https://\xe2\x80\xa6 or a path on this site such as /media/\xe2\x80\xa6",
		  " inputmode=\"url\" autocapitalize=\"none\" spellcheck=\"false\"");
	put_input(
	    out, "text", "media_alt", "s-media-alt", "Alt text", s->media_alt ? s->media_alt : "",
	    "What the image or video shows, for people who cannot see it.",
	    " maxlength=\"" MODEL_STR(MODEL_NOTE_MAX) "\"");
	put_input(out, "text", "media_caption", "s-media-caption", "Caption",
		  s->media_caption ? s->media_caption : "",
		  "Shown under the media as \xe2\x80\x9cMedia caption, \xe2\x80\xa6\xe2\x80\x9d.",
		  " maxlength=\"" MODEL_STR(MODEL_NOTE_MAX) "\"");
	put_input(out, "text", "media_credit", "s-media-credit", "Credit",
		  s->media_credit ? s->media_credit : "",
		  "Who made it, shown after the caption, such as Reuters.",
		  " maxlength=\"" MODEL_STR(MODEL_NAME_MAX) "\"");
	put_input(out, "text", "media_poster", "s-media-poster", "Video poster",
		  s->media_poster ? s->media_poster : "",
		  "For a video: the image shown before it plays, https://\xe2\x80\xa6 or /media/\xe2\x80\xa6",
		  " inputmode=\"url\" autocapitalize=\"none\" spellcheck=\"false\"");
	buf_puts(out, "</fieldset>\n<div class=\"nr-actions\">\n");
	if (can(nr, AUTH_SUMMARY_EDIT))
		buf_puts(out, "<button type=\"submit\" class=\"nr-btn nr-btn-primary\">Save summary"
			      "</button>\n");
	else
		buf_puts(out, "<p class=\"nr-hint\">Only editors can change the summary.</p>\n");
	buf_puts(out, "<a class=\"nr-btn nr-btn-quiet\" href=\"");
	put_desk_url(out, page);
	buf_puts(out, "\">Cancel</a>\n</div>\n</form>\n</section>\n"
		      "<section class=\"nr-reader-view\" aria-labelledby=\"summary-now-h\">\n"
		      "<h2 id=\"summary-now-h\">As readers see it now</h2>\n");
	buf_init(&now, 1 << 20);
	render_summary_html(&now, page);
	if (now.err || now.len == 0)
		buf_puts(out, "<p class=\"empty\">The summary is empty: readers see none.</p>\n");
	else
		buf_append(out, now.data, now.len);
	buf_cleanup(&now);
	buf_puts(out, "</section>\n");
	rn_close(out, nr);
}

/* ---- users and API tokens ---- */

static void put_user_row(struct buf *out, const struct render_newsroom *nr,
			 const struct model_user *u)
{
	char id[48];

	buf_printf(out, "<tr id=\"user-%" PRId64 "\"%s>\n<th scope=\"row\"><code>", u->id,
		   u->disabled ? " class=\"nr-disabled\"" : "");
	buf_html(out, u->login);
	buf_puts(out, "</code></th>\n<td data-label=\"Name\">");
	buf_html(out, u->display_name);
	buf_puts(out, "</td>\n<td data-label=\"Byline\">");
	buf_html(out, nonempty(u->byline_name) ? u->byline_name : u->display_name);
	if (nonempty(u->byline_role)) {
		buf_puts(out, "<br><span class=\"nr-hint\">");
		buf_html(out, u->byline_role);
		buf_puts(out, "</span>");
	}
	buf_puts(out, "</td>\n<td data-label=\"Created\">");
	put_time(out, MODEL_DEFAULT_ZONE, u->created_at);
	buf_puts(out, "</td>\n<td data-label=\"Role and access\">\n");
	rn_form_open(out, "nr-inline nr-user-form");
	buf_printf(out, "/newsroom/users/%" PRId64, u->id);
	rn_form_open_end(out, nr, NULL);
	snprintf(id, sizeof(id), "u%" PRId64 "-role", u->id);
	buf_printf(out, "<label for=\"%s\"><span class=\"vh\">Role of </span>", id);
	buf_puts(out, "<span class=\"vh\">");
	buf_html(out, u->login);
	buf_printf(out,
		   "</span><span aria-hidden=\"true\">Role</span></label>\n"
		   "<select name=\"role\" id=\"%s\">\n",
		   id);
	put_role_options(out, u->role);
	buf_puts(out, "</select>\n");
	snprintf(id, sizeof(id), "u%" PRId64 "-disabled", u->id);
	buf_printf(out,
		   "<span class=\"nr-check\"><input type=\"checkbox\" name=\"disabled\" "
		   "id=\"%s\"%s> <label for=\"%s\">Disabled<span class=\"vh\"> (",
		   id, u->disabled ? " checked" : "", id);
	buf_html(out, u->login);
	buf_puts(out, ")</span></label></span>\n"
		      "<button type=\"submit\" class=\"nr-btn\">Save<span class=\"vh\"> ");
	buf_html(out, u->login);
	buf_puts(out, "</span></button>\n</form>\n</td>\n</tr>\n");
}

static void put_add_user(struct buf *out, const struct render_newsroom *nr)
{
	char hint[160];

	snprintf(hint, sizeof(hint),
		 "At least %d characters. Give it to them in person or "
		 "through a channel you trust.",
		 AUTH_PASSWORD_MIN);
	buf_puts(out, "<section class=\"nr-card\" aria-labelledby=\"add-user-h\">\n"
		      "<h2 id=\"add-user-h\">Add user</h2>\n");
	rn_form_open(out, "nr-form");
	buf_puts(out, "/newsroom/users");
	rn_form_open_end(out, nr, NULL);
	buf_puts(out, "<div class=\"nr-row\">\n");
	put_input(out, "text", "login", "nu-login", "Login", NULL,
		  "1 to 64 of a\xe2\x80\x93z, 0\xe2\x80\x93"
		  "9, dot, underscore, hyphen.",
		  " required maxlength=\"" MODEL_STR(MODEL_LOGIN_MAX) "\""
		  " pattern=\"[a-z0-9._\\-]{1," MODEL_STR(MODEL_LOGIN_MAX) "}\" "
		  "autocapitalize=\"none\" spellcheck=\"false\" autocomplete=\"off\"");
	put_input(out, "text", "display_name", "nu-display-name", "Display name", NULL, NULL,
		  " required maxlength=\"" MODEL_STR(MODEL_NAME_MAX) "\" autocomplete=\"off\"");
	buf_puts(out, "</div>\n<div class=\"nr-row\">\n");
	put_input(out, "text", "byline_name", "nu-byline-name", "Byline name", NULL,
		  "Leave empty to use the display name.",
		  " maxlength=\"" MODEL_STR(MODEL_NAME_MAX) "\"");
	put_input(out, "text", "byline_role", "nu-byline-role", "Byline role", NULL,
		  "E.g. \xe2\x80\x9c"
		  "BBC Russian service\xe2\x80\x9d; may be empty.",
		  " maxlength=\"" MODEL_STR(MODEL_NAME_MAX) "\"");
	buf_puts(out,
		 "</div>\n<div class=\"nr-row\">\n<div class=\"nr-field nr-field-short\">\n"
		 "<label for=\"nu-role\">Role</label>\n<select name=\"role\" id=\"nu-role\">\n");
	put_role_options(out, MODEL_ROLE_CONTRIBUTOR);
	buf_puts(out, "</select>\n</div>\n");
	{
		char extra[96];

		snprintf(extra, sizeof(extra),
			 " required minlength=\"%d\" autocomplete=\"new-password\"",
			 AUTH_PASSWORD_MIN);
		put_input(out, "password", "password", "nu-password", "Password", NULL, hint,
			  extra);
	}
	buf_puts(out, "</div>\n<div class=\"nr-actions\"><button type=\"submit\" "
		      "class=\"nr-btn nr-btn-primary\">Add user</button></div>\n</form>\n"
		      "</section>\n");
}

static void put_tokens(struct buf *out, const struct render_newsroom *nr,
		       const struct model_user *users, size_t n_users,
		       const struct model_token *tokens, size_t n_tokens)
{
	buf_puts(out, "<section class=\"nr-card\" aria-labelledby=\"tokens-h\">\n"
		      "<h2 id=\"tokens-h\">API tokens</h2>\n"
		      "<p class=\"nr-hint\">A token acts as its user, with that user's role "
		      "(docs/api.md). Revoke one that is no longer needed.</p>\n");
	if (n_tokens == 0)
		buf_puts(out, "<p class=\"empty\">No API tokens.</p>\n");
	else
		buf_puts(out, "<div class=\"nr-table-wrap\"><table class=\"nr-table\">\n"
			      "<thead><tr><th scope=\"col\">Label</th><th scope=\"col\">User</th>"
			      "<th scope=\"col\">Created</th><th scope=\"col\">Status</th></tr>"
			      "</thead>\n<tbody>\n");
	for (size_t i = 0; i < n_tokens; i++) {
		const struct model_token *t = &tokens[i];

		buf_printf(out, "<tr id=\"token-%" PRId64 "\"%s>\n<th scope=\"row\">", t->id,
			   t->revoked_at ? " class=\"nr-disabled\"" : "");
		buf_html(out, t->label);
		buf_puts(out, "</th>\n<td data-label=\"User\"><code>");
		buf_html(out, t->user_login);
		buf_puts(out, "</code></td>\n<td data-label=\"Created\">");
		put_time(out, MODEL_DEFAULT_ZONE, t->created_at);
		buf_puts(out, "</td>\n<td data-label=\"Status\">");
		if (t->revoked_at) {
			buf_puts(out, "Revoked ");
			put_time(out, MODEL_DEFAULT_ZONE, t->revoked_at);
		} else {
			rn_form_open(out, "nr-inline");
			buf_printf(out, "/newsroom/tokens/%" PRId64 "/revoke", t->id);
			rn_form_open_end(out, nr,
				      " data-confirm=\"Revoke this token? Whatever "
				      "uses it stops working at once.\"");
			buf_puts(out,
				 "<button type=\"submit\" class=\"nr-btn nr-btn-danger\">Revoke"
				 "<span class=\"vh\"> token ");
			buf_html(out, t->label);
			buf_puts(out, "</span></button>\n</form>\n");
		}
		buf_puts(out, "</td>\n</tr>\n");
	}
	if (n_tokens > 0)
		buf_puts(out, "</tbody>\n</table></div>\n");

	buf_puts(out, "<h3 id=\"new-token-h\">New API token</h3>\n");
	rn_form_open(out, "nr-form");
	buf_puts(out, "/newsroom/tokens");
	rn_form_open_end(out, nr, " aria-labelledby=\"new-token-h\"");
	/* Not `required`: a list whose first option is a user always has a
	 * value, and HTML makes `required` there an error (it needs an empty
	 * first option to mean "none chosen"). */
	buf_puts(out, "<div class=\"nr-row\">\n<div class=\"nr-field nr-field-short\">\n"
		      "<label for=\"nt-login\">User</label>\n"
		      "<select name=\"login\" id=\"nt-login\">\n");
	for (size_t i = 0; i < n_users; i++) {
		if (users[i].disabled)
			continue; /* a disabled user's token would not work */
		put_option(out, users[i].login, users[i].login, 0);
	}
	buf_puts(out, "</select>\n</div>\n");
	put_input(out, "text", "label", "nt-label", "Label", NULL,
		  "What it is for, e.g. \xe2\x80\x9cwire importer\xe2\x80\x9d.",
		  " required maxlength=\"" MODEL_STR(MODEL_LABEL_MAX) "\"");
	buf_puts(out, "</div>\n<div class=\"nr-actions\"><button type=\"submit\" "
		      "class=\"nr-btn nr-btn-primary\">Create token</button></div>\n</form>\n"
		      "</section>\n");
}

void render_newsroom_users(struct buf *out, const struct render_newsroom *nr,
			   const struct model_user *users, size_t n_users,
			   const struct model_token *tokens, size_t n_tokens, const char *new_token)
{
	rn_open(out, nr, "Users and API tokens", NULL, "nr-users", RN_NAV_USERS);
	buf_puts(out, "<h1>Users and API tokens</h1>\n");
	if (new_token) {
		buf_puts(out, "<section class=\"nr-secret\" aria-labelledby=\"secret-h\">\n"
			      "<h2 id=\"secret-h\">Your new API token</h2>\n"
			      "<p><strong>Copy it now: it will not be shown again.</strong> Only "
			      "its fingerprint is kept, so nobody can look it up later; if it is "
			      "lost, revoke it and create another.</p>\n"
			      "<label for=\"new-token\" class=\"vh\">New API token</label>\n"
			      "<div class=\"nr-secret-row\"><input type=\"text\" id=\"new-token\" "
			      "class=\"nr-token\" readonly spellcheck=\"false\" "
			      "autocomplete=\"off\" value=\"");
		buf_html(out, new_token);
		buf_puts(out, "\"> <button type=\"button\" class=\"nr-btn\" "
			      "data-copy=\"new-token\" hidden>Copy</button></div>\n</section>\n");
	}
	buf_puts(out, "<section class=\"nr-card\" aria-labelledby=\"users-h\">\n"
		      "<h2 id=\"users-h\">Users</h2>\n");
	if (n_users == 0)
		buf_puts(out, "<p class=\"empty\">No users.</p>\n");
	else
		buf_puts(out, "<div class=\"nr-table-wrap\"><table class=\"nr-table\">\n"
			      "<thead><tr><th scope=\"col\">Login</th><th scope=\"col\">Name</th>"
			      "<th scope=\"col\">Byline</th><th scope=\"col\">Created</th>"
			      "<th scope=\"col\">Role and access</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n_users; i++)
		put_user_row(out, nr, &users[i]);
	if (n_users > 0)
		buf_puts(out, "</tbody>\n</table></div>\n");
	buf_puts(out, "</section>\n");
	put_add_user(out, nr);
	put_tokens(out, nr, users, n_users, tokens, n_tokens);
	rn_close(out, nr);
}

/* ---- the audit trail ---- */

void render_newsroom_audit(struct buf *out, const struct render_newsroom *nr,
			   const struct model_page *page, const struct model_audit *a, size_t n)
{
	const char *zone = page ? page->zone : MODEL_DEFAULT_ZONE;

	rn_open(out, nr, page ? page->title : "Audit trail", page ? "Audit trail" : NULL,
		"nr-audit", RN_NAV_AUDIT);
	if (page)
		put_back_to_desk(out, page);
	buf_puts(out, "<h1>Audit trail");
	if (page) {
		buf_puts(out, " <span class=\"nr-sub\">of \xe2\x80\x9c");
		buf_html(out, page->title);
		buf_puts(out, "\xe2\x80\x9d</span>");
	}
	buf_puts(out, "</h1>\n<p class=\"nr-meta\">Newest first. Times in ");
	put_zone_name(out, zone, nr->now);
	buf_puts(out, ".");
	if (page)
		buf_puts(out, " <a href=\"/newsroom/audit\">Every page</a>");
	buf_puts(out, "</p>\n");
	if (n == 0) {
		buf_puts(out, "<p class=\"empty\">Nothing recorded yet.</p>\n");
		rn_close(out, nr);
		return;
	}
	buf_puts(out, "<div class=\"nr-table-wrap\"><table class=\"nr-table nr-audit-table\">\n"
		      "<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th>"
		      "<th scope=\"col\">Action</th><th scope=\"col\">Page and post</th>"
		      "<th scope=\"col\">Detail</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const struct model_audit *e = &a[i];
		int here = page && e->page_id == page->id;

		buf_puts(out, "<tr>\n<td data-label=\"When\">");
		put_time(out, zone, e->at);
		buf_puts(out, "</td>\n<td data-label=\"Who\">");
		buf_html(out, nonempty(e->user_name) ? e->user_name : "command line");
		buf_puts(out, "</td>\n<td data-label=\"Action\"><code>");
		buf_html(out, e->action);
		/* Tag by tag, as in rn_open()'s <title>: alike in shape, by intent. */
		buf_puts(out, "</code></td>\n<td data-label=\"Page and post\">");
		if (here) {
			buf_puts(out, "<a href=\"");
			put_desk_url(out, page);
			buf_puts(out, "\">");
			buf_html(out, page->slug);
			buf_puts(out, "</a>");
		} else if (e->page_id) {
			buf_printf(out, "page %" PRId64, e->page_id);
		}
		if (e->post_id && here) {
			buf_puts(out, " \xc2\xb7 <a href=\"");
			put_post_nr_url(out, page, e->post_id, "/history");
			buf_printf(out, "\">post %" PRId64 "</a>", e->post_id);
		} else if (e->post_id) {
			buf_printf(out, "%spost %" PRId64, e->page_id ? " \xc2\xb7 " : "",
				   e->post_id);
		}
		if (!e->page_id && !e->post_id)
			buf_puts(out, "\xe2\x80\x94");
		buf_puts(out, "</td>\n<td data-label=\"Detail\">");
		buf_html(out, e->detail);
		buf_puts(out, "</td>\n</tr>\n");
	}
	buf_puts(out, "</tbody>\n</table></div>\n");
	rn_close(out, nr);
}

/* ---- errors ---- */

void render_newsroom_error(struct buf *out, const struct render_newsroom *nr, int status,
			   const char *reason, const char *message)
{
	struct buf title;

	buf_init(&title, 512);
	buf_printf(&title, "%d ", status);
	buf_puts(&title, reason ? reason : "Error");
	rn_open(out, nr, title.err ? "Error" : title.data, NULL, "nr-error", RN_NAV_NONE);
	buf_puts(out, "<div class=\"nr-narrow\">\n<h1>");
	buf_html(out, title.err ? "Error" : title.data);
	buf_puts(out, "</h1>\n");
	buf_cleanup(&title);
	if (nonempty(message)) {
		buf_puts(out, "<p class=\"nr-notice nr-notice-error\" role=\"alert\">");
		buf_html(out, message);
		buf_puts(out, "</p>\n");
	}
	if (nr->user)
		buf_puts(out, "<p><a href=\"/newsroom\">Back to the live pages</a></p>\n");
	else
		buf_puts(out, "<p><a href=\"/newsroom/signin\">Sign in to the newsroom</a></p>\n");
	buf_puts(out, "</div>\n");
	rn_close(out, nr);
}
