/*
 * The store: live pages, posts and the change log, behind one interface.
 * Its core (store.c, store_newsroom.c) runs on one of two backends
 * (store_backend.h), picked by the target store_open() is given: SQLite, a
 * file (store_sqlite.c: WAL, foreign keys, synchronous=FULL), the embedded
 * default; or PostgreSQL (store_pg.c, through libpq), shared by any number
 * of nodes. Callers never learn which they have.
 *
 * The change log: every change to a page (post published, updated, deleted,
 * pinned or unpinned, summary or status changed, page created, published or
 * unpublished) is appended to the log with the page's next sequence number
 * (1, 2, 3, ...) in the same transaction as the change itself, so a reader of
 * the log never sees a change without its entry or an entry without its
 * change. Each entry also has a global id, ordered
 * across pages, which a worker uses to read "everything past what I have seen",
 * and can keep the change's event for readers, rendered once just before the
 * commit (store_set_event_renderer).
 *
 * The promise the workers rely on: change-log ids become visible in increasing
 * order, so a reader that has seen id N never later finds a smaller id
 * committed, and reading "past N" misses nothing. SQLite gives it through its
 * single writer (BEGIN IMMEDIATE); PostgreSQL through the transaction advisory
 * lock every write takes first (the backend's write_begin()), before any id is
 * drawn, and that is released only once the commit is visible. Every write
 * goes through that one path, so no id is drawn outside it.
 *
 * Transactions: every mutating call is atomic on its own. store_begin() opens an
 * outer transaction (import uses one for a whole capture); calls made inside it
 * join it, and nothing is visible to others until store_commit(). A write that
 * returns 0 outside an outer transaction, or a store_commit() that returns 0, is
 * durable (SQLite: synchronous=FULL; PostgreSQL: its commit): that is when a
 * user may be told it succeeded.
 *
 * Errors: functions return 0, or a negative STORE_E* code; `store_errmsg()` then
 * holds a one-line reason. Out-parameters are only filled on success.
 */
#ifndef LIVELINE_STORE_H
#define LIVELINE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

#define STORE_ERR       (-1) /* the database failed (I/O, corrupt, busy too long) */
#define STORE_ENOTFOUND (-2) /* no such page or post */
#define STORE_EEXIST    (-3) /* a page with that slug exists */
#define STORE_EINVAL    (-4) /* the data breaks a rule (bad slug, unknown zone...) */
/* The database file this connection opened is no longer the one at its path
 * (deleted, renamed or replaced): a write would go to a file that no process will
 * open again, so writes are refused. (-5 is STORE_ECONFLICT, store_newsroom.h.) */
#define STORE_EMOVED    (-6)

#define STORE_WARN_UNUSED __attribute__((warn_unused_result))

struct store;

enum store_change_kind {
	STORE_CHANGE_PAGE = 0,    /* page created or its details changed */
	STORE_CHANGE_POST = 1,    /* post published */
	STORE_CHANGE_UPDATE = 2,  /* post edited */
	STORE_CHANGE_DELETE = 3,  /* post deleted */
	STORE_CHANGE_PIN = 4,     /* pinned post set or cleared (post_id 0) */
	STORE_CHANGE_SUMMARY = 5, /* summary changed */
	STORE_CHANGE_STATUS = 6,  /* status changed */
	STORE_CHANGE_PUBLISH = 7, /* the page became public */
	STORE_CHANGE_UNPUBLISH = 8, /* the page went back to the newsroom only */
};

/* "page", "post", "update", "delete", "pin", "summary", "status", "publish",
 * "unpublish" */
const char *store_change_kind_name(enum store_change_kind k);

struct store_change {
	int64_t id;      /* global, increasing across pages */
	int64_t page_id;
	int64_t seq;     /* the page's sequence number */
	enum store_change_kind kind;
	int64_t post_id; /* 0 when the change is not about one post */
	int64_t at;      /* UTC seconds */
	/* The event rendered at the change's commit (store_set_event_renderer):
	 * its data object as JSON, and for a new post its text form. NULL when not
	 * stored: rendered by a process without a renderer, before events were
	 * stored, or about a post edited or deleted since. Owned by the entry. */
	char *event;
	char *text;
};

/* Renders the event readers get for change `c` (its id is set), reading the
 * state being committed through `s`. Returns 0 with *event and *text (either
 * may be NULL) malloc'd, which the store then owns, or -1 to store none. */
typedef int (*store_event_fn)(void *ctx, struct store *s, const struct store_change *c,
			      char **event, char **text);

/* 1 when `target` names a PostgreSQL database: it starts with postgresql:// or
 * postgres://, or is a libpq key=value string (its first word holds '='). Anything
 * else is a SQLite file path. */
