/*
 * Uploaded images. An upload is recognised by its content (JPEG, PNG or WebP
 * signatures; the name and the declared type are not trusted), bounded in
 * bytes and pixels before it is decoded, then decoded and re-encoded with
 * libvips in its own format with all metadata stripped (EXIF, GPS positions,
 * XMP, IPTC, comments), into a few widths for srcset. Files are named by
 * content: NAME-WIDTH.EXT, where NAME is the first 32 hex digits of the SHA-256
 * of the upload, so the same photo uploaded twice is stored once and a URL
 * never changes meaning (served with immutable caching).
 *
 * Widths: MEDIA_WIDTHS up to the image's own width; the largest copy is the
 * image's width capped at the last ladder step. An image block's URL names the
 * largest copy (/media/NAME-W.EXT); the other widths follow from W
 * (media_srcset_widths), so the model needs no extra field.
 */
#ifndef LIVELINE_MEDIA_H
#define LIVELINE_MEDIA_H

#include <stddef.h>

#include "model/model_limits.h" /* MODEL_UPLOAD_*: bytes, pixels, scans, budget */

#define MEDIA_WIDTHS     { 480, 960, 1600 }
#define MEDIA_N_WIDTHS   3
#define MEDIA_URL_PREFIX "/media/"
/* The largest file media_file_read() reads. A copy is at most 1600 pixels
 * wide but may be 20000 high, and a PNG of noise that size is some 80 MB: no
 * copy media_ingest() makes comes near this. */
#define MEDIA_FILE_MAX   ((size_t)128 * 1024 * 1024)

enum media_error {
	MEDIA_OK = 0,
	MEDIA_EFORMAT = -1, /* not a JPEG, PNG or WebP by its content */
	MEDIA_ETOOBIG = -2, /* bytes, pixels or sides over the limits */
	MEDIA_EDECODE = -3, /* claims a format but does not decode */
	MEDIA_EIO = -4,     /* could not write the files */
	MEDIA_ECOSTLY = -5, /* within the size limits, but too costly to decode:
			     * decoded bytes, a JPEG's scans, or the time budget */
};

struct media_image {
	char name[33];      /* 32 hex digits */
	const char *format; /* "jpeg", "png", "webp" (static) */
	const char *ext;    /* "jpg", "png", "webp" (static) */
	int width, height;  /* of the largest copy */
	int widths[MEDIA_N_WIDTHS]; /* stored widths, ascending */
	int n_widths;
	char url[80];       /* "/media/NAME-W.EXT", the largest copy */
};

/* Starts libvips (and libsodium) for this process: call it in each worker
 * after fork(), never in a process that forks workers afterwards (libvips
 * starts threads, which a child would not inherit). A second call does nothing.
 * It turns off libvips' operation cache, runs its pipelines on one thread, and
 * blocks every libvips loader but the JPEG, PNG and WebP buffer loaders for the
 * whole process. Returns 0 or -1. */
int media_init(const char *argv0);

/* Checks, decodes and re-encodes `len` bytes of `data` into `dir` (created with
 * its parents, 0755, if missing); `out` is required. The limits of
 * model_limits.h are checked before any pixel is decoded (bytes, sides, pixels,
 * decoded bytes, a JPEG's scans), and the decode and re-encode together are
 * stopped after MODEL_UPLOAD_BUDGET_MS (MEDIA_ETOOBIG: a quick, clear refusal
 * for a file made to be slow: MEDIA_ECOSTLY). The upload is decoded in
 * full before any file is written, and any decoder error, truncation included,
 * is MEDIA_EDECODE. The copies are upright (EXIF orientation applied) and sRGB
 * or grey, in the upload's format, 0644. Each file is written to a temporary
 * name in `dir`, flushed, and linked into place; a copy already there is kept
 * (same name, same content). On any error every file this call created is
 * removed, so a failed upload leaves nothing behind. Returns MEDIA_OK and fills
 * `out`, or a media_error with a sentence for people in err (and `out`
 * zeroed). Needs media_init(). */
int media_ingest(const char *dir, const void *data, size_t len, struct media_image *out,
		 char *err, size_t errlen);

/* Sets the time budget of media_ingest() in milliseconds for this process;
 * 0 restores MODEL_UPLOAD_BUDGET_MS. For tests, which need a file to run out
 * of it without taking seconds. */
void media_set_budget(int ms);

/* 1 if `file` is a name media_ingest() makes ("NAME-W.EXT"): the only names the
 * media route will open, so a request can never leave the media folder. */
int media_file_valid(const char *file);
/* "image/jpeg", "image/png" or "image/webp" for a valid file name, else NULL. */
const char *media_content_type(const char *file);

/* For a URL naming a stored copy ("/media/NAME-W.EXT", optionally with
 * "http://" or "https://" and a host before it, and nothing after), the widths
 * stored with it, ascending, into out: the MEDIA_WIDTHS steps below W, then W.
 * Returns how many (0 when the URL is not one of ours, W wider than the last
 * step included). */
int media_srcset_widths(const char *url, int out[MEDIA_N_WIDTHS]);
/* The URL of the copy of width `w` for such a URL (same scheme and host), into
 * out. 0, or -1 if the URL is not one of ours, w is not one of its widths, or
 * out is too small. */
int media_url_for_width(const char *url, int w, char *out, size_t outlen);

/* Writes `len` bytes as dir/file (a name media_file_valid() accepts), making
 * `dir` and its parents (0755) when missing: to a temporary name in `dir`,
 * flushed, then linked into place, so that no reader ever sees part of a file
 * and two processes writing the same file at once both succeed (the first
 * one's stays: a name means one content). For the media route, which fills a
 * node's cache from the store. 0, or -1 with errno. */
int media_file_write(const char *dir, const char *file, const void *data, size_t len);
/* Reads all of dir/file (at most MEDIA_FILE_MAX) into *data
 * (malloc'd, the caller frees) and *len. 0, or -1 with errno (ENOENT: not
 * there; EFBIG: larger than the limit). */
int media_file_read(const char *dir, const char *file, void **data, size_t *len);
/* The file extension of a format media_ingest() names ("jpeg": "jpg"), or
 * NULL for another. */
const char *media_format_ext(const char *format);
/* The file name ("NAME-W.EXT") of the copy of width img->widths[i], into out.
 * 0, or -1 if i is out of range or out is too small. */
int media_file_name(const struct media_image *img, int i, char *out, size_t len);

/* The media folder when no --media or $LIVELINE_MEDIA names one. For a
 * database in a file (`shared` 0): "DB-media" beside it, where uploads have
 * always been. For a database several nodes share (PostgreSQL, `shared` 1),
 * where the folder is only this node's cache of the store's files and nothing
 * is beside the database: "$XDG_CACHE_HOME/liveline/media" when
 * XDG_CACHE_HOME is an absolute path, else "/var/tmp/liveline-USER/media"
 * (USER: the effective user's name, or its number when it has none; /var/tmp
 * rather than /tmp so that a reboot does not empty it). 0, or -1 if db_path
 * is empty or out is too small. */
int media_default_dir(const char *db_path, int shared, char *out, size_t len);
/* Makes the cache folder `dir` chosen by media_default_dir() for a shared
 * database, and the folder above it, with mode 0700 when missing, and checks
 * that both are folders (not links) of the effective user that nobody else
 * may write: under /var/tmp anyone may have made them first, and a folder of
 * someone else's would let them choose the images this node serves. 0, or -1
 * with a sentence for people in err. */
int media_cache_ready(const char *dir, char *err, size_t errlen);

#endif
