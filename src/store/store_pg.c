/*
 * The store on PostgreSQL (libpq): the backend that lets several Liveline
 * nodes share one database. It holds only what store_backend.h asks of a
 * backend: statements, transactions, the schema and its migrations, waking
 * other nodes (LISTEN/NOTIFY) and surviving a lost connection. Everything
 * above the SQL is the core's (store.c and its neighbours).
 *
 * Statements: the core's SQL numbers its parameters ?1, ?2, ...; they become
 * $1, $2, ... here. A statement is prepared on the server at its first step,
 * with each parameter's type taken from what was bound (a 64-bit integer is
 * int8, so that "$1 + 1" is not int4; a blob is bytea, sent in binary), and
 * prepared again on a new connection or when a parameter is bound as another
 * type. Results come back as text and are converted on reading.
 *
 * Writers: every write transaction takes one transaction-scoped advisory lock
 * right after BEGIN, so the writers of a database run one at a time, as
 * SQLite's single writer does. That is what makes the change log's ids
 * visible in increasing order (store.h): an id is drawn inside the lock, and
 * PostgreSQL releases a transaction's locks only after its commit is visible,
 * so the next writer draws a larger id and commits after it. Without the lock
 * two transactions could draw ids 7 and 8 and commit 8 first: a worker that
 * read up to 8 would never see 7.
 *
 * Waking: the commit of a change-log entry sends NOTIFY liveline_changes
 * (queued in the transaction, delivered only if it commits), and a second
 * connection per store LISTENs: its socket is what a worker polls.
 *
 * A lost connection is made again on the next call, and after a failed try
 * only once a backoff (100 ms, doubling to 5 s) has passed. A statement that
 * failed with the connection inside a transaction is never retried: the
 * transaction is gone, the caller is told, and every call fails until it
 * rolls back (what may not have committed is never acknowledged). A read, or a
 * BEGIN, outside a transaction is retried once on a new connection.
 */
#include "store/store_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libpq-fe.h>

#include "util/buf.h"
#include "util/log.h"

/* A write transaction: BEGIN and the one advisory lock every writer takes
 * (its key is "liveline" as a big-endian 64-bit number), in one round trip.
 * Advisory locks are per database, so two Liveline databases on one server
 * do not serialise each other. The wait for the lock is bounded as SQLite's
 * busy timeout is (5 s): a write queued behind a long import fails with a
 * reason rather than holding its request forever. */
#define STORE_PG_BEGIN_SQL \
	"BEGIN; SET LOCAL lock_timeout = '5s'; SELECT pg_advisory_xact_lock(7811905206633459301)"
#define STORE_PG_CHANNEL "liveline_changes"

#define STORE_PG_BACKOFF_MIN_MS 100
#define STORE_PG_BACKOFF_MAX_MS 5000

/* Type OIDs of the parameters we bind (pg_type.dat; stable since 7.x). */
#define STORE_PG_INT8OID 20
#define STORE_PG_TEXTOID 25
#define STORE_PG_BYTEAOID 17

/* When the next try to connect may be made. */
struct store_pg_backoff {
	int64_t at_ms;   /* CLOCK_MONOTONIC; 0: now */
	int delay_ms;    /* 0 after a success */
};

struct store_pg_stmt {
	struct store_stmt base; /* first: the core holds a struct store_stmt * */
	struct store_pg_stmt *next, **prevp; /* the connection's statements */
	char *sql;      /* with $N parameters */
	int nparams;
	int read;       /* a SELECT: may run again on a new connection */
	char name[24];
	uint64_t generation; /* the connection it was prepared on; 0: none */
	Oid *types;     /* as prepared */
	Oid *bound;     /* as bound now (0: NULL, keep the prepared type) */
	char **values;  /* NULL: SQL NULL; each malloc'd */
	int *lengths;
	int *formats;   /* 0 text, 1 binary (bytea) */
	int bind_error; /* the first out-of-range index, reported by step() */
	PGresult *res;
	int row;        /* the current row; -1 before the first step */
	unsigned char *blob; /* col_blob()'s bytes, until the next step or reset */
};

struct store_pg {
	PGconn *db;
	PGconn *wake;   /* LISTENs; made at the first wake_fd() */
	/* Connection parameters: our defaults, then the caller's string, which
	 * overrides them (PQconnectdbParams with expand_dbname). */
	const char *keys[10];
	const char *vals[10];
	char *conninfo;
	uint64_t generation; /* increments on each new connection */
	unsigned next_name;
	int64_t version;     /* data_version() */
	/* The connection was lost inside a transaction: every call fails until
	 * the core rolls back (or begins anew), so that nothing runs outside the
	 * transaction it thinks is open. */
	int txn_lost;
	int notify;     /* the open transaction appended to the change log */
	struct store_pg_backoff db_backoff, wake_backoff;
	/* An outage said in the log once, not at each try: the main connection
	 * could not be made again; the listening one was lost or not made. */
	int db_lost_said, wake_lost_said;
	struct store_pg_stmt *stmts;
};

static const struct store_backend store_pg_backend;

static int64_t store_pg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int store_pg_backoff_ready(const struct store_pg_backoff *b)
{
	return b->at_ms == 0 || store_pg_now_ms() >= b->at_ms;
}

static void store_pg_backoff_failed(struct store_pg_backoff *b)
{
	if (b->delay_ms == 0)
		b->delay_ms = STORE_PG_BACKOFF_MIN_MS;
	else if ((b->delay_ms *= 2) > STORE_PG_BACKOFF_MAX_MS)
		b->delay_ms = STORE_PG_BACKOFF_MAX_MS;
	b->at_ms = store_pg_now_ms() + b->delay_ms;
}

static void store_pg_backoff_ok(struct store_pg_backoff *b)
{
	b->at_ms = 0;
	b->delay_ms = 0;
}

static struct store_pg *store_pg_of(struct store *s)
{
	return s->conn;
}

static void *store_pg_alloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p)
		abort();
	return p;
}

/* The length of the first line of `msg`, without a "FATAL:  " or "ERROR:  "
 * prefix (*msg is moved past it): messages are one line in our log. */
