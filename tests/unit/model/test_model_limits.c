/*
 * One header of limits (model/model_limits.h) for validation, forms and the
 * store: every newsroom form is rendered, and each field's maxlength must be
 * the limit of model_limits.h that the newsroom's validation, the command line
 * and the store apply to that field. A field with a maxlength this table does
 * not know fails too, so a new field must name its limit here. Then the
 * validators of the model and the store are held to the same numbers.
 */
#include "unit.h"

#include "model/model.h"
#include "model/model_limits.h"
#include "newsroom/newsroom.h"
#include "render/render_newsroom.h"
#include "util/buf.h"

/* Each form field with a length limit, and the limit that the server applies. */
static const struct {
	const char *name;
	long max;
} field_limits[] = {
	{ "login", MODEL_LOGIN_MAX },          /* sign-in, new user */
	{ "title", MODEL_TITLE_MAX },          /* new page, composer, edit, draft */
	{ "slug", MODEL_SLUG_MAX },            /* new page */
	{ "description", MODEL_DESC_MAX },     /* new page */
	{ "body", MODEL_BODY_MAX },            /* composer, edit, draft */
	/* The composer's image and embed fields become Markdown lines of the body
	 * (http_newsroom.c), which the server holds to MODEL_BODY_MAX in all. */
	{ "embed_title", MODEL_TITLE_MAX },
	{ "image_alt", MODEL_NOTE_MAX },
	{ "image_credit", MODEL_NAME_MAX },
	{ "image_caption", MODEL_NOTE_MAX },
	{ "correction", MODEL_NOTE_MAX },
	{ "points", MODEL_SUMMARY_MAX },        /* sent to the API as points_md */
	{ "media_alt", MODEL_NOTE_MAX },
	{ "media_caption", MODEL_NOTE_MAX },
	{ "media_credit", MODEL_NAME_MAX },
	{ "display_name", MODEL_NAME_MAX },
	{ "byline_name", MODEL_NAME_MAX },
	{ "byline_role", MODEL_NAME_MAX },
	{ "label", MODEL_LABEL_MAX },          /* new API token */
};

static const struct render_site site = { "Liveline", "/static/newsroom.css", NULL, "http://liveline.test" };
static struct model_user admin = { 1, "root", "Ada Admin", "", "", MODEL_ROLE_ADMIN, 0, 1 };

/* Copies attribute `attr` of the tag at [tag, end) into out; 0, or -1 if none. */
static int attr_value(const char *tag, const char *end, const char *attr, char *out, size_t len)
{
	char key[32];
	const char *p, *q;

	snprintf(key, sizeof(key), " %s=\"", attr);
	p = strstr(tag, key);
	if (!p || p > end)
		return -1;
	p += strlen(key);
	q = strchr(p, '"');
	if (!q || q > end || (size_t)(q - p) >= len)
		return -1;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	return 0;
}

/* Checks every <input> and <textarea> with a maxlength in html; returns how
 * many were checked. */
static size_t check_form(const char *what, const char *html)
{
	size_t checked = 0;

	for (const char *p = html; (p = strchr(p, '<')) != NULL; p++) {
		const char *end;
		char name[64], max[32];
		size_t i;

		if (strncmp(p, "<input ", 7) != 0 && strncmp(p, "<textarea ", 10) != 0)
			continue;
		end = strchr(p, '>');
		assert_non_null(end);
		if (attr_value(p, end, "maxlength", max, sizeof(max)) < 0)
			continue;
		if (attr_value(p, end, "name", name, sizeof(name)) < 0)
			fail_msg("%s: a field with maxlength=\"%s\" and no name", what, max);
		for (i = 0; i < sizeof(field_limits) / sizeof(field_limits[0]); i++)
			if (strcmp(field_limits[i].name, name) == 0)
				break;
		if (i == sizeof(field_limits) / sizeof(field_limits[0]))
			fail_msg("%s: field \"%s\" (maxlength=\"%s\") has no limit in the table",
				 what, name, max);
		if (strtol(max, NULL, 10) != field_limits[i].max)
			fail_msg("%s: field \"%s\" has maxlength=\"%s\", but the limit is %ld", what,
				 name, max, field_limits[i].max);
		checked++;
	}
	return checked;
}

