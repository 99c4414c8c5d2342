/*
 * The commands that manage live pages as a whole: import and export of the
 * plain-text form, list, and serve; and the helpers every command shares.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/model_json.h"
#include "model/model_limits.h"
#include "serve/serve.h"
#include "stream/stream_event.h"
#include "text/text.h"
#include "util/buf.h"
#include "util/tz.h"

const char *cli_db = "liveline.db";

static const char usage_import[] =
	"usage: liveline [--db FILE] import --year YYYY --slug SLUG [--title T] [--zone ZONE]\n"
	"                [--description D] [--status upcoming|live|ended] [--unpublished]\n"
	"                PATH\n"
	"\n"
	"Creates live page SLUG and its posts from a capture in the plain-text form\n"
	"(PATH, or - for standard input). The text has no year: --year is the year of\n"
	"the oldest post, and every post's time must be " MODEL_TIME_RANGE_TEXT ".\n"
	"Times are read in ZONE (an IANA zone, default Europe/London) and the zone\n"
	"names in the text must agree with it. The import is one\n"
	"transaction: on any error nothing is stored, and the error names the line.\n"
	"The page is public at once; with --unpublished only the newsroom sees it\n"
	"until `liveline page publish SLUG` (or an editor in the newsroom).\n"
	"The text form has no title: without --title the page is titled after its\n"
	"slug, hyphens as spaces and the first letter a capital (harbour-bridge-reopening\n"
	"gives \"Harbour bridge reopening\"); an editor may retitle it in the newsroom.\n";

static const char usage_page[] =
	"usage: liveline [--db FILE] page publish|unpublish SLUG\n"
	"\n"
	"publish makes live page SLUG public: it appears on the index, at its address,\n"
	"in its feeds and streams. unpublish takes it back to the newsroom: readers get\n"
	"404 for every address of it, and its open streams end. Either is a change\n"
	"every running server applies within a second; doing it twice changes nothing.\n";

static const char usage_export[] =
	"usage: liveline [--db FILE] export [--format text|json] SLUG\n"
	"\n"
	"Writes live page SLUG to standard output: in the plain-text form (default),\n"
	"which `import` reads back, or as one JSON document with every post.\n";

static const char usage_init[] =
	"usage: liveline [--db FILE] init\n"
	"\n"
	"Creates an empty database at FILE (its folder must exist), or upgrades the\n"
	"one there to this version's schema. Only init, import and serve create a\n"
	"database; every other command needs one and exits 1 without it.\n";

static const char usage_list[] =
	"usage: liveline [--db FILE] list\n"
	"\n"
	"Prints one line per live page: slug, status, published or unpublished,\n"
	"number of posts, title (separated by tabs).\n";

static const char usage_serve[] =
	"usage: liveline [--db FILE] serve [--config FILE] [--check]\n"
	"                [--listen HOST:PORT] [--workers N]\n"
	"                [--connections N] [--connection-memory BYTES]\n"
	"                [--idle-timeout SECONDS] [--cache-entries N] [--cache-mb MB]\n"
	"                [--heartbeat SECONDS] [--replay EVENTS] [--media DIR]\n"
	"                [--request-priority realtime|STEPS]\n"
	"                [--trusted-proxy ADDR[/PREFIX][,...]]...\n"
	"                [--metrics-allow ADDR[/PREFIX][,...]]...\n"
	"                [--metrics-listen HOST:PORT]\n"
	"                [--access-log FILE] [--access-log-format combined|json]\n"
	"                [--log-level error|warn|info|debug]\n"
	"                [--public-base-url URL]\n"
	"\n"
	"Serves the reader's pages, the newsroom (/newsroom) and its API (/api/v1). --listen defaults to 127.0.0.1:8080 (port 0 picks a\n"
	"free port; the address is printed). --workers defaults to one per core.\n"
	"--connections caps open connections per worker, open streams included\n"
	"(default 10000); beyond it new connections are closed unanswered.\n"
	"--connection-memory is each request's buffer for its headers and the\n"
	"response (default 8192): larger headers get 431. An open stream does not\n"
	"keep it (see docs/performance.md).\n"
	"--idle-timeout closes a connection idle that many seconds (default 60;\n"
	"open streams are exempt).\n"
	"--cache-entries and --cache-mb bound each worker's cache of rendered\n"
	"responses (defaults 4096 entries and 256 MiB); past either, the least\n"
	"recently stored go first.\n"
	"--heartbeat is the interval of keep-alive comments on streams (default 15);\n"
	"text streams get TCP keepalive probes at that interval instead.\n"
	"--replay is how many events per page a reconnecting reader can catch up on,\n"
	"and how far behind a slow reader may fall before it is dropped (default 512).\n"
	"--request-priority puts each worker's request thread ahead of the threads\n"
	"that send to open streams, so that page requests do not wait behind a big\n"
	"fan-out: realtime (the default) runs it 10 steps of nice up, and SCHED_RR\n"
	"while its streams are being sent a post (newsroom and API requests\n"
	"excepted); STEPS (1 to 19) runs it that many steps of nice up; 0 turns it\n"
	"off. realtime needs CAP_SYS_NICE or LimitRTPRIO=1, nice CAP_SYS_NICE or\n"
	"LimitNICE=; without, a line says so at start and the server falls back to\n"
	"nice, or to none.\n"
	"--media is the folder of uploaded images, a cache of the copies the\n"
	"database holds, filled again from it when a file is missing (default:\n"
	"$LIVELINE_MEDIA, else DB-media beside a SQLite file; for PostgreSQL\n"
	"$XDG_CACHE_HOME/liveline/media, else /var/tmp/liveline-USER/media).\n"
	"Every worker also publishes scheduled posts when they are due.\n"
	"--trusted-proxy names a reverse proxy (an address or a network, repeatable\n"
	"or comma-separated, e.g. 127.0.0.1,::1): for connections from it, the\n"
	"client's address and scheme are taken from X-Forwarded-For and\n"
	"X-Forwarded-Proto (or Forwarded), right-most untrusted address first. They\n"
	"key the sign-in limits and the logs; https makes the session cookie Secure\n"
	"and adds Strict-Transport-Security. Other peers' forwarding headers are\n"
	"ignored. Default: none.\n"
	"--config reads the settings from FILE (liveline.conf(5): each flag's\n"
	"name is a key, and db the database); flags override it, and a\n"
	"--trusted-proxy given here replaces the file's list. --check validates\n"
	"the file and flags and prints the effective settings without starting\n"
	"(exit status 0, or 2 with each error), as `liveline config check` does.\n"
	"--metrics-allow names who may read /metrics (an address or a network,\n"
	"repeatable or comma-separated), judged by the connection's own address,\n"
	"never a forwarding header; others get 403. Default: loopback\n"
	"(127.0.0.0/8,::1). /healthz and /readyz answer everyone.\n"
	"--metrics-listen serves /metrics alone on an address of its own (port 0\n"
	"picks one, named in the log), and no longer on --listen; there every peer\n"
	"is answered unless --metrics-allow names some.\n"
	"--access-log appends a line per request to FILE (default: none), in the\n"
	"combined format with the seconds taken and a stream's events appended, or\n"
	"as JSON lines with --access-log-format json; a stream's line is written\n"
	"when it ends. Each worker buffers its lines and writes them at least every\n"
	"second. SIGUSR1 makes every worker open FILE again (after logrotate).\n"
	"--log-level is the least a diagnostic line (on standard error) must be to\n"
	"be written: error, warn, info (the default) or debug.\n"
	"--public-base-url is the address readers reach the site at (e.g.\n"
	"https://news.example): canonical links, feeds, sitemaps and structured\n"
	"data are built on it, never on the request's Host. Default: made from the\n"
	"listening address (http://localhost:PORT for a wildcard address).\n"
	"SIGTERM or SIGINT stops every worker cleanly.\n";

int cli_usage(const char *text, int status)
{
	fputs(text, status == 0 ? stdout : stderr);
	return status;
}

int cli_asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		/* The value of an option ("--label -h") is not a request for help. */
		if (i > 1 && strncmp(argv[i - 1], "--", 2) == 0 && !strchr(argv[i - 1], '=') &&
		    strcmp(argv[i - 1], "--password-stdin") != 0 && strcmp(argv[i - 1], "--help") != 0)
			continue;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

