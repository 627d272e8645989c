/* /api/v1/invitation (admin-api.md §9): create, list, read, cancel, and the anonymous
 * redemption route POST /api/v1/invitation/{token}. */
#include "api/fields.h"
#include "auth/auth.h"

#include <ctype.h>
#include <string.h>

/* The invitation {id} as the caller may see it (404 otherwise); *pid its patient. */
static char *load(struct request *r, int64_t id, int64_t *pid)
{
	struct err e = {0};
	char *json = store_invitation_get(r->arena, r->principal->user_id,
	                                  r->principal->is_superuser, id, pid, &e);
	if (!json)
		fail_err(r, &e);
	return json;
}

/* The host part of site.url including a non-default port. */
static const char *site_host(struct arena *a, const char *site)
{
	const char *h = strstr(site, "://");
	h = h ? h + 3 : site;
	size_t n = strcspn(h, "/?#");
	return arena_strndup(a, h, n);
}

static char *replace_code(struct arena *a, const char *tmpl, const char *code)
{
	struct buf *b = buf_new(a, strlen(tmpl) + strlen(code) * 2);
	for (const char *p = tmpl; *p;) {
		if (!strncmp(p, "CODE", 4)) {
			buf_puts(b, code);
			p += 4;
		} else {
			buf_putc(b, *p++);
		}
	}
	return b->data;
}

static int inv_create(struct request *r)
{
	json_object *body = api_body_object(r);
	if (!body)
		return -1;
	struct field_errors fe = {0};
	int64_t patient_id = 0, app_id = 0;
	bool send_email = false, has_p = false, has_c = false, has_s = false;
	bool ok_p = fe_int(r, &fe, body, "patient_id", &patient_id, &has_p);
	bool ok_c = fe_int(r, &fe, body, "client_id", &app_id, &has_c);
	fe_bool(r, &fe, body, "send_email", &send_email, &has_s);
	if (!has_p)
		fe_add(r, &fe, "patient_id", "This field is required.");
	if (!has_c)
		fe_add(r, &fe, "client_id", "This field is required.");
	if (fe_any(&fe) || !ok_p || !ok_c)
		return fe_fail(r, &fe);
	char token[33];
	auth_random_alnum(token, 32);
	struct inv_create_in in = {
	    .caller_user_id = r->principal->user_id,
	    .patient_id = patient_id,
	    .application_id = app_id,
	    .token_hash = sha256_b64url(r->arena, token),
	};
	struct inv_create_out out;
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	if (store_invitation_create(r->arena, &in, &out, &e)) {
		db_rollback();
		if (e.kind == ERR_FORBIDDEN || e.kind == ERR_NOT_FOUND ||
		    e.kind == ERR_BAD_REQUEST) {
			int st = err_http_status(&e);
			bool known = e.kind != ERR_NOT_FOUND || strstr(e.msg, "Application");
			if (api_audit(r, st == 403 ? "access.denied" : "create",
			              "PatientInvitation", NULL, known ? patient_id : 0, st, NULL))
				return -1;
		}
		return fail_err(r, &e);
	}
	if (api_audit(r, "create", "PatientInvitation", db_i64(r->arena, out.id), patient_id, 201,
	              NULL))
		return -1;
	if (db_commit(&e))
		return fail_err(r, &e);
	char *code = auth_pct_encode(
	    r->arena, arena_printf(r->arena, "%s_%s", site_host(r->arena, out.site_url), token));
	struct buf *b = buf_new(r->arena, 512);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kint(&w, "id", out.id);
	jw_kint(&w, "patientId", out.patient_id);
	jw_kint(&w, "client_id", out.application_id);
	jw_kstr(&w, "tokenHash", in.token_hash);
	jw_kstr(&w, "token", token);
	jw_kstr(&w, "status", out.status);
	jw_kstr(&w, "lastUpdated", out.last_updated);
	jw_kstr(&w, "invitationLink", replace_code(r->arena, out.invitation_url, code));
	jw_kbool(&w, "emailSent", false);
	jw_obj_end(&w);
	resp_json(r, 201, b);
	return 0;
}

