/* Data sources and their supported scopes (admin-api.md §12). */
#include "store/query.h"

static struct db_stmt q_ds_list = DB_STMT(
    "SELECT (SELECT count(*) FROM data_source),"
    "       (SELECT json_agg(jhe_data_source_json(x.id) ORDER BY x.name, x.id)"
    "          FROM (SELECT id, name FROM data_source ORDER BY name, id OFFSET $1 LIMIT $2) x)");

char *store_data_source_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                             struct err *e)
{
	return store_page_at(a, &q_ds_list, offset, limit, count, e);
}

static struct db_stmt q_ds_json = DB_STMT("SELECT jhe_data_source_json($1)");

char *store_data_source_json(struct arena *a, int64_t id, struct err *e)
{
	return store_json(a, &q_ds_json, DB_PARAMS(db_i64(a, id)),
	                  "No DataSource matches the given query.", e);
}

static struct db_stmt q_ds_insert = DB_STMT("INSERT INTO data_source (name, type) VALUES ($1, "
                                            "COALESCE($2, 'personal_device')) RETURNING id");

int store_data_source_create(struct arena *a, const char *name, const char *type, int64_t *id,
                             struct err *e)
{
	return store_i64(a, &q_ds_insert, DB_PARAMS(name, type), id, e) ? -1 : 0;
}

static struct db_stmt q_ds_update =
    DB_STMT("UPDATE data_source SET name = COALESCE($2, name), type = COALESCE($3, type),"
            " last_updated = now() WHERE id = $1");

int store_data_source_update(struct arena *a, int64_t id, const char *name, const char *type,
                             struct err *e)
{
	return store_exec(a, &q_ds_update, DB_PARAMS(db_i64(a, id), name, type), e);
}

static struct db_stmt q_ds_delete = DB_STMT("DELETE FROM data_source WHERE id = $1");

int store_data_source_delete(struct arena *a, int64_t id, struct err *e)
{
	return store_exec(a, &q_ds_delete, DB_PARAMS(db_i64(a, id)), e);
}

static struct db_stmt q_all_scopes =
    DB_STMT("SELECT COALESCE(json_agg(jhe_codeable_json(c.id) ORDER BY c.text, c.id), '[]'::json)"
            "  FROM codeable_concept c");

char *store_all_scopes(struct arena *a, struct err *e)
{
	return store_json(a, &q_all_scopes, 0, NULL, NULL, e);
}

static struct db_stmt q_ss_list =
    DB_STMT("SELECT COALESCE(json_agg(json_build_object('id', s.id,"
            "   'dataSource', jhe_nested_data_source_json(s.data_source_id),"
            "   'scopeCode', jhe_codeable_json(s.scope_code_id)) ORDER BY s.id), '[]'::json)"
            "  FROM data_source_supported_scope s WHERE s.data_source_id = $1");

char *store_supported_scopes(struct arena *a, int64_t ds_id, struct err *e)
{
	return store_json(a, &q_ss_list, DB_PARAMS(db_i64(a, ds_id)), NULL, e);
}

static struct db_stmt q_ss_add =
    DB_STMT("WITH ins AS (INSERT INTO data_source_supported_scope (data_source_id, scope_code_id)"
            "   VALUES ($1, $2) ON CONFLICT (data_source_id, scope_code_id) DO NOTHING"
            "   RETURNING id, data_source_id, scope_code_id)"
            "SELECT json_build_object('id', ins.id, 'dataSource', "
            "jhe_nested_data_source_json(ins.data_source_id),"
            "   'scopeCode', jhe_codeable_json(ins.scope_code_id)) FROM ins");

int store_supported_scope_add(struct arena *a, int64_t ds_id, int64_t scope_id, char **json,
                              struct err *e)
{
	return store_json_inserted(a, &q_ss_add, DB_PARAMS(db_i64(a, ds_id), db_i64(a, scope_id)),
	                           json, e);
}

static struct db_stmt q_ss_rm = DB_STMT(
    "DELETE FROM data_source_supported_scope WHERE data_source_id = $1 AND scope_code_id = $2");

int store_supported_scope_remove(struct arena *a, int64_t ds_id, int64_t scope_id, struct err *e)
{
	return store_exec(a, &q_ss_rm, DB_PARAMS(db_i64(a, ds_id), db_i64(a, scope_id)), e);
}