int cli_bad_option(const char *cmd, const char *usage)
{
	fprintf(stderr, "liveline %s: see usage below\n\n", cmd);
	return cli_usage(usage, CLI_EXIT_USAGE);
}

/* Parses a whole decimal number in [min, max]. */
int cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Reads all of `path` ("-" is standard input) into a new buffer. */
char *cli_read_input(const char *path, size_t max, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (!f) {
		fprintf(stderr, "liveline: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && !b.err)
		buf_append(&b, chunk, n);
	if (ferror(f))
		fprintf(stderr, "liveline: %s: read error\n", path);
	else if (b.err == BUF_ETOOBIG && max >= 1024 * 1024)
		fprintf(stderr, "liveline: %s: larger than %zu MB\n", path, max / (1024 * 1024));
	else if (b.err == BUF_ETOOBIG)
		fprintf(stderr, "liveline: %s: larger than %zu bytes\n", path, max);
	else if (b.err)
		fprintf(stderr, "liveline: %s: out of memory\n", path);
	if (ferror(f) && !b.err)
		b.err = BUF_ENOMEM; /* any failure: the caller only needs "no input" */
	if (f != stdin)
		fclose(f);
	if (b.err) {
		buf_cleanup(&b);
		return NULL;
	}
	return buf_detach(&b, len);
}

/* `create`: import and init make the database when it is missing; every other
 * command refuses a path where there is none, so that a mistyped --db is an
 * error rather than a new, empty database that the command reports on. */
static struct store *cli_open_store_mode(int create)
{
	char err[512], what[512];
	struct store *s = create ? store_open(cli_db, err, sizeof(err))
				 : store_open_existing(cli_db, err, sizeof(err));

	if (!s) {
		fprintf(stderr, "liveline: %s\n", err);
		/* The target is named as a log may show it: a PostgreSQL URI may
		 * hold a password. */
		if (!create && (store_target_is_pg(cli_db) || access(cli_db, F_OK) < 0))
			fprintf(stderr, "liveline: `liveline --db %s init` creates one, "
				"`import` creates one with a page\n",
				store_target_describe(cli_db, what, sizeof(what)));
	} else { /* what the command line writes reaches readers rendered once too */
		store_set_event_renderer(s, stream_event_store, NULL);
	}
	return s;
}

struct store *cli_open_store(void)
{
	return cli_open_store_mode(0);
}

struct store *cli_create_store(void)
{
	return cli_open_store_mode(1);
}

int cli_init(int argc, char **argv)
{
	struct store *st;
	char what[512];
	int existed;

	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return cli_usage(usage_init, 0);
	if (argc != 1)
		return cli_bad_option("init", usage_init);
	/* A PostgreSQL database "exists" for us once it holds our schema. */
	if (store_target_is_pg(cli_db)) {
		char err[512];

		st = store_open_existing(cli_db, err, sizeof(err));
		existed = st != NULL;
		store_close(st);
	} else {
		existed = access(cli_db, F_OK) == 0;
	}
	st = cli_create_store();
	if (!st)
		return 1;
	store_close(st);
	printf("%s %s\n", existed ? "a database is already at" : "created an empty database at",
	       store_target_describe(cli_db, what, sizeof(what)));
	return 0;
}

/* 1 if 1 January of `year` is a time posts may have (model_time_sane): the
 * year a capture's oldest post is in must be one. */

/* The title of a page imported without --title (the text form has none): its
 * slug, hyphens as spaces, the first letter a capital. A slug is [a-z0-9-]
 * (model_slug_valid), so this is plain ASCII. */
static char *cli_title_from_slug(const char *slug)
{
	char *t = model_strdup(slug);

	for (char *c = t; *c; c++)
		if (*c == '-')
			*c = ' ';
	if (*t >= 'a' && *t <= 'z')
		*t = (char)(*t - 'a' + 'A');
	return t;
}

static int cli_import_year_sane(int year)
{
	struct tm tm = { .tm_year = year - 1900, .tm_mon = 0, .tm_mday = 1 };

	return model_time_sane((int64_t)timegm(&tm), (int64_t)time(NULL));
}

int cli_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ "slug", required_argument, NULL, 's' },
		{ "title", required_argument, NULL, 't' },
		{ "zone", required_argument, NULL, 'z' },
		{ "description", required_argument, NULL, 'd' },
		{ "status", required_argument, NULL, 'S' },
		{ "unpublished", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct text_import_opts io = { 0, MODEL_DEFAULT_ZONE };
	const char *slug = NULL, *title = NULL, *desc = "";
	struct model_post *posts = NULL;
	struct model_page page = { 0 };
	struct text_error terr = { 0 };
	struct store *st = NULL;
	int status = MODEL_STATUS_LIVE, published = 1, c, rc = 1;
	size_t n_posts = 0, len;
	char *data;
	long year = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'y':
			if (cli_parse_long(optarg, 1, 9999, &year) < 0) {
				fprintf(stderr, "liveline import: --year wants a year such as 2025\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 's': slug = optarg; break;
		case 't': title = optarg; break;
		case 'z': io.zone = optarg; break;
		case 'd': desc = optarg; break;
		case 'S':
			status = model_status_parse(optarg);
			if (status < 0) {
				fprintf(stderr, "liveline import: --status is upcoming, live or ended\n");
				return CLI_EXIT_USAGE;
			}
			break;
		case 'u': published = 0; break;
		case 'h': return cli_usage(usage_import, 0);
		default: return cli_bad_option("import", usage_import);
		}
	}
	if (!year || !slug || optind != argc - 1)
		return cli_bad_option("import", usage_import);
	if (!cli_import_year_sane((int)year)) {
		fprintf(stderr, "liveline import: --year %ld: want a year whose posts can be "
			"published, " MODEL_TIME_RANGE_TEXT "\n", year);
		return CLI_EXIT_USAGE;
	}
	if (!model_slug_valid(slug)) {
		fprintf(stderr, "liveline import: slug \"%s\": use 1 to %d of a-z, 0-9 and -\n", slug,
			MODEL_SLUG_MAX);
		return CLI_EXIT_USAGE;
	}
	if (!tz_valid(io.zone)) {
		fprintf(stderr, "liveline import: unknown time zone \"%s\" (want an IANA name "
			"such as Europe/London)\n", io.zone);
		return CLI_EXIT_USAGE;
	}
	if (title && !*title) {
		fprintf(stderr, "liveline import: --title must not be empty\n");
		return CLI_EXIT_USAGE;
	}
	if ((title && strlen(title) > MODEL_TITLE_MAX) || (desc && strlen(desc) > MODEL_DESC_MAX)) {
		fprintf(stderr, "liveline import: --title is longer than %d bytes or "
			"--description than %d\n", MODEL_TITLE_MAX, MODEL_DESC_MAX);
		return CLI_EXIT_USAGE;
	}
	io.year = (int)year;

	data = cli_read_input(argv[optind], MODEL_CAPTURE_MAX, &len);
	if (!data)
		return 1;
	if (text_parse(data, len, &io, &page.summary, &posts, &n_posts, &terr) < 0) {
		if (terr.line)
			fprintf(stderr, "liveline import: %s:%zu: %s\n", argv[optind], terr.line,
				terr.msg);
		else
			fprintf(stderr, "liveline import: %s: %s\n", argv[optind], terr.msg);
		free(data);
		return 1;
	}
	free(data);
	for (size_t i = 0; i < n_posts; i++) {
		if (!model_time_sane(posts[i].published_at, (int64_t)time(NULL))) {
			fprintf(stderr, "liveline import: %s: post \"%s\" would be published out of "
				"range (want a time " MODEL_TIME_RANGE_TEXT "); check --year\n",
				argv[optind], posts[i].title);
			goto out;
		}
	}
	page.slug = model_strdup(slug);
	page.title = title ? model_strdup(title) : cli_title_from_slug(slug);
	page.description = model_strdup(desc);
	page.zone = model_strdup(io.zone);
	page.status = (enum model_status)status;
	page.published = published;
	if (n_posts) {
		page.start_at = posts[0].published_at;
		if (status == MODEL_STATUS_ENDED)
			page.end_at = posts[n_posts - 1].published_at;
	}

	st = cli_create_store();
	if (!st)
		goto out;
	if (store_begin(st) < 0)
		goto store_fail;
	if (store_page_create(st, 0, &page) < 0)
		goto rollback;
	for (size_t i = 0; i < n_posts; i++)
		if (store_post_insert(st, 0, page.id, &posts[i]) < 0)
			goto rollback;
	if (store_commit(st) < 0)
		goto rollback;
	printf("imported %zu post%s into /live/%s%s\n", n_posts, n_posts == 1 ? "" : "s", slug,
	       published ? "" : " (unpublished)");
	rc = 0;
	goto out;
rollback:
	fprintf(stderr, "liveline import: %s (nothing was stored)\n", store_errmsg(st));
	store_rollback(st);
	goto out;
store_fail:
	fprintf(stderr, "liveline import: %s\n", store_errmsg(st));
out:
	store_close(st);
	model_posts_free(posts, n_posts);
	model_page_cleanup(&page);
	return rc;
}

/* Loads a page and all its posts, newest first. */
int cli_load_page(struct store *st, const char *slug, struct model_page *page,
			  struct model_post **posts, size_t *n)
{
	int rc = store_page_get(st, slug, page);

	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "liveline: no live page \"%s\"\n", slug);
		return -1;
	}
	if (rc < 0 || store_post_range(st, page->id, 0, page->n_posts, posts, n) < 0) {
		fprintf(stderr, "liveline: %s\n", store_errmsg(st));
		if (rc == 0)
			model_page_cleanup(page);
		return -1;
	}
	return 0;
}