static char *render_done(struct buf *b)
{
	char *s;

	assert_int_equal(b->err, 0);
	s = buf_detach(b, NULL);
	assert_non_null(s);
	buf_cleanup(b);
	return s;
}

static void test_forms_maxlength_are_the_limits(void **state)
{
	struct render_newsroom nr;
	struct model_page page;
	struct model_post post;
	struct model_draft draft;
	struct render_newsroom_desk desk;
	struct render_newsroom_edit edit;
	struct model_user users[1] = { admin };
	struct buf b;
	size_t n = 0;
	char *html;
	(void)state;

	memset(&nr, 0, sizeof(nr));
	nr.site = &site;
	nr.user = &admin;
	nr.may = newsroom_permissions(&admin);
	nr.csrf = "csrf";
	memset(&page, 0, sizeof(page));
	page.id = 1;
	page.slug = "p";
	page.title = "P";
	page.description = "";
	page.zone = MODEL_DEFAULT_ZONE;
	page.published = 1;
	memset(&post, 0, sizeof(post));
	post.id = 2;
	post.page_id = 1;
	post.title = "T";
	post.published_at = post.updated_at = 1739788620;
	post.version = 1;
	memset(&draft, 0, sizeof(draft));
	draft.id = 3;
	draft.page_id = 1;
	draft.author_id = 1;
	draft.author_name = "Ada Admin";
	draft.version = 1;
	draft.post.title = "D";
	memset(&desk, 0, sizeof(desk));
	desk.page = &page;
	desk.posts = &post;
	desk.n_posts = 1;
	desk.reader_url = "/live/p";
	memset(&edit, 0, sizeof(edit));
	edit.page = &page;
	edit.post = &post;
	edit.body_md = "";

	nr.user = NULL;
	buf_init(&b, 1 << 22);
	render_newsroom_signin(&b, &nr, NULL, "tok");
	n += check_form("sign-in", html = render_done(&b));
	free(html);
	nr.user = &admin;
	buf_init(&b, 1 << 22);
	render_newsroom_pages(&b, &nr, &page, 1);
	n += check_form("pages", html = render_done(&b));
	free(html);
	buf_init(&b, 1 << 22);
	render_newsroom_desk(&b, &nr, &desk);
	n += check_form("desk", html = render_done(&b));
	free(html);
	buf_init(&b, 1 << 22);
	render_newsroom_post_edit(&b, &nr, &edit);
	n += check_form("post edit", html = render_done(&b));
	free(html);
	buf_init(&b, 1 << 22);
	render_newsroom_draft_edit(&b, &nr, &page, &draft, "");
	n += check_form("draft edit", html = render_done(&b));
	free(html);
	buf_init(&b, 1 << 22);
	render_newsroom_summary(&b, &nr, &page, "");
	n += check_form("summary", html = render_done(&b));
	free(html);
	buf_init(&b, 1 << 22);
	render_newsroom_users(&b, &nr, users, 1, NULL, 0, NULL);
	n += check_form("users", html = render_done(&b));
	free(html);
	/* Every field of the table appears in some form (a form that lost its
	 * limit would otherwise pass unnoticed). */
	assert_true(n >= sizeof(field_limits) / sizeof(field_limits[0]));
}

/* The validators in model/ and store/ take the same numbers. */
static void test_validators_use_the_limits(void **state)
{
	char s[MODEL_SLUG_MAX + 2];
	(void)state;

	memset(s, 'a', sizeof(s));
	s[MODEL_SLUG_MAX] = '\0';
	assert_true(model_slug_valid(s));
	s[MODEL_SLUG_MAX] = 'a';
	s[MODEL_SLUG_MAX + 1] = '\0';
	assert_false(model_slug_valid(s));
	s[MODEL_LOGIN_MAX] = '\0';
	assert_true(model_login_valid(s));
	s[MODEL_LOGIN_MAX] = 'a';
	s[MODEL_LOGIN_MAX + 1] = '\0';
	assert_false(model_login_valid(s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms_maxlength_are_the_limits),
		cmocka_unit_test(test_validators_use_the_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