static int store_pg_line(const char **msg)
{
	static const char *const prefixes[] = { "ERROR:  ", "FATAL:  ", "PANIC:  " };
	const char *m = *msg ? *msg : "";
	size_t n;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(m, prefixes[i], strlen(prefixes[i])) == 0)
			m += strlen(prefixes[i]);
	n = strcspn(m, "\n");
	*msg = m;
	return n > 400 ? 400 : (int)n;
}

/* Records why `res` (NULL: the connection) failed, prefixed by `what`, and
 * returns the code for it: a unique or foreign-key violation by its SQLSTATE,
 * anything else STORE_DB_ERR. */
/* 1 if SQLSTATE `state` says the server is going away or out of reach: class
 * 08 (connection exception) and 57P01-57P03 (shutdown, crash, not accepting
 * connections yet). A server shutting down sends such an error before it
 * closes the socket, so libpq can still call the connection good when it is
 * read: a writer must hear "unreachable" (503, may not have been saved), not
 * "broken". 57014 (a cancelled statement) is not one of them. */
static int store_pg_state_unreachable(const char *state)
{
	return state && (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
			 strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0);
}

static int store_pg_fail_res(struct store *s, PGconn *db, const PGresult *res, const char *what)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	int rc = STORE_DB_ERR, n;

	if (state && strcmp(state, "23505") == 0)
		rc = STORE_DB_UNIQUE;
	else if (state && strcmp(state, "23503") == 0)
		rc = STORE_DB_FOREIGN_KEY;
	if (!msg || !*msg)
		msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res) :
							  PQerrorMessage(db);
	n = store_pg_line(&msg);
	if (n == 0)
		msg = "unknown error", n = (int)strlen(msg);
	store_fail(s, rc, "%s%s%s%.*s", what ? what : "", what ? ": " : "",
		   PQstatus(db) == CONNECTION_BAD ? "the database connection was lost: " : "", n,
		   msg);
	s->unreachable = PQstatus(db) == CONNECTION_BAD || store_pg_state_unreachable(state);
	return rc;
}

/* 1 while the connection has a transaction open (or failed in one). */
static int store_pg_txn_open(PGconn *db)
{
	PGTransactionStatusType t = PQtransactionStatus(db);

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* Makes the lost connection again, unless the backoff says not yet. */
static int store_pg_reconnect(struct store *s, struct store_pg *pg)
{
	if (!store_pg_backoff_ready(&pg->db_backoff)) {
		store_fail(s, STORE_ERR, "no connection to the database (next try in %d ms)",
			   (int)(pg->db_backoff.at_ms - store_pg_now_ms()));
		s->unreachable = 1;
		return STORE_ERR;
	}
	/* Once per outage: the tries that fail after this one are not logged. */
	if (!pg->db_lost_said)
		log_warnx("store: the database connection was lost; reconnecting (then every "
			  "%d ms, doubling to %d s, until it works)", STORE_PG_BACKOFF_MIN_MS,
			  STORE_PG_BACKOFF_MAX_MS / 1000);
	pg->db_lost_said = 1;
	PQreset(pg->db);
	if (PQstatus(pg->db) != CONNECTION_OK) {
		store_pg_backoff_failed(&pg->db_backoff);
		return store_pg_fail_res(s, pg->db, NULL, "cannot reconnect to the database");
	}
	store_pg_backoff_ok(&pg->db_backoff);
	pg->db_lost_said = 0;
	/* The server forgot our prepared statements with the old session. */
	pg->generation++;
	log_info("store: reconnected to the database");
	return 0;
}

/* 0 when the connection is usable, making it again if need be. */
static int store_pg_ready(struct store *s, struct store_pg *pg)
{
	if (pg->txn_lost) {
		store_fail(s, STORE_ERR, "the database connection was lost inside a "
			   "transaction, which was rolled back: nothing of it was saved");
		s->unreachable = 1;
		return STORE_ERR;
	}
	if (PQstatus(pg->db) == CONNECTION_OK)
		return 0;
	return store_pg_reconnect(s, pg);
}

/* After a failed call: if the connection is gone and a transaction was open
 * on it, remember that it was lost with it. 1 when the call may be made
 * again on a new connection (it was not in a transaction). */
static int store_pg_lost(struct store_pg *pg, int in_txn)
{
	if (PQstatus(pg->db) != CONNECTION_BAD)
		return 0;
	if (in_txn) {
		pg->txn_lost = 1;
		return 0;
	}
	return 1;
}

/* Runs constant SQL on the main connection; a failure records the database's
 * reason only (the core says what it was doing). `retry`: it is safe to run again
 * on a new connection if the first one was lost (a BEGIN, a read). */
static int store_pg_run(struct store *s, struct store_pg *pg, const char *sql, int retry,
			PGresult **out)
{
	for (int attempt = 0;; attempt++) {
		PGresult *res;
		int in_txn, rc;
		ExecStatusType t;

		if (store_pg_ready(s, pg) != 0)
			return STORE_ERR;
		in_txn = store_pg_txn_open(pg->db);
		res = PQexec(pg->db, sql);
		t = PQresultStatus(res);
		if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) {
			if (out)
				*out = res;
			else
				PQclear(res);
			return 0;
		}
		rc = store_pg_fail_res(s, pg->db, res, NULL);
		PQclear(res);
		if (!store_pg_lost(pg, in_txn) || !retry || attempt > 0)
			return rc;
	}
}

static int store_pg_word(const char *sql, const char *word)
{
	size_t n = strlen(word);

	sql += strspn(sql, " \t\r\n(");
	return strncasecmp(sql, word, n) == 0 && (sql[n] == '\0' || strchr(" \t\r\n;", sql[n]));
}

/* COMMIT, with the NOTIFY that log_appended() asked for in the same round
 * trip (it is queued in the transaction and delivered at its commit). */
static int store_pg_commit(struct store *s, struct store_pg *pg)
{
	const char *sql = pg->notify ? "NOTIFY " STORE_PG_CHANNEL "; COMMIT" : "COMMIT";
	PGresult *res = NULL;
	int rc;

	pg->notify = 0;
	if ((rc = store_pg_run(s, pg, sql, 0, &res)) != 0)
		return rc;
	/* A transaction in which a statement failed ends in a ROLLBACK even when
	 * asked to COMMIT, without an error: reporting it saved would
	 * acknowledge what was not. */
	if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		rc = store_fail(s, STORE_ERR, "the transaction was rolled back after an error in it:"
				" nothing of it was saved");
	PQclear(res);
	return rc;
}

