/*
 * Uploaded images with libvips: see media.h. An upload goes through five gates
 * in order, each cheaper than the next: its byte count, its first bytes (the
 * format; for a JPEG, its scans counted by walking the markers), its header
 * (sides, pixel count and decoded bytes, read without decoding a pixel), then a
 * full decode that fails on any error, so a truncated or damaged file is
 * refused rather than stored half grey, and that is stopped when it runs past
 * its time budget. Only then are files written, each to a temporary name,
 * flushed, and linked into place.
 */
#include "media/media.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <vips/vips.h>

#include "util/log.h"

static const int media_ladder[MEDIA_N_WIDTHS] = MEDIA_WIDTHS;
#define MEDIA_MAX_WIDTH (media_ladder[MEDIA_N_WIDTHS - 1])

struct media_format {
	const char *name, *ext, *type;
	const char *loader; /* the class vips_foreign_find_load_buffer() must name */
};

enum { MEDIA_JPEG, MEDIA_PNG, MEDIA_WEBP, MEDIA_N_FORMATS };

static const struct media_format media_formats[MEDIA_N_FORMATS] = {
	[MEDIA_JPEG] = { "jpeg", "jpg", "image/jpeg", "VipsForeignLoadJpegBuffer" },
	[MEDIA_PNG] = { "png", "png", "image/png", "VipsForeignLoadPngBuffer" },
	[MEDIA_WEBP] = { "webp", "webp", "image/webp", "VipsForeignLoadWebpBuffer" },
};

/* libvips' warnings (a damaged tile, a bad ICC profile) would otherwise go
 * straight to standard error; the upload's own error already tells the person,
 * so they are kept for debugging. */
static void media_vips_log(const gchar *domain, GLogLevelFlags level, const gchar *message,
			   gpointer data)
{
	(void)level;
	(void)data;
	log_debug("%s: %s", domain ? domain : "glib", message);
}

int media_init(const char *argv0)
{
	static int done;

	if (done)
		return 0;
	if (sodium_init() < 0)
		return -1;
	if (VIPS_INIT(argv0 ? argv0 : "liveline") != 0) {
		log_warnx("media: libvips: %s", vips_error_buffer());
		vips_error_clear();
		return -1;
	}
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, media_vips_log, NULL);
	/* A worker handles one request at a time, and an upload is decoded once:
	 * a cache would only hold memory (and open operations) between uploads. */
	vips_cache_set_max(0);
	vips_cache_set_max_mem(0);
	vips_cache_set_max_files(0);
	vips_concurrency_set(1);
	/* Only the three buffer loaders may run on untrusted bytes: no SVG, PDF,
	 * ImageMagick or other loader whatever the bytes claim to be. */
	vips_block_untrusted_set(TRUE);
	vips_operation_block_set("VipsForeignLoad", TRUE);
	for (int i = 0; i < MEDIA_N_FORMATS; i++)
		vips_operation_block_set(media_formats[i].loader, FALSE);
	done = 1;
	return 0;
}

/* The format by the first bytes only, or NULL. */
static const struct media_format *media_sniff(const unsigned char *p, size_t len)
{
	static const unsigned char png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return &media_formats[MEDIA_JPEG];
	if (len >= 8 && memcmp(p, png, 8) == 0)
		return &media_formats[MEDIA_PNG];
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return &media_formats[MEDIA_WEBP];
	return NULL;
}

/* 1 unless a PNG chunk declares more bytes than the file has left. libpng
 * allocates and clears a chunk's declared length before reading it: a 119-byte
 * PNG whose second chunk claims 1.7 GB held a worker for 45 s and 1.6 GB
 * inside libvips' header read (tests/fuzz/corpus/media/png-chunk-overrun.png).
 * Whether the rest is a PNG is left to the decoder. */
