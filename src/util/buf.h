/*
 * Growable byte buffers with a hard cap and a sticky error flag.
 *
 * Long append chains (HTML, feeds, the text form) append without checking each
 * call; the first failure (out of memory or crossing the cap) sets `err` and every
 * later append is a no-op, so the caller checks once at the end (SQLite's string
 * accumulator does the same). The contents are always NUL-terminated when
 * `data` is non-NULL.
 */
#ifndef LIVELINE_BUF_H
#define LIVELINE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_ENOMEM  (-1) /* allocation failed */
#define BUF_ETOOBIG (-2) /* the append would cross `max` */

struct buf {
	char *data;   /* owned; NULL until the first append */
	size_t len;
	size_t cap;
	size_t max;   /* hard cap on len, in bytes */
	int err;      /* 0, BUF_ENOMEM or BUF_ETOOBIG; sticky */
};

/* A buffer that may grow to `max` bytes. Embedded by the caller: pair with
 * buf_cleanup(). */
void buf_init(struct buf *b, size_t max);
void buf_cleanup(struct buf *b);
/* Empties the buffer and clears the error, keeping its memory. */
void buf_reset(struct buf *b);
/* Hands the contents to the caller (free() them); the buffer is left empty.
 * Returns NULL if the buffer is in error. An empty buffer gives "". */
char *buf_detach(struct buf *b, size_t *len);

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Appends `s` (n bytes) escaped for HTML text and double-quoted attribute
 * values: & < > " ' become entities. */
void buf_html_escape(struct buf *b, const char *s, size_t n);
void buf_html(struct buf *b, const char *s); /* NUL-terminated form; NULL is "" */

#endif
