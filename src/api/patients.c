/* /api/v1/patients (admin-api.md §7). */
#include "api/phi.h"

#include <ctype.h>
#include <string.h>

static const char *const MSG_NO_PATIENT = "No Patient matches the given query.";
static const char *const MSG_PATIENT_FORBIDDEN =
    "Current User does not have authorization to access this Patient.";
static const char *const MSG_DENIED = "You do not have permission to perform this action.";

static int64_t uid(struct request *r)
{
	return r->principal->user_id;
}

static int fetch_patients(struct request *r, const void *filter, int64_t size, int64_t offset,
                          struct phi_page *res, struct err *e)
{
	return store_patients_page(r->arena, uid(r), filter, size, offset, res, e);
}

/* GET /patients */
static int patients_list(struct request *r)
{
	struct phi_audit au = {"search", "Patient", NULL, 0, NULL};
	struct patient_filter f = {0};
	if (phi_param_id(r, "organization_id", &f.organization_id) < 0 ||
	    phi_param_id(r, "study_id", &f.study_id) < 0 ||
	    phi_param_id(r, "patient_id", &f.patient_id) < 0)
		return phi_fail(r, &au);
	f.identifier_value = api_param(r, "patient_identifier_value", NULL);
	return phi_search(r, &au, f.patient_id, f.organization_id, f.study_id, fetch_patients, &f);
}

/* The patient {id} exists (404) and the caller may see it (403), audited as au. */
static int patient_visible(struct request *r, const struct phi_audit *au, int64_t pid)
{
	struct patient_facts f;
	struct err e = {0};
	if (store_patient_facts(r->arena, uid(r), pid, 0, &f, &e))
		return fail_err(r, &e);
	if (!f.exists)
		return phi_deny(r, au, ERR_NOT_FOUND, MSG_NO_PATIENT);
	if (!f.visible)
		return phi_deny(r, au, ERR_FORBIDDEN, MSG_PATIENT_FORBIDDEN);
	return 0;
}

/* GET /patients/{id} */
static int patient_get(struct request *r)
{
	int64_t pid = req_path_id(r, "id");
	struct phi_audit au = {"read", "Patient", phi_id(r, pid), pid, NULL};
	if (patient_visible(r, &au, pid))
		return -1;
	struct err e = {0};
	return phi_read_reply(r, &au, store_patient_json(r->arena, pid, &e), &e);
}

/* Validate the identifiers array (§7.2 step 6). Returns the normalized JSON array, or NULL
 * with the message of the first problem in array order in *msg. */
static const char *identifiers_json(struct request *r, json_object *arr, const char **msg)
{
	size_t n = json_object_array_length(arr);
	struct buf *b = buf_new(r->arena, 64 + 64 * n);
	struct jw w;
	jw_init(&w, b);
	jw_arr_begin(&w);
	const char **keys = arena_alloc(r->arena, sizeof(char *) * (n + 1));
	size_t valid = 0; /* the items before the first invalid one */
	for (; valid < n; valid++) {
		json_object *it = json_object_array_get_idx(arr, valid);
		bool obj = it && json_object_is_type(it, json_type_object);
		const char *sys = obj ? json_get_str(it, "system") : NULL;
		const char *val = obj ? json_get_str(it, "value") : NULL;
		if (!sys || !*sys || !val || !*val)
			break;
		keys[valid] = arena_printf(r->arena, "%s|%s", sys, val);
		jw_obj_begin(&w);
		jw_kstr(&w, "system", sys);
		jw_kstr(&w, "value", val);
		jw_obj_end(&w);
	}
	long dup = str_first_repeat(r->arena, keys, valid);
	if (dup >= 0) {
		*msg = arena_printf(r->arena, "Duplicate identifier %s.", keys[dup]);
		return NULL;
	}
	if (valid < n) {
		*msg = "Each identifier needs a system and a value.";
		return NULL;
	}
	jw_arr_end(&w);
	return b->data;
}

static bool valid_birth_date(const char *s)
{
	int y, m, d;
	return date_parse(s, &y, &m, &d) == 0 && y >= 1;
}

/* The writable fields of create/update into in, after the fields the caller read into fe;
 * identifiers_arr gets the array when present (NULL for absent or null). -1 (audited 400) when fe
 * has errors. */
