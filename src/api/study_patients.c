/* /api/v1/studies/{id}/patients (admin-api.md §10): list, enrol, remove. */
#include "api/phi.h"

#include <string.h>

static const char *const MSG_STUDY_FORBIDDEN =
    "Current User does not have authorization to access this Study.";
static const char *const MSG_DENIED = "You do not have permission to perform this action.";

static int fetch_study_patients(struct request *r, const void *study_id, int64_t size,
                                int64_t offset, struct phi_page *res, struct err *e)
{
	return store_study_patients_page(r->arena, *(const int64_t *)study_id, size, offset, res,
	                                 e);
}

/* GET /studies/{id}/patients */
static int study_patients_list(struct request *r)
{
	int64_t sid = req_path_id(r, "id");
	struct phi_audit au = {"search", "StudyPatient", phi_id(r, sid), 0, NULL};
	struct study_facts sf;
	struct err e = {0};
	if (store_study_facts(r->arena, r->principal->user_id, sid, &sf, &e))
		return fail_err(r, &e);
	if (!sf.data_readable)
		return phi_deny(r, &au, ERR_FORBIDDEN, MSG_STUDY_FORBIDDEN);
	struct page pg;
	if (api_page_parse(r, 20, &pg))
		return phi_fail(r, &au);
	return phi_list(r, &au, &pg, fetch_study_patients, &sid);
}

/* What POST and DELETE act on: the study and the distinct patient ids of the body. */
struct enrolment {
	int64_t sid;
	struct study_facts sf;
	int64_t *ids;
	int n;
	const char *ids_json; /* the ids as a JSON array */
};

/* Permission and body of POST/DELETE into *en. */
static int enrol_prologue(struct request *r, struct phi_audit *au, struct enrolment *en)
{
	int64_t sid = en->sid = req_path_id(r, "id");
	struct study_facts *sf = &en->sf;
	int64_t **ids = &en->ids;
	int *n = &en->n;
	struct err e = {0};
	json_object *body = NULL;
	if (phi_body(r, &body))
		return phi_fail(r, au);
	if (store_study_facts(r->arena, r->principal->user_id, sid, sf, &e))
		return fail_err(r, &e);
	if (!sf->exists && sf->is_superuser)
		return phi_deny(r, au, ERR_NOT_FOUND, "No Study matches the given query.");
	if (!sf->can_manage)
		return phi_deny(r, au, ERR_FORBIDDEN, MSG_DENIED);
	json_object *arr = body ? json_get(body, "patient_ids") : NULL;
	struct field_errors fe = {0};
	if (!arr || !json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) == 0) {
		fe_add(r, &fe, "patient_ids", "This field is required.");
		fe_fail(r, &fe);
		return phi_fail(r, au);
	}
	size_t len = json_object_array_length(arr);
	*ids = arena_alloc(r->arena, sizeof(int64_t) * (len + 1));
	for (size_t i = 0; i < len; i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		int64_t id;
		if (!v || json_object_is_type(v, json_type_boolean) ||
		    (!json_as_int(v, &id) && !(json_object_is_type(v, json_type_string) &&
		                               str_to_i64(json_object_get_string(v), &id)))) {
			fe_add(r, &fe, "patient_ids", "A valid integer is required.");
			fe_fail(r, &fe);
			return phi_fail(r, au);
		}
		(*ids)[i] = id;
	}
	*n = (int)i64_unique(r->arena, *ids, len); /* duplicates are collapsed (admin-api.md) */
	struct buf *b = buf_new(r->arena, 16 * (size_t)*n + 8);
	struct jw w;
	jw_init(&w, b);
	jw_arr_begin(&w);
	for (int i = 0; i < *n; i++)
		jw_int(&w, (*ids)[i]);
	jw_arr_end(&w);
	en->ids_json = b->data;
	return 0;
}

/* POST /studies/{id}/patients */
static int study_patients_add(struct request *r)
{
	struct phi_audit au = {"create", "StudyPatient", NULL, 0, NULL};
	struct enrolment en;
	if (enrol_prologue(r, &au, &en))
		return -1;
	int64_t sid = en.sid, *ids = en.ids;
	int n = en.n;
	const struct study_facts sf = en.sf;
	if (n == 1)
		au.patient_id = ids[0];
	struct enrol_check *chk = arena_alloc(r->arena, sizeof(*chk) * (size_t)(n + 1));
	struct err e = {0};
	if (store_enrol_check(r->arena, sid, sf.org_id, en.ids_json, chk, n, &e))
		return fail_err(r, &e);
	for (int i = 0; i < n; i++) {
		if (!chk[i].exists)
			return phi_fail400(r, &au,
			                   arena_printf(r->arena, "Patient %lld does not exist.",
			                                (long long)chk[i].patient_id));
		if (!chk[i].in_org)
			return phi_fail400(
			    r, &au,
			    arena_printf(r->arena,
			                 "Patient %lld is not a member of organization %lld.",
			                 (long long)chk[i].patient_id, (long long)sf.org_id));
	}
	for (int i = 0; i < n; i++)
		if (chk[i].study_patient_id)
			return phi_deny(
			    r, &au, ERR_CONFLICT,
			    arena_printf(r->arena,
			                 "Patient %lld is already enrolled in study %lld.",
			                 (long long)chk[i].patient_id, (long long)sid));
	if (db_begin(&e))
		return fail_err(r, &e);
	struct buf *b = buf_new(r->arena, 16 * (size_t)n + 8);
	struct jw w;
	jw_init(&w, b);
	jw_arr_begin(&w);
	for (int i = 0; i < n; i++) {
		int64_t spid = store_enrol(r->arena, sid, ids[i], &e);
		if (spid < 0)
			return phi_fail_err(r, &au, &e);
		jw_int(&w, spid);
		struct phi_audit row = {
		    "create", "StudyPatient", phi_id(r, spid), ids[i],
		    arena_printf(r->arena, "{\"studyId\":%lld}", (long long)sid)};
		if (phi_audit(r, &row, 201))
			return -1;
	}
	jw_arr_end(&w);
	if (db_commit(&e))
		return fail_err(r, &e);
	return api_reply(r, 201, store_study_patient_rows_json(r->arena, b->data, &e), &e);
}

/* DELETE /studies/{id}/patients */
static int study_patients_remove(struct request *r)
{
	struct phi_audit au = {"delete", "StudyPatient", NULL, 0, NULL};
	struct enrolment en;
	if (enrol_prologue(r, &au, &en))
		return -1;
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	for (int i = 0; i < en.n; i++) {
		int64_t spid = store_unenrol(r->arena, en.sid, en.ids[i], &e);
		if (spid < 0)
			return phi_fail_err(r, &au, &e);
		struct phi_audit row = {"delete", "StudyPatient", spid ? phi_id(r, spid) : NULL,
		                        en.ids[i],
		                        arena_printf(r->arena, "{\"studyId\":%lld,\"removed\":%s}",
		                                     (long long)en.sid, spid ? "true" : "false")};
		if (phi_audit(r, &row, 204))
			return -1;
	}
	return api_commit_empty(r, 204, false, &e);
}

const struct route api_study_patient_routes[] = {
    {"GET", "/api/v1/studies/{id}/patients", study_patients_list, ROUTE_AUTH},
    {"POST", "/api/v1/studies/{id}/patients", study_patients_add, ROUTE_AUTH},
    {"DELETE", "/api/v1/studies/{id}/patients", study_patients_remove, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
