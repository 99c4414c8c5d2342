/*
 * media/: uploads recognised by content, bounded before decoding, decoded in
 * full, re-encoded without metadata (GPS positions above all) into the width
 * ladder, and named by content; file names and URLs that the media route and
 * the renderer trust. Every test image is made here with libvips.
 */
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <sodium.h>
#include <vips/vips.h>
#include <zlib.h>

#include "media/media.h"
#include "util/log.h"

static char media_root[] = "/tmp/liveline-media-XXXXXX";

/* A fresh folder path under the root, not yet created. */
static void media_dir(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", media_root, name);
}

/* How many entries a folder holds (-1 if it does not exist); fails the test if
 * any is a leftover temporary file. */
static int dir_count(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		assert_true(e->d_name[0] != '.');
		n++;
	}
	closedir(d);
	return n;
}

/* Live VipsObjects must come back to where they were after every ingest,
 * errors included (the operation cache is off): an image not unreffed stays
 * on libvips' list. Tracked pixel memory is no measure here: each libvips
 * worker thread keeps a few pixel buffers for reuse. */
struct vips_snapshot {
	int objects;
};

static void *count_object(void *item, void *a, void *b)
{
	(void)item;
	(void)b;
	(*(int *)a)++;
	return NULL;
}

static struct vips_snapshot vips_snap(void)
{
	struct vips_snapshot s = { 0 };

	vips_object_map(count_object, &s.objects, NULL);
	return s;
}

static void assert_vips_same(struct vips_snapshot before)
{
	struct vips_snapshot after = vips_snap();

	assert_int_equal(after.objects, before.objects);
}

/* A w x h image of noise over a gradient with `bands` bands (1 grey, 3 sRGB,
 * 4 sRGB with alpha); the caller unrefs. */
static VipsImage *make_image(int w, int h, int bands)
{
	VipsImage *noise, *xyz, *x, *sum, *u, *out;
	VipsImage *parts[4];

	assert_int_equal(vips_gaussnoise(&noise, w, h, "mean", 0.0, "sigma", 6.0, NULL), 0);
	assert_int_equal(vips_xyz(&xyz, w, h, NULL), 0);
	assert_int_equal(vips_extract_band(xyz, &x, 0, NULL), 0);
	assert_int_equal(vips_linear1(x, &sum, 200.0 / w, 20.0, NULL), 0);
	g_object_unref(xyz);
	g_object_unref(x);
	assert_int_equal(vips_add(sum, noise, &x, NULL), 0);
	g_object_unref(sum);
	g_object_unref(noise);
	assert_int_equal(vips_cast_uchar(x, &u, NULL), 0);
	g_object_unref(x);
	for (int i = 0; i < bands; i++)
		parts[i] = u;
	assert_int_equal(vips_bandjoin(parts, &sum, bands, NULL), 0);
	g_object_unref(u);
	assert_int_equal(vips_copy(sum, &out, "interpretation",
				   bands < 3 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB,
				   NULL),
			 0);
	g_object_unref(sum);
	return out;
}

/* Encodes without stripping, so whatever metadata is attached goes in. */
static void *encode(VipsImage *im, const char *format, size_t *len)
{
	void *buf = NULL;
	int rc;

	if (strcmp(format, "jpeg") == 0)
		rc = vips_jpegsave_buffer(im, &buf, len, NULL);
	else if (strcmp(format, "png") == 0)
		rc = vips_pngsave_buffer(im, &buf, len, NULL);
	else
		rc = vips_webpsave_buffer(im, &buf, len, NULL);
	assert_int_equal(rc, 0);
	return buf;
}

/* A minimal EXIF block: orientation, and a GPS position (51°30'N 0°7'W). */
static size_t exif_gps(unsigned char *b, int orientation)
{
	size_t n = 0;
#define U16(v) (b[n++] = (unsigned char)((v) & 0xff), b[n++] = (unsigned char)((v) >> 8))
#define U32(v) (U16((v) & 0xffff), U16((unsigned)(v) >> 16))
#define ENTRY(tag, type, count, value) (U16(tag), U16(type), U32(count), U32(value))
	memcpy(b, "Exif\0\0II*\0", 10);
	n = 10;
	U32(8);                           /* IFD0 at 8 in the TIFF block */
	U16(2);                           /* IFD0: 2 entries */
	ENTRY(0x0112, 3, 1, orientation); /* Orientation, SHORT */
	ENTRY(0x8825, 4, 1, 38);          /* GPSInfo IFD pointer, LONG */
	U32(0);
	U16(5);                           /* GPS IFD at 38: 5 entries */
	ENTRY(0x0000, 1, 4, 0x00000202);  /* GPSVersionID 2.2.0.0 */
	ENTRY(0x0001, 2, 2, 'N');         /* GPSLatitudeRef "N" */
	ENTRY(0x0002, 5, 3, 104);         /* GPSLatitude at 104 */
	ENTRY(0x0003, 2, 2, 'W');         /* GPSLongitudeRef "W" */
	ENTRY(0x0004, 5, 3, 128);         /* GPSLongitude at 128 */
	U32(0);
	U32(51), U32(1), U32(30), U32(1), U32(0), U32(1);
	U32(0), U32(1), U32(7), U32(1), U32(0), U32(1);
#undef ENTRY
#undef U32
#undef U16
	return n;
}

static const char xmp[] = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
			  "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
			  "<rdf:Description xmlns:exif=\"http://ns.adobe.com/exif/1.0/\" "
			  "exif:GPSLatitude=\"51,30.0N\"/></rdf:RDF></x:xmpmeta>";

static int has_field_prefix(VipsImage *im, const char *prefix)
{
	gchar **fields = vips_image_get_fields(im);
	int found = 0;

	for (int i = 0; fields[i]; i++)
		if (strncmp(fields[i], prefix, strlen(prefix)) == 0)
			found = 1;
	g_strfreev(fields);
	return found;
}