int store_target_is_pg(const char *target);
/* `target` as a log line or a message may show it: a file path as it is; a
 * PostgreSQL target as its database, host, port and user, never a password
 * (a URI or key=value string may hold one). Returns out. */
const char *store_target_describe(const char *target, char *out, size_t len);
/* `target` in a form --db takes back, for `config check`: a file path as it
 * is; a PostgreSQL target as a libpq key=value string of the keywords it
 * sets, with the password (and sslpassword) replaced by ********. Returns out
 * (truncated to len - 1 bytes when longer). */
const char *store_target_masked(const char *target, char *out, size_t len);

/* Opens (creating if needed) the database `target` names, a SQLite file path or
 * a PostgreSQL connection string or URI (store_target_is_pg), and upgrades its
 * schema in place to the newest version. Returns NULL and writes a reason into
 * err on failure. Pair with store_close(). Only what is meant to make a
 * database calls this (import, init, a first serve); everything else opens with
 * store_open_existing(), so that a mistyped path is an error, not a new empty
 * database. */
struct store *store_open(const char *target, char *err, size_t errlen);
/* Like store_open(), but a missing database is an error: for a file, NULL with
 * "no database at PATH" in err, and nothing is created (not even DB-notify);
 * for PostgreSQL, a database without the store's schema. */
struct store *store_open_existing(const char *target, char *err, size_t errlen);
const char *store_backend_name(const struct store *s); /* "sqlite", "postgresql" */
/* 0 while the database opened is still the one its target names and can be
 * reached. SQLite: STORE_EMOVED (with the reason in store_errmsg) once the file
 * was deleted, renamed or replaced; SQLite keeps working on the open file, so
 * without this check writes would be acknowledged and then lost at the next
 * start (costs one stat()). PostgreSQL: STORE_ERR while the connection is lost
 * and could not be made again yet. Every commit makes it before and after
 * COMMIT (a write then fails), and a server makes it on its timer to say so in
 * the log. */
int store_check_file(struct store *s) STORE_WARN_UNUSED;
void store_close(struct store *s);
const char *store_errmsg(const struct store *s);
/* 1 when the failure store_errmsg() gives is the database out of reach
 * (PostgreSQL: the connection lost, or not made again yet); SQLite never says
 * so. A write that failed so may have been committed just before the
 * connection went (its COMMIT sent, the answer lost): tell people it may not
 * have been saved, not that nothing was, and to check once the database is
 * back. Readers are served from the cache meanwhile. */
int store_unreachable(const struct store *s);

/* Being woken when the change log may have grown. A worker reads the log on
 * its timer anyway (the safety net); these make it read at once. */
/* A descriptor that becomes readable when another process may have committed to the
 * change log (SQLite: inotify on DB-notify; PostgreSQL: a connection that LISTENs),
 * or -1 (the timer alone finds changes). It may change after store_wake_drain() or
 * store_wake_tick(): callers read it again after each and re-register it. */
int store_wake_fd(struct store *s);
/* Consumes what made the fd readable: 1 a change may have been committed, 0 not,
 * -1 the watch was lost (store_wake_tick() makes it again, with backoff). */
int store_wake_drain(struct store *s);
/* On the worker's timer: re-makes a lost watch or connection (backoff inside). */
void store_wake_tick(struct store *s);

/* A consistent copy of the whole database as it was at one instant, taken
 * while others keep reading and writing (SQLite's online backup API, in one
 * read transaction), into the new SQLite file `dest`: written beside it under
 * a temporary name, checked (PRAGMA quick_check), synced, then renamed into
 * place without replacing anything, so `dest` only ever exists whole. The
 * images are in it (media_files, store_media.h). Returns 0; STORE_EEXIST when
 * `dest` exists; STORE_EINVAL for a PostgreSQL database (pg_dump takes its
 * consistent copy: docs/operations.md); STORE_ERR; the reason in
 * store_errmsg(). Not inside store_begin(). */
int store_backup(struct store *s, const char *dest) STORE_WARN_UNUSED;

/* Prepares every statement the store runs, rather than at each one's first
 * use: a worker does this at start so that its first requests do not pay for
 * it (the first post a worker publishes cost about 1 ms more on SQLite, and
 * 13 ms more on PostgreSQL, whose new session also fills its catalog caches:
 * the backend's warm()). */
int store_prepare(struct store *s) STORE_WARN_UNUSED;

int store_begin(struct store *s) STORE_WARN_UNUSED;
int store_commit(struct store *s) STORE_WARN_UNUSED;
void store_rollback(struct store *s);

