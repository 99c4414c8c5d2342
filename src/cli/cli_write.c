/*
 * The newsroom's commands: post, edit, delete, pin, unpin, summary, status.
 * Bodies and summaries are Markdown on standard input (markup/markup_body.h).
 *
 * Every command that reads before it writes (is the post on this page? is the
 * status already that?) does both in one store transaction, so that what it
 * checked is still true when it writes, and the store appends the change-log
 * entry in that same transaction.
 */
#include "cli/cli_write.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "markup/markup_body.h"
#include "model/model_limits.h"
#include "render/render_limits.h"
#include "util/tz.h"
#include "util/utf8.h"

static const char usage_post[] =
	"usage: liveline [--db FILE] post SLUG --title T [--breaking] [--key-event]\n"
	"                [--byline \"Name|Role\"]... [--time ISO8601] < body.md\n"
	"\n"
	"Publishes a post on live page SLUG and prints its id. The body is Markdown on\n"
	"standard input (at most " MODEL_STR(MODEL_BODY_MAX) " bytes; may be empty): paragraphs,\n"
	"> quotations (a last line \"-- Name\" credits the speaker), lists (an item may\n"
	"open with **Lead:**), images alone on a line: ![alt](URL \"caption\") with an\n"
	"optional next line \"Image source: CREDIT\", and embeds: [Embed: Title](URL).\n"
	"--byline may be given several times; the role after | may be left out. --time\n"
	"is when the post is published (default now); a time without an offset is read\n"
	"in the page's zone.\n"
	"It must be " MODEL_TIME_RANGE_TEXT ".\n";

static const char usage_edit[] =
	"usage: liveline [--db FILE] edit SLUG ID [--title T] [--breaking|--no-breaking]\n"
	"                [--key-event|--no-key-event] [< body.md]\n"
	"\n"
	"Changes post ID on live page SLUG. The body is replaced when standard input is\n"
	"not a terminal and holds more than white space; otherwise it is kept.\n";

static const char usage_delete[] =
	"usage: liveline [--db FILE] delete SLUG ID\n"
	"\n"
	"Deletes post ID from live page SLUG (and its pin, if it was pinned).\n";

static const char usage_pin[] =
	"usage: liveline [--db FILE] pin SLUG ID\n"
	"\n"
	"Pins post ID to the top of live page SLUG, in place of any pinned post.\n";

static const char usage_unpin[] =
	"usage: liveline [--db FILE] unpin SLUG\n"
	"\n"
	"Unpins the pinned post of live page SLUG.\n";

static const char usage_summary[] =
	"usage: liveline [--db FILE] summary SLUG < summary.md\n"
	"\n"
	"Replaces the key points of live page SLUG with a Markdown bullet list read\n"
	"from standard input (\"- point\" lines; empty input clears them). The\n"
	"featured media is kept.\n";

static const char usage_status[] =
	"usage: liveline [--db FILE] status SLUG live|ended|upcoming\n"
	"\n"
	"Sets the coverage status of live page SLUG.\n";

/* A command's hold on the store and its page between opening and finishing. */
struct write_ctx {
	const char *cmd;
	struct store *st;
	struct model_page page;
	int have_page;
	int in_tx;
};

/* Opens the store, begins a transaction when `tx`, and loads page `slug`.
 * Returns 0, or -1 after printing why (the caller still calls write_finish). */
static int write_open(struct write_ctx *w, const char *cmd, const char *slug, int tx)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->cmd = cmd;
	w->st = cli_open_store();
	if (!w->st)
		return -1;
	if (tx) {
		if (store_begin(w->st) < 0) {
			fprintf(stderr, "liveline %s: %s\n", cmd, store_errmsg(w->st));
			return -1;
		}
		w->in_tx = 1;
	}
	rc = store_page_get(w->st, slug, &w->page);
	if (rc == STORE_ENOTFOUND) {
		fprintf(stderr, "liveline %s: no live page \"%s\"\n", cmd, slug);
		return -1;
	}
	if (rc < 0) {
		fprintf(stderr, "liveline %s: %s\n", cmd, store_errmsg(w->st));
		return -1;
	}
	w->have_page = 1;
	return 0;
}

/* Prints the store's reason for a failed call `rc`; returns 1 (the exit). */
static int write_store_fail(struct write_ctx *w, int rc, int64_t post_id)
{
	if (rc == STORE_ENOTFOUND && post_id)
		fprintf(stderr, "liveline %s: no post %" PRId64 " on %s\n", w->cmd, post_id,
			w->page.slug);
	else
		fprintf(stderr, "liveline %s: %s\n", w->cmd, store_errmsg(w->st));
	return 1;
}

