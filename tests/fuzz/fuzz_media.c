/*
 * Fuzz target: an uploaded image (src/media/media.c): recognition by content,
 * the size checks before decoding, libvips' decoders and the re-encoding with
 * metadata removed. Any input is refused with a reason or stored; a stored copy
 * must be in the format it was recognised as and carry no metadata, checked on
 * its bytes (no APP1 segment in a JPEG; no eXIf, tEXt, zTXt or iTXt chunk in a
 * PNG; no EXIF or XMP chunk in a WebP), since a reader that goes through
 * libvips would hide a chunk whose header flag is cleared.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "media/media.h"

static char fuzz_dir[] = "/tmp/liveline-fuzz-media-XXXXXX";

static void fuzz_empty_dir(void)
{
	DIR *d = opendir(fuzz_dir);
	struct dirent *de;
	char path[512];

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

static void fuzz_cleanup(void)
{
	fuzz_empty_dir();
	rmdir(fuzz_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	FUZZ_CHECK(mkdtemp(fuzz_dir) != NULL, "mkdtemp");
	FUZZ_CHECK(media_init((*argv)[0]) == 0, "media_init");
	atexit(fuzz_cleanup);
	return 0;
}

static uint32_t fuzz_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t fuzz_le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Walks a stored copy's container and fails on any metadata in it. */
static void fuzz_check_stored(const char *format, const unsigned char *p, size_t len)
{
	size_t i;

	if (strcmp(format, "jpeg") == 0) {
		FUZZ_CHECK(len >= 4 && p[0] == 0xff && p[1] == 0xd8, "not a JPEG");
		/* Markers up to the first scan: APPn segments carry the metadata
		 * (APP1: Exif, XMP); JFIF's APP0 and Adobe's APP14 are allowed. */
		for (i = 2; i + 4 <= len && p[i] == 0xff && p[i + 1] != 0xda;) {
			unsigned m = p[i + 1];
			FUZZ_CHECK(m != 0xe1, "an APP1 (Exif or XMP) segment in a stored JPEG");
			FUZZ_CHECK(m != 0xed, "an APP13 (IPTC) segment in a stored JPEG");
			i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]);
		}
	} else if (strcmp(format, "png") == 0) {
		FUZZ_CHECK(len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0, "not a PNG");
		for (i = 8; i + 8 <= len; i += 12 + fuzz_be32(p + i)) {
			const unsigned char *t = p + i + 4;
			FUZZ_CHECK(memcmp(t, "eXIf", 4) && memcmp(t, "tEXt", 4) &&
					   memcmp(t, "zTXt", 4) && memcmp(t, "iTXt", 4),
				   "a %.4s chunk in a stored PNG", (const char *)t);
		}
	} else {
		FUZZ_CHECK(len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0,
			   "not a WebP");
		for (i = 12; i + 8 <= len; i += 8 + ((fuzz_le32(p + i + 4) + 1) & ~1u)) {
			const unsigned char *t = p + i;
			FUZZ_CHECK(memcmp(t, "EXIF", 4) && memcmp(t, "XMP ", 4),
				   "a %.4s chunk in a stored WebP", (const char *)t);
			if (memcmp(t, "VP8X", 4) == 0 && i + 9 <= len)
				FUZZ_CHECK((p[i + 8] & 0x0c) == 0,
					   "a stored WebP's VP8X flags announce EXIF or XMP");
		}
	}
}

static void fuzz_check_files(const struct media_image *img)
{
	for (int k = 0; k < img->n_widths; k++) {
		char path[512];
		unsigned char *buf;
		struct stat st;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s-%d.%s", fuzz_dir, img->name, img->widths[k],
			 img->ext);
		f = fopen(path, "rb");
		FUZZ_CHECK(f != NULL, "%s is missing", path);
		FUZZ_CHECK(fstat(fileno(f), &st) == 0 && st.st_size > 0, "%s is empty", path);
		buf = malloc((size_t)st.st_size);
		FUZZ_CHECK(buf && fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size,
			   "reading %s", path);
		fclose(f);
		fuzz_check_stored(img->format, buf, (size_t)st.st_size);
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct media_image img;
	char err[256] = "";
	int rc = media_ingest(fuzz_dir, data, size, &img, err, sizeof(err));

	if (rc == MEDIA_OK) {
		FUZZ_CHECK(img.n_widths >= 1 && img.n_widths <= MEDIA_N_WIDTHS, "%d widths",
			   img.n_widths);
		fuzz_check_files(&img);
	} else {
		FUZZ_CHECK(rc == MEDIA_EFORMAT || rc == MEDIA_ETOOBIG || rc == MEDIA_EDECODE,
			   "media_ingest: %d (%s)", rc, err);
		FUZZ_CHECK(err[0] != '\0', "a refusal without a reason");
	}
	fuzz_empty_dir();
	return 0;
}
