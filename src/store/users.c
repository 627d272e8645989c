/* Users: the profile document (admin-api.md §4.1), built in one statement. */
#include "store/store.h"

static struct db_stmt q_profile = DB_STMT(
	"SELECT CASE WHEN pa.id IS NOT NULL AND pr.id IS NULL AND NOT u.is_superuser THEN"
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
	const char *params[1] = {db_i64(a, user_id)};
	struct db_result *r = db_query(a, &q_profile, 1, params, e);
	if (!r)
		return NULL;
	if (db_nrows(r) == 0) {
		e->kind = ERR_NOT_FOUND;
		e->msg = "No JheUser matches the given query.";
		return NULL;
	}
	char *json = arena_strdup(a, db_get(r, 0, 0));
	json_minify(json);
	return json;
}
