/* auth store: OAuth clients, users (login), authorization codes, token families and tokens. */
#include "store/query.h"

#include <stdlib.h>
#include <string.h>

/* ---------- clients ---------- */

static struct db_stmt q_client =
    DB_STMT("SELECT a.id, a.client_id, a.name, a.client_type = 'confidential',"
            "       a.authorization_grant_type = 'client-credentials', a.redirect_uris,"
            "       a.client_secret_digest, COALESCE(a.user_id, 0), COALESCE(u.is_active, false),"
            "       a.introspection_allowed"
            "  FROM oauth_application a LEFT JOIN jhe_user u ON u.id = a.user_id"
            " WHERE a.client_id = $1");

int store_auth_client(struct arena *a, const char *client_id, struct auth_client *out,
                      struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r;
	int rc = store_row(a, &q_client, DB_PARAMS(client_id), &r, e);
	if (rc)
		return rc;
	out->id = db_get_i64(r, 0, 0);
	out->client_id = arena_strdup(a, db_get(r, 0, 1));
	out->name = arena_strdup(a, db_get(r, 0, 2));
	out->confidential = db_get_bool(r, 0, 3);
	out->client_credentials = db_get_bool(r, 0, 4);
	out->redirect_uris = arena_strdup(a, db_get(r, 0, 5));
	out->has_secret = db_parse_bytea(db_get(r, 0, 6), out->secret_digest, 32);
	out->owner_user_id = db_get_i64(r, 0, 7);
	out->owner_active = db_get_bool(r, 0, 8);
	out->introspection_allowed = db_get_bool(r, 0, 9);
	return 0;
}

/* ---------- users ---------- */

#define USER_COLS                                                                                  \
	"u.id, u.email, u.password, u.is_active, u.is_superuser, COALESCE(pr.id, 0),"              \
	" COALESCE(pa.id, 0)"
#define USER_JOINS                                                                                 \
	" LEFT JOIN practitioner pr ON pr.jhe_user_id = u.id"                                      \
	" LEFT JOIN patient pa ON pa.jhe_user_id = u.id"

static void read_user(struct arena *a, struct db_result *r, int c, struct auth_user *u)
{
	u->id = db_get_i64(r, 0, c);
	u->email = arena_strdup(a, db_get(r, 0, c + 1));
	u->password = arena_strdup(a, db_get(r, 0, c + 2));
	u->is_active = db_get_bool(r, 0, c + 3);
	u->is_superuser = db_get_bool(r, 0, c + 4);
	u->practitioner_id = db_get_i64(r, 0, c + 5);
	u->patient_id = db_get_i64(r, 0, c + 6);
}

static struct db_stmt q_user_email =
    DB_STMT("SELECT " USER_COLS " FROM jhe_user u" USER_JOINS " WHERE lower(u.email) = lower($1)");
static struct db_stmt q_user_id =
    DB_STMT("SELECT " USER_COLS " FROM jhe_user u" USER_JOINS " WHERE u.id = $1");

int store_auth_user_by_email(struct arena *a, const char *email, struct auth_user *out,
                             struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r;
	int rc = store_row(a, &q_user_email, DB_PARAMS(email), &r, e);
	if (rc)
		return rc;
	read_user(a, r, 0, out);
	return 0;
}

int store_auth_user_by_id(struct arena *a, int64_t id, struct auth_user *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r;
	int rc = store_row(a, &q_user_id, DB_PARAMS(db_i64(a, id)), &r, e);
	if (rc)
		return rc;
	read_user(a, r, 0, out);
	return 0;
}

static struct db_stmt q_login_ok = DB_STMT(
    "UPDATE jhe_user SET last_login = now(), password = COALESCE($2, password) WHERE id = $1");

int store_auth_login_success(struct arena *a, int64_t user_id, const char *new_hash, struct err *e)
{
	return store_exec(a, &q_login_ok, DB_PARAMS(db_i64(a, user_id), new_hash), e);
}

static struct db_stmt q_set_pw =
    DB_STMT("UPDATE jhe_user SET password = $2 WHERE lower(email) = lower($1)");

int store_auth_set_password(struct arena *a, const char *email, const char *hash, struct err *e)
{
	return store_exec_found(a, &q_set_pw, DB_PARAMS(email, hash), e);
}

static struct db_stmt q_create_user =
    DB_STMT("WITH u AS (INSERT INTO jhe_user (email, password, user_type, is_superuser)"
            "           VALUES ($1, $2, 'practitioner', $3::boolean) RETURNING id),"
            "     pr AS (INSERT INTO practitioner (jhe_user_id) SELECT id FROM u WHERE $4::boolean"
            "            RETURNING id)"
            " SELECT id FROM u");

