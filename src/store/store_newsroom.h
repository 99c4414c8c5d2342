/*
 * The newsroom's part of the store: people (users, sessions, API tokens,
 * failed sign-ins), work in progress (drafts and scheduled posts), the history
 * of every post (revisions), uploaded media, and the audit trail. The records
 * themselves are the model's (model/model_newsroom.h); this header holds only
 * the calls that read and write them. Same database, same rules as store.h:
 * every call is atomic, joins an outer store_begin(), returns 0 or a negative
 * STORE_E* code with store_errmsg() set, and fills its out-parameters only on
 * success.
 *
 * The actor: every mutating call of store.h and of this file takes the user on
 * whose behalf it is made as its second argument, `actor` (0: the command line
 * or the system, e.g. the scheduler), and writes an audit entry naming them in
 * the same transaction as the change, so the trail cannot miss a change nor
 * record one that did not happen. Revisions and drafts take their author from
 * the actor too. The store keeps no actor between calls: nothing set for one
 * request can leak into the next.
 *
 * Secrets: the store never sees a password or a token, only what auth/ derived
 * from them (an Argon2id hash string, a 32-byte SHA-256 of a token).
 */
#ifndef LIVELINE_STORE_NEWSROOM_H
#define LIVELINE_STORE_NEWSROOM_H

#include "model/model_newsroom.h"
#include "store/store.h"

#define STORE_ECONFLICT (-5) /* the post or draft changed since the version given */

/* ---- Users ------------------------------------------------------------ */

/* Sets u->id and created_at. STORE_EEXIST if the login is taken, STORE_EINVAL
 * for a bad login or an empty display name. `pw_hash` is auth_password_hash()'s
 * string. */
int store_user_create(struct store *s, int64_t actor, struct model_user *u, const char *pw_hash)
	STORE_WARN_UNUSED;
/* Loaded users are filled completely: clean up with model_user_cleanup(). */
int store_user_get(struct store *s, int64_t id, struct model_user *out) STORE_WARN_UNUSED;
/* Also returns the password hash (caller frees) when pw_hash is not NULL. */
int store_user_by_login(struct store *s, const char *login, struct model_user *out,
			char **pw_hash) STORE_WARN_UNUSED;
/* Every user, by login. Free with model_users_free(). */
int store_user_list(struct store *s, struct model_user **out, size_t *n) STORE_WARN_UNUSED;
int store_user_set_role(struct store *s, int64_t actor, int64_t id,
			enum model_role role) STORE_WARN_UNUSED;
/* Disabling also revokes the user's sessions and API tokens; enabling again
 * does not bring them back. */
int store_user_set_disabled(struct store *s, int64_t actor, int64_t id,
			    int disabled) STORE_WARN_UNUSED;
/* Also ends the user's sessions (API tokens stay). */
int store_user_set_password(struct store *s, int64_t actor, int64_t id,
			    const char *pw_hash) STORE_WARN_UNUSED;
/* Replaces display name and default byline (name, role). */
int store_user_set_profile(struct store *s, int64_t actor, int64_t id, const char *display_name,
			   const char *byline_name, const char *byline_role) STORE_WARN_UNUSED;

/* ---- Sessions and API tokens ------------------------------------------ */

#define STORE_TOKEN_HASH_LEN 32

/* A new session for user_id, valid while now < expires_at (UTC seconds).
 * `csrf` is the session's anti-forgery token (printable, stored as is: it is
 * not a credential on its own). STORE_ENOTFOUND for an unknown or disabled
 * user. Sessions and failed sign-ins write no audit entries. */
int store_session_create(struct store *s, int64_t user_id,
			 const unsigned char hash[STORE_TOKEN_HASH_LEN], const char *csrf,
			 int64_t expires_at) STORE_WARN_UNUSED;
/* The session's user and CSRF token (caller frees *csrf). STORE_ENOTFOUND when
 * there is no such session, or it expired, was revoked, or its user is disabled. */
