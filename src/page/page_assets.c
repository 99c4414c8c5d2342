/*
 * Static files built into the binary: see page_assets.h. The bytes come from
 * web/ through the assembler's .incbin, so there is no generated source and no
 * run-time path to get wrong.
 */
#include "page/page_assets.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define PAGE_ASSET_INCBIN(sym, file)                                  \
	__asm__(".section .rodata\n"                                  \
		".global " #sym "_start\n"                            \
		".global " #sym "_end\n"                              \
		".balign 16\n" #sym "_start:\n"                       \
		".incbin \"" file "\"\n" #sym "_end:\n"               \
		".byte 0\n"                                           \
		".previous\n");                                       \
	extern const char sym##_start[];                              \
	extern const char sym##_end[]

PAGE_ASSET_INCBIN(asset_style_css, "web/style.css");
PAGE_ASSET_INCBIN(asset_live_js, "web/live.js");
PAGE_ASSET_INCBIN(asset_newsroom_css, "web/newsroom.css");
PAGE_ASSET_INCBIN(asset_newsroom_js, "web/newsroom.js");
/* The icons of render_meta.c: ours, drawn in web/icon.svg; the PNGs were made
 * from it with `vips thumbnail` (180: square corners, as iOS rounds them). */
PAGE_ASSET_INCBIN(asset_icon_svg, "web/icon.svg");
PAGE_ASSET_INCBIN(asset_icon_32_png, "web/icon-32.png");
PAGE_ASSET_INCBIN(asset_icon_180_png, "web/icon-180.png");

static struct page_asset assets[] = {
	{ "style.css", "text/css; charset=utf-8", NULL, 0, "" },
	{ "live.js", "text/javascript; charset=utf-8", NULL, 0, "" },
	{ "newsroom.css", "text/css; charset=utf-8", NULL, 0, "" },
	{ "newsroom.js", "text/javascript; charset=utf-8", NULL, 0, "" },
	{ "icon.svg", "image/svg+xml", NULL, 0, "" },
	{ "icon-32.png", "image/png", NULL, 0, "" },
	{ "icon-180.png", "image/png", NULL, 0, "" },
};

/* The bytes of each entry of assets[], in the same order. */
static const struct {
	const char *start, *end;
} asset_bytes[] = {
	{ asset_style_css_start, asset_style_css_end },
	{ asset_live_js_start, asset_live_js_end },
	{ asset_newsroom_css_start, asset_newsroom_css_end },
	{ asset_newsroom_js_start, asset_newsroom_js_end },
	{ asset_icon_svg_start, asset_icon_svg_end },
	{ asset_icon_32_png_start, asset_icon_32_png_end },
	{ asset_icon_180_png_start, asset_icon_180_png_end },
};

_Static_assert(sizeof(assets) / sizeof(assets[0]) ==
		       sizeof(asset_bytes) / sizeof(asset_bytes[0]),
	       "every asset needs its bytes");

void page_assets_init(void)
{
	struct page_asset *a;
	const char *dot;

	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
		a = &assets[i];
		a->data = asset_bytes[i].start;
		a->len = (size_t)(asset_bytes[i].end - asset_bytes[i].start);
		dot = strrchr(a->name, '.');
		snprintf(a->url, sizeof(a->url), "/static/%.*s.%08lx%s",
			 (int)(dot - a->name), a->name,
			 crc32_z(0, (const Bytef *)a->data, a->len), dot);
	}
}

const struct page_asset *page_asset_by_url(const char *url)
{
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (strcmp(assets[i].url, url) == 0)
			return &assets[i];
	return NULL;
}

const struct page_asset *page_asset_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (strcmp(assets[i].name, name) == 0)
			return &assets[i];
	return NULL;
}