/* Commits when `rc` is 0 (the change is durable once this returns 0), else
 * rolls back; releases everything. Returns the exit status. */
static int write_finish(struct write_ctx *w, int rc)
{
	if (w->in_tx) {
		if (rc == 0 && store_commit(w->st) < 0) {
			fprintf(stderr, "liveline %s: %s (nothing was changed)\n", w->cmd,
				store_errmsg(w->st));
			rc = 1;
		}
		store_rollback(w->st); /* a no-op after a commit */
	}
	if (w->have_page)
		model_page_cleanup(&w->page);
	store_close(w->st);
	return rc;
}

/* A post id on the command line; prints why and returns -1 if it is not one. */
static int write_parse_id(const char *cmd, const char *s, int64_t *id)
{
	long v;

	if (cli_parse_long(s, 1, LONG_MAX, &v) < 0) {
		fprintf(stderr, "liveline %s: post id \"%s\" is not a positive number\n", cmd, s);
		return -1;
	}
	*id = v;
	return 0;
}

/* Plain text given on the command line (titles, names, roles) is one line of
 * valid UTF-8: it is written as one line of the plain-text form. Prints why
 * and returns -1 if `s` is not. */
static int write_check_plain(const char *cmd, const char *what, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k, rest = strlen(s);

	while (*p) {
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(stderr, "liveline %s: %s: no control characters or line breaks\n",
				cmd, what);
			return -1;
		}
		k = utf8_next((const char *)p, rest, NULL);
		if (k == 0) {
			fprintf(stderr, "liveline %s: %s: invalid UTF-8\n", cmd, what);
			return -1;
		}
		p += k;
		rest -= k;
	}
	return 0;
}

static int write_check_title(const char *cmd, const char *title)
{
	const char *p = title;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		fprintf(stderr, "liveline %s: --title must not be empty\n", cmd);
		return -1;
	}
	if (strlen(title) > MODEL_TITLE_MAX) {
		fprintf(stderr, "liveline %s: --title is longer than %d bytes\n", cmd,
			MODEL_TITLE_MAX);
		return -1;
	}
	return write_check_plain(cmd, "--title", title);
}

/* "Name|Role" (or "Name") into a byline, both ends trimmed. Prints why and
 * returns -1 if the name is empty or the text is not one line of UTF-8. */
