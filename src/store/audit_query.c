/* Reading the audit log (admin-api.md §16). */
#include "store/query.h"

static struct db_stmt q_audit_list = DB_STMT(
    "WITH f AS (SELECT e.* FROM audit_event e"
    "  WHERE ($1::bigint IS NULL OR e.patient_id = $1)"
    "    AND ($2::bigint IS NULL OR e.user_id = $2)"
    "    AND ($3::text IS NULL OR e.action = ANY (string_to_array(replace($3, ' ', ''), ',')))"
    "    AND ($4::text IS NULL OR e.resource_type = $4)"
    "    AND ($5::int IS NULL OR e.outcome = $5)"
    "    AND ($6::text IS NULL OR e.request_id = $6)"
    "    AND ($7::timestamptz IS NULL OR e.time >= $7)"
    "    AND ($8::timestamptz IS NULL OR e.time < $8))"
    "SELECT (SELECT count(*) FROM f),"
    "       (SELECT json_agg(jhe_audit_json(x) ORDER BY x.time DESC, x.id DESC)"
    "          FROM (SELECT * FROM f ORDER BY f.time DESC, f.id DESC OFFSET $9 LIMIT $10) x)");

char *store_audit_list(struct arena *a, const struct audit_filter *f, int64_t offset, int64_t limit,
                       int64_t *count, struct err *e)
{
	return store_page(a, &q_audit_list,
	                  DB_PARAMS(f->patient_id, f->user_id, f->actions, f->resource_type,
	                            f->outcome, f->request_id, f->since, f->until,
	                            db_i64(a, offset), db_i64(a, limit)),
	                  count, e);
}

static struct db_stmt q_audit_one =
    DB_STMT("SELECT jhe_audit_json(e) FROM audit_event e WHERE e.id = $1");

char *store_audit_json(struct arena *a, int64_t id, struct err *e)
{
	return store_json(a, &q_audit_one, DB_PARAMS(db_i64(a, id)),
	                  "No AuditEvent matches the given query.", e);
}