int64_t store_auth_create_user(struct arena *a, const char *email, const char *hash, bool superuser,
                               bool practitioner, struct err *e)
{
	return store_id(
	    a, &q_create_user,
	    DB_PARAMS(email, hash, store_tf(superuser), store_tf(practitioner || superuser)), e);
}

static struct db_stmt q_create_client =
    DB_STMT("INSERT INTO oauth_application (client_id, name, client_type, authorization_grant_type,"
            "   redirect_uris, client_secret_digest, introspection_allowed)"
            " VALUES ($1, $2, CASE WHEN $4::boolean THEN 'confidential' ELSE 'public' END,"
            "   CASE WHEN $5::boolean THEN 'client-credentials' ELSE 'authorization-code' END,"
            "   $3, $6::bytea, $7::boolean) RETURNING id");

int64_t store_auth_create_client(struct arena *a, const char *name, const char *client_id,
                                 const char *redirect_uris, bool confidential,
                                 bool client_credentials, bool introspection,
                                 const unsigned char *secret_digest, struct err *e)
{
	return store_id(a, &q_create_client,
	                DB_PARAMS(client_id, name, redirect_uris ? redirect_uris : "",
	                          store_tf(confidential), store_tf(client_credentials),
	                          secret_digest ? db_bytea_hex(a, secret_digest, 32) : NULL,
	                          store_tf(introspection)),
	                e);
}

/* ---------- authorization codes ---------- */

static struct db_stmt q_code_new = DB_STMT(
    "INSERT INTO oauth_authorization_code (code_digest, application_id, user_id, redirect_uri,"
    "   redirect_uri_in_request, scope, code_challenge, code_challenge_method, nonce, auth_time,"
    "   invitation_id, created, expires)"
    " VALUES ($1, $2, $3, $4, $5::boolean, $6, $7, 'S256', $8,"
    "   CASE WHEN $9::bigint = 0 THEN now() ELSE to_timestamp($9::bigint) END, $10, now(),"
    "   now() + make_interval(secs => $11::int))"
    " RETURNING jhe_rfc3339(expires)");

int store_code_create(struct arena *a, const unsigned char digest[32],
                      const struct auth_code_new *c, char **expires, struct err *e)
{
	struct db_result *r = db_query(
	    a, &q_code_new,
	    DB_PARAMS(db_bytea_hex(a, digest, 32), db_i64(a, c->application_id),
	              db_i64(a, c->user_id), c->redirect_uri, store_tf(c->redirect_uri_in_request),
	              c->scope, c->challenge, c->nonce, db_i64(a, c->auth_time),
	              c->invitation_id ? db_i64(a, c->invitation_id) : NULL,
	              db_i64(a, g_config.auth_code_lifetime)),
	    e);
	if (!r)
		return -1;
	if (expires)
		*expires = arena_strdup(a, db_get(r, 0, 0));
	return 0;
}

static struct db_stmt q_code_lock =
    DB_STMT("SELECT c.code_digest, c.id, c.application_id, c.user_id, COALESCE(c.invitation_id, 0),"
            "       COALESCE(c.family_id, 0), c.redirect_uri, c.redirect_uri_in_request, c.scope,"
            "       c.code_challenge, c.nonce, extract(epoch from c.auth_time)::bigint,"
            "       c.used_at IS NOT NULL, c.expires <= now(), " USER_COLS
            "  FROM oauth_authorization_code c JOIN jhe_user u ON u.id = c.user_id" USER_JOINS
            " WHERE c.code_digest = $1 FOR UPDATE OF c");

int store_code_lock(struct arena *a, const unsigned char digest[32], struct auth_code *out,
                    struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r;
	int rc = store_row_by_digest(a, &q_code_lock, digest, 0, &r, e);
	if (rc)
		return rc;
	out->id = db_get_i64(r, 0, 1);
	out->application_id = db_get_i64(r, 0, 2);
	out->user_id = db_get_i64(r, 0, 3);
	out->invitation_id = db_get_i64(r, 0, 4);
	out->family_id = db_get_i64(r, 0, 5);
	out->redirect_uri = arena_strdup(a, db_get(r, 0, 6));
	out->redirect_uri_in_request = db_get_bool(r, 0, 7);
	out->scope = arena_strdup(a, db_get(r, 0, 8));
	out->challenge = arena_strdup(a, db_get(r, 0, 9));
	out->nonce = arena_strdup(a, db_get(r, 0, 10));
	out->auth_time = db_get_i64(r, 0, 11);
	out->used = db_get_bool(r, 0, 12);
	out->expired = db_get_bool(r, 0, 13);
	read_user(a, r, 14, &out->user);
	return 0;
}

