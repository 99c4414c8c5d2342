/*
 * What the store's core files share: the connection struct (backend-neutral:
 * its backend, the backend's connection, the statement caches, the open
 * transaction's state), error and transaction helpers, reading rows into
 * records through column maps (struct store_record), validation, and the few
 * write paths that several files need (a post insert, used by
 * store_post_insert() and by publishing a draft; an audit entry, written by
 * every mutating call). store.c holds pages, posts, edits and the change log;
 * store_newsroom.c holds people, drafts, the scheduler, revisions' reading,
 * media and the audit trail. Both reach the database only through
 * store_backend.h. The backends (store_sqlite.c, store_pg.c) include this too,
 * for struct store (s->be, s->conn, s->errmsg) and store_fail(). Nothing
 * outside src/store/ includes this.
 */
#ifndef LIVELINE_STORE_INTERNAL_H
#define LIVELINE_STORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_backend.h"

#include "model/model_limits.h"
#include "store/store_newsroom.h"
#include "util/time.h"
#include "util/utf8.h" /* utf8_valid(): what the store refuses as text */

/* Prepared statements of store.c, cached for the life of the
 * connection: the same few statements run on every change and every worker
 * wake-up. */
enum store_stmt_id {
	STMT_CHANGE_BUMP,
	STMT_CHANGE_ADD,
	STMT_PAGE_INSERT,
	STMT_PAGE_BY_SLUG,
	STMT_PAGE_PUBLIC_BY_SLUG,
	STMT_PAGE_BY_ID,
	STMT_PAGE_LIST,
	STMT_PAGE_PUBLIC_LIST,
	STMT_PAGE_PUBLISHED,
	STMT_PAGE_PUBLISH,
	STMT_PAGE_STATUS,
	STMT_PAGE_SUMMARY,
	STMT_PAGE_PIN,
	STMT_PAGE_PINNED,
	STMT_PAGE_EXISTS,
	STMT_PAGE_DETAILS,
	STMT_PAGE_UPDATE,
	STMT_POST_INSERT,
	STMT_POST_OLD,
	STMT_POST_UPDATE,
	STMT_POST_DELETE,
	STMT_POST_GET,
	STMT_POST_TITLE,
	STMT_POST_RANGE,
	STMT_POST_INDEX,
	STMT_POST_KEY_EVENTS,
	STMT_REVISION_ADD,
	STMT_CHANGES_SINCE,
	STMT_PAGE_CHANGES_SINCE,
	STMT_CHANGES_UNRENDERED,
	STMT_CHANGE_EVENT,
	STMT_CHANGE_FORGET,
	STMT_LAST_CHANGE,
	STMT_COUNT
};

/* ...and of store_newsroom.c. */
enum store_newsroom_stmt {
	STMT_NEWSROOM_USER_INSERT,
	STMT_NEWSROOM_USER_BY_ID,
	STMT_NEWSROOM_USER_BY_LOGIN,
	STMT_NEWSROOM_USER_LIST,
	STMT_NEWSROOM_USER_ROLE,
	STMT_NEWSROOM_USER_DISABLED,
	STMT_NEWSROOM_USER_PASSWORD,
	STMT_NEWSROOM_USER_PROFILE,
	STMT_NEWSROOM_USER_REVOKE_SESSIONS,
	STMT_NEWSROOM_USER_REVOKE_TOKENS,
	STMT_NEWSROOM_SESSION_INSERT,
	STMT_NEWSROOM_SESSION_LOOKUP,
	STMT_NEWSROOM_SESSION_REVOKE,
	STMT_NEWSROOM_SESSION_PURGE,
	STMT_NEWSROOM_TOKEN_INSERT,
	STMT_NEWSROOM_TOKEN_LOOKUP,
	STMT_NEWSROOM_TOKEN_LIST,
	STMT_NEWSROOM_TOKEN_GET,
	STMT_NEWSROOM_TOKEN_REVOKE,
	STMT_NEWSROOM_FAILURE_ADD,
	STMT_NEWSROOM_FAILURE_COUNT,
	STMT_NEWSROOM_FAILURE_CLEAR,
	STMT_NEWSROOM_FAILURE_PURGE,
	STMT_NEWSROOM_FAILURE_DELETE,
	STMT_NEWSROOM_DRAFT_INSERT,
	STMT_NEWSROOM_DRAFT_UPDATE,
	STMT_NEWSROOM_DRAFT_VERSION,
	STMT_NEWSROOM_DRAFT_GET,
	STMT_NEWSROOM_DRAFT_LIST,
	STMT_NEWSROOM_DRAFT_DELETE,
	STMT_NEWSROOM_DRAFT_ROW,
	STMT_NEWSROOM_SCHEDULE_DUE,
	STMT_NEWSROOM_SCHEDULE_NEXT,
	STMT_NEWSROOM_REVISION_LIST,
	STMT_NEWSROOM_POST_EXISTS,
	STMT_NEWSROOM_MEDIA_INSERT,
	STMT_NEWSROOM_MEDIA_GET,
	STMT_NEWSROOM_AUDIT_ADD,
	STMT_NEWSROOM_AUDIT_LIST,
	STMT_NEWSROOM_AUDIT_LIST_PAGE,
	STMT_NEWSROOM_COUNT
};

