/*
 * The people commands: `user` (add, list, set-role, disable, enable, passwd)
 * and `token` (create, list, revoke). Whoever can run these can open the
 * database, so they need no sign-in; they act as "command line" in the audit
 * trail. Passwords are read from the terminal with echo off (twice), or one line
 * from standard input with --password-stdin, and only their Argon2id hash is
 * stored; a token is printed once and only its SHA-256 is stored.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/auth.h"
#include "model/model_limits.h"
#include "store/store_newsroom.h"
#include "util/time.h"

static const char usage_user[] =
	"usage: liveline [--db FILE] user add LOGIN --role ROLE [--name \"Display Name\"]\n"
	"                                [--byline-role ROLE_TEXT] [--password-stdin]\n"
	"       liveline [--db FILE] user list\n"
	"       liveline [--db FILE] user set-role LOGIN ROLE\n"
	"       liveline [--db FILE] user disable LOGIN\n"
	"       liveline [--db FILE] user enable LOGIN\n"
	"       liveline [--db FILE] user passwd LOGIN [--password-stdin]\n"
	"\n"
	"Newsroom accounts. ROLE is contributor (writes drafts), editor (publishes,\n"
	"edits, pins, summary, coverage status) or admin (also users, tokens and live\n"
	"pages). LOGIN is 1 to " MODEL_STR(MODEL_LOGIN_MAX)
	" characters of a-z, 0-9, '.', '_' and '-'. --name is\n"
	"the display name and default byline (default: LOGIN); --byline-role is the role\n"
	"shown in bylines (\"Live editor\"). The password (at least 10 characters) is\n"
	"asked for twice on the terminal, or read as one line from standard input with\n"
	"--password-stdin. Disabling an account also ends its sessions and API tokens.\n";

static const char usage_token[] =
	"usage: liveline [--db FILE] token create LOGIN --label TEXT\n"
	"       liveline [--db FILE] token list\n"
	"       liveline [--db FILE] token revoke ID\n"
	"\n"
	"API tokens for scripts and other systems: a token acts as its user, with that\n"
	"user's role, sent as \"Authorization: Bearer TOKEN\". `create` prints the token\n"
	"once; only its hash is stored.\n";

/* Names, roles and labels are shown on one line (bylines, `user list`): one
 * line without control characters, not blank, at most `max` bytes (a limit of
 * model_limits.h; the store checks that it is UTF-8). Prints why and returns -1
 * if not. */
static int users_check_text(const char *cmd, const char *what, const char *s, size_t max,
			    int may_be_empty)
{
	const char *p = s;

	while (*p == ' ')
		p++;
	if (!*p && !may_be_empty) {
		fprintf(stderr, "liveline %s: %s must not be empty\n", cmd, what);
		return -1;
	}
	if (strlen(s) > max) {
		fprintf(stderr, "liveline %s: %s is longer than %zu bytes\n", cmd, what, max);
		return -1;
	}
	for (p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			fprintf(stderr, "liveline %s: %s: no control characters or line breaks\n",
				cmd, what);
			return -1;
		}
	}
	return 0;
}

/* The terminal as it was before echo was turned off, for a Ctrl-C in between. */
static struct termios users_tty_saved;