static int write_parse_byline(const char *cmd, const char *arg, struct model_byline *out)
{
	const char *bar = strchr(arg, '|');
	const char *name = arg, *role = bar ? bar + 1 : "";
	size_t nlen = bar ? (size_t)(bar - arg) : strlen(arg), rlen = strlen(role);

	if (write_check_plain(cmd, "--byline", arg) < 0)
		return -1;
	while (nlen && (*name == ' ' || *name == '\t'))
		name++, nlen--;
	while (nlen && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
		nlen--;
	while (rlen && (*role == ' ' || *role == '\t'))
		role++, rlen--;
	while (rlen && (role[rlen - 1] == ' ' || role[rlen - 1] == '\t'))
		rlen--;
	if (nlen == 0) {
		fprintf(stderr, "liveline %s: --byline \"%s\": the name before | is empty\n", cmd,
			arg);
		return -1;
	}
	if (nlen > MODEL_NAME_MAX || rlen > MODEL_NAME_MAX) {
		fprintf(stderr, "liveline %s: --byline: a name or role is longer than %d bytes\n",
			cmd, MODEL_NAME_MAX);
		return -1;
	}
	out->name = strndup(name, nlen);
	out->role = strndup(role, rlen);
	if (!out->name || !out->role)
		abort(); /* out of memory */
	return 0;
}

/* Reads standard input (a post body or a summary, `what`, at most `max`
 * bytes). NULL after printing why. */
static char *write_read_markdown(const char *cmd, const char *what, size_t max, size_t *len)
{
	/* Read past the limit, to say by how much, but not without end. */
	char *md = cli_read_input("-", (size_t)1024 * 1024, len);

	if (md && *len > max) {
		fprintf(stderr, "liveline %s: the %s on standard input is %zu bytes, longer than "
			"the %zu bytes (%zu KB) it may hold\n", cmd, what, *len, max, max / 1024);
		free(md);
		return NULL;
	}
	return md;
}

/* 0 if `post` fits a reader's page (render_post_fits), else -1 after printing
 * why. */
static int write_check_fits(const char *cmd, const struct model_page *page,
			    const struct model_post *post)
{
	char err[256];

	if (render_post_fits(page, post, err, sizeof(err)) == 0)
		return 0;
	fprintf(stderr, "liveline %s: %s\n", cmd, err);
	return -1;
}

/* Parses post body md[0..len) into the post, replacing its blocks. Returns 0,
 * or -1 after printing why. */
static int write_parse_body(const char *cmd, const char *md, size_t len, struct model_post *post)
{
	struct model_block *blocks;
	char err[256];
	size_t n;

	if (markup_body_parse(md, len, &blocks, &n, err, sizeof(err)) < 0) {
		fprintf(stderr, "liveline %s: body: %s\n", cmd, err);
		return -1;
	}
	for (size_t i = 0; i < post->n_blocks; i++)
		model_block_cleanup(&post->blocks[i]);
	free(post->blocks);
	post->blocks = blocks;
	post->n_blocks = n;
	return 0;
}

int cli_post(int argc, char **argv)
{
	/* Alike in shape to cli_edit's table, by intent: each command lists its own
	 * options (getopt needs one table per command). */
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "breaking", no_argument, NULL, 'b' },
		{ "key-event", no_argument, NULL, 'k' },
		{ "byline", required_argument, NULL, 'B' },
		{ "time", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct model_post post = { 0 };
	struct write_ctx w = { 0 };
	const char *title = NULL, *when = NULL;
	int c, rc = CLI_EXIT_USAGE;
	char *md = NULL;
	size_t len;

	post.bylines = calloc(MODEL_BYLINES_MAX, sizeof(*post.bylines));
	if (!post.bylines)
		abort();
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': title = optarg; break;
		case 'b': post.breaking = 1; break;
		case 'k': post.key_event = 1; break;
		case 'T': when = optarg; break;
		case 'B':
			if (post.n_bylines == MODEL_BYLINES_MAX) {
				fprintf(stderr, "liveline post: at most %d bylines\n",
					MODEL_BYLINES_MAX);
				goto out;
			}
			if (write_parse_byline("post", optarg, &post.bylines[post.n_bylines]) < 0)
				goto out;
			post.n_bylines++;
			break;
		case 'h':
			rc = cli_usage(usage_post, 0);
			goto out;
		default:
			rc = cli_bad_option("post", usage_post);
			goto out;
		}
	}
	if (!title || optind != argc - 1) {
		rc = cli_bad_option("post", usage_post);
		goto out;
	}
	if (write_check_title("post", title) < 0)
		goto out;
	post.title = model_strdup(title);

	rc = 1;
	if (write_open(&w, "post", argv[optind], 0) < 0)
		goto done;
	if (when && tz_parse_iso(when, w.page.zone, &post.published_at) < 0) {
		fprintf(stderr, "liveline post: --time \"%s\": want an ISO 8601 time such as "
			"2025-02-17T10:37 (read in %s) or 2025-02-17T10:37:00Z\n", when,
			w.page.zone);
		rc = CLI_EXIT_USAGE;
		goto done;
	}
	if (when && !model_time_sane(post.published_at, (int64_t)time(NULL))) {
		fprintf(stderr, "liveline post: --time \"%s\": want a time " MODEL_TIME_RANGE_TEXT
			"\n", when);
		rc = CLI_EXIT_USAGE;
		goto done;
	}
	if (!when)
		post.published_at = (int64_t)time(NULL);
	md = write_read_markdown("post", "body", MODEL_BODY_MAX, &len);
	if (!md || write_parse_body("post", md, len, &post) < 0 ||
	    write_check_fits("post", &w.page, &post) < 0)
		goto done;
	if (store_post_insert(w.st, 0, w.page.id, &post) < 0) {
		rc = write_store_fail(&w, STORE_ERR, 0);
		goto done;
	}
	printf("%" PRId64 "\n", post.id);
	rc = fflush(stdout) == 0 ? 0 : 1;
done:
	rc = write_finish(&w, rc);
out:
	free(md);
	model_post_cleanup(&post);
	return rc;
}

/* 1 if md[0..len) is only white space (or nothing). */
static int write_blank(const char *md, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (md[i] != ' ' && md[i] != '\t' && md[i] != '\n' && md[i] != '\r')
			return 0;
	return 1;
}