/* ...and of store_search.c. */
enum store_search_stmt {
	STMT_SEARCH_QUERY,
	STMT_SEARCH_UNFILLED,
	STMT_SEARCH_ROWS,
	STMT_SEARCH_FILL,
	STMT_SEARCH_COUNT
};

/* One connection to a store, on whichever backend opened it. */
struct store {
	const struct store_backend *be;
	void *conn;       /* the backend's own state (its connection, its wake-up) */
	struct store_stmt *stmt[STMT_COUNT];
	struct store_stmt *newsroom_stmt[STMT_NEWSROOM_COUNT];
	struct store_stmt *search_stmt[STMT_SEARCH_COUNT];
	int outer;        /* 1 between store_begin() and store_commit()/rollback() */
	int logged;       /* the open transaction added to the change log */
	int64_t log_from; /* ...from this change id on (ids grow within it) */
	int64_t log_to;   /* ...to this one */
	store_event_fn render_event; /* store_set_event_renderer() */
	void *render_ctx;
	char errmsg[256];
	/* The failure errmsg gives is the database out of reach (store_unreachable());
	 * set by the backend after store_fail(), which clears it. */
	int unreachable;
};

/* The name the audit trail and the history give user 0. */
#define STORE_SYSTEM_NAME "command line"

/* Steps a bound statement that returns nothing to its end and resets it;
 * 0, or STORE_ERR with the database's reason for `what`. */
int store_step_done(struct store *s, struct store_stmt *st, const char *what);

/* Steps a bound statement for the one row a lookup expects: 0 with the row
 * ready to read, STORE_ENOTFOUND with the reason `fmt` gives when there is none,
 * or STORE_ERR with the database's reason for `what`. The caller reads the row
 * and resets st in every case. */
int store_step_row(struct store *s, struct store_stmt *st, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Steps a bound statement that changes rows and may return some (INSERT ...
 * RETURNING id, UPDATE ... RETURNING) to its end and resets it. Returns 1 if a
 * row came back (its first column read into *id when id is not NULL), 0 if
 * none, or a negative enum store_db_rc (STORE_DB_UNIQUE, STORE_DB_FOREIGN_KEY,
 * STORE_DB_ERR) with the database's reason for `what` recorded. *changes (may
 * be NULL) gets the rows the statement changed. */
int store_step_id(struct store *s, struct store_stmt *st, const char *what, int64_t *id,
		  int64_t *changes);

/* Prepares the statements of store_newsroom.c (store_prepare). */
int store_newsroom_prepare(struct store *s);

