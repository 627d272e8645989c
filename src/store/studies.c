/* Studies and their sub-resources: scope requests, data sources, clients (admin-api.md §10). */
#include "store/query.h"

#include <string.h>

static struct db_stmt q_study_info =
    DB_STMT("SELECT s.organization_id, jhe_study_readable($1, s.id) FROM study s WHERE s.id = $2");

int store_study_info(struct arena *a, int64_t user_id, int64_t id, struct study_info *out,
                     struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r =
	    db_query(a, &q_study_info, DB_PARAMS(db_i64(a, user_id), db_i64(a, id)), e);
	if (!r)
		return -1;
	if (db_nrows(r) == 0)
		return 0;
	out->exists = true;
	out->organization_id = db_get_i64(r, 0, 0);
	out->readable = db_get_bool(r, 0, 1);
	return 0;
}

static struct db_stmt q_study_list =
    DB_STMT("WITH f AS (SELECT s.id, s.name FROM study s"
            "            WHERE ($2::bigint IS NULL OR s.organization_id = $2)"
            "              AND (jhe_is_superuser($1) OR s.organization_id IN"
            "                   (SELECT m.organization_id FROM jhe_member_orgs($1) m)))"
            "SELECT (SELECT count(*) FROM f),"
            "       (SELECT json_agg(jhe_study_json(x.id) ORDER BY x.name, x.id)"
            "          FROM (SELECT * FROM f ORDER BY f.name, f.id OFFSET $3 LIMIT $4) x)");

char *store_study_list(struct arena *a, int64_t user_id, const int64_t *org_id, int64_t offset,
                       int64_t limit, int64_t *count, struct err *e)
{
	return store_page(a, &q_study_list,
	                  DB_PARAMS(db_i64(a, user_id), org_id ? db_i64(a, *org_id) : NULL,
	                            db_i64(a, offset), db_i64(a, limit)),
	                  count, e);
}

static struct db_stmt q_study_json = DB_STMT("SELECT jhe_study_json($1)");
static struct db_stmt q_study_wjson = DB_STMT("SELECT jhe_study_write_json($1)");

char *store_study_json(struct arena *a, int64_t id, bool write_shape, struct err *e)
{
	return store_json(a, write_shape ? &q_study_wjson : &q_study_json, DB_PARAMS(db_i64(a, id)),
	                  "No Study matches the given query.", e);
}

static struct db_stmt q_study_insert =
    DB_STMT("INSERT INTO study (name, description, organization_id, icon_url)"
            " VALUES ($1, $2, $3, $4) RETURNING id");

int store_study_create(struct arena *a, const char *name, const char *description, int64_t org,
                       const char *icon_url, bool icon_set, int64_t *id, struct err *e)
{
	return store_i64(a, &q_study_insert,
	                 DB_PARAMS(name, description, db_i64(a, org), icon_set ? icon_url : NULL),
	                 id, e)
	           ? -1
	           : 0;
}

static struct db_stmt q_study_update =
    DB_STMT("UPDATE study SET name = COALESCE($2, name), description = COALESCE($3, description),"
            " icon_url = CASE WHEN $5::boolean THEN $4 ELSE icon_url END, last_updated = now()"
            " WHERE id = $1");

int store_study_update(struct arena *a, int64_t id, const char *name, const char *description,
                       const char *icon_url, bool icon_set, struct err *e)
{
	return store_exec(a, &q_study_update,
	                  DB_PARAMS(db_i64(a, id), name, description, icon_url, store_tf(icon_set)),
	                  e);
}

static struct db_stmt q_study_delete = DB_STMT("DELETE FROM study WHERE id = $1");

int store_study_delete(struct arena *a, int64_t id, struct err *e)
{
	return store_exec(a, &q_study_delete, DB_PARAMS(db_i64(a, id)), e);
}

/* ---------- links ---------- */

static struct db_stmt q_links_scope =
    DB_STMT("SELECT COALESCE(json_agg(json_build_object('id', l.id, 'study', "
            "jhe_nested_study_json(l.study_id),"
            "   'scopeCode', jhe_codeable_json(l.scope_code_id)) ORDER BY l.id), '[]'::json)"
            "  FROM study_scope_request l WHERE l.study_id = $1");
