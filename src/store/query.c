/* The shapes of a statement's answer (store/query.h). */
#include "store/query.h"

int store_exec(struct arena *a, struct db_stmt *st, int n, const char *const *p, struct err *e)
{
	return db_exec(a, st, n, p, e) < 0 ? -1 : 0;
}

int store_exec_found(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                     struct err *e)
{
	long rows = db_exec(a, st, n, p, e);
	if (rows < 0)
		return -1;
	return rows == 0 ? 1 : 0;
}

int store_row(struct arena *a, struct db_stmt *st, int n, const char *const *p,
              struct db_result **r, struct err *e)
{
	*r = db_query(a, st, n, p, e);
	if (!*r)
		return -1;
	return db_nrows(*r) == 0 ? 1 : 0;
}

/* True when a bytea column (hex text "\x...") equals the 32-byte digest (constant time). */
static bool digest_equal(const char *hex, const unsigned char d[32])
{
	unsigned char got[32];
	if (!db_parse_bytea(hex, got, 32))
		return false;
	return ct_equal(got, d, 32);
}

int store_row_by_digest(struct arena *a, struct db_stmt *st, const unsigned char digest[32],
                        int col, struct db_result **r, struct err *e)
{
	int rc = store_row(a, st, DB_PARAMS(db_bytea_hex(a, digest, 32)), r, e);
	if (rc)
		return rc;
	/* the index found the row; the final comparison is constant-time */
	return digest_equal(db_get(*r, 0, col), digest) ? 0 : 1;
}

int store_bool(struct arena *a, struct db_stmt *st, int n, const char *const *p, struct err *e)
{
	struct db_result *r = db_query(a, st, n, p, e);
	if (!r)
		return -1;
	return db_nrows(r) > 0 && db_get_bool(r, 0, 0) ? 1 : 0;
}

int store_i64(struct arena *a, struct db_stmt *st, int n, const char *const *p, int64_t *out,
              struct err *e)
{
	struct db_result *r = db_query(a, st, n, p, e);
	if (!r)
		return -1;
	if (db_nrows(r) == 0 || db_isnull(r, 0, 0))
		return 1;
	*out = db_get_i64(r, 0, 0);
	return 0;
}

int64_t store_id(struct arena *a, struct db_stmt *st, int n, const char *const *p, struct err *e)
{
	int64_t id = 0;
	return store_i64(a, st, n, p, &id, e) < 0 ? -1 : id;
}

const char *store_text(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                       struct err *e)
{
	struct db_result *r = db_query(a, st, n, p, e);
	if (!r || db_nrows(r) == 0)
		return NULL;
	return arena_strdup(a, db_get(r, 0, 0));
}

char *store_json(struct arena *a, struct db_stmt *st, int n, const char *const *p, const char *nf,
                 struct err *e)
{
	struct db_result *r = db_query(a, st, n, p, e);
	if (!r)
		return NULL;
	if (db_nrows(r) == 0 || db_isnull(r, 0, 0)) {
		e->kind = ERR_NOT_FOUND;
		e->msg = nf ? nf : "Not found.";
		return NULL;
	}
	return db_get_json(a, r, 0, 0);
}

char *store_json_value(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                       struct err *e)
{
	struct db_result *r = db_query(a, st, n, p, e);
	return r ? db_get_json(a, r, 0, 0) : NULL;
}

int store_json_inserted(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                        char **json, struct err *e)
{
	struct db_result *r;
	int rc = store_row(a, st, n, p, &r, e);
	if (rc == 0)
		*json = db_get_json(a, r, 0, 0);
	return rc;
}

char *store_page(struct arena *a, struct db_stmt *st, int n, const char *const *p, int64_t *count,
                 struct err *e)
{
	struct db_result *r = db_query(a, st, n, p, e);
	if (!r)
		return NULL;
	if (db_nrows(r) == 0) {
		*count = 0;
		return arena_strdup(a, "[]");
	}
	*count = db_get_i64(r, 0, 0);
	return db_isnull(r, 0, 1) ? arena_strdup(a, "[]") : db_get_json(a, r, 0, 1);
}

char *store_page_at(struct arena *a, struct db_stmt *st, int64_t offset, int64_t limit,
                    int64_t *count, struct err *e)
{
	return store_page(a, st, DB_PARAMS(db_i64(a, offset), db_i64(a, limit)), count, e);
}

const char *store_opt_i64(struct arena *a, int64_t v)
{
	return v ? db_i64(a, v) : NULL;
}

const char *store_tf(bool b)
{
	return b ? "t" : "f";
}

int store_phi_page(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                   struct phi_page *out, struct err *e)
{
	struct db_result *r = db_query(a, st, n, p, e);
	if (!r)
		return -1;
	out->count = db_get_i64(r, 0, 0);
	out->results = db_get_json(a, r, 0, 1);
	out->patient_ids = db_get_json(a, r, 0, 2);
	out->single_patient = db_get_i64(r, 0, 3);
	out->rows = (int)db_get_i64(r, 0, 4);
	return 0;
}