static void users_tty_restore(int sig)
{
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &users_tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one line of at most AUTH_PASSWORD_MAX bytes, without its newline. */
static int users_read_line(FILE *f, char *out, size_t cap)
{
	size_t n;

	if (!fgets(out, (int)cap, f))
		return -1;
	n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = '\0';
	else if (!feof(f))
		return -2; /* longer than cap */
	if (n && out[n - 1] == '\r')
		out[--n] = '\0';
	return 0;
}

/* Asks on the terminal with echo off; echo comes back even if the user
 * gives up with Ctrl-C (or the terminal goes away) at the prompt. */
static int users_ask(const char *prompt, char *out, size_t cap)
{
	struct sigaction sa, old_int, old_term, old_hup;
	struct termios quiet;
	int rc;

	if (tcgetattr(STDIN_FILENO, &users_tty_saved) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = users_tty_restore;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	quiet = users_tty_saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	/* The prompt only once echo is off: what is typed after it is neither
	 * shown nor flushed away. */
	fputs(prompt, stderr);
	fflush(stderr);
	rc = users_read_line(stdin, out, cap);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &users_tty_saved);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	fputc('\n', stderr);
	return rc;
}

/* Gets a new password and hashes it into `hash`. Returns 0, or 1 after
 * printing why. */
static int users_new_password(const char *cmd, int from_stdin, char hash[AUTH_HASH_MAX])
{
	char pw[AUTH_PASSWORD_MAX + 2], again[AUTH_PASSWORD_MAX + 2];
	const char *why;
	int rc = 1;

	if (from_stdin) {
		if (users_read_line(stdin, pw, sizeof(pw)) < 0) {
			fprintf(stderr, "liveline %s: no password on standard input (or longer "
				"than %d bytes)\n", cmd, AUTH_PASSWORD_MAX);
			return 1;
		}
	} else {
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr, "liveline %s: standard input is not a terminal; use "
				"--password-stdin\n", cmd);
			return 1;
		}
		if (users_ask("Password: ", pw, sizeof(pw)) < 0 ||
		    users_ask("Again: ", again, sizeof(again)) < 0) {
			fprintf(stderr, "liveline %s: no password\n", cmd);
			goto out;
		}
		if (strcmp(pw, again) != 0) {
			fprintf(stderr, "liveline %s: the two passwords differ\n", cmd);
			goto out;
		}
	}
	why = auth_password_problem(pw);
	if (why) {
		fprintf(stderr, "liveline %s: %s\n", cmd, why);
		goto out;
	}
	if (auth_password_hash(pw, hash) < 0) {
		fprintf(stderr, "liveline %s: out of memory while hashing the password\n", cmd);
		goto out;
	}
	rc = 0;
out:
	memset(pw, 0, sizeof(pw));
	memset(again, 0, sizeof(again));
	return rc;
}

static int users_role(const char *cmd, const char *s)
{
	int r = model_role_parse(s);

	if (r < 0)
		fprintf(stderr, "liveline %s: unknown role \"%s\" (contributor, editor or admin)\n",
			cmd, s);
	return r;
}

/* Loads user `login`; prints why and returns -1 if there is none. */
static int users_find(struct store *st, const char *cmd, const char *login, struct model_user *u)
{
	int rc = store_user_by_login(st, login, u, NULL);

	if (rc == STORE_ENOTFOUND)
		fprintf(stderr, "liveline %s: no user \"%s\"\n", cmd, login);
	else if (rc < 0)
		fprintf(stderr, "liveline %s: %s\n", cmd, store_errmsg(st));
	return rc < 0 ? -1 : 0;
}

/* A time for the tables: ISO 8601, or "-" when not set (0). */
static void users_when(int64_t t, char out[TIME_ISO_SIZE])
{
	if (t == 0 || time_iso(t, out) < 0)
		snprintf(out, TIME_ISO_SIZE, "-");
}

