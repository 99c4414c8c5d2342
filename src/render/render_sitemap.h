/*
 * What the site tells crawlers as a whole: /robots.txt (readers' pages
 * allowed, the newsroom and the API not, and where the sitemaps are),
 * /sitemap.xml (every published live page with its last change, and the
 * index) and a Google News sitemap, /sitemap-news.xml (the live pages updated
 * in the last RENDER_SITEMAP_NEWS_AGE seconds, in the news: namespace).
 *
 * The caller hands over the published pages only (store_page_list_public):
 * an unpublished (embargoed) page is never in the list, so never in a
 * sitemap. Every URL is absolute on the base URL; every value is cleaned and
 * escaped for XML (render_xml_escaped). Like the other renderers these append
 * to the caller's buffer, whose error flag the caller checks once.
 */
#ifndef LIVELINE_RENDER_SITEMAP_H
#define LIVELINE_RENDER_SITEMAP_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "render/render.h"
#include "util/buf.h"

/* Google News lists articles of the last two days. */
#define RENDER_SITEMAP_NEWS_AGE ((int64_t)2 * 24 * 3600)

void render_robots_txt(struct buf *out, const struct render_site *site);
void render_sitemap_xml(struct buf *out, const struct render_site *site,
			const struct model_page *pages, size_t n);
/* The pages whose last change is at most RENDER_SITEMAP_NEWS_AGE before `now`. */
void render_sitemap_news_xml(struct buf *out, const struct render_site *site,
			     const struct model_page *pages, size_t n, int64_t now);

#endif
