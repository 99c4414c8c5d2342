/*
 * The embeddable version of a live page and what points to it: see
 * render_embed.h. The embed reuses the live page's pieces (the status label,
 * the post fragment, the #updates section's data attributes) so that the
 * stream's fragments and web/live.js apply to it as they do to the live page;
 * only the frame around them is its own.
 */
#include "render/render_embed.h"

#include <inttypes.h>
#include <string.h>

/* "BASE/live/SLUG": the full coverage, where every link of the embed leads. */
static void put_full_url(struct buf *out, const struct render_site *site,
			 const struct model_page *page)
{
	buf_html(out, site->base_url);
	buf_puts(out, "/live/");
	buf_html(out, page->slug);
}

void render_embed_url_arg(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_putc(out, (char)c);
		} else {
			buf_putc(out, '%');
			buf_putc(out, hex[c >> 4]);
			buf_putc(out, hex[c & 15]);
		}
	}
}

void render_embed_html(struct buf *out, const struct render_site *site,
		       const struct model_page *page, const struct model_post *posts, size_t n)
{
	/* <base target> comes before anything with a link. It has no href, so
	 * the CSP's base-uri 'none' has nothing to refuse, and target="_blank"
	 * implies noopener in browsers. */
	buf_puts(out, "<!doctype html>\n<html lang=\"en-GB\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n<base target=\"_blank\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<meta name=\"color-scheme\" content=\"light dark\">\n"
		      "<meta name=\"robots\" content=\"noindex\">\n<title>");
	buf_html(out, page->title);
	buf_puts(out, " \xe2\x80\x93 ");
	buf_html(out, site->name);
	buf_puts(out, "</title>\n<link rel=\"stylesheet\" href=\"");
	buf_html(out, site->css_url);
	buf_puts(out, "\">\n<link rel=\"canonical\" href=\"");
	put_full_url(out, site, page);
	buf_puts(out, "\">\n");
	if (site->js_url) {
		buf_puts(out, "<script src=\"");
		buf_html(out, site->js_url);
		buf_puts(out, "\" defer></script>\n");
	}
	/* No skip link or site header: the frame is the page's content. The h1 is
	 * plain text, as the live page's, since the stream's "page" event
	 * replaces its text. */
	buf_puts(out, "</head>\n<body class=\"page-embed\">\n"
		      "<main id=\"main\" class=\"embed\">\n<header class=\"page-head\">\n");
	render_status_html(out, page->status);
	buf_puts(out, "<h1>");
	buf_html(out, page->title);
	buf_puts(out, "</h1>\n</header>\n");

	/* One page of one: live.js follows the stream only when data-page is the
	 * last of data-pages. */
	buf_puts(out, "<section class=\"updates\" id=\"updates\" aria-labelledby=\"updates-h\" "
		      "data-slug=\"");
	buf_html(out, page->slug);
	buf_printf(out, "\" data-seq=\"%" PRId64 "\" data-page=\"1\" data-pages=\"1\">\n"
			"<h2 id=\"updates-h\" class=\"vh\">Latest updates</h2>\n",
		   page->last_seq);
	if (n == 0)
		buf_puts(out, "<p class=\"empty\">No updates yet. New posts appear here "
			      "automatically.</p>\n");
	for (size_t i = 0; i < n; i++)
		render_post_html(out, page, &posts[i]);
	buf_puts(out, "</section>\n<p class=\"embed-more\"><a href=\"");
	put_full_url(out, site, page);
	buf_puts(out, "\" target=\"_blank\" rel=\"noopener\">Read the full coverage"
		      "<span class=\"vh\"> of ");
	buf_html(out, page->title);
	buf_puts(out, "</span></a> on ");
	buf_html(out, site->name);
	buf_puts(out, "</p>\n</main>\n</body>\n</html>\n");
}

void render_embed_iframe(struct buf *out, const struct render_site *site,
			 const struct model_page *page, unsigned width, unsigned height)
{
	buf_puts(out, "<iframe src=\"");
	put_full_url(out, site, page);
	buf_puts(out, "/embed\" title=\"");
	buf_html(out, page->title);
	buf_puts(out, " (live coverage)\" ");
	buf_printf(out, "width=\"%u\" height=\"%u\" loading=\"lazy\"></iframe>", width, height);
}

void render_embed_discovery(struct buf *out, const struct render_site *site,
			    const char *canonical, const char *title)
{
	/* render.h promises a base URL; a site made without one (unit tests)
	 * gets links relative to the host rather than a crash. */
	const char *base_url = site->base_url ? site->base_url : "";
	size_t base = strlen(base_url);

	if (!canonical)
		return;
	if (base && strncmp(canonical, base_url, base) == 0)
		canonical += base;
	if (strncmp(canonical, "/live/", 6) != 0)
		return;
	/* A path of ours holds no entity to undo (slugs are [a-z0-9-]), so its
	 * escaped form is the address itself. */
	buf_puts(out, "<link rel=\"alternate\" type=\"application/json+oembed\" href=\"");
	buf_html(out, base_url);
	buf_puts(out, "/oembed?url=");
	render_embed_url_arg(out, base_url);
	render_embed_url_arg(out, canonical);
	buf_puts(out, "\" title=\"");
	buf_html(out, title);
	buf_puts(out, "\">\n");
}