static int read_patient_fields(struct request *r, const struct phi_audit *au,
                               struct field_errors *fe, json_object *body, struct patient_input *in,
                               json_object **identifiers_arr)
{
	fe_string(r, fe, body, "name_family", &in->name_family, &in->has_name_family);
	fe_string(r, fe, body, "name_given", &in->name_given, &in->has_name_given);
	fe_string(r, fe, body, "birth_date", &in->birth_date, &in->has_birth_date);
	fe_string(r, fe, body, "telecom_phone", &in->telecom_phone, &in->has_telecom_phone);
	*identifiers_arr = NULL;
	json_object *v;
	if (json_object_object_get_ex(body, "identifiers", &v) && v) {
		if (json_object_is_type(v, json_type_array))
			*identifiers_arr = v;
		else
			fe_add(r, fe, "identifiers",
			       arena_printf(r->arena,
			                    "Expected a list of items but got type \"%s\".",
			                    phi_json_type(v)));
	}
	if (!fe_any(fe))
		return 0;
	fe_fail(r, fe);
	return phi_fail(r, au);
}

/* Steps shared by create and update after the permission checks: birth date, identifiers
 * (shape, duplicates, owned by another patient). Returns 0 or -1 (audited failure). */
static int check_patient_values(struct request *r, const struct phi_audit *au,
                                struct patient_input *in, json_object *ids, int64_t self_id)
{
	if (in->has_birth_date && in->birth_date && !valid_birth_date(in->birth_date))
		return phi_fail400(r, au, "Enter a valid birth date (YYYY-MM-DD).");
	if (ids) {
		const char *msg = NULL;
		in->identifiers = identifiers_json(r, ids, &msg);
		if (!in->identifiers)
			return phi_fail400(r, au, msg);
		struct err e = {0};
		const char *used = store_identifier_in_use(r->arena, in->identifiers, self_id, &e);
		if (!used)
			return fail_err(r, &e);
		if (*used)
			return phi_fail400(
			    r, au,
			    arena_printf(r->arena,
			                 "The external identifier %s is already in use by another "
			                 "patient.",
			                 used));
	}
	return 0;
}

/* POST /patients */
static int patient_create(struct request *r)
{
	static const char *const allowed[] = {
	    "organization_id", "telecom_email", "name_family", "name_given",
	    "birth_date",      "telecom_phone", "identifiers", NULL};
	static const char *const ignored[] = {"id", "jhe_user_id", "organizations", NULL};
	struct phi_audit au = {"create", "Patient", NULL, 0, NULL};
	json_object *body = api_body_object(r);
	if (!body)
		return phi_fail(r, &au);
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, allowed, ignored);
	int64_t org = 0;
	bool has_org = false;
	bool org_ok = fe_int(r, &fe, body, "organization_id", &org, &has_org);
	const char *email_in = NULL;
	fe_string(r, &fe, body, "telecom_email", &email_in, NULL);
	struct patient_input in = {0};
	json_object *ids = NULL;
	if (read_patient_fields(r, &au, &fe, body, &in, &ids))
		return -1;
	if (!has_org || !org_ok)
		return phi_fail400(r, &au, "organizationId is required.");
	struct patient_facts f;
	struct err e = {0};
	if (store_patient_facts(r->arena, uid(r), 0, org, &f, &e))
		return fail_err(r, &e);
	if (!f.can_manage_org)
		return phi_deny(r, &au, ERR_FORBIDDEN, MSG_DENIED);
	if (!f.org_exists)
		return phi_fail400(r, &au, "Organization not found.");
	if (org == 0)
		return phi_fail400(r, &au, "Patients cannot be added to the ROOT organization.");
	bool empty;
	in.email = api_email(r, email_in, &empty);
	if (empty)
		return phi_fail400(r, &au, "Email is required to create a patient.");
	if (!in.email)
		return phi_fail400(r, &au, "Enter a valid email address.");
	if (check_patient_values(r, &au, &in, ids, 0))
		return -1;
	if (db_begin(&e))
		return fail_err(r, &e);
	int64_t pid = store_patient_create(r->arena, &in, org, &e);
	if (pid < 0)
		return phi_fail_err(r, &au, &e);
	au.resource_id = phi_id(r, pid);
	au.patient_id = pid;
	if (phi_commit(r, &au, 201, &e))
		return -1;
	return api_reply(r, 201, store_patient_json(r->arena, pid, &e), &e);
}

