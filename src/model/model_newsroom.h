/*
 * The newsroom's records: the people who write (users and their roles), the API
 * tokens they hold, work in progress (drafts and scheduled posts), the history of
 * every post (revisions), uploaded media and the audit trail. Plain structs, as
 * in model.h: every string is a heap copy freed by the matching *_cleanup() or
 * *_free(); the store fills them (store/store_newsroom.h), the newsroom acts on
 * them (newsroom/newsroom.h) and render/ shows them.
 */
#ifndef LIVELINE_MODEL_NEWSROOM_H
#define LIVELINE_MODEL_NEWSROOM_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

enum model_role {
	MODEL_ROLE_CONTRIBUTOR = 0, /* writes drafts, edits own drafts */
	MODEL_ROLE_EDITOR = 1,      /* publishes, edits any post, pins, summary, status */
	MODEL_ROLE_ADMIN = 2,       /* everything, plus users, tokens and live pages */
};

/* "contributor", "editor", "admin"; parse returns -1 for anything else. */
const char *model_role_name(enum model_role r);
int model_role_parse(const char *s);

struct model_user {
	int64_t id;
	char *login;        /* unique sign-in name: 1..64 bytes of [a-z0-9._-] */
	char *display_name; /* "Liza Fokht" */
	char *byline_name;  /* default byline for their posts; "" = display_name */
	char *byline_role;  /* "BBC Russian service"; may be "" */
	enum model_role role;
	int disabled;
	int64_t created_at;
};

void model_user_cleanup(struct model_user *u);
void model_users_free(struct model_user *u, size_t n);
/* 1 if `login` is 1..64 bytes of [a-z0-9._-]. */
int model_login_valid(const char *login);

struct model_token {
	int64_t id;
	int64_t user_id;
	char *user_login;
	char *label;        /* what it is for: "wire importer" */
	int64_t created_at;
	int64_t revoked_at; /* 0 while valid */
};

void model_tokens_free(struct model_token *t, size_t n);

enum model_draft_state {
	MODEL_DRAFT_SAVED = 0,     /* a draft: nobody sees it but the newsroom */
	MODEL_DRAFT_SCHEDULED = 1, /* published by the scheduler at publish_at */
};

/* Work that is not on the reader's page yet. `post` holds title, flags,
 * bylines and blocks (post.id and post.page_id are 0: a draft gets a post id
 * only when published). Drafts live in their own table, so no reader query can
 * show one by mistake. */
struct model_draft {
	int64_t id;
	int64_t page_id;
	int64_t author_id;
	char *author_name;  /* the author's display name */
	enum model_draft_state state;
	int64_t publish_at; /* scheduled: UTC seconds; 0 for a draft */
	int64_t version;    /* 1 when created, +1 per save */
	int64_t created_at;
	int64_t updated_at;
	struct model_post post;
};

void model_draft_cleanup(struct model_draft *d);
void model_drafts_free(struct model_draft *d, size_t n);

struct model_revision {
	int64_t id;
	int64_t post_id;
	int64_t version;
	int64_t user_id;   /* 0: the command line */
	char *user_name;   /* display name, or "command line" */
	int64_t at;
	char *what;        /* "published", "title, body", ... */
	char *correction;  /* the note given with this edit, or NULL */
	struct model_post post; /* the post as it was after this revision
				 * (title, times, flags, bylines, blocks;
				 * version; no correction: see above) */
};

void model_revisions_free(struct model_revision *r, size_t n);

struct model_media {
	char *name;       /* content-addressed base name: 32 hex digits */
	char *format;     /* "jpeg", "png", "webp" */
	int width, height; /* of the largest stored copy */
	char *widths;     /* stored widths, ascending: "480,960,1600" */
	int64_t bytes;    /* of the upload */
	int64_t user_id;
	int64_t created_at;
};

void model_media_cleanup(struct model_media *m);

struct model_audit {
	int64_t id;
	int64_t at;
	int64_t user_id;   /* 0: command line or system */
	char *user_name;   /* display name, "command line", or "scheduler" */
	char *action;      /* "post.publish", "post.edit", "user.role", ... */
	int64_t page_id;   /* 0 when not about a page */
	int64_t post_id;   /* 0 when not about a post */
	char *detail;      /* human-readable, e.g. "role editor" */
};

void model_audit_free(struct model_audit *a, size_t n);

#endif
