/* auth store: browser sessions (web_session) and the login throttle (login_throttle). */
#include "store/query.h"

#include <string.h>

static struct db_stmt q_session_new = DB_STMT(
    "INSERT INTO web_session (session_digest, user_id, auth_time, created, expires, last_seen,"
    "   source_address, user_agent)"
    " VALUES ($1, $2, now(), now(), now() + make_interval(secs => $3::bigint), now(),"
    "   $4::inet, $5)");

int store_session_create(struct arena *a, const unsigned char digest[32], int64_t user_id,
                         long lifetime, const char *addr, const char *user_agent, struct err *e)
{
	char *ua = NULL;
	if (user_agent) {
		/* first 200 characters, cut on a UTF-8 boundary */
		size_t n = strlen(user_agent);
		if (n > 200) {
			n = 200;
			while (n > 0 && ((unsigned char)user_agent[n] & 0xC0) == 0x80)
				n--;
		}
		ua = arena_strndup(a, user_agent, n);
		if (!utf8_valid(ua, strlen(ua)))
			ua = NULL;
	}
	return store_exec(a, &q_session_new,
	                  DB_PARAMS(db_bytea_hex(a, digest, 32), db_i64(a, user_id),
	                            db_i64(a, lifetime), addr && *addr ? addr : NULL, ua),
	                  e);
}

static struct db_stmt q_session_get = DB_STMT(
    "UPDATE web_session s SET last_seen = now() FROM jhe_user u"
    " WHERE s.session_digest = $1 AND u.id = s.user_id AND u.is_active AND s.expires > now()"
    " RETURNING s.session_digest, s.user_id, extract(epoch from s.auth_time)::bigint,"
    "   GREATEST(0, floor(extract(epoch from s.expires - now())))::bigint");

int store_session_get(struct arena *a, const unsigned char digest[32], struct auth_session *out,
                      struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r;
	int rc = store_row_by_digest(a, &q_session_get, digest, 0, &r, e);
	if (rc)
		return rc;
	out->user_id = db_get_i64(r, 0, 1);
	out->auth_time = db_get_i64(r, 0, 2);
	out->remaining = db_get_i64(r, 0, 3);
	return 0;
}

static struct db_stmt q_session_del =
    DB_STMT("DELETE FROM web_session WHERE session_digest = $1 RETURNING user_id");

int store_session_delete(struct arena *a, const unsigned char digest[32], int64_t *user_id,
                         struct err *e)
{
	struct db_result *r =
	    db_query(a, &q_session_del, DB_PARAMS(db_bytea_hex(a, digest, 32)), e);
	if (!r)
		return -1;
	if (user_id)
		*user_id = db_nrows(r) ? db_get_i64(r, 0, 0) : 0;
	return 0;
}

/* Delay after the n-th consecutive failure: min(2^(n - free), max) seconds, while the last
 * failure is inside the window. */
static struct db_stmt q_throttle_wait = DB_STMT(
    "SELECT CASE WHEN last_failure < now() - make_interval(secs => $3::bigint)"
    "              OR failures <= $2::int THEN 0"
    "       ELSE GREATEST(0, ceil(extract(epoch from last_failure"
    "              + make_interval(secs => LEAST(power(2::float8, LEAST(failures - $2::int, 40)),"
    "                                            $4::float8))"
    "              - clock_timestamp())))::bigint END"
    "  FROM login_throttle WHERE key = $1");

int store_throttle_wait(struct arena *a, const char *key, long free_failures, long *wait,
                        struct err *e)
{
	*wait = 0;
	struct db_result *r =
	    db_query(a, &q_throttle_wait,
	             DB_PARAMS(key, db_i64(a, free_failures), db_i64(a, g_config.throttle_window),
	                       db_i64(a, g_config.throttle_max_delay)),
	             e);
	if (!r)
		return -1;
	if (db_nrows(r) == 1)
		*wait = (long)db_get_i64(r, 0, 0);
	return 0;
}

static struct db_stmt q_throttle_fail = DB_STMT(
    "INSERT INTO login_throttle AS t (key, failures, first_failure, last_failure)"
    " VALUES ($1, 1, clock_timestamp(), clock_timestamp())"
    " ON CONFLICT (key) DO UPDATE SET"
    "   failures = CASE WHEN t.last_failure < clock_timestamp() - make_interval(secs => $2::bigint)"
    "                   THEN 1 ELSE t.failures + 1 END,"
    "   first_failure = CASE WHEN t.last_failure < clock_timestamp()"
    "                              - make_interval(secs => $2::bigint)"
    "                        THEN clock_timestamp() ELSE t.first_failure END,"
    "   last_failure = clock_timestamp()");

int store_throttle_fail(struct arena *a, const char *key, struct err *e)
{
	return store_exec(a, &q_throttle_fail, DB_PARAMS(key, db_i64(a, g_config.throttle_window)),
	                  e);
}

static struct db_stmt q_throttle_clear = DB_STMT("DELETE FROM login_throttle WHERE key = $1");

int store_throttle_clear(struct arena *a, const char *key, struct err *e)
{
	return store_exec(a, &q_throttle_clear, DB_PARAMS(key), e);
}