static struct db_stmt q_code_used =
    DB_STMT("UPDATE oauth_authorization_code SET used_at = now(), family_id = $2 WHERE id = $1");

int store_code_mark_used(struct arena *a, int64_t code_id, int64_t family_id, struct err *e)
{
	return store_exec(a, &q_code_used,
	                  DB_PARAMS(db_i64(a, code_id), family_id ? db_i64(a, family_id) : NULL),
	                  e);
}

/* ---------- tokens ---------- */

static struct db_stmt q_issue = DB_STMT(
    "WITH fam AS (INSERT INTO oauth_token_family (application_id, user_id, origin, scope,"
    "                 patient_context_id, auth_time, created, expires)"
    "             SELECT $2, $3, $4, $5, $6::bigint, to_timestamp($7::bigint), now(),"
    "                    CASE WHEN $8::bigint = 0 THEN NULL"
    "                         ELSE now() + make_interval(secs => $8::bigint) END"
    "              WHERE $1::bigint = 0 RETURNING id),"
    "     fid AS (SELECT id FROM fam UNION ALL SELECT $1::bigint WHERE $1::bigint <> 0),"
    "     at AS (INSERT INTO oauth_access_token (token_digest, family_id, application_id, user_id,"
    "                scope, created, expires)"
    "            SELECT $9, fid.id, $2, $3, $10, now(), now() + make_interval(secs => $11::bigint)"
    "              FROM fid RETURNING id, family_id),"
    "     rt AS (INSERT INTO oauth_refresh_token (token_digest, family_id, application_id,"
    "                user_id, access_token_id, created)"
    "            SELECT $12::bytea, at.family_id, $2, $3, at.id, now() FROM at"
    "             WHERE $12::bytea IS NOT NULL"
    "            RETURNING id)"
    " SELECT at.family_id, at.id FROM at");

int store_tokens_issue(struct arena *a, struct auth_issue *in, struct err *e)
{
	struct db_result *r = db_query(
	    a, &q_issue,
	    DB_PARAMS(db_i64(a, in->family_id), db_i64(a, in->application_id),
	              db_i64(a, in->user_id), in->origin, in->family_scope,
	              in->patient_context_id ? db_i64(a, in->patient_context_id) : NULL,
	              db_i64(a, in->auth_time), db_i64(a, in->family_lifetime),
	              db_bytea_hex(a, in->access_digest, 32), in->scope,
	              db_i64(a, in->access_lifetime),
	              in->refresh_digest ? db_bytea_hex(a, in->refresh_digest, 32) : NULL, ),
	    e);
	if (!r)
		return -1;
	if (db_nrows(r) != 1) {
		memset(e, 0, sizeof(*e));
		e->kind = ERR_INTERNAL;
		e->log = "token issue inserted no row";
		return -1;
	}
	in->family_id = db_get_i64(r, 0, 0);
	return 0;
}

static struct db_stmt q_refresh_lock = DB_STMT(
    "SELECT rt.token_digest, rt.id, rt.family_id, rt.application_id, rt.user_id,"
    "       COALESCE(rt.access_token_id, 0), rt.rotated_at IS NOT NULL,"
    "       rt.revoked_at IS NOT NULL, f.revoked_at IS NOT NULL,"
    "       COALESCE(f.expires <= now(), false), f.scope, COALESCE(f.patient_context_id, 0),"
    "       extract(epoch from f.auth_time)::bigint, f.origin = 'invitation', " USER_COLS
    "  FROM oauth_refresh_token rt JOIN oauth_token_family f ON f.id = rt.family_id"
    "  JOIN jhe_user u ON u.id = rt.user_id" USER_JOINS
    " WHERE rt.token_digest = $1 FOR UPDATE OF rt, f");

int store_refresh_lock(struct arena *a, const unsigned char digest[32], struct auth_refresh *out,
                       struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r;
	int rc = store_row_by_digest(a, &q_refresh_lock, digest, 0, &r, e);
	if (rc)
		return rc;
	out->id = db_get_i64(r, 0, 1);
	out->family_id = db_get_i64(r, 0, 2);
	out->application_id = db_get_i64(r, 0, 3);
	out->user_id = db_get_i64(r, 0, 4);
	out->access_token_id = db_get_i64(r, 0, 5);
	out->rotated = db_get_bool(r, 0, 6);
	out->revoked = db_get_bool(r, 0, 7);
	out->family_revoked = db_get_bool(r, 0, 8);
	out->family_expired = db_get_bool(r, 0, 9);
	out->family_scope = arena_strdup(a, db_get(r, 0, 10));
	out->patient_context_id = db_get_i64(r, 0, 11);
	out->auth_time = db_get_i64(r, 0, 12);
	out->from_invitation = db_get_bool(r, 0, 13);
	read_user(a, r, 14, &out->user);
	return 0;
}

