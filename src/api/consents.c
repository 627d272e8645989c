/* /api/v1/patients/{id}/consents (admin-api.md §8). */
#include "api/phi.h"

#include <string.h>
#include <strings.h>

static const char *const MSG_NOT_PATIENT = "The Patient does not match the current patient user.";
static const char *const MSG_NO_RIGHT = "Practitioner doesn't have right now for patient.";

struct consent_body {
	struct consent_item *items;
	int n;
	int *item_index;  /* index i of studyScopeConsents[i] for each item */
	int64_t *studies; /* distinct study ids in body order */
	int nstudies;
};

/* 8.1: unknown patient 404; neither practitioner nor the patient 403. */
static int access_checks(struct request *r, const struct phi_audit *au, int64_t pid,
                         struct patient_facts *f)
{
	struct err e = {0};
	if (store_patient_facts(r->arena, r->principal->user_id, pid, 0, f, &e))
		return fail_err(r, &e);
	if (!f->exists)
		return phi_deny(r, au, ERR_NOT_FOUND, "No Patient matches the given query.");
	if (!authz_staff(r->principal) && !f->self)
		return phi_deny(r, au, ERR_FORBIDDEN, MSG_NOT_PATIENT);
	return 0;
}

static int consents_reset(struct request *r, struct phi_audit *au, int64_t pid)
{
	au->action = "delete";
	if (!authz_superuser(r->principal))
		return phi_deny(r, au, ERR_FORBIDDEN, "Only superusers can reset consents.");
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	struct consent_deleted *rows = NULL;
	int n = store_consents_reset(r->arena, pid, &rows, &e);
	if (n < 0)
		return phi_fail_err(r, au, &e);
	for (int i = 0; i < n; i++) {
		struct buf *b = buf_new(r->arena, 128);
		struct jw w;
		jw_init(&w, b);
		jw_obj_begin(&w);
		jw_kint(&w, "studyId", rows[i].study_id);
		jw_kstr(&w, "code", rows[i].code);
		jw_kbool(&w, "old", rows[i].old);
		jw_knull(&w, "new");
		jw_obj_end(&w);
		struct phi_audit row = {"delete", "Consent", phi_id(r, rows[i].id), pid, b->data};
		if (phi_audit(r, &row, 200))
			return -1;
	}
	if (n == 0) {
		au->detail = "{\"resetCount\":0}";
		if (phi_audit(r, au, 200))
			return -1;
	}
	if (db_commit(&e))
		return fail_err(r, &e);
	resp_json_str(r, 200, arena_printf(r->arena, "{\"resetCount\":%d}", n));
	return 0;
}

/* GET /patients/{id}/consents[?reset=true] */
static int consents_get(struct request *r)
{
	int64_t pid = req_path_id(r, "id");
	struct phi_audit au = {"read", "Consent", NULL, pid, NULL};
	struct patient_facts f;
	if (access_checks(r, &au, pid, &f))
		return -1;
	const char *reset = api_param(r, "reset", NULL);
	if (reset && (strcasecmp(reset, "true") == 0 || strcmp(reset, "1") == 0))
		return consents_reset(r, &au, pid);
	bool all = f.self;
	if (!all && !f.shares)
		return phi_deny(r, &au, ERR_FORBIDDEN,
		                "This Practitioner not authorized to access this Patient");
	struct err e = {0};
	return phi_read_reply(
	    r, &au, store_consents_json(r->arena, pid, r->principal->user_id, all, &e), &e);
}

