/*
 * Every size and work limit on what the newsroom, the API, the command line
 * and the importer may write, in one place: validation (newsroom/), the
 * newsroom forms' maxlength attributes (render/render_newsroom.c), the
 * commands (cli/), the importer (text/), the store's checks of slugs and logins
 * (store/), uploads (media/) and the reader's render buffer (http/) all take
 * them from here, so the limits on writing and the limit on rendering cannot
 * drift apart (tests/unit/model/test_model_limits.c renders every newsroom form
 * and compares each maxlength with its limit here).
 *
 * The rule they keep: any page the store holds renders within
 * MODEL_PAGE_HTML_MAX. Lengths are in bytes of UTF-8. A form's maxlength
 * counts UTF-16 units, never more than the bytes, so on ASCII the form and the
 * server agree and on other text the form may let through a little more than
 * the server takes: the server's byte count is the rule, with a clear 422.
 */
#ifndef LIVELINE_MODEL_LIMITS_H
#define LIVELINE_MODEL_LIMITS_H

#include "model/model.h" /* MODEL_POSTS_PER_PAGE */

/* ---- text a journalist writes ----
 * Plain numbers, so that MODEL_STR() can write them into HTML attributes. */
#define MODEL_STR(n)  MODEL_STR_(n)
#define MODEL_STR_(n) #n

#define MODEL_TITLE_MAX	  300  /* a page's or a post's title */
#define MODEL_DESC_MAX	  2000 /* a page's description */
#define MODEL_NOTE_MAX	  1000 /* a correction note, alt text, a caption */
#define MODEL_NAME_MAX	  200  /* a byline's name or role, an image's credit */
#define MODEL_BYLINES_MAX 10   /* bylines on one post */
#define MODEL_URL_MAX	  2048 /* the featured media's address */
#define MODEL_SLUG_MAX	  80   /* a page's slug: a-z, 0-9 and '-' (model_slug_valid) */
#define MODEL_LOGIN_MAX	  64   /* a user's login: a-z, 0-9, '.', '_', '-' */
#define MODEL_LABEL_MAX	  200  /* an API token's label */

/* A post body, in Markdown (what the composer holds, what `post` reads, and
 * what markup_body_to_markdown() gives back for an imported post). The
 * longest post of the reference capture is 1.5 KB of text and a long live post
 * a few KB, so 8 KiB is room for the longest real update. It also bounds the
 * work: cmark's parse time grows with the square of some inputs. Measured on
 * this machine (libcmark 0.30.2, Debian 12; best of 3), markup_body_parse()
 * (the publish) and render_post_html() (what every page render repeats for
 * each post) on the worst inputs found, repeated to the size:
 *
 *   input       4 KiB parse/render   8 KiB parse/render   16 KiB      32 KiB
 *   "![[]()"      1.6 / 0.23 ms       5.7 / 0.74 ms    23 / 1.5    90 / 7.4
 *   "*a"          2.4 / 0.71 ms       8.8 / 1.4 ms     28 / 2.8    88 / 11
 *   "[a]("        2.0 / 0.42 ms       8.0 / 0.84 ms    15 / 1.6    55 / 15
 *   "[]("         1.9 / 0.40 ms      12   / 0.82 ms    20 / 2.0    52 / 15
 *   "a*b_"        3.2 / 0.57 ms       7.0 / 1.6 ms     25 / 2.3    82 / 9.9
 *   "<"           1.5 / 0.49 ms       7.1 / 0.94 ms    10 / 1.9    19 / 4.0
 *   "[", "_a", "**_", "[![", "![](<", "&amp;", "`": at most these.
 *
 * (1 MiB of "![[]()" took 81 s.) At 8 KiB no body costs a page render more
 * than about 1.6 ms, and the rendered size (below) is the complexity bound:
 * what expands most ("![[]()", empty links) is refused by its HTML size. */
#define MODEL_BODY_MAX 8192 /* 8 KiB; a plain number, for the forms' maxlength */
/* The post as stored: its rich text in cmark's own spelling, in which a
 * reference link is written out at each use ("[b]" 300 times after one long
 * "[b]: URL" is 300 copies of the URL) and literal markup characters are
 * escaped (up to twice the bytes). What a page render costs grows with this,
 * not with the Markdown: 4 KiB of references stored as 106 KB took 17 ms to
 * render. At 24 KiB, three times the Markdown, the worst stored text renders
 * in 2 to 4 ms. Checked with the HTML size (render/render_limits.h). */
#define MODEL_POST_TEXT_MAX (3 * MODEL_BODY_MAX)
/* The one kind of input found whose render cost the sizes above do not bound:
 * quotation marks. cmark keeps each '"' or '\'' as a delimiter of its own, and
 * some arrangements make it look back over all of them for each: 8 KB of
 * '"&' took 12 ms to parse (64 KB: 141 ms; 3.2 MB: 12.8 s), 8 KB of '"'
 * 8 ms, where 1,000 marks in any arrangement found, in 24 KB of text, take
 * under 0.8 ms. Real text has a few per hundred bytes (apostrophes included),
 * so a post or a summary may hold 1,000 in its rich text. */
#define MODEL_QUOTES_MAX 1000
#define MODEL_BLOCKS_MAX 500 /* blocks of one body */
#define MODEL_ITEMS_MAX	 500 /* items of one list */

/* The summary's key points: at most MODEL_POINTS_MAX points of at most
 * MODEL_POINT_MAX bytes, and MODEL_SUMMARY_MAX bytes of Markdown in all (the
 * form's list, or the points of the API's list counted together). */
