/*
 * The command line's commands, one function each, called by main() with the
 * command's own argv (argv[0] is the command name). Each returns the process exit
 * status: 0 success, 1 failure (bad input, database error), CLI_EXIT_USAGE for
 * usage errors. Errors are printed to standard error as "liveline CMD: reason".
 */
#ifndef LIVELINE_CLI_H
#define LIVELINE_CLI_H

#include <stddef.h>

#include "model/model.h"
#include "store/store.h"

struct buf;

#define CLI_EXIT_USAGE 2
/* The most a page's text export (cli_page_text) may take. */
#define CLI_TEXT_MAX ((size_t)1 << 31)

/* The database path: --db, else the configuration file's db, else
 * $LIVELINE_DB, else "liveline.db". */
extern const char *cli_db;
/* The global options --config FILE and --db DB, NULL when not given. */
extern const char *cli_config;
extern const char *cli_db_flag;

int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_init(int argc, char **argv);
int cli_page(int argc, char **argv);  /* page publish|unpublish SLUG */
int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);  /* user add|list|set-role|disable|enable|passwd */
int cli_token(int argc, char **argv); /* token create|list|revoke */
int cli_copy(int argc, char **argv);  /* copy --to TARGET */
int cli_backup(int argc, char **argv); /* backup FILE */
int cli_config_cmd(int argc, char **argv); /* config check */

/* Shared helpers. */
int cli_usage(const char *text, int status);              /* prints usage, returns status */
/* 1 if an argument after argv[0] is --help or -h: `user list --help` shows the
 * usage (exit 0) as `user --help` does, rather than refusing the argument. */
int cli_asks_help(int argc, char **argv);
int cli_bad_option(const char *cmd, const char *usage);   /* returns CLI_EXIT_USAGE */
int cli_parse_long(const char *s, long min, long max, long *out);
/* All of `path` ("-": standard input), at most `max` bytes, NUL-terminated;
 * the caller frees. NULL after printing why (reading stops at the limit). */
char *cli_read_input(const char *path, size_t max, size_t *len);
/* An existing database: NULL after printing why ("no database at PATH"). */
struct store *cli_open_store(void);
/* The database, made when missing (import, init); NULL after printing why. */
struct store *cli_create_store(void);
/* Page `slug` in the plain-text form, as `export` writes it, appended to
 * `out` (buf_init'd by the caller); -1 after printing why. */
int cli_page_text(struct store *st, const char *slug, struct buf *out);
/* Loads page `slug` and all its posts, newest first; -1 after printing why. */
int cli_load_page(struct store *st, const char *slug, struct model_page *page,
		  struct model_post **posts, size_t *n);

/* The configuration file (cli_config.c). */
struct serve_config;
struct serve_file;
/* The file to read: `given` (a command's --config), else the global
 * --config, else the build's default (serve_file_default(), NULL when none),
 * which alone may be missing (*missing_ok). */
const char *cli_config_path(const char *given, int *missing_ok);
/* Serve's settings before a command's own flags: the defaults, then
 * $LIVELINE_DB, then the file `path` (NULL: none), then the global --db.
 * `sf` is initialised here and holds the file's strings: the caller keeps it
 * while `cfg` is used, then calls serve_file_cleanup(). Returns 0, or
 * CLI_EXIT_USAGE after printing every error as FILE:LINE: reason. */
int cli_settings_load(struct serve_config *cfg, struct serve_file *sf, const char *path,
		      int missing_ok);
/* Prints the effective settings to standard output; 0, or 1 if it could not. */
int cli_config_print(const struct serve_config *cfg);

#endif