static int cli_export_json(const struct model_page *page, const struct model_post *posts,
			    size_t n)
{
	json_t *root = model_json_page(page), *arr = json_array();
	int rc = -1;

	if (!root || !arr)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(arr, model_json_post(&posts[i], page->zone)) < 0)
			goto out;
	if (json_object_set(root, "posts", arr) < 0)
		goto out;
	if (json_dumpf(root, stdout, JSON_INDENT(2)) < 0)
		goto out;
	putchar('\n');
	rc = 0;
out:
	json_decref(arr);
	json_decref(root);
	return rc;
}

int cli_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct model_page page;
	struct model_post *posts;
	const char *format = "text";
	struct store *st;
	struct buf b;
	size_t n;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'h': return cli_usage(usage_export, 0);
		default: return cli_bad_option("export", usage_export);
		}
	}
	if (optind != argc - 1)
		return cli_bad_option("export", usage_export);
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		fprintf(stderr, "liveline export: --format is text or json\n");
		return CLI_EXIT_USAGE;
	}
	st = cli_open_store();
	if (!st)
		return 1;
	if (strcmp(format, "text") == 0) {
		buf_init(&b, CLI_TEXT_MAX);
		if (cli_page_text(st, argv[optind], &b) < 0) {
			buf_cleanup(&b);
			store_close(st);
			return 1;
		}
		if (fwrite(b.data ? b.data : "", 1, b.len, stdout) == b.len)
			rc = 0;
		buf_cleanup(&b);
		goto written;
	}
	if (cli_load_page(st, argv[optind], &page, &posts, &n) < 0) {
		store_close(st);
		return 1;
	}
	rc = cli_export_json(&page, posts, n) < 0 ? 1 : 0;
	model_posts_free(posts, n);
	model_page_cleanup(&page);
