/*
 * What the render tests share: RENDER(call) runs one rendering call into a
 * buffer and hands its text over (the caller frees it), and assert_has /
 * assert_lacks search it, printing the whole text when they fail.
 */
#ifndef LIVELINE_UNIT_RENDER_H
#define LIVELINE_UNIT_RENDER_H

#include "unit.h"

#include <string.h>

#include "util/buf.h"

/* The buffer every RENDER() call appends to; unit_render_take() hands its
 * contents over. One per test binary: tests run one at a time. */
static struct buf out_;

static inline char *unit_render_take(void)
{
	char *s;

	assert_int_equal(out_.err, 0);
	s = buf_detach(&out_, NULL);
	assert_non_null(s);
	buf_cleanup(&out_);
	return s;
}

/* Renders one call (which appends to out_) into a string the caller frees. */
#define RENDER(call) (buf_init(&out_, 1 << 24), (call), unit_render_take())

static inline void assert_has(const char *html, const char *needle)
{
	if (!strstr(html, needle))
		fail_msg("missing: %s\nin: %s", needle, html);
}

static inline void assert_lacks(const char *html, const char *needle)
{
	if (strstr(html, needle))
		fail_msg("unexpected: %s\nin: %s", needle, html);
}

#endif
