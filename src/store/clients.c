/* Patient clients (admin-api.md §13) and OAuth applications (§13.1). */
#include "store/query.h"

static struct db_stmt q_client_list = DB_STMT(
    "SELECT (SELECT count(*) FROM jhe_client),"
    "       (SELECT json_agg(jhe_client_json(x.application_id) ORDER BY x.application_id DESC)"
    "          FROM (SELECT application_id FROM jhe_client ORDER BY application_id DESC"
    "                OFFSET $1 LIMIT $2) x)");

char *store_client_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                        struct err *e)
{
	return store_page_at(a, &q_client_list, offset, limit, count, e);
}

static struct db_stmt q_client_json = DB_STMT("SELECT jhe_client_json($1)");

char *store_client_json(struct arena *a, int64_t id, struct err *e)
{
	return store_json(a, &q_client_json, DB_PARAMS(db_i64(a, id)),
	                  "No Application matches the given query.", e);
}

static struct db_stmt q_cid_taken =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM oauth_application WHERE client_id = $1 AND id <> $2)");

int store_client_id_taken(struct arena *a, const char *client_id, int64_t exclude_id, struct err *e)
{
	return store_bool(a, &q_cid_taken, DB_PARAMS(client_id, db_i64(a, exclude_id)), e);
}

static struct db_stmt q_client_insert =
    DB_STMT("WITH app AS (INSERT INTO oauth_application (client_id, name, client_type,"
            "   authorization_grant_type, redirect_uris, skip_authorization, algorithm)"
            "   VALUES ($2, $1, 'public', 'authorization-code', $4, true, 'RS256') RETURNING id)"
            "INSERT INTO jhe_client (application_id, invitation_url) SELECT app.id, $3 FROM app"
            " RETURNING application_id");

int store_client_create(struct arena *a, const char *name, const char *client_id,
                        const char *invitation_url, const char *redirect_uri, int64_t *id,
                        struct err *e)
{
	return store_i64(a, &q_client_insert,
	                 DB_PARAMS(name, client_id, invitation_url, redirect_uri), id, e)
	           ? -1
	           : 0;
}

static struct db_stmt q_app_update = DB_STMT(
    "UPDATE oauth_application SET name = COALESCE($2, name), client_id = COALESCE($3, client_id),"
    " updated = now() WHERE id = $1");
static struct db_stmt q_jc_update = DB_STMT("UPDATE jhe_client SET invitation_url = COALESCE($2, "
                                            "invitation_url) WHERE application_id = $1");

int store_client_update(struct arena *a, int64_t id, const char *name, const char *client_id,
                        const char *invitation_url, struct err *e)
{
	if (store_exec(a, &q_app_update, DB_PARAMS(db_i64(a, id), name, client_id), e))
		return -1;
	return store_exec(a, &q_jc_update, DB_PARAMS(db_i64(a, id), invitation_url), e);
}

static struct db_stmt q_app_delete = DB_STMT("DELETE FROM oauth_application WHERE id = $1");

int store_application_delete(struct arena *a, int64_t id, struct err *e)
{
	return store_exec(a, &q_app_delete, DB_PARAMS(db_i64(a, id)), e);
}

static struct db_stmt q_cds_list = DB_STMT(
    "SELECT COALESCE(json_agg(jhe_data_source_json(d.id) ORDER BY d.name, d.id), '[]'::json)"
    "  FROM client_data_source l JOIN data_source d ON d.id = l.data_source_id"
    " WHERE l.client_id = $1");

char *store_client_data_sources(struct arena *a, int64_t app_id, struct err *e)
{
	return store_json(a, &q_cds_list, DB_PARAMS(db_i64(a, app_id)), NULL, e);
}

static struct db_stmt q_cds_add =
    DB_STMT("INSERT INTO client_data_source (client_id, data_source_id) VALUES ($1, $2)"
            " ON CONFLICT (client_id, data_source_id) DO NOTHING"
            " RETURNING json_build_object('id', id, 'client_id', client_id, 'dataSourceId', "
            "data_source_id)");

