/*
 * Export to the plain-text form (text.h): the exact inverse of text_import.c,
 * so that an imported capture is written back byte for byte, and a page made
 * in the newsroom comes out in the same layout. Rich text goes through
 * markup_inline_plain(); plain fields (titles, names, alt texts) are written as
 * they are, with any line break made a space so that a field stays one line.
 */
#include "text/text.h"

#include <string.h>

#include "markup/markup.h"
#include "text/text_layout.h"
#include "util/tz.h"

static void export_plain(struct buf *out, const char *s)
{
	for (; s && *s; s++)
		buf_putc(out, *s == '\n' ? ' ' : *s);
}

static void export_rich(struct buf *out, const char *md)
{
	markup_inline_plain(out, md ? md : "");
}

static void export_summary(struct buf *out, const struct model_summary *s)
{
	int has_caption = s->media_caption && s->media_caption[0];

	if (s->n_points == 0 && !has_caption)
		return;
	buf_puts(out, TEXT_SUMMARY "\n\n");
	for (size_t i = 0; i < s->n_points; i++) {
		buf_puts(out, TEXT_POINT);
		export_rich(out, s->points[i]);
		buf_putc(out, '\n');
	}
	if (s->n_points > 0)
		buf_putc(out, '\n');
	if (has_caption) {
		buf_puts(out, TEXT_MEDIA_CAPTION "\n\n");
		export_rich(out, s->media_caption);
		buf_puts(out, "\n\n");
	}
}

static void export_list(struct buf *out, const struct model_block *b)
{
	if (b->n_items == 0)
		return;
	for (size_t i = 0; i < b->n_items; i++) {
		buf_puts(out, TEXT_BULLET);
		if (b->items[i].lead) {
			export_rich(out, b->items[i].lead);
			buf_putc(out, ' ');
		}
		export_rich(out, b->items[i].text);
		buf_putc(out, '\n');
	}
	if (b->blank_after)
		buf_putc(out, '\n');
}

static void export_image(struct buf *out, const struct model_block *b)
{
	buf_puts(out, TEXT_INDENT);
	export_plain(out, b->alt);
	buf_puts(out, TEXT_IMAGE_SOURCE);
	export_plain(out, b->credit);
	buf_putc(out, '\n');
	if (b->caption && b->caption[0]) {
		buf_puts(out, TEXT_IMAGE_CAPTION "\n\n" TEXT_INDENT);
		export_rich(out, b->caption);
		buf_putc(out, '\n');
	}
	buf_putc(out, '\n');
}

static void export_quote(struct buf *out, const struct model_block *b)
{
	buf_puts(out, TEXT_QUOTE);
	export_rich(out, b->text);
	buf_putc(out, '\n');
	if (b->cite && b->cite[0]) {
		buf_puts(out, TEXT_CITE);
		export_plain(out, b->cite);
		buf_putc(out, '\n');
	}
	buf_putc(out, '\n');
}

static void export_block(struct buf *out, const struct model_block *b)
{
	switch (b->kind) {
	case MODEL_BLOCK_PARAGRAPH:
		buf_puts(out, TEXT_INDENT);
		export_rich(out, b->text);
		buf_puts(out, "\n\n");
		break;
	case MODEL_BLOCK_QUOTE:
		export_quote(out, b);
		break;
	case MODEL_BLOCK_LIST:
		export_list(out, b);
		break;
	case MODEL_BLOCK_IMAGE:
		export_image(out, b);
		break;
	case MODEL_BLOCK_EMBED:
		/* No blank line after: that is what tells an embed from a paragraph. */
		buf_puts(out, TEXT_INDENT);
		export_plain(out, b->text);
		buf_putc(out, '\n');
		break;
	}
}

int text_export_post(struct buf *out, const struct model_page *page,
		     const struct model_post *post, size_t number)
{
	const char *zone = page->zone ? page->zone : MODEL_DEFAULT_ZONE;
	struct tz_view v;

	if (tz_view(zone, post->published_at, &v) < 0)
		return -1;
	buf_printf(out, TEXT_HEADER_INDENT "%zu. ", number);
	export_plain(out, post->title);
	buf_printf(out, TEXT_PUBLISHED "%s %s %s\n", v.hm, v.zone_long, v.day_month);
	if (post->breaking)
		buf_puts(out, TEXT_BREAKING "\n");
	buf_putc(out, '\n');
	for (size_t i = 0; i < post->n_bylines; i++) {
		buf_puts(out, TEXT_INDENT);
		export_plain(out, post->bylines[i].name);
		buf_puts(out, "\n" TEXT_INDENT);
		export_plain(out, post->bylines[i].role);
		buf_puts(out, "\n\n");
	}
	for (size_t i = 0; i < post->n_blocks; i++)
		export_block(out, &post->blocks[i]);
	return 0;
}

int text_export(struct buf *out, const struct model_page *page, const struct model_post *posts,
		size_t n_posts)
{
	size_t start = out->len;

	export_summary(out, &page->summary);
	for (size_t i = 0; i < n_posts; i++)
		if (text_export_post(out, page, &posts[i], i + 1) < 0)
			return -1;
	/* The file ends without a final newline. */
	if (out->err == 0 && out->data) {
		while (out->len > start && out->data[out->len - 1] == '\n')
			out->len--;
		out->data[out->len] = '\0';
	}
	return 0;
}
