/*
 * `serve`'s settings: their defaults, and each flag's parsing and range, in
 * one place that the command line calls and tests/unit/serve/ checks. See
 * serve.h.
 */
#include "serve/serve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"
#include "store/store.h"
#include "util/log.h"

enum serve_setting_id {
	SERVE_SET_WORKERS,
	SERVE_SET_CONNECTIONS,
	SERVE_SET_CONNECTION_MEMORY,
	SERVE_SET_IDLE_TIMEOUT,
	SERVE_SET_CACHE_ENTRIES,
	SERVE_SET_CACHE_MB,
	SERVE_SET_HEARTBEAT,
	SERVE_SET_REPLAY,
};

/* The numeric settings: a flag, its range, and how its error reads. */
static const struct {
	const char *name;
	enum serve_setting_id id;
	long long min, max;
	const char *unit; /* after the range in the error, or "" */
} serve_settings[] = {
	{ "workers", SERVE_SET_WORKERS, 1, 64, "" },
	{ "connections", SERVE_SET_CONNECTIONS, 16, 1000000, "" },
	{ "connection-memory", SERVE_SET_CONNECTION_MEMORY, 2048, 1048576, " bytes" },
	{ "idle-timeout", SERVE_SET_IDLE_TIMEOUT, 1, 86400, " seconds" },
	{ "cache-entries", SERVE_SET_CACHE_ENTRIES, 16, 10000000, "" },
	{ "cache-mb", SERVE_SET_CACHE_MB, 1, 65536, "" },
	{ "heartbeat", SERVE_SET_HEARTBEAT, 1, 3600, " seconds" },
	{ "replay", SERVE_SET_REPLAY, 4, 100000, " events" },
};

void serve_config_defaults(struct serve_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen = SERVE_DEFAULT_LISTEN;
	cfg->connection_limit = SERVE_DEFAULT_CONNECTIONS;
	cfg->connection_memory = SERVE_DEFAULT_CONNECTION_MEMORY;
	cfg->idle_timeout = SERVE_DEFAULT_IDLE_TIMEOUT_S;
	cfg->cache_entries = SERVE_DEFAULT_CACHE_ENTRIES;
	cfg->cache_bytes = (size_t)SERVE_DEFAULT_CACHE_MB << 20;
	cfg->poll_ms = SERVE_DEFAULT_POLL_MS;
	cfg->heartbeat_s = SERVE_DEFAULT_HEARTBEAT_S;
	cfg->stream_ring = SERVE_DEFAULT_REPLAY;
	cfg->request_prio = (struct prio){ PRIO_REALTIME, SERVE_DEFAULT_REQUEST_STEPS };
	cfg->access_log_format = HTTP_LOG_COMBINED;
	cfg->log_level = LOG_LEVEL_INFO;
}

const char *const serve_log_levels[LOG_LEVEL_DEBUG + 1] = { "error", "warn", "info", "debug" };

/* The logs' settings (docs/operations.md, "Logs"). Returns as
 * serve_config_set() does. */
static int serve_config_logs(struct serve_config *cfg, const char *name, const char *value,
			     char *err, size_t errlen)
{

	if (strcmp(name, "access-log") == 0) {
		/* Empty (a configuration file's `access-log =`): none. */
		if (!*value) {
			cfg->access_log = NULL;
			return 0;
		}
		/* Not standard output: workers' writes to a pipe are whole only up
		 * to PIPE_BUF, and a file named "-" is surely a mistake. */
		if (strcmp(value, "-") == 0) {
			snprintf(err, errlen, "--access-log needs a file, not - (name /dev/stderr "
				 "knowingly: lines longer than 4 KiB may then interleave)");
			return -1;
		}
		cfg->access_log = value;
		return 0;
	}
	if (strcmp(name, "access-log-format") == 0) {
		if (strcmp(value, "combined") == 0)
			cfg->access_log_format = HTTP_LOG_COMBINED;
		else if (strcmp(value, "json") == 0)
			cfg->access_log_format = HTTP_LOG_JSON;
		else {
			snprintf(err, errlen, "--access-log-format is combined or json");
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "log-level") == 0) {
		for (int i = 0; i <= LOG_LEVEL_DEBUG; i++) {
			if (strcmp(value, serve_log_levels[i]) == 0) {
				cfg->log_level = LOG_LEVEL_ERROR + i;
				return 0;
			}
		}
		snprintf(err, errlen, "--log-level is error, warn, info or debug");
		return -1;
	}
	return -2;
}