/* Step 1 of §8.3: the shape of the body. Returns 0 or -1 (audited 400). */
static int parse_body(struct request *r, const struct phi_audit *au, bool need_consented,
                      struct consent_body *cb)
{
	json_object *body = api_body_object(r);
	if (!body)
		return phi_fail(r, au);
	json_object *arr = json_get(body, "study_scope_consents");
	if (!arr || !json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) == 0) {
		struct field_errors fe = {0};
		fe_add(r, &fe, "study_scope_consents", "This field is required.");
		fe_fail(r, &fe);
		return phi_fail(r, au);
	}
	size_t ni = json_object_array_length(arr);
	int total = 0;
	for (size_t i = 0; i < ni; i++) {
		json_object *sc = json_get(json_object_array_get_idx(arr, i), "scope_consents");
		if (sc && json_object_is_type(sc, json_type_array))
			total += (int)json_object_array_length(sc);
	}
	cb->items = arena_alloc(r->arena, sizeof(*cb->items) * (size_t)(total + 1));
	cb->item_index = arena_alloc(r->arena, sizeof(int) * (size_t)(total + 1));
	cb->studies = arena_alloc(r->arena, sizeof(int64_t) * (ni + 1));
	cb->n = 0;
	cb->nstudies = 0;
	for (size_t i = 0; i < ni; i++) {
		json_object *item = json_object_array_get_idx(arr, i);
		json_object *sid_v = json_get(item, "study_id");
		int64_t sid;
		if (!sid_v || json_object_is_type(sid_v, json_type_boolean) ||
		    !json_as_int(sid_v, &sid))
			return phi_fail400(
			    r, au,
			    arena_printf(r->arena, "studyScopeConsents[%zu].studyId is required.",
			                 i));
		json_object *sc = json_get(item, "scope_consents");
		if (!sc || !json_object_is_type(sc, json_type_array) ||
		    json_object_array_length(sc) == 0)
			return phi_fail400(
			    r, au,
			    arena_printf(r->arena,
			                 "studyScopeConsents[%zu].scopeConsents is required.", i));
		cb->studies[cb->nstudies++] = sid;
		size_t nj = json_object_array_length(sc);
		for (size_t j = 0; j < nj; j++) {
			json_object *s = json_object_array_get_idx(sc, j);
			const char *sys = json_get_str(s, "coding_system");
			const char *code = json_get_str(s, "coding_code");
			const char *path = arena_printf(
			    r->arena, "studyScopeConsents[%zu].scopeConsents[%zu]", i, j);
			if (!sys || !*sys)
				return phi_fail400(
				    r, au,
				    arena_printf(r->arena, "%s.codingSystem is required.", path));
			if (!code || !*code)
				return phi_fail400(
				    r, au,
				    arena_printf(r->arena, "%s.codingCode is required.", path));
			json_object *cv = json_get(s, "consented");
			struct consent_item *it = &cb->items[cb->n];
			memset(it, 0, sizeof(*it));
			it->study_id = sid;
			it->system = sys;
			it->code = code;
			if (cv && json_object_is_type(cv, json_type_boolean)) {
				it->consented = json_object_get_boolean(cv);
				it->has_consented = true;
			} else if (need_consented) {
				return phi_fail400(
				    r, au,
				    arena_printf(r->arena, "%s.consented must be true or false.",
				                 path));
			}
			cb->item_index[cb->n++] = (int)i;
		}
	}
	cb->nstudies = (int)i64_unique(r->arena, cb->studies, (size_t)cb->nstudies);
	return 0;
}

/* Step 2: the write permission, study by study. */
static const char *const MSG_SIGNED_IN =
    "This patient has signed in; only the patient can record or change their consent.";

/* Staff (not the patient) record or change consent only for a patient who has not signed in
 * (doc/admin-api-notes.md, "Consent on a patient's behalf"); withdrawing (DELETE) stays open. */
static int staff_may_write(struct request *r, const struct phi_audit *au,
                           const struct patient_facts *f, char op)
{
	if (op != 'd' && f->signed_in)
		return phi_deny(r, au, ERR_FORBIDDEN, MSG_SIGNED_IN);
	return 0;
}

static int write_permission(struct request *r, const struct phi_audit *au, int64_t pid,
                            const struct patient_facts *f, const struct consent_body *cb, char op)
{
	if (f->self)
		return 0;
	if (authz_superuser(r->principal))
		return staff_may_write(r, au, f, op);
	struct buf *b = buf_new(r->arena, 16 * (size_t)cb->nstudies + 8);
	struct jw w;
	jw_init(&w, b);
	jw_arr_begin(&w);
	for (int k = 0; k < cb->nstudies; k++)
		jw_int(&w, cb->studies[k]);
	jw_arr_end(&w);
	struct consent_study_access *acc =
	    arena_alloc(r->arena, sizeof(*acc) * (size_t)(cb->nstudies + 1));
	struct err e = {0};
	if (store_consent_study_access(r->arena, r->principal->user_id, pid, b->data, acc,
	                               cb->nstudies, &e))
		return fail_err(r, &e);
	for (int k = 0; k < cb->nstudies; k++) {
		if (!acc[k].exists || !acc[k].role)
			return phi_deny(r, au, ERR_FORBIDDEN, MSG_NO_RIGHT);
		if (strcmp(acc[k].role, "member") != 0 && strcmp(acc[k].role, "manager") != 0)
			return phi_deny(r, au, ERR_FORBIDDEN, "Practitioner role is not valid.");
		if (!acc[k].patient_in_org)
			return phi_deny(r, au, ERR_FORBIDDEN, MSG_NO_RIGHT);
	}
	return staff_may_write(r, au, f, op);
}