int store_client_data_source_add(struct arena *a, int64_t app_id, int64_t ds_id, char **json,
                                 struct err *e)
{
	return store_json_inserted(a, &q_cds_add, DB_PARAMS(db_i64(a, app_id), db_i64(a, ds_id)),
	                           json, e);
}

static struct db_stmt q_cds_rm =
    DB_STMT("DELETE FROM client_data_source WHERE client_id = $1 AND data_source_id = $2");

int store_client_data_source_remove(struct arena *a, int64_t app_id, int64_t ds_id, struct err *e)
{
	return store_exec(a, &q_cds_rm, DB_PARAMS(db_i64(a, app_id), db_i64(a, ds_id)), e);
}

/* ---------- oauth_applications: neither patient clients nor API keys ---------- */
#define PLAIN_APP                                                                                  \
	" NOT EXISTS (SELECT 1 FROM jhe_client c WHERE c.application_id = a.id)"                   \
	" AND NOT EXISTS (SELECT 1 FROM practitioner_client k WHERE k.application_id = a.id)"

static struct db_stmt q_oa_list =
    DB_STMT("WITH f AS (SELECT a.id FROM oauth_application a WHERE" PLAIN_APP ")"
            "SELECT (SELECT count(*) FROM f),"
            "       (SELECT json_agg(jhe_application_json(x.id) ORDER BY x.id DESC)"
            "          FROM (SELECT id FROM f ORDER BY id DESC OFFSET $1 LIMIT $2) x)");

char *store_oauth_app_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                           struct err *e)
{
	return store_page_at(a, &q_oa_list, offset, limit, count, e);
}

static struct db_stmt q_oa_json = DB_STMT(
    "SELECT jhe_application_json(a.id) FROM oauth_application a WHERE a.id = $1 AND" PLAIN_APP);

char *store_oauth_app_json(struct arena *a, int64_t id, struct err *e)
{
	return store_json(a, &q_oa_json, DB_PARAMS(db_i64(a, id)),
	                  "No Application matches the given query.", e);
}

static struct db_stmt q_oa_insert =
    DB_STMT("INSERT INTO oauth_application (name, client_id, client_type, authorization_grant_type,"
            " redirect_uris, client_secret_digest, skip_authorization, algorithm)"
            " VALUES ($1, $2, $3, $4, $5, $6::bytea, true, 'RS256') RETURNING id");

int store_oauth_app_create(struct arena *a, const char *name, const char *client_id,
                           const char *client_type, const char *grant_type,
                           const char *redirect_uris, const char *secret_digest_hex, int64_t *id,
                           struct err *e)
{
	return store_i64(a, &q_oa_insert,
	                 DB_PARAMS(name, client_id, client_type, grant_type, redirect_uris,
	                           secret_digest_hex),
	                 id, e)
	           ? -1
	           : 0;
}

static struct db_stmt q_oa_update =
    DB_STMT("UPDATE oauth_application SET name = COALESCE($2, name),"
            " redirect_uris = COALESCE($3, redirect_uris),"
            " client_secret_digest = COALESCE($4::bytea, client_secret_digest), updated = now()"
            " WHERE id = $1");

int store_oauth_app_update(struct arena *a, int64_t id, const char *name, const char *redirect_uris,
                           const char *secret_digest_hex, struct err *e)
{
	return store_exec(a, &q_oa_update,
	                  DB_PARAMS(db_i64(a, id), name, redirect_uris, secret_digest_hex), e);
}

static struct db_stmt q_oa_type =
    DB_STMT("SELECT a.client_type, a.authorization_grant_type FROM oauth_application a"
            " WHERE a.id = $1 AND" PLAIN_APP);

const char *store_oauth_app_type(struct arena *a, int64_t id, const char **grant_type,
                                 struct err *e)
{
	struct db_result *r = db_query(a, &q_oa_type, DB_PARAMS(db_i64(a, id)), e);
	if (!r || db_nrows(r) == 0)
		return NULL;
	if (grant_type)
		*grant_type = arena_strdup(a, db_get(r, 0, 1));
	return arena_strdup(a, db_get(r, 0, 0));
}