static int store_pg_exec(struct store *s, const char *sql)
{
	struct store_pg *pg = store_pg_of(s);

	/* A transaction lost with its connection is already rolled back. */
	if (store_pg_word(sql, "ROLLBACK") && !strchr(sql, ' ') &&
	    (pg->txn_lost || PQstatus(pg->db) != CONNECTION_OK)) {
		pg->txn_lost = 0;
		return 0;
	}
	if (store_pg_word(sql, "COMMIT"))
		return store_pg_commit(s, pg);
	if (store_pg_word(sql, "BEGIN") || store_pg_word(sql, "ROLLBACK"))
		pg->notify = 0;
	if (store_pg_word(sql, "BEGIN")) {
		pg->txn_lost = 0;
		return store_pg_run(s, pg, sql, 1, NULL);
	}
	return store_pg_run(s, pg, sql, 0, NULL);
}

/* ---- statements -------------------------------------------------------- */

/* Copies `sql` with ?N made $N, outside quoted text and comments, and
 * counts the parameters. NULL with a reason for a bare "?". */
static char *store_pg_rewrite(struct store *s, const char *sql, int *nparams)
{
	size_t len = strlen(sql), o = 0;
	char *out = store_pg_alloc(len + 1);
	int max = 0;

	for (size_t i = 0; i < len;) {
		char c = sql[i];

		if (c == '\'' || c == '"') {
			/* A doubled quote inside is two quoted runs back to back. */
			const char *end = strchr(sql + i + 1, c);
			size_t n = end ? (size_t)(end - (sql + i)) + 1 : len - i;

			memcpy(out + o, sql + i, n);
			o += n, i += n;
		} else if (c == '-' && sql[i + 1] == '-') {
			size_t n = strcspn(sql + i, "\n");

			memcpy(out + o, sql + i, n);
			o += n, i += n;
		} else if (c == '?') {
			int v = 0;
			size_t j = i + 1;

			while (sql[j] >= '0' && sql[j] <= '9' && v < 100000)
				v = v * 10 + (sql[j++] - '0');
			if (j == i + 1 || v < 1 || v > 65535) {
				free(out);
				store_fail(s, STORE_ERR, "prepare: parameters must be numbered (?1, ?2, ...): %.60s",
					   sql);
				return NULL;
			}
			if (v > max)
				max = v;
			out[o++] = '$';
			memcpy(out + o, sql + i + 1, j - i - 1);
			o += j - i - 1, i = j;
		} else {
			out[o++] = c, i++;
		}
	}
	out[o] = '\0';
	*nparams = max;
	return out;
}

static int store_pg_prepare(struct store *s, const char *sql, struct store_stmt **out)
{
	struct store_pg *pg = store_pg_of(s);
	struct store_pg_stmt *st;
	int n;
	char *text = store_pg_rewrite(s, sql, &n);

	if (!text)
		return STORE_ERR;
	st = store_pg_alloc(sizeof(*st));
	st->base.be = &store_pg_backend;
	st->base.s = s;
	st->sql = text;
	st->nparams = n;
	st->read = store_pg_word(text, "SELECT");
	st->types = store_pg_alloc(sizeof(*st->types) * (size_t)n);
	st->bound = store_pg_alloc(sizeof(*st->bound) * (size_t)n);
	st->values = store_pg_alloc(sizeof(*st->values) * (size_t)n);
	st->lengths = store_pg_alloc(sizeof(*st->lengths) * (size_t)n);
	st->formats = store_pg_alloc(sizeof(*st->formats) * (size_t)n);
	st->row = -1;
	st->next = pg->stmts;
	if (pg->stmts)
		pg->stmts->prevp = &st->next;
	st->prevp = &pg->stmts;
	pg->stmts = st;
	*out = &st->base;
	return 0;
}

static void store_pg_clear_run(struct store_pg_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	if (st->blob)
		PQfreemem(st->blob);
	st->blob = NULL;
}

static void store_pg_reset(struct store_stmt *base)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)base;

	store_pg_clear_run(st);
	for (int i = 0; i < st->nparams; i++) {
		free(st->values[i]);
		st->values[i] = NULL;
		st->bound[i] = 0;
		st->lengths[i] = 0;
		st->formats[i] = 0;
	}
	st->bind_error = 0;
}

static void store_pg_stmt_free(struct store_pg_stmt *st)
{
	store_pg_reset(&st->base);
	*st->prevp = st->next;
	if (st->next)
		st->next->prevp = st->prevp;
	free(st->sql);
	free(st->types);
	free(st->bound);
	free(st->values);
	free(st->lengths);
	free(st->formats);
	free(st);
}

static void store_pg_finalize(struct store_stmt *base)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)base;
	struct store_pg *pg;
	char sql[48];

	if (!st)
		return;
	pg = store_pg_of(st->base.s);
	/* The server keeps a prepared statement for the session: drop it, when
	 * that cannot disturb a transaction. */
	if (st->generation == pg->generation && PQstatus(pg->db) == CONNECTION_OK &&
	    PQtransactionStatus(pg->db) == PQTRANS_IDLE) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		PQclear(PQexec(pg->db, sql));
	}
	store_pg_stmt_free(st);
}

/* The slot of parameter i (1-based), or NULL (and step() will fail). */
static int store_pg_slot(struct store_pg_stmt *st, int i)
{
	if (i < 1 || i > st->nparams) {
		if (!st->bind_error)
			st->bind_error = i ? i : -1;
		return -1;
	}
	free(st->values[i - 1]);
	st->values[i - 1] = NULL;
	st->lengths[i - 1] = 0;
	st->formats[i - 1] = 0;
	st->bound[i - 1] = 0;
	return i - 1;
}

static void store_pg_bind_int64(struct store_stmt *base, int i, int64_t v)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)base;
	int k = store_pg_slot(st, i);
	char num[24];

	if (k < 0)
		return;
	snprintf(num, sizeof(num), "%" PRId64, v);
	st->values[k] = strdup(num);
	if (!st->values[k])
		abort();
	st->bound[k] = STORE_PG_INT8OID;
}

static void store_pg_bind_null(struct store_stmt *base, int i)
{
	store_pg_slot((struct store_pg_stmt *)base, i);
}