static void assert_no_metadata(VipsImage *im)
{
	assert_false(vips_image_get_typeof(im, VIPS_META_EXIF_NAME));
	assert_false(vips_image_get_typeof(im, VIPS_META_XMP_NAME));
	assert_false(vips_image_get_typeof(im, VIPS_META_IPTC_NAME));
	assert_false(vips_image_get_typeof(im, VIPS_META_ICC_NAME));
	assert_false(vips_image_get_typeof(im, VIPS_META_ORIENTATION));
	assert_false(has_field_prefix(im, "exif-"));
	assert_false(has_field_prefix(im, "png-comment-"));
}

/* Loads dir/NAME-W.EXT as the format it claims and checks its size, its bands
 * (8-bit; 0 for any) and that it carries no metadata. */
static void check_copy(const char *dir, const struct media_image *m, int w, int h, int bands)
{
	static const char *loaders[] = { "jpeg", "VipsForeignLoadJpegBuffer", "png",
					 "VipsForeignLoadPngBuffer", "webp",
					 "VipsForeignLoadWebpBuffer" };
	char path[512];
	size_t len;
	char *data;
	VipsImage *im;
	const char *loader = NULL;

	snprintf(path, sizeof(path), "%s/%s-%d.%s", dir, m->name, w, m->ext);
	data = unit_read_file(path, &len);
	for (int i = 0; i < 6; i += 2)
		if (strcmp(m->format, loaders[i]) == 0)
			loader = loaders[i + 1];
	assert_non_null(loader);
	assert_string_equal(vips_foreign_find_load_buffer(data, len), loader);
	im = vips_image_new_from_buffer(data, len, "", NULL);
	assert_non_null(im);
	assert_int_equal(im->Xsize, w);
	if (h)
		assert_int_equal(im->Ysize, h);
	if (bands)
		assert_int_equal(im->Bands, bands);
	assert_int_equal(im->BandFmt, VIPS_FORMAT_UCHAR);
	assert_no_metadata(im);
	g_object_unref(im);
	free(data);
}

static void test_jpeg_loses_gps_and_is_upright(void **state)
{
	unsigned char exif[256];
	struct media_image m;
	struct vips_snapshot snap;
	char dir[256], err[256], path[512];
	VipsImage *im, *back;
	size_t len;
	void *jpg;
	int orientation = 0;
	(void)state;

	media_dir(dir, sizeof(dir), "gps");
	im = make_image(1200, 600, 3);
	vips_image_set_blob_copy(im, VIPS_META_EXIF_NAME, exif, exif_gps(exif, 6));
	vips_image_set_int(im, VIPS_META_ORIENTATION, 6);
	vips_image_set_blob_copy(im, VIPS_META_XMP_NAME, xmp, sizeof(xmp) - 1);
	jpg = encode(im, "jpeg", &len);
	g_object_unref(im);

	/* The upload itself carries the position, sideways. */
	back = vips_image_new_from_buffer(jpg, len, "", NULL);
	assert_non_null(back);
	assert_true(vips_image_get_typeof(back, "exif-ifd3-GPSLatitude"));
	assert_true(vips_image_get_typeof(back, VIPS_META_XMP_NAME));
	assert_int_equal(vips_image_get_int(back, VIPS_META_ORIENTATION, &orientation), 0);
	assert_int_equal(orientation, 6);
	g_object_unref(back);

	snap = vips_snap();
	assert_int_equal(media_ingest(dir, jpg, len, &m, err, sizeof(err)), MEDIA_OK);
	assert_vips_same(snap);
	assert_string_equal(err, "");
	assert_string_equal(m.format, "jpeg");
	assert_string_equal(m.ext, "jpg");
	assert_int_equal(m.width, 600); /* rotated upright, then the ladder */
	assert_int_equal(m.height, 1200);
	assert_int_equal(m.n_widths, 2);
	assert_int_equal(m.widths[0], 480);
	assert_int_equal(m.widths[1], 600);
	snprintf(path, sizeof(path), "/media/%s-600.jpg", m.name);
	assert_string_equal(m.url, path);
	assert_int_equal(dir_count(dir), 2);
	check_copy(dir, &m, 480, 960, 3);
	check_copy(dir, &m, 600, 1200, 3);
	g_free(jpg);
}

static void test_png_round_trip(void **state)
{
	unsigned char exif[256];
	struct media_image m;
	struct vips_snapshot snap;
	char dir[256], err[256];
	VipsImage *im, *back;
	size_t len;
	void *png;
	(void)state;

	media_dir(dir, sizeof(dir), "png");
	im = make_image(800, 500, 4);
	vips_image_set_blob_copy(im, VIPS_META_EXIF_NAME, exif, exif_gps(exif, 1));
	vips_image_set_blob_copy(im, VIPS_META_XMP_NAME, xmp, sizeof(xmp) - 1);
	vips_image_set_string(im, "png-comment-0-Author", "A reporter");
	png = encode(im, "png", &len);
	g_object_unref(im);
	back = vips_image_new_from_buffer(png, len, "", NULL);
	assert_non_null(back);
	assert_true(has_field_prefix(back, "png-comment-"));
	assert_true(vips_image_get_typeof(back, VIPS_META_XMP_NAME));
	g_object_unref(back);

	snap = vips_snap();
	assert_int_equal(media_ingest(dir, png, len, &m, err, sizeof(err)), MEDIA_OK);
	assert_vips_same(snap);
	assert_string_equal(m.format, "png");
	assert_int_equal(m.width, 800);
	assert_int_equal(m.height, 500);
	assert_int_equal(m.n_widths, 2);
	assert_int_equal(m.widths[0], 480);
	assert_int_equal(m.widths[1], 800);
	assert_int_equal(dir_count(dir), 2);
	check_copy(dir, &m, 480, 300, 4);
	check_copy(dir, &m, 800, 500, 4);
	g_free(png);
}

