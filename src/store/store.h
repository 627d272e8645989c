/*
 * store: the PostgreSQL connection of this process, prepared statements, transactions, and one
 * file per aggregate with the queries. Maps SQLSTATEs to error kinds. Never formats HTTP.
 *
 * Prepared statements are declared next to the function that uses them:
 *     static struct db_stmt q_user = DB_STMT("SELECT ... WHERE id = $1");
 * and prepared lazily, once per connection (re-prepared after a reconnect).
 *
 * Many reads build their JSON in SQL (json_build_object keeps key order): the store returns the
 * JSON text and handlers copy it into the response, one round trip per request.
 */
#ifndef JHE_STORE_H
#define JHE_STORE_H

#include "util/util.h"

/* ---------- connection and statements ---------- */
struct db_stmt {
	const char *sql;
	char name[16];
	unsigned gen; /* connection generation it was prepared on */
};
#define DB_STMT(sqltext) {.sql = (sqltext)}

struct db_result; /* rows of one statement; released with the arena */

/* Connect with g_config.database (0 on success). Safe to call again. */
int db_connect(void);
/* Make sure the connection is usable (reconnects if needed); ERR_UNAVAILABLE in e if not. */
int db_ensure(struct err *e);
void db_disconnect(void);
/* Run a prepared statement. params may contain NULL for SQL NULL. Returns NULL with e set. */
struct db_result *db_query(struct arena *a, struct db_stmt *st, int nparams,
			   const char *const *params, struct err *e);
/* Run a statement that returns no rows (or whose rows are ignored). Returns affected rows or -1. */
long db_exec(struct arena *a, struct db_stmt *st, int nparams, const char *const *params,
	     struct err *e);
/* Run fixed SQL text without parameters (migrations, SET commands). Multiple statements ok. */
int db_exec_sql(const char *sql, struct err *e);
/* COPY ... FROM STDIN with the given text-format data (bulk inserts). Returns rows or -1. */
long db_copy_in(const char *copy_sql, const char *data, size_t len, struct err *e);

int db_nrows(const struct db_result *r);
int db_ncols(const struct db_result *r);
const char *db_get(const struct db_result *r, int row, int col); /* NULL for SQL NULL */
size_t db_getlen(const struct db_result *r, int row, int col);
bool db_isnull(const struct db_result *r, int row, int col);
int64_t db_get_i64(const struct db_result *r, int row, int col); /* 0 for NULL */
bool db_get_bool(const struct db_result *r, int row, int col);
int db_col(const struct db_result *r, const char *name); /* -1 if missing */
long db_affected(const struct db_result *r);

/* ---------- transactions (one per request that writes) ---------- */
int db_begin(struct err *e);
int db_commit(struct err *e);
void db_rollback(void); /* no-op when no transaction is open */
bool db_in_transaction(void);
/* Savepoints for batch entries inside one transaction. */
int db_savepoint(const char *name, struct err *e);
int db_release(const char *name, struct err *e);
int db_rollback_to(const char *name, struct err *e);

/* Helpers to format parameters */
char *db_i64(struct arena *a, int64_t v);
char *db_bytea_hex(struct arena *a, const unsigned char *p, size_t n); /* "\\x..." */
char *db_time(struct arena *a, usec_t t); /* RFC 3339 for timestamptz parameters */
/* Parse a timestamptz text as PostgreSQL prints it (ISO, +00 offset) to usec. */
int db_parse_time(const char *s, usec_t *out);

/* ---------- principal from a bearer token digest (one round trip) ---------- */
struct principal;
/* 0 found; 1 not found/expired/revoked/inactive; -1 database error (e set). */
int store_principal_by_token(struct arena *a, const unsigned char digest[32],
			     struct principal *out, struct err *e);
/* Create an access token for a user (jhe-admin token issue, tests). Returns 0 on success. */
int store_token_issue(struct arena *a, const char *email, const char *client_id, long days,
		      const unsigned char digest[32], struct err *e);

/* ---------- audit (data-model.md §7) ---------- */
struct audit_row {
	int64_t user_id;	     /* 0 = NULL */
	const char *oauth_client_id; /* NULL ok */
	const char *action;
	const char *resource_type;
	const char *resource_id;
	int64_t patient_id; /* 0 = NULL */
	int outcome;
	const char *source_address;
	const char *request_id;
	const char *method;
	const char *path;
	const char *detail; /* JSON text or NULL */
};
/* Insert one audit row in the current transaction (or autocommit). async=true uses
 * synchronous_commit=off for read audits outside a transaction. */
int store_audit_insert(struct arena *a, const struct audit_row *row, bool async, struct err *e);

/* ---------- settings (read from the database when used: no cache) ---------- */
/* The text value of a setting (string/int/bool/float as text), or NULL when missing. */
const char *store_setting_text(struct arena *a, const char *key, struct err *e);

/* ---------- users ---------- */
/* JSON of GET /api/v1/users/profile for the principal's user (admin-api.md §4.1). */
char *store_user_profile_json(struct arena *a, int64_t user_id, struct err *e);

#endif