static void store_pg_bind_text(struct store_stmt *base, int i, const char *v)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)base;
	int k = store_pg_slot(st, i);

	if (k < 0 || !v)
		return;
	st->values[k] = strdup(v);
	if (!st->values[k])
		abort();
	st->bound[k] = STORE_PG_TEXTOID;
}

static void store_pg_bind_blob(struct store_stmt *base, int i, const void *p, size_t n)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)base;
	int k = store_pg_slot(st, i);

	if (k < 0)
		return;
	if (n > INT32_MAX) {
		st->bind_error = i;
		return;
	}
	st->values[k] = store_pg_alloc(n);
	if (n)
		memcpy(st->values[k], p, n);
	st->lengths[k] = (int)n;
	st->formats[k] = 1;
	st->bound[k] = STORE_PG_BYTEAOID;
}

/* Prepares `st` on the current connection if it was not, or was with other
 * parameter types than those bound now. A NULL keeps the type prepared. */
static int store_pg_prepare_now(struct store *s, struct store_pg *pg, struct store_pg_stmt *st)
{
	int same = st->generation == pg->generation;
	PGresult *res;

	for (int i = 0; i < st->nparams; i++)
		if (st->bound[i] && st->bound[i] != st->types[i]) {
			st->types[i] = st->bound[i];
			same = 0;
		}
	if (same)
		return 0;
	/* A new name each time: the old one may still exist on this session. */
	snprintf(st->name, sizeof(st->name), "ll%u", ++pg->next_name);
	res = PQprepare(pg->db, st->name, st->sql, st->nparams, st->types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		int rc = store_pg_fail_res(s, pg->db, res, NULL);

		PQclear(res);
		st->generation = 0;
		return rc;
	}
	PQclear(res);
	st->generation = pg->generation;
	return 0;
}

/* The backend's warm(): each statement not prepared on this session yet is
 * prepared with the parameter types the server infers, and planned once by
 * EXPLAIN EXECUTE with NULL parameters (EXPLAIN does not run it: nothing is
 * written and no sequence moves). Parse and plan load what the statement
 * touches into the session's catalog caches, which is what made a worker's
 * first post slow. The inferred types are kept as the prepared ones: a
 * statement bound with others is prepared again at its run, as always. */
static void store_pg_warm(struct store *s)
{
	struct store_pg *pg = store_pg_of(s);
	struct buf q;

	if (store_pg_ready(s, pg) != 0 || store_pg_txn_open(pg->db))
		return;
	buf_init(&q, 64 + 8 * 100000);
	for (struct store_pg_stmt *st = pg->stmts; st; st = st->next) {
		PGresult *res;
		int ok;

		if (st->generation == pg->generation)
			continue;
		snprintf(st->name, sizeof(st->name), "ll%u", ++pg->next_name);
		res = PQprepare(pg->db, st->name, st->sql, st->nparams, NULL);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
		if (!ok) { /* e.g. a parameter whose type cannot be inferred */
			log_debug("store: not warmed: %.80s", st->sql);
			continue;
		}
		res = PQdescribePrepared(pg->db, st->name);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK && PQnparams(res) == st->nparams;
		for (int i = 0; ok && i < st->nparams; i++)
			st->types[i] = PQparamtype(res, i);
		PQclear(res);
		if (!ok)
			continue;
		st->generation = pg->generation;
		buf_reset(&q);
		buf_printf(&q, "EXPLAIN EXECUTE %s", st->name);
		for (int i = 0; i < st->nparams; i++)
			buf_puts(&q, i ? ", NULL" : "(NULL");
		buf_puts(&q, st->nparams ? ")" : "");
		if (q.err)
			break;
		res = PQexec(pg->db, q.data);
		PQclear(res);
	}
	buf_cleanup(&q);
}

/* The first step: runs the statement and keeps its result. */
static int store_pg_run_stmt(struct store *s, struct store_pg *pg, struct store_pg_stmt *st)
{
	if (st->bind_error)
		return store_fail(s, STORE_ERR, "bind: no parameter %d in: %.80s", st->bind_error,
				  st->sql);
	for (int attempt = 0;; attempt++) {
		int in_txn, rc;
		ExecStatusType t;

		if (store_pg_ready(s, pg) != 0)
			return STORE_DB_ERR;
		in_txn = store_pg_txn_open(pg->db);
		rc = store_pg_prepare_now(s, pg, st);
		if (rc == 0) {
			st->res = PQexecPrepared(pg->db, st->name, st->nparams,
						 (const char *const *)st->values, st->lengths,
						 st->formats, 0);
			t = PQresultStatus(st->res);
			if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK)
				return 0;
			rc = store_pg_fail_res(s, pg->db, st->res, NULL);
			PQclear(st->res);
			st->res = NULL;
		}
		if (!store_pg_lost(pg, in_txn) || !st->read || attempt > 0)
			return rc;
	}
}

static int store_pg_step(struct store_stmt *base)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)base;
	struct store *s = base->s;
	int rc;

	if (st->blob)
		PQfreemem(st->blob);
	st->blob = NULL;
	if (!st->res) {
		if ((rc = store_pg_run_stmt(s, store_pg_of(s), st)) != 0)
			return rc;
		st->row = -1;
	}
	if (st->row < PQntuples(st->res))
		st->row++;
	return st->row < PQntuples(st->res) ? STORE_DB_ROW : STORE_DB_DONE;
}

