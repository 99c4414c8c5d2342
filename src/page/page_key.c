/*
 * The page cache's keys: see page_key.h.
 */
#include "page/page_key.h"

#include <stdio.h>
#include <string.h>

/* "PREFIX:SLUG:N" into `out`, digit by digit. */
static void page_key_numbered(char *out, const char *prefix, const char *slug, uint64_t n)
{
	char digits[24];
	size_t len = 0, k = 0;

	for (; *prefix; prefix++)
		out[len++] = *prefix;
	out[len++] = ':';
	for (; *slug; slug++)
		out[len++] = *slug;
	out[len++] = ':';
	do
		digits[k++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	while (k)
		out[len++] = digits[--k];
	out[len] = '\0';
}

void page_key_page(char *out, const char *slug, uint64_t n)
{
	page_key_numbered(out, "page", slug, n);
}

void page_key_post(char *out, const char *slug, int64_t post_id)
{
	page_key_numbered(out, "post", slug, (uint64_t)post_id);
}

void page_key_text(char *out, const char *slug)
{
	snprintf(out, PAGE_KEY_MAX, "text:%s", slug);
}

void page_key_changes(char *out, const char *slug, int64_t since, int reload)
{
	if (reload)
		snprintf(out, PAGE_KEY_MAX, "changes:%s:reload", slug);
	else
		snprintf(out, PAGE_KEY_MAX, "changes:%s:%lld", slug, (long long)since);
}

void page_key_feed(char *out, const char *kind, const char *slug)
{
	snprintf(out, PAGE_KEY_MAX, "feed:%s:%s", kind, slug);
}

void page_key_sitemap_news(char *out, int64_t now)
{
	snprintf(out, PAGE_KEY_MAX, "sitemap-news:%lld", (long long)(now / 3600));
}

void page_key_embed(char *out, const char *slug)
{
	snprintf(out, PAGE_KEY_MAX, "embed:%s", slug);
}

int page_key_is_embed(const char *key)
{
	return key && strncmp(key, "embed:", 6) == 0;
}

int page_key_embed_slug(const char *key, char *slug, size_t cap)
{
	size_t len;

	if (!page_key_is_embed(key))
		return 0;
	key += 6;
	len = strlen(key);
	if (len == 0 || len >= cap || strchr(key, ':'))
		return 0;
	memcpy(slug, key, len + 1);
	return 1;
}

int page_key_live_slug(const char *key, char *slug, size_t cap)
{
	size_t len;

	if (strncmp(key, "page:", 5) != 0)
		return 0;
	key += 5;
	len = strcspn(key, ":");
	if (len == 0 || len >= cap || strcmp(key + len, ":0") != 0)
		return 0;
	memcpy(slug, key, len);
	slug[len] = '\0';
	return 1;
}
