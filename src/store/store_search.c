/*
 * Search in a page (store.h, store_post_search): the text each post is found
 * by, kept beside it in posts.search_text, and the query. The index itself is
 * the backend's (SQLite: an FTS5 table that triggers on posts keep in step;
 * PostgreSQL: a generated tsvector column under a GIN index), so it changes in
 * the statement that changes the post, inside the same transaction. What every
 * backend shares lives here: which text is indexed, how a reader's query is
 * cut into words (never passed on as query syntax), the limits, and reading
 * the hits. The search SQL is the backend's (store_backend.h, search_sql).
 */
#include "store/store_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "markup/markup.h"
#include "model/model.h"
#include "util/buf.h"
#include "util/log.h"

/* What a post's search text may grow to: its body's stored text is capped
 * (MODEL_POST_TEXT_MAX), and the bylines and captions add little to it. */
#define STORE_SEARCH_TEXT_MAX ((size_t)4 * MODEL_POST_TEXT_MAX + 64 * 1024)
/* Posts filled per write transaction by store_search_fill(): other writers
 * wait between batches, not for the whole fill. */
#define STORE_SEARCH_FILL_BATCH 200

static const char *const store_search_sql[STMT_SEARCH_COUNT] = {
	[STMT_SEARCH_QUERY] = NULL, /* the backend's search_sql */
	[STMT_SEARCH_UNFILLED] = "SELECT id FROM posts WHERE search_text IS NULL LIMIT 1",
	[STMT_SEARCH_ROWS] =
		"SELECT id, bylines_json, body_json FROM posts WHERE search_text IS NULL"
		" ORDER BY id LIMIT ?1",
	[STMT_SEARCH_FILL] = "UPDATE posts SET search_text = ?2 WHERE id = ?1",
};

static struct store_stmt *store_search_stmt(struct store *s, enum store_search_stmt id)
{
	const char *sql = id == STMT_SEARCH_QUERY ? s->be->search_sql : store_search_sql[id];

	return store_stmt_cached(s, &s->search_stmt[id], sql);
}

/* ---- the text a post is found by ---------------------------------------- */

/* Appends plain `text` with control bytes (the marks among them) as spaces:
 * the index never holds a byte the renderer would read as a mark. */
static void store_search_put(struct buf *b, const char *text)
{
	if (!text || !*text)
		return;
	if (b->len)
		buf_putc(b, '\n');
	for (const char *p = text; *p; p++)
		buf_putc(b, (unsigned char)*p < 0x20 ? ' ' : *p);
}

/* Appends the plain text inline Markdown `md` reads as. */
static void store_search_put_md(struct buf *b, const char *md)
{
	struct buf plain;

	if (!md || !*md)
		return;
	buf_init(&plain, STORE_SEARCH_TEXT_MAX);
	markup_inline_plain(&plain, md);
	if (plain.err)
		b->err = plain.err;
	else
		store_search_put(b, plain.data);
	buf_cleanup(&plain);
}

char *store_search_text(struct store *s, const char *bylines_json, const char *body_json)
{
	struct model_post p;
	struct buf b;
	char *text;
	size_t len;

	memset(&p, 0, sizeof(p));
	if (store_post_parse_json(s, &p, bylines_json, body_json, "search text") != 0) {
		model_post_cleanup(&p);
		return NULL;
	}
	buf_init(&b, STORE_SEARCH_TEXT_MAX);
	for (size_t i = 0; i < p.n_blocks; i++) {
		const struct model_block *k = &p.blocks[i];

		switch (k->kind) {
		case MODEL_BLOCK_PARAGRAPH:
		case MODEL_BLOCK_QUOTE:
			store_search_put_md(&b, k->text);
			store_search_put(&b, k->cite);
			break;
		case MODEL_BLOCK_LIST:
			for (size_t j = 0; j < k->n_items; j++) {
				store_search_put_md(&b, k->items[j].lead);
				store_search_put_md(&b, k->items[j].text);
			}
			break;
		case MODEL_BLOCK_IMAGE:
			store_search_put(&b, k->alt);
			store_search_put(&b, k->credit);
			store_search_put_md(&b, k->caption);
			break;
		case MODEL_BLOCK_EMBED:
			store_search_put(&b, k->text);
			break;
		}
	}
	for (size_t i = 0; i < p.n_bylines; i++) {
		store_search_put(&b, p.bylines[i].name);
		store_search_put(&b, p.bylines[i].role);
	}
	model_post_cleanup(&p);
	text = buf_detach(&b, &len);
	buf_cleanup(&b);
	if (!text)
		store_fail(s, STORE_ERR, "search text: %s",
			   b.err == BUF_ETOOBIG ? "too large" : "out of memory");
	return text;
}

