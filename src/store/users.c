/* Users: the profile document (admin-api.md §4.1), built in one statement. */
#include "store/query.h"

static struct db_stmt q_profile =
    DB_STMT("SELECT CASE WHEN pa.id IS NOT NULL AND pr.id IS NULL AND NOT u.is_superuser THEN"
            "   json_build_object('id', u.id, 'patient', json_build_object('id', pa.id,"
            "     'jheUserId', pa.jhe_user_id, 'identifiers', jhe_patient_identifiers_json(pa.id),"
            "     'organizations', jhe_patient_organizations_json(pa.id)),"
            "     'userType', u.user_type, 'isSuperuser', u.is_superuser)"
            " ELSE json_build_object('id', u.id, 'email', u.email, 'firstName', u.first_name,"
            "   'lastName', u.last_name, 'patient', CASE WHEN pa.id IS NULL THEN NULL"
            "     ELSE jhe_patient_json(pa.id) END,"
            "   'userType', u.user_type, 'isSuperuser', u.is_superuser,"
            "   'settings', COALESCE(jhe_camel_keys(pr.settings), '{}'::jsonb))"
            " END"
            "  FROM jhe_user u"
            "  LEFT JOIN practitioner pr ON pr.jhe_user_id = u.id"
            "  LEFT JOIN patient pa ON pa.jhe_user_id = u.id"
            " WHERE u.id = $1");

char *store_user_profile_json(struct arena *a, int64_t user_id, struct err *e)
{
	struct db_result *r = db_query(a, &q_profile, DB_PARAMS(db_i64(a, user_id)), e);
	if (!r)
		return NULL;
	if (db_nrows(r) == 0) {
		e->kind = ERR_NOT_FOUND;
		e->msg = "No JheUser matches the given query.";
		return NULL;
	}
	return db_get_json(a, r, 0, 0);
}

/* ---------- admin API: users (admin-api.md §4) ---------- */
#include <string.h>

static struct db_stmt q_user_info_id = DB_STMT(
    "SELECT u.id, u.is_superuser, COALESCE(pr.id, 0), COALESCE(pa.id, 0), u.user_type, u.email"
    "  FROM jhe_user u LEFT JOIN practitioner pr ON pr.jhe_user_id = u.id"
    "  LEFT JOIN patient pa ON pa.jhe_user_id = u.id WHERE u.id = $1");
static struct db_stmt q_user_info_email = DB_STMT(
    "SELECT u.id, u.is_superuser, COALESCE(pr.id, 0), COALESCE(pa.id, 0), u.user_type, u.email"
    "  FROM jhe_user u LEFT JOIN practitioner pr ON pr.jhe_user_id = u.id"
    "  LEFT JOIN patient pa ON pa.jhe_user_id = u.id WHERE lower(u.email) = lower(btrim($1))");

int store_user_info(struct arena *a, int64_t id, const char *email, struct user_info *out,
                    struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r = db_query(a, email ? &q_user_info_email : &q_user_info_id,
	                               DB_PARAMS(email ? email : db_i64(a, id)), e);
	if (!r)
		return -1;
	if (db_nrows(r) == 0)
		return 1;
	out->id = db_get_i64(r, 0, 0);
	out->is_superuser = db_get_bool(r, 0, 1);
	out->practitioner_id = db_get_i64(r, 0, 2);
	out->patient_id = db_get_i64(r, 0, 3);
	out->user_type = arena_strdup(a, db_get(r, 0, 4));
	out->email = arena_strdup(a, db_get(r, 0, 5));
	return 0;
}

static struct db_stmt q_user_list =
    DB_STMT("WITH f AS (SELECT u.id, u.last_name, u.first_name FROM jhe_user u"
            "            WHERE $1::text IS NULL OR lower(u.email) = lower(btrim($1)))"
            "SELECT (SELECT count(*) FROM f),"
            "       (SELECT json_agg(jhe_user_json(x.id) ORDER BY x.last_name, x.first_name, x.id)"
            "          FROM (SELECT * FROM f ORDER BY f.last_name, f.first_name, f.id"
            "                OFFSET $2 LIMIT $3) x)");

char *store_user_list(struct arena *a, const char *email, int64_t offset, int64_t limit,
                      int64_t *count, struct err *e)
{
	return store_page(a, &q_user_list, DB_PARAMS(email, db_i64(a, offset), db_i64(a, limit)),
	                  count, e);
}

