/* The per-process PostgreSQL connection, lazily prepared statements, transactions. */
#include "store/store.h"

#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <stdlib.h>
#include <string.h>

static PGconn *conn;
static unsigned conn_gen;     /* bumped on every (re)connect: statements re-prepare */
static unsigned stmt_counter; /* process-wide statement names */
static bool in_tx;
/* The per-request deadline (db_deadline_arm): SIGALRM cancels the statement in flight with
 * PQcancel, which libpq documents as safe in a signal handler. */
static PGcancel *volatile cancel_obj;
static volatile sig_atomic_t deadline_hit;
static long stmt_timeout_ms; /* the workers' statement_timeout (jhe-admin: none) */

void db_set_statement_timeout(long ms)
{
	stmt_timeout_ms = ms;
}

struct db_result {
	PGresult *res;
};

static void set_err(struct err *e, enum err_kind k, const char *msg, const char *log)
{
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->msg = msg;
	e->log = log;
}

/* Session settings of every connection. plan_cache_mode: the prepared statements are planned
 * once per connection (generic plan) instead of at every execution: in the default mode
 * PostgreSQL keeps choosing custom plans for the statements built on the inlined access
 * functions of sql/functions/20_access.sql, and planning them cost several times their execution
 * (the parameter-dependent branches are one-time filters, decided at run time). jit: generic plans
 * of the search statements are costed above jit_above_cost, and compiling them took ~0.4 s per
 * execution of a 30 ms query. doc/performance.md */
#define SESSION_SETUP                                                                              \
	"SET TIME ZONE 'UTC'; SET datestyle = 'ISO, YMD'; SET intervalstyle = 'iso_8601'; "        \
	"SET extra_float_digits = 1; SET plan_cache_mode = force_generic_plan; SET jit = off"

static void notice_quiet(void *arg, const PGresult *res)
{
	(void)arg;
	(void)res;
}

static void on_deadline(int sig)
{
	(void)sig;
	deadline_hit = 1;
	PGcancel *c = cancel_obj;
	if (c) {
		char errbuf[256];
		PQcancel(c, errbuf, sizeof(errbuf));
	}
}

void db_deadline_arm(long ms)
{
	deadline_hit = 0;
	if (ms <= 0)
		return;
	static bool installed;
	if (!installed) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_deadline;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		installed = true;
	}
	struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

void db_deadline_disarm(void)
{
	struct itimerval it = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &it, NULL);
	deadline_hit = 0;
}

/* True (with 503 in e) once the request's deadline has passed: no further statement runs. */
static bool past_deadline(struct err *e)
{
	if (!deadline_hit)
		return false;
	set_err(e, ERR_UNAVAILABLE, "Service temporarily unavailable.",
	        "request deadline (JHE_REQUEST_TIMEOUT_MS) passed");
	return true;
}

