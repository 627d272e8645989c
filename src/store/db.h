/* store: the PostgreSQL connection of this process, prepared statements, results, transactions and
 * parameter formatting (store/db.c). */
#ifndef JHE_STORE_DB_H
#define JHE_STORE_DB_H

#include "util/util.h"

/* ---------- connection and statements ---------- */
struct db_stmt {
	const char *sql;
	char name[16];
	unsigned gen; /* connection generation it was prepared on */
};
#define DB_STMT(sqltext)                                                                           \
	{                                                                                          \
		.sql = (sqltext)                                                                   \
	}

struct db_result; /* rows of one statement; released with the arena */

/* Connect with g_config.database (0 on success). Safe to call again. */
int db_connect(void);
/* Make sure the connection is usable (reconnects if needed); ERR_UNAVAILABLE in e if not. */
int db_ensure(struct err *e);
void db_disconnect(void);
/* A libpq connection string fit for messages: every password replaced by "***" (keyword=value
 * and URI forms); "(unparsable connection string)" when libpq cannot parse it. */
char *db_conninfo_masked(struct arena *a, const char *conninfo);
/* Per-request deadline (JHE_REQUEST_TIMEOUT_MS, doc/robustness.md "Cost bounds"): after ms the
 * statement in flight is cancelled and every later statement of the request fails with 503
 * (the handler's transaction is rolled back by dispatch). 0 = none. */
void db_deadline_arm(long ms);
void db_deadline_disarm(void);
/* statement_timeout (ms) of the connections made after this call; the workers set
 * JHE_STATEMENT_TIMEOUT_MS, jhe-admin (migrations, seeding) none. */
void db_set_statement_timeout(long ms);
/* Run a prepared statement. params may contain NULL for SQL NULL. Returns NULL with e set. */
struct db_result *db_query(struct arena *a, struct db_stmt *st, int nparams,
                           const char *const *params, struct err *e);
/* Run SQL text built at run time as an unnamed statement (planned per call). */
struct db_result *db_query_params(struct arena *a, const char *sql, int nparams,
                                  const char *const *params, struct err *e);
/* Run a statement that returns no rows (or whose rows are ignored). Returns affected rows or -1. */
long db_exec(struct arena *a, struct db_stmt *st, int nparams, const char *const *params,
             struct err *e);
/* Run fixed SQL text without parameters (migrations, SET commands). Multiple statements ok; text
 * with comments only (a placeholder migration) is no error. */
int db_exec_sql(const char *sql, struct err *e);
/* COPY ... FROM STDIN with the given text-format data (bulk inserts). Returns rows or -1. */
long db_copy_in(const char *copy_sql, const char *data, size_t len, struct err *e);

int db_nrows(const struct db_result *r);
const char *db_get(const struct db_result *r, int row, int col); /* NULL for SQL NULL */
size_t db_getlen(const struct db_result *r, int row, int col);
bool db_isnull(const struct db_result *r, int row, int col);
int64_t db_get_i64(const struct db_result *r, int row, int col); /* 0 for NULL */
bool db_get_bool(const struct db_result *r, int row, int col);
/* A json/jsonb column as compact JSON text copied into the arena (NULL for SQL NULL): the one way
 * store functions hand JSON built by PostgreSQL to the handlers. */
char *db_get_json(struct arena *a, const struct db_result *r, int row, int col);
long db_affected(const struct db_result *r);

/* ---------- transactions (one per request that writes) ---------- */
int db_begin(struct err *e);
int db_commit(struct err *e);
void db_rollback(void); /* no-op when no transaction is open */
bool db_in_transaction(void);

/* Helpers to format parameters */
char *db_i64(struct arena *a, int64_t v);
char *db_bytea_hex(struct arena *a, const unsigned char *p, size_t n); /* "\\x..." */
/* A bytea column as PostgreSQL prints it ("\\x" and 2*n hex digits) into n bytes; false when
 * NULL or not exactly that. */
bool db_parse_bytea(const char *text, unsigned char *out, size_t n);
char *db_time(struct arena *a, usec_t t); /* RFC 3339 for timestamptz parameters */
/* Parse a timestamptz text as PostgreSQL prints it (ISO, +00 offset) to usec. */
int db_parse_time(const char *s, usec_t *out);

#endif
