/* Runtime settings (jhe_setting), read when used. */
#include "store/query.h"

static struct db_stmt q_setting =
    DB_STMT("SELECT CASE value_type WHEN 'string' THEN value_string"
            "       WHEN 'int' THEN value_int::text WHEN 'bool' THEN value_bool::text"
            "       WHEN 'float' THEN value_float::text ELSE value_json::text END"
            "  FROM jhe_setting WHERE key = $1");

const char *store_setting_text(struct arena *a, const char *key, struct err *e)
{
	return store_text(a, &q_setting, DB_PARAMS(key), e);
}

/* ---------- admin API: /api/v1/jhe_settings (admin-api.md §15) ---------- */
#include <string.h>

static struct db_stmt q_set_list =
    DB_STMT("SELECT (SELECT count(*) FROM jhe_setting),"
            "       (SELECT json_agg(jhe_setting_json(x.id) ORDER BY x.id)"
            "          FROM (SELECT id FROM jhe_setting ORDER BY id OFFSET $1 LIMIT $2) x)");

char *store_setting_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                         struct err *e)
{
	return store_page_at(a, &q_set_list, offset, limit, count, e);
}

static struct db_stmt q_set_json = DB_STMT("SELECT jhe_setting_json($1)");

char *store_setting_json(struct arena *a, int64_t id, struct err *e)
{
	return store_json(a, &q_set_json, DB_PARAMS(db_i64(a, id)),
	                  "No JheSetting matches the given query.", e);
}

static struct db_stmt q_set_get =
    DB_STMT("SELECT id, key, value_type, CASE value_type WHEN 'string' THEN value_string"
            "       WHEN 'int' THEN value_int::text WHEN 'bool' THEN value_bool::text"
            "       WHEN 'float' THEN value_float::text ELSE value_json::text END"
            "  FROM jhe_setting WHERE id = $1");

int store_setting_get(struct arena *a, int64_t id, struct setting_row *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r;
	int rc = store_row(a, &q_set_get, DB_PARAMS(db_i64(a, id)), &r, e);
	if (rc)
		return rc;
	out->id = db_get_i64(r, 0, 0);
	out->key = arena_strdup(a, db_get(r, 0, 1));
	out->value_type = arena_strdup(a, db_get(r, 0, 2));
	out->value_text = arena_strdup(a, db_get(r, 0, 3));
	return 0;
}

static struct db_stmt q_key_taken =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM jhe_setting WHERE key = $1 AND id <> $2)");

int store_setting_key_taken(struct arena *a, const char *key, int64_t exclude_id, struct err *e)
{
	return store_bool(a, &q_key_taken, DB_PARAMS(key, db_i64(a, exclude_id)), e);
}

static struct db_stmt q_set_insert = DB_STMT(
    "INSERT INTO jhe_setting (key, value_type, value_string, value_int, value_bool, value_float,"
    " value_json) VALUES ($1, $2, $3, $4::bigint, $5::boolean, $6::double precision, $7::jsonb)"
    " RETURNING id");
static struct db_stmt q_set_update = DB_STMT(
    "UPDATE jhe_setting SET key = $2, value_type = $3, value_string = $4, value_int = $5::bigint,"
    " value_bool = $6::boolean, value_float = $7::double precision, value_json = $8::jsonb,"
    " last_updated = now() WHERE id = $1 RETURNING id");

int store_setting_save(struct arena *a, int64_t id, const char *key, const char *value_type,
                       const char *value, int64_t *out_id, struct err *e)
{
	const char *cols[5] = {NULL, NULL, NULL, NULL, NULL};
	static const char *const types[5] = {"string", "int", "bool", "float", "json"};
	for (int i = 0; i < 5; i++)
		if (!strcmp(value_type, types[i]))
			cols[i] = value;
	if (id <= 0) {
		const char *p[7] = {key, value_type, cols[0], cols[1], cols[2], cols[3], cols[4]};
		return store_i64(a, &q_set_insert, 7, p, out_id, e) ? -1 : 0;
	}
	const char *p[8] = {db_i64(a, id), key,     value_type, cols[0],
	                    cols[1],       cols[2], cols[3],    cols[4]};
	*out_id = id;
	return store_exec(a, &q_set_update, 8, p, e);
}

static struct db_stmt q_set_delete = DB_STMT("DELETE FROM jhe_setting WHERE id = $1");

int store_setting_delete(struct arena *a, int64_t id, struct err *e)
{
	return store_exec(a, &q_set_delete, DB_PARAMS(db_i64(a, id)), e);
}

static struct db_stmt q_site_rewrite = DB_STMT(
    "UPDATE oauth_application SET redirect_uris ="
    "   (SELECT string_agg(CASE WHEN t.x = $1 THEN $2 ELSE t.x END, ' ' ORDER BY t.n)"
    "      FROM regexp_split_to_table(btrim(redirect_uris), '\\s+') WITH ORDINALITY AS t(x, n)),"
    "   updated = now()"
    " WHERE $1 = ANY (regexp_split_to_array(btrim(redirect_uris), '\\s+'))");

int store_site_url_rewrite(struct arena *a, const char *old_site, const char *new_site,
                           struct err *e)
{
	return store_exec(a, &q_site_rewrite,
	                  DB_PARAMS(arena_printf(a, "%s/auth/callback", old_site),
	                            arena_printf(a, "%s/auth/callback", new_site)),
	                  e);
}