#define MODEL_SUMMARY_MAX 8192 /* 8 KiB */
#define MODEL_SUMMARY_TEXT_MAX (3 * MODEL_SUMMARY_MAX) /* as stored: see above */
#define MODEL_POINTS_MAX  100
#define MODEL_POINT_MAX	  1000

/* ---- how many posts a view shows ----
 * A reader's page shows MODEL_POSTS_PER_PAGE (model.h: pagination counts from
 * the oldest, and the live page holds the newest full page with the remainder:
 * 20 to 39 posts once there are 20, render_page_range()); the feeds and the newsroom's desk
 * show the newest 50 (store_post_newest()). */
#define MODEL_FEED_POSTS 50
#define MODEL_DESK_POSTS 50
/* Every page of a live page lists the newest 20 of its key events (a list a
 * reader takes in at a glance; older ones are on the pages that hold them). */
#define MODEL_KEY_EVENTS_MAX 20

/* ---- what a reader's page may cost ----
 *
 * A post is refused when written if its HTML as a page shows it
 * (render_post_html) is over MODEL_POST_HTML_MAX (render/render_limits.h), and
 * a summary if its HTML (render_summary_html) is over MODEL_SUMMARY_HTML_MAX: a real post's HTML is
 * 1 to 3 times its Markdown (an image with its srcset about 10 times its
 * line), while "![[]()" is 10 times and an empty link 14 times. The newest page
 * of a live page shows up to 39 posts (2 x 20 - 1), the pinned one again, the summary,
 * and the chrome: the title (MODEL_TITLE_MAX) and description (MODEL_DESC_MAX)
 * escaped (at most 6 bytes per byte) in the <title>, the heading and the meta
 * tags, the list of key events (MODEL_KEY_EVENTS_MAX titles escaped, each with
 * its link and time: under 48 KiB), the pager and the document: well under
 * 256 KiB. A post is measured
 * with the correction note it has; an edit may give it a new one (at most
 * MODEL_NOTE_MAX bytes, 6 bytes each escaped, with its paragraph and time:
 * under 8 KiB) after the measure. What the page tells machines in its head
 * (render/render_meta.h) is bounded on its own: the JSON-LD at
 * MODEL_LD_HTML_MAX (updates past it are left out, oldest first) and the meta
 * tags (a description cut to 160 characters, the title, an image's address and
 * alt text, each escaped) under 64 KiB. So
 *
 *   page = (39 + 1) x (64 KiB + 8 KiB) + 64 KiB + 256 KiB + 320 KiB = 3,520 KiB
 *
 * and a page over that cannot come from a store written through these limits.
 * A permalink (one post) and an older page (20 posts, no summary) are smaller.
 * The newsroom desk (MODEL_DESK_POSTS posts, 3.6 MB) and the feeds
 * (MODEL_FEED_POSTS posts, even if every byte were escaped 6 times: 21.6 MB)
 * stay within their own buffers (8 MiB and 32 MiB in http/). */
#define MODEL_POST_HTML_MAX    (64 * 1024)
#define MODEL_NOTE_HTML_MAX    (8 * 1024)
#define MODEL_SUMMARY_HTML_MAX (64 * 1024)
#define MODEL_CHROME_HTML_MAX  (256 * 1024)
#define MODEL_LD_HTML_MAX      (256 * 1024)
#define MODEL_META_HTML_MAX    (MODEL_LD_HTML_MAX + 64 * 1024)
#define MODEL_PAGE_HTML_MAX                                                          \
	(2 * MODEL_POSTS_PER_PAGE * (MODEL_POST_HTML_MAX + MODEL_NOTE_HTML_MAX) + \
	 MODEL_SUMMARY_HTML_MAX + MODEL_CHROME_HTML_MAX + MODEL_META_HTML_MAX)

/* ---- the importer ----
 * A captured page in the plain-text form. The reference capture is 30 KB; 16 MiB
 * holds about 2,000 posts of the longest size, and keeps the importer's memory
 * (about 6 times its input) near 100 MB. */
#define MODEL_CAPTURE_MAX ((size_t)16 * 1024 * 1024)

/* ---- uploads (media/) ----
 * Checked in this order, each before anything costlier: the bytes; the header
 * (sides, pixels, decoded bytes; for JPEG the number of scans, counted while
 * walking the markers); then the decode and re-encode run under a time budget.
 * Decoding time grows with the decoded bytes (a 16-bit RGBA PNG of 7000x7000,
 * 392 MB decoded, took 3.2 s) and, for a progressive JPEG, with its scans (one
 * of 7000x7000 pixels with 2,080 scans took 34 s); libjpeg makes 10 scans for a
 * progressive colour image and other encoders a few more, so 100 is far beyond
 * any real photo. */
#define MODEL_UPLOAD_MAX_BYTES	 ((size_t)15 * 1024 * 1024)
#define MODEL_UPLOAD_MAX_PIXELS	 ((long long)50 * 1000 * 1000)
#define MODEL_UPLOAD_MAX_SIDE	 20000 /* pixels, either side */
#define MODEL_UPLOAD_MAX_DECODED ((long long)150 * 1000 * 1000) /* 50 Mpx of 8-bit RGB */
#define MODEL_UPLOAD_MAX_SCANS	 100
/* Wall-clock milliseconds that one upload's decode and re-encode may take
 * before it is stopped (vips_image_set_kill), whatever the file: a 45-megapixel
 * camera JPEG (8256x5504, 8.4 MB) took 2.2 to 2.8 s on a busy 2-core machine
 * and a 16-bit RGBA PNG of 4000x4000 (128 MB decoded) 4 s. The stop comes
 * between two strips of the decode; a JPEG's scans are all read in one libjpeg
 * call, which is why their number is limited before. */
#define MODEL_UPLOAD_BUDGET_MS 5000

#endif