int cli_edit(int argc, char **argv)
{
	/* Alike in shape to cli_post's table, by intent: each command lists its own
	 * options (getopt needs one table per command). */
	static const struct option opts[] = {
		{ "title", required_argument, NULL, 't' },
		{ "breaking", no_argument, NULL, 'b' },
		{ "no-breaking", no_argument, NULL, 'B' },
		{ "key-event", no_argument, NULL, 'k' },
		{ "no-key-event", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct model_post post = { 0 }, body = { 0 };
	struct write_ctx w = { 0 };
	const char *title = NULL;
	int breaking = -1, key_event = -1, new_body = 0, c, rc = 1;
	int64_t id;
	size_t len;
	char *md;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': title = optarg; break;
		case 'b': breaking = 1; break;
		case 'B': breaking = 0; break;
		case 'k': key_event = 1; break;
		case 'K': key_event = 0; break;
		case 'h': return cli_usage(usage_edit, 0);
		default: return cli_bad_option("edit", usage_edit);
		}
	}
	if (optind != argc - 2)
		return cli_bad_option("edit", usage_edit);
	if (write_parse_id("edit", argv[optind + 1], &id) < 0)
		return CLI_EXIT_USAGE;
	if (title && write_check_title("edit", title) < 0)
		return CLI_EXIT_USAGE;

	/* A body only from a file or a pipe, and only if it says something: an
	 * edit run from a terminal, or fed nothing, keeps the body. It is parsed
	 * before the store is opened, so bad Markdown never holds a write lock. */
	if (!isatty(STDIN_FILENO)) {
		md = write_read_markdown("edit", "body", MODEL_BODY_MAX, &len);
		if (!md)
			return 1;
		new_body = !write_blank(md, len);
		if (new_body && write_parse_body("edit", md, len, &body) < 0) {
			free(md);
			return 1;
		}
		free(md);
	}
	if (!title && breaking < 0 && key_event < 0 && !new_body) {
		fprintf(stderr, "liveline edit: nothing to change: give --title, a flag, or a "
			"new body on standard input\n");
		return CLI_EXIT_USAGE;
	}

	if (write_open(&w, "edit", argv[optind], 1) < 0)
		goto done;
	rc = store_post_get(w.st, w.page.id, id, &post);
	if (rc < 0) {
		rc = write_store_fail(&w, rc, id);
		goto done;
	}
	if (title) {
		free(post.title);
		post.title = model_strdup(title);
	}
	if (breaking >= 0)
		post.breaking = breaking;
	if (key_event >= 0)
		post.key_event = key_event;
	if (new_body) {
		struct model_block *old = post.blocks;
		size_t n_old = post.n_blocks;

		post.blocks = body.blocks;
		post.n_blocks = body.n_blocks;
		body.blocks = old;
		body.n_blocks = n_old;
	}
	if (write_check_fits("edit", &w.page, &post) < 0) {
		rc = 1;
		goto done;
	}
	rc = store_post_update(w.st, 0, &post);
	if (rc < 0)
		rc = write_store_fail(&w, rc, id);
done:
	rc = write_finish(&w, rc);
	model_post_cleanup(&post);
	model_post_cleanup(&body);
	return rc;
}

/* The SLUG ID commands: delete and pin. */
static int write_slug_id(int argc, char **argv, const char *cmd, const char *usage,
			 int64_t *id)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_usage(usage, 0);
		return cli_bad_option(cmd, usage);
	}
	if (optind != argc - 2)
		return cli_bad_option(cmd, usage);
	if (write_parse_id(cmd, argv[optind + 1], id) < 0)
		return CLI_EXIT_USAGE;
	return -1; /* go on */
}

/* Loads page and post in the open transaction; 0, or the exit status 1. */
static int write_get_post(struct write_ctx *w, int64_t id)
{
	struct model_post post;
	int rc = store_post_get(w->st, w->page.id, id, &post);

	if (rc < 0)
		return write_store_fail(w, rc, id);
	model_post_cleanup(&post);
	return 0;
}

/* The commands on one post of a page (delete, pin): SLUG ID parsed, the page
 * opened in its transaction and the post checked, then `act`, which returns 0
 * or an exit status. */
