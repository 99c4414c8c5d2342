/*
 * The data types of a live page: pages, their summary, posts, bylines and the
 * blocks of a post body. Plain structs owned by whoever holds them; every string
 * is a heap copy (UTF-8, NUL-terminated) freed by the matching *_cleanup().
 *
 * Rich text ("inline Markdown"): paragraph, quotation, list-item, caption and key
 * point texts hold CommonMark inline source (see markup/markup.h): emphasis,
 * strong, code and links. Alt texts, credits, names, roles and titles are plain.
 * A link with an empty destination is an external link whose address the source
 * did not keep (an imported capture says only ", external").
 */
#ifndef LIVELINE_MODEL_H
#define LIVELINE_MODEL_H

#include <stddef.h>
#include <stdint.h>

enum model_status {
	MODEL_STATUS_UPCOMING = 0,
	MODEL_STATUS_LIVE = 1,
	MODEL_STATUS_ENDED = 2,
};

/* "upcoming", "live", "ended"; model_status_parse returns -1 for anything else. */
const char *model_status_name(enum model_status s);
int model_status_parse(const char *s);

enum model_block_kind {
	MODEL_BLOCK_PARAGRAPH = 0, /* text */
	MODEL_BLOCK_QUOTE = 1,     /* text, optional cite */
	MODEL_BLOCK_LIST = 2,      /* items */
	MODEL_BLOCK_IMAGE = 3,     /* url, alt, credit, optional caption */
	MODEL_BLOCK_EMBED = 4,     /* url, title */
};

const char *model_block_kind_name(enum model_block_kind k); /* "paragraph", ... */
int model_block_kind_parse(const char *s);                  /* or -1 */

struct model_list_item {
	char *lead; /* bold lead-in, inline Markdown, e.g. "Zooming out:"; NULL if none */
	char *text; /* inline Markdown; never NULL */
};

struct model_block {
	enum model_block_kind kind;
	char *text;    /* paragraph, quote: inline Markdown; embed: its title (plain) */
	char *cite;    /* quote: who said it (plain), or NULL */
	char *url;     /* image: source URL or stored file path; embed: URL; may be "" */
	char *alt;     /* image: alt text (plain) */
	char *credit;  /* image: credit (plain), e.g. "Reuters"; may be "" */
	char *caption; /* image: caption, inline Markdown, or NULL */
	struct model_list_item *items; /* list */
	size_t n_items;
	/* Layout fact for the plain-text form: a list is followed by a blank line.
	 * Captures are not regular here (PRODUCT.md); 1 is the newsroom default. */
	int blank_after;
};

struct model_byline {
	char *name; /* "Liza Fokht" */
	char *role; /* "BBC Russian service, reporting from Paris"; may be "" */
};

struct model_post {
	int64_t id;           /* 0 until stored */
	int64_t page_id;
	char *title;
	int64_t published_at; /* UTC seconds since the epoch */
	int64_t updated_at;   /* UTC seconds; equals published_at until edited */
	int breaking;
	int key_event;
	int pinned;           /* derived from the page's pinned_post_id when loaded */
	int64_t version;      /* 1 when published, +1 per edit: edits name the version
			       * they started from, and an older one is refused */
	char *correction;     /* public correction note (plain text) shown to
			       * readers under the post, or NULL */
	int64_t correction_at; /* UTC seconds the note was written; 0 if none */
	struct model_byline *bylines;
	size_t n_bylines;
	struct model_block *blocks;
	size_t n_blocks;
};

enum model_media_kind {
	MODEL_MEDIA_NONE = 0,
	MODEL_MEDIA_VIDEO = 1,
	MODEL_MEDIA_IMAGE = 2,
};

/* A post marked as a key event, as the page's list of them shows it: the
 * newest MODEL_KEY_EVENTS_MAX (model_limits.h) of a page
 * (store_post_key_events()). */
struct model_key_event {
	int64_t id;
	char *title;
	int64_t published_at; /* UTC seconds */
	int64_t index;        /* its oldest-first index on the page: which page holds it */
};

struct model_summary {
	char **points;      /* key points, inline Markdown, in order */
	size_t n_points;
	enum model_media_kind media_kind;
	char *media_url;    /* may be "" (an imported capture keeps no address) */
	char *media_alt;    /* plain, may be "" */
	char *media_caption; /* inline Markdown, e.g. "Watch: ..."; NULL if none */
	char *media_poster; /* a video's poster image address; NULL if none */
	char *media_credit; /* plain, e.g. "Reuters"; NULL if none */
};

struct model_page {
	int64_t id;         /* 0 until stored */
	char *slug;         /* [a-z0-9-], 1..80 bytes: see model_slug_valid() */
	char *title;
	char *description;  /* may be "" */
	char *zone;         /* IANA zone, default "Europe/London" */
	enum model_status status;
	int64_t start_at;   /* planned or actual start of coverage, UTC seconds; 0 unset */
	int64_t end_at;     /* 0 unset */
	struct model_summary summary;
	int64_t pinned_post_id; /* 0 for none */
	int64_t last_seq;   /* sequence number of the page's newest change */
	int64_t updated_at; /* UTC seconds of the newest change */
	size_t n_posts;     /* filled by the store when loading */
	int64_t newest_post_at; /* UTC seconds of the newest post's publication or
				 * edit, 0 when none: filled by the store when
				 * loading (what "Last updated" shows: an import
				 * happens long after its posts) */
	int published;      /* 1: readers see it; 0: only the newsroom (an embargo),
			     * apart from the coverage status */
};

#define MODEL_DEFAULT_ZONE "Europe/London"
#define MODEL_POSTS_PER_PAGE 20

void model_page_cleanup(struct model_page *p);
void model_post_cleanup(struct model_post *p);
void model_block_cleanup(struct model_block *b);
void model_summary_cleanup(struct model_summary *s);
void model_posts_free(struct model_post *posts, size_t n); /* cleans each, frees array */
void model_pages_free(struct model_page *pages, size_t n); /* likewise */
void model_key_events_free(struct model_key_event *k, size_t n); /* likewise */

/* The times a post, a schedule or a planned start may carry: from
 * MODEL_TIME_MIN (2000-01-01T00:00:00Z) to MODEL_TIME_AHEAD seconds after now.
 * Nothing on a live page is older, and a time further ahead is a mistake
 * (a year-9999 post would stay on top for good). Every input of a time (the
 * API and forms, `post --time`, `import --year`) asks model_time_sane(), and
 * says MODEL_TIME_RANGE_TEXT when it refuses one. */
#define MODEL_TIME_MIN        ((int64_t)946684800)
#define MODEL_TIME_AHEAD      ((int64_t)366 * 24 * 3600)
#define MODEL_TIME_RANGE_TEXT "from 2000-01-01 to a year from now"
/* 1 if `t` (UTC seconds) is within the range above, `now` being the time now. */
int model_time_sane(int64_t t, int64_t now);

/* 1 if `slug` is 1..80 bytes of [a-z0-9-], not starting or ending with '-'. */
int model_slug_valid(const char *slug);

/* Deep copies; return 0 or -1 on out of memory (dst is then cleaned up). */
int model_post_copy(struct model_post *dst, const struct model_post *src)
	__attribute__((warn_unused_result));

/* strdup that treats NULL as NULL and aborts on out of memory (the model's
 * constructors are not worth unwinding for an allocation failure). */
char *model_strdup(const char *s);

#endif