/* The text of column i of the current row, or NULL (SQL NULL, no row). */
static const char *store_pg_value(struct store_pg_stmt *st, int i)
{
	if (!st->res || st->row < 0 || st->row >= PQntuples(st->res) || i < 0 ||
	    i >= PQnfields(st->res) || PQgetisnull(st->res, st->row, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

static int64_t store_pg_col_int64(struct store_stmt *base, int i)
{
	const char *v = store_pg_value((struct store_pg_stmt *)base, i);

	if (!v)
		return 0;
	/* A boolean reads as 1 or 0, as SQLite's comparisons do. */
	if (strcmp(v, "t") == 0)
		return 1;
	return strtoll(v, NULL, 10);
}

static const char *store_pg_col_text(struct store_stmt *base, int i)
{
	return store_pg_value((struct store_pg_stmt *)base, i);
}

static const void *store_pg_col_blob(struct store_stmt *base, int i, size_t *n)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)base;
	const char *v = store_pg_value(st, i);

	*n = 0;
	if (!v)
		return NULL;
	if (st->blob)
		PQfreemem(st->blob);
	st->blob = PQunescapeBytea((const unsigned char *)v, n);
	if (!st->blob)
		abort();
	return st->blob;
}

static int store_pg_col_is_null(struct store_stmt *base, int i)
{
	return store_pg_value((struct store_pg_stmt *)base, i) == NULL;
}

static int64_t store_pg_changes(struct store_stmt *base)
{
	struct store_pg_stmt *st = (struct store_pg_stmt *)base;

	return st->res ? strtoll(PQcmdTuples(st->res), NULL, 10) : 0;
}

/* ---- transactions ------------------------------------------------------ */

static int store_pg_write_begin(struct store *s)
{
	struct store_pg *pg = store_pg_of(s);
	char why[sizeof(s->errmsg)];

	/* Nothing was open before (the core begins only then): if the
	 * connection was lost, the whole of it may run again on a new one. */
	pg->txn_lost = 0;
	pg->notify = 0;
	if (store_pg_run(s, pg, STORE_PG_BEGIN_SQL, 1, NULL) == 0)
		return 0;
	if (PQstatus(pg->db) == CONNECTION_OK && PQtransactionStatus(pg->db) != PQTRANS_IDLE)
		PQclear(PQexec(pg->db, "ROLLBACK"));
	pg->txn_lost = 0;
	/* The core adds nothing to this reason. */
	snprintf(why, sizeof(why), "%s", s->errmsg);
	if (strstr(why, "lock timeout"))
		return store_fail(s, STORE_ERR, "cannot begin a write: another write has held "
				  "the database for 5 s");
	return store_fail(s, STORE_ERR, "cannot begin a write: %.200s", why);
}

static int store_pg_in_transaction(struct store *s)
{
	struct store_pg *pg = store_pg_of(s);

	return pg->txn_lost ||
	       (PQstatus(pg->db) == CONNECTION_OK && store_pg_txn_open(pg->db));
}

/* The NOTIFY goes with the COMMIT (store_pg_commit): a round trip saved on
 * every publish. */
static int store_pg_log_appended(struct store *s)
{
	store_pg_of(s)->notify = 1;
	return 0;
}

static int store_pg_check(struct store *s)
{
	return store_pg_ready(s, store_pg_of(s));
}

/* The timer then always reads the log past its last id: one indexed query,
 * and the safety net if a NOTIFY was missed (the listening connection was
 * being made again). */
static int store_pg_data_version(struct store *s, int64_t *out)
{
	*out = ++store_pg_of(s)->version;
	return 0;
}

/* ---- waking ------------------------------------------------------------ */

static void store_pg_notice(void *arg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	(void)arg;
	/* NOTICEs ("relation exists, skipping") are not ours to show. */
	if (sev && strcmp(sev, "WARNING") == 0)
		log_warnx("store: database warning: %s", msg ? msg : "");
}

static PGconn *store_pg_connect(struct store_pg *pg)
{
	PGconn *c = PQconnectdbParams(pg->keys, pg->vals, 1);

	if (!c)
		abort();
	PQsetNoticeReceiver(c, store_pg_notice, NULL);
	return c;
}

static void store_pg_wake_close(struct store_pg *pg)
{
	PQfinish(pg->wake);
	pg->wake = NULL;
	store_pg_backoff_failed(&pg->wake_backoff);
}

static void store_pg_wake_open(struct store_pg *pg)
{
	PGresult *res;

	if (pg->wake || !store_pg_backoff_ready(&pg->wake_backoff))
		return;
	pg->wake = store_pg_connect(pg);
	if (PQstatus(pg->wake) != CONNECTION_OK) {
		const char *m = PQerrorMessage(pg->wake);
		int n = store_pg_line(&m);

		if (!pg->wake_lost_said)
			log_warnx("store: cannot make the listening connection: %.*s", n, m);
		pg->wake_lost_said = 1;
		store_pg_wake_close(pg);
		return;
	}
	res = PQexec(pg->wake, "LISTEN " STORE_PG_CHANNEL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		const char *m = PQresultErrorMessage(res);
		int n = store_pg_line(&m);

		if (!pg->wake_lost_said)
			log_warnx("store: LISTEN: %.*s", n, m);
		pg->wake_lost_said = 1;
		PQclear(res);
		store_pg_wake_close(pg);
		return;
	}
	PQclear(res);
	store_pg_backoff_ok(&pg->wake_backoff);
	if (pg->wake_lost_said)
		log_info("store: listening again for changes");
	pg->wake_lost_said = 0;
}

static int store_pg_wake_fd(struct store *s)
{
	struct store_pg *pg = store_pg_of(s);

	store_pg_wake_open(pg);
	return pg->wake ? PQsocket(pg->wake) : -1;
}

static int store_pg_wake_drain(struct store *s)
{
	struct store_pg *pg = store_pg_of(s);
	PGnotify *n;
	int got = 0;

	if (!pg->wake)
		return -1;
	if (!PQconsumeInput(pg->wake) || PQstatus(pg->wake) != CONNECTION_OK) {
		const char *m = PQerrorMessage(pg->wake);
		int len = store_pg_line(&m);

		log_warnx("store: the listening connection was lost: %.*s", len, m);
		pg->wake_lost_said = 1;
		store_pg_wake_close(pg);
		return -1;
	}
	while ((n = PQnotifies(pg->wake)) != NULL) {
		PQfreemem(n);
		got = 1;
	}
	return got;
}

static void store_pg_wake_tick(struct store *s)
{
	struct store_pg *pg = store_pg_of(s);

	if (!pg->wake)
		store_pg_wake_open(pg);
}

/* ---- the schema -------------------------------------------------------- */

/* Migration i takes the schema from version i to version i + 1. The history
 * on PostgreSQL starts at 1 with the schema SQLite reached in its migrations
 * 1 to 6 (store_sqlite.c says why each table and index is there); a migration,
 * once released, never changes. INTEGER is BIGINT; ids are identities BY
 * DEFAULT, so that `liveline copy` can write rows with their ids (copy_done
 * then moves each sequence past them); BLOB is BYTEA. */
static const char *const store_pg_migrations[] = {
	"CREATE TABLE pages ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  slug TEXT NOT NULL UNIQUE,"
	"  title TEXT NOT NULL,"
	"  description TEXT NOT NULL DEFAULT '',"
	"  zone TEXT NOT NULL,"
	"  status BIGINT NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),"
	"  start_at BIGINT NOT NULL DEFAULT 0,"
	"  end_at BIGINT NOT NULL DEFAULT 0,"
	"  summary_json TEXT NOT NULL DEFAULT '{\"points\":[],\"media\":null}',"
	"  pinned_post_id BIGINT,"
	"  last_seq BIGINT NOT NULL DEFAULT 0,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  published BIGINT NOT NULL DEFAULT 1 CHECK (published IN (0, 1))"
	");"
	"CREATE TABLE posts ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  page_id BIGINT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,"
	"  title TEXT NOT NULL,"
	"  published_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  breaking BIGINT NOT NULL DEFAULT 0,"
	"  key_event BIGINT NOT NULL DEFAULT 0,"
	"  bylines_json TEXT NOT NULL DEFAULT '[]',"
	"  body_json TEXT NOT NULL DEFAULT '[]',"
	"  version BIGINT NOT NULL DEFAULT 1,"
	"  correction TEXT,"
	"  correction_at BIGINT NOT NULL DEFAULT 0,"
	"  updated_by BIGINT NOT NULL DEFAULT 0"
	");"
	/* pages and posts name each other: the pin is added once both exist. */
	"ALTER TABLE pages ADD FOREIGN KEY (pinned_post_id) REFERENCES posts(id)"
	"  ON DELETE SET NULL;"
	"CREATE TABLE changes ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  page_id BIGINT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,"
	"  seq BIGINT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  post_id BIGINT NOT NULL DEFAULT 0,"
	"  at BIGINT NOT NULL,"
	"  event TEXT,"
	"  text TEXT,"
	"  UNIQUE (page_id, seq)"
	");"
	"CREATE INDEX posts_page_order ON posts (page_id, published_at, id);"
	"CREATE INDEX pages_pinned ON pages (pinned_post_id);"
	"CREATE TABLE users ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  login TEXT NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL,"
	"  byline_name TEXT NOT NULL DEFAULT '',"
	"  byline_role TEXT NOT NULL DEFAULT '',"
	"  role BIGINT NOT NULL DEFAULT 0 CHECK (role IN (0, 1, 2)),"
	"  pw_hash TEXT NOT NULL,"
	"  disabled BIGINT NOT NULL DEFAULT 0,"
	"  created_at BIGINT NOT NULL"
	");"
	"CREATE TABLE sessions ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  token_hash BYTEA NOT NULL UNIQUE,"
	"  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  expires_at BIGINT NOT NULL,"
	"  revoked BIGINT NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX sessions_user ON sessions (user_id);"
	"CREATE INDEX sessions_expires ON sessions (expires_at);"
	"CREATE TABLE api_tokens ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  token_hash BYTEA NOT NULL UNIQUE,"
	"  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
	"  label TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  revoked_at BIGINT NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX api_tokens_user ON api_tokens (user_id);"
	"CREATE TABLE signin_failures ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  key TEXT NOT NULL,"
	"  at BIGINT NOT NULL"
	");"
	"CREATE INDEX signin_failures_key ON signin_failures (key, at);"
	"CREATE INDEX signin_failures_at ON signin_failures (at);"
	"CREATE TABLE drafts ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  page_id BIGINT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,"
	"  author_id BIGINT NOT NULL DEFAULT 0,"
	"  state BIGINT NOT NULL DEFAULT 0 CHECK (state IN (0, 1)),"
	"  publish_at BIGINT NOT NULL DEFAULT 0,"
	"  version BIGINT NOT NULL DEFAULT 1,"
	"  created_at BIGINT NOT NULL,"
	"  updated_at BIGINT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  breaking BIGINT NOT NULL DEFAULT 0,"
	"  key_event BIGINT NOT NULL DEFAULT 0,"
	"  bylines_json TEXT NOT NULL DEFAULT '[]',"
	"  body_json TEXT NOT NULL DEFAULT '[]'"
	");"
	"CREATE INDEX drafts_page ON drafts (page_id);"
	"CREATE INDEX drafts_schedule ON drafts (state, publish_at);"
	"CREATE TABLE revisions ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  post_id BIGINT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,"
	"  page_id BIGINT NOT NULL,"
	"  version BIGINT NOT NULL,"
	"  user_id BIGINT NOT NULL DEFAULT 0,"
	"  at BIGINT NOT NULL,"
	"  what TEXT NOT NULL,"
	"  correction TEXT,"
	"  title TEXT NOT NULL,"
	"  published_at BIGINT NOT NULL,"
	"  breaking BIGINT NOT NULL DEFAULT 0,"
	"  key_event BIGINT NOT NULL DEFAULT 0,"
	"  bylines_json TEXT NOT NULL DEFAULT '[]',"
	"  body_json TEXT NOT NULL DEFAULT '[]',"
	"  UNIQUE (post_id, version)"
	");"
	"CREATE TABLE media ("
	"  name TEXT PRIMARY KEY,"
	"  format TEXT NOT NULL,"
	"  width BIGINT NOT NULL,"
	"  height BIGINT NOT NULL,"
	"  widths TEXT NOT NULL,"
	"  bytes BIGINT NOT NULL,"
	"  user_id BIGINT NOT NULL DEFAULT 0,"
	"  created_at BIGINT NOT NULL"
	");"
	"CREATE TABLE audit ("
	"  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	"  at BIGINT NOT NULL,"
	"  user_id BIGINT NOT NULL DEFAULT 0,"
	"  action TEXT NOT NULL,"
	"  page_id BIGINT NOT NULL DEFAULT 0,"
	"  post_id BIGINT NOT NULL DEFAULT 0,"
	"  detail TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX audit_page ON audit (page_id, id);"
	"CREATE TABLE media_files ("
	"  file TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"
	"  data BYTEA NOT NULL"
	");"
	"CREATE INDEX media_files_name ON media_files (name);",

	/* 2: search in a page (store_search.c). posts.search_text as on SQLite
	 * (its migration 7): NULL for posts from before, filled by the store at
	 * open. search_vector is generated from the title (weight A) and
	 * search_text (weight B) in the statement that writes them, so in its
	 * transaction, and indexed with GIN. 'simple': no language's stemming
	 * (a page has no language setting, and quotes names in many), the same
	 * whole words as SQLite's unicode61. */
	"ALTER TABLE posts ADD COLUMN search_text TEXT;"
	"CREATE INDEX posts_search_unfilled ON posts (id) WHERE search_text IS NULL;"
	"ALTER TABLE posts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
	"  setweight(to_tsvector('simple'::regconfig, title), 'A') ||"
	"  setweight(to_tsvector('simple'::regconfig, coalesce(search_text, '')), 'B')) STORED;"
	"CREATE INDEX posts_search ON posts USING GIN (search_vector);",
	/* 3: SQLite's version 8, each worker's readers per page
	 * (store_readers.c). */
	"CREATE TABLE readers ("
	"  worker BIGINT NOT NULL,"
	"  page_id BIGINT NOT NULL,"
	"  readers BIGINT NOT NULL,"
	"  seen BIGINT NOT NULL,"
	"  PRIMARY KEY (worker, page_id)"
	");",
};

/* Search in a page (store_backend.h): plainto_tsquery() reads the words as
 * words only (their AND), never operators; ts_rank() with its default
 * weights counts a title word 2.5 times a body word; then the newest.
 * ts_headline() marks the matches: the whole title, and the body's best
 * stretch of 10 to 24 words. */
#define STORE_PG_SEARCH_MARKS "'StartSel=' || chr(1) || ', StopSel=' || chr(2)"
#define STORE_PG_SEARCH \
	"SELECT p.id, p.published_at," \
	" ts_headline('simple'::regconfig, p.title, q," \
	"  " STORE_PG_SEARCH_MARKS " || ', HighlightAll=true')," \
	" ts_headline('simple'::regconfig, coalesce(p.search_text, ''), q," \
	"  " STORE_PG_SEARCH_MARKS " || ', MaxWords=24, MinWords=10')" \
	" FROM posts p, plainto_tsquery('simple'::regconfig, ?1) q" \
	" WHERE p.page_id = ?2 AND p.search_vector @@ q" \
	" ORDER BY ts_rank(p.search_vector, q) DESC, p.published_at DESC, p.id DESC" \
	" LIMIT ?3 OFFSET ?4"

#define STORE_PG_SCHEMA_VERSION \
	((int)(sizeof(store_pg_migrations) / sizeof(store_pg_migrations[0])))

/* The tables whose ids are identities, for copy_done(). */
#define STORE_PG_SETVAL(t) \
	"SELECT setval(pg_get_serial_sequence('" t "', 'id'),"    \
	" (SELECT coalesce(max(id), 0) + 1 FROM " t "), false);"

/* The schema's version, or -1 when the database has no Liveline schema. */
static int store_pg_version(struct store *s, struct store_pg *pg, int *out)
{
	PGresult *res = NULL;

	if (store_pg_run(s, pg, "SELECT to_regclass('liveline_schema') IS NOT NULL", 1, &res) != 0)
		return STORE_ERR;
	*out = -1;
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		PQclear(res);
		res = NULL;
		if (store_pg_run(s, pg, "SELECT coalesce(max(version), 0) FROM liveline_schema", 1,
				 &res) != 0)
			return STORE_ERR;
		*out = PQntuples(res) == 1 ? (int)strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
	}
	PQclear(res);
	return 0;
}