static void test_webp_round_trip(void **state)
{
	unsigned char exif[256];
	struct media_image m;
	struct vips_snapshot snap;
	char dir[256], err[256], path[512];
	VipsImage *im, *back;
	size_t len;
	void *webp;
	(void)state;

	media_dir(dir, sizeof(dir), "webp");
	im = make_image(1000, 400, 3);
	vips_image_set_blob_copy(im, VIPS_META_EXIF_NAME, exif, exif_gps(exif, 1));
	vips_image_set_blob_copy(im, VIPS_META_XMP_NAME, xmp, sizeof(xmp) - 1);
	webp = encode(im, "webp", &len);
	g_object_unref(im);
	back = vips_image_new_from_buffer(webp, len, "", NULL);
	assert_non_null(back);
	assert_true(vips_image_get_typeof(back, "exif-ifd3-GPSLatitude"));
	assert_true(vips_image_get_typeof(back, VIPS_META_XMP_NAME));
	g_object_unref(back);

	snap = vips_snap();
	assert_int_equal(media_ingest(dir, webp, len, &m, err, sizeof(err)), MEDIA_OK);
	assert_vips_same(snap);
	assert_string_equal(m.format, "webp");
	assert_int_equal(m.n_widths, 3);
	assert_int_equal(m.widths[0], 480);
	assert_int_equal(m.widths[1], 960);
	assert_int_equal(m.widths[2], 1000);
	snprintf(path, sizeof(path), "/media/%s-1000.webp", m.name);
	assert_string_equal(m.url, path);
	check_copy(dir, &m, 480, 192, 3);
	check_copy(dir, &m, 960, 384, 3);
	check_copy(dir, &m, 1000, 400, 3);
	g_free(webp);
}

/* Grey, 16-bit, CMYK and a JPEG with an ICC profile all come out as 8-bit
 * sRGB or grey, without the profile; alpha is kept. */
static void test_colour_spaces(void **state)
{
	struct media_image m;
	char dir[256], err[256];
	VipsImage *im, *t;
	size_t len;
	void *buf;
	(void)state;

	media_dir(dir, sizeof(dir), "colour");

	im = make_image(200, 100, 1);
	buf = encode(im, "png", &len);
	g_object_unref(im);
	assert_int_equal(media_ingest(dir, buf, len, &m, err, sizeof(err)), MEDIA_OK);
	check_copy(dir, &m, 200, 100, 1);
	g_free(buf);

	im = make_image(210, 100, 3);
	assert_int_equal(vips_colourspace(im, &t, VIPS_INTERPRETATION_RGB16, NULL), 0);
	g_object_unref(im);
	assert_int_equal(t->BandFmt, VIPS_FORMAT_USHORT);
	buf = encode(t, "png", &len);
	g_object_unref(t);
	assert_int_equal(media_ingest(dir, buf, len, &m, err, sizeof(err)), MEDIA_OK);
	check_copy(dir, &m, 210, 100, 3);
	g_free(buf);

	im = make_image(220, 100, 3);
	assert_int_equal(vips_colourspace(im, &t, VIPS_INTERPRETATION_CMYK, NULL), 0);
	g_object_unref(im);
	assert_int_equal(t->Bands, 4);
	buf = encode(t, "jpeg", &len);
	g_object_unref(t);
	assert_int_equal(media_ingest(dir, buf, len, &m, err, sizeof(err)), MEDIA_OK);
	check_copy(dir, &m, 220, 100, 3);
	g_free(buf);

	im = make_image(230, 100, 3);
	assert_int_equal(vips_icc_transform(im, &t, "srgb", "input_profile", "srgb", NULL), 0);
	g_object_unref(im);
	assert_true(vips_image_get_typeof(t, VIPS_META_ICC_NAME));
	buf = encode(t, "jpeg", &len);
	g_object_unref(t);
	assert_int_equal(media_ingest(dir, buf, len, &m, err, sizeof(err)), MEDIA_OK);
	check_copy(dir, &m, 230, 100, 3);
	g_free(buf);

	/* WebP with alpha: VP8X, ALPH and VP8 chunks survive the stripping. */
	im = make_image(240, 100, 4);
	buf = encode(im, "webp", &len);
	g_object_unref(im);
	assert_int_equal(media_ingest(dir, buf, len, &m, err, sizeof(err)), MEDIA_OK);
	check_copy(dir, &m, 240, 100, 4);
	g_free(buf);
	assert_int_equal(dir_count(dir), 5);
}

/* Ingests a w x h JPEG and checks the copies' widths, and heights in
 * proportion (the sizes chosen divide exactly). */
static void ingest_widths(const char *dir, int w, int h, const int *want, int n)
{
	struct media_image m;
	char err[256];
	VipsImage *im = make_image(w, h, 3);
	size_t len;
	void *jpg = encode(im, "jpeg", &len);
	int before = dir_count(dir);

	g_object_unref(im);
	assert_int_equal(media_ingest(dir, jpg, len, &m, err, sizeof(err)), MEDIA_OK);
	assert_int_equal(m.n_widths, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(m.widths[i], want[i]);
		check_copy(dir, &m, want[i], h * want[i] / w, 3);
	}
	assert_int_equal(m.width, want[n - 1]);
	assert_int_equal(m.height, h * want[n - 1] / w);
	assert_int_equal(dir_count(dir), (before < 0 ? 0 : before) + n);
	g_free(jpg);
}

static void test_width_ladder(void **state)
{
	static const int wide[] = { 480, 960, 1600 }, mid[] = { 480, 700 }, small[] = { 300 },
			 exact[] = { 480, 960 }, one[] = { 480 };
	char dir[256];
	(void)state;

	media_dir(dir, sizeof(dir), "ladder");
	ingest_widths(dir, 2000, 1000, wide, 3);
	ingest_widths(dir, 700, 350, mid, 2);
	ingest_widths(dir, 300, 200, small, 1);
	ingest_widths(dir, 960, 100, exact, 2);
	ingest_widths(dir, 480, 100, one, 1);
}