/* The cancel handle of the current connection, swapped with SIGALRM blocked. */
static void cancel_handle_reset(void)
{
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	sigprocmask(SIG_BLOCK, &s, &old);
	if (cancel_obj)
		PQfreeCancel(cancel_obj);
	cancel_obj = conn ? PQgetCancel(conn) : NULL;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* A connection that is new or was reset: settings applied, statements to be prepared again.
 * When the settings fail the connection is closed (a session with other settings would format
 * times and plan statements differently). */
static int session_start(void)
{
	conn_gen++;
	in_tx = false;
	PGresult *r = PQexec(conn, SESSION_SETUP);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		log_error("database session setup failed: %s", PQerrorMessage(conn));
	PQclear(r);
	if (ok && stmt_timeout_ms > 0) {
		/* statement_timeout (JHE_STATEMENT_TIMEOUT_MS, doc/robustness.md "Cost bounds") */
		char sql[64];
		snprintf(sql, sizeof(sql), "SET statement_timeout = %ld", stmt_timeout_ms);
		r = PQexec(conn, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
	}
	if (ok) {
		cancel_handle_reset();
		return 0;
	}
	PQfinish(conn);
	conn = NULL;
	return -1;
}

int db_connect(void)
{
	if (conn && PQstatus(conn) == CONNECTION_OK)
		return 0;
	if (conn)
		PQfinish(conn);
	conn = PQconnectdb(g_config.database);
	if (PQstatus(conn) != CONNECTION_OK) {
		log_warn("database connection failed: %s", PQerrorMessage(conn));
		PQfinish(conn);
		conn = NULL;
		return -1;
	}
	PQsetNoticeReceiver(conn, notice_quiet, NULL);
	return session_start();
}

char *db_conninfo_masked(struct arena *a, const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo ? conninfo : "", NULL);
	if (!opts)
		return arena_strdup(a, "(unparsable connection string)");
	struct buf *b = buf_new(a, 128);
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val)
			continue;
		if (b->len)
			buf_putc(b, ' ');
		buf_puts(b, o->keyword);
		buf_putc(b, '=');
		if (!strcmp(o->keyword, "password")) {
			buf_puts(b, "***");
			continue;
		}
		bool quote = !*o->val || strpbrk(o->val, " \t\\'") != NULL;
		if (quote)
			buf_putc(b, '\'');
		for (const char *c = o->val; *c; c++) {
			if (*c == '\'' || *c == '\\')
				buf_putc(b, '\\');
			buf_putc(b, *c);
		}
		if (quote)
			buf_putc(b, '\'');
	}
	PQconninfoFree(opts);
	return b->len ? arena_strndup(a, b->data, b->len) : arena_strdup(a, "");
}

void db_disconnect(void)
{
	if (conn)
		PQfinish(conn);
	conn = NULL;
}

int db_ensure(struct err *e)
{
	if (conn && PQstatus(conn) == CONNECTION_OK)
		return 0;
	if (conn) {
		PQreset(conn);
		if (PQstatus(conn) == CONNECTION_OK && session_start() == 0)
			return 0;
	}
	if (db_connect() == 0)
		return 0;
	set_err(e, ERR_UNAVAILABLE, "Service temporarily unavailable.", "database unreachable");
	return -1;
}

static void clear_result(void *p)
{
	PQclear(p);
}

/* Map a failed result to an error kind by SQLSTATE. */
static void result_error(struct arena *a, PGresult *res, struct err *e)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
	char *log = a ? arena_printf(a, "SQL error %s: %s", state ? state : "?", msg) : NULL;
	if (log) {
		size_t n = strlen(log);
		while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
			log[--n] = 0;
	}
	if (!conn || PQstatus(conn) != CONNECTION_OK || (state && str_starts(state, "08")) ||
	    (state && (str_starts(state, "57P") || strcmp(state, "53300") == 0))) {
		set_err(e, ERR_UNAVAILABLE, "Service temporarily unavailable.", log);
		in_tx = false;
	} else if (state && strcmp(state, "57014") == 0) {
		/* statement_timeout, or the request deadline cancelled it */
		set_err(e, ERR_UNAVAILABLE, "Service temporarily unavailable.",
		        deadline_hit ? "request deadline (JHE_REQUEST_TIMEOUT_MS) passed" : log);
	} else if (state && strcmp(state, "23505") == 0) {
		set_err(e, ERR_CONFLICT, "A row with these values already exists.", log);
	} else if (state && (strcmp(state, "23503") == 0)) {
		set_err(e, ERR_CONFLICT, "The row is referenced by or refers to missing data.",
		        log);
	} else if (state && (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0 ||
	                     str_starts(state, "22"))) {
		set_err(e, ERR_BAD_REQUEST, "Invalid value.", log);
	} else if (state && strcmp(state, "54000") == 0) {
		/* a value too large for an index ("index row requires N bytes"): the client's value
		 */
		set_err(e, ERR_BAD_REQUEST, "Value too long.", log);
	} else if (state && strcmp(state, "40001") == 0) {
		set_err(e, ERR_CONFLICT, "Concurrent update, please retry.", log);
	} else {
		set_err(e, ERR_INTERNAL, NULL, log);
	}
	if (e && a && state)
		e->sqlstate = arena_strdup(a, state);
}