/* Applies the missing migrations, each in its own transaction with the
 * version, under the writers' lock: two nodes starting on an empty database
 * must not both run migration 1, so the version is read again inside it. */
static int store_pg_migrate(struct store *s, struct store_pg *pg, int create)
{
	char sql[96];
	int version;

	/* The common case, a current schema, takes no lock. */
	if (store_pg_version(s, pg, &version) != 0)
		return STORE_ERR;
	if (version < 0 && !create)
		return store_fail(s, STORE_ERR, "no Liveline schema in database \"%s\": run "
				  "`liveline init` on it first", PQdb(pg->db));
	if (version == STORE_PG_SCHEMA_VERSION)
		return 0;
	for (;;) {
		if (store_pg_write_begin(s) != 0)
			return STORE_ERR;
		if (store_pg_run(s, pg, "CREATE TABLE IF NOT EXISTS liveline_schema"
				 " (version INTEGER NOT NULL)", 0, NULL) != 0 ||
		    store_pg_version(s, pg, &version) != 0)
			goto fail;
		if (version > STORE_PG_SCHEMA_VERSION) {
			store_fail(s, STORE_ERR,
				   "database schema version %d is newer than this program's (%d):"
				   " upgrade liveline", version, STORE_PG_SCHEMA_VERSION);
			goto fail;
		}
		if (version == STORE_PG_SCHEMA_VERSION)
			break;
		if (store_pg_run(s, pg, store_pg_migrations[version], 0, NULL) != 0) {
			char why[sizeof(s->errmsg)];

			snprintf(why, sizeof(why), "%s", s->errmsg);
			store_fail(s, STORE_ERR, "schema migration %d: %.200s", version + 1, why);
			goto fail;
		}
		/* The number is ours, not data. */
		snprintf(sql, sizeof(sql), "DELETE FROM liveline_schema;"
			 " INSERT INTO liveline_schema VALUES (%d)", version + 1);
		if (store_pg_run(s, pg, sql, 0, NULL) != 0 || store_pg_run(s, pg, "COMMIT", 0, NULL) != 0)
			goto fail;
		log_info("store: schema upgraded to version %d", version + 1);
	}
	return store_pg_run(s, pg, "COMMIT", 0, NULL);
fail:
	if (PQstatus(pg->db) == CONNECTION_OK)
		PQclear(PQexec(pg->db, "ROLLBACK"));
	pg->txn_lost = 0;
	return STORE_ERR;
}

