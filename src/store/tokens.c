/* Access tokens: bearer digest -> principal, and tokens issued by the operator CLI. */
#include "store/query.h"

#include <string.h>

static struct db_stmt q_principal =
    DB_STMT("SELECT t.token_digest, u.id, u.is_superuser, u.is_active, u.email,"
            "       COALESCE(pr.id, 0), COALESCE(pa.id, 0), app.client_id, app.id, t.scope, t.id,"
            "       t.family_id"
            "  FROM oauth_access_token t"
            "  JOIN oauth_token_family f ON f.id = t.family_id"
            "  JOIN jhe_user u ON u.id = t.user_id"
            "  JOIN oauth_application app ON app.id = t.application_id"
            "  LEFT JOIN practitioner pr ON pr.jhe_user_id = u.id"
            "  LEFT JOIN patient pa ON pa.jhe_user_id = u.id"
            " WHERE t.token_digest = $1 AND t.expires > now() AND t.revoked_at IS NULL"
            "   AND f.revoked_at IS NULL AND u.is_active"
            "   AND " STORE_SQL_FAMILY_FITS_USER("f", "u"));

int store_principal_by_token(struct arena *a, const unsigned char digest[32], struct principal *p,
                             struct err *e)
{
	struct db_result *r;
	int rc = store_row_by_digest(a, &q_principal, digest, 0, &r, e);
	if (rc)
		return rc;
	memset(p, 0, sizeof(*p));
	p->user_id = db_get_i64(r, 0, 1);
	p->is_superuser = db_get_bool(r, 0, 2);
	p->is_active = db_get_bool(r, 0, 3);
	p->email = arena_strdup(a, db_get(r, 0, 4));
	p->practitioner_id = db_get_i64(r, 0, 5);
	p->patient_id = db_get_i64(r, 0, 6);
	p->oauth_client_id = arena_strdup(a, db_get(r, 0, 7));
	p->application_id = db_get_i64(r, 0, 8);
	p->scope = arena_strdup(a, db_get(r, 0, 9));
	p->token_id = db_get_i64(r, 0, 10);
	p->family_id = db_get_i64(r, 0, 11);
	return 0;
}

static struct db_stmt q_issue = DB_STMT(
    "WITH u AS (SELECT id FROM jhe_user WHERE lower(email) = lower($1)),"
    "     app AS (SELECT id FROM oauth_application WHERE client_id = $2),"
    "     fam AS (INSERT INTO oauth_token_family (application_id, user_id, origin, scope,"
    "                 auth_time, created, expires)"
    "             SELECT app.id, u.id, 'authorization_code', 'openid email', now(), now(), NULL"
    "               FROM u, app RETURNING id, application_id, user_id)"
    " INSERT INTO oauth_access_token (token_digest, family_id, application_id, user_id, scope,"
    "             created, expires)"
    " SELECT $3, fam.id, fam.application_id, fam.user_id, 'openid email', now(),"
    "        now() + make_interval(days => $4::int) FROM fam RETURNING id");

int store_token_issue(struct arena *a, const char *email, const char *client_id, long days,
                      const unsigned char digest[32], struct err *e)
{
	struct db_result *r =
	    db_query(a, &q_issue,
	             DB_PARAMS(email, client_id, db_bytea_hex(a, digest, 32), db_i64(a, days)), e);
	if (!r)
		return -1;
	if (db_nrows(r) != 1) {
		memset(e, 0, sizeof(*e));
		e->kind = ERR_NOT_FOUND;
		e->msg = "unknown user email or client_id";
		return -1;
	}
	return 0;
}