written:
	if (fflush(stdout) != 0)
		rc = 1;
	if (rc)
		fprintf(stderr, "liveline export: could not write the page\n");
	store_close(st);
	return rc;
}

int cli_page_text(struct store *st, const char *slug, struct buf *out)
{
	struct model_page page;
	struct model_post *posts;
	size_t n;
	int rc = -1;

	if (cli_load_page(st, slug, &page, &posts, &n) < 0)
		return -1;
	if (text_export(out, &page, posts, n) == 0 && !out->err)
		rc = 0;
	else
		fprintf(stderr, "liveline: could not write page \"%s\" as text\n", slug);
	model_posts_free(posts, n);
	model_page_cleanup(&page);
	return rc;
}

int cli_list(int argc, char **argv)
{
	struct model_page *pages;
	struct store *st;
	size_t n;

	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return cli_usage(usage_list, 0);
	if (argc != 1)
		return cli_bad_option("list", usage_list);
	st = cli_open_store();
	if (!st)
		return 1;
	if (store_page_list(st, &pages, &n) < 0) {
		fprintf(stderr, "liveline list: %s\n", store_errmsg(st));
		store_close(st);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%zu\t%s\n", pages[i].slug, model_status_name(pages[i].status),
		       pages[i].published ? "published" : "unpublished", pages[i].n_posts,
		       pages[i].title);
	model_pages_free(pages, n);
	store_close(st);
	return 0;
}