static int prepare(struct db_stmt *st, int nparams, struct arena *a, struct err *e)
{
	if (st->gen == conn_gen && st->name[0])
		return 0;
	if (!st->name[0])
		snprintf(st->name, sizeof(st->name), "s%u", ++stmt_counter);
	PGresult *res = PQprepare(conn, st->name, st->sql, nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		/* after a reconnect the name may already exist on the server: not an error */
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state && strcmp(state, "42P05") == 0) {
			PQclear(res);
			st->gen = conn_gen;
			return 0;
		}
		result_error(a, res, e);
		log_error("prepare failed: %s\n%s", PQresultErrorMessage(res), st->sql);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	st->gen = conn_gen;
	return 0;
}

/* The connection before a statement: a lost one is opened again, except inside a transaction
 * (whose work is gone with it). */
static int usable(struct err *e)
{
	if (conn && PQstatus(conn) == CONNECTION_OK)
		return 0;
	if (!in_tx && db_ensure(e) == 0)
		return 0;
	set_err(e, ERR_UNAVAILABLE, "Service temporarily unavailable.", "database connection lost");
	return -1;
}

/* A statement's result, kept until the arena is reset; NULL with e set from its error. */
static struct db_result *finish(struct arena *a, PGresult *res, struct err *e)
{
	ExecStatusType s = PQresultStatus(res);
	if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
		result_error(a, res, e);
		PQclear(res);
		return NULL;
	}
	struct db_result *r = arena_alloc(a, sizeof(*r));
	r->res = res;
	arena_defer(a, clear_result, res);
	return r;
}

/* After a failed statement: 1 when it failed because the connection died while idle (server
 * restart) and a new one is open (run it again; res was released), -1 when that reconnection
 * failed (e set, res released), 0 otherwise (res is the answer). Never inside a transaction. */
static int reconnected(PGresult *res, struct err *e)
{
	ExecStatusType s = PQresultStatus(res);
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK || in_tx ||
	    PQstatus(conn) == CONNECTION_OK)
		return 0;
	PQclear(res);
	return db_ensure(e) == 0 ? 1 : -1;
}

struct db_result *db_query(struct arena *a, struct db_stmt *st, int nparams,
                           const char *const *params, struct err *e)
{
	if (past_deadline(e) || usable(e))
		return NULL;
	bool again = false; /* reconnect once at the most */
	if (prepare(st, nparams, a, e)) {
		if (in_tx || PQstatus(conn) == CONNECTION_OK || db_ensure(e) ||
		    prepare(st, nparams, a, e))
			return NULL;
		again = true;
	}
	PGresult *res = PQexecPrepared(conn, st->name, nparams, params, NULL, NULL, 0);
	int rc = again ? 0 : reconnected(res, e);
	if (rc < 0 || (rc > 0 && prepare(st, nparams, a, e)))
		return NULL;
	if (rc > 0)
		res = PQexecPrepared(conn, st->name, nparams, params, NULL, NULL, 0);
	return finish(a, res, e);
}

/* Unnamed statement (parsed and planned on every call, one round trip): for SQL whose text is
 * built per request (FHIR search shapes), where custom plans matter and a named statement per
 * shape would accumulate on the server. */
struct db_result *db_query_params(struct arena *a, const char *sql, int nparams,
                                  const char *const *params, struct err *e)
{
	if (past_deadline(e) || usable(e))
		return NULL;
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	int rc = reconnected(res, e);
	if (rc < 0)
		return NULL;
	if (rc > 0)
		res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	return finish(a, res, e);
}

long db_exec(struct arena *a, struct db_stmt *st, int nparams, const char *const *params,
             struct err *e)
{
	struct db_result *r = db_query(a, st, nparams, params, e);
	if (!r)
		return -1;
	return db_affected(r);
}