static int media_png_chunks_fit(const unsigned char *p, size_t len)
{
	size_t i = 8;

	while (len - i >= 8) {
		uint32_t n = (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
			     (uint32_t)p[i + 2] << 8 | (uint32_t)p[i + 3];

		if (n > len - i - 8 || len - i - 8 - n < 4) /* data, then its CRC */
			return 0;
		if (memcmp(p + i + 4, "IEND", 4) == 0)
			return 1;
		i += 12 + (size_t)n;
	}
	return 1;
}

/* The number of scans (SOS segments) of a JPEG, found by walking its markers:
 * a segment's length skips it, and a scan's entropy-coded data runs to the next
 * marker that is neither a stuffed 0xFF00 nor a restart (RSTn) nor fill bytes.
 * Counted here rather than with libjpeg's progress monitor because libvips owns
 * its libjpeg decompressor (we cannot install a monitor on it), and because
 * this refuses the file before libvips sees it: libjpeg reads every scan of a
 * progressive image in jpeg_start_decompress(), in one call that no budget
 * can interrupt. libjpeg-turbo's own djpeg has -maxscan for the same reason.
 * Linear in the bytes, and it stops counting at `stop`. A file that ends
 * early just ends the walk: the decoder judges damage. */
static long media_jpeg_scans(const unsigned char *p, size_t len, long stop)
{
	size_t i = 2; /* after SOI */
	long scans = 0;

	while (i + 4 <= len && scans < stop) {
		unsigned char m;
		size_t seg;

		if (p[i] != 0xff) {
			i++; /* not at a marker: resynchronise as decoders do */
			continue;
		}
		m = p[i + 1];
		if (m == 0xff) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0xd9) /* EOI */
			break;
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) { /* TEM, RSTn: no length */
			i += 2;
			continue;
		}
		seg = (size_t)p[i + 2] << 8 | p[i + 3];
		if (seg < 2)
			break;
		i += 2 + seg;
		if (m != 0xda) /* SOS */
			continue;
		scans++;
		/* The scan's data: up to the next real marker. */
		while (i + 1 < len && !(p[i] == 0xff && p[i + 1] != 0x00 &&
					!(p[i + 1] >= 0xd0 && p[i + 1] <= 0xd7)))
			i++;
	}
	return scans;
}

/* Reads the header only (the loaders are lazy): no pixel is decoded until the
 * image is computed, and then any error, truncation included, fails it. The
 * bytes are borrowed, not copied, so they must outlive the image. */
static int media_load(const struct media_format *f, const void *data, size_t len,
		      VipsImage **out)
{
	void *p = (void *)data;

	if (f == &media_formats[MEDIA_JPEG])
		return vips_jpegload_buffer(p, len, out, "access", VIPS_ACCESS_SEQUENTIAL,
					    "fail_on", VIPS_FAIL_ON_ERROR, NULL);
	if (f == &media_formats[MEDIA_PNG])
		return vips_pngload_buffer(p, len, out, "access", VIPS_ACCESS_SEQUENTIAL,
					   "fail_on", VIPS_FAIL_ON_ERROR, NULL);
	return vips_webpload_buffer(p, len, out, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
				    VIPS_FAIL_ON_ERROR, NULL);
}

static uint32_t media_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Removes the EXIF, XMP and ICC chunks from a WebP file in place and clears
 * their flags in the VP8X header; returns the new length, or 0 if the file is
 * not well formed. libvips 8.14.1 (Debian 12) ignores webpsave's `strip` (its
 * own field shadows the parent's; fixed in 8.14.2) and writes an EXIF block it
 * builds from the image, so the saver cannot be trusted with this. */
static size_t media_webp_strip(unsigned char *p, size_t len)
{
	unsigned char *vp8x = NULL;
	size_t in = 12, out = 12;

	if (len < 12 || memcmp(p, "RIFF", 4) != 0 || memcmp(p + 8, "WEBP", 4) != 0 ||
	    media_le32(p + 4) != len - 8)
		return 0;
	while (in < len) {
		uint32_t size;
		size_t total;

		if (len - in < 8)
			return 0;
		size = media_le32(p + in + 4);
		total = 8 + (size_t)size + (size & 1);
		if (total > len - in)
			return 0;
		if (memcmp(p + in, "EXIF", 4) != 0 && memcmp(p + in, "XMP ", 4) != 0 &&
		    memcmp(p + in, "ICCP", 4) != 0) {
			memmove(p + out, p + in, total);
			if (memcmp(p + out, "VP8X", 4) == 0 && size >= 10)
				vp8x = p + out;
			out += total;
		}
		in += total;
	}
	if (vp8x)
		vp8x[8] &= (unsigned char)~(0x20 | 0x08 | 0x04); /* ICC, EXIF, XMP */
	p[4] = (unsigned char)(out - 8);
	p[5] = (unsigned char)((out - 8) >> 8);
	p[6] = (unsigned char)((out - 8) >> 16);
	p[7] = (unsigned char)((out - 8) >> 24);
	return out;
}