/* A whole decimal number within [min, max], or -1. */
static int serve_number(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void serve_set_number(struct serve_config *cfg, enum serve_setting_id id, long long v)
{
	switch (id) {
	case SERVE_SET_WORKERS: cfg->workers = (unsigned)v; break;
	case SERVE_SET_CONNECTIONS: cfg->connection_limit = (unsigned)v; break;
	case SERVE_SET_CONNECTION_MEMORY: cfg->connection_memory = (unsigned)v; break;
	case SERVE_SET_IDLE_TIMEOUT: cfg->idle_timeout = (unsigned)v; break;
	case SERVE_SET_CACHE_ENTRIES: cfg->cache_entries = (size_t)v; break;
	case SERVE_SET_CACHE_MB: cfg->cache_bytes = (size_t)v << 20; break;
	case SERVE_SET_HEARTBEAT: cfg->heartbeat_s = (unsigned)v; break;
	case SERVE_SET_REPLAY: cfg->stream_ring = (unsigned)v; break;
	}
}

/* The form of a listening address, "HOST:PORT" or "[V6]:PORT" (HOST may be
 * empty: every address), checked when it is set, so that `config check`
 * refuses what serve_run() could not bind; the name is resolved at start. */
static int serve_address_ok(const char *value)
{
	const char *colon = strrchr(value, ':');
	long long port;

	if (!colon || serve_number(colon + 1, 0, 65535, &port) < 0)
		return -1;
	if (value[0] == '[')
		return colon - value >= 2 && colon[-1] == ']' ? 0 : -1;
	/* An IPv6 address without brackets: which colon ends it? */
	return memchr(value, ':', (size_t)(colon - value)) ? -1 : 0;
}

/* --public-base-url: http or https, a host of letters, digits, '.', '-' (or an
 * IPv6 address in brackets), an optional port and path; no query, fragment or
 * credentials, since every absolute link is this plus a path. Stored without
 * its trailing slashes. Empty: none (made from the listening address). */
static int serve_config_base_url(struct serve_config *cfg, const char *value, char *err,
				 size_t errlen)
{
	const char *host = NULL, *p;
	size_t len = strlen(value);

	if (strncmp(value, "https://", 8) == 0)
		host = value + 8;
	else if (strncmp(value, "http://", 7) == 0)
		host = value + 7;
	if (!*value) {
		cfg->public_base_url[0] = '\0';
		return 0;
	}
	if (!host || !*host || *host == '/' || *host == ':' || len >= sizeof(cfg->public_base_url))
		goto bad;
	for (p = host; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr(".-:[]/_~%", c))
			continue;
		goto bad;
	}
	while (len > 0 && value[len - 1] == '/')
		len--;
	memcpy(cfg->public_base_url, value, len);
	cfg->public_base_url[len] = '\0';
	return 0;
bad:
	snprintf(err, errlen, "--public-base-url is http:// or https:// with a host, an optional"
		 " port and path (no query, fragment or user), at most %d characters",
		 SERVE_BASE_URL_MAX - 1);
	return -1;
}

struct http_proxies *serve_config_list(struct serve_config *cfg, const char *name)
{
	if (strcmp(name, "trusted-proxy") == 0)
		return &cfg->trusted_proxies;
	if (strcmp(name, "metrics-allow") == 0)
		return &cfg->metrics_allow;
	return NULL;
}