static int user_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "byline-role", required_argument, NULL, 'b' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct model_user u = { 0 };
	const char *role = NULL, *name = NULL, *brole = "";
	char hash[AUTH_HASH_MAX];
	struct store *st;
	int c, from_stdin = 0, r, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': role = optarg; break;
		case 'n': name = optarg; break;
		case 'b': brole = optarg; break;
		case 'p': from_stdin = 1; break;
		case 'h': return cli_usage(usage_user, 0);
		default: return cli_bad_option("user add", usage_user);
		}
	}
	if (optind != argc - 1 || !role)
		return cli_bad_option("user add", usage_user);
	r = users_role("user add", role);
	if (r < 0)
		return CLI_EXIT_USAGE;
	if (!model_login_valid(argv[optind])) {
		fprintf(stderr, "liveline user add: a login is 1 to " MODEL_STR(MODEL_LOGIN_MAX)
			" characters of a-z, 0-9, '.', '_' and '-'\n");
		return CLI_EXIT_USAGE;
	}
	if ((name && users_check_text("user add", "--name", name, MODEL_NAME_MAX, 0) < 0) ||
	    users_check_text("user add", "--byline-role", brole, MODEL_NAME_MAX, 1) < 0)
		return CLI_EXIT_USAGE;
	if (users_new_password("user add", from_stdin, hash) != 0)
		return 1;
	st = cli_open_store();
	if (!st)
		return 1;
	u.login = argv[optind];
	u.display_name = (char *)(name ? name : argv[optind]);
	u.byline_name = "";
	u.byline_role = (char *)brole;
	u.role = (enum model_role)r;
	rc = store_user_create(st, 0, &u, hash);
	if (rc == STORE_EEXIST)
		fprintf(stderr, "liveline user add: the login \"%s\" is taken\n", argv[optind]);
	else if (rc < 0)
		fprintf(stderr, "liveline user add: %s\n", store_errmsg(st));
	else
		printf("added %s (%s), id %" PRId64 "\n", argv[optind], model_role_name(u.role),
		       u.id);
	memset(hash, 0, sizeof(hash));
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int user_list(void)
{
	struct model_user *u = NULL;
	struct store *st = cli_open_store();
	size_t n = 0;
	char when[TIME_ISO_SIZE];

	if (!st)
		return 1;
	if (store_user_list(st, &u, &n) < 0) {
		fprintf(stderr, "liveline user list: %s\n", store_errmsg(st));
		store_close(st);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		users_when(u[i].created_at, when);
		printf("%s\t%s\t%s\t%s\t%s\n", u[i].login, model_role_name(u[i].role),
		       u[i].disabled ? "disabled" : "enabled", when, u[i].display_name);
	}
	model_users_free(u, n);
	store_close(st);
	return 0;
}

/* set-role, disable, enable, passwd: one user, one change, and a line saying
 * what it was. argv[0] is the subcommand. */
static int user_change(const char *sub, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct model_user u = { 0 };
	struct store *st;
	char cmd[32], hash[AUTH_HASH_MAX];
	int is_role = strcmp(sub, "set-role") == 0, is_passwd = strcmp(sub, "passwd") == 0;
	int c, rc = 1, r = -1, from_stdin = 0;
	const char *done;

	snprintf(cmd, sizeof(cmd), "user %s", sub);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!is_passwd)
				return cli_bad_option(cmd, usage_user);
			from_stdin = 1;
			break;
		case 'h': return cli_usage(usage_user, 0);
		default: return cli_bad_option(cmd, usage_user);
		}
	}
	if (optind != argc - (is_role ? 2 : 1))
		return cli_bad_option(cmd, usage_user);
	if (is_role && (r = users_role(cmd, argv[optind + 1])) < 0)
		return CLI_EXIT_USAGE;
	st = cli_open_store();
	if (!st)
		return 1;
	/* The user first: nobody types a password for a login that is not there. */
	if (users_find(st, cmd, argv[optind], &u) < 0)
		goto out;
	if (is_role) {
		rc = (enum model_role)r == u.role
			 ? 0
			 : store_user_set_role(st, 0, u.id, (enum model_role)r);
		done = (enum model_role)r == u.role ? "already" : "now";
	} else if (strcmp(sub, "disable") == 0) {
		rc = u.disabled ? 0 : store_user_set_disabled(st, 0, u.id, 1);
		done = u.disabled ? "already disabled"
				  : "disabled; their sessions and API tokens are revoked";
	} else if (strcmp(sub, "enable") == 0) {
		rc = u.disabled ? store_user_set_disabled(st, 0, u.id, 0) : 0;
		done = u.disabled ? "enabled" : "already enabled";
	} else {
		if (users_new_password(cmd, from_stdin, hash) != 0) {
			rc = 1;
			goto out;
		}
		rc = store_user_set_password(st, 0, u.id, hash);
		memset(hash, 0, sizeof(hash));
		done = "has a new password";
	}
	if (rc < 0) {
		fprintf(stderr, "liveline %s: %s\n", cmd, store_errmsg(st));
		rc = 1;
	} else if (is_role) {
		printf("%s is %s %s\n", u.login, done, model_role_name((enum model_role)r));
	} else {
		printf("%s %s\n", u.login, done);
	}
out:
	model_user_cleanup(&u);
	store_close(st);
	return rc;
}

