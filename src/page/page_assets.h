/*
 * Static files of the reader's pages and of the newsroom (web/), built into the
 * binary so that one file is the whole program. Each asset has a versioned URL
 * derived from its content, so it can be cached for a year and still change
 * with a release.
 */
#ifndef LIVELINE_PAGE_ASSETS_H
#define LIVELINE_PAGE_ASSETS_H

#include <stddef.h>

struct page_asset {
	const char *name;         /* "style.css" */
	const char *content_type;
	const char *data;
	size_t len;
	char url[64];             /* "/static/style.1a2b3c4d.css" */
};

/* Computes the versioned URLs; call once at start. */
void page_assets_init(void);
/* The asset served at `url`, or NULL. */
const struct page_asset *page_asset_by_url(const char *url);
/* The asset named `name`; never NULL for a built-in name: "style.css" and
 * "live.js" (readers), "newsroom.css" and "newsroom.js" (the newsroom), and the
 * icons "icon.svg", "icon-32.png" and "icon-180.png" (render_meta.c). */
const struct page_asset *page_asset_by_name(const char *name);

#endif
