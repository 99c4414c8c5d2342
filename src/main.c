/*
 * liveline: the command line. One binary serves pages (`serve`) and is the tool
 * for operators and scripts. main() takes the global options and hands the rest
 * to the command (src/cli/). Exit status: 0 on success, 1 when the work failed,
 * 2 for usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>

#include "cli/cli.h"
#include "cli/cli_write.h"
#include "serve/serve.h"

#ifdef LIVELINE_CONFIG_DEFAULT
#define MAIN_CONFIG_DEFAULT_TEXT LIVELINE_CONFIG_DEFAULT " when it exists"
#else
#define MAIN_CONFIG_DEFAULT_TEXT "none (this build reads no file unless told)"
#endif

static const char usage_main[] =
	"usage: liveline [--config FILE] [--db DB] COMMAND [ARGS]\n"
	"\n"
	"Live-coverage publishing: serve live pages, and manage them from the shell.\n"
	"\n"
	"Commands:\n"
	"  serve    serve the reader's pages over HTTP\n"
	"  init     create an empty database\n"
	"  import   create a live page from a capture in the plain-text form\n"
	"  export   write a live page as plain text or JSON\n"
	"  list     list the live pages (slug, status, published, posts, title)\n"
	"  page     publish a live page to readers, or unpublish it\n"
	"  post     publish a post (Markdown body on standard input); prints its id\n"
	"  edit     change a post's title, flags or body\n"
	"  delete   delete a post\n"
	"  pin      pin a post to the top of a live page\n"
	"  unpin    unpin the pinned post\n"
	"  summary  replace the key points (a Markdown bullet list on standard input)\n"
	"  status   set the coverage status: live, ended or upcoming\n"
	"  user     newsroom accounts: add, list, set-role, disable, enable, passwd\n"
	"  token    API tokens: create, list, revoke\n"
	"  copy     copy the whole database into a new one (SQLite to PostgreSQL)\n"
	"  config   config check: validate the configuration, print the settings\n"
	"\n"
	"Options:\n"
	"  --db DB      the database: a SQLite file, or a PostgreSQL URI\n"
	"               (postgresql://...) or key=value string.\n"
	"               Default: the configuration file's db, else $LIVELINE_DB\n"
	"               when set, else liveline.db. Only init, import and serve\n"
	"               create it when missing\n"
	"  --config FILE\n"
	"               the configuration file (liveline.conf(5)): its db for every\n"
	"               command, every setting for serve; flags override it.\n"
	"               Default: " MAIN_CONFIG_DEFAULT_TEXT "\n"
	"  --help       this text; `liveline COMMAND --help` for a command\n"
	"  --version    the version\n";

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "init", cli_init },
		{ "import", cli_import },
		{ "export", cli_export },
		{ "list", cli_list },
		{ "page", cli_page },
		{ "serve", cli_serve },
		{ "post", cli_post },
		{ "edit", cli_edit },
		{ "delete", cli_delete },
		{ "pin", cli_pin },
		{ "unpin", cli_unpin },
		{ "summary", cli_summary },
		{ "status", cli_status },
		{ "user", cli_user },
		{ "token", cli_token },
		{ "copy", cli_copy },
		{ "config", cli_config_cmd },
	};
	/* cli_db points into them until the process ends. */
	static struct serve_config settings;
	static struct serve_file file;
	const char *path;
	int i = 1, missing_ok, r;

	/* Global options come before the command; getopt would permute them. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			cli_db_flag = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			cli_db_flag = argv[i] + 5;
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			cli_config = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			cli_config = argv[i] + 9;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			return cli_usage(usage_main, 0);
		} else if (strcmp(argv[i], "--version") == 0) {
			puts("liveline 0.1.0");
			return 0;
		} else {
			fprintf(stderr, "liveline: unknown option %s\n\n", argv[i]);
			return cli_usage(usage_main, CLI_EXIT_USAGE);
		}
	}
	if (i >= argc)
		return cli_usage(usage_main, CLI_EXIT_USAGE);
	/* serve and config check read the file themselves (they take their
	 * own --config, and want every setting); the other commands only its
	 * db, with the same precedence: --db, the file, $LIVELINE_DB. */
	if (strcmp(argv[i], "serve") != 0 && strcmp(argv[i], "config") != 0) {
		path = cli_config_path(NULL, &missing_ok);
		r = cli_settings_load(&settings, &file, path, missing_ok);
		if (r != 0)
			return r;
		cli_db = settings.db_path;
	}
	for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		if (strcmp(argv[i], cmds[c].name) == 0) {
			/* Each command parses its own options from its own argv. */
			optind = 1;
			return cmds[c].fn(argc - i, argv + i);
		}
	}
	fprintf(stderr, "liveline: unknown command \"%s\"\n\n", argv[i]);
	return cli_usage(usage_main, CLI_EXIT_USAGE);
}