int store_search_fill(struct store *s)
{
	struct store_stmt *st = store_search_stmt(s, STMT_SEARCH_UNFILLED);
	int64_t ids[STORE_SEARCH_FILL_BATCH];
	char *texts[STORE_SEARCH_FILL_BATCH];
	size_t n, filled = 0;
	int rc;

	if (!st)
		return STORE_ERR;
	/* Outside a transaction: the common case takes no write lock. */
	rc = store_step(st);
	store_reset(st);
	if (rc == STORE_DB_DONE)
		return 0;
	if (rc != STORE_DB_ROW)
		return store_fail_db(s, "search index");
	do {
		rc = store_write_enter(s);
		if (rc != 0)
			return rc;
		n = 0;
		st = store_search_stmt(s, STMT_SEARCH_ROWS);
		if (!st) {
			rc = STORE_ERR;
			goto leave;
		}
		store_bind_int64(st, 1, STORE_SEARCH_FILL_BATCH);
		while (n < STORE_SEARCH_FILL_BATCH) {
			rc = store_step(st);
			if (rc != STORE_DB_ROW)
				break;
			ids[n] = store_col_int64(st, 0);
			texts[n] = store_search_text(s, store_col_text(st, 1), store_col_text(st, 2));
			/* A post whose stored JSON cannot be read (written behind
			 * the store's back) is found by its title alone: it must
			 * not keep the store from opening. */
			if (!texts[n]) {
				log_warnx("store: search index: post %" PRId64 ": %s", ids[n],
					  store_errmsg(s));
				texts[n] = model_strdup("");
			}
			n++;
		}
		store_reset(st);
		/* A full batch ends on a row; a failed step has its reason. */
		rc = rc == STORE_DB_ROW || rc == STORE_DB_DONE ? 0 : STORE_ERR;
		st = rc == 0 ? store_search_stmt(s, STMT_SEARCH_FILL) : NULL;
		if (rc == 0 && !st)
			rc = STORE_ERR;
		for (size_t i = 0; rc == 0 && i < n; i++) {
			store_bind_int64(st, 1, ids[i]);
			store_bind_text(st, 2, texts[i]);
			rc = store_step_done(s, st, "search index");
		}
leave:
		for (size_t i = 0; i < n; i++)
			free(texts[i]);
		rc = store_write_leave(s, rc);
		if (rc != 0)
			return rc;
		filled += n;
	} while (n == STORE_SEARCH_FILL_BATCH);
	log_info("store: search index: %zu posts from before it indexed", filled);
	return 0;
}

/* ---- the query ---------------------------------------------------------- */

/* 1 if code point `c` belongs in a word: a letter or digit of any script, or a
 * mark that goes with one; anything else (spaces, punctuation, symbols) cuts
 * words, as both backends' tokenizers do. */
static int store_search_word_char(UChar32 c)
{
	int8_t t;

	if (c < 0)
		return 0;
	if (u_isalnum(c))
		return 1;
	t = (int8_t)u_charType(c);
	return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK ||
	       t == U_ENCLOSING_MARK || t == U_PRIVATE_USE_CHAR;
}

