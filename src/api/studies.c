/* /api/v1/studies (admin-api.md §10) without studies/{id}/patients. */
#include "api/fields.h"

#include <string.h>

static const char *NO_STUDY = "Current User does not have authorization to access this Study.";
static const char *NO_PERM = "You do not have permission to perform this action.";

static int study_list(struct request *r)
{
	if (api_require_practitioner(r, "Only practitioner users can list studies."))
		return -1;
	int64_t org = 0, study = 0;
	int has_org = api_param_id(r, "organization_id", &org);
	if (has_org < 0)
		return -1;
	int has_study = api_param_id(r, "study_id", &study);
	if (has_study < 0)
		return -1;
	if (r->principal->practitioner_id && (has_org || has_study)) {
		struct err e = {0};
		if (store_practitioner_sticky(r->arena, UID(r), has_org && org >= 0 ? org : -1,
		                              has_study && study >= 0 ? study : -1, &e))
			return fail_err(r, &e);
	}
	API_LIST(r, 20,
	         store_study_list(r->arena, UID(r), has_org ? &org : NULL, pg_.offset, pg_.size,
	                          &count_, &e_));
}

/* Readability (403 with the study sentence) and, when manage, the study permission. */
static int study_access(struct request *r, int64_t id, bool manage, struct study_info *si)
{
	struct err e = {0};
	if (store_study_info(r->arena, UID(r), id, si, &e))
		return fail_err(r, &e);
	if (!si->exists || !si->readable)
		return fail_with(r, ERR_FORBIDDEN, NO_STUDY);
	if (!manage)
		return 0;
	return api_require(
	    r,
	    store_can(r->arena, UID(r), "study.manage_for_organization", si->organization_id, &e),
	    &e, ERR_FORBIDDEN, NO_PERM);
}

static int study_readable(struct request *r, int64_t id)
{
	struct study_info si;
	return study_access(r, id, false, &si);
}

static char *study_json(struct arena *a, int64_t id, struct err *e)
{
	return store_study_json(a, id, false, e);
}

static int study_get(struct request *r)
{
	return api_get_json(r, study_readable, study_json);
}

static const char *const STUDY_FIELDS[] = {"name", "description", "organization", "icon_url", NULL};
static const char *const STUDY_READONLY[] = {"id", NULL};

static void study_fields(struct request *r, struct field_errors *fe, json_object *body, bool req,
                         const char **name, const char **desc, const char **icon, bool *icon_set)
{
	api_text(r, fe, body, "name", req, false, false, 0, name);
	api_text(r, fe, body, "description", req, false, false, 0, desc);
	*icon_set = api_text(r, fe, body, "icon_url", false, true, true, 0, icon);
}

/* organization from the body: -1 missing/null, -2 wrong type */
static int64_t body_org(struct request *r, json_object *body)
{
	int64_t id = 0;
	int rc = api_opt_id(r, body, "organization", &id);
	return rc == 1 ? id : rc == 0 ? -1 : -2;
}

static int study_create(struct request *r)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	int64_t org = body_org(r, body);
	struct err e = {0};
	if (!IS_SU(r) &&
	    api_require(
	        r,
	        org < 0 ? 0 : store_can(r->arena, UID(r), "study.manage_for_organization", org, &e),
	        &e, ERR_FORBIDDEN, NO_PERM))
		return -1;
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, STUDY_FIELDS, STUDY_READONLY);
	if (org == -1) {
		fe_add(r, &fe, "organization", "This field is required.");
	} else if (org == -2) {
		fe_add(r, &fe, "organization", "A valid integer is required.");
	} else if (org == 0) {
		fe_add(r, &fe, "organization", "Studies cannot belong to the ROOT organization.");
	} else {
		int ex = store_row_exists(r->arena, "organization", org, &e);
		if (ex < 0)
			return fail_err(r, &e);
		if (!ex)
			api_invalid_pk(r, &fe, "organization", org);
	}
	const char *name = NULL, *desc = NULL, *icon = NULL;
	bool icon_set = false;
	study_fields(r, &fe, body, true, &name, &desc, &icon, &icon_set);
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	int64_t id;
	if (db_begin(&e) || store_study_create(r->arena, name, desc, org, icon, icon_set, &id, &e))
		return fail_err(r, &e);
	return api_commit_reply(r, 201, store_study_json(r->arena, id, true, &e), &e);
}

static int study_update(struct request *r)
{
	bool put = strcmp(r->method, "PUT") == 0;
	json_object *body = api_body(r);
	if (!body)
		return -1;
	int64_t id = req_path_id(r, "id");
	struct study_info si;
	if (study_access(r, id, true, &si))
		return -1;
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, STUDY_FIELDS, STUDY_READONLY);
	int64_t org = body_org(r, body);
	if (org == -2)
		fe_add(r, &fe, "organization", "A valid integer is required.");
	else if (org == -1 && put)
		fe_add(r, &fe, "organization", "This field is required.");
	else if (org >= 0 && org != si.organization_id)
		fe_add(r, &fe, "organization", "A study cannot be moved to another organization.");
	const char *name = NULL, *desc = NULL, *icon = NULL;
	bool icon_set = false;
	study_fields(r, &fe, body, put, &name, &desc, &icon, &icon_set);
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	struct err e = {0};
	if (db_begin(&e) || store_study_update(r->arena, id, name, desc, icon, icon_set, &e))
		return fail_err(r, &e);
	return api_commit_reply(r, 200, store_study_json(r->arena, id, true, &e), &e);
}

