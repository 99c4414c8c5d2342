/*
 * Uploads whose PNG chunks claim more bytes than the file holds are refused
 * before libvips reads them: libpng allocates and clears a chunk's declared
 * length first, so a 119-byte file found by tests/fuzz/fuzz_media (kept in its
 * corpus as png-chunk-overrun.png) whose second chunk claims 1.7 GB held a
 * worker for 45 s and 1.6 GB. The refusal says why; well-formed PNGs with any
 * ancillary chunks still go through.
 */
#include "unit.h"

#include <ftw.h>
#include <sys/stat.h>

#include "media/media.h"

static char dir[] = "/tmp/liveline-media-png-XXXXXX";

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	(void)state;
	return media_init("test_media_png") == 0 && mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int ingest(const void *data, size_t len, char *err, size_t errlen)
{
	struct media_image m;

	return media_ingest(dir, data, len, &m, err, errlen);
}

static void test_chunk_longer_than_file(void **state)
{
	size_t len;
	char *data = unit_read_file("tests/fuzz/corpus/media/png-chunk-overrun.png", &len);
	char err[256];
	(void)state;

	assert_int_equal(len, 119);
	assert_int_equal(ingest(data, len, err, sizeof(err)), MEDIA_EDECODE);
	assert_non_null(strstr(err, "claims more bytes than the file holds"));
	free(data);
}

static void test_well_formed_and_cut(void **state)
{
	size_t small_len, exif_len;
	char *png = unit_read_file("tests/fuzz/corpus/media/small.png", &small_len);
	char *exif = unit_read_file("tests/fuzz/corpus/media/exif.png", &exif_len);
	char err[256];
	(void)state;

	/* Every chunk fits: accepted, ancillary chunks (eXIf, tEXt) and all. */
	assert_int_equal(ingest(png, small_len, err, sizeof(err)), MEDIA_OK);
	assert_int_equal(ingest(exif, exif_len, err, sizeof(err)), MEDIA_OK);
	/* The end chunk's checksum cut short: its 4 bytes are not all there. */
	assert_int_equal(ingest(png, small_len - 2, err, sizeof(err)), MEDIA_EDECODE);
	assert_non_null(strstr(err, "claims more bytes"));
	/* Cut inside the pixels: the pixel chunk claims more than is left. */
	assert_int_equal(ingest(png, small_len - 20, err, sizeof(err)), MEDIA_EDECODE);
	assert_non_null(strstr(err, "claims more bytes"));
	free(png);
	free(exif);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunk_longer_than_file),
		cmocka_unit_test(test_well_formed_and_cut),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
