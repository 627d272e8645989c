/* /api/v1/observations (admin-api.md §11): rows filtered by the consent rule. */
#include "api/phi.h"

static const char *const MSG_ONLY_PRACTITIONERS = "Only practitioner users can list observations.";
static const char *const MSG_NO_OBSERVATION = "No Observation matches the given query.";

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
	if (!authz_staff(r->principal))
		return phi_deny(r, &au, ERR_FORBIDDEN, MSG_ONLY_PRACTITIONERS);
	struct observation_filter f = {0};
	if (phi_param_id(r, "organization_id", &f.organization_id) < 0 ||
	    phi_param_id(r, "study_id", &f.study_id) < 0 ||
	    phi_param_id(r, "patient_id", &f.patient_id) < 0 ||
	    phi_param_id(r, "observation_id", &f.observation_id) < 0)
		return phi_fail(r, &au);
	return phi_search(r, &au, f.patient_id, f.organization_id, f.study_id, fetch_observations,
	                  &f);
}

/* A request on the observation {id}: its audit row and what the caller may do with it. */
struct observation_req {
	int64_t oid;
	struct phi_audit au;
	struct observation_facts f;
};

static int observation_load(struct request *r, const char *action, struct observation_req *o)
{
	o->oid = req_path_id(r, "id");
	o->au = (struct phi_audit){action, "Observation", phi_id(r, o->oid), 0, NULL};
	struct err e = {0};
	if (store_observation_facts(r->arena, r->principal->user_id, o->oid, &o->f, &e))
		return fail_err(r, &e);
	return 0;
}

/* GET /observations/{id} */
static int observation_get(struct request *r)
{
	struct observation_req o;
	if (observation_load(r, "read", &o))
		return -1;
	struct err e = {0};
	if (o.f.visible)
		o.au.patient_id = o.f.patient_id;
	if (!authz_staff(r->principal))
		return phi_deny(r, &o.au, ERR_FORBIDDEN, MSG_ONLY_PRACTITIONERS);
	if (!o.f.visible)
		return phi_deny(r, &o.au, ERR_NOT_FOUND, MSG_NO_OBSERVATION);
	return phi_read_reply(r, &o.au, store_observation_json(r->arena, o.oid, &e), &e);
}

/* DELETE /observations/{id} */
static int observation_delete(struct request *r)
{
	struct observation_req o;
	if (observation_load(r, "delete", &o))
		return -1;
	bool super = authz_superuser(r->principal);
	if (o.f.visible || (super && o.f.exists))
		o.au.patient_id = o.f.patient_id;
	if (super ? !o.f.exists : !o.f.visible)
		return phi_deny(r, &o.au, ERR_NOT_FOUND, MSG_NO_OBSERVATION);
	if (!o.f.manages)
		return phi_deny(r, &o.au, ERR_FORBIDDEN,
		                "You do not have permission to perform this action.");
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	if (store_observation_delete(r->arena, o.oid, &e))
		return phi_fail_err(r, &o.au, &e);
	return phi_commit_empty(r, &o.au, 204, &e);
}

const struct route api_observation_routes[] = {
    {"GET", "/api/v1/observations", observations_list, ROUTE_AUTH},
    {"GET", "/api/v1/observations/{id}", observation_get, ROUTE_AUTH},
    {"DELETE", "/api/v1/observations/{id}", observation_delete, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