static void test_same_upload_same_name(void **state)
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	char hex[65], dir[256], err[256], path[512];
	struct media_image a, b, c;
	struct stat st1, st2;
	VipsImage *im;
	size_t len, len2;
	void *jpg, *other;
	(void)state;

	media_dir(dir, sizeof(dir), "dedup/nested/deeper"); /* mkdir -p */
	im = make_image(1200, 600, 3);
	jpg = encode(im, "jpeg", &len);
	assert_int_equal(vips_jpegsave_buffer(im, &other, &len2, "Q", 50, NULL), 0);
	g_object_unref(im);

	assert_int_equal(media_ingest(dir, jpg, len, &a, err, sizeof(err)), MEDIA_OK);
	crypto_hash_sha256(digest, jpg, len);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	hex[32] = '\0';
	assert_string_equal(a.name, hex);
	assert_int_equal(dir_count(dir), 3);
	snprintf(path, sizeof(path), "%s/%s-1200.jpg", dir, a.name);
	assert_int_equal(stat(path, &st1), 0);
	assert_int_equal(st1.st_mode & 0777, 0644);

	assert_int_equal(media_ingest(dir, jpg, len, &b, err, sizeof(err)), MEDIA_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(dir_count(dir), 3);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino); /* kept, not rewritten */

	assert_int_equal(media_ingest(dir, other, len2, &c, err, sizeof(err)), MEDIA_OK);
	assert_string_not_equal(a.name, c.name);
	assert_int_equal(dir_count(dir), 6);

	/* A copy lost from the folder is written again; the others are kept. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(media_ingest(dir, jpg, len, &b, err, sizeof(err)), MEDIA_OK);
	assert_int_equal(dir_count(dir), 6);
	check_copy(dir, &b, 1200, 600, 3);
	g_free(jpg);
	g_free(other);
}

static void expect_error(const char *dir, const void *data, size_t len, int code)
{
	struct media_image m;
	struct vips_snapshot snap = vips_snap();
	char err[256];

	memset(&m, 0x55, sizeof(m));
	assert_int_equal(media_ingest(dir, data, len, &m, err, sizeof(err)), code);
	assert_vips_same(snap);
	assert_true(err[0] != '\0');
	assert_int_equal(m.n_widths, 0);
	assert_string_equal(m.url, "");
	if (code == MEDIA_EFORMAT)
		assert_string_equal(err, "The file is not a JPEG, PNG or WebP image.");
}

static void test_not_an_image(void **state)
{
	static const char svg[] = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/"
				  "svg\" width=\"10\" height=\"10\"><rect width=\"10\" "
				  "height=\"10\"/></svg>";
	static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
	static const char wav[] = "RIFF\x24\0\0\0WAVEfmt ";
	static const char jpeg_svg[] = "\xff\xd8\xff<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
	char dir[256];
	VipsImage *im;
	void *gif;
	size_t len;
	(void)state;

	media_dir(dir, sizeof(dir), "notimage");
	im = make_image(50, 40, 3);
	assert_int_equal(vips_gifsave_buffer(im, &gif, &len, NULL), 0);
	g_object_unref(im);

	expect_error(dir, "Just some words.\n", 17, MEDIA_EFORMAT);
	expect_error(dir, svg, sizeof(svg) - 1, MEDIA_EFORMAT);
	expect_error(dir, pdf, sizeof(pdf) - 1, MEDIA_EFORMAT);
	expect_error(dir, gif, len, MEDIA_EFORMAT);
	expect_error(dir, wav, sizeof(wav) - 1, MEDIA_EFORMAT);
	expect_error(dir, "RIFF", 4, MEDIA_EFORMAT);
	expect_error(dir, "\xff\xd8", 2, MEDIA_EFORMAT);
	expect_error(dir, "", 0, MEDIA_EFORMAT);
	expect_error(dir, NULL, 0, MEDIA_EFORMAT);
	/* A JPEG signature in front of something else does not decode. */
	expect_error(dir, jpeg_svg, sizeof(jpeg_svg) - 1, MEDIA_EDECODE);
	expect_error(dir, "\x89PNG\r\n\x1a\n", 8, MEDIA_EDECODE);
	assert_int_equal(dir_count(dir), -1); /* never created */
	g_free(gif);
}