int db_exec_sql(const char *sql, struct err *e)
{
	if (!conn && db_ensure(e))
		return -1;
	PGresult *res = PQexec(conn, sql);
	ExecStatusType s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
		if (e) {
			static char buf[1024];
			snprintf(buf, sizeof(buf), "%s", PQresultErrorMessage(res));
			set_err(e, ERR_INTERNAL, buf, buf);
		}
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

long db_copy_in(const char *copy_sql, const char *data, size_t len, struct err *e)
{
	if (!conn && db_ensure(e))
		return -1;
	PGresult *res = PQexec(conn, copy_sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		result_error(NULL, res, e);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	if (PQputCopyData(conn, data, (int)len) != 1 || PQputCopyEnd(conn, NULL) != 1) {
		set_err(e, ERR_UNAVAILABLE, "Service temporarily unavailable.", "COPY failed");
		return -1;
	}
	res = PQgetResult(conn);
	long n = -1;
	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		n = atol(PQcmdTuples(res));
	else
		result_error(NULL, res, e);
	PQclear(res);
	while ((res = PQgetResult(conn)))
		PQclear(res);
	return n;
}

int db_nrows(const struct db_result *r)
{
	return PQntuples(r->res);
}

const char *db_get(const struct db_result *r, int row, int col)
{
	if (row >= PQntuples(r->res) || PQgetisnull(r->res, row, col))
		return NULL;
	return PQgetvalue(r->res, row, col);
}

size_t db_getlen(const struct db_result *r, int row, int col)
{
	return (size_t)PQgetlength(r->res, row, col);
}

bool db_isnull(const struct db_result *r, int row, int col)
{
	return PQgetisnull(r->res, row, col);
}

int64_t db_get_i64(const struct db_result *r, int row, int col)
{
	const char *v = db_get(r, row, col);
	return v ? strtoll(v, NULL, 10) : 0;
}

bool db_get_bool(const struct db_result *r, int row, int col)
{
	const char *v = db_get(r, row, col);
	return v && v[0] == 't';
}

char *db_get_json(struct arena *a, const struct db_result *r, int row, int col)
{
	const char *v = db_get(r, row, col);
	if (!v)
		return NULL;
	char *json = arena_strndup(a, v, db_getlen(r, row, col));
	json_minify(json);
	return json;
}

long db_affected(const struct db_result *r)
{
	const char *t = PQcmdTuples(r->res);
	return t && *t ? atol(t) : (long)PQntuples(r->res);
}

static int simple(const char *sql, struct err *e)
{
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		set_err(e, ERR_UNAVAILABLE, "Service temporarily unavailable.", "no connection");
		return -1;
	}
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		result_error(NULL, res, e);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

int db_begin(struct err *e)
{
	if (db_ensure(e))
		return -1;
	if (simple("BEGIN", e))
		return -1;
	in_tx = true;
	return 0;
}

int db_commit(struct err *e)
{
	int rc = simple("COMMIT", e);
	in_tx = false;
	return rc;
}

void db_rollback(void)
{
	if (!conn)
		return;
	if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(conn, "ROLLBACK");
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			/* a connection left inside a transaction would run the next request's
			 * statements in it: drop it, the next request reconnects */
			log_error("ROLLBACK failed: %s", PQerrorMessage(conn));
			PQfinish(conn);
			conn = NULL;
		}
		PQclear(res);
	}
	in_tx = false;
}

bool db_in_transaction(void)
{
	return in_tx;
}

char *db_i64(struct arena *a, int64_t v)
{
	return arena_printf(a, "%lld", (long long)v);
}

char *db_bytea_hex(struct arena *a, const unsigned char *p, size_t n)
{
	char *hex = hex_encode(a, p, n);
	return arena_printf(a, "\\x%s", hex);
}

bool db_parse_bytea(const char *text, unsigned char *out, size_t n)
{
	return text && strlen(text) == 2 + 2 * n && text[0] == '\\' && text[1] == 'x' &&
	       hex_decode(text + 2, out, n);
}

char *db_time(struct arena *a, usec_t t)
{
	char *out = arena_alloc(a, 32);
	time_format(t, out);
	return out;
}

int db_parse_time(const char *s, usec_t *out)
{
	/* PostgreSQL ISO output: "2026-08-21 15:26:13.123456+00" */
	char tmp[64];
	size_t n = strlen(s);
	if (n + 4 >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n + 1);
	if (n >= 3 && (tmp[n - 3] == '+' || tmp[n - 3] == '-')) {
		memcpy(tmp + n, ":00", 4);
	}
	return time_parse(tmp, out);
}