/* Encodes without metadata; the caller g_free()s *buf. */
static int media_save(const struct media_format *f, VipsImage *im, void **buf, size_t *len)
{
	if (f == &media_formats[MEDIA_JPEG])
		return vips_jpegsave_buffer(im, buf, len, "Q", 82, "strip", TRUE,
					    "optimize_coding", TRUE, "interlace", TRUE, NULL);
	if (f == &media_formats[MEDIA_PNG])
		return vips_pngsave_buffer(im, buf, len, "strip", TRUE, "compression", 6, NULL);
	if (vips_webpsave_buffer(im, buf, len, "Q", 80, "strip", TRUE, NULL) != 0)
		return -1;
	*len = media_webp_strip(*buf, *len);
	if (*len == 0) {
		vips_error("media", "webpsave wrote a malformed file");
		return -1;
	}
	return 0;
}

/* Removes every metadata item (EXIF, XMP, IPTC, ICC, comments, orientation)
 * from an image this file owns, so nothing can reach a saver even if `strip`
 * missed a kind. The header fields (sizes, format) are not metadata and stay. */
static void media_remove_metadata(VipsImage *im)
{
	gchar **fields = vips_image_get_fields(im);

	for (int i = 0; fields[i]; i++)
		(void)vips_image_remove(im, fields[i]);
	g_strfreev(fields);
}

static int media_budget_ms = MODEL_UPLOAD_BUDGET_MS;

void media_set_budget(int ms)
{
	media_budget_ms = ms > 0 ? ms : MODEL_UPLOAD_BUDGET_MS;
}

/* The time one upload's decode and re-encode may take, and whether it ran
 * out. The limits on the header bound the work of any file within them, but
 * not every kind of work is visible in a header (a PNG's filters, a WebP's
 * partitions, libvips' own steps): this is what makes the bound hold whatever
 * the file. */
struct media_budget {
	gint64 deadline; /* g_get_monotonic_time() microseconds */
	int expired;
};

static void media_budget_start(struct media_budget *b)
{
	b->deadline = g_get_monotonic_time() + (gint64)media_budget_ms * 1000;
	b->expired = 0;
}

/* libvips emits "eval" on an image whose progress is on as each piece of it is
 * computed (here: each strip, on the worker's thread, since libvips runs one).
 * Killing the image makes the computation fail at its next piece. */
static void media_budget_eval(VipsImage *im, VipsProgress *progress, void *arg)
{
	struct media_budget *b = arg;

	(void)progress;
	if (!b->expired && g_get_monotonic_time() > b->deadline) {
		b->expired = 1;
		vips_image_set_kill(im, TRUE);
	}
}

/* Watches the computation of `im` (the image that is then computed). */
static void media_budget_watch(struct media_budget *b, VipsImage *im)
{
	vips_image_set_progress(im, TRUE);
	g_signal_connect(im, "eval", G_CALLBACK(media_budget_eval), b);
}

/* The decoded, upright, sRGB (or grey) copy of at most MEDIA_MAX_WIDTH pixels
 * across, in memory, with no metadata; NULL if the upload does not decode.
 * vips_thumbnail_image() rotates by the EXIF orientation (after shrinking, so
 * the target width is the upright one) and converts to sRGB or B_W; an embedded
 * profile (Display P3, Adobe RGB) is applied here so the colours survive its
 * removal. */
static VipsImage *media_decode(VipsImage *in, struct media_budget *budget)
{
	VipsImage *thumb = NULL, *srgb = NULL, *mem = NULL;
	VipsImage *last;

	if (vips_thumbnail_image(in, &thumb, MEDIA_MAX_WIDTH, "height", VIPS_MAX_COORD, "size",
				 VIPS_SIZE_DOWN, NULL) != 0)
		return NULL;
	last = thumb;
	if (in->Type != VIPS_INTERPRETATION_CMYK && thumb->Bands >= 3 &&
	    vips_image_get_typeof(thumb, VIPS_META_ICC_NAME)) {
		/* A profile that lcms refuses is ignored, not fatal: the pixels
		 * are then taken to be sRGB, as browsers do. CMYK was already
		 * converted with its profile by the thumbnail. */
		if (vips_icc_transform(thumb, &srgb, "srgb", "embedded", TRUE, NULL) == 0) {
			last = srgb;
		} else {
			log_debug("media: ICC profile ignored: %s", vips_error_buffer());
			vips_error_clear();
		}
	}
	/* Computing the pipeline decodes every pixel of the upload. */
	media_budget_watch(budget, last);
	mem = vips_image_copy_memory(last);
	VIPS_UNREF(srgb);
	VIPS_UNREF(thumb);
	if (mem)
		media_remove_metadata(mem);
	return mem;
}