static void test_truncated(void **state)
{
	static const char *formats[] = { "jpeg", "png", "webp" };
	char dir[256];
	VipsImage *im;
	size_t len;
	void *buf;
	(void)state;

	media_dir(dir, sizeof(dir), "truncated");
	assert_int_equal(mkdir(dir, 0755), 0);
	im = make_image(1000, 600, 3);
	for (int i = 0; i < 3; i++) {
		buf = encode(im, formats[i], &len);
		expect_error(dir, buf, len / 2, MEDIA_EDECODE);
		expect_error(dir, buf, len - 16, MEDIA_EDECODE); /* the last bytes of data */
		/* A WebP shorter than its RIFF size is refused too. A JPEG that
		 * loses only its 2-byte end marker, or a PNG its 12-byte IEND
		 * trailer, still has every pixel: whether libjpeg or libpng reads
		 * that far depends on the bytes before (a JPEG of this noise was
		 * accepted 12 times in 400), so those are not asserted either way. */
		if (i == 2)
			expect_error(dir, buf, len - 2, MEDIA_EDECODE);
		g_free(buf);
	}
	g_object_unref(im);
	assert_int_equal(dir_count(dir), 0);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A small valid PNG whose header claims w x h RGB pixels: signature, IHDR, one
 * row of compressed zeros, IEND. */
static size_t png_claiming(unsigned char *b, uint32_t w, uint32_t h)
{
	unsigned char row[64] = { 0 };
	uLongf zlen = 128;
	size_t n = 8;

	memcpy(b, "\x89PNG\r\n\x1a\n", 8);
	put32(b + n, 13);
	memcpy(b + n + 4, "IHDR", 4);
	put32(b + n + 8, w);
	put32(b + n + 12, h);
	memcpy(b + n + 16, "\x08\x02\0\0\0", 5); /* 8-bit RGB */
	put32(b + n + 21, (uint32_t)crc32(0, b + n + 4, 17));
	n += 25;
	assert_int_equal(compress(b + n + 8, &zlen, row, sizeof(row)), Z_OK);
	put32(b + n, (uint32_t)zlen);
	memcpy(b + n + 4, "IDAT", 4);
	put32(b + n + 8 + zlen, (uint32_t)crc32(0, b + n + 4, 4 + (uInt)zlen));
	n += 12 + zlen;
	put32(b + n, 0);
	memcpy(b + n + 4, "IEND", 4);
	put32(b + n + 8, (uint32_t)crc32(0, b + n + 4, 4));
	return n + 12;
}

static void test_too_big(void **state)
{
	unsigned char png[256];
	char dir[256];
	unsigned char *huge;
	VipsImage *im;
	size_t len;
	void *jpg;
	(void)state;

	media_dir(dir, sizeof(dir), "toobig");
	/* Decompression bombs: the header is refused before any pixel exists
	 * (100000 x 100000 x 3 would be 30 GB). */
	expect_error(dir, png, png_claiming(png, 100000, 100000), MEDIA_ETOOBIG);
	expect_error(dir, png, png_claiming(png, 20001, 10), MEDIA_ETOOBIG);
	expect_error(dir, png, png_claiming(png, 10000, 6000), MEDIA_ETOOBIG); /* 60 Mpx */
	/* Within the limits, the same lie is found out by the full decode. */
	expect_error(dir, png, png_claiming(png, 5000, 5000), MEDIA_EDECODE);

	/* A real image over the side limit, cheap because it is black. */
	assert_int_equal(vips_black(&im, 10, 20001, "bands", 3, NULL), 0);
	jpg = encode(im, "jpeg", &len);
	g_object_unref(im);
	expect_error(dir, jpg, len, MEDIA_ETOOBIG);

	/* Bytes: a real JPEG padded past the limit. */
	huge = calloc(1, MODEL_UPLOAD_MAX_BYTES + 1);
	assert_non_null(huge);
	assert_int_equal(vips_black(&im, 10, 10, "bands", 3, NULL), 0);
	g_free(jpg);
	jpg = encode(im, "jpeg", &len);
	g_object_unref(im);
	memcpy(huge, jpg, len);
	expect_error(dir, huge, MODEL_UPLOAD_MAX_BYTES + 1, MEDIA_ETOOBIG);
	free(huge);
	g_free(jpg);
	assert_int_equal(dir_count(dir), -1);
}

/* The scans (SOS segments) of a JPEG and where each ends, by its markers. */
static int jpeg_scans(const unsigned char *p, size_t len, size_t start[], size_t end[], int max)
{
	size_t i = 2;
	int n = 0;

	while (i + 4 <= len && p[i] == 0xff && p[i + 1] != 0xd9) {
		unsigned char m = p[i + 1];
		size_t at = i;

		i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
		if (m != 0xda)
			continue;
		while (i + 1 < len && !(p[i] == 0xff && p[i + 1] != 0 &&
					!(p[i + 1] >= 0xd0 && p[i + 1] <= 0xd7)))
			i++;
		if (n < max) {
			start[n] = at;
			end[n] = i;
		}
		n++;
	}
	return n;
}

/* A progressive JPEG whose scan `k` is repeated until it has `scans` scans:
 * how a file made to be slow looks (each scan is read over the whole image).
 * The caller frees. */
static unsigned char *jpeg_with_scans(const unsigned char *jpg, size_t len, int k, int scans,
				      size_t *outlen)
{
	size_t start[32], end[32], one, n;
	int have = jpeg_scans(jpg, len, start, end, 32);
	unsigned char *out;

	assert_true(have > k && have <= 32);
	one = end[k] - start[k];
	n = len + one * (size_t)(scans - have);
	out = malloc(n);
	assert_non_null(out);
	memcpy(out, jpg, end[k]);
	for (int i = 0; i < scans - have; i++)
		memcpy(out + end[k] + one * (size_t)i, jpg + start[k], one);
	memcpy(out + end[k] + one * (size_t)(scans - have), jpg + end[k], len - end[k]);
	assert_int_equal(jpeg_scans(out, n, start, end, 0), scans);
	*outlen = n;
	return out;
}

static void test_jpeg_scans(void **state)
{
	struct media_image m;
	char dir[256], err[256];
	VipsImage *im = make_image(600, 400, 3);
	void *prog = NULL, *rst = NULL;
	unsigned char *many;
	size_t len, rlen, mlen;
	(void)state;

	media_dir(dir, sizeof(dir), "scans");
	/* A normal progressive JPEG (libjpeg's 10 scans) is taken, and so is a
	 * baseline one with restart markers inside its one scan. */
	assert_int_equal(vips_jpegsave_buffer(im, &prog, &len, "interlace", TRUE, NULL), 0);
	assert_int_equal(jpeg_scans(prog, len, NULL, NULL, 0), 10);
	assert_int_equal(media_ingest(dir, prog, len, &m, err, sizeof(err)), MEDIA_OK);
	assert_int_equal(vips_jpegsave_buffer(im, &rst, &rlen, "restart_interval", 2, NULL), 0);
	assert_int_equal(jpeg_scans(rst, rlen, NULL, NULL, 0), 1);
	assert_int_equal(media_ingest(dir, rst, rlen, &m, err, sizeof(err)), MEDIA_OK);
	g_object_unref(im);

	/* Over the limit: refused before libvips reads it, whatever the size. */
	many = jpeg_with_scans(prog, len, 1, MODEL_UPLOAD_MAX_SCANS + 1, &mlen);
	expect_error(dir, many, mlen, MEDIA_ECOSTLY);
	assert_int_equal(media_ingest(dir, many, mlen, &m, err, sizeof(err)), MEDIA_ECOSTLY);
	assert_non_null(strstr(err, "progressive scans"));
	free(many);
	many = jpeg_with_scans(prog, len, 1, 2080, &mlen);
	expect_error(dir, many, mlen, MEDIA_ECOSTLY);
	free(many);
	g_free(prog);
	g_free(rst);
}

/* A valid PNG of w x h pixels, all one colour, of `depth` bits and colour type
 * `ctype` (2 RGB, 6 RGBA): each row after the first is filtered to zeros, so
 * the file is small whatever it decodes to. The caller frees. */
static unsigned char *png_flat(uint32_t w, uint32_t h, int depth, int ctype, size_t *outlen)
{
	size_t bpp = (size_t)(ctype == 6 ? 4 : 3) * (size_t)depth / 8, rowlen = 1 + w * bpp;
	size_t cap = 4 << 20, n = 8;
	unsigned char *b = malloc(cap), *row = calloc(1, rowlen);
	z_stream z = { 0 };

	assert_non_null(b);
	assert_non_null(row);
	memcpy(b, "\x89PNG\r\n\x1a\n", 8);
	put32(b + n, 13);
	memcpy(b + n + 4, "IHDR", 4);
	put32(b + n + 8, w);
	put32(b + n + 12, h);
	b[n + 16] = (unsigned char)depth;
	b[n + 17] = (unsigned char)ctype;
	memset(b + n + 18, 0, 3);
	put32(b + n + 21, (uint32_t)crc32(0, b + n + 4, 17));
	n += 25;
	assert_int_equal(deflateInit(&z, 9), Z_OK);
	z.next_out = b + n + 8;
	z.avail_out = (uInt)(cap - n - 8 - 12);
	for (uint32_t y = 0; y < h; y++) {
		if (y == 0) {
			for (size_t i = 1; i < rowlen; i++)
				row[i] = (unsigned char)(0x40 + i % 7);
		} else {
			memset(row, 0, rowlen);
			row[0] = 2; /* "up": the same as the row above */
		}
		z.next_in = row;
		z.avail_in = (uInt)rowlen;
		assert_int_equal(deflate(&z, y + 1 == h ? Z_FINISH : Z_NO_FLUSH),
				 y + 1 == h ? Z_STREAM_END : Z_OK);
	}
	put32(b + n, (uint32_t)z.total_out);
	memcpy(b + n + 4, "IDAT", 4);
	put32(b + n + 8 + z.total_out, (uint32_t)crc32(0, b + n + 4, 4 + (uInt)z.total_out));
	n += 12 + z.total_out;
	deflateEnd(&z);
	put32(b + n, 0);
	memcpy(b + n + 4, "IEND", 4);
	put32(b + n + 8, (uint32_t)crc32(0, b + n + 4, 4));
	free(row);
	*outlen = n + 12;
	return b;
}

static void test_decoded_bytes(void **state)
{
	struct media_image m;
	char dir[256], err[256];
	unsigned char *png;
	size_t len;
	(void)state;

	media_dir(dir, sizeof(dir), "decoded");
	/* 7000 x 7000 is within the pixel limit, but at 16 bits with alpha it
	 * decodes to 392 MB: refused from its header. */
	png = png_flat(7000, 7000, 16, 6, &len);
	assert_true(len < 1024 * 1024);
	expect_error(dir, png, len, MEDIA_ECOSTLY);
	assert_int_equal(media_ingest(dir, png, len, &m, err, sizeof(err)), MEDIA_ECOSTLY);
	assert_non_null(strstr(err, "16 bits"));
	free(png);
	/* 16 bits with alpha at a size a photo has is taken. */
	png = png_flat(800, 600, 16, 6, &len);
	assert_int_equal(media_ingest(dir, png, len, &m, err, sizeof(err)), MEDIA_OK);
	assert_int_equal(m.width, 800);
	free(png);
	assert_int_equal(dir_count(dir), 2);
}

/* The decode and re-encode run under a time budget: one that runs out is a
 * clear refusal that leaves nothing behind and no libvips object alive. */
static void test_budget(void **state)
{
	struct media_image m;
	char dir[256], err[256];
	unsigned char *png;
	size_t len;
	(void)state;

	media_dir(dir, sizeof(dir), "budget");
	png = png_flat(3000, 3000, 16, 2, &len);
	media_set_budget(1);
	expect_error(dir, png, len, MEDIA_ECOSTLY);
	assert_int_equal(media_ingest(dir, png, len, &m, err, sizeof(err)), MEDIA_ECOSTLY);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(dir_count(dir), -1);
	free(png);
	/* The default budget takes a normal file (small enough to stay well
	 * within it under the sanitizers too). */
	media_set_budget(0);
	png = png_flat(1200, 800, 8, 2, &len);
	assert_int_equal(media_ingest(dir, png, len, &m, err, sizeof(err)), MEDIA_OK);
	assert_int_equal(m.width, 1200);
	free(png);
}

/* A failure after some copies were written removes them: here the file size
 * limit lets the 480 copy through and stops the 960 one. */
static void test_failure_leaves_nothing(void **state)
{
	struct media_image m;
	char dir[256], probe[256], err[256], path[600];
	struct rlimit old, lim;
	struct stat st;
	VipsImage *im;
	size_t len;
	void *jpg;
	(void)state;

	im = make_image(1200, 800, 3);
	jpg = encode(im, "jpeg", &len);
	g_object_unref(im);

	media_dir(probe, sizeof(probe), "probe");
	assert_int_equal(media_ingest(probe, jpg, len, &m, err, sizeof(err)), MEDIA_OK);
	snprintf(path, sizeof(path), "%s/%s-480.jpg", probe, m.name);
	assert_int_equal(stat(path, &st), 0);

	media_dir(dir, sizeof(dir), "fail");
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 1;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	log_set_level(LOG_LEVEL_ERROR); /* the warnings are expected */
	expect_error(dir, jpg, len, MEDIA_EIO);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(dir_count(dir), 0);

	/* The folder cannot be made: a file is in the way. */
	snprintf(path, sizeof(path), "%s/%s-480.jpg/sub", probe, m.name);
	expect_error(path, jpg, len, MEDIA_EIO);
	log_set_level(LOG_LEVEL_INFO);
	assert_int_equal(dir_count(probe), 3);
	g_free(jpg);
}

static void test_file_valid(void **state)
{
	static const char *good[] = {
		"0123456789abcdef0123456789abcdef-480.jpg",
		"0123456789abcdef0123456789abcdef-1.png",
		"0123456789abcdef0123456789abcdef-99999.webp",
	};
	static const char *bad[] = {
		"",
		"0123456789abcdef0123456789abcdef",
		"0123456789ABCDEF0123456789abcdef-480.jpg",
		"0123456789abcdef0123456789abcde-480.jpg",
		"0123456789abcdef0123456789abcdef0-480.jpg",
		"0123456789abcdef0123456789abcdeg-480.jpg",
		"0123456789abcdef0123456789abcdef-0480.jpg",
		"0123456789abcdef0123456789abcdef-0.jpg",
		"0123456789abcdef0123456789abcdef-.jpg",
		"0123456789abcdef0123456789abcdef-100000.jpg",
		"0123456789abcdef0123456789abcdef-480.jpeg",
		"0123456789abcdef0123456789abcdef-480.JPG",
		"0123456789abcdef0123456789abcdef-480.gif",
		"0123456789abcdef0123456789abcdef-480.",
		"0123456789abcdef0123456789abcdef-480jpg",
		"0123456789abcdef0123456789abcdef-480.jpg/",
		"0123456789abcdef0123456789abcdef-480.jpg.png",
		"0123456789abcdef0123456789abcdef-480.jpg ",
		"0123456789abcdef0123456789abcdef_480.jpg",
		"/0123456789abcdef0123456789abcdef-480.jpg",
		"../0123456789abcdef0123456789abcdef-480.jpg",
		"../../etc/passwd",
		"0123456789abcdef0123456789abcdef-480.jpg/../../x",
		"..",
		".0123456789abcdef0123456789abcdef-480.jpg.a1b2c3",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(media_file_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(media_file_valid(bad[i]));
		assert_null(media_content_type(bad[i]));
	}
	assert_false(media_file_valid(NULL));
	assert_string_equal(media_content_type(good[0]), "image/jpeg");
	assert_string_equal(media_content_type(good[1]), "image/png");
	assert_string_equal(media_content_type(good[2]), "image/webp");
}

#define NAME "0123456789abcdef0123456789abcdef"

static void test_srcset_and_urls(void **state)
{
	static const char *ours[] = { "/media/" NAME "-1600.jpg",
				      "http://example.com/media/" NAME "-1600.jpg",
				      "https://live.example.com:8443/media/" NAME "-1600.jpg",
				      "https://[::1]:8080/media/" NAME "-1600.jpg" };
	static const char *theirs[] = {
		"",
		"/media/",
		"media/" NAME "-1600.jpg",
		"/uploads/" NAME "-1600.jpg",
		"/media/" NAME "-1600.jpg?w=1",
		"/media/" NAME "-1600.jpg#x",
		"/media/../" NAME "-1600.jpg",
		"/media//" NAME "-1600.jpg",
		"/media/" NAME "-1601.jpg", /* wider than any copy we make */
		"/media/" NAME "-0.jpg",
		"//example.com/media/" NAME "-1600.jpg",
		"ftp://example.com/media/" NAME "-1600.jpg",
		"https:///media/" NAME "-1600.jpg",
		"https://user@example.com/media/" NAME "-1600.jpg",
		"https://example.com/x/media/" NAME "-1600.jpg",
		"javascript:alert(1)//media/" NAME "-1600.jpg",
	};
	int w[MEDIA_N_WIDTHS];
	char out[200];
	(void)state;

	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		assert_int_equal(media_srcset_widths(ours[i], w), 3);
		assert_int_equal(w[0], 480);
		assert_int_equal(w[1], 960);
		assert_int_equal(w[2], 1600);
	}
	for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); i++) {
		assert_int_equal(media_srcset_widths(theirs[i], w), 0);
		assert_int_equal(media_url_for_width(theirs[i], 480, out, sizeof(out)), -1);
	}
	assert_int_equal(media_srcset_widths(NULL, w), 0);
	assert_int_equal(media_srcset_widths("/media/" NAME "-700.png", w), 2);
	assert_int_equal(w[0], 480);
	assert_int_equal(w[1], 700);
	assert_int_equal(media_srcset_widths("/media/" NAME "-960.webp", w), 2);
	assert_int_equal(w[1], 960);
	assert_int_equal(media_srcset_widths("/media/" NAME "-300.webp", w), 1);
	assert_int_equal(w[0], 300);

	assert_int_equal(media_url_for_width(ours[1], 480, out, sizeof(out)), 0);
	assert_string_equal(out, "http://example.com/media/" NAME "-480.jpg");
	assert_int_equal(media_url_for_width(ours[0], 960, out, sizeof(out)), 0);
	assert_string_equal(out, "/media/" NAME "-960.jpg");
	assert_int_equal(media_url_for_width(ours[0], 1600, out, sizeof(out)), 0);
	assert_string_equal(out, ours[0]);
	assert_int_equal(media_url_for_width("/media/" NAME "-700.png", 480, out, sizeof(out)), 0);
	assert_string_equal(out, "/media/" NAME "-480.png");
	/* Only widths that are stored. */
	assert_int_equal(media_url_for_width("/media/" NAME "-700.png", 960, out, sizeof(out)), -1);
	assert_int_equal(media_url_for_width(ours[0], 500, out, sizeof(out)), -1);
	/* Too small a buffer: exactly one byte short, then exactly enough. */
	assert_int_equal(media_url_for_width(ours[0], 480, out, strlen(ours[0]) - 1), -1);
	assert_int_equal(media_url_for_width(ours[0], 480, out, strlen(ours[0])), 0);
}