/* Records a reason and returns rc, so that error paths read `return store_fail(...)`. */
int store_fail(struct store *s, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The database failed: its own message, which the backend recorded, is the
 * reason, after `what`; returns STORE_ERR. */
int store_fail_db(struct store *s, const char *what);

/* The statement cached in *slot (prepared from `sql` on first use), reset and
 * unbound; NULL with a reason on failure. Callers store_reset() it when done
 * (success or not): a statement left mid-step holds a read snapshot open on
 * SQLite, which would hide other writers' commits and stall WAL checkpoints. */
struct store_stmt *store_stmt_cached(struct store *s, struct store_stmt **slot, const char *sql);

/* Binds a string, NULL as "" (for NOT NULL text columns). A failed bind (out of
 * memory, or a string too large for the database) turns up as the statement's
 * error on step. */
void store_bind_text(struct store_stmt *st, int i, const char *v);
/* Binds a string, NULL as SQL NULL. */
void store_bind_text_or_null(struct store_stmt *st, int i, const char *v);
/* A heap copy of a text column; NULL reads as "". */
char *store_col_str(struct store_stmt *st, int i);
/* A heap copy of a text column, or NULL for SQL NULL. */
char *store_col_str_or_null(struct store_stmt *st, int i);
/* size_t limits as SQL's signed LIMIT, where "more than fits" is all. */
int64_t store_limit(size_t v);

/* How a column reads into a record's field (see struct store_col). */
enum store_col_kind {
	STORE_COL_INT64,        /* int64_t */
	STORE_COL_INT,          /* int */
	STORE_COL_BOOL,         /* int: 1 for any non-zero value, else 0 */
	STORE_COL_SIZE,         /* size_t, from a non-negative integer */
	STORE_COL_TEXT,         /* char *: a heap copy; NULL reads as "" */
	STORE_COL_TEXT_OR_NULL, /* char *: a heap copy, or NULL for SQL NULL */
};

/* One entry of a record's column map: result column `col` (0-based) goes to
 * the field at `offset`, as `kind` says. A map names each field once. A map
 * says what a row means, apart from the SQL that selects it and the backend
 * calls that read it, so every backend shares the maps. Every
 * record type's map is a table of this one shape, a line a column: the
 * repetition between maps is that table form, intended (a map per record type,
 * not code written twice). */
struct store_col {
	int col;
	enum store_col_kind kind;
	size_t offset;
};

/* An entry of a column map: STORE_COL(struct model_token, label, 3, TEXT). */
#define STORE_COL(type, field, col, kind) { (col), STORE_COL_##kind, offsetof(type, field) }

/* A record type as rows are read into it: a column map, then what a map
 * cannot say. */
struct store_record {
	size_t size;                 /* sizeof the record */
	const struct store_col *cols;
	size_t n_cols;
	/* NULL, or the rest of the row once the map is read: checks, parsed JSON,
	 * fields derived from others. On failure it records a reason and returns
	 * an error; the record is then cleaned up whole (below). */
	int (*finish)(struct store *s, struct store_stmt *st, void *record);
	/* NULL when the record owns nothing but the map's text (freed from the
	 * map), or frees everything one record owns and zeroes it (the model's
	 * x_cleanup(), behind a one-line adapter taking void *). */
	void (*cleanup)(void *record);
};

/* A record type from a struct type, a column map array, finish and cleanup. */
#define STORE_RECORD(type, cols, finish, cleanup) \
	{ sizeof(type), (cols), sizeof(cols) / sizeof((cols)[0]), (finish), (cleanup) }

/* Fills *record (r->size bytes, zeroed first) from the current row of st: its
 * column map, then r->finish. 0; or on failure an error with a reason, and
 * *record cleaned up (zeroed, owning nothing). Running out of memory aborts. */
int store_record_read(struct store *s, struct store_stmt *st, const struct store_record *r,
		      void *record);

/* Every single-row lookup into a record: steps a bound statement for the one
 * row it expects (store_step_row(): `what` names the query for a database
 * error, `fmt` the reason when there is no row, STORE_ENOTFOUND), reads it into
 * *out, and resets the statement on every path. On failure *out is untouched. */
int store_record_get(struct store *s, struct store_stmt *st, const struct store_record *r, void *out,
		     const char *what, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Every list query: steps a bound statement to its end, reading each row into
 * a new record of type r (store_record_read()), and resets the statement on
 * every path (see store_stmt_cached()). The array grows as rows come rather
 * than being sized from the query's LIMIT: that may be large, and most reads
 * return a handful.
 *
 * `out` is the caller's `T **` for records of type T, passed as it is. On
 * success *out is the array (NULL when no row came), which the caller owns and
 * frees with the model's x_free() (each record cleaned up, then the array), and
 * *n the number of records. On failure (a read failed, with its reason; or a
 * step did, with the reason "<what>: <the database's message>") returns STORE_ERR,
 * frees what was read and leaves *out and *n untouched. Running out of memory
 * aborts. */
int store_rows(struct store *s, struct store_stmt *st, const struct store_record *r, const char *what,
	       void *out, size_t *n) STORE_WARN_UNUSED;

/* Every mutating call is bracketed by write_enter() and write_leave(rc): a
 * transaction of its own (the backend's write_begin(), which serialises it with
 * every other writer up front), or a savepoint inside an outer store_begin().
 * write_leave commits or rolls back and returns the final code. */
int store_write_enter(struct store *s) STORE_WARN_UNUSED;
int store_write_leave(struct store *s, int rc) STORE_WARN_UNUSED;

/* Validation shared by posts and drafts. */
int store_post_check(struct store *s, const struct model_post *p);
/* The post's bylines and body as JSON text (caller frees both); 0, or an error
 * with a reason. */
int store_post_json(struct store *s, const struct model_post *p, char **bylines, char **body);
/* Fills p->bylines and p->blocks from their stored JSON; `what` names the row
 * for the error ("post 12"). On failure they are left empty. */
int store_post_parse_json(struct store *s, struct model_post *p, const char *bylines,
			  const char *body, const char *what);
/* 0 if the page exists, STORE_ENOTFOUND (with a reason) if not. */
int store_page_exists(struct store *s, int64_t page_id);

/* A post as the posts table holds it, bylines and body already JSON. */
struct store_post_row {
	const char *title;
	int64_t published_at; /* 0: now */
	int64_t updated_at;   /* 0: published_at */
	int breaking;
	int key_event;
	const char *bylines_json;
	const char *body_json;
	const char *correction; /* NULL for none */
	int64_t correction_at;
};

/* Inside a write: inserts a post (version 1), its revision 1 ("published", by
 * `author`), the change-log entry "post", and the audit entry `action` (naming
 * `actor`, detail the title). Sets *id and, when not NULL, *published_at and
 * *updated_at to the stored times. */
int store_post_insert_row(struct store *s, int64_t actor, int64_t page_id,
			  const struct store_post_row *row,
			  int64_t author, const char *action, int64_t *id,
			  int64_t *published_at, int64_t *updated_at) STORE_WARN_UNUSED;

/* The text a post is found by (store_post_search), besides its title: the
 * plain text of its body's blocks (as the text form reads them: Markdown
 * resolved), quotations' credits, images' alt text, credits and captions,
 * embeds' titles, and its bylines, from their stored JSON, a line each. The
 * search marks' bytes and other C0 controls become spaces. Returns a malloc'd
 * string, or NULL with a reason. Every write of posts.body_json writes this
 * beside it as posts.search_text, in the same statement. */
char *store_search_text(struct store *s, const char *bylines_json, const char *body_json);
/* Fills posts.search_text where it is NULL: the posts written before the
 * search index was (the migration that made the column leaves it NULL, as
 * SQL alone cannot read Markdown), or by an older program since. Run by
 * store_open*() right after the schema is current, so a migrated database is
 * fully indexed before it is used; a database with nothing to fill costs one
 * indexed lookup and takes no write lock. 0, or an error with a reason. */
int store_search_fill(struct store *s) STORE_WARN_UNUSED;

/* Inside a write: appends an audit entry naming `actor` (0: the command line
 * or the system). detail NULL is "". */
int store_audit_write(struct store *s, int64_t actor, const char *action, int64_t page_id,
		      int64_t post_id, const char *detail) STORE_WARN_UNUSED;

#endif
