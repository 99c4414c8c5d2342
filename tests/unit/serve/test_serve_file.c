/*
 * Unit tests of the configuration file (serve/serve_file.c): keys at the top
 * and in [serve], the repeatable ones, every error with its line, the
 * printout of the effective settings (read back as a file, it gives the same
 * settings), and the precedence of --db, the file and $LIVELINE_DB
 * (cli_settings_load).
 */
#include "unit.h"

#include <sys/stat.h>

#include "cli/cli.h"
#include "serve/serve.h"

static char dir[] = "/tmp/liveline-test-serve-file-XXXXXX";
static char path[512];

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/liveline.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void write_conf(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Loads `text` into fresh defaults; returns serve_file_load()'s result. */
static int load(const char *text, struct serve_config *cfg, struct serve_file *sf)
{
	write_conf(text);
	serve_config_defaults(cfg);
	serve_file_init(sf);
	return serve_file_load(sf, path, cfg, 0);
}

/* The errors, with the folder's path taken out ("liveline.conf:3: ..."). */
static const char *errors(struct serve_file *sf)
{
	static char out[SERVE_FILE_ERRORS_MAX];
	const char *s = sf->errors.data ? sf->errors.data : "";
	size_t n = 0, dl = strlen(dir) + 1;

	while (*s && n + 1 < sizeof(out)) {
		if (strncmp(s, dir, dl - 1) == 0 && s[dl - 1] == '/')
			s += dl;
		else
			out[n++] = *s++;
	}
	out[n] = '\0';
	return out;
}

static void test_keys_at_top_and_in_serve(void **state)
{
	struct serve_config c;
	struct serve_file sf;

	(void)state;
	assert_int_equal(load("# a comment\n"
			      "; another\n"
			      "db = /srv/live.db\n"
			      "workers = 3\n"
			      "\n"
			      "[serve]\n"
			      "  listen = [::1]:8081\n" /* indented: a line of its own */
			      "cache-mb = 64\n"
			      "media=/srv/media\n"
			      "request-priority = 5\n"
			      "idle-timeout = 30 ; seconds\n",
			      &c, &sf),
			 0);
	assert_string_equal(sf.db, "/srv/live.db");
	assert_int_equal(c.workers, 3);
	assert_string_equal(c.listen, "[::1]:8081");
	assert_int_equal(c.cache_bytes, (size_t)64 << 20);
	assert_string_equal(c.media_dir, "/srv/media");
	assert_int_equal(c.request_prio.mode, PRIO_NICE);
	assert_int_equal(c.request_prio.nice, 5);
	assert_int_equal(c.idle_timeout, 30);
	assert_int_equal(c.connection_limit, SERVE_DEFAULT_CONNECTIONS); /* untouched */
	assert_int_equal(sf.nerrors, 0);
	serve_file_cleanup(&sf);
}

static void test_repeatable_keys(void **state)
{
	struct serve_config c;
	struct serve_file sf;

	(void)state;
	assert_int_equal(load("trusted-proxy = 10.0.0.0/8\n"
			      "[serve]\n"
			      "trusted-proxy = ::1, 127.0.0.1\n",
			      &c, &sf),
			 0);
	assert_int_equal(c.trusted_proxies.n, 3);
	assert_int_equal(http_proxies_trust(&c.trusted_proxies, "10.1.2.3"), 1);
	assert_int_equal(http_proxies_trust(&c.trusted_proxies, "127.0.0.1"), 1);
	serve_file_cleanup(&sf);

	/* An empty value empties the list so far. */
	assert_int_equal(load("trusted-proxy = 10.0.0.0/8\n"
			      "trusted-proxy =\n"
			      "trusted-proxy = 192.0.2.1\n",
			      &c, &sf),
			 0);
	assert_int_equal(c.trusted_proxies.n, 1);
	assert_int_equal(http_proxies_trust(&c.trusted_proxies, "10.1.2.3"), 0);
	serve_file_cleanup(&sf);

	/* The command line's list replaces the file's (cli_serve clears it). */
	assert_int_equal(serve_file_repeatable("trusted-proxy"), 1);
	assert_int_equal(serve_file_repeatable("workers"), 0);
	assert_int_equal(load("trusted-proxy = 10.0.0.0/8\n", &c, &sf), 0);
	serve_config_clear(&c, "trusted-proxy");
	assert_int_equal(c.trusted_proxies.n, 0);
	serve_file_cleanup(&sf);
}

static void test_each_error_with_its_line(void **state)
{
	struct serve_config c;
	struct serve_file sf;

	(void)state;
	assert_int_equal(load("workers = 2\n"           /* 1 */
			      "workers = 3\n"           /* 2: twice */
			      "connections = lots\n"    /* 3 */
			      "colour = blue\n"         /* 4 */
			      "[http]\n"                /* 5 */
			      "a = 1\n"                 /* 6: said once for the section */
			      "b = 2\n"                 /* 7 */
			      "[serve]\n"               /* 8 */
			      "heartbeat = 0\n"         /* 9 */
			      "media =\n"               /* 10 */
			      "db =\n"                  /* 11 */
			      "trusted-proxy = 10.0.0.0/99\n" /* 12 */
			      "request-priority = fast\n"     /* 13 */
			      "just words\n"            /* 14 */
			      "cache-mb = 0\n",         /* 15 */
			      &c, &sf),
			 -1);
	assert_string_equal(errors(&sf),
			    "liveline.conf:2: workers is given twice (first on line 1)\n"
			    "liveline.conf:3: connections is 16 to 1000000\n"
			    "liveline.conf:4: unknown key colour\n"
			    "liveline.conf:6: unknown section [http] (keys go at the top or in [serve])\n"
			    "liveline.conf:9: heartbeat is 1 to 3600 seconds\n"
			    "liveline.conf:10: media needs a folder\n"
			    "liveline.conf:11: db needs a SQLite file or a PostgreSQL URI\n"
			    "liveline.conf:12: trusted-proxy: \"10.0.0.0/99\": the prefix is 0 to 32\n"
			    "liveline.conf:13: request-priority is realtime or 0 to 19\n"
			    "liveline.conf:14: expected key = value, a [section] or a comment\n"
			    "liveline.conf:15: cache-mb is 1 to 65536\n");
	serve_file_cleanup(&sf);

	/* A line libinih cannot parse, first and alone. */
	assert_int_equal(load("[serve\nworkers = 0\n", &c, &sf), -1);
	assert_string_equal(errors(&sf),
			    "liveline.conf:1: expected key = value, a [section] or a comment\n"
			    "liveline.conf:2: workers is 1 to 64\n");
	serve_file_cleanup(&sf);

	/* The duplicate of db, and of a key split between top and [serve]. */
	assert_int_equal(load("db = a.db\nlisten = 127.0.0.1:1\n[serve]\ndb = b.db\n"
			      "listen = 127.0.0.1:2\n",
			      &c, &sf),
			 -1);
	assert_string_equal(errors(&sf),
			    "liveline.conf:4: db is given twice (first on line 1)\n"
			    "liveline.conf:5: listen is given twice (first on line 2)\n");
	serve_file_cleanup(&sf);
}

static void test_line_too_long(void **state)
{
	struct serve_config c;
	struct serve_file sf;
	char *text = malloc(SERVE_FILE_LINE_MAX * 2 + 64);
	int n;

	(void)state;
	assert_non_null(text);
	n = snprintf(text, 64, "workers = 2\nlisten = ");
	memset(text + n, 'x', SERVE_FILE_LINE_MAX * 2);
	snprintf(text + n + SERVE_FILE_LINE_MAX * 2, 64, "\nworkers = 0\n");
	assert_int_equal(load(text, &c, &sf), -1);
	/* The long line is one error, its pieces none, and the lines after it
	 * keep their numbers. */
	assert_string_equal(errors(&sf),
			    "liveline.conf:2: the line is longer than 4094 bytes\n"
			    "liveline.conf:3: workers is given twice (first on line 1)\n");
	serve_file_cleanup(&sf);
	free(text);
}

static void test_missing_file(void **state)
{
	struct serve_config c;
	struct serve_file sf;

	(void)state;
	unlink(path);
	serve_config_defaults(&c);
	serve_file_init(&sf);
	/* The compiled-in default may be missing: a fresh install runs on
	 * defaults. */
	assert_int_equal(serve_file_load(&sf, path, &c, 1), 0);
	assert_int_equal(sf.nerrors, 0);
	serve_file_cleanup(&sf);
	/* A file named with --config may not. */
	serve_file_init(&sf);
	assert_int_equal(serve_file_load(&sf, path, &c, 0), -1);
	assert_string_equal(errors(&sf),
			    "liveline.conf: cannot open: No such file or directory\n");
	serve_file_cleanup(&sf);
	/* A folder is no file either. */
	serve_file_init(&sf);
	assert_int_equal(serve_file_load(&sf, dir, &c, 1), -1);
	assert_non_null(strstr(sf.errors.data, ": cannot read: Is a directory\n"));
	serve_file_cleanup(&sf);
}

/* What `config check` prints is a file that gives the same settings. */
static void test_print_reads_back(void **state)
{
	struct serve_config c, again;
	struct serve_file sf, sf2;
	struct buf first, second;

	(void)state;
	assert_int_equal(load("db = /srv/live.db\nworkers = 3\nlisten = 127.0.0.1:9\n"
			      "heartbeat = 20\nreplay = 64\nconnections = 500\n"
			      "connection-memory = 4096\nidle-timeout = 9\ncache-entries = 100\n"
			      "cache-mb = 2\nmedia = /srv/m\nrequest-priority = 0\n"
			      "trusted-proxy = 10.0.0.0/8,::1\n"
			      "metrics-allow = 192.0.2.7\nmetrics-listen = 127.0.0.1:9100\n"
			      "access-log = /srv/access.log\naccess-log-format = json\n"
			      "log-level = warn\n"
			      "public-base-url = https://news.example\n",
			      &c, &sf),
			 0);
	c.db_path = sf.db;
	buf_init(&first, 1 << 16);
	serve_config_print(&c, &first);
	assert_int_equal(first.err, 0);
	assert_string_equal(first.data, "db = /srv/live.db\n"
					"listen = 127.0.0.1:9\n"
					"workers = 3\n"
					"connections = 500\n"
					"connection-memory = 4096\n"
					"idle-timeout = 9\n"
					"cache-entries = 100\n"
					"cache-mb = 2\n"
					"heartbeat = 20\n"
					"replay = 64\n"
					"media = /srv/m\n"
					"request-priority = 0\n"
					"trusted-proxy = 10.0.0.0/8\n"
					"trusted-proxy = ::1/128\n"
					"metrics-allow = 192.0.2.7/32\n"
					"metrics-listen = 127.0.0.1:9100\n"
					"access-log = /srv/access.log\n"
					"access-log-format = json\n"
					"log-level = warn\n"
					"public-base-url = https://news.example\n");
	assert_int_equal(load(first.data, &again, &sf2), 0);
	again.db_path = sf2.db;
	buf_init(&second, 1 << 16);
	serve_config_print(&again, &second);
	assert_string_equal(second.data, first.data);
	buf_cleanup(&first);
	buf_cleanup(&second);
	serve_file_cleanup(&sf);
	serve_file_cleanup(&sf2);
}

static void test_print_masks_password(void **state)
{
	struct serve_config c;
	struct buf out;

	(void)state;
	serve_config_defaults(&c);
	c.db_path = "postgresql://ann:s3cret@db.example:5433/live?application_name=a%20b";
	c.media_dir = "/m";
	buf_init(&out, 1 << 16);
	serve_config_print(&c, &out);
	assert_null(strstr(out.data, "s3cret"));
	assert_non_null(strstr(out.data, "db = user=ann password=******** dbname=live "
					 "host=db.example port=5433 application_name='a b'\n"));
	/* No settings given: the defaults, every key present. */
	assert_non_null(strstr(out.data, "\nlisten = 127.0.0.1:8080\n"));
	assert_non_null(strstr(out.data, "\nrequest-priority = realtime\n"));
	assert_non_null(strstr(out.data, "\ntrusted-proxy =\n"));
	buf_cleanup(&out);
}

/* --db over the file, the file over $LIVELINE_DB, that over liveline.db. */
static void test_precedence_of_db(void **state)
{
	struct serve_config c;
	struct serve_file sf;

	(void)state;
	unsetenv("LIVELINE_DB");
	cli_db_flag = NULL;
	assert_int_equal(cli_settings_load(&c, &sf, NULL, 0), 0);
	assert_string_equal(c.db_path, "liveline.db");
	serve_file_cleanup(&sf);

	setenv("LIVELINE_DB", "/env.db", 1);
	write_conf("workers = 2\n");
	assert_int_equal(cli_settings_load(&c, &sf, path, 0), 0);
	assert_string_equal(c.db_path, "/env.db");
	assert_int_equal(c.workers, 2);
	serve_file_cleanup(&sf);

	write_conf("[serve]\ndb = /file.db\n");
	assert_int_equal(cli_settings_load(&c, &sf, path, 0), 0);
	assert_string_equal(c.db_path, "/file.db");
	serve_file_cleanup(&sf);

	cli_db_flag = "/flag.db";
	assert_int_equal(cli_settings_load(&c, &sf, path, 0), 0);
	assert_string_equal(c.db_path, "/flag.db");
	serve_file_cleanup(&sf);

	/* A bad file is a usage error, whatever the flags. */
	write_conf("workers = 65\n");
	assert_int_equal(cli_settings_load(&c, &sf, path, 0), CLI_EXIT_USAGE);
	serve_file_cleanup(&sf);
	cli_db_flag = NULL;
	unsetenv("LIVELINE_DB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_at_top_and_in_serve),
		cmocka_unit_test(test_repeatable_keys),
		cmocka_unit_test(test_each_error_with_its_line),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_print_reads_back),
		cmocka_unit_test(test_print_masks_password),
		cmocka_unit_test(test_precedence_of_db),
	};

	return cmocka_run_group_tests_name("serve_file", tests, setup, teardown);
}
