/* Practitioners (admin-api.md §6) and their sticky settings (§17). */
#include "store/query.h"

static struct db_stmt q_pr_insert =
    DB_STMT("INSERT INTO practitioner (jhe_user_id, identifier, name_family, name_given)"
            " SELECT u.id, u.identifier, COALESCE($2, u.last_name), COALESCE($3, u.first_name)"
            "   FROM jhe_user u WHERE u.id = $1 RETURNING id");

int store_practitioner_create(struct arena *a, int64_t user_id, const char *name_family,
                              const char *name_given, int64_t *id, struct err *e)
{
	const char *p[3] = {db_i64(a, user_id), name_family, name_given};
	int rc = store_i64(a, &q_pr_insert, 3, p, id, e);
	if (rc == 1) {
		e->kind = ERR_INTERNAL;
		e->log = "practitioner insert returned no row";
		return -1;
	}
	return rc;
}

static struct db_stmt q_pr_list =
    DB_STMT("SELECT (SELECT count(*) FROM practitioner),"
            "       (SELECT json_agg(jhe_practitioner_json(x.id) ORDER BY x.id)"
            "          FROM (SELECT id FROM practitioner ORDER BY id OFFSET $1 LIMIT $2) x)");

char *store_practitioner_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                              struct err *e)
{
	return store_page_at(a, &q_pr_list, offset, limit, count, e);
}

static struct db_stmt q_pr_json = DB_STMT("SELECT jhe_practitioner_json($1)");

char *store_practitioner_json(struct arena *a, int64_t id, struct err *e)
{
	return store_json(a, &q_pr_json, DB_PARAMS(db_i64(a, id)),
	                  "No Practitioner matches the given query.", e);
}

static struct db_stmt q_pr_update =
    DB_STMT("UPDATE practitioner SET name_family = COALESCE($2, name_family),"
            " name_given = COALESCE($3, name_given), last_updated = now() WHERE id = $1");

int store_practitioner_update(struct arena *a, int64_t id, const char *name_family,
                              const char *name_given, struct err *e)
{
	return store_exec_found(a, &q_pr_update, DB_PARAMS(db_i64(a, id), name_family, name_given),
	                        e);
}

static struct db_stmt q_pr_delete =
    DB_STMT("DELETE FROM practitioner WHERE id = $1 RETURNING jhe_user_id");
static struct db_stmt q_orphan_user =
    DB_STMT("DELETE FROM jhe_user u WHERE u.id = $1 AND NOT u.is_superuser"
            "   AND NOT EXISTS (SELECT 1 FROM patient p WHERE p.jhe_user_id = u.id)"
            "   AND NOT EXISTS (SELECT 1 FROM practitioner pr WHERE pr.jhe_user_id = u.id)");

int store_practitioner_delete(struct arena *a, int64_t id, struct err *e)
{
	int64_t uid = 0;
	int rc = store_i64(a, &q_pr_delete, DB_PARAMS(db_i64(a, id)), &uid, e);
	if (rc)
		return rc;
	return store_exec(a, &q_orphan_user, DB_PARAMS(db_i64(a, uid)), e);
}

static struct db_stmt q_sticky =
    DB_STMT("UPDATE practitioner SET settings ="
            "   (CASE WHEN $3::bigint = -2 THEN settings - 'current_study_id' ELSE settings END)"
            "   || jsonb_strip_nulls(jsonb_build_object('current_organization_id', $2::bigint,"
            "        'current_study_id', CASE WHEN $3::bigint >= 0 THEN $3::bigint END))"
            " WHERE jhe_user_id = $1");

int store_practitioner_sticky(struct arena *a, int64_t user_id, int64_t org_id, int64_t study_id,
                              struct err *e)
{
	if (org_id < 0 && study_id == -1)
		return 0;
	return store_exec(a, &q_sticky,
	                  DB_PARAMS(db_i64(a, user_id), org_id >= 0 ? db_i64(a, org_id) : NULL,
	                            db_i64(a, study_id)),
	                  e);
}