static void test_default_dir(void **state)
{
	char out[32], big[4096];
	(void)state;

	assert_int_equal(media_default_dir("data/live.db", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "data/live.db-media");
	assert_int_equal(media_default_dir("/var/lib/liveline/live.db", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "/var/lib/liveline/live.db-media"); /* 31 + NUL */
	assert_int_equal(media_default_dir("/var/lib/liveline/live2.db", 0, out, sizeof(out)), -1);
	assert_int_equal(media_default_dir("", 0, out, sizeof(out)), -1);

	/* A shared database: nothing is beside it, so a cache of this user's. */
	setenv("XDG_CACHE_HOME", "/home/ann/.cache", 1);
	assert_int_equal(media_default_dir("postgresql:///live", 1, big, sizeof(big)), 0);
	assert_string_equal(big, "/home/ann/.cache/liveline/media");
	setenv("XDG_CACHE_HOME", "relative/cache", 1); /* ignored, as XDG says */
	assert_int_equal(media_default_dir("postgresql:///live", 1, big, sizeof(big)), 0);
	assert_int_equal(strncmp(big, "/var/tmp/liveline-", 18), 0);
	assert_string_equal(big + strlen(big) - 6, "/media");
	unsetenv("XDG_CACHE_HOME");
}

/* The cache folder is made 0700, and one that someone else could write (or
 * a link, which anyone may plant under /var/tmp) is refused with a reason. */
static void test_cache_ready(void **state)
{
	char dir[PATH_MAX + 8], parent[PATH_MAX], err[256] = "";
	struct stat st;

	(void)state;
	media_dir(parent, sizeof(parent), "cache");
	snprintf(dir, sizeof(dir), "%s/media", parent);
	assert_int_equal(media_cache_ready(dir, err, sizeof(err)), 0);
	assert_int_equal(stat(parent, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(media_cache_ready(dir, err, sizeof(err)), 0); /* again: fine */

	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(media_cache_ready(dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "only it may write"));
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(symlink("/tmp", dir), 0);
	assert_int_equal(media_cache_ready(dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, dir));
	assert_int_equal(unlink(dir), 0);
	assert_int_equal(media_cache_ready("relative", err, sizeof(err)), -1);
}

/* What the media route stores in a node's cache: a valid name only, the
 * folder made when missing, no temporary file left, and read back whole. */
static void test_file_write_read(void **state)
{
	static const char name[] = "0123456789abcdef0123456789abcdef-480.png";
	char dir[PATH_MAX], path[PATH_MAX + 64];
	void *data = NULL;
	size_t len = 0;

	(void)state;
	media_dir(dir, sizeof(dir), "put/nested");
	assert_int_equal(media_file_write(dir, name, "bytes", 5), 0);
	assert_int_equal(media_file_write(dir, name, "other", 5), 0); /* the first stays */
	assert_int_equal(media_file_read(dir, name, &data, &len), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "bytes", 5);
	free(data);
	assert_int_equal(dir_count(dir), 1);
	errno = 0;
	assert_int_equal(media_file_write(dir, "../escape-480.png", "x", 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(media_file_read(dir, "0123456789abcdef0123456789abcdef-960.png", &data,
					 &len), -1);
	assert_int_equal(errno, ENOENT);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
}

static int remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[1024];

	if (lstat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		d = opendir(path);
		if (!d)
			return -1;
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			remove_tree(sub);
		}
		closedir(d);
		return rmdir(path);
	}
	return unlink(path);
}

static int group_setup(void **state)
{
	struct media_image m;
	char dir[256], err[256];
	static const char *formats[] = { "jpeg", "png", "webp" };
	(void)state;

	if (media_init("test_media") != 0 || media_init("test_media") != 0)
		return -1;
	if (!mkdtemp(media_root))
		return -1;
	/* Warm up: libvips makes some objects once (interpolators, profiles),
	 * which must not count as leaks of the first test. */
	media_dir(dir, sizeof(dir), "warmup");
	for (int i = 0; i < 3; i++) {
		VipsImage *im = make_image(600, 100, 3);
		size_t len;
		void *buf = encode(im, formats[i], &len);

		g_object_unref(im);
		if (media_ingest(dir, buf, len, &m, err, sizeof(err)) != MEDIA_OK)
			return -1;
		g_free(buf);
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	remove_tree(media_root);
	vips_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jpeg_loses_gps_and_is_upright),
		cmocka_unit_test(test_png_round_trip),
		cmocka_unit_test(test_webp_round_trip),
		cmocka_unit_test(test_colour_spaces),
		cmocka_unit_test(test_width_ladder),
		cmocka_unit_test(test_same_upload_same_name),
		cmocka_unit_test(test_not_an_image),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_jpeg_scans),
		cmocka_unit_test(test_decoded_bytes),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_failure_leaves_nothing),
		cmocka_unit_test(test_file_valid),
		cmocka_unit_test(test_srcset_and_urls),
		cmocka_unit_test(test_default_dir),
		cmocka_unit_test(test_cache_ready),
		cmocka_unit_test(test_file_write_read),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