/* Every call that changes something takes `actor`, the user it is made for
 * (0: the command line or the system), and names them in the audit entry it
 * writes with the change (store_newsroom.h).
 *
 * Pages. store_page_create() sets page->id; slug, title and zone must be set. The
 * summary given with the page is stored too, and page->published (0: the page
 * is seen only in the newsroom until store_page_set_published). Loaded pages are
 * filled completely (summary, pinned_post_id, last_seq, n_posts, published):
 * clean up with model_page_cleanup(). */
int store_page_create(struct store *s, int64_t actor, struct model_page *page) STORE_WARN_UNUSED;
int store_page_get(struct store *s, const char *slug, struct model_page *out) STORE_WARN_UNUSED;
int store_page_get_by_id(struct store *s, int64_t id, struct model_page *out) STORE_WARN_UNUSED;
/* What readers may load: as store_page_get(), but an unpublished page is
 * STORE_ENOTFOUND, as if it did not exist. Every reader route asks this. */
int store_page_get_public(struct store *s, const char *slug,
			  struct model_page *out) STORE_WARN_UNUSED;
/* All pages: live first, then upcoming, then ended; newest change first within
 * each. The caller frees with model_pages_free(). store_page_list_public()
 * leaves out the unpublished pages (the readers' index). */
int store_page_list(struct store *s, struct model_page **out, size_t *n) STORE_WARN_UNUSED;
int store_page_list_public(struct store *s, struct model_page **out,
			   size_t *n) STORE_WARN_UNUSED;
/* Publishes (1) or unpublishes (0) a page, logging a "publish" or "unpublish"
 * change, so that every worker drops what it cached of the page and the index,
 * and ends the page's open streams on "unpublish". Setting what the page is
 * already changes and logs nothing. *changed (may be NULL) says which. */
int store_page_set_published(struct store *s, int64_t actor, int64_t page_id, int published,
			     int *changed) STORE_WARN_UNUSED;
int store_page_set_status(struct store *s, int64_t actor, int64_t page_id,
			  enum model_status st) STORE_WARN_UNUSED;
int store_page_set_summary(struct store *s, int64_t actor, int64_t page_id,
			   const struct model_summary *sum) STORE_WARN_UNUSED;
/* post_id 0 unpins. The post must belong to the page. */
int store_page_set_pin(struct store *s, int64_t actor, int64_t page_id,
		       int64_t post_id) STORE_WARN_UNUSED;

/* Posts. Order on a page is (published_at, id): "index" below counts from the
 * oldest post, 0-based. store_post_insert() sets post->id, page_id and updated_at
 * (= published_at when 0). */
int store_post_insert(struct store *s, int64_t actor, int64_t page_id,
		      struct model_post *post) STORE_WARN_UNUSED;
/* Replaces title, flags, bylines, blocks and published_at of post->id; sets
 * updated_at to now. */
int store_post_update(struct store *s, int64_t actor,
		      struct model_post *post) STORE_WARN_UNUSED;
int store_post_delete(struct store *s, int64_t actor, int64_t page_id,
		      int64_t post_id) STORE_WARN_UNUSED;
int store_post_get(struct store *s, int64_t page_id, int64_t post_id,
		   struct model_post *out) STORE_WARN_UNUSED;
/* Up to `limit` posts starting at oldest-index `first`, returned NEWEST FIRST
 * (the order a page shows them). Free with model_posts_free(). */
int store_post_range(struct store *s, int64_t page_id, size_t first, size_t limit,
		     struct model_post **out, size_t *n) STORE_WARN_UNUSED;
/* The newest `limit` posts of `page` (fewer when it has fewer), NEWEST FIRST:
 * the one definition of "the newest N posts", for the feeds (MODEL_FEED_POSTS)
 * and the newsroom's desk (MODEL_DESK_POSTS). page->n_posts says where they
 * start. Free with model_posts_free(). */
int store_post_newest(struct store *s, const struct model_page *page, size_t limit,
		      struct model_post **out, size_t *n) STORE_WARN_UNUSED;
/* The newest `limit` posts of a page marked as key events, NEWEST FIRST, each
 * with its oldest-first index (which page holds it): the page's list of key
 * events (render_key_events_html). *out is NULL when there is none. Free with
 * model_key_events_free(). */
int store_post_key_events(struct store *s, int64_t page_id, size_t limit,
			  struct model_key_event **out, size_t *n) STORE_WARN_UNUSED;
/* The oldest-first index of a post on its page. */
int store_post_index(struct store *s, int64_t page_id, int64_t post_id,
		     size_t *index) STORE_WARN_UNUSED;

/* Has `fn` render the event of every change this connection logs, just before
 * the transaction's commit, and stores it with the change: each worker then
 * sends what was rendered once instead of rendering it again. NULL: none. */
