/*
 * HTML of the newsroom (/newsroom): sign-in, the list of live pages, a page's
 * desk (composer, drafts and scheduled posts, the page's posts with their
 * controls), the post and draft editors, a post's history, the summary editor,
 * users and API tokens, and the audit trail. Server-rendered and usable without
 * JavaScript (every action is a plain form that POSTs and is redirected back);
 * web/newsroom.js adds the live preview, image upload from the composer and
 * the live-updating list of posts.
 *
 * Every form that changes something carries the session's CSRF token in a
 * hidden field named "csrf". Forms and their fields are the contract with
 * http/http_newsroom.c, listed in docs/api.md ("The newsroom's forms").
 * Controls a role may not use are not shown (auth_can()), but the server checks
 * again on every request.
 *
 * Like render.h, nothing here touches the store; everything is escaped.
 */
#ifndef LIVELINE_RENDER_NEWSROOM_H
#define LIVELINE_RENDER_NEWSROOM_H

#include <stddef.h>

#include "model/model.h"
#include "render/render.h"
#include "model/model_newsroom.h"
#include "util/buf.h"

/* What every newsroom page knows. */
struct render_newsroom {
	const struct render_site *site; /* css_url: the newsroom stylesheet; js_url: newsroom.js */
	const struct model_user *user;  /* signed in; NULL only on the sign-in page */
	const char *csrf;               /* the session's CSRF token, or NULL */
	const char *notice;             /* a message to show at the top (plain), or NULL */
	int notice_is_error;            /* 1: an error (role="alert"), 0: a confirmation */
	int64_t now;                    /* UTC seconds, for "5 minutes ago" */
	unsigned may;                   /* newsroom_permissions(user): the controls shown */
};

/* GET /newsroom/signin. `login` refills the field after a failure (may be NULL). */
/* `token` (may be NULL) goes in the form's hidden "signin_token" field: the
 * sign-in form's own CSRF token (http_auth.h, HTTP_SIGNIN_COOKIE). */
void render_newsroom_signin(struct buf *out, const struct render_newsroom *nr, const char *login,
		      const char *token);

/* GET /newsroom: live pages with status and last update; admins also get the
 * "new live page" form. */
void render_newsroom_pages(struct buf *out, const struct render_newsroom *nr,
		     const struct model_page *pages, size_t n);

/* What the user typed into the composer, shown again when the server refused
 * it, so that nothing typed is lost. Any field may be NULL. The image file
 * itself cannot be refilled (browsers do not allow it). */
struct render_newsroom_composer {
	const char *title, *body, *bylines;
	const char *image_alt, *image_credit, *image_caption;
	const char *embed_url, *embed_title;
	int breaking, key_event;
};

struct render_newsroom_desk {
	const struct model_page *page;
	const struct model_post *posts;   /* newest first */
	size_t n_posts;
	const struct model_draft *drafts; /* scheduled first, then drafts */
	size_t n_drafts;
	const char *reader_url;           /* "/live/SLUG" */
	const struct render_newsroom_composer *refill; /* NULL: an empty composer */
};

/* GET /newsroom/SLUG: the desk. */
void render_newsroom_desk(struct buf *out, const struct render_newsroom *nr,
			  const struct render_newsroom_desk *desk);

/* GET /newsroom/SLUG/posts/ID/edit. `last` is the newest revision (who changed
 * it last, and when), or NULL. `body_md` is the post's body as Markdown
 * (markup_body_to_markdown). When `conflict` is set, the form keeps what the
 * user typed (`mine`, its body in `mine_md`) and shows the newer version beside
 * it with the message of the notice. */
struct render_newsroom_edit {
	const struct model_page *page;
	const struct model_post *post;
	const char *body_md;
	const struct model_revision *last;
	const struct model_post *mine;    /* NULL unless conflict */
	const char *mine_md;
};
void render_newsroom_post_edit(struct buf *out, const struct render_newsroom *nr,
			       const struct render_newsroom_edit *e);

/* GET /newsroom/SLUG/drafts/ID/edit. */
void render_newsroom_draft_edit(struct buf *out, const struct render_newsroom *nr,
				const struct model_page *page, const struct model_draft *d,
				const char *body_md);

/* GET /newsroom/SLUG/posts/ID/history: revisions newest first, each with who,
 * when, what changed, the correction note, and the post as it was. */
void render_newsroom_history(struct buf *out, const struct render_newsroom *nr,
			     const struct model_page *page, const struct model_post *post,
			     const struct model_revision *revs, size_t n);

/* GET /newsroom/SLUG/summary. `points_md` is the key points as a Markdown list. */
void render_newsroom_summary(struct buf *out, const struct render_newsroom *nr,
		       const struct model_page *page, const char *points_md);

/* GET /newsroom/users (admins). `new_token`, when not NULL, is an API token just
 * created, shown this once. */
void render_newsroom_users(struct buf *out, const struct render_newsroom *nr,
			   const struct model_user *users, size_t n_users,
			   const struct model_token *tokens, size_t n_tokens,
			   const char *new_token);

/* GET /newsroom/audit[?page=SLUG]. `page` may be NULL (all pages). */
void render_newsroom_audit(struct buf *out, const struct render_newsroom *nr,
			   const struct model_page *page, const struct model_audit *a, size_t n);

/* A newsroom error page with the newsroom's chrome (403, 404, 409...). */
void render_newsroom_error(struct buf *out, const struct render_newsroom *nr, int status,
		     const char *reason, const char *message);

#endif
