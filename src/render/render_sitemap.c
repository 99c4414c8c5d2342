/*
 * robots.txt and the sitemaps: see render_sitemap.h. The XML is written as
 * text, each value through render_xml_escaped(), as the XML feeds are.
 */
#include "render/render_sitemap.h"

#include "render/render_feed.h"
#include "util/time.h"

#define SITEMAP_NS "http://www.sitemaps.org/schemas/sitemap/0.9"
#define NEWS_NS	   "http://www.google.com/schemas/sitemap-news/0.9"
/* news:language is an ISO 639 code; the pages are written in en-GB. */
#define NEWS_LANG "en"

void render_robots_txt(struct buf *out, const struct render_site *site)
{
	/* Everything a reader sees may be crawled; the newsroom's pages and the
	 * API are for staff and are refused to robots as they are to readers. */
	buf_puts(out, "User-agent: *\nAllow: /\nDisallow: /newsroom\nDisallow: /api/\n\n"
		      "Sitemap: ");
	buf_puts(out, site->base_url);
	buf_puts(out, "/sitemap.xml\nSitemap: ");
	buf_puts(out, site->base_url);
	buf_puts(out, "/sitemap-news.xml\n");
}

static void put_time(struct buf *out, const char *tag, int64_t t)
{
	char iso[TIME_ISO_SIZE];

	if (t <= 0 || time_iso(t, iso) < 0)
		return;
	buf_printf(out, "<%s>%s</%s>", tag, iso, tag);
}

static void put_loc(struct buf *out, const struct render_site *site,
		    const struct model_page *page)
{
	buf_puts(out, "<loc>");
	render_xml_escaped(out, site->base_url);
	if (page) {
		buf_puts(out, "/live/");
		render_xml_escaped(out, page->slug);
	} else {
		buf_putc(out, '/');
	}
	buf_puts(out, "</loc>");
}

void render_sitemap_xml(struct buf *out, const struct render_site *site,
			const struct model_page *pages, size_t n)
{
	int64_t newest = 0;

	for (size_t i = 0; i < n; i++)
		if (pages[i].updated_at > newest)
			newest = pages[i].updated_at;
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<urlset xmlns=\"" SITEMAP_NS "\">\n<url>");
	/* The index changes whenever a page does. */
	put_loc(out, site, NULL);
	put_time(out, "lastmod", newest);
	buf_puts(out, "</url>\n");
	for (size_t i = 0; i < n; i++) {
		buf_puts(out, "<url>");
		put_loc(out, site, &pages[i]);
		put_time(out, "lastmod", pages[i].updated_at);
		buf_puts(out, "</url>\n");
	}
	buf_puts(out, "</urlset>\n");
}

void render_sitemap_news_xml(struct buf *out, const struct render_site *site,
			     const struct model_page *pages, size_t n, int64_t now)
{
	buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		      "<urlset xmlns=\"" SITEMAP_NS "\" xmlns:news=\"" NEWS_NS "\">\n");
	for (size_t i = 0; i < n; i++) {
		const struct model_page *p = &pages[i];

		if (p->updated_at < now - RENDER_SITEMAP_NEWS_AGE)
			continue;
		buf_puts(out, "<url>");
		put_loc(out, site, p);
		buf_puts(out, "<news:news><news:publication><news:name>");
		render_xml_escaped(out, site->name);
		buf_puts(out, "</news:name><news:language>" NEWS_LANG
			      "</news:language></news:publication>");
		/* A live page is published when its coverage starts (not a
		 * planned start still ahead). */
		put_time(out, "news:publication_date",
			 p->start_at && p->start_at <= now ? p->start_at : p->updated_at);
		buf_puts(out, "<news:title>");
		render_xml_escaped(out, p->title);
		buf_puts(out, "</news:title></news:news></url>\n");
	}
	buf_puts(out, "</urlset>\n");
}
