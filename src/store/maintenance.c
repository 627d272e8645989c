/* Operator maintenance: expired authentication state (jhe-admin cleanup) and scopes. */
#include "store/store.h"

#include <string.h>

/* Each statement removes rows that can no longer authenticate anything. */
static struct db_stmt q_codes =
	DB_STMT("DELETE FROM oauth_authorization_code WHERE expires < now() - interval '1 hour'");
static struct db_stmt q_access = DB_STMT(
	"DELETE FROM oauth_access_token WHERE expires < now() OR revoked_at IS NOT NULL");
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

static struct db_stmt q_scope_add = DB_STMT(
	"INSERT INTO codeable_concept (coding_system, coding_code, text) VALUES ($1, $2, $3)"
	" RETURNING id");

int64_t store_scope_add(struct arena *a, const char *system, const char *code, const char *text,
			struct err *e)
{
	const char *p[3] = {system, code, text};
	struct db_result *r = db_query(a, &q_scope_add, 3, p, e);
	if (!r)
		return -1;
	return db_get_i64(r, 0, 0);
}
