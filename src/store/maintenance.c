/* Operator maintenance: expired authentication state (jhe-admin cleanup) and scopes. */
#include "store/query.h"

#include <string.h>

/* Each statement removes rows that can no longer authenticate anything. */
static struct db_stmt q_codes =
    DB_STMT("DELETE FROM oauth_authorization_code WHERE expires < now() - interval '1 hour'");
static struct db_stmt q_access =
    DB_STMT("DELETE FROM oauth_access_token WHERE expires < now() OR revoked_at IS NOT NULL");
static struct db_stmt q_families = DB_STMT(
    "DELETE FROM oauth_token_family f WHERE (f.revoked_at IS NOT NULL AND"
    " f.revoked_at < now() - interval '1 day') OR (f.expires IS NOT NULL AND f.expires < now())"
    " OR NOT EXISTS (SELECT 1 FROM oauth_access_token t WHERE t.family_id = f.id)"
    "   AND NOT EXISTS (SELECT 1 FROM oauth_refresh_token rt WHERE rt.family_id = f.id"
    "                    AND rt.revoked_at IS NULL AND rt.rotated_at IS NULL)"
    "   AND f.created < now() - interval '1 hour'");
static struct db_stmt q_sessions = DB_STMT("DELETE FROM web_session WHERE expires < now()");
static struct db_stmt q_throttle = DB_STMT(
    "DELETE FROM login_throttle WHERE last_failure < now() - make_interval(secs => $1::int)");

int store_cleanup_expired(struct arena *a, long window_seconds, long counts[5], struct err *e)
{
	const char *p[1] = {db_i64(a, window_seconds)};
	struct db_stmt *stmts[5] = {&q_codes, &q_access, &q_families, &q_sessions, &q_throttle};
	if (db_begin(e))
		return -1;
	for (int i = 0; i < 5; i++) {
		long n = db_exec(a, stmts[i], i == 4 ? 1 : 0, i == 4 ? p : NULL, e);
		if (n < 0) {
			db_rollback();
			return -1;
		}
		counts[i] = n;
	}
	return db_commit(e);
}

static struct db_stmt q_scope_add =
    DB_STMT("INSERT INTO codeable_concept (coding_system, coding_code, text) VALUES ($1, $2, $3)"
            " RETURNING id");

int64_t store_scope_add(struct arena *a, const char *system, const char *code, const char *text,
                        struct err *e)
{
	return store_id(a, &q_scope_add, DB_PARAMS(system, code, text), e);
}

/* Deactivation (oauth.md §4.3, data-model.md §6.1): the account can no longer log in, its token
 * families are revoked with reason user_deactivated (one token.revoked audit row each) and its
 * browser sessions end, all in one statement. */
static struct db_stmt q_deactivate = DB_STMT(
    "WITH u AS (UPDATE jhe_user SET is_active = false WHERE lower(email) = lower($1)"
    "           RETURNING id),"
    "     f AS (UPDATE oauth_token_family SET revoked_at = now(),"
    "                  revoked_reason = 'user_deactivated'"
    "           WHERE user_id IN (SELECT id FROM u) AND revoked_at IS NULL"
    "           RETURNING id, user_id, application_id),"
    "     at AS (UPDATE oauth_access_token SET revoked_at = now()"
    "            WHERE family_id IN (SELECT id FROM f) AND revoked_at IS NULL),"
    "     rt AS (UPDATE oauth_refresh_token SET revoked_at = now()"
    "            WHERE family_id IN (SELECT id FROM f) AND revoked_at IS NULL),"
    "     s AS (DELETE FROM web_session WHERE user_id IN (SELECT id FROM u)),"
    "     au AS (" STORE_AUDIT_INSERT
    "            SELECT clock_timestamp(), f.user_id, app.client_id, 'token.revoked', 'Token',"
    "                   f.id::text, NULL, 200, NULL, NULL, NULL, NULL,"
    "                   '{\"reason\": \"user_deactivated\"}'::jsonb"
    "              FROM f JOIN oauth_application app ON app.id = f.application_id)"
    " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM f)");

static struct db_stmt q_activate =
    DB_STMT("UPDATE jhe_user SET is_active = true WHERE lower(email) = lower($1) RETURNING id");

int store_user_set_active(struct arena *a, const char *email, bool active, long *families,
                          struct err *e)
{
	const char *p[1] = {email};
	*families = 0;
	struct db_result *r = db_query(a, active ? &q_activate : &q_deactivate, 1, p, e);
	if (!r)
		return -1;
	if (active)
		return db_nrows(r) == 1 ? 0 : 1;
	*families = (long)db_get_i64(r, 0, 1);
	return db_get_i64(r, 0, 0) == 1 ? 0 : 1;
}