static int write_on_post(int argc, char **argv, const char *cmd, const char *usage,
			 int (*act)(struct write_ctx *w, int64_t id))
{
	struct write_ctx w;
	int64_t id = 0;
	int rc = write_slug_id(argc, argv, cmd, usage, &id);

	if (rc >= 0)
		return rc;
	rc = 1;
	if (write_open(&w, cmd, argv[optind], 1) < 0)
		goto done;
	rc = write_get_post(&w, id);
	if (rc == 0)
		rc = act(&w, id);
done:
	return write_finish(&w, rc);
}

static int write_delete(struct write_ctx *w, int64_t id)
{
	int rc = store_post_delete(w->st, 0, w->page.id, id);

	return rc < 0 ? write_store_fail(w, rc, id) : rc;
}

int cli_delete(int argc, char **argv)
{
	return write_on_post(argc, argv, "delete", usage_delete, write_delete);
}

static int write_pin(struct write_ctx *w, int64_t id)
{
	int rc;

	if (w->page.pinned_post_id == id) {
		/* Nothing changes, so nothing goes into the change log. */
		printf("post %" PRId64 " is already pinned\n", id);
		return 0;
	}
	rc = store_page_set_pin(w->st, 0, w->page.id, id);
	return rc < 0 ? write_store_fail(w, rc, id) : rc;
}

int cli_pin(int argc, char **argv)
{
	return write_on_post(argc, argv, "pin", usage_pin, write_pin);
}

/* The commands whose only argument is SLUG (and STATE for status). */
static int write_args(int argc, char **argv, const char *cmd, const char *usage, int n_args)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h')
			return cli_usage(usage, 0);
		return cli_bad_option(cmd, usage);
	}
	if (optind != argc - n_args)
		return cli_bad_option(cmd, usage);
	return -1; /* go on */
}

int cli_unpin(int argc, char **argv)
{
	struct write_ctx w;
	int rc = write_args(argc, argv, "unpin", usage_unpin, 1);

	if (rc >= 0)
		return rc;
	rc = 1;
	if (write_open(&w, "unpin", argv[optind], 1) < 0)
		goto done;
	rc = 0;
	if (w.page.pinned_post_id == 0) {
		printf("no post is pinned on %s\n", w.page.slug);
		goto done;
	}
	rc = store_page_set_pin(w.st, 0, w.page.id, 0);
	if (rc < 0)
		rc = write_store_fail(&w, rc, 0);
done:
	return write_finish(&w, rc);
}

int cli_summary(int argc, char **argv)
{
	struct write_ctx w;
	char err[256];
	size_t len;
	char *md = NULL;
	int rc = write_args(argc, argv, "summary", usage_summary, 1);

	if (rc >= 0)
		return rc;
	rc = 1;
	md = write_read_markdown("summary", "summary", MODEL_SUMMARY_MAX, &len);
	if (!md)
		return 1;
	if (write_open(&w, "summary", argv[optind], 1) < 0)
		goto done;
	/* Replaces the points of the loaded summary: its media stays as it was. */
	if (markup_summary_parse(md, len, &w.page.summary, err, sizeof(err)) < 0) {
		fprintf(stderr, "liveline summary: %s\n", err);
		goto done;
	}
	if (render_summary_fits(&w.page, err, sizeof(err)) < 0) {
		fprintf(stderr, "liveline summary: %s\n", err);
		goto done;
	}
	rc = store_page_set_summary(w.st, 0, w.page.id, &w.page.summary);
	if (rc < 0)
		rc = write_store_fail(&w, rc, 0);
done:
	free(md);
	return write_finish(&w, rc);
}

int cli_status(int argc, char **argv)
{
	struct write_ctx w;
	int status, rc = write_args(argc, argv, "status", usage_status, 2);

	if (rc >= 0)
		return rc;
	status = model_status_parse(argv[optind + 1]);
	if (status < 0) {
		fprintf(stderr, "liveline status: \"%s\": the status is live, ended or upcoming\n",
			argv[optind + 1]);
		return CLI_EXIT_USAGE;
	}
	rc = 1;
	if (write_open(&w, "status", argv[optind], 1) < 0)
		goto done;
	rc = 0;
	if ((int)w.page.status == status) {
		/* Idempotent, and silent in the change log: nothing changed. */
		printf("already %s\n", model_status_name(w.page.status));
		goto done;
	}
	rc = store_page_set_status(w.st, 0, w.page.id, (enum model_status)status);
	if (rc < 0)
		rc = write_store_fail(&w, rc, 0);
done:
	return write_finish(&w, rc);
}