static struct db_stmt q_rotate =
    DB_STMT("WITH r AS (UPDATE oauth_refresh_token SET rotated_at = now() WHERE id = $1)"
            " UPDATE oauth_access_token SET revoked_at = now()"
            "  WHERE id = $2 AND revoked_at IS NULL");

int store_refresh_rotate(struct arena *a, int64_t refresh_id, int64_t access_token_id,
                         struct err *e)
{
	return store_exec(a, &q_rotate,
	                  DB_PARAMS(db_i64(a, refresh_id), db_i64(a, access_token_id)), e);
}

static struct db_stmt q_family_revoke =
    DB_STMT("WITH f AS (UPDATE oauth_token_family SET revoked_at = now(), revoked_reason = $2"
            "            WHERE id = $1 AND revoked_at IS NULL RETURNING id),"
            "     at AS (UPDATE oauth_access_token SET revoked_at = now()"
            "            WHERE family_id = $1 AND revoked_at IS NULL),"
            "     rt AS (UPDATE oauth_refresh_token SET revoked_at = now()"
            "            WHERE family_id = $1 AND revoked_at IS NULL)"
            " SELECT count(*) FROM f");

int store_family_revoke(struct arena *a, int64_t family_id, const char *reason, struct err *e)
{
	struct db_result *r =
	    db_query(a, &q_family_revoke, DB_PARAMS(db_i64(a, family_id), reason), e);
	if (!r)
		return -1;
	return db_get_i64(r, 0, 0) > 0 ? 1 : 0;
}

static struct db_stmt q_token_lookup = DB_STMT(
    "SELECT 1, t.token_digest, t.id, t.family_id, t.application_id, t.user_id, app.client_id,"
    "       t.scope, u.email,"
    "       t.expires > now() AND t.revoked_at IS NULL AND f.revoked_at IS NULL AND u.is_active"
    "       AND " STORE_SQL_FAMILY_FITS_USER(
        "f",
        "u") ","
             "       extract(epoch from t.created)::bigint, extract(epoch from t.expires)::bigint"
             "  FROM oauth_access_token t JOIN oauth_token_family f ON f.id = t.family_id"
             "  JOIN jhe_user u ON u.id = t.user_id JOIN oauth_application app ON app.id = "
             "t.application_id"
             " WHERE t.token_digest = $1"
             " UNION ALL "
             "SELECT 2, t.token_digest, t.id, t.family_id, t.application_id, t.user_id, "
             "app.client_id,"
             "       f.scope, u.email,"
             "       t.rotated_at IS NULL AND t.revoked_at IS NULL AND f.revoked_at IS NULL"
             "       AND COALESCE(f.expires > now(), true) AND u.is_active"
             "       AND " STORE_SQL_FAMILY_FITS_USER(
                 "f",
                 "u") ","
                      "       extract(epoch from t.created)::bigint,"
                      "       COALESCE(extract(epoch from f.expires)::bigint, 0)"
                      "  FROM oauth_refresh_token t JOIN oauth_token_family f ON f.id = t.family_id"
                      "  JOIN jhe_user u ON u.id = t.user_id JOIN oauth_application app ON app.id "
                      "= t.application_id"
                      " WHERE t.token_digest = $1");

int store_token_lookup(struct arena *a, const unsigned char digest[32], struct auth_token_info *out,
                       struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r;
	int rc = store_row_by_digest(a, &q_token_lookup, digest, 1, &r, e);
	if (rc)
		return rc;
	out->kind = (int)db_get_i64(r, 0, 0);
	out->id = db_get_i64(r, 0, 2);
	out->family_id = db_get_i64(r, 0, 3);
	out->application_id = db_get_i64(r, 0, 4);
	out->user_id = db_get_i64(r, 0, 5);
	out->client_id = arena_strdup(a, db_get(r, 0, 6));
	out->scope = arena_strdup(a, db_get(r, 0, 7));
	out->email = arena_strdup(a, db_get(r, 0, 8));
	out->active = db_get_bool(r, 0, 9);
	out->iat = db_get_i64(r, 0, 10);
	out->exp = db_get_i64(r, 0, 11);
	return 0;
}

static struct db_stmt q_at_revoke = DB_STMT(
    "UPDATE oauth_access_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL");

int store_access_token_revoke(struct arena *a, int64_t id, struct err *e)
{
	long n = db_exec(a, &q_at_revoke, DB_PARAMS(db_i64(a, id)), e);
	return n < 0 ? -1 : (int)n;
}
