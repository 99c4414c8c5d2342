/*
 * Fuzz target: the plain-text importer (text_parse, src/text/text_import.c),
 * which reads whatever file an operator is given. Any input must either be
 * refused with a reason (and a line number within the input) or give a model
 * that the exporter can write; never a crash, a leak or undefined behaviour.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "text/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text_import_opts opts = { .year = 2025, .zone = "Europe/London" };
	struct model_summary summary = { 0 };
	struct model_post *posts = NULL;
	struct text_error err;
	size_t n = 0, lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (text_parse((const char *)data, size, &opts, &summary, &posts, &n, &err) < 0) {
		FUZZ_CHECK(err.msg[0] != '\0', "a refusal without a reason");
		FUZZ_CHECK(err.line <= lines, "a refusal names line %zu of %zu", err.line,
			   lines);
		FUZZ_CHECK(posts == NULL && n == 0, "a refusal left posts behind");
		return 0;
	}
	model_posts_free(posts, n);
	model_summary_cleanup(&summary);
	return 0;
}
