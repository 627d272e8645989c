/* /api/v1/users (admin-api.md §4). */
#include "api/fields.h"

#include <string.h>

static const char *NF_USER = "No JheUser matches the given query.";

static int users_profile(struct request *r)
{
	struct err e = {0};
	return api_reply(r, 200, store_user_profile_json(r->arena, r->principal->user_id, &e), &e);
}

static int users_list(struct request *r)
{
	if (api_require_superuser(r))
		return -1;
	const char *email = api_param(r, "email", NULL);
	API_LIST(r, 20, store_user_list(r->arena, email, pg_.offset, pg_.size, &count_, &e_));
}

static int users_get(struct request *r)
{
	int64_t id = req_path_id(r, "id");
	if (!IS_SU(r) && id != UID(r))
		return fail_with(r, ERR_FORBIDDEN,
		                 "You do not have permission to perform this action.");
	struct err e = {0};
	return api_reply(r, 200, store_user_json(r->arena, id, &e), &e);
}

static int users_search(struct request *r)
{
	struct err e = {0};
	if (!IS_SU(r) &&
	    api_require(r, store_is_manager_somewhere(r->arena, UID(r), &e), &e, ERR_FORBIDDEN,
	                "You do not have permission to perform this action."))
		return -1;
	const char *email = api_param(r, "email", NULL);
	if (!email || !*email)
		return fail_msg400(r, "email parameter required");
	return api_reply(r, 200, store_user_search_json(r->arena, email, &e), &e);
}

static const char *const USER_FIELDS[] = {"email",     "first_name",   "last_name",
                                          "user_type", "is_superuser", NULL};
static const char *const USER_READONLY[] = {"id", "patient", NULL};

/* Email field: required on create/PUT. Returns the normalized email or NULL. */
static const char *user_email(struct request *r, struct field_errors *fe, json_object *body,
                              bool required, int64_t self_id, struct err *e, bool *dberr)
{
	const char *raw = NULL;
	if (!api_text(r, fe, body, "email", required, false, false, 0, &raw))
		return NULL;
	bool empty;
	const char *email = api_email(r, raw, &empty);
	if (!email) {
		fe_add(r, fe, "email", "Enter a valid email address.");
		return NULL;
	}
	int t = store_email_taken(r->arena, email, self_id, e);
	if (t < 0) {
		*dberr = true;
		return NULL;
	}
	if (t) {
		fe_add(r, fe, "email", "jhe user with this email already exists.");
		return NULL;
	}
	return email;
}

/* The user {id}: 404 when absent. */
static int user_load(struct request *r, int64_t *id, struct user_info *ui)
{
	struct err e = {0};
	*id = req_path_id(r, "id");
	return api_found(r, store_user_info(r->arena, *id, NULL, ui, &e), &e, NF_USER);
}

/* The fields of a user body. */
struct user_body {
	const char *email, *first, *last, *type;
	bool su, su_present;
};

/* Reads a create (cur NULL: every field checked as new) or an update body (cur: the user as
 * stored, whose type cannot change) into u, field errors into fe; answers 400 with them. */
static int user_body(struct request *r, json_object *body, bool email_required,
                     const struct user_info *cur, struct user_body *u)
{
	struct field_errors fe = {0};
	struct err e = {0};
	bool dberr = false;
	memset(u, 0, sizeof(*u));
	fe_unknown_keys(r, &fe, body, USER_FIELDS, USER_READONLY);
	u->email = user_email(r, &fe, body, email_required, cur ? cur->id : 0, &e, &dberr);
	if (dberr)
		return fail_err(r, &e);
	api_text(r, &fe, body, "first_name", false, true, false, 150, &u->first);
	api_text(r, &fe, body, "last_name", false, true, false, 150, &u->last);
	if (api_text(r, &fe, body, "user_type", false, true, true, 0, &u->type)) {
		if (cur && !str_eq(u->type, cur->user_type))
			fe_add(r, &fe, "user_type", "userType cannot be changed.");
		else if (!cur && u->type && strcmp(u->type, "patient") &&
		         strcmp(u->type, "practitioner"))
			fe_add(r, &fe, "user_type",
			       arena_printf(r->arena, "\"%s\" is not a valid choice.", u->type));
	}
	fe_bool(r, &fe, body, "is_superuser", &u->su, &u->su_present);
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	return 0;
}