int store_session_lookup(struct store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN],
			 int64_t now, struct model_user *user, char **csrf) STORE_WARN_UNUSED;
int store_session_revoke(struct store *s,
			 const unsigned char hash[STORE_TOKEN_HASH_LEN]) STORE_WARN_UNUSED;
/* Housekeeping: removes sessions expired at `now` or revoked, and failed
 * sign-ins older than a day. */
int store_session_purge(struct store *s, int64_t now) STORE_WARN_UNUSED;

/* STORE_ENOTFOUND for an unknown or disabled user, STORE_EINVAL for an empty
 * label. */
int store_token_create(struct store *s, int64_t actor, int64_t user_id, const char *label,
		       const unsigned char hash[STORE_TOKEN_HASH_LEN],
		       int64_t *id) STORE_WARN_UNUSED;
/* STORE_ENOTFOUND when unknown, revoked, or its user is disabled. */
int store_token_lookup(struct store *s, const unsigned char hash[STORE_TOKEN_HASH_LEN],
		       struct model_user *user) STORE_WARN_UNUSED;
/* Every token, revoked ones included, newest first. */
int store_token_list(struct store *s, struct model_token **out, size_t *n) STORE_WARN_UNUSED;
/* Revoking a revoked token returns 0 and changes nothing. */
int store_token_revoke(struct store *s, int64_t actor, int64_t id) STORE_WARN_UNUSED;

/* ---- Failed sign-ins (rate limiting, shared by every worker) ----------- */

/* `key` is "login:NAME" or "addr:IP". */
int store_signin_failure_add(struct store *s, const char *key, int64_t at) STORE_WARN_UNUSED;
/* Failures for `key` at or after `since`, and the oldest of them (0 if none). */
int store_signin_failures(struct store *s, const char *key, int64_t since, int64_t *count,
			  int64_t *oldest) STORE_WARN_UNUSED;
int store_signin_failures_clear(struct store *s, const char *key) STORE_WARN_UNUSED;

/* One sign-in attempt against both limits, counted atomically. */
struct store_signin_attempt {
	const char *key_login, *key_addr; /* in: "login:NAME", "addr:IP" */
	int64_t max_login, max_addr;      /* in: failures allowed in the window */
	int64_t since, now;               /* in: the window's start; the attempt's time */
	int allowed;                      /* out: 1 if under both limits */
	int64_t n_login, n_addr;          /* out: failures in the window before this one */
	int64_t oldest_login, oldest_addr;
	int64_t id_login, id_addr;        /* out: the failures recorded for it */
};
/* In one write transaction (BEGIN IMMEDIATE), counts the failures of both
 * keys and, when both are under their limits, records this attempt as a
 * failure of each before the password is checked (so that parallel attempts,
 * on any worker, each see the ones before them: 30 at once against a limit of
 * 5 let 5 through, not 6). Otherwise records nothing and sets allowed = 0.
 * Returns 0, or a negative store error. */
int store_signin_attempt(struct store *s, struct store_signin_attempt *a) STORE_WARN_UNUSED;
/* The attempt signed in: clears the account's failures and takes back the
 * address's failure recorded for this attempt. */
int store_signin_attempt_succeeded(struct store *s,
				   const struct store_signin_attempt *a) STORE_WARN_UNUSED;

/* ---- Drafts and scheduled posts ---------------------------------------- */

/* Creates a draft with the actor as author; sets d->id, version (1), times. */
int store_draft_create(struct store *s, int64_t actor, int64_t page_id, struct model_draft *d)
	STORE_WARN_UNUSED;
/* Replaces state, publish_at and post content of d->id (on d->page_id) when its
 * version is still `expected_version` (else STORE_ECONFLICT; 0: no check); sets
 * d->version and updated_at. A scheduled draft needs publish_at > 0; a saved
 * one keeps none. The author stays who created it. */
int store_draft_update(struct store *s, int64_t actor, struct model_draft *d,
		       int64_t expected_version) STORE_WARN_UNUSED;
