/* /api/v1/observations (admin-api.md §11): rows filtered by the consent rule. */
#include "api/phi.h"

static const char *const MSG_ONLY_PRACTITIONERS = "Only practitioner users can list observations.";
static const char *const MSG_NO_OBSERVATION = "No Observation matches the given query.";

static bool is_practitioner(const struct request *r)
{
	return r->principal->practitioner_id || r->principal->is_superuser;
}

static int fetch_observations(struct request *r, const void *filter, int64_t size, int64_t offset,
                              struct phi_page *res, struct err *e)
{
	return store_observations_page(r->arena, r->principal->user_id, filter, size, offset, res,
	                               e);
}

/* GET /observations */
static int observations_list(struct request *r)
{
	struct phi_audit au = {"search", "Observation", NULL, 0, NULL};
	if (!is_practitioner(r))
		return phi_deny(r, &au, ERR_FORBIDDEN, MSG_ONLY_PRACTITIONERS);
	struct observation_filter f = {0};
	if (phi_param_id(r, "organization_id", &f.organization_id) < 0 ||
	    phi_param_id(r, "study_id", &f.study_id) < 0 ||
	    phi_param_id(r, "patient_id", &f.patient_id) < 0 ||
	    phi_param_id(r, "observation_id", &f.observation_id) < 0)
		return phi_fail(r, &au);
	if (f.patient_id > 0)
		au.patient_id = f.patient_id;
	struct page pg;
	if (api_page_parse(r, 20, &pg))
		return phi_fail(r, &au);
	struct err e = {0};
	if (r->principal->practitioner_id &&
	    store_sticky_selection(r->arena, r->principal->user_id,
	                           f.organization_id > 0 ? f.organization_id : 0,
	                           f.study_id > 0 ? f.study_id : 0, true, &e))
		return fail_err(r, &e);
	return phi_list(r, &au, &pg, fetch_observations, &f);
}

/* GET /observations/{id} */
static int observation_get(struct request *r)
{
	int64_t oid = req_path_id(r, "id");
	struct phi_audit au = {"read", "Observation", phi_id(r, oid), 0, NULL};
	struct observation_facts f;
	struct err e = {0};
	if (store_observation_facts(r->arena, r->principal->user_id, oid, &f, &e))
		return fail_err(r, &e);
	if (f.visible)
		au.patient_id = f.patient_id;
	if (!is_practitioner(r))
		return phi_deny(r, &au, ERR_FORBIDDEN, MSG_ONLY_PRACTITIONERS);
	if (!f.visible)
		return phi_deny(r, &au, ERR_NOT_FOUND, MSG_NO_OBSERVATION);
	return phi_read_reply(r, &au, store_observation_json(r->arena, oid, &e), &e);
}

/* DELETE /observations/{id} */
static int observation_delete(struct request *r)
{
	int64_t oid = req_path_id(r, "id");
	struct phi_audit au = {"delete", "Observation", phi_id(r, oid), 0, NULL};
	struct observation_facts f;
	struct err e = {0};
	if (store_observation_facts(r->arena, r->principal->user_id, oid, &f, &e))
		return fail_err(r, &e);
	bool super = r->principal->is_superuser;
	if (f.visible || (super && f.exists))
		au.patient_id = f.patient_id;
	if (super ? !f.exists : !f.visible)
		return phi_deny(r, &au, ERR_NOT_FOUND, MSG_NO_OBSERVATION);
	if (!f.manages)
		return phi_deny(r, &au, ERR_FORBIDDEN,
		                "You do not have permission to perform this action.");
	if (db_begin(&e))
		return fail_err(r, &e);
	if (store_observation_delete(r->arena, oid, &e))
		return phi_fail_err(r, &au, &e);
	if (phi_commit(r, &au, 204, &e))
		return -1;
	resp_empty(r, 204);
	return 0;
}

const struct route api_observation_routes[] = {
    {"GET", "/api/v1/observations", observations_list, ROUTE_AUTH},
    {"GET", "/api/v1/observations/{id}", observation_get, ROUTE_AUTH},
    {"DELETE", "/api/v1/observations/{id}", observation_delete, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