void store_set_event_renderer(struct store *s, store_event_fn fn, void *ctx);

/* The change log. Up to `max` entries with global id > after_id, oldest first.
 * Free with store_changes_free(). */
int store_changes_since(struct store *s, int64_t after_id, size_t max,
			struct store_change **out, size_t *n) STORE_WARN_UNUSED;
/* Entries of one page with seq > after_seq, oldest first. Free with
 * store_changes_free(). */
int store_page_changes_since(struct store *s, int64_t page_id, int64_t after_seq,
			     size_t max, struct store_change **out, size_t *n) STORE_WARN_UNUSED;
void store_changes_free(struct store_change *c, size_t n);
/* The newest global change id (0 for an empty log). */
int store_last_change_id(struct store *s, int64_t *out) STORE_WARN_UNUSED;
/* A number that changes whenever another connection may have committed to the
 * change log (SQLite: PRAGMA data_version; PostgreSQL: the backend's own
 * count) or this one commits a change-log entry: the cheap test a worker makes
 * on its timer before reading the log. Compare it for equality only. */
int store_data_version(struct store *s, int64_t *out) STORE_WARN_UNUSED;

/* Search in a page: its posts found by words of their title and body (the
 * body's text as readers read it, its bylines, captions, alt text and
 * credits), with the database's own full-text index (SQLite: FTS5, words cut
 * by its unicode61 tokenizer, diacritics ignored; PostgreSQL: a tsvector of
 * the 'simple' configuration, no stemming, under a GIN index). The index is
 * written by the same statements that write the post, so it is in step with
 * every publish, edit and deletion in their transaction. Drafts and scheduled
 * posts are not posts yet and are never found.
 *
 * The query is words, never syntax: it is cut into words at spaces and ASCII
 * punctuation (so `" OR * NEAR( ) --` is the words OR and NEAR), and a post
 * is found when it holds every word. At most STORE_SEARCH_QUERY_MAX
 * characters (code points) and STORE_SEARCH_WORDS_MAX words. */
#define STORE_SEARCH_QUERY_MAX 200
#define STORE_SEARCH_WORDS_MAX 16
/* The marks around a matching word in a hit's title and snippet: control
 * bytes that post text never holds in the index (store_search_text() drops
 * them), so the renderer can escape everything else and turn these alone into
 * <mark> and </mark>. */
#define STORE_SEARCH_MARK_OPEN	'\x01'
#define STORE_SEARCH_MARK_CLOSE '\x02'

struct store_search_hit {
	int64_t post_id;
	int64_t published_at;
	char *title;   /* the whole title, matching words marked */
	char *snippet; /* a few words of the body around its matches, marked the
			* same way ("" when the body is empty); "\u2026" where
			* text was left out */
};

/* Up to `limit` posts of page `page_id` holding every word of `query`, best
 * first (a match in the title counts more than one in the body; then the
 * newest), skipping the first `offset`. *out (NULL when none) is freed with
 * store_search_hits_free(). STORE_EINVAL, with a reason a reader may be
 * shown, when the query is not UTF-8, is too long, holds too many words or
 * none at all (only punctuation): nothing is searched then. */
int store_post_search(struct store *s, int64_t page_id, const char *query, size_t limit,
		      size_t offset, struct store_search_hit **out,
		      size_t *n) STORE_WARN_UNUSED;
void store_search_hits_free(struct store_search_hit *h, size_t n);
/* ---- readers of each page, over every worker and node ---- */

/* One page's count of open readers: a worker's own (store_readers_put), or
 * the sum over every worker (store_readers_sum). */
struct store_readers {
	int64_t page_id;
	int64_t readers;
};

/* A worker's rows go stale this many seconds after it last wrote them: the sum
 * leaves them out, so the readers of a worker that died without saying so fall
 * away. A worker writes again well within it (live_readers_tick). */
#define STORE_READERS_STALE_S 30

/* Replaces worker `worker`'s counts (an id of its own, random per process, so
 * that workers of every node share the table) with `pages` (n of them; pages
 * with 0 readers are left out), all stamped `now`; n == 0 removes its rows.
 * Rows of any worker older than an hour are deleted with them. One write
 * transaction: call it every few seconds at most, never per reader. */
int store_readers_put(struct store *s, int64_t worker, int64_t now,
		      const struct store_readers *pages, size_t n) STORE_WARN_UNUSED;
/* The readers of every page that has some, summed over the rows stamped at or
 * after `since` (now - STORE_READERS_STALE_S), by page id. *out is malloc'd
 * (NULL when *n is 0): free() it. */
int store_readers_sum(struct store *s, int64_t since, struct store_readers **out,
		      size_t *n) STORE_WARN_UNUSED;

#endif
