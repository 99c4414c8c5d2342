/*
 * Unit tests for src/render/render_newsroom.c: the newsroom's pages. The model
 * and the store's records are built in code (string literals; nothing is
 * cleaned up), rendered, and the HTML searched for what must and must not be
 * there: the forms and field names of docs/api.md, the CSRF field in every
 * form that changes something, the controls each role gets, and hostile text
 * coming out inert wherever data is shown.
 */
#include "unit_render.h"

#include "model/model.h"
#include "page/page_assets.h"
#include "render/render_newsroom.h"
#include "model/model_newsroom.h"
#include "newsroom/newsroom.h"
#include "util/buf.h"
#include "util/tz.h"

#define HOSTILE_A "<script>alert(1)</script>"
#define HOSTILE_B "\"><img src=x onerror=alert(1)>"
#define HOSTILE_J "javascript:alert(1)"
#define HOSTILE	  HOSTILE_A HOSTILE_B

#define CSRF	   "csrf-Tok_en-123"
#define CSRF_FIELD "<input type=\"hidden\" name=\"csrf\" value=\"" CSRF "\">"

static const struct render_site site = {"Liveline", "/static/newsroom.abc.css",
					"/static/newsroom.abc.js", "http://liveline.test"};

static size_t count(const char *html, const char *needle)
{
	size_t n = 0;

	for (const char *p = html; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* No hostile markup got through: the only <script is ours (a src="..."), no
 * attribute was broken out of, and no javascript: URL became a link. */
static void assert_inert(const char *html)
{
	const char *p = html;

	while ((p = strstr(p, "<script")) != NULL) {
		if (strncmp(p, "<script src=\"/static/", 21) != 0)
			fail_msg("raw <script: %.80s", p);
		p += 7;
	}
	assert_lacks(html, "<img src=x");
	assert_lacks(html, "onerror=alert(1)>");
	assert_lacks(html, "href=\"javascript:");
	assert_lacks(html, "src=\"javascript:");
	assert_lacks(html, "alert(1)</script>");
}

/* Every <form method="post" ...> but sign-in carries the CSRF field. */
static void assert_forms_have_csrf(const char *html)
{
	const char *p = html;

	while ((p = strstr(p, "<form method=\"post\"")) != NULL) {
		const char *end = strstr(p, "</form>");

		assert_non_null(end);
		if (!strstr(p, "action=\"/newsroom/signin\"") ||
		    strstr(p, "action=\"/newsroom/signin\"") > end) {
			const char *f = strstr(p, CSRF_FIELD);

			if (!f || f > end)
				fail_msg("form without csrf: %.160s", p);
		}
		p = end;
	}
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	int64_t t;

	assert_int_equal(tz_local_to_utc("Europe/London", y, mo, d, h, mi, 0, &t), 0);
	return t;
}

/* ---- fixtures ---- */

static struct model_user user_admin = {1, "root", "Ada Admin", "", "", MODEL_ROLE_ADMIN, 0, 1};
static struct model_user user_editor = {
    2, "ed", "Ed Editor", "Edward E.", "Live editor", MODEL_ROLE_EDITOR, 0, 1};
static struct model_user user_contrib = {
    3, "cora", "Cora Contributor", "", "BBC Russian service", MODEL_ROLE_CONTRIBUTOR, 0, 1};
static struct model_user user_hostile = {
    4, HOSTILE, HOSTILE, HOSTILE, HOSTILE, MODEL_ROLE_CONTRIBUTOR, 0, 1};

static struct render_newsroom make_nr(const struct model_user *u)
{
	struct render_newsroom nr;

	memset(&nr, 0, sizeof(nr));
	nr.site = &site;
	nr.user = u;
	nr.may = newsroom_permissions(u);
	nr.csrf = u ? CSRF : NULL;
	nr.now = utc(2025, 2, 17, 11, 0);
	return nr;
}

static struct model_page make_page(const char *slug, const char *title)
{
	struct model_page p;

	memset(&p, 0, sizeof(p));
	p.id = 1;
	p.slug = (char *)slug;
	p.title = (char *)title;
	p.description = "Talks in Paris and Riyadh";
	p.zone = "Europe/London";
	p.status = MODEL_STATUS_LIVE;
	p.published = 1;
	p.last_seq = 42;
	p.updated_at = utc(2025, 2, 17, 10, 37);
	p.n_posts = 2;
	return p;
}

static struct model_post make_post(int64_t id, const char *title)
{
	struct model_post p;

	memset(&p, 0, sizeof(p));
	p.id = id;
	p.page_id = 1;
	p.title = (char *)title;
	p.published_at = utc(2025, 2, 17, 10, 0) + id * 60;
	p.updated_at = p.published_at;
	p.version = 1;
	return p;
}

/* A post whose every field is hostile, with an image and an embed. */
static struct model_byline hostile_bylines[] = {{HOSTILE, HOSTILE}};
static struct model_block hostile_blocks[3];

static struct model_post make_hostile_post(int64_t id)
{
	struct model_post p = make_post(id, HOSTILE);

	memset(hostile_blocks, 0, sizeof(hostile_blocks));
	hostile_blocks[0].kind = MODEL_BLOCK_PARAGRAPH;
	hostile_blocks[0].text = HOSTILE " [click](" HOSTILE_J ")";
	hostile_blocks[1].kind = MODEL_BLOCK_IMAGE;
	hostile_blocks[1].url = HOSTILE_J;
	hostile_blocks[1].alt = HOSTILE;
	hostile_blocks[1].credit = HOSTILE;
	hostile_blocks[1].caption = HOSTILE;
	hostile_blocks[2].kind = MODEL_BLOCK_EMBED;
	hostile_blocks[2].url = HOSTILE_J;
	hostile_blocks[2].text = HOSTILE;
	p.bylines = hostile_bylines;
	p.n_bylines = 1;
	p.blocks = hostile_blocks;
	p.n_blocks = 3;
	p.correction = HOSTILE;
	p.correction_at = p.published_at + 600;
	return p;
}

static struct model_draft make_draft(int64_t id, int64_t author, const char *author_name,
				     const char *title, int scheduled)
{
	struct model_draft d;

	memset(&d, 0, sizeof(d));
	d.id = id;
	d.page_id = 1;
	d.author_id = author;
	d.author_name = (char *)author_name;
	d.state = scheduled ? MODEL_DRAFT_SCHEDULED : MODEL_DRAFT_SAVED;
	d.publish_at = scheduled ? utc(2025, 2, 17, 12, 30) : 0;
	d.version = 3;
	d.created_at = utc(2025, 2, 17, 9, 0);
	d.updated_at = utc(2025, 2, 17, 10, 50);
	d.post.title = (char *)title;
	return d;
}

/* The desk of page "ukraine": post 7 (pinned), post 8; a scheduled post 11 by
 * the editor, a draft 12 by the contributor, a draft 13 by the editor. */
struct desk_fixture {
	struct model_page page;
	struct model_post posts[2];
	struct model_byline byline;
	struct model_draft drafts[3];
	struct render_newsroom_desk desk;
};

static void make_desk(struct desk_fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->page = make_page("ukraine", "Ukraine talks");
	f->page.pinned_post_id = 7;
	f->posts[0] = make_post(8, "Talks end without a deal");
	f->posts[0].breaking = 1;
	f->posts[1] = make_post(7, "A tale of two summits");
	f->posts[1].pinned = 1;
	f->posts[1].key_event = 1;
	f->posts[1].version = 4;
	f->byline.name = "Liza Fokht";
	f->byline.role = "BBC Russian service, reporting from Paris";
	f->posts[1].bylines = &f->byline;
	f->posts[1].n_bylines = 1;
	f->drafts[0] = make_draft(11, 2, "Ed Editor", "Scheduled wrap-up", 1);
	f->drafts[1] = make_draft(12, 3, "Cora Contributor", "Cora's draft", 0);
	f->drafts[2] = make_draft(13, 2, "Ed Editor", "Ed's draft", 0);
	f->desk.page = &f->page;
	f->desk.posts = f->posts;
	f->desk.n_posts = 2;
	f->desk.drafts = f->drafts;
	f->desk.n_drafts = 3;
	f->desk.reader_url = "/live/ukraine";
}

/* ---- chrome ---- */

static void test_chrome_roles(void **state)
{
	struct model_page page = make_page("ukraine", "Ukraine talks");
	struct render_newsroom nr;
	char *html;

	(void)state;
	nr = make_nr(&user_contrib);
	html = RENDER(render_newsroom_pages(&out_, &nr, &page, 1));
	assert_has(html, "<meta name=\"csrf-token\" content=\"" CSRF "\">");
	assert_has(html, "<link rel=\"stylesheet\" href=\"/static/newsroom.abc.css\">");
	assert_has(html, "<script src=\"/static/newsroom.abc.js\" defer></script>");
	assert_has(html, "<nav class=\"nr-nav\" aria-label=\"Newsroom\">");
	assert_has(html, "<a href=\"/newsroom\" aria-current=\"page\">Pages</a>");
	assert_lacks(html, "href=\"/newsroom/users\"");
	assert_lacks(html, "href=\"/newsroom/audit\"");
	assert_has(html, "<span class=\"nr-user-name\">Cora Contributor</span>");
	assert_has(html, ">Contributor</span>");
	assert_has(html, "action=\"/newsroom/signout\"");
	assert_has(html, "<main id=\"main\"");
	assert_lacks(html, "style=");
	assert_lacks(html, " onclick");
	assert_forms_have_csrf(html);
	free(html);

	nr = make_nr(&user_editor);
	html = RENDER(render_newsroom_pages(&out_, &nr, &page, 1));
	assert_lacks(html, "href=\"/newsroom/users\"");
	assert_has(html, "<a href=\"/newsroom/audit\">Audit</a>");
	assert_has(html, ">Editor</span>");
	free(html);

	nr = make_nr(&user_admin);
	html = RENDER(render_newsroom_pages(&out_, &nr, &page, 1));
	assert_has(html, "<a href=\"/newsroom/users\">Users</a>");
	assert_has(html, "<a href=\"/newsroom/audit\">Audit</a>");
	free(html);

	/* The signed-in user's name is data like any other. */
	nr = make_nr(&user_hostile);
	html = RENDER(render_newsroom_pages(&out_, &nr, &page, 1));
	assert_inert(html);
	assert_has(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
	free(html);
}

static void test_notices(void **state)
{
	struct model_page page = make_page("ukraine", "Ukraine talks");
	struct render_newsroom nr = make_nr(&user_editor);
	char *html;

	(void)state;
	nr.notice = "Saved. " HOSTILE;
	nr.notice_is_error = 1;
	html = RENDER(render_newsroom_pages(&out_, &nr, &page, 1));
	assert_has(html, "<div class=\"nr-notice nr-notice-error\" role=\"alert\"><p>Saved. "
			 "&lt;script&gt;");
	assert_inert(html);
	free(html);

	nr.notice = "Published.";
	nr.notice_is_error = 0;
	html = RENDER(render_newsroom_pages(&out_, &nr, &page, 1));
	assert_has(html, "role=\"status\"><p>Published.</p>");
	assert_lacks(html, "role=\"alert\"");
	free(html);
}

/* With the built-in assets: the reader's stylesheet, then the newsroom's, and
 * newsroom.js, whichever site the caller hands over. */
static void test_assets(void **state)
{
	struct render_site reader_site;
	struct render_site rn_site;
	const struct page_asset *css, *js, *style;
	struct render_newsroom nr = make_nr(NULL);
	char *html, *a, *b;

	(void)state;
	page_assets_init();
	css = page_asset_by_name("newsroom.css");
	js = page_asset_by_name("newsroom.js");
	style = page_asset_by_name("style.css");
	assert_non_null(css);
	assert_non_null(js);
	assert_true(css->len > 1000);
	assert_true(js->len > 1000);
	assert_string_equal(css->content_type, "text/css; charset=utf-8");
	assert_string_equal(js->content_type, "text/javascript; charset=utf-8");
	assert_true(strncmp(css->url, "/static/newsroom.", 17) == 0);
	assert_ptr_equal(page_asset_by_url(js->url), js);
	assert_non_null(page_asset_by_name("live.js"));
	assert_ptr_equal(page_asset_by_url(style->url), style);

	rn_site = (struct render_site){"Liveline", css->url, js->url, "http://liveline.test"};
	reader_site =
	    (struct render_site){"Liveline", style->url, page_asset_by_name("live.js")->url,
				    "http://liveline.test"};
	for (int i = 0; i < 2; i++) {
		nr.site = i == 0 ? &rn_site : &reader_site;
		html = RENDER(render_newsroom_signin(&out_, &nr, NULL, NULL));
		a = strstr(html, style->url);
		b = strstr(html, css->url);
		assert_non_null(a);
		assert_non_null(b);
		assert_true(a < b);
		assert_int_equal(count(html, "rel=\"stylesheet\""), 2);
		assert_has(html, js->url);
		assert_lacks(html, page_asset_by_name("live.js")->url);
		free(html);
	}
}

/* ---- sign-in ---- */

static void test_signin(void **state)
{
	struct render_newsroom nr = make_nr(NULL);
	char *html;

	(void)state;
	html = RENDER(render_newsroom_signin(&out_, &nr, HOSTILE, HOSTILE));
	assert_has(html, "<form method=\"post\" action=\"/newsroom/signin\"");
	assert_has(html, "<label for=\"signin-login\">Login</label>");
	assert_has(html, "name=\"login\" id=\"signin-login\" value=\"&lt;script&gt;");
	assert_has(html, "<label for=\"signin-password\">Password</label>");
	assert_has(html, "<input type=\"password\" name=\"password\"");
	assert_has(html, "autocomplete=\"current-password\"");
	assert_lacks(html, "name=\"csrf\"");
	assert_lacks(html, "csrf-token");
	/* The form's own token, escaped like every value. */
	assert_has(html, "<input type=\"hidden\" name=\"signin_token\" value=\"&lt;script&gt;");
	assert_lacks(html, "signout"); /* nobody is signed in */
	assert_lacks(html, "nr-nav");
	assert_inert(html);
	free(html);

	nr.notice = "Wrong login or password.";
	nr.notice_is_error = 1;
	html = RENDER(render_newsroom_signin(&out_, &nr, NULL, NULL));
	assert_has(html, "role=\"alert\"><p>Wrong login or password.</p>");
	assert_has(html, "id=\"signin-login\" value=\"\"");
	assert_lacks(html, "signin_token");
	free(html);
}

/* ---- pages list ---- */

static void test_pages(void **state)
{
	struct model_page pages[2];
	struct render_newsroom nr;
	char *html;

	(void)state;
	pages[0] = make_page("ukraine", "Ukraine talks");
	pages[1] = make_page(HOSTILE_B, HOSTILE);
	pages[1].description = HOSTILE;
	pages[1].status = MODEL_STATUS_UPCOMING;
	pages[1].start_at = utc(2025, 2, 18, 9, 0);

	nr = make_nr(&user_admin);
	html = RENDER(render_newsroom_pages(&out_, &nr, pages, 2));
	assert_has(html, "<h1>Live pages</h1>");
	assert_has(html, "<a href=\"/newsroom/ukraine\">Ukraine talks</a>");
	assert_has(html, "<a href=\"/live/ukraine\">Reader page");
	assert_has(html, "<p class=\"status status-live\">Live</p>");
	assert_has(html, "<p class=\"status status-upcoming\">Upcoming</p>");
	assert_has(html, "Last update</dt><dd><time datetime=\"2025-02-17T10:37:00Z\">10:37");
	assert_has(html, "(23 minutes ago)");
	assert_has(html, "Planned start");
	/* The admin's form, as docs/api.md has it. */
	assert_has(html, "action=\"/newsroom/pages\"");
	assert_has(html, "name=\"title\"");
	assert_has(html, "name=\"slug\"");
	assert_has(html, "name=\"description\"");
	assert_has(html, "name=\"zone\" id=\"np-zone\" value=\"Europe/London\"");
	assert_has(html, "list=\"nr-zones\"");
	assert_has(html, "<datalist id=\"nr-zones\">");
	assert_has(html, "<input type=\"datetime-local\" name=\"start\"");
	assert_has(html, "<label for=\"np-start\">Planned start</label>");
	assert_has(html, "<a href=\"/newsroom/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">");
	/* The form's limits are the server's (model_limits.h): the description
	 * field said 1,000 where the server took 2,000. */
	assert_has(html, "name=\"description\" id=\"np-description\" rows=\"2\"");
	assert_has(html, "maxlength=\"2000\"");
	assert_lacks(html, "maxlength=\"1000\"");
	assert_has(html, "name=\"title\" id=\"np-title\"");
	assert_has(html, "required maxlength=\"300\"");
	assert_inert(html);
	assert_forms_have_csrf(html);
	free(html);

	nr = make_nr(&user_editor);
	html = RENDER(render_newsroom_pages(&out_, &nr, pages, 2));
	assert_lacks(html, "action=\"/newsroom/pages\"");
	assert_lacks(html, "New live page");
	free(html);

	html = RENDER(render_newsroom_pages(&out_, &nr, NULL, 0));
	assert_has(html, "There are no live pages yet.");
	free(html);
}

/* ---- the desk ---- */

static void test_desk_editor(void **state)
{
	struct desk_fixture f;
	struct render_newsroom nr = make_nr(&user_editor);
	char *html;

	(void)state;
	make_desk(&f);
	f.drafts[0].post.breaking = 1;
	html = RENDER(render_newsroom_desk(&out_, &nr, &f.desk));
	/* The composer's body holds what a post may: 8 KiB of Markdown. */
	assert_has(html, "maxlength=\"8192\"");
	/* Header: title, status, coverage, links. */
	assert_has(html, "<h1>Ukraine talks</h1>");
	assert_has(html, "<p class=\"status status-live\">Live</p>");
	assert_has(html, "action=\"/newsroom/ukraine/status\"");
	assert_has(html, "<input type=\"hidden\" name=\"status\" value=\"ended\">");
	assert_has(html, ">End coverage</button>");
	assert_has(html, "action=\"/newsroom/ukraine/unpublish\"");
	assert_has(html, ">Unpublish page</button>");
	assert_lacks(html, "Not published");
	assert_has(html, "<a href=\"/live/ukraine\">Reader page</a>");
	assert_has(html, "<a href=\"/newsroom/ukraine/summary\">Edit the summary</a>");
	assert_has(html, "<a href=\"/newsroom/audit?page=ukraine\">Audit trail</a>");
	/* The composer, field by field. */
	assert_has(html, "action=\"/newsroom/ukraine/posts\" enctype=\"multipart/form-data\"");
	assert_has(html, "<input type=\"text\" name=\"title\" id=\"c-title\"");
	assert_has(html, "<label for=\"c-body\">Body</label>");
	assert_has(html, "<textarea name=\"body\" id=\"c-body\"");
	assert_has(html, "data-preview-for=\"c-body\"");
	/* The hint says how to credit a quotation (markup_body.c's rule). */
	assert_has(html, "a last line <kbd>&gt; \xe2\x80\x94 Name</kbd> or "
			 "<kbd>&gt; -- Name</kbd> credits the speaker");
	assert_has(html, "id=\"c-preview\"");
	assert_has(html, "<input type=\"checkbox\" name=\"breaking\" id=\"c-breaking\">");
	assert_has(html, "<input type=\"checkbox\" name=\"key_event\" id=\"c-key\">");
	/* The editor's default byline, from byline_name and byline_role. */
	assert_has(html, "<textarea name=\"bylines\" id=\"c-bylines\"");
	assert_has(html, ">\nEdward E.|Live editor</textarea>");
	assert_has(html, "<input type=\"file\" name=\"image\" id=\"c-image\"");
	assert_has(html, "accept=\"image/jpeg,image/png,image/webp\"");
	assert_has(html, "data-alt=\"c-image-alt\"");
	assert_has(html, "<label for=\"c-image-alt\">Alt text <span class=\"nr-req\">(required "
			 "with an image)</span></label>");
	assert_has(html, "name=\"image_alt\"");
	assert_has(html, "name=\"image_credit\"");
	assert_has(html, "name=\"image_caption\"");
	assert_has(html, "name=\"embed_url\"");
	assert_has(html, "name=\"embed_title\"");
	assert_has(html, "<input type=\"datetime-local\" name=\"publish_at\" id=\"c-publish-at\"");
	assert_has(html, "Greenwich Mean Time");
	assert_has(html, "<button type=\"submit\" name=\"action\" value=\"publish\"");
	assert_has(html, "<button type=\"submit\" name=\"action\" value=\"draft\"");
	assert_has(html, "<button type=\"submit\" name=\"action\" value=\"schedule\"");
	/* Scheduled and drafts, with their authors and controls. */
	assert_has(html, "<h3>Scheduled <span class=\"nr-count\">(1)</span></h3>");
	assert_has(html, "<h3>Drafts <span class=\"nr-count\">(2)</span></h3>");
	assert_has(html, "Scheduled for <time datetime=\"2025-02-17T12:30:00Z\">12:30");
	assert_has(html, "(in 1 hour)");
	assert_has(html, "by Cora Contributor");
	assert_has(html, "href=\"/newsroom/ukraine/drafts/12/edit\">Edit");
	assert_has(html, "href=\"/newsroom/ukraine/drafts/13/edit\">Edit");
	assert_has(html, "action=\"/newsroom/ukraine/drafts/12/delete\"");
	assert_has(html, "action=\"/newsroom/ukraine/drafts/12\"");
	assert_has(html, "<input type=\"hidden\" name=\"version\" value=\"3\">");
	assert_lacks(html, "drafts/12/publish"); /* not a form route: action=publish */
	assert_has(html, "action=\"/newsroom/ukraine/drafts/11\"");
	/* Publishing from the list sends the fields the route would otherwise
	 * reset: the flags as they are (absent = off), title; no body. */
	assert_int_equal(count(html, "<input type=\"hidden\" name=\"breaking\" value=\"on\">"), 1);
	assert_int_equal(count(html, "<input type=\"hidden\" name=\"key_event\""), 0);
	assert_has(html, "<input type=\"hidden\" name=\"title\" value=\"Scheduled wrap-up\">");
	assert_lacks(html, "<input type=\"hidden\" name=\"bylines\"");
	assert_lacks(html, "<input type=\"hidden\" name=\"body\"");
	/* The posts as readers see them, with their controls. */
	assert_has(html, "<div id=\"desk-posts\" data-events=\"/live/ukraine/events\"");
	assert_has(html, "<article class=\"post post-breaking\" id=\"post-8\" data-id=\"8\">");
	assert_has(html, "<article class=\"post key-event pinned\" id=\"post-7\"");
	assert_has(html, "<span class=\"byline-name\">Liza Fokht</span>");
	assert_has(html, "href=\"/newsroom/ukraine/posts/8/edit\">Edit");
	assert_has(html, "href=\"/newsroom/ukraine/posts/8/history\">History");
	assert_has(html, "action=\"/newsroom/ukraine/posts/8/delete\" data-confirm=\"");
	assert_has(html, "action=\"/newsroom/ukraine/posts/8/pin\"");
	assert_lacks(html, "action=\"/newsroom/ukraine/posts/7/pin\"");
	assert_has(html, "<p class=\"label label-pinned\">Pinned</p>");
	assert_lacks(html, "nr-pinned-tag"); /* the article says it already */
	assert_has(html, "<div class=\"nr-post nr-post-pinned\" id=\"desk-post-7\">");
	assert_has(html, "action=\"/newsroom/ukraine/unpin\"");
	assert_int_equal(count(html, ">Unpin<"), 1);
	free(html);

	/* Pinned by the page only (the post was loaded without the flag). */
	f.posts[1].pinned = 0;
	html = RENDER(render_newsroom_desk(&out_, &nr, &f.desk));
	assert_has(html, "<span class=\"nr-pinned-tag\">Pinned</span>");
	assert_has(html, "action=\"/newsroom/ukraine/unpin\"");
	assert_lacks(html, "action=\"/newsroom/ukraine/posts/7/pin\"");
	assert_inert(html);
	assert_forms_have_csrf(html);
	free(html);
}

/* An unpublished page says so on the desk and offers editors "Publish page";
 * its desk follows no readers' stream, which would be a 404. */
static void test_desk_unpublished(void **state)
{
	struct desk_fixture f;
	struct render_newsroom editor = make_nr(&user_editor), contrib = make_nr(&user_contrib);
	char *html;

	(void)state;
	make_desk(&f);
	f.page.published = 0;
	html = RENDER(render_newsroom_desk(&out_, &editor, &f.desk));
	assert_has(html, "<p class=\"nr-unpublished\">Not published: only the newsroom sees this "
			 "page</p>");
	assert_has(html, "action=\"/newsroom/ukraine/publish\"");
	assert_has(html, ">Publish page</button>");
	assert_lacks(html, "/unpublish\"");
	assert_lacks(html, "data-events");
	assert_has(html, "<div id=\"desk-posts\" data-seq=\"42\">");
	free(html);
	html = RENDER(render_newsroom_desk(&out_, &contrib, &f.desk));
	assert_has(html, "Not published");
	assert_lacks(html, "/publish\"");
	free(html);
	html = RENDER(render_newsroom_pages(&out_, &editor, &f.page, 1));
	assert_has(html, "Not published");
	free(html);
}

static void test_desk_contributor(void **state)
{
	struct desk_fixture f;
	struct render_newsroom nr = make_nr(&user_contrib);
	char *html;

	(void)state;
	make_desk(&f);
	html = RENDER(render_newsroom_desk(&out_, &nr, &f.desk));
	/* Writes drafts, and nothing more. */
	assert_has(html, "action=\"/newsroom/ukraine/posts\"");
	assert_has(html, "<button type=\"submit\" name=\"action\" value=\"draft\"");
	assert_lacks(html, "value=\"publish\"");
	assert_lacks(html, "value=\"schedule\"");
	assert_lacks(html, ">Publish<");
	assert_lacks(html, "name=\"publish_at\"");
	assert_has(html, "An editor publishes your drafts.");
	/* display_name stands in for an empty byline_name. */
	assert_has(html, ">\nCora Contributor|BBC Russian service</textarea>");
	/* No coverage, summary or audit controls. */
	assert_lacks(html, "/status\"");
	assert_lacks(html, "/summary\"");
	assert_lacks(html, "/newsroom/audit");
	/* Posts: history, but no edit, delete or pin. */
	assert_has(html, "href=\"/newsroom/ukraine/posts/8/history\">History");
	assert_lacks(html, "/posts/8/edit");
	assert_lacks(html, "/delete\" data-confirm=\"Delete this post");
	assert_lacks(html, "posts/8/delete");
	assert_lacks(html, "/pin\"");
	assert_lacks(html, "/unpin\"");
	assert_has(html, "<p class=\"label label-pinned\">Pinned</p>"); /* said, not a form */
	/* Their own draft only. */
	assert_has(html, "href=\"/newsroom/ukraine/drafts/12/edit\">Edit");
	assert_has(html, "action=\"/newsroom/ukraine/drafts/12/delete\"");
	assert_has(html, "href=\"/newsroom/ukraine/drafts/13/edit\">View");
	assert_lacks(html, "href=\"/newsroom/ukraine/drafts/13/edit\">Edit");
	assert_lacks(html, "drafts/13/delete");
	assert_lacks(html, "drafts/11/delete");
	assert_lacks(html, "action=\"/newsroom/ukraine/drafts/12\"");
	assert_forms_have_csrf(html);
	free(html);
}

static void test_desk_hostile(void **state)
{
	struct model_page page = make_page(HOSTILE_B, HOSTILE);
	struct model_post post = make_hostile_post(5);
	struct model_draft d = make_draft(6, 4, HOSTILE, HOSTILE, 1);
	/* A refused composer gives back what was typed: hostile text too. */
	struct render_newsroom_composer refill = {
		.title = HOSTILE, .body = HOSTILE, .image_alt = HOSTILE,
		.image_credit = HOSTILE, .image_caption = HOSTILE, .embed_url = HOSTILE_J,
		.embed_title = HOSTILE, .breaking = 1,
	};
	struct render_newsroom_desk desk = { .page = &page, .posts = &post, .n_posts = 1,
				       .drafts = &d, .n_drafts = 1, .reader_url = HOSTILE_J,
				       .refill = &refill };
	struct render_newsroom nr = make_nr(&user_hostile);
	char *html;

	(void)state;
	d.post.bylines = hostile_bylines;
	d.post.n_bylines = 1;
	page.description = HOSTILE;
	html = RENDER(render_newsroom_desk(&out_, &nr, &desk));
	assert_inert(html);
	assert_has(html, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img");
	assert_has(html, "data-events=\"/live/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
			 "/events\"");
	/* The reader URL given was not a safe one: the page's own is used. */
	assert_has(html, "<li><a href=\"/live/&quot;&gt;&lt;img");
	assert_lacks(html, HOSTILE_J "\">Reader page");
	/* The user's hostile default byline, escaped inside the textarea. */
	assert_has(html, "&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;|&lt;script");
	/* Draft author and title. */
	assert_has(html, "by &lt;script&gt;");
	free(html);

	/* An editor gets the publish form with hidden copies of the fields. */
	nr = make_nr(&user_editor);
	html = RENDER(render_newsroom_desk(&out_, &nr, &desk));
	assert_inert(html);
	assert_has(html, "<input type=\"hidden\" name=\"title\" value=\"&lt;script&gt;");
	assert_has(html, "<input type=\"hidden\" name=\"bylines\" value=\"&lt;script&gt;");
	free(html);
}

static void test_desk_status_buttons(void **state)
{
	struct desk_fixture f;
	struct render_newsroom nr = make_nr(&user_editor);
	char *html;

	(void)state;
	make_desk(&f);
	f.page.status = MODEL_STATUS_UPCOMING;
	f.page.start_at = utc(2025, 2, 17, 13, 0);
	html = RENDER(render_newsroom_desk(&out_, &nr, &f.desk));
	assert_has(html, "<input type=\"hidden\" name=\"status\" value=\"live\">");
	assert_has(html, ">Start coverage</button>");
	assert_has(html, "Planned start <time");
	free(html);

	f.page.status = MODEL_STATUS_ENDED;
	f.desk.n_posts = 0;
	f.desk.n_drafts = 0;
	html = RENDER(render_newsroom_desk(&out_, &nr, &f.desk));
	assert_has(html, ">Resume coverage</button>");
	assert_has(html, "Nothing published yet.");
	assert_has(html, "No scheduled posts and no drafts.");
	free(html);
}

/* ---- the post editor ---- */

static void test_post_edit(void **state)
{
	struct desk_fixture f;
	struct model_revision last;
	struct render_newsroom_edit e;
	struct render_newsroom nr = make_nr(&user_editor);
	char *html;

	(void)state;
	make_desk(&f);
	memset(&last, 0, sizeof(last));
	last.version = 4;
	last.user_name = "Ann Editor";
	last.at = utc(2025, 2, 17, 10, 45);
	f.posts[1].correction = "An earlier version misnamed the minister.";
	memset(&e, 0, sizeof(e));
	e.page = &f.page;
	e.post = &f.posts[1];
	e.body_md = "First paragraph.\n\n- **Lead:** item";
	e.last = &last;

	html = RENDER(render_newsroom_post_edit(&out_, &nr, &e));
	assert_has(html, "<h1>Edit post</h1>");
	assert_has(html, "Last changed by Ann Editor at <time datetime=\"2025-02-17T10:45:00Z\">"
			 "10:45");
	assert_has(html, "(version 4)");
	assert_has(html, "action=\"/newsroom/ukraine/posts/7\">");
	assert_has(html, "<input type=\"hidden\" name=\"version\" value=\"4\">");
	assert_has(html, "name=\"title\" id=\"e-title\" value=\"A tale of two summits\"");
	assert_has(html, ">\nFirst paragraph.\n\n- **Lead:** item</textarea>");
	assert_has(html, "<input type=\"checkbox\" name=\"breaking\" id=\"e-breaking\">");
	assert_has(html, "<input type=\"checkbox\" name=\"key_event\" id=\"e-key\" checked>");
	assert_has(html, ">\nLiza Fokht|BBC Russian service, reporting from Paris\n</textarea>");
	assert_has(html, "<textarea name=\"correction\" id=\"e-correction\"");
	assert_has(html, "Shown to readers under the post.");
	assert_has(html, "An earlier version misnamed the minister.");
	assert_has(html, ">Save changes</button>");
	assert_lacks(html, "nr-conflict");
	assert_forms_have_csrf(html);
	free(html);

	/* A contributor who finds their way here gets no save button. */
	nr = make_nr(&user_contrib);
	html = RENDER(render_newsroom_post_edit(&out_, &nr, &e));
	assert_lacks(html, ">Save changes</button>");
	free(html);
}

static void test_post_edit_conflict(void **state)
{
	struct desk_fixture f;
	struct model_post mine;
	struct render_newsroom_edit e;
	struct render_newsroom nr = make_nr(&user_editor);
	char *html;

	(void)state;
	make_desk(&f);
	f.posts[1].version = 5; /* someone saved version 5 while we edited 4 */
	f.posts[1].title = "The newer title";
	mine = make_post(7, "My own title " HOSTILE);
	mine.version = 4;
	mine.breaking = 1;
	mine.correction = "My note";
	memset(&e, 0, sizeof(e));
	e.page = &f.page;
	e.post = &f.posts[1];
	e.body_md = "The newer body";
	e.mine = &mine;
	e.mine_md = "My own body " HOSTILE;
	nr.notice = "This post was changed by Ann Editor at 10:45 (version 5); reload it and "
		    "apply your change again.";
	nr.notice_is_error = 1;

	html = RENDER(render_newsroom_post_edit(&out_, &nr, &e));
	assert_has(html, "role=\"alert\"><p>This post was changed by Ann Editor");
	assert_has(html, "<section class=\"nr-conflict\"");
	assert_has(html, "the newer version (version 5)");
	/* The newer version, as readers see it. */
	assert_has(html, "<article class=\"post key-event pinned\" id=\"post-7\"");
	assert_has(html, ">The newer title</a></h3>");
	/* The form keeps the user's text, against the NEW version. */
	assert_has(html, "<input type=\"hidden\" name=\"version\" value=\"5\">");
	assert_lacks(html, "name=\"version\" value=\"4\"");
	assert_has(html, "value=\"My own title &lt;script&gt;");
	assert_has(html, ">\nMy own body &lt;script&gt;alert(1)&lt;/script&gt;");
	assert_lacks(html, ">\nThe newer body</textarea>");
	assert_has(html, "<input type=\"checkbox\" name=\"breaking\" id=\"e-breaking\" checked>");
	assert_has(html, ">\nMy note</textarea>");
	assert_has(html, ">Replace the newer version with mine</button>");
	assert_inert(html);
	free(html);
}

static void test_post_edit_hostile(void **state)
{
	struct model_page page = make_page(HOSTILE_B, HOSTILE);
	struct model_post post = make_hostile_post(5);
	struct model_revision last;
	struct render_newsroom_edit e;
	struct render_newsroom nr = make_nr(&user_editor);
	char *html;

	(void)state;
	memset(&last, 0, sizeof(last));
	last.version = 2;
	last.user_name = HOSTILE;
	last.at = post.published_at;
	memset(&e, 0, sizeof(e));
	e.page = &page;
	e.post = &post;
	e.body_md = HOSTILE "</textarea><script>alert(2)</script>";
	e.last = &last;
	html = RENDER(render_newsroom_post_edit(&out_, &nr, &e));
	assert_inert(html);
	assert_lacks(html, "</textarea><script>");
	assert_has(html, "Last changed by &lt;script&gt;");
	assert_has(html, "&lt;/textarea&gt;&lt;script&gt;alert(2)");
	free(html);
}

/* ---- the draft editor ---- */

static void test_draft_edit(void **state)
{
	struct desk_fixture f;
	struct render_newsroom nr = make_nr(&user_contrib);
	char *html;

	(void)state;
	make_desk(&f);
	f.drafts[1].post.key_event = 1;
	f.drafts[1].post.bylines = &f.byline;
	f.drafts[1].post.n_bylines = 1;

	/* The contributor's own draft: save and delete, no publish. */
	html = RENDER(render_newsroom_draft_edit(&out_, &nr, &f.page, &f.drafts[1], "Body of it"));
	assert_has(html, "<h1>Draft</h1>");
	assert_has(html, "action=\"/newsroom/ukraine/drafts/12\">");
	assert_has(html, "<input type=\"hidden\" name=\"version\" value=\"3\">");
	assert_has(html, "name=\"title\" id=\"d-title\" value=\"Cora&#39;s draft\"");
	assert_has(html, ">\nBody of it</textarea>");
	assert_has(html, "name=\"key_event\" id=\"d-key\" checked>");
	assert_has(html, ">\nLiza Fokht|BBC Russian service, reporting from Paris\n</textarea>");
	assert_lacks(html, "name=\"embed_url\""); /* in the body, as Markdown */
	assert_lacks(html, "name=\"image\"");
	assert_has(html, "<button type=\"submit\" name=\"action\" value=\"draft\"");
	assert_lacks(html, "value=\"publish\"");
	assert_lacks(html, "value=\"schedule\"");
	assert_has(html, "action=\"/newsroom/ukraine/drafts/12/delete\"");
	assert_lacks(html, "fieldset class=\"nr-plain\" disabled");
	assert_forms_have_csrf(html);
	free(html);

	/* Somebody else's: shown, not editable. */
	html = RENDER(render_newsroom_draft_edit(&out_, &nr, &f.page, &f.drafts[2], ""));
	assert_has(html, "Only its author or an editor can change this draft.");
	assert_has(html, "<fieldset class=\"nr-plain\" disabled>");
	assert_lacks(html, "name=\"action\"");
	assert_lacks(html, "/delete\"");
	free(html);

	/* An editor, on a scheduled post: every action, publish_at filled in. */
	nr = make_nr(&user_editor);
	html = RENDER(render_newsroom_draft_edit(&out_, &nr, &f.page, &f.drafts[0], ""));
	assert_has(html, "<h1>Scheduled post</h1>");
	assert_has(html, "Scheduled for <time");
	assert_has(html, "name=\"publish_at\" id=\"d-publish-at\" value=\"2025-02-17T12:30\"");
	assert_has(html, "value=\"publish\"");
	assert_has(html, "value=\"draft\" class=\"nr-btn\">Unschedule, keep as draft</button>");
	assert_has(html, "value=\"schedule\" class=\"nr-btn\">Save schedule</button>");
	assert_has(html, "action=\"/newsroom/ukraine/drafts/11/delete\"");
	free(html);
}

static void test_draft_edit_hostile(void **state)
{
	struct model_page page = make_page(HOSTILE_B, HOSTILE);
	struct model_draft d = make_draft(6, 4, HOSTILE, HOSTILE, 0);
	struct render_newsroom nr = make_nr(&user_hostile);
	char *html;

	(void)state;
	d.post.bylines = hostile_bylines;
	d.post.n_bylines = 1;
	html = RENDER(render_newsroom_draft_edit(&out_, &nr, &page, &d, HOSTILE "</textarea>"));
	assert_inert(html);
	assert_lacks(html, HOSTILE_A);
	assert_has(html, "&lt;/textarea&gt;");
	free(html);
}

/* ---- history ---- */

static void test_history(void **state)
{
	struct desk_fixture f;
	struct model_revision revs[2];
	struct render_newsroom nr = make_nr(&user_contrib);
	char *html;

	(void)state;
	make_desk(&f);
	memset(revs, 0, sizeof(revs));
	revs[0].version = 2;
	revs[0].user_name = HOSTILE;
	revs[0].at = utc(2025, 2, 17, 10, 45);
	revs[0].what = "title, " HOSTILE;
	revs[0].correction = HOSTILE;
	revs[0].post = make_hostile_post(7);
	revs[1].version = 1;
	revs[1].user_name = "Liza Fokht";
	revs[1].at = utc(2025, 2, 17, 10, 7);
	revs[1].what = "published";
	revs[1].post = f.posts[1];
	revs[1].post.title = "The first title";

	html = RENDER(render_newsroom_history(&out_, &nr, &f.page, &f.posts[1], revs, 2));
	assert_has(html, "<h1>History <span class=\"nr-sub\">of \xe2\x80\x9c"
			 "A tale of two summits\xe2\x80\x9d</span></h1>");
	assert_has(html, "<h2 id=\"version-2-h\">Version 2</h2>");
	assert_has(html, "<h2 id=\"version-1-h\">Version 1</h2>");
	assert_true(strstr(html, "Version 2") < strstr(html, "Version 1")); /* newest first */
	assert_has(html, "<strong>published</strong> by Liza Fokht at <time "
			 "datetime=\"2025-02-17T10:07:00Z\">10:07 <span aria-hidden=\"true\">GMT"
			 "</span>");
	assert_has(html, "<strong>title, &lt;script&gt;");
	assert_has(html, "by &lt;script&gt;");
	assert_has(html, "<strong>Correction note</strong> (shown to readers):</p><p>&lt;script");
	assert_has(html, "<h3 class=\"post-title\">The first title</h3>");
	assert_has(html, "<span class=\"byline-name\">Liza Fokht</span>");
	assert_has(html, "<p class=\"label label-key\">Key event</p>");
	/* The post's article id is not repeated for every revision. */
	assert_lacks(html, "id=\"post-7\"");
	assert_lacks(html, "/posts/7/edit"); /* contributors do not edit posts */
	assert_inert(html);
	free(html);

	nr = make_nr(&user_editor);
	html = RENDER(render_newsroom_history(&out_, &nr, &f.page, &f.posts[1], NULL, 0));
	assert_has(html, "No revisions recorded.");
	assert_has(html, "href=\"/newsroom/ukraine/posts/7/edit\">Edit the post</a>");
	free(html);
}

/* ---- summary ---- */

static void test_summary(void **state)
{
	struct model_page page = make_page("ukraine", "Ukraine talks");
	char *points[] = {"Talks **ended**", HOSTILE};
	struct render_newsroom nr = make_nr(&user_editor);
	char *html;

	(void)state;
	page.summary.points = points;
	page.summary.n_points = 2;
	page.summary.media_kind = MODEL_MEDIA_VIDEO;
	page.summary.media_url = HOSTILE_J;
	page.summary.media_alt = HOSTILE;
	page.summary.media_caption = "Watch: " HOSTILE;
	html = RENDER(render_newsroom_summary(&out_, &nr, &page, "- Talks **ended**\n- " HOSTILE));
	assert_has(html, "action=\"/newsroom/ukraine/summary\"");
	assert_has(html, "<textarea name=\"points\" id=\"s-points\"");
	assert_has(html, ">\n- Talks **ended**\n- &lt;script&gt;");
	assert_has(html, "<select name=\"media_kind\" id=\"s-media-kind\">");
	assert_has(html, "<option value=\"none\">None</option>");
	assert_has(html, "<option value=\"image\">Image</option>");
	assert_has(html, "<option value=\"video\" selected>Video</option>");
	assert_has(html, "name=\"media_url\" id=\"s-media-url\" value=\"javascript:alert(1)\"");
	assert_has(html, "name=\"media_alt\" id=\"s-media-alt\" value=\"&lt;script&gt;");
	assert_has(html, "name=\"media_caption\" id=\"s-media-caption\" value=\"Watch: &lt;");
	assert_has(html, ">Save summary</button>");
	/* As readers see it, inline Markdown rendered and escaped. */
	assert_has(html, "<li>Talks <strong>ended</strong></li>");
	assert_inert(html);
	assert_forms_have_csrf(html);
	free(html);

	memset(&page.summary, 0, sizeof(page.summary));
	html = RENDER(render_newsroom_summary(&out_, &nr, &page, ""));
	assert_has(html, "<option value=\"none\" selected>None</option>");
	assert_has(html, "The summary is empty");
	free(html);
}

/* ---- users and tokens ---- */

static void test_users(void **state)
{
	struct model_user users[4];
	struct model_token tokens[2];
	struct render_newsroom nr = make_nr(&user_admin);
	char *html;

	(void)state;
	users[0] = user_admin;
	users[1] = user_editor;
	users[2] = user_contrib;
	users[2].disabled = 1;
	users[3] = user_hostile;
	memset(tokens, 0, sizeof(tokens));
	tokens[0].id = 21;
	tokens[0].user_id = 2;
	tokens[0].user_login = "ed";
	tokens[0].label = "wire importer";
	tokens[0].created_at = utc(2025, 2, 1, 9, 0);
	tokens[1].id = 22;
	tokens[1].user_id = 4;
	tokens[1].user_login = HOSTILE;
	tokens[1].label = HOSTILE;
	tokens[1].created_at = utc(2025, 2, 1, 9, 0);
	tokens[1].revoked_at = utc(2025, 2, 2, 9, 0);

	html = RENDER(render_newsroom_users(&out_, &nr, users, 4, tokens, 2, NULL));
	assert_has(html, "<h1>Users and API tokens</h1>");
	assert_lacks(html, "nr-secret");
	assert_lacks(html, "will not be shown again");
	/* One form per user: role and disabled. */
	assert_has(html, "action=\"/newsroom/users/2\"");
	assert_has(html, "<select name=\"role\" id=\"u2-role\">");
	assert_has(html, "<label for=\"u2-role\">");
	assert_has(html, "<option value=\"editor\" selected>Editor</option>");
	assert_has(html, "<input type=\"checkbox\" name=\"disabled\" id=\"u3-disabled\" checked>");
	assert_has(html, "<input type=\"checkbox\" name=\"disabled\" id=\"u2-disabled\">");
	/* Add user. */
	assert_has(html, "action=\"/newsroom/users\"");
	assert_has(html, "name=\"login\" id=\"nu-login\"");
	assert_has(html, "name=\"display_name\"");
	assert_has(html, "name=\"byline_name\"");
	assert_has(html, "name=\"byline_role\"");
	assert_has(html, "<select name=\"role\" id=\"nu-role\">");
	assert_has(html, "<input type=\"password\" name=\"password\" id=\"nu-password\"");
	assert_has(html, "autocomplete=\"new-password\"");
	/* Tokens: revoke the live one; the revoked one says so. */
	assert_has(html, "<th scope=\"row\">wire importer</th>");
	assert_has(html, "action=\"/newsroom/tokens/21/revoke\" data-confirm=\"");
	assert_lacks(html, "/newsroom/tokens/22/revoke");
	assert_has(html, "Revoked <time");
	/* New token: a user (enabled ones) and a label. */
	assert_has(html, "action=\"/newsroom/tokens\"");
	/* Not `required`: without an empty first option it could never be
	 * unmet, and the Nu Html Checker calls it an error. */
	assert_has(html, "<select name=\"login\" id=\"nt-login\">");
	assert_has(html, "<option value=\"ed\">ed</option>");
	assert_lacks(html, "<option value=\"cora\">"); /* disabled */
	assert_has(html, "name=\"label\" id=\"nt-label\"");
	assert_inert(html);
	assert_forms_have_csrf(html);
	free(html);
}

static void test_users_new_token(void **state)
{
	struct model_user users[1] = {user_admin};
	struct render_newsroom nr = make_nr(&user_admin);
	char *html;

	(void)state;
	html = RENDER(render_newsroom_users(&out_, &nr, users, 1, NULL, 0,
				      "AbCdEf0123456789_-AbCdEf0123456789_-AbCdEfg"));
	assert_has(html, "<section class=\"nr-secret\"");
	assert_has(html, "it will not be shown again");
	assert_has(html, "value=\"AbCdEf0123456789_-AbCdEf0123456789_-AbCdEfg\"");
	assert_int_equal(count(html, "AbCdEf0123456789_-AbCdEf0123456789_-AbCdEfg"), 1);
	assert_has(html, "No API tokens.");
	free(html);

	html = RENDER(render_newsroom_users(&out_, &nr, users, 1, NULL, 0, HOSTILE));
	assert_has(html, "class=\"nr-token\" readonly spellcheck=\"false\" autocomplete=\"off\" "
			 "value=\"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img");
	assert_inert(html);
	free(html);
}

/* ---- audit ---- */

static void test_audit(void **state)
{
	struct model_page page = make_page("ukraine", "Ukraine talks");
	struct model_audit a[3];
	struct render_newsroom nr = make_nr(&user_editor);
	char *html;

	(void)state;
	memset(a, 0, sizeof(a));
	a[0].at = utc(2025, 2, 17, 10, 50);
	a[0].user_name = "Ed Editor";
	a[0].action = "post.edit";
	a[0].page_id = 1;
	a[0].post_id = 7;
	a[0].detail = "title, body";
	a[1].at = utc(2025, 2, 17, 10, 40);
	a[1].user_name = HOSTILE;
	a[1].action = HOSTILE;
	a[1].page_id = 9;
	a[1].detail = HOSTILE;
	a[2].at = utc(2025, 2, 17, 10, 30);
	a[2].user_name = "command line";
	a[2].action = "user.role";
	a[2].detail = "role editor";

	html = RENDER(render_newsroom_audit(&out_, &nr, &page, a, 3));
	assert_has(html, "<h1>Audit trail <span class=\"nr-sub\">of");
	assert_has(html, "<th scope=\"col\">When</th><th scope=\"col\">Who</th>"
			 "<th scope=\"col\">Action</th>");
	assert_has(html, "<td data-label=\"Who\">Ed Editor</td>");
	assert_has(html, "<code>post.edit</code>");
	assert_has(html, "<a href=\"/newsroom/ukraine\">ukraine</a> \xc2\xb7 <a "
			 "href=\"/newsroom/ukraine/posts/7/history\">post 7</a>");
	assert_has(html, "page 9");
	assert_has(html, "<td data-label=\"Detail\">title, body</td>");
	assert_has(html, "<td data-label=\"Detail\">role editor</td>");
	assert_true(strstr(html, "10:50") < strstr(html, "10:40"));
	assert_true(strstr(html, "10:40") < strstr(html, "10:30"));
	assert_has(html, "<a href=\"/newsroom/audit\" aria-current=\"page\">Audit</a>");
	assert_inert(html);
	free(html);

	html = RENDER(render_newsroom_audit(&out_, &nr, NULL, NULL, 0));
	assert_has(html, "<h1>Audit trail</h1>");
	assert_has(html, "Nothing recorded yet.");
	free(html);
}

/* ---- errors ---- */

static void test_error(void **state)
{
	struct render_newsroom nr = make_nr(&user_contrib);
	char *html;

	(void)state;
	html =
	    RENDER(render_newsroom_error(&out_, &nr, 403, "Forbidden", "Editors only. " HOSTILE));
	assert_has(html, "<h1>403 Forbidden</h1>");
	assert_has(html, "role=\"alert\">Editors only. &lt;script&gt;");
	assert_has(html, "<nav class=\"nr-nav\"");
	assert_has(html, "action=\"/newsroom/signout\"");
	assert_has(html, "<a href=\"/newsroom\">Back to the live pages</a>");
	assert_inert(html);
	free(html);

	nr = make_nr(NULL);
	html = RENDER(render_newsroom_error(&out_, &nr, 404, NULL, NULL));
	assert_has(html, "<h1>404 Error</h1>");
	assert_lacks(html, "nr-nav");
	assert_has(html, "href=\"/newsroom/signin\"");
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chrome_roles),
	    cmocka_unit_test(test_notices),
	    cmocka_unit_test(test_assets),
	    cmocka_unit_test(test_signin),
	    cmocka_unit_test(test_pages),
	    cmocka_unit_test(test_desk_editor),
	    cmocka_unit_test(test_desk_unpublished),
	    cmocka_unit_test(test_desk_contributor),
	    cmocka_unit_test(test_desk_hostile),
	    cmocka_unit_test(test_desk_status_buttons),
	    cmocka_unit_test(test_post_edit),
	    cmocka_unit_test(test_post_edit_conflict),
	    cmocka_unit_test(test_post_edit_hostile),
	    cmocka_unit_test(test_draft_edit),
	    cmocka_unit_test(test_draft_edit_hostile),
	    cmocka_unit_test(test_history),
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_users),
	    cmocka_unit_test(test_users_new_token),
	    cmocka_unit_test(test_audit),
	    cmocka_unit_test(test_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