/* Steps 3-4: enrolment, known and requested scope, duplicates; then 409/404. */
static int value_checks(struct request *r, const struct phi_audit *au, int64_t pid, char op,
                        struct consent_body *cb)
{
	struct err e = {0};
	if (store_consent_lookup(r->arena, pid, cb->items, cb->n, &e))
		return fail_err(r, &e);
	for (int i = 0; i < cb->n; i++) {
		struct consent_item *it = &cb->items[i];
		const char *scope = arena_printf(r->arena, "%s|%s", it->system, it->code);
		if (!it->study_patient_id)
			return phi_fail400(
			    r, au,
			    arena_printf(r->arena, "Patient %lld is not enrolled in study %lld.",
			                 (long long)pid, (long long)it->study_id));
		if (!it->code_id)
			return phi_fail400(r, au,
			                   arena_printf(r->arena, "Unknown scope %s.", scope));
		if (!it->requested)
			return phi_fail400(r, au,
			                   arena_printf(r->arena,
			                                "Study %lld does not request scope %s.",
			                                (long long)it->study_id, scope));
		for (int j = 0; j < i; j++)
			if (cb->items[j].study_id == it->study_id &&
			    cb->items[j].code_id == it->code_id)
				return phi_fail400(
				    r, au,
				    arena_printf(r->arena, "Duplicate scope %s for study %lld.",
				                 scope, (long long)it->study_id));
	}
	for (int i = 0; i < cb->n; i++) {
		struct consent_item *it = &cb->items[i];
		const char *scope = arena_printf(r->arena, "%s|%s", it->system, it->code);
		if (op == 'c' && it->consent_id)
			return phi_deny(
			    r, au, ERR_CONFLICT,
			    arena_printf(r->arena,
			                 "Consent for %s in study %lld already exists; use PATCH.",
			                 scope, (long long)it->study_id));
		if (op == 'u' && !it->consent_id)
			return phi_deny(r, au, ERR_NOT_FOUND,
			                arena_printf(r->arena,
			                             "No consent for %s in study %lld; use POST.",
			                             scope, (long long)it->study_id));
	}
	return 0;
}

static const char *change_detail(struct request *r, const struct consent_item *it, char op)
{
	struct buf *b = buf_new(r->arena, 128);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kint(&w, "studyId", it->study_id);
	jw_kstr(&w, "code", arena_printf(r->arena, "%s|%s", it->system, it->code));
	if (op == 'c')
		jw_knull(&w, "old");
	else
		jw_kbool(&w, "old", it->old_consented);
	if (op == 'd')
		jw_knull(&w, "new");
	else
		jw_kbool(&w, "new", it->consented);
	jw_obj_end(&w);
	return b->data;
}

static int consents_write(struct request *r, char op)
{
	int64_t pid = req_path_id(r, "id");
	static const char *const actions[] = {"create", "update", "delete"};
	const char *action = actions[op == 'c' ? 0 : op == 'u' ? 1 : 2];
	struct phi_audit au = {action, "Consent", NULL, pid, NULL};
	struct patient_facts f;
	if (access_checks(r, &au, pid, &f))
		return -1;
	struct consent_body cb = {0};
	if (parse_body(r, &au, op != 'd', &cb))
		return -1;
	if (write_permission(r, &au, pid, &f, &cb, op))
		return -1;
	if (value_checks(r, &au, pid, op, &cb))
		return -1;
	int status = op == 'c' ? 201 : op == 'u' ? 200 : 204;
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	struct buf *ids = buf_new(r->arena, 16 * (size_t)cb.n + 8);
	struct jw w;
	jw_init(&w, ids);
	jw_arr_begin(&w);
	int changed = 0;
	for (int i = 0; i < cb.n; i++) {
		struct consent_item *it = &cb.items[i];
		if (op == 'd' && !it->consent_id)
			continue; /* rows that do not exist are ignored */
		int64_t id = store_consent_write(r->arena, op, it, &e);
		if (id < 0)
			return phi_fail_err(r, &au, &e);
		jw_int(&w, id);
		struct phi_audit row = {action, "Consent", phi_id(r, id), pid,
		                        change_detail(r, it, op)};
		if (phi_audit(r, &row, status))
			return -1;
		changed++;
	}
	jw_arr_end(&w);
	if (!changed && phi_audit(r, &au, status))
		return -1;
	if (db_commit(&e))
		return fail_err(r, &e);
	if (op == 'd') {
		resp_empty(r, 204);
		return 0;
	}
	return api_reply(r, status, store_consent_rows_json(r->arena, ids->data, &e), &e);
}

static int consents_post(struct request *r)
{
	return consents_write(r, 'c');
}
static int consents_patch(struct request *r)
{
	return consents_write(r, 'u');
}
static int consents_delete(struct request *r)
{
	return consents_write(r, 'd');
}

const struct route api_consent_routes[] = {
    {"GET", "/api/v1/patients/{id}/consents", consents_get, ROUTE_AUTH},
    {"POST", "/api/v1/patients/{id}/consents", consents_post, ROUTE_AUTH},
    {"PATCH", "/api/v1/patients/{id}/consents", consents_patch, ROUTE_AUTH},
    {"DELETE", "/api/v1/patients/{id}/consents", consents_delete, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