int store_draft_get(struct store *s, int64_t page_id, int64_t draft_id,
		    struct model_draft *out) STORE_WARN_UNUSED;
/* A page's drafts and scheduled posts, scheduled first (soonest first), then
 * drafts (newest first). */
int store_draft_list(struct store *s, int64_t page_id, struct model_draft **out,
		     size_t *n) STORE_WARN_UNUSED;
int store_draft_delete(struct store *s, int64_t actor, int64_t page_id,
		       int64_t draft_id) STORE_WARN_UNUSED;
/* Publishes a draft now (published_at = `at`): inserts the post (revision 1,
 * change log "post"), deletes the draft, in one transaction. STORE_ECONFLICT when
 * expected_version is not 0 and differs. Sets *post_id. */
int store_draft_publish(struct store *s, int64_t actor, int64_t page_id, int64_t draft_id,
			int64_t expected_version, int64_t at, int64_t *post_id) STORE_WARN_UNUSED;
/* Publishes every scheduled post whose publish_at <= now, each with
 * published_at = its publish_at, in one write transaction taken up front: of
 * several workers (or machines sharing the database) calling this at once,
 * each scheduled post is published by exactly one. *published = how many.
 * The audit entries ("schedule.publish") name the system (user 0), whoever
 * the actor is; each post's revision 1 names the draft's author. */
int store_schedule_run(struct store *s, int64_t now, size_t *published) STORE_WARN_UNUSED;
/* The earliest publish_at of any scheduled post, 0 if none (for the timer). */
int store_schedule_next(struct store *s, int64_t *at) STORE_WARN_UNUSED;

/* ---- Post edits with versions, and revisions ----------------------------- */

struct store_edit {
	int64_t expected_version; /* 0: no check (the command line) */
	const char *what;         /* what changed, for the history: "title, body" */
	const char *correction;   /* a new public correction note, or NULL to keep */
};

/* Like store_post_update(), but refuses with STORE_ECONFLICT when the post's
 * version is not edit->expected_version; writes the revision (author = actor)
 * and sets post->version, published_at, updated_at, correction and
 * correction_at (post->correction is replaced with a heap copy of the stored
 * note). A correction of "" removes the note. When edit->what is NULL the
 * store compares old and new: "title, body, bylines, breaking, key event,
 * time, correction", or "no change". store_post_update() is this with
 * edit NULL (no check, what computed). */
int store_post_edit(struct store *s, int64_t actor, struct model_post *post,
		    const struct store_edit *edit) STORE_WARN_UNUSED;

/* A post's revisions, newest first. Every insert (version 1, "published") and
 * every edit writes one; they are deleted with the post. */
int store_revision_list(struct store *s, int64_t page_id, int64_t post_id,
			struct model_revision **out, size_t *n) STORE_WARN_UNUSED;

/* ---- Pages ------------------------------------------------------------- */

/* Replaces title, description, zone and start_at of page->id (change "page"). */
int store_page_update(struct store *s, int64_t actor,
		      const struct model_page *page) STORE_WARN_UNUSED;

/* ---- Media --------------------------------------------------------------- */

/* Records an upload (user_id 0: `actor`; created_at 0: now); uploading the
 * same content again is not an error (returns 0, leaves the first record and
 * writes no audit entry). */
int store_media_add(struct store *s, int64_t actor, const struct model_media *m) STORE_WARN_UNUSED;
int store_media_get(struct store *s, const char *name, struct model_media *out) STORE_WARN_UNUSED;

/* ---- Audit trail ------------------------------------------------------- */

/* Appends an entry in the current transaction (for actions that are not a
 * store change, such as sign-in). */
int store_audit_add(struct store *s, int64_t actor, const char *action, int64_t page_id,
		    int64_t post_id, const char *detail) STORE_WARN_UNUSED;
/* Up to `limit` entries, newest first; page_id 0 for every page. Free with
 * model_audit_free(). */
int store_audit_list(struct store *s, int64_t page_id, size_t limit, struct model_audit **out,
		     size_t *n) STORE_WARN_UNUSED;

#endif