static int store_pg_copy_done(struct store *s)
{
	return store_pg_run(s, store_pg_of(s),
			    STORE_PG_SETVAL("pages") STORE_PG_SETVAL("posts")
			    STORE_PG_SETVAL("changes") STORE_PG_SETVAL("users")
			    STORE_PG_SETVAL("sessions") STORE_PG_SETVAL("api_tokens")
			    STORE_PG_SETVAL("signin_failures") STORE_PG_SETVAL("drafts")
			    STORE_PG_SETVAL("revisions") STORE_PG_SETVAL("audit"), 0, NULL);
}

/* ---- opening and closing ----------------------------------------------- */

static void store_pg_close(struct store *s)
{
	struct store_pg *pg = store_pg_of(s);

	if (!pg)
		return;
	while (pg->stmts)
		store_pg_stmt_free(pg->stmts);
	/* Closing with a transaction open rolls it back: uncommitted is unsaid. */
	PQfinish(pg->db);
	PQfinish(pg->wake);
	free(pg->conninfo);
	free(pg);
	s->conn = NULL;
}

void store_pg_describe(const char *conninfo, char *out, size_t len)
{
	const char *db = NULL, *host = NULL, *port = NULL, *user = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);

	if (!opts) {
		snprintf(out, len, "a PostgreSQL database (its connection string does not parse)");
		return;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !o->val[0])
			continue;
		if (strcmp(o->keyword, "dbname") == 0)
			db = o->val;
		else if (strcmp(o->keyword, "host") == 0)
			host = o->val;
		else if (strcmp(o->keyword, "port") == 0)
			port = o->val;
		else if (strcmp(o->keyword, "user") == 0)
			user = o->val;
	}
	/* Only the keywords above are shown: a password, in the string or as
	 * "password=", never reaches a log. */
	snprintf(out, len, "PostgreSQL database %s on %s%s%s%s%s", db ? db : "(default)",
		 host ? host : "(default host)", port ? ":" : "", port ? port : "",
		 user ? " as " : "", user ? user : "");
	PQconninfoFree(opts);
}

