/* The helpers of phi.h: the audit discipline of requests on patient data, their shared endings
 * (commit with the audit row, the paged search), and the access.denied row of requests refused
 * before their handler. */
#include "api/phi.h"

#include <string.h>

int phi_fail(struct request *r, const struct phi_audit *au)
{
	db_rollback();
	int status = err_http_status(&r->err);
	const char *action = au->action;
	if (status == 401 || status == 403)
		action = "access.denied";
	struct err saved = r->err;
	if (api_audit(r, action, au->resource_type, au->resource_id, au->patient_id, status,
	              status == 401 || status == 403 ? NULL : au->detail))
		return -1; /* r->err now says why the audit row failed (500) */
	r->err = saved;
	return -1;
}

int phi_deny(struct request *r, const struct phi_audit *au, enum err_kind kind, const char *msg)
{
	fail_with(r, kind, msg);
	return phi_fail(r, au);
}

int phi_fail400(struct request *r, const struct phi_audit *au, const char *msg)
{
	fail_msg400(r, msg);
	return phi_fail(r, au);
}

int phi_audit(struct request *r, const struct phi_audit *au, int status)
{
	return api_audit(r, au->action, au->resource_type, au->resource_id, au->patient_id, status,
	                 au->detail);
}

const char *phi_search_detail(struct request *r, const struct phi_page *pg)
{
	struct buf *b = buf_new(r->arena, 128);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kstr(&w, "query", r->query ? r->query : "");
	jw_kint(&w, "count", pg->rows);
	jw_kraw(&w, "patientIds", pg->patient_ids ? pg->patient_ids : "[]");
	jw_obj_end(&w);
	return b->data;
}

int phi_param_id(struct request *r, const char *snake_key, int64_t *out)
{
	*out = 0;
	int rc = api_param_id(r, snake_key, out);
	if (rc == 1 && *out == 0)
		*out = -1;
	return rc;
}

int phi_body(struct request *r, json_object **out)
{
	*out = req_json_body(r, true);
	if (!*out)
		return r->err.kind ? -1 : 0;
	if (!json_object_is_type(*out, json_type_object)) {
		*out = NULL;
		fail_msg400(r, "Expected a JSON object.");
		return -1;
	}
	return 0;
}

const char *phi_id(struct request *r, int64_t id)
{
	return arena_printf(r->arena, "%lld", (long long)id);
}

const char *phi_json_type(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_object:
		return "dict";
	case json_type_array:
		return "list";
	case json_type_string:
		return "str";
	case json_type_int:
		return "int";
	case json_type_double:
		return "float";
	case json_type_boolean:
		return "bool";
	default:
		return "NoneType";
	}
}

void api_audit_denied(struct request *r)
{
	if (r->area != AREA_API || !r->route)
		return;
	int status = err_http_status(&r->err);
	if (status != 401 && status != 403)
		return;
	const char *pat = r->route->pattern;
	const char *type;
	int64_t id = req_path_id(r, "id");
	int64_t patient = 0;
	const char *rid = NULL;
	if (str_starts(pat, "/api/v1/patients")) {
		patient = id;
		if (strstr(pat, "/consents"))
			type = "Consent";
		else if (strstr(pat, "/consolidated_clients"))
			type = "Client";
		else {
			type = "Patient";
			rid = id ? phi_id(r, id) : NULL;
		}
	} else if (str_starts(pat, "/api/v1/studies/{id}/patients")) {
		type = "StudyPatient";
		rid = id ? phi_id(r, id) : NULL;
	} else if (str_starts(pat, "/api/v1/observations")) {
		type = "Observation";
		rid = id ? phi_id(r, id) : NULL;
	} else if (str_starts(pat, "/api/v1/invitation") && !strstr(pat, "{token:s}")) {
		type = "PatientInvitation";
		rid = id ? phi_id(r, id) : NULL;
	} else {
		return;
	}
	struct err saved = r->err;
	if (api_audit(r, "access.denied", type, rid, patient, status, NULL) == 0)
		r->err = saved;
}

int phi_fail_err(struct request *r, const struct phi_audit *au, const struct err *e)
{
	fail_err(r, e);
	return phi_fail(r, au);
}

int phi_read_reply(struct request *r, const struct phi_audit *au, const char *json,
                   const struct err *e)
{
	if (api_reply(r, 200, json, e))
		return -1;
	return phi_audit(r, au, 200);
}

int phi_commit(struct request *r, const struct phi_audit *au, int status, struct err *e)
{
	if (phi_audit(r, au, status) || db_commit(e))
		return r->err.kind ? -1 : fail_err(r, e);
	return 0;
}

int phi_commit_empty(struct request *r, const struct phi_audit *au, int status, struct err *e)
{
	if (phi_commit(r, au, status, e))
		return -1;
	resp_empty(r, status);
	return 0;
}

int phi_search(struct request *r, struct phi_audit *au, int64_t patient, int64_t org, int64_t study,
               phi_page_fn fetch, const void *filter)
{
	if (patient > 0)
		au->patient_id = patient;
	struct page pg;
	if (api_page_parse(r, 20, &pg))
		return phi_fail(r, au);
	struct err e = {0};
	if (r->principal->practitioner_id &&
	    store_sticky_selection(r->arena, r->principal->user_id, org > 0 ? org : 0,
	                           study > 0 ? study : 0, true, &e))
		return fail_err(r, &e);
	return phi_list(r, au, &pg, fetch, filter);
}

int phi_list(struct request *r, struct phi_audit *au, struct page *pg, phi_page_fn fetch,
             const void *filter)
{
	struct phi_page res;
	struct err e = {0};
	int64_t offset = pg->offset;
	if (fetch(r, filter, pg->size, offset, &res, &e))
		return fail_err(r, &e);
	if (api_page_check(r, pg, res.count))
		return phi_fail(r, au);
	if (pg->offset != offset && fetch(r, filter, pg->size, pg->offset, &res, &e))
		return fail_err(r, &e);
	api_page_respond(r, pg, res.count, res.results);
	au->detail = phi_search_detail(r, &res);
	if (!au->patient_id)
		au->patient_id = res.single_patient;
	return phi_audit(r, au, 200);
}