/* The organizationId parameter of update/delete/global_add_organization: 0 ok (*org set), -1. */
static int org_param(struct request *r, const struct phi_audit *au, int64_t *org)
{
	int rc = api_param_id(r, "organization_id", org);
	if (rc < 0)
		return phi_fail(r, au);
	if (rc == 0)
		return phi_fail400(r, au, "organizationId parameter required");
	return 0;
}

/* A request on the patient {id} in the organization given by the organizationId parameter. */
struct patient_in_org {
	int64_t pid, org;
	struct phi_audit au;
};

static int patient_in_org(struct request *r, const char *action, struct patient_in_org *p)
{
	p->pid = req_path_id(r, "id");
	p->au = (struct phi_audit){action, "Patient", phi_id(r, p->pid), p->pid, NULL};
	p->org = 0;
	return org_param(r, &p->au, &p->org);
}

/* The checks of §7.4 step 1 (update and delete). */
static int member_checks(struct request *r, const struct phi_audit *au, int64_t pid, int64_t org,
                         struct patient_facts *f)
{
	struct err e = {0};
	if (store_patient_facts(r->arena, uid(r), pid, org, f, &e))
		return fail_err(r, &e);
	if (!f->exists)
		return phi_deny(r, au, ERR_NOT_FOUND, MSG_NO_PATIENT);
	if (!f->can_manage_org)
		return phi_deny(r, au, ERR_FORBIDDEN, MSG_DENIED);
	if (!f->in_org)
		return phi_fail400(
		    r, au,
		    arena_printf(r->arena, "Patient %lld is not a member of organization %lld.",
		                 (long long)pid, (long long)org));
	return 0;
}

/* PUT/PATCH /patients/{id}?organizationId=X */
static int patient_update(struct request *r)
{
	static const char *const allowed[] = {"name_family",   "name_given",  "birth_date",
	                                      "telecom_phone", "identifiers", NULL};
	static const char *const ignored[] = {"id", "jhe_user_id", "telecom_email", "organizations",
	                                      NULL};
	int64_t pid = req_path_id(r, "id");
	struct phi_audit au = {"update", "Patient", phi_id(r, pid), pid, NULL};
	json_object *body = NULL;
	if (phi_body(r, &body))
		return phi_fail(r, &au);
	if (!body)
		body = arena_json(r->arena, json_object_new_object());
	int64_t org = 0;
	if (org_param(r, &au, &org))
		return -1;
	struct patient_facts f;
	if (member_checks(r, &au, pid, org, &f))
		return -1;
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, allowed, ignored);
	struct patient_input in = {0};
	json_object *ids = NULL;
	if (read_patient_fields(r, &au, &fe, body, &in, &ids))
		return -1;
	if (check_patient_values(r, &au, &in, ids, pid))
		return -1;
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	if (store_patient_update(r->arena, pid, &in, &e))
		return phi_fail_err(r, &au, &e);
	if (phi_commit(r, &au, 200, &e))
		return -1;
	return api_reply(r, 200, store_patient_json(r->arena, pid, &e), &e);
}

/* DELETE /patients/{id}?organizationId=X */
static int patient_delete(struct request *r)
{
	struct patient_in_org p;
	struct patient_facts f;
	if (patient_in_org(r, "delete", &p) || member_checks(r, &p.au, p.pid, p.org, &f))
		return -1;
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	bool deleted = false;
	if (store_patient_remove_org(r->arena, p.pid, p.org, &deleted, &e))
		return phi_fail_err(r, &p.au, &e);
	p.au.detail = arena_printf(r->arena, "{\"organizationId\":%lld,\"patientDeleted\":%s}",
	                           (long long)p.org, deleted ? "true" : "false");
	return phi_commit_empty(r, &p.au, 204, &e);
}