int serve_config_set(struct serve_config *cfg, const char *name, const char *value, char *err,
		     size_t errlen)
{
	struct http_proxies *list;
	long long v;

	for (size_t i = 0; i < sizeof(serve_settings) / sizeof(serve_settings[0]); i++) {
		if (strcmp(name, serve_settings[i].name) != 0)
			continue;
		if (serve_number(value, serve_settings[i].min, serve_settings[i].max, &v) < 0) {
			snprintf(err, errlen, "--%s is %lld to %lld%s", name, serve_settings[i].min,
				 serve_settings[i].max, serve_settings[i].unit);
			return -1;
		}
		serve_set_number(cfg, serve_settings[i].id, v);
		return 0;
	}
	if (strcmp(name, "media") == 0) {
		if (!*value) {
			snprintf(err, errlen, "--media needs a folder");
			return -1;
		}
		cfg->media_dir = value;
		return 0;
	}
	if (strcmp(name, "listen") == 0) {
		if (serve_address_ok(value) < 0) {
			snprintf(err, errlen, "--listen is HOST:PORT (an IPv6 address in brackets,"
				 " a port of 0 to 65535)");
			return -1;
		}
		cfg->listen = value;
		return 0;
	}
	list = serve_config_list(cfg, name);
	if (list) {
		char why[160];

		if (http_proxies_add(list, value, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "--%s: %s", name, why);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "metrics-listen") == 0) {
		/* Resolved at start (serve_run), as --listen is. Empty (a
		 * configuration file's `metrics-listen =`): none. */
		if (!*value) {
			cfg->metrics_listen = NULL;
			return 0;
		}
		if (serve_address_ok(value) < 0) {
			snprintf(err, errlen, "--metrics-listen is HOST:PORT (an IPv6 address in"
				 " brackets, a port of 0 to 65535)");
			return -1;
		}
		cfg->metrics_listen = value;
		return 0;
	}
	if (strcmp(name, "public-base-url") == 0)
		return serve_config_base_url(cfg, value, err, errlen);
	if (strcmp(name, "request-priority") == 0) {
		if (strcmp(value, "realtime") == 0) {
			cfg->request_prio = (struct prio){ PRIO_REALTIME, SERVE_DEFAULT_REQUEST_STEPS };
			return 0;
		}
		if (serve_number(value, 0, 19, &v) < 0) {
			snprintf(err, errlen, "--request-priority is realtime or 0 to 19");
			return -1;
		}
		cfg->request_prio = (struct prio){ v ? PRIO_NICE : PRIO_NONE, (unsigned)v };
		return 0;
	}
	return serve_config_logs(cfg, name, value, err, errlen);
}

const char *serve_media_dir(const char *given, const char *db, char *buf, size_t len, char *err,
			    size_t errlen)
{
	const char *env = getenv("LIVELINE_MEDIA");
	int n;

	if (!given && env && *env)
		given = env;
	if (given) {
		n = snprintf(buf, len, "%s", given);
		if (n < 0 || (size_t)n >= len) {
			snprintf(err, errlen, "the media folder's path is too long");
			return NULL;
		}
		return buf;
	}
	if (media_default_dir(db, store_target_is_pg(db), buf, len) < 0) {
		snprintf(err, errlen, "the database path is too long");
		return NULL;
	}
	if (store_target_is_pg(db)) {
		if (media_cache_ready(buf, err, errlen) < 0)
			return NULL;
		log_info("media: caching the store's images in %s (set --media to choose)", buf);
	}
	return buf;
}

int serve_config_media(struct serve_config *cfg, char *buf, size_t len, char *err,
		       size_t errlen)
{
	const char *dir = serve_media_dir(cfg->media_dir, cfg->db_path, buf, len, err, errlen);

	if (!dir)
		return -1;
	cfg->media_dir = dir;
	return 0;
}
