/*
 * The configuration file: `serve`'s settings written down, in the INI form
 * that libinih reads (key = value lines, [serve] sections, # and ; comments).
 * The file holds no settings of its own: each key is handed to
 * serve_config_set() as its flag would be, so every flag is a key and says
 * the same thing in both places. This file adds only what a file needs and a
 * command line does not: the line of every error, a key given twice, the
 * `db` key, and printing the effective settings back (`config check`).
 */
#include "serve/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media/media.h"
#include "store/store.h"


void serve_file_init(struct serve_file *sf)
{
	memset(sf, 0, sizeof(*sf));
	buf_init(&sf->errors, SERVE_FILE_ERRORS_MAX);
}

void serve_file_cleanup(struct serve_file *sf)
{
	for (size_t i = 0; i < sf->nstrings; i++)
		free(sf->strings[i]);
	free(sf->strings);
	free(sf->seen);
	free(sf->seen_line);
	buf_cleanup(&sf->errors);
	memset(sf, 0, sizeof(*sf));
}

const char *serve_file_default(void)
{
#ifdef LIVELINE_CONFIG_DEFAULT
	return LIVELINE_CONFIG_DEFAULT;
#else
	return NULL;
#endif
}

int serve_file_repeatable(const char *name)
{
	struct serve_config probe = { 0 };

	return serve_config_list(&probe, name) != NULL;
}

void serve_config_clear(struct serve_config *cfg, const char *name)
{
	struct http_proxies *list = serve_config_list(cfg, name);

	if (list)
		memset(list, 0, sizeof(*list));
}