static struct db_stmt q_user_json = DB_STMT("SELECT jhe_user_json($1)");

char *store_user_json(struct arena *a, int64_t user_id, struct err *e)
{
	return store_json(a, &q_user_json, DB_PARAMS(db_i64(a, user_id)),
	                  "No JheUser matches the given query.", e);
}

static struct db_stmt q_user_search = DB_STMT(
    "SELECT COALESCE((SELECT json_build_object('id', u.id, 'email', u.email,"
    "    'firstName', CASE WHEN pa.id IS NOT NULL AND pr.id IS NULL THEN '' ELSE u.first_name END,"
    "    'lastName', CASE WHEN pa.id IS NOT NULL AND pr.id IS NULL THEN '' ELSE u.last_name END,"
    "    'patient', CASE WHEN pa.id IS NULL THEN NULL ELSE json_build_object('id', pa.id) END,"
    "    'userType', u.user_type, 'isSuperuser', u.is_superuser)"
    "   FROM jhe_user u LEFT JOIN practitioner pr ON pr.jhe_user_id = u.id"
    "   LEFT JOIN patient pa ON pa.jhe_user_id = u.id"
    "  WHERE lower(u.email) = lower(btrim($1))),"
    "  json_build_object('email', '', 'firstName', '', 'lastName', '', 'userType', NULL,"
    "                    'isSuperuser', false))");

char *store_user_search_json(struct arena *a, const char *email, struct err *e)
{
	return store_json(a, &q_user_search, DB_PARAMS(email), NULL, e);
}

static struct db_stmt q_email_taken =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM jhe_user WHERE lower(email) = lower($1) AND id <> $2)");

int store_email_taken(struct arena *a, const char *email, int64_t exclude_id, struct err *e)
{
	return store_bool(a, &q_email_taken, DB_PARAMS(email, db_i64(a, exclude_id)), e);
}

static struct db_stmt q_user_insert =
    DB_STMT("INSERT INTO jhe_user (email, first_name, last_name, user_type, is_superuser)"
            " VALUES ($1, COALESCE($2, ''), COALESCE($3, ''), $4, $5) RETURNING id");

int store_user_create(struct arena *a, const char *email, const char *first, const char *last,
                      const char *user_type, bool is_superuser, int64_t *id, struct err *e)
{
	return store_i64(a, &q_user_insert,
	                 DB_PARAMS(email, first, last, user_type, store_tf(is_superuser)), id, e)
	           ? -1
	           : 0;
}

static struct db_stmt q_user_update = DB_STMT(
    "UPDATE jhe_user SET email = COALESCE($2, email), first_name = COALESCE($3, first_name),"
    " last_name = COALESCE($4, last_name), is_superuser = COALESCE($5::boolean, is_superuser)"
    " WHERE id = $1");

int store_user_update(struct arena *a, int64_t id, const char *email, const char *first,
                      const char *last, int is_superuser, struct err *e)
{
	return store_exec(a, &q_user_update,
	                  DB_PARAMS(db_i64(a, id), email, first, last,
	                            is_superuser < 0 ? NULL
	                            : is_superuser   ? "true"
	                                             : "false"),
	                  e);
}

static struct db_stmt q_user_delete = DB_STMT("DELETE FROM jhe_user WHERE id = $1");

int store_user_delete(struct arena *a, int64_t id, struct err *e)
{
	return store_exec(a, &q_user_delete, DB_PARAMS(db_i64(a, id)), e);
}

static struct db_stmt q_su_count = DB_STMT("SELECT count(*) FROM jhe_user WHERE is_superuser");

int store_superuser_count(struct arena *a, int64_t *n, struct err *e)
{
	return store_i64(a, &q_su_count, 0, NULL, n, e) < 0 ? -1 : 0;
}

static struct db_stmt q_patient_for_user =
    DB_STMT("INSERT INTO patient (jhe_user_id, name_family, name_given)"
            " SELECT u.id, u.last_name, u.first_name FROM jhe_user u WHERE u.id = $1");

int store_patient_create_for_user(struct arena *a, int64_t user_id, struct err *e)
{
	return store_exec(a, &q_patient_for_user, DB_PARAMS(db_i64(a, user_id)), e);
}