static int users_create(struct request *r)
{
	json_object *body = api_superuser_body(r);
	if (!body)
		return -1;
	struct user_body u;
	if (user_body(r, body, true, NULL, &u))
		return -1;
	struct err e = {0};
	int64_t id = 0, pr = 0;
	if (db_begin(&e) ||
	    store_user_create(r->arena, u.email, u.first, u.last, u.type, u.su, &id, &e))
		return fail_err(r, &e);
	if (str_eq(u.type, "patient") && store_patient_create_for_user(r->arena, id, &e))
		return fail_err(r, &e);
	if (str_eq(u.type, "practitioner") || u.su) {
		if (store_practitioner_create(r->arena, id, NULL, NULL, &pr, &e))
			return fail_err(r, &e);
		if (!u.su && api_default_orgs(r, pr))
			return -1;
	}
	return api_commit_reply(r, 201, store_user_json(r->arena, id, &e), &e);
}

static int users_update(struct request *r)
{
	json_object *body = api_superuser_body(r);
	int64_t id;
	struct user_info ui;
	if (!body || user_load(r, &id, &ui))
		return -1;
	struct err e = {0};
	struct user_body u;
	if (user_body(r, body, !strcmp(r->method, "PUT"), &ui, &u))
		return -1;
	if (u.su_present && !u.su && ui.is_superuser) {
		int64_t n = 0;
		if (store_superuser_count(r->arena, &n, &e))
			return fail_err(r, &e);
		if (n <= 1)
			return fail_msg400(r, "At least one superuser must remain.");
	}
	if (db_begin(&e) ||
	    store_user_update(r->arena, id, u.email, u.first, u.last, u.su_present ? u.su : -1, &e))
		return fail_err(r, &e);
	if (u.su_present && u.su && !ui.practitioner_id) {
		int64_t pr;
		if (store_practitioner_create(r->arena, id, NULL, NULL, &pr, &e))
			return fail_err(r, &e);
	}
	return api_commit_reply(r, 200, store_user_json(r->arena, id, &e), &e);
}

static int users_delete(struct request *r)
{
	int64_t id;
	struct user_info ui;
	if (api_require_superuser(r) || user_load(r, &id, &ui))
		return -1;
	if (id == UID(r))
		return fail_msg400(r, "You cannot delete your own account.");
	struct err e = {0};
	if (db_begin(&e) || store_user_delete(r->arena, id, &e))
		return fail_err(r, &e);
	int audited = ui.patient_id
	                  ? api_audit(r, "delete", "Patient",
	                              arena_printf(r->arena, "%lld", (long long)ui.patient_id),
	                              ui.patient_id, 204, NULL)
	                  : 0;
	return api_commit_audited(r, audited, 204, &e);
}

const struct route api_user_routes[] = {
    {"GET", "/api/v1/users/profile", users_profile, ROUTE_AUTH},
    {"GET", "/api/v1/users/search_by_email", users_search, ROUTE_AUTH},
    {"GET", "/api/v1/users", users_list, ROUTE_AUTH},
    {"POST", "/api/v1/users", users_create, ROUTE_AUTH},
    {"GET", "/api/v1/users/{id}", users_get, ROUTE_AUTH},
    {"PUT", "/api/v1/users/{id}", users_update, ROUTE_AUTH},
    {"PATCH", "/api/v1/users/{id}", users_update, ROUTE_AUTH},
    {"DELETE", "/api/v1/users/{id}", users_delete, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