/* Writes the words of `query` into `out` as the backend's ?1 (search_quote:
 * each in double quotes). *words gets their number. A word never holds a
 * quote or any other punctuation, so a quoted word is always one FTS5
 * string. 0, or STORE_EINVAL with a reason. */
static int store_search_words(struct store *s, const char *query, int quote, struct buf *out,
			      size_t *words)
{
	const uint8_t *q = (const uint8_t *)query;
	int32_t i = 0, len, start = -1, prev, chars = 0;
	UChar32 c;

	*words = 0;
	/* Characters, as a form's maxlength counts them (near enough: it
	 * counts UTF-16 units), not bytes: a query in Cyrillic or Greek gets
	 * as many as one in English. */
	len = query ? (int32_t)strnlen(query, 4 * STORE_SEARCH_QUERY_MAX + 1) : 0;
	if (len > 4 * STORE_SEARCH_QUERY_MAX)
		goto too_long;
	if (!query || !utf8_valid(query))
		return store_fail(s, STORE_EINVAL, "The search is not valid text.");
	for (;;) {
		prev = i;
		if (i < len) {
			U8_NEXT(q, i, len, c);
			if (++chars > STORE_SEARCH_QUERY_MAX)
				goto too_long;
		} else {
			c = -1;
		}
		if (store_search_word_char(c)) {
			if (start < 0)
				start = prev;
			continue;
		}
		if (start >= 0) {
			if (++*words > STORE_SEARCH_WORDS_MAX)
				return store_fail(s, STORE_EINVAL, "Search for at most %d words.",
						  STORE_SEARCH_WORDS_MAX);
			if (out->len)
				buf_putc(out, ' ');
			if (quote)
				buf_putc(out, '"');
			buf_append(out, query + start, (size_t)(prev - start));
			if (quote)
				buf_putc(out, '"');
			start = -1;
		}
		if (i >= len && c < 0)
			break;
	}
	if (*words == 0)
		return store_fail(s, STORE_EINVAL, "Give a word to search for.");
	return 0;
too_long:
	return store_fail(s, STORE_EINVAL, "Search for at most %d characters.",
			  STORE_SEARCH_QUERY_MAX);
}

void store_search_hits_free(struct store_search_hit *h, size_t n)
{
	if (!h)
		return;
	for (size_t i = 0; i < n; i++) {
		free(h[i].title);
		free(h[i].snippet);
	}
	free(h);
}

static const struct store_col store_search_hit_cols[] = {
	STORE_COL(struct store_search_hit, post_id, 0, INT64),
	STORE_COL(struct store_search_hit, published_at, 1, INT64),
	STORE_COL(struct store_search_hit, title, 2, TEXT),
	STORE_COL(struct store_search_hit, snippet, 3, TEXT),
};

static const struct store_record store_search_hit_record =
	STORE_RECORD(struct store_search_hit, store_search_hit_cols, NULL, NULL);

int store_post_search(struct store *s, int64_t page_id, const char *query, size_t limit,
		      size_t offset, struct store_search_hit **out, size_t *n)
{
	struct store_stmt *st;
	struct buf words;
	size_t count;
	int rc;

	buf_init(&words, 8 * STORE_SEARCH_QUERY_MAX);
	rc = store_search_words(s, query, s->be->search_quote, &words, &count);
	if (rc == 0 && words.err)
		rc = store_fail(s, STORE_ERR, "search: out of memory");
	if (rc != 0)
		goto out;
	st = store_search_stmt(s, STMT_SEARCH_QUERY);
	if (!st) {
		rc = STORE_ERR;
		goto out;
	}
	store_bind_text(st, 1, words.data);
	store_bind_int64(st, 2, page_id);
	store_bind_int64(st, 3, store_limit(limit));
	store_bind_int64(st, 4, store_limit(offset));
	rc = store_rows(s, st, &store_search_hit_record, "search", out, n);
out:
	buf_cleanup(&words);
	return rc;
}
