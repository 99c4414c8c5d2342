/*
 * `liveline copy --to TARGET`: moves a whole database, images included, into
 * a new one (SQLite into PostgreSQL is the point), then checks the result: the
 * rows of every table counted on both sides, and every page exported as text
 * from both and compared byte for byte, since the export is what a page means
 * to a reader. The copy itself is store_copy(); this file gives it the images
 * that older databases keep only in their media folder, and reports.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"
#include "serve/serve.h"
#include "store/store_copy.h"
#include "util/buf.h"

static const char usage_copy[] =
	"usage: liveline [--db SOURCE] copy --to TARGET [--media DIR]\n"
	"\n"
	"Copies the whole database SOURCE into TARGET, a new database: a\n"
	"PostgreSQL connection string (postgresql://...) or a SQLite file, which\n"
	"must hold nothing yet. Everything is copied with its ids (pages, posts,\n"
	"the change log, accounts, sessions, API tokens, drafts, revisions, the\n"
	"audit trail and the images), so permalinks, readers' Last-Event-IDs,\n"
	"sign-ins and tokens stay valid. SOURCE is only read.\n"
	"Images that SOURCE keeps only in its media folder (a database from\n"
	"before images were kept in it) are read from --media (default as for\n"
	"serve: $LIVELINE_MEDIA, else DB-media beside a SQLite file); one missing\n"
	"there is an error that names it.\n"
	"The copy is one transaction: on any error TARGET is left empty. Then the\n"
	"result is checked: every table's rows counted on both sides, and every\n"
	"page exported as text (as `export` writes it) from both and compared byte\n"
	"for byte. Exit status 0 only when everything matched.\n";

/* store_copy_files_fn: a media record's files from the source's folder. */
struct cli_copy_media {
	const char *dir;
};

static void cli_copy_files_free(struct store_copy_file *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(out[i].data);
		out[i].data = NULL;
	}
}

static int cli_copy_files(void *ctx, const struct model_media *m, struct store_copy_file *out,
			  size_t max, size_t *n, char *err, size_t errlen)
{
	const struct cli_copy_media *cm = ctx;
	const char *ext = media_format_ext(m->format);
	const char *p = m->widths;

	*n = 0;
	if (!ext) {
		snprintf(err, errlen, "image %s has an unknown format \"%s\"", m->name, m->format);
		return -1;
	}
	while (p && *p) {
		char *end;
		long w;
		int len;

		errno = 0;
		w = strtol(p, &end, 10);
		if (errno || end == p || w <= 0 || (*end && *end != ',') || *n == max)
			goto bad_widths;
		len = snprintf(out[*n].file, sizeof(out[*n].file), "%s-%ld.%s", m->name, w, ext);
		if (len < 0 || (size_t)len >= sizeof(out[*n].file) ||
		    !media_file_valid(out[*n].file))
			goto bad_widths;
		if (media_file_read(cm->dir, out[*n].file, &out[*n].data, &out[*n].len) < 0) {
			snprintf(err, errlen, "image file %s is in neither the database nor %s (%s)",
				 out[*n].file, cm->dir, strerror(errno));
			goto fail;
		}
		++*n;
		p = *end ? end + 1 : end;
	}
	if (*n == 0)
		goto bad_widths;
	return 0;
bad_widths:
	snprintf(err, errlen, "image %s has bad widths \"%s\"", m->name, m->widths);
fail:
	cli_copy_files_free(out, *n);
	*n = 0;
	return -1;
}

/* Exports every page of the source from both stores and compares; prints a
 * line per page that differs. Returns how many pages matched, into *same, and
 * how many there were; -1 when they could not be read. */
static int cli_copy_compare(struct store *src, struct store *dst, size_t *same, size_t *all)
{
	struct model_page *pages = NULL;
	struct buf a, b;
	size_t n = 0;
	int rc = -1;

	*same = 0;
	if (store_page_list(src, &pages, &n) < 0) {
		fprintf(stderr, "liveline copy: the source: %s\n", store_errmsg(src));
		return -1;
	}
	*all = n;
	buf_init(&a, CLI_TEXT_MAX);
	buf_init(&b, CLI_TEXT_MAX);
	for (size_t i = 0; i < n; i++) {
		buf_reset(&a);
		buf_reset(&b);
		if (cli_page_text(src, pages[i].slug, &a) < 0)
			goto out;
		if (cli_page_text(dst, pages[i].slug, &b) < 0) {
			printf("  page %-40s missing or unreadable in the target\n", pages[i].slug);
			continue;
		}
		if (a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0))
			++*same;
		else
			printf("  page %-40s exports differently (%zu bytes, %zu in the target)\n",
			       pages[i].slug, a.len, b.len);
	}
	rc = 0;
out:
	buf_cleanup(&a);
	buf_cleanup(&b);
	model_pages_free(pages, n);
	return rc;
}

int cli_copy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "media", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static char media_buf[4096];
	struct cli_copy_media cm = { 0 };
	struct store_copy_report rep;
	struct store *src = NULL, *dst = NULL;
	const char *to = NULL, *media = NULL;
	char err[512];
	size_t same = 0, pages = 0;
	int c, rc = 1, ok;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'M': media = optarg; break;
		case 'h': return cli_usage(usage_copy, 0);
		default: return cli_bad_option("copy", usage_copy);
		}
	}
	if (optind != argc || !to || !*to)
		return cli_bad_option("copy", usage_copy);
	if (strcmp(to, cli_db) == 0) {
		fprintf(stderr, "liveline copy: --to names the source database itself\n");
		return CLI_EXIT_USAGE;
	}
	cm.dir = serve_media_dir(media, cli_db, media_buf, sizeof(media_buf), err, sizeof(err));
	if (!cm.dir) {
		fprintf(stderr, "liveline copy: %s\n", err);
		return 1;
	}
	src = cli_open_store();
	if (!src)
		return 1;
	dst = store_open(to, err, sizeof(err));
	if (!dst) {
		fprintf(stderr, "liveline copy: the target: %s\n", err);
		goto out;
	}
	if (store_copy(src, dst, cli_copy_files, &cm, &rep) < 0) {
		fprintf(stderr, "liveline copy: %s (nothing was copied)\n", store_errmsg(dst));
		goto out;
	}
	printf("copied %s into the target; checking\n", cli_db);
	for (size_t i = 0; i < rep.n_tables; i++) {
		int64_t want = rep.tables[i].source + rep.tables[i].added;

		if (rep.tables[i].target == want)
			printf("  %-16s %10lld rows ok\n", rep.tables[i].table,
			       (long long)rep.tables[i].target);
		else
			printf("  %-16s %10lld rows, but %lld in the target\n", rep.tables[i].table,
			       (long long)want, (long long)rep.tables[i].target);
	}
	if (rep.files_from_folder)
		printf("  %zu image file%s read from %s\n", rep.files_from_folder,
		       rep.files_from_folder == 1 ? "" : "s", cm.dir);
	if (cli_copy_compare(src, dst, &same, &pages) < 0)
		goto out;
	printf("  %zu of %zu page%s export byte-identical\n", same, pages, pages == 1 ? "" : "s");
	ok = store_copy_report_ok(&rep) && same == pages;
	printf("%s\n", ok ? "the copy matches the source"
			  : "THE COPY DIFFERS from the source: do not use it");
	rc = ok ? 0 : 1;
out:
	store_close(dst);
	store_close(src);
	return rc;
}