static int study_manageable(struct request *r, int64_t id)
{
	struct study_info si;
	return study_access(r, id, true, &si);
}

static int study_delete(struct request *r)
{
	return api_delete(r, study_manageable, store_study_delete);
}

/* ---------- sub-resources ---------- */

/* kind from the path: /api/v1/studies/{id}/<kind> */
static const char *link_kind(struct request *r)
{
	const char *s = strrchr(r->path, '/');
	return s ? s + 1 : "";
}

static int links_get(struct request *r)
{
	int64_t id = req_path_id(r, "id");
	struct study_info si;
	if (study_access(r, id, false, &si))
		return -1;
	struct err e = {0};
	return api_reply(r, 200, store_study_links(r->arena, id, link_kind(r), &e), &e);
}

/* Reads and checks the referenced id of a link body. Returns -1 on failure (r->err set). */
static int link_ref(struct request *r, json_object *body, const char *kind, bool adding,
                    int64_t *ref)
{
	const char *key = !strcmp(kind, "scope_requests") ? "scope_code_id"
	                  : !strcmp(kind, "clients")      ? "client_id"
	                                                  : "data_source_id";
	const char *table = !strcmp(kind, "scope_requests") ? "codeable_concept"
	                    : !strcmp(kind, "clients")      ? "oauth_application"
	                                                    : "data_source";
	struct field_errors fe = {0};
	if (!api_id(r, &fe, body, key, true, ref))
		return fe_fail(r, &fe);
	if (api_ref_check(r, table, key, *ref))
		return -1;
	struct err e = {0};
	if (adding && !strcmp(kind, "clients")) {
		int pc = store_app_is_patient_client(r->arena, *ref, &e);
		if (pc < 0)
			return fail_err(r, &e);
		if (!pc) {
			fe_add(r, &fe, key,
			       arena_printf(r->arena, "Client %lld is not a patient client.",
			                    (long long)*ref));
			return fe_fail(r, &fe);
		}
	}
	return 0;
}

/* The steps before a link is added or removed: the body, the study (which the caller manages),
 * the kind of link and the checked referenced id. */
static int link_target(struct request *r, bool adding, int64_t *id, const char **kind, int64_t *ref)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	*id = req_path_id(r, "id");
	*kind = link_kind(r);
	struct study_info si;
	if (study_access(r, *id, true, &si))
		return -1;
	return link_ref(r, body, *kind, adding, ref);
}

static int links_post(struct request *r)
{
	int64_t id, ref;
	const char *kind;
	if (link_target(r, true, &id, &kind, &ref))
		return -1;
	struct err e = {0};
	int64_t new_id = 0;
	if (db_begin(&e))
		return fail_err(r, &e);
	int rc = store_study_link_add(r->arena, id, kind, ref, &new_id, &e);
	if (rc < 0)
		return fail_err(r, &e);
	if (rc == 1) {
		if (!strcmp(kind, "scope_requests")) {
			const char *label = store_scope_label(r->arena, ref, &e);
			return fail_withf(r, ERR_CONFLICT, "Study %lld already requests scope %s.",
			                  (long long)id, label ? label : "?");
		}
		if (!strcmp(kind, "clients"))
			return fail_withf(r, ERR_CONFLICT, "Study %lld already has client %lld.",
			                  (long long)id, (long long)ref);
		return fail_withf(r, ERR_CONFLICT, "Study %lld already has data source %lld.",
		                  (long long)id, (long long)ref);
	}
	if (!strcmp(kind, "scope_requests"))
		return api_commit_reply(r, 201, store_scope_request_json(r->arena, new_id, &e), &e);
	return api_commit_empty(r, 201, false, &e);
}

static int links_delete(struct request *r)
{
	int64_t id, ref;
	const char *kind;
	if (link_target(r, false, &id, &kind, &ref))
		return -1;
	struct err e = {0};
	return api_reply_empty(r, 204, store_study_link_remove(r->arena, id, kind, ref, &e), &e);
}

const struct route api_studies_routes[] = {
    {"GET", "/api/v1/studies", study_list, ROUTE_AUTH},
    {"POST", "/api/v1/studies", study_create, ROUTE_AUTH},
    {"GET", "/api/v1/studies/{id}", study_get, ROUTE_AUTH},
    {"PUT", "/api/v1/studies/{id}", study_update, ROUTE_AUTH},
    {"PATCH", "/api/v1/studies/{id}", study_update, ROUTE_AUTH},
    {"DELETE", "/api/v1/studies/{id}", study_delete, ROUTE_AUTH},
    {"GET", "/api/v1/studies/{id}/scope_requests", links_get, ROUTE_AUTH},
    {"POST", "/api/v1/studies/{id}/scope_requests", links_post, ROUTE_AUTH},
    {"DELETE", "/api/v1/studies/{id}/scope_requests", links_delete, ROUTE_AUTH},
    {"GET", "/api/v1/studies/{id}/clients", links_get, ROUTE_AUTH},
    {"POST", "/api/v1/studies/{id}/clients", links_post, ROUTE_AUTH},
    {"DELETE", "/api/v1/studies/{id}/clients", links_delete, ROUTE_AUTH},
    {"GET", "/api/v1/studies/{id}/data_sources", links_get, ROUTE_AUTH},
    {"POST", "/api/v1/studies/{id}/data_sources", links_post, ROUTE_AUTH},
    {"DELETE", "/api/v1/studies/{id}/data_sources", links_delete, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
