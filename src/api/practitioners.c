/* /api/v1/practitioners (admin-api.md §6): superuser only. */
#include "api/fields.h"

#include <string.h>

static const char *NF_PR = "No Practitioner matches the given query.";

static int pr_list(struct request *r)
{
	if (api_require_superuser(r))
		return -1;
	API_LIST(r, 1000, store_practitioner_list(r->arena, pg_.offset, pg_.size, &count_, &e_));
}

static int pr_get(struct request *r)
{
	return api_get_json(r, api_superuser_check, store_practitioner_json);
}

static const char *const PR_FIELDS[] = {"telecom_email", "name_family", "name_given",
                                        "organization_id", NULL};
static const char *const PR_READONLY[] = {"id", "jhe_user_id", "organizations", NULL};

static int pr_create(struct request *r)
{
	json_object *body = api_superuser_body(r);
	if (!body)
		return -1;
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, PR_FIELDS, PR_READONLY);
	const char *raw = NULL, *family = NULL, *given = NULL;
	bool has_email = api_text(r, &fe, body, "telecom_email", false, true, true, 0, &raw);
	api_text(r, &fe, body, "name_family", false, true, true, 150, &family);
	api_text(r, &fe, body, "name_given", false, true, true, 150, &given);
	int64_t org = -1;
	json_object *ov;
	if (json_object_object_get_ex(body, "organization_id", &ov) && ov != NULL)
		api_id(r, &fe, body, "organization_id", false, &org);
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	if (!has_email || !raw || !*raw)
		return fail_msg400(r, "Email is required to create a practitioner.");
	bool empty;
	const char *email = api_email(r, raw, &empty);
	if (!email)
		return fail_msg400(r, "Enter a valid email address.");
	struct err e = {0};
	if (org >= 0) {
		int ex = org == 0 ? 0 : store_row_exists(r->arena, "organization", org, &e);
		if (ex < 0)
			return fail_err(r, &e);
		if (!ex)
			return fail_msg400(r, "Organization not found.");
	}
	if (db_begin(&e))
		return fail_err(r, &e);
	struct user_info ui;
	int rc = store_user_info(r->arena, 0, email, &ui, &e);
	if (rc < 0)
		return fail_err(r, &e);
	int64_t uid = ui.id, pr = ui.practitioner_id;
	if (rc == 1) {
		if (store_user_create(r->arena, email, given, family, "practitioner", false, &uid,
		                      &e))
			return fail_err(r, &e);
		ui.is_superuser = false;
	}
	if (!pr) {
		if (store_practitioner_create(r->arena, uid, family ? family : "",
		                              given ? given : "", &pr, &e))
			return fail_err(r, &e);
		if (!ui.is_superuser && api_default_orgs(r, pr))
			return -1;
	}
	if (org > 0 && store_membership_add_missing(r->arena, org, pr, "member", &e))
		return fail_err(r, &e);
	return api_commit_reply(r, 201, store_practitioner_json(r->arena, pr, &e), &e);
}

static int pr_update(struct request *r)
{
	json_object *body = api_superuser_body(r);
	if (!body)
		return -1;
	int64_t id = req_path_id(r, "id");
	if (api_row_exists(r, "practitioner", id, NF_PR))
		return -1;
	static const char *const ro[] = {
	    "id", "jhe_user_id", "organizations", "telecom_email", "organization_id", NULL};
	static const char *const allowed[] = {"name_family", "name_given", NULL};
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, allowed, ro);
	const char *family = NULL, *given = NULL;
	api_text(r, &fe, body, "name_family", false, true, true, 150, &family);
	api_text(r, &fe, body, "name_given", false, true, true, 150, &given);
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	struct err e = {0};
	if (db_begin(&e) || store_practitioner_update(r->arena, id, family, given, &e) < 0)
		return fail_err(r, &e);
	return api_commit_reply(r, 200, store_practitioner_json(r->arena, id, &e), &e);
}

static int pr_delete(struct request *r)
{
	if (api_require_superuser(r))
		return -1;
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	int rc = store_practitioner_delete(r->arena, req_path_id(r, "id"), &e);
	return api_found(r, rc, &e, NF_PR) ? -1 : api_commit_empty(r, 204, false, &e);
}

const struct route api_practitioners_routes[] = {
    {"GET", "/api/v1/practitioners", pr_list, ROUTE_AUTH},
    {"POST", "/api/v1/practitioners", pr_create, ROUTE_AUTH},
    {"GET", "/api/v1/practitioners/{id}", pr_get, ROUTE_AUTH},
    {"PUT", "/api/v1/practitioners/{id}", pr_update, ROUTE_AUTH},
    {"PATCH", "/api/v1/practitioners/{id}", pr_update, ROUTE_AUTH},
    {"DELETE", "/api/v1/practitioners/{id}", pr_delete, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