int cli_user(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return cli_bad_option("user", usage_user);
	if (cli_asks_help(argc, argv))
		return cli_usage(usage_user, 0);
	if (auth_init() < 0) {
		fprintf(stderr, "liveline user: libsodium cannot start\n");
		return 1;
	}
	if (strcmp(sub, "add") == 0)
		return user_add(argc - 1, argv + 1);
	if (strcmp(sub, "list") == 0)
		return argc == 2 ? user_list() : cli_bad_option("user list", usage_user);
	if (strcmp(sub, "set-role") == 0 || strcmp(sub, "disable") == 0 ||
	    strcmp(sub, "enable") == 0 || strcmp(sub, "passwd") == 0)
		return user_change(sub, argc - 1, argv + 1);
	return cli_bad_option("user", usage_user);
}

static int token_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct model_user u = { 0 };
	const char *label = NULL;
	char secret[AUTH_TOKEN_LEN + 1];
	unsigned char hash[STORE_TOKEN_HASH_LEN];
	struct store *st;
	int64_t id = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': label = optarg; break;
		case 'h': return cli_usage(usage_token, 0);
		default: return cli_bad_option("token create", usage_token);
		}
	}
	if (optind != argc - 1 || !label)
		return cli_bad_option("token create", usage_token);
	if (users_check_text("token create", "--label", label, MODEL_LABEL_MAX, 0) < 0)
		return CLI_EXIT_USAGE;
	st = cli_open_store();
	if (!st)
		return 1;
	if (users_find(st, "token create", argv[optind], &u) < 0) {
		store_close(st);
		return 1;
	}
	if (u.disabled) {
		fprintf(stderr, "liveline token create: the user \"%s\" is disabled\n", u.login);
		rc = -1;
	} else {
		auth_token_new(secret);
		auth_token_hash(secret, strlen(secret), hash);
		rc = store_token_create(st, 0, u.id, label, hash, &id);
		if (rc < 0)
			fprintf(stderr, "liveline token create: %s\n", store_errmsg(st));
		else {
			fprintf(stderr, "token %" PRId64 " for %s (%s); it is shown only now:\n",
				id, u.login, model_role_name(u.role));
			printf("%s\n", secret);
		}
		memset(secret, 0, sizeof(secret));
	}
	model_user_cleanup(&u);
	store_close(st);
	return rc < 0 ? 1 : 0;
}

static int token_list(void)
{
	struct model_token *t = NULL;
	struct store *st = cli_open_store();
	size_t n = 0;
	char when[TIME_ISO_SIZE], revoked[TIME_ISO_SIZE];

	if (!st)
		return 1;
	if (store_token_list(st, &t, &n) < 0) {
		fprintf(stderr, "liveline token list: %s\n", store_errmsg(st));
		store_close(st);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		users_when(t[i].created_at, when);
		users_when(t[i].revoked_at, revoked);
		printf("%" PRId64 "\t%s\t%s\t%s\t%s\n", t[i].id, t[i].user_login, when,
		       t[i].revoked_at ? revoked : "valid", t[i].label);
	}
	model_tokens_free(t, n);
	store_close(st);
	return 0;
}

int cli_token(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct store *st;
	long id;
	int rc;

	if (!sub)
		return cli_bad_option("token", usage_token);
	if (cli_asks_help(argc, argv))
		return cli_usage(usage_token, 0);
	if (auth_init() < 0) {
		fprintf(stderr, "liveline token: libsodium cannot start\n");
		return 1;
	}
	if (strcmp(sub, "create") == 0)
		return token_create(argc - 1, argv + 1);
	if (strcmp(sub, "list") == 0)
		return argc == 2 ? token_list() : cli_bad_option("token list", usage_token);
	if (strcmp(sub, "revoke") != 0 || argc != 3)
		return cli_bad_option("token", usage_token);
	if (cli_parse_long(argv[2], 1, LONG_MAX, &id) < 0) {
		fprintf(stderr, "liveline token revoke: \"%s\" is not a token id\n", argv[2]);
		return CLI_EXIT_USAGE;
	}
	st = cli_open_store();
	if (!st)
		return 1;
	rc = store_token_revoke(st, 0, id);
	if (rc == STORE_ENOTFOUND)
		fprintf(stderr, "liveline token revoke: no token %ld\n", id);
	else if (rc < 0)
		fprintf(stderr, "liveline token revoke: %s\n", store_errmsg(st));
	store_close(st);
	return rc < 0 ? 1 : 0;
}
