/*
 * The configuration file on the command line: where each command finds its
 * settings (the defaults, then $LIVELINE_DB, then the file, then the flags),
 * and `liveline config check`, which validates them without starting.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"
#include "util/buf.h"

const char *cli_config;
const char *cli_db_flag;

static const char usage_config[] =
	"usage: liveline [--config FILE] config check [--config FILE]\n"
	"\n"
	"Reads the configuration file (--config, else the build's default file when\n"
	"it has one and it exists) as `serve` would, with $LIVELINE_DB and --db,\n"
	"and prints the effective settings, one key = value a line, in the file's\n"
	"syntax (a PostgreSQL password masked); exit status 0. Errors are printed\n"
	"as FILE:LINE: reason, with exit status 2. The database is not opened:\n"
	"check says whether the settings are valid, not whether the database or\n"
	"the address can be reached. `liveline serve --check` does the same with\n"
	"serve's flags on top.\n";

int cli_settings_load(struct serve_config *cfg, struct serve_file *sf, const char *path,
		      int missing_ok)
{
	const char *env = getenv("LIVELINE_DB");

	serve_config_defaults(cfg);
	cfg->db_path = env && *env ? env : "liveline.db";
	serve_file_init(sf);
	if (path && serve_file_load(sf, path, cfg, missing_ok) < 0) {
		fputs(sf->errors.data ? sf->errors.data : "", stderr);
		if (sf->errors.err)
			fprintf(stderr, "%s: (more errors)\n", path);
		return CLI_EXIT_USAGE;
	}
	if (sf->db)
		cfg->db_path = sf->db;
	if (cli_db_flag)
		cfg->db_path = cli_db_flag;
	return 0;
}

const char *cli_config_path(const char *given, int *missing_ok)
{
	if (!given)
		given = cli_config;
	*missing_ok = !given;
	return given ? given : serve_file_default();
}

int cli_config_print(const struct serve_config *cfg)
{
	struct buf out;
	int r = 0;

	buf_init(&out, 1 << 20);
	serve_config_print(cfg, &out);
	if (out.err || fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
		fprintf(stderr, "liveline: cannot print the settings\n");
		r = 1;
	}
	buf_cleanup(&out);
	return r;
}

int cli_config_cmd(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct serve_config cfg;
	struct serve_file sf;
	const char *given = NULL, *path;
	int c, missing_ok, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': given = optarg; break;
		case 'h': return cli_usage(usage_config, 0);
		default: return cli_bad_option("config", usage_config);
		}
	}
	if (optind + 1 != argc || strcmp(argv[optind], "check") != 0)
		return cli_bad_option("config", usage_config);
	/* `config check --config FILE` and `config --config FILE check` alike. */
	path = cli_config_path(given, &missing_ok);
	r = cli_settings_load(&cfg, &sf, path, missing_ok);
	if (r == 0)
		r = cli_config_print(&cfg);
	serve_file_cleanup(&sf);
	return r;
}
