/*
 * Credentials and permissions: password hashing (Argon2id through libsodium),
 * random tokens for sessions, CSRF and API access (only their SHA-256 is
 * stored), and the role matrix that says who may do what. Every route, form and
 * API call asks auth_can() on the server; the newsroom pages hide what a role
 * cannot do only as a courtesy.
 */
#ifndef LIVELINE_AUTH_H
#define LIVELINE_AUTH_H

#include <stddef.h>

#include "store/store_newsroom.h"

#define AUTH_HASH_MAX     128 /* bytes of a password hash string, NUL included */
#define AUTH_TOKEN_LEN    43  /* characters of a token: 32 random bytes, base64url */
#define AUTH_PASSWORD_MIN 10  /* characters; a newsroom account publishes to millions */
#define AUTH_PASSWORD_MAX 1024

#define AUTH_SESSION_SECONDS (12 * 3600) /* a shift, and then sign in again */

/* Once per process, before any other call. Returns 0, or -1 if libsodium
 * cannot start (no entropy source). */
int auth_init(void);

/* Hashes `password` into `out` (AUTH_HASH_MAX bytes) with Argon2id at
 * libsodium's interactive limits. Returns 0, or -1 (out of memory). */
int auth_password_hash(const char *password, char out[AUTH_HASH_MAX]);
/* 1 if `password` matches `hash`, else 0 (also for a malformed hash). */
int auth_password_verify(const char *hash, const char *password);
/* NULL if `password` is acceptable, else the reason (a sentence for people). */
const char *auth_password_problem(const char *password);

/* A new random token, AUTH_TOKEN_LEN characters of [A-Za-z0-9_-] + NUL. */
void auth_token_new(char out[AUTH_TOKEN_LEN + 1]);
/* The SHA-256 of a token, the form in which the store keeps it. */
void auth_token_hash(const char *token, size_t len, unsigned char out[STORE_TOKEN_HASH_LEN]);
/* Compares two NUL-terminated strings in time that does not depend on where
 * they differ (CSRF tokens). 1 if equal. */
int auth_equal(const char *a, const char *b);

/* What a user may do. The comment names the lowest role allowed. */
enum auth_action {
	AUTH_NEWSROOM_READ,  /* contributor: the newsroom pages, drafts, revisions */
	AUTH_DRAFT_WRITE,    /* contributor: create drafts; edit/delete their own */
	AUTH_DRAFT_ANY,      /* editor: edit/delete anybody's draft */
	AUTH_MEDIA_UPLOAD,   /* contributor */
	AUTH_POST_PUBLISH,   /* editor: publish, schedule, publish a draft */
	AUTH_POST_EDIT,      /* editor: edit or correct a published post */
	AUTH_POST_DELETE,    /* editor */
	AUTH_POST_PIN,       /* editor: pin and unpin */
	AUTH_SUMMARY_EDIT,   /* editor */
	AUTH_PAGE_STATUS,    /* editor: start and end coverage */
	AUTH_PAGE_PUBLISH,   /* editor: publish a page to readers, or unpublish it */
	AUTH_AUDIT_READ,     /* editor */
	AUTH_PAGE_ADMIN,     /* admin: create live pages, change their details */
	AUTH_USER_ADMIN,     /* admin: users and API tokens */
};

/* 1 if an enabled user with `role` may do `action`. */
int auth_can(enum model_role role, enum auth_action action);

#endif