void store_pg_masked(const char *conninfo, char *out, size_t len)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	size_t at = 0;

	if (len)
		out[0] = '\0';
	if (!opts) {
		snprintf(out, len, "(a PostgreSQL connection string that does not parse)");
		return;
	}
	/* libpq's key=value syntax: a value with a space, a quote or a
	 * backslash, or an empty one, goes in single quotes, \ escaping. */
	for (PQconninfoOption *o = opts; o->keyword && at + 1 < len; o++) {
		const char *v = o->val;
		int quote;

		if (!v)
			continue;
		if (strcmp(o->keyword, "password") == 0 || strcmp(o->keyword, "sslpassword") == 0)
			v = "********";
		quote = !*v || strpbrk(v, " \t\n'\\") != NULL;
		at += (size_t)snprintf(out + at, len - at, "%s%s=%s", at ? " " : "", o->keyword,
				       quote ? "'" : "");
		for (const char *c = v; *c && at + 1 < len; c++) {
			if (*c == '\'' || *c == '\\')
				out[at++] = '\\';
			if (at + 1 < len)
				out[at++] = *c;
		}
		if (quote && at + 1 < len)
			out[at++] = '\'';
		if (at < len)
			out[at] = '\0';
	}
	if (at >= len && len)
		out[len - 1] = '\0';
	PQconninfoFree(opts);
}

int store_pg_open(struct store *s, const char *conninfo, int create)
{
	struct store_pg *pg = store_pg_alloc(sizeof(*pg));
	int k = 0;

	pg->conninfo = strdup(conninfo);
	if (!pg->conninfo)
		abort();
	/* Defaults the caller's string may override (it comes last): nothing
	 * waits forever for a server that does not answer, and a dead peer is
	 * noticed by the keepalives rather than at the next write. */
	pg->keys[k] = "connect_timeout", pg->vals[k++] = "5";
	pg->keys[k] = "keepalives", pg->vals[k++] = "1";
	pg->keys[k] = "keepalives_idle", pg->vals[k++] = "30";
	pg->keys[k] = "keepalives_interval", pg->vals[k++] = "10";
	pg->keys[k] = "keepalives_count", pg->vals[k++] = "3";
	pg->keys[k] = "fallback_application_name", pg->vals[k++] = "liveline";
	pg->keys[k] = "dbname", pg->vals[k++] = pg->conninfo;
	/* After the string: the store's text is UTF-8 whatever the caller says. */
	pg->keys[k] = "client_encoding", pg->vals[k++] = "UTF8";
	pg->keys[k] = NULL, pg->vals[k] = NULL;
	pg->generation = 1;
	s->be = &store_pg_backend;
	s->conn = pg;
	pg->db = store_pg_connect(pg);
	if (PQstatus(pg->db) != CONNECTION_OK) {
		store_pg_fail_res(s, pg->db, NULL, "cannot connect to the database");
		goto fail;
	}
	if (store_pg_migrate(s, pg, create) != 0)
		goto fail;
	return 0;
fail:
	store_pg_close(s);
	s->be = NULL;
	return STORE_ERR;
}

/* One line per operation of store_backend.h, in its order: the same shape as
 * store_sqlite.c's table, on purpose (the interface is the one thing they
 * share). */
static const struct store_backend store_pg_backend = {
	.name = "postgresql",
	.prepare = store_pg_prepare,
	.finalize = store_pg_finalize,
	.reset = store_pg_reset,
	.bind_int64 = store_pg_bind_int64,
	.bind_text = store_pg_bind_text,
	.bind_blob = store_pg_bind_blob,
	.bind_null = store_pg_bind_null,
	.step = store_pg_step,
	.col_int64 = store_pg_col_int64,
	.col_text = store_pg_col_text,
	.col_blob = store_pg_col_blob,
	.col_is_null = store_pg_col_is_null,
	.changes = store_pg_changes,
	.exec = store_pg_exec,
	.write_begin = store_pg_write_begin,
	.in_transaction = store_pg_in_transaction,
	.log_appended = store_pg_log_appended,
	.committed = NULL,
	.check = store_pg_check,
	.data_version = store_pg_data_version,
	.wake_fd = store_pg_wake_fd,
	.wake_drain = store_pg_wake_drain,
	.wake_tick = store_pg_wake_tick,
	.warm = store_pg_warm,
	.copy_done = store_pg_copy_done,
	.backup = NULL, /* pg_dump */
	.search_sql = STORE_PG_SEARCH,
	.search_quote = 0,
	.close = store_pg_close,
};