static int inv_list(struct request *r)
{
	if (api_require_practitioner(r, NULL))
		return -1;
	struct page pg;
	if (api_page_parse(r, 1000, &pg))
		return -1;
	int64_t patient_id = 0;
	if (api_param_id(r, "patient_id", &patient_id) < 0)
		return -1;
	const char *status = api_param(r, "status", NULL);
	int64_t count = 0;
	char *json;
	API_PAGE_LOAD(r, pg, count, json,
	              store_invitation_list(r->arena, r->principal->user_id,
	                                    r->principal->is_superuser, patient_id, status, pg.size,
	                                    pg.offset, &count, &e_));
	/* audit detail of a search (data-model.md §7): rows returned and their distinct patients */
	char err[128];
	json_object *rows = json_parse(r->arena, json, strlen(json), err, sizeof(err), NULL);
	size_t n_rows =
	    rows && json_object_is_type(rows, json_type_array) ? json_object_array_length(rows) : 0;
	int64_t *pids = arena_alloc(r->arena, (n_rows + 1) * sizeof(int64_t));
	size_t n_pids = 0;
	for (size_t i = 0; i < n_rows; i++) {
		int64_t pid;
		if (!json_get_int(json_object_array_get_idx(rows, i), "patientId", &pid))
			continue;
		bool seen = false;
		for (size_t k = 0; k < n_pids; k++)
			seen = seen || pids[k] == pid;
		if (!seen)
			pids[n_pids++] = pid;
	}
	struct buf *d = buf_new(r->arena, 128);
	struct jw w;
	jw_init(&w, d);
	jw_obj_begin(&w);
	jw_kstr(&w, "query", r->query ? r->query : "");
	jw_kint(&w, "count", (int64_t)n_rows);
	jw_key(&w, "patientIds");
	jw_arr_begin(&w);
	for (size_t k = 0; k < n_pids; k++)
		jw_int(&w, pids[k]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (!patient_id && n_pids == 1)
		patient_id = pids[0];
	if (api_audit(r, "search", "PatientInvitation", NULL, patient_id, 200, d->data))
		return -1;
	api_page_respond(r, &pg, count, json);
	return 0;
}

static int inv_get(struct request *r)
{
	if (api_require_practitioner(r, NULL))
		return -1;
	int64_t pid = 0, id = req_path_id(r, "id");
	char *json = load(r, id, &pid);
	if (!json)
		return -1;
	if (api_audit(r, "read", "PatientInvitation", db_i64(r->arena, id), pid, 200, NULL))
		return -1;
	resp_json_str(r, 200, json);
	return 0;
}

static int inv_patch(struct request *r)
{
	if (api_require_practitioner(r, NULL))
		return -1;
	json_object *body = api_body_object(r);
	if (!body)
		return -1;
	int64_t pid = 0, id = req_path_id(r, "id");
	if (!load(r, id, &pid))
		return -1;
	const char *status = json_get_str(body, "status");
	if (!status || strcmp(status, "cancelled") != 0)
		return fail_body(r, ERR_BAD_REQUEST,
		                 "{\"status\":[\"Only \\\"cancelled\\\" can be set.\"]}");
	int64_t fams[64];
	int nf = 0;
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	if (store_invitation_cancel(r->arena, id, fams, &nf, &e))
		return fail_err(r, &e);
	if (api_audit(r, "update", "PatientInvitation", db_i64(r->arena, id), pid, 200, NULL))
		return -1;
	for (int i = 0; i < nf; i++)
		if (api_audit(r, "token.revoked", "Token", db_i64(r->arena, fams[i]), 0, 200,
		              "{\"reason\":\"invitation_cancelled\"}"))
			return -1;
	return api_commit_reply(r, 200,
	                        store_invitation_get(r->arena, r->principal->user_id,
	                                             r->principal->is_superuser, id, &pid, &e),
	                        &e);
}

/* The segment after /api/v1/invitation/ decides the route (§9.3). */
static bool is_token(const char *s)
{
	if (strlen(s) != 32)
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) || (unsigned char)*p > 127)
			return false;
	return true;
}

static bool is_id(const char *s)
{
	int64_t v;
	return str_to_i64(s, &v) && s[0] != '-' && !(s[0] == '0' && s[1]);
}

static int inv_token_route(struct request *r)
{
	const char *seg = req_path_str(r, "token");
	if (seg && is_token(seg)) {
		if (!strcmp(r->method, "POST"))
			return auth_invitation_redeem(r, seg);
		return fail_method(r, "POST, OPTIONS");
	}
	if (seg && is_id(seg)) {
		/* the invitation id route: authentication first, then 405 */
		int rc = auth_bearer(r);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return fail_with(r, ERR_UNAUTHORIZED,
			                 "Authentication credentials were not provided.");
		return fail_method(r, "GET, PATCH, HEAD, OPTIONS");
	}
	return fail_with(r, ERR_NOT_FOUND, "Not found.");
}

const struct route api_invitation_routes[] = {
    {"POST", "/api/v1/invitation", inv_create, ROUTE_AUTH},
    {"GET", "/api/v1/invitation", inv_list, ROUTE_AUTH},
    {"GET", "/api/v1/invitation/{id}", inv_get, ROUTE_AUTH},
    {"PATCH", "/api/v1/invitation/{id}", inv_patch, ROUTE_AUTH},
    {"POST", "/api/v1/invitation/{token:s}", inv_token_route, ROUTE_PUBLIC},
    {"GET", "/api/v1/invitation/{token:s}", inv_token_route, ROUTE_PUBLIC},
    {"PUT", "/api/v1/invitation/{token:s}", inv_token_route, ROUTE_PUBLIC},
    {"PATCH", "/api/v1/invitation/{token:s}", inv_token_route, ROUTE_PUBLIC},
    {"DELETE", "/api/v1/invitation/{token:s}", inv_token_route, ROUTE_PUBLIC},
    {NULL, NULL, NULL, 0},
};