/* mkdir -p with `mode` for what it makes; 0 or -1 with errno. */
static int media_mkdirs_mode(const char *dir, mode_t mode)
{
	char path[PATH_MAX];
	struct stat st;
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, mode) != 0 && errno != EEXIST)
			return -1;
		path[i] = i < n ? '/' : '\0';
	}
	if (stat(dir, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static int media_mkdirs(const char *dir)
{
	return media_mkdirs_mode(dir, 0755);
}

/* What one media_ingest() call has put on disk, to remove on failure. */
struct media_created {
	char paths[MEDIA_N_WIDTHS][PATH_MAX];
	int n;
	char temp[PATH_MAX]; /* "" when none */
};

static void media_created_remove(struct media_created *c)
{
	if (c->temp[0])
		unlink(c->temp);
	c->temp[0] = '\0';
	for (int i = 0; i < c->n; i++)
		unlink(c->paths[i]);
	c->n = 0;
}

static int media_write_all(int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Writes `len` bytes as dir/file: to a temporary name in the same folder,
 * flushed, then hard-linked into place. Unlike rename(), link() never replaces a
 * file that is already there (another worker may have just stored the same
 * upload, with the same bytes), so that file is kept and this call does not
 * count it as its own. 0 or -1 with errno. */
static int media_write_file(const char *dir, const char *file, const void *buf, size_t len,
			    struct media_created *c)
{
	char path[PATH_MAX];
	int fd, n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    (size_t)snprintf(c->temp, sizeof(c->temp), "%s/.%s.XXXXXX", dir, file) >=
		    sizeof(c->temp)) {
		c->temp[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(c->temp);
	if (fd < 0) {
		c->temp[0] = '\0';
		return -1;
	}
	if (media_write_all(fd, buf, len) != 0 || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (close(fd) != 0)
		return -1;
	if (link(c->temp, path) == 0)
		memcpy(c->paths[c->n++], path, (size_t)n + 1);
	else if (errno != EEXIST)
		return -1;
	unlink(c->temp);
	c->temp[0] = '\0';
	return 0;
}

/* Flushes the folder itself, so the new names survive a crash as the files do. */
static int media_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int media_fail(int code, char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return code;
}

int media_ingest(const char *dir, const void *data, size_t len, struct media_image *out,
		 char *err, size_t errlen)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	const struct media_format *f;
	const char *loader;
	struct media_created *created = NULL;
	struct media_budget budget = { 0 };
	VipsImage *in = NULL, *big = NULL, *step = NULL;
	void *enc = NULL;
	size_t enclen = 0;
	char file[64], msg[256];
	int rc = MEDIA_EIO, saved_errno;

	memset(out, 0, sizeof(*out));
	if (err && errlen)
		err[0] = '\0';
	if (len > MODEL_UPLOAD_MAX_BYTES) {
		snprintf(msg, sizeof(msg), "The file is larger than %zu MB.",
			 MODEL_UPLOAD_MAX_BYTES / (1024 * 1024));
		return media_fail(MEDIA_ETOOBIG, err, errlen, msg);
	}
	f = data ? media_sniff(data, len) : NULL;
	if (!f)
		return media_fail(MEDIA_EFORMAT, err, errlen,
				  "The file is not a JPEG, PNG or WebP image.");
	/* The loader we call is fixed by the sniffed format; libvips' own choice
	 * must agree, or the bytes are something else wearing a signature. */
	loader = vips_foreign_find_load_buffer(data, len);
	if (!loader || strcmp(loader, f->loader) != 0) {
		vips_error_clear();
		return media_fail(MEDIA_EFORMAT, err, errlen,
				  "The file is not a JPEG, PNG or WebP image.");
	}
	if (f == &media_formats[MEDIA_PNG] && !media_png_chunks_fit(data, len))
		return media_fail(MEDIA_EDECODE, err, errlen,
				  "The image is damaged: a part of it claims more bytes than "
				  "the file holds.");
	if (f == &media_formats[MEDIA_JPEG] &&
	    media_jpeg_scans(data, len, MODEL_UPLOAD_MAX_SCANS + 1) > MODEL_UPLOAD_MAX_SCANS) {
		snprintf(msg, sizeof(msg),
			 "The JPEG is saved in more than %d passes (progressive scans), which "
			 "would take too long to open. Save it again as a normal JPEG.",
			 MODEL_UPLOAD_MAX_SCANS);
		return media_fail(MEDIA_ECOSTLY, err, errlen, msg);
	}
	if (media_load(f, data, len, &in) != 0) {
		rc = media_fail(MEDIA_EDECODE, err, errlen,
				"The image could not be read; it may be damaged.");
		goto fail;
	}
	if (in->Xsize > MODEL_UPLOAD_MAX_SIDE || in->Ysize > MODEL_UPLOAD_MAX_SIDE) {
		snprintf(msg, sizeof(msg),
			 "The image is %d by %d pixels; the limit is %d pixels on a side.",
			 in->Xsize, in->Ysize, MODEL_UPLOAD_MAX_SIDE);
		rc = media_fail(MEDIA_ETOOBIG, err, errlen, msg);
		goto fail;
	}
	if ((long long)in->Xsize * in->Ysize > MODEL_UPLOAD_MAX_PIXELS) {
		snprintf(msg, sizeof(msg), "The image has more than %lld million pixels.",
			 MODEL_UPLOAD_MAX_PIXELS / 1000000);
		rc = media_fail(MEDIA_ETOOBIG, err, errlen, msg);
		goto fail;
	}
	/* What decoding would hold: 16 bits per channel or an alpha channel
	 * multiply the pixels' cost, and the header says so. */
	if ((long long)in->Xsize * in->Ysize * in->Bands *
		    (long long)vips_format_sizeof(in->BandFmt) >
	    MODEL_UPLOAD_MAX_DECODED) {
		snprintf(msg, sizeof(msg),
			 "The image is too large to open once decoded (%d by %d pixels, "
			 "%d channels of %d bits). Save it with 8 bits per channel or "
			 "fewer pixels.",
			 in->Xsize, in->Ysize, in->Bands, (int)vips_format_sizeof(in->BandFmt) * 8);
		rc = media_fail(MEDIA_ECOSTLY, err, errlen, msg);
		goto fail;
	}
	media_budget_start(&budget);
	big = media_decode(in, &budget);
	if (!big && budget.expired)
		goto fail_budget;
	if (!big) {
		rc = media_fail(MEDIA_EDECODE, err, errlen,
				"The image could not be decoded; it may be truncated or damaged.");
		goto fail;
	}

	crypto_hash_sha256(digest, data, len);
	sodium_bin2hex(out->name, sizeof(out->name), digest, 16);
	out->format = f->name;
	out->ext = f->ext;
	out->width = big->Xsize;
	out->height = big->Ysize;
	for (int i = 0; i < MEDIA_N_WIDTHS - 1 && media_ladder[i] < out->width; i++)
		out->widths[out->n_widths++] = media_ladder[i];
	out->widths[out->n_widths++] = out->width;
	snprintf(out->url, sizeof(out->url), "%s%s-%d.%s", MEDIA_URL_PREFIX, out->name,
		 out->width, out->ext);

	if (media_mkdirs(dir) != 0)
		goto fail_io;
	created = calloc(1, sizeof(*created));
	if (!created)
		goto fail_io;
	for (int i = 0; i < out->n_widths; i++) {
		int w = out->widths[i];
		char path[PATH_MAX];
		VipsImage *im = big;
		int n;

		snprintf(file, sizeof(file), "%s-%d.%s", out->name, w, out->ext);
		n = snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (n < 0 || (size_t)n >= sizeof(path)) {
			errno = ENAMETOOLONG;
			goto fail_io;
		}
		/* Named by content: a copy already there has these very pixels. */
		if (access(path, F_OK) == 0)
			continue;
		if (w != big->Xsize) {
			if (vips_thumbnail_image(big, &step, w, "height", VIPS_MAX_COORD, NULL) != 0)
				goto fail_encode;
			im = step;
		} else {
			/* A view of `big`, so that its progress is this save's. */
			if (vips_copy(big, &step, NULL) != 0)
				goto fail_encode;
			im = step;
		}
		media_budget_watch(&budget, im);
		if (media_save(f, im, &enc, &enclen) != 0)
			goto fail_encode;
		VIPS_UNREF(step);
		if (media_write_file(dir, file, enc, enclen, created) != 0)
			goto fail_io;
		g_free(enc);
		enc = NULL;
	}
	if (created->n > 0 && media_sync_dir(dir) != 0)
		goto fail_io;
	rc = MEDIA_OK;
	goto done;

fail_encode:
	if (budget.expired)
		goto fail_budget;
	log_debug("media: encoding %s: %s", f->name, vips_error_buffer());
	rc = media_fail(MEDIA_EIO, err, errlen, "The image could not be converted.");
	goto fail;
fail_budget:
	log_info("media: an upload (%s, %d by %d) ran past its %d ms budget", f->name,
		 in->Xsize, in->Ysize, media_budget_ms);
	rc = media_fail(MEDIA_ECOSTLY, err, errlen,
			"The image takes too long to process. Save it again as a normal JPEG, "
			"PNG or WebP, with fewer pixels.");
	goto fail;
fail_io:
	saved_errno = errno;
	log_warn("media: storing %s in %s", out->name, dir);
	snprintf(msg, sizeof(msg), "The image could not be stored (%s).", strerror(saved_errno));
	rc = media_fail(MEDIA_EIO, err, errlen, msg);
fail:
	if (rc == MEDIA_EDECODE)
		log_debug("media: decoding %s: %s", f->name, vips_error_buffer());
	if (created)
		media_created_remove(created);
	memset(out, 0, sizeof(*out));
done:
	vips_error_clear();
	g_free(enc);
	VIPS_UNREF(step);
	VIPS_UNREF(big);
	VIPS_UNREF(in);
	free(created);
	return rc;
}

/* Parses "NAME-W.EXT"; the format and W, or NULL. */
static const struct media_format *media_file_parse(const char *file, int *width)
{
	const char *p = file;
	int w = 0;

	if (!file)
		return NULL;
	for (int i = 0; i < 32; i++, p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return NULL;
	if (*p++ != '-')
		return NULL;
	if (*p < '1' || *p > '9')
		return NULL;
	for (int i = 0; i < 5 && *p >= '0' && *p <= '9'; i++, p++)
		w = w * 10 + (*p - '0');
	if (*p++ != '.')
		return NULL;
	for (int i = 0; i < MEDIA_N_FORMATS; i++) {
		if (strcmp(p, media_formats[i].ext) == 0) {
			if (width)
				*width = w;
			return &media_formats[i];
		}
	}
	return NULL;
}

int media_file_valid(const char *file)
{
	return media_file_parse(file, NULL) != NULL;
}

const char *media_content_type(const char *file)
{
	const struct media_format *f = media_file_parse(file, NULL);

	return f ? f->type : NULL;
}

/* The "NAME-W.EXT" part of one of our URLs, with its width, or NULL. */
static const char *media_url_file(const char *url, int *width)
{
	const char *p = url;
	size_t host = 0;

	if (!url)
		return NULL;
	if (strncmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncmp(p, "http://", 7) == 0)
		p += 7;
	else
		goto path;
	for (; p[host] && p[host] != '/'; host++) {
		unsigned char ch = (unsigned char)p[host];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr(".-:[]", ch)))
			return NULL;
	}
	if (host == 0)
		return NULL;
	p += host;
path:
	if (strncmp(p, MEDIA_URL_PREFIX, strlen(MEDIA_URL_PREFIX)) != 0)
		return NULL;
	p += strlen(MEDIA_URL_PREFIX);
	/* media_ingest() never names a copy wider than the last step. */
	if (!media_file_parse(p, width) || *width > MEDIA_MAX_WIDTH)
		return NULL;
	return p;
}

int media_srcset_widths(const char *url, int out[MEDIA_N_WIDTHS])
{
	int w, n = 0;

	if (!media_url_file(url, &w))
		return 0;
	for (int i = 0; i < MEDIA_N_WIDTHS && media_ladder[i] < w; i++)
		out[n++] = media_ladder[i];
	out[n++] = w;
	return n;
}

int media_url_for_width(const char *url, int w, char *out, size_t outlen)
{
	int widths[MEDIA_N_WIDTHS], largest, n, i, len;
	const char *file = media_url_file(url, &largest);
	const char *ext;

	if (!file || !out)
		return -1;
	n = media_srcset_widths(url, widths);
	for (i = 0; i < n && widths[i] != w; i++)
		;
	if (i == n)
		return -1;
	ext = strrchr(file, '.') + 1;
	len = snprintf(out, outlen, "%.*s-%d.%s", (int)(file - url) + 32, url, w, ext);
	if (len < 0 || (size_t)len >= outlen)
		return -1;
	return 0;
}

int media_file_write(const char *dir, const char *file, const void *data, size_t len)
{
	struct media_created *c;
	int rc = -1, e;

	if (!media_file_valid(file)) {
		errno = EINVAL;
		return -1;
	}
	if (media_mkdirs(dir) != 0)
		return -1;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	if (media_write_file(dir, file, data, len, c) == 0 && media_sync_dir(dir) == 0)
		rc = 0;
	e = errno;
	if (c->temp[0])
		unlink(c->temp);
	free(c);
	errno = e;
	return rc;
}

int media_file_read(const char *dir, const char *file, void **data, size_t *len)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned char *p = NULL;
	size_t got = 0;
	int fd, n, e;

	n = snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if ((uintmax_t)st.st_size > MEDIA_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}
	p = malloc((size_t)st.st_size + 1); /* + 1: an empty file is not NULL */
	if (!p)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, p + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0) { /* shorter than it said: someone is writing it */
			errno = EIO;
			goto fail;
		}
		got += (size_t)r;
	}
	close(fd);
	*data = p;
	*len = got;
	return 0;
fail:
	e = errno;
	free(p);
	close(fd);
	errno = e;
	return -1;
}