int cli_page(int argc, char **argv)
{
	struct model_page page = { 0 };
	struct store *st;
	int publish, changed = 0, rc;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return cli_usage(usage_page, 0);
	if (argc != 3 || (strcmp(argv[1], "publish") != 0 && strcmp(argv[1], "unpublish") != 0))
		return cli_bad_option("page", usage_page);
	publish = strcmp(argv[1], "publish") == 0;
	st = cli_open_store();
	if (!st)
		return 1;
	rc = store_page_get(st, argv[2], &page);
	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "liveline page: no live page \"%s\"\n", argv[2]);
		store_close(st);
		return 1;
	}
	if (rc == 0)
		rc = store_page_set_published(st, 0, page.id, publish, &changed);
	if (rc < 0)
		fprintf(stderr, "liveline page: %s\n", store_errmsg(st));
	else if (changed)
		printf("%s /live/%s\n", publish ? "published" : "unpublished", page.slug);
	else
		printf("already %s\n", publish ? "published" : "unpublished");
	model_page_cleanup(&page);
	store_close(st);
	return rc < 0 ? 1 : 0;
}

/* The most settings one command line may give (a bound, not a limit anyone
 * meets: serve has a dozen). */
#define CLI_SERVE_FLAGS_MAX 256

int cli_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 's' },
		{ "workers", required_argument, NULL, 's' },
		{ "connections", required_argument, NULL, 's' },
		{ "heartbeat", required_argument, NULL, 's' },
		{ "connection-memory", required_argument, NULL, 's' },
		{ "idle-timeout", required_argument, NULL, 's' },
		{ "cache-entries", required_argument, NULL, 's' },
		{ "cache-mb", required_argument, NULL, 's' },
		{ "replay", required_argument, NULL, 's' },
		{ "media", required_argument, NULL, 's' },
		{ "request-priority", required_argument, NULL, 's' },
		{ "trusted-proxy", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "metrics-allow", required_argument, NULL, 's' },
		{ "metrics-listen", required_argument, NULL, 's' },
		{ "access-log", required_argument, NULL, 's' },
		{ "access-log-format", required_argument, NULL, 's' },
		{ "log-level", required_argument, NULL, 's' },
		{ "public-base-url", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct {
		const char *name, *value;
	} flags[CLI_SERVE_FLAGS_MAX];
	struct serve_config cfg;
	struct serve_file sf;
	static char media_dir[4096];
	const char *given = NULL, *path;
	char err[200];
	int c, idx = 0, check = 0, missing_ok, r;
	size_t n = 0;

	while ((c = getopt_long(argc, argv, "", opts, &idx)) != -1) {
		switch (c) {
		case 's':
			/* Every other flag is a setting of serve's (serve_config.c),
			 * applied once the file has been read: flags override it. */
			if (n == CLI_SERVE_FLAGS_MAX) {
				fprintf(stderr, "liveline serve: more than %d settings\n",
					CLI_SERVE_FLAGS_MAX);
				return CLI_EXIT_USAGE;
			}
			flags[n].name = opts[idx].name;
			flags[n++].value = optarg;
			break;
		case 'c': given = optarg; break;
		case 'k': check = 1; break;
		case 'h': return cli_usage(usage_serve, 0);
		default: return cli_bad_option("serve", usage_serve);
		}
	}
	if (optind != argc)
		return cli_bad_option("serve", usage_serve);
	path = cli_config_path(given, &missing_ok);
	r = cli_settings_load(&cfg, &sf, path, missing_ok);
	if (r != 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		/* A list given on the command line replaces the file's. */
		if (serve_file_repeatable(flags[i].name)) {
			size_t j = 0;

			while (j < i && strcmp(flags[j].name, flags[i].name) != 0)
				j++;
			if (j == i)
				serve_config_clear(&cfg, flags[i].name);
		}
		if (serve_config_set(&cfg, flags[i].name, flags[i].value, err, sizeof(err)) < 0) {
			fprintf(stderr, "liveline serve: %s\n", err);
			r = CLI_EXIT_USAGE;
			goto done;
		}
	}
	cli_db = cfg.db_path;
	if (check) {
		r = cli_config_print(&cfg);
		goto done;
	}
	if (serve_config_media(&cfg, media_dir, sizeof(media_dir), err, sizeof(err)) < 0) {
		fprintf(stderr, "liveline serve: %s\n", err);
		r = 1;
		goto done;
	}
	cfg.config_path = path;
	cfg.config_missing_ok = missing_ok;
	r = serve_run(&cfg);
done:
	serve_file_cleanup(&sf);
	return r;
}