/* GET /patients/global_lookup?email= */
static int patient_global_lookup(struct request *r)
{
	struct phi_audit au = {"search", "Patient", NULL, 0, NULL};
	struct err e = {0};
	int ok = store_user_manages_patients_somewhere(r->arena, uid(r), &e);
	if (ok < 0)
		return fail_err(r, &e);
	if (!ok)
		return phi_deny(r, &au, ERR_FORBIDDEN, MSG_DENIED);
	const char *email = api_param(r, "email", NULL);
	while (email && *email == ' ')
		email++;
	if (!email || !*email)
		return phi_fail400(r, &au, "email parameter required");
	size_t n = strlen(email);
	while (n && email[n - 1] == ' ')
		n--;
	int64_t pid = 0;
	char *json =
	    store_patient_lookup_email(r->arena, arena_strndup(r->arena, email, n), &pid, &e);
	if (api_reply(r, 200, json, &e))
		return -1;
	struct phi_page pg = {.rows = pid ? 1 : 0,
	                      .patient_ids =
	                          pid ? arena_printf(r->arena, "[%lld]", (long long)pid) : "[]"};
	au.patient_id = pid;
	au.detail = phi_search_detail(r, &pg);
	return phi_audit(r, &au, 200);
}

/* PATCH /patients/{id}/global_add_organization?organizationId=X */
static int patient_add_org(struct request *r)
{
	struct patient_in_org p;
	if (patient_in_org(r, "update", &p))
		return -1;
	struct patient_facts f;
	struct err e = {0};
	if (store_patient_facts(r->arena, uid(r), p.pid, p.org, &f, &e))
		return fail_err(r, &e);
	if (!f.exists)
		return phi_deny(r, &p.au, ERR_NOT_FOUND, MSG_NO_PATIENT);
	if (!f.can_manage_org)
		return phi_deny(r, &p.au, ERR_FORBIDDEN, MSG_DENIED);
	/* Joining an organization opens the patient's data to its studies: the patient's current
	 * organizations decide (doc/admin-api-notes.md, "Adding a patient to an organization"). */
	if (!f.may_extend_orgs)
		return phi_deny(
		    r, &p.au, ERR_FORBIDDEN,
		    "Only a manager of one of this patient's organizations can add them to "
		    "another organization.");
	if (!f.org_exists)
		return phi_fail400(r, &p.au, "Organization not found.");
	if (p.org == 0)
		return phi_fail400(r, &p.au, "Patients cannot be added to the ROOT organization.");
	if (f.in_org)
		return phi_fail400(r, &p.au,
		                   "This patient is already a member of this organization.");
	if (db_begin(&e))
		return fail_err(r, &e);
	if (store_patient_add_org(r->arena, p.pid, p.org, &e))
		return phi_fail_err(r, &p.au, &e);
	p.au.detail = arena_printf(r->arena, "{\"organizationId\":%lld}", (long long)p.org);
	if (phi_commit(r, &p.au, 200, &e))
		return -1;
	return api_reply(r, 200, store_patient_json(r->arena, p.pid, &e), &e);
}

/* GET /patients/me */
static int patient_me(struct request *r)
{
	int64_t pid = r->principal->patient_id;
	struct phi_audit au = {"read", "Patient", pid ? phi_id(r, pid) : NULL, pid, NULL};
	if (!pid)
		return phi_deny(r, &au, ERR_FORBIDDEN, "Current user is not a patient.");
	struct err e = {0};
	return phi_read_reply(r, &au, store_patient_json(r->arena, pid, &e), &e);
}

/* GET /patients/{id}/consolidated_clients */
static int patient_consolidated_clients(struct request *r)
{
	int64_t pid = req_path_id(r, "id");
	struct phi_audit au = {"read", "Client", NULL, pid, NULL};
	if (patient_visible(r, &au, pid))
		return -1;
	struct err e = {0};
	return phi_read_reply(r, &au, store_patient_consolidated_clients(r->arena, pid, &e), &e);
}

const struct route api_patient_routes[] = {
    {"GET", "/api/v1/patients", patients_list, ROUTE_AUTH},
    {"POST", "/api/v1/patients", patient_create, ROUTE_AUTH},
    {"GET", "/api/v1/patients/global_lookup", patient_global_lookup, ROUTE_AUTH},
    {"GET", "/api/v1/patients/me", patient_me, ROUTE_AUTH},
    {"GET", "/api/v1/patients/{id}", patient_get, ROUTE_AUTH},
    {"PUT", "/api/v1/patients/{id}", patient_update, ROUTE_AUTH},
    {"PATCH", "/api/v1/patients/{id}", patient_update, ROUTE_AUTH},
    {"DELETE", "/api/v1/patients/{id}", patient_delete, ROUTE_AUTH},
    {"PATCH", "/api/v1/patients/{id}/global_add_organization", patient_add_org, ROUTE_AUTH},
    {"GET", "/api/v1/patients/{id}/consolidated_clients", patient_consolidated_clients, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