const char *media_format_ext(const char *format)
{
	for (int i = 0; format && i < MEDIA_N_FORMATS; i++)
		if (strcmp(format, media_formats[i].name) == 0)
			return media_formats[i].ext;
	return NULL;
}

int media_file_name(const struct media_image *img, int i, char *out, size_t len)
{
	int n;

	if (i < 0 || i >= img->n_widths || !img->ext)
		return -1;
	n = snprintf(out, len, "%s-%d.%s", img->name, img->widths[i], img->ext);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int media_default_dir(const char *db_path, int shared, char *out, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	struct passwd *pw;
	int n;

	if (!db_path || !*db_path)
		return -1;
	if (!shared)
		n = snprintf(out, len, "%s-media", db_path);
	else if (xdg && xdg[0] == '/') /* the XDG rule: a relative one is ignored */
		n = snprintf(out, len, "%s/liveline/media", xdg);
	else if ((pw = getpwuid(geteuid())) != NULL && pw->pw_name[0] &&
		 !strchr(pw->pw_name, '/'))
		n = snprintf(out, len, "/var/tmp/liveline-%s/media", pw->pw_name);
	else
		n = snprintf(out, len, "/var/tmp/liveline-%u/media", (unsigned)geteuid());
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Makes `path` 0700 if missing, then checks that it is a folder (lstat: a
 * link to one is refused) of ours that only we may write. */
static int media_own_dir(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot make the media cache %s: %s", path, strerror(errno));
		return -1;
	}
	if (lstat(path, &st) != 0) {
		snprintf(err, errlen, "media cache %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(err, errlen,
			 "the media cache %s is not a folder of this user's that only it may "
			 "write; remove it, or name another with --media",
			 path);
		return -1;
	}
	return 0;
}

int media_cache_ready(const char *dir, char *err, size_t errlen)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(dir, '/');
	size_t n = slash ? (size_t)(slash - dir) : 0;

	if (n == 0 || n >= sizeof(parent)) {
		snprintf(err, errlen, "the media cache %s is not an absolute path", dir);
		return -1;
	}
	memcpy(parent, dir, n);
	parent[n] = '\0';
	/* $XDG_CACHE_HOME may itself be missing on a fresh account. */
	if (media_mkdirs_mode(parent, 0700) != 0) {
		snprintf(err, errlen, "cannot make %s: %s", parent, strerror(errno));
		return -1;
	}
	if (media_own_dir(parent, err, errlen) < 0 || media_own_dir(dir, err, errlen) < 0)
		return -1;
	return 0;
}