static void serve_file_error(struct serve_file *sf, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void serve_file_error(struct serve_file *sf, unsigned line, const char *fmt, ...)
{
	va_list ap;

	sf->nerrors++;
	if (line)
		buf_printf(&sf->errors, "%s:%u: ", sf->path, line);
	else
		buf_printf(&sf->errors, "%s: ", sf->path);
	va_start(ap, fmt);
	buf_vprintf(&sf->errors, fmt, ap);
	va_end(ap);
	buf_putc(&sf->errors, '\n');
}

/* The error of the first line libinih could not parse, which it tells only
 * once the file is read: put among the others in line order. */
static void serve_file_error_at(struct serve_file *sf, unsigned line, const char *reason)
{
	size_t plen = strlen(sf->path), at = 0;
	char *tail = NULL;

	while (sf->errors.data && at < sf->errors.len) {
		const char *e = sf->errors.data + at;
		const char *nl = strchr(e, '\n');

		/* Each line is "PATH:LINE: reason" (or "PATH: reason", line 0). */
		if (!nl || strtoul(e + plen + 1, NULL, 10) > line)
			break;
		at = (size_t)(nl - sf->errors.data) + 1;
	}
	if (sf->errors.data && at < sf->errors.len) {
		tail = strdup(sf->errors.data + at);
		if (!tail) {
			sf->errors.err = BUF_ENOMEM;
			return;
		}
		sf->errors.len = at;
		sf->errors.data[at] = '\0';
	}
	serve_file_error(sf, line, "%s", reason);
	if (tail)
		buf_puts(&sf->errors, tail);
	free(tail);
}

/* A copy of `s` that lives as long as sf; NULL when out of memory. */
static char *serve_file_keep(struct serve_file *sf, const char *s)
{
	char **grown = realloc(sf->strings, (sf->nstrings + 1) * sizeof(*grown));
	char *copy;

	if (!grown)
		return NULL;
	sf->strings = grown;
	copy = strdup(s);
	if (!copy)
		return NULL;
	sf->strings[sf->nstrings++] = copy;
	return copy;
}

/* The line single-valued key `name` was first given on, or 0. */
static unsigned serve_file_seen(const struct serve_file *sf, const char *name)
{
	for (size_t i = 0; i < sf->nseen; i++)
		if (strcmp(sf->seen[i], name) == 0)
			return sf->seen_line[i];
	return 0;
}

/* Notes key `name` as given on the current line; -1 when out of memory. */
static int serve_file_note(struct serve_file *sf, const char *name)
{
	char **names;
	unsigned *lines;
	char *copy;

	names = realloc(sf->seen, (sf->nseen + 1) * sizeof(*names));
	if (!names)
		return -1;
	sf->seen = names;
	lines = realloc(sf->seen_line, (sf->nseen + 1) * sizeof(*lines));
	if (!lines)
		return -1;
	sf->seen_line = lines;
	copy = serve_file_keep(sf, name);
	if (!copy)
		return -1;
	sf->seen[sf->nseen] = copy;
	sf->seen_line[sf->nseen++] = sf->line;
	return 0;
}

/* libinih's reader: fgets, counting lines. libinih reads a long line in
 * several calls (growing its buffer up to ini_max_line), so a line begins
 * where the previous call's text ended with a newline; its handler is called
 * once the whole line is read, and then sf->line is that line's number. */
static char *serve_file_read(char *str, int num, void *stream)
{
	struct serve_file *sf = stream;
	size_t n;

	if (!fgets(str, num, sf->in))
		return NULL;
	n = strlen(str);
	if (sf->at_line_start) {
		sf->line++;
		sf->line_len = 0;
		sf->line_too_long = 0;
	}
	sf->line_len += n;
	sf->at_line_start = n > 0 && str[n - 1] == '\n';
	/* libinih stops growing at ini_max_line and parses the rest as a line
	 * of its own: the line is refused whole, and its pieces ignored. */
	if (!sf->at_line_start && sf->line_len >= SERVE_FILE_LINE_MAX - 1 && !sf->line_too_long) {
		sf->line_too_long = sf->any_too_long = 1;
		serve_file_error(sf, sf->line, "the line is longer than %d bytes",
				 SERVE_FILE_LINE_MAX - 2);
	}
	return str;
}

/* libinih's handler, once per key = value line. Errors are collected, not
 * returned: returning 0 would only tell libinih the line, and it keeps the
 * first; we want every error with its reason. */
static int serve_file_key(void *user, const char *section, const char *name, const char *value)
{
	struct serve_file *sf = user;
	int list = serve_file_repeatable(name);
	unsigned first;
	char err[200];
	char *v;
	int r;

	if (sf->line_too_long)
		return 1;
	if (*section && strcmp(section, "serve") != 0) {
		/* Once per section, not once per key in it. */
		if (strncmp(section, sf->bad_section, sizeof(sf->bad_section) - 1) != 0) {
			serve_file_error(sf, sf->line,
					 "unknown section [%s] (keys go at the top or in [serve])",
					 section);
			snprintf(sf->bad_section, sizeof(sf->bad_section), "%s", section);
		}
		return 1;
	}
	if (list && !*value) {
		/* An empty repeatable key empties the list: what `config check`
		 * prints for none, and a way to say none on purpose. */
		serve_config_clear(sf->cfg, name);
		return 1;
	}
	first = list ? 0 : serve_file_seen(sf, name);
	if (first) {
		serve_file_error(sf, sf->line, "%s is given twice (first on line %u)", name, first);
		return 1;
	}
	v = serve_file_keep(sf, value);
	if (!v)
		goto nomem;
	if (strcmp(name, "db") == 0) {
		if (!*v)
			serve_file_error(sf, sf->line,
					 "db needs a SQLite file or a PostgreSQL URI");
		else
			sf->db = v;
	} else {
		r = serve_config_set(sf->cfg, name, v, err, sizeof(err));
		if (r == -2) {
			serve_file_error(sf, sf->line, "unknown key %s", name);
			return 1;
		}
		if (r < 0)
			/* serve_config_set() speaks of flags ("--workers is 1 to 64"). */
			serve_file_error(sf, sf->line, "%s",
					 strncmp(err, "--", 2) == 0 ? err + 2 : err);
	}
	if (!list && serve_file_note(sf, name) < 0)
		goto nomem;
	return 1;
nomem:
	serve_file_error(sf, sf->line, "out of memory");
	return 1;
}

int serve_file_load(struct serve_file *sf, const char *path, struct serve_config *cfg,
		    int missing_ok)
{
	int r;

	sf->path = path;
	sf->cfg = cfg;
	sf->line = 0;
	sf->at_line_start = 1;
	sf->in = fopen(path, "r");
	if (!sf->in) {
		if (missing_ok && errno == ENOENT)
			return 0;
		serve_file_error(sf, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	/* Debian's libinih reads these at run time: a heap buffer that grows
	 * to SERVE_FILE_LINE_MAX (a PostgreSQL URI can be long), and no
	 * continuation lines, so that an indented line is a line of its own
	 * rather than more of the value above it. */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = SERVE_FILE_LINE_MAX;
	ini_allow_multiline = false;
	errno = 0;
	r = ini_parse_stream(serve_file_read, sf, serve_file_key, sf);
	if (ferror(sf->in))
		serve_file_error(sf, 0, "cannot read: %s", strerror(errno ? errno : EIO));
	else if (r == -2)
		serve_file_error(sf, 0, "out of memory");
	else if (r > 0 && !sf->any_too_long)
		/* Our handler never fails, so this is the first line libinih
		 * could not parse. (After a line too long its count is off by
		 * the pieces, and that error is said already.) */
		serve_file_error_at(sf, (unsigned)r,
				    "expected key = value, a [section] or a comment");
	fclose(sf->in);
	sf->in = NULL;
	sf->cfg = NULL;
	if (sf->errors.err)
		sf->nerrors++;
	return sf->nerrors ? -1 : 0;
}

/* The media folder serve will use (serve_media_dir's rule), without making
 * the PostgreSQL cache folder as serve does. */
static void serve_config_print_media(const struct serve_config *cfg, struct buf *out)
{
	const char *env = getenv("LIVELINE_MEDIA");
	char dir[4096];

	if (cfg->media_dir)
		buf_printf(out, "media = %s\n", cfg->media_dir);
	else if (env && *env)
		buf_printf(out, "media = %s\n", env);
	else if (cfg->db_path && media_default_dir(cfg->db_path, store_target_is_pg(cfg->db_path),
						   dir, sizeof(dir)) == 0)
		buf_printf(out, "media = %s\n", dir);
	else
		buf_printf(out, "media =\n");
}

/* A repeatable setting: one line per network, or `key =` for none. */
static void serve_config_print_list(const char *key, const struct http_proxies *list,
				    struct buf *out)
{
	char addr[INET6_ADDRSTRLEN];

	if (list->n == 0)
		buf_printf(out, "%s =\n", key);
	for (size_t i = 0; i < list->n; i++) {
		if (!inet_ntop(list->nets[i].family, list->nets[i].addr, addr, sizeof(addr)))
			snprintf(addr, sizeof(addr), "?");
		buf_printf(out, "%s = %s/%u\n", key, addr, list->nets[i].prefix);
	}
}

void serve_config_print(const struct serve_config *cfg, struct buf *out)
{
	char what[2048];
	unsigned workers = cfg->workers;

	if (!workers) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		/* serve_run()'s rule: one per core. */
		workers = cores > 0 ? (unsigned)cores : 1;
	}
	buf_printf(out, "db = %s\n", store_target_masked(cfg->db_path, what, sizeof(what)));
	buf_printf(out, "listen = %s\n", cfg->listen);
	buf_printf(out, "workers = %u\n", workers);
	buf_printf(out, "connections = %u\n", cfg->connection_limit);
	buf_printf(out, "connection-memory = %u\n", cfg->connection_memory);
	buf_printf(out, "idle-timeout = %u\n", cfg->idle_timeout);
	buf_printf(out, "cache-entries = %zu\n", cfg->cache_entries);
	buf_printf(out, "cache-mb = %zu\n", cfg->cache_bytes >> 20);
	buf_printf(out, "heartbeat = %u\n", cfg->heartbeat_s);
	buf_printf(out, "replay = %u\n", cfg->stream_ring);
	serve_config_print_media(cfg, out);
	if (cfg->request_prio.mode == PRIO_REALTIME)
		buf_printf(out, "request-priority = realtime\n");
	else if (cfg->request_prio.mode == PRIO_NICE)
		buf_printf(out, "request-priority = %u\n", cfg->request_prio.nice);
	else
		buf_printf(out, "request-priority = 0\n");
	serve_config_print_list("trusted-proxy", &cfg->trusted_proxies, out);
	/* None given: loopback, which `metrics-allow =` also means. */
	serve_config_print_list("metrics-allow", &cfg->metrics_allow, out);
	if (cfg->metrics_listen)
		buf_printf(out, "metrics-listen = %s\n", cfg->metrics_listen);
	else
		buf_printf(out, "metrics-listen =\n");
	if (cfg->access_log)
		buf_printf(out, "access-log = %s\n", cfg->access_log);
	else
		buf_printf(out, "access-log =\n");
	buf_printf(out, "access-log-format = %s\n",
		   cfg->access_log_format == HTTP_LOG_JSON ? "json" : "combined");
	buf_printf(out, "log-level = %s\n", serve_log_levels[cfg->log_level]);
	buf_printf(out, "public-base-url = %s\n", cfg->public_base_url);
}