static struct db_stmt q_links_client =
    DB_STMT("SELECT COALESCE(json_agg(json_build_object('id', l.id, 'study', "
            "jhe_nested_study_json(l.study_id),"
            "   'client', jhe_nested_client_json(l.client_id)) ORDER BY l.id), '[]'::json)"
            "  FROM study_client l WHERE l.study_id = $1");
static struct db_stmt q_links_ds = DB_STMT(
    "SELECT COALESCE(json_agg(json_build_object('id', l.id, 'study', "
    "jhe_nested_study_json(l.study_id),"
    "   'dataSource', jhe_nested_data_source_json(l.data_source_id)) ORDER BY l.id), '[]'::json)"
    "  FROM study_data_source l WHERE l.study_id = $1");

static struct db_stmt q_add_scope =
    DB_STMT("INSERT INTO study_scope_request (study_id, scope_code_id) VALUES ($1, $2)"
            " ON CONFLICT (study_id, scope_code_id) DO NOTHING RETURNING id");
static struct db_stmt q_add_client =
    DB_STMT("INSERT INTO study_client (study_id, client_id) VALUES ($1, $2)"
            " ON CONFLICT (study_id, client_id) DO NOTHING RETURNING id");
static struct db_stmt q_add_ds =
    DB_STMT("INSERT INTO study_data_source (study_id, data_source_id) VALUES ($1, $2)"
            " ON CONFLICT (study_id, data_source_id) DO NOTHING RETURNING id");

static struct db_stmt q_rm_scope =
    DB_STMT("DELETE FROM study_scope_request WHERE study_id = $1 AND scope_code_id = $2");
static struct db_stmt q_rm_client =
    DB_STMT("DELETE FROM study_client WHERE study_id = $1 AND client_id = $2");
static struct db_stmt q_rm_ds =
    DB_STMT("DELETE FROM study_data_source WHERE study_id = $1 AND data_source_id = $2");

static int kind_index(const char *kind)
{
	if (!strcmp(kind, "scope_requests"))
		return 0;
	if (!strcmp(kind, "clients"))
		return 1;
	return 2;
}

char *store_study_links(struct arena *a, int64_t study_id, const char *kind, struct err *e)
{
	struct db_stmt *st[3] = {&q_links_scope, &q_links_client, &q_links_ds};
	return store_json(a, st[kind_index(kind)], DB_PARAMS(db_i64(a, study_id)), NULL, e);
}

int store_study_link_add(struct arena *a, int64_t study_id, const char *kind, int64_t ref,
                         int64_t *new_id, struct err *e)
{
	struct db_stmt *st[3] = {&q_add_scope, &q_add_client, &q_add_ds};
	return store_i64(a, st[kind_index(kind)], DB_PARAMS(db_i64(a, study_id), db_i64(a, ref)),
	                 new_id, e);
}

int store_study_link_remove(struct arena *a, int64_t study_id, const char *kind, int64_t ref,
                            struct err *e)
{
	struct db_stmt *st[3] = {&q_rm_scope, &q_rm_client, &q_rm_ds};
	return store_exec(a, st[kind_index(kind)], DB_PARAMS(db_i64(a, study_id), db_i64(a, ref)),
	                  e);
}

static struct db_stmt q_scope_row =
    DB_STMT("SELECT json_build_object('id', l.id, 'study', jhe_nested_study_json(l.study_id),"
            "   'scopeCode', jhe_codeable_json(l.scope_code_id)) FROM study_scope_request l WHERE "
            "l.id = $1");

char *store_scope_request_json(struct arena *a, int64_t id, struct err *e)
{
	return store_json(a, &q_scope_row, DB_PARAMS(db_i64(a, id)), NULL, e);
}

static struct db_stmt q_scope_label =
    DB_STMT("SELECT coding_system || '|' || coding_code FROM codeable_concept WHERE id = $1");

const char *store_scope_label(struct arena *a, int64_t id, struct err *e)
{
	return store_text(a, &q_scope_label, DB_PARAMS(db_i64(a, id)), e);
}

static struct db_stmt q_is_pc =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM jhe_client WHERE application_id = $1)");

int store_app_is_patient_client(struct arena *a, int64_t app_id, struct err *e)
{
	return store_bool(a, &q_is_pc, DB_PARAMS(db_i64(a, app_id)), e);
}
