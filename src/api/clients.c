/* /api/v1/clients (admin-api.md §13) and /api/v1/oauth_applications (§13.1). */
#include "api/fields.h"
#include "auth/auth.h"

#include <string.h>

static const char *NF_APP = "No Application matches the given query.";

static int cl_list(struct request *r)
{
	API_LIST(r, 1000, store_client_list(r->arena, pg_.offset, pg_.size, &count_, &e_));
}

static int cl_get(struct request *r)
{
	return api_get_json(r, NULL, store_client_json);
}

/* A patient client exists (404 otherwise). */
static int cl_exists(struct request *r, int64_t id)
{
	struct err e = {0};
	return api_require(r, store_app_is_patient_client(r->arena, id, &e), &e, ERR_NOT_FOUND,
	                   NF_APP);
}

/* A patient client the caller may change: 404, then superuser (403). */
static int cl_manage(struct request *r, int64_t id)
{
	return cl_exists(r, id) || api_require_superuser(r) ? -1 : 0;
}

static bool client_id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 100)
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '~' || *c == '-'))
			return false;
	return true;
}

/* clientId of a body into fe (key "clientId", the spelling of admin-api.md §13). */
static void client_id_field(struct request *r, struct field_errors *fe, json_object *body,
                            bool required, const char **out)
{
	json_object *v;
	if (!json_object_object_get_ex(body, "client_id", &v)) {
		if (required)
			fe_add(r, fe, "clientId", "This field is required.");
		return;
	}
	if (v == NULL) {
		fe_add(r, fe, "clientId", "This field may not be null.");
		return;
	}
	if (!json_object_is_type(v, json_type_string)) {
		fe_add(r, fe, "clientId", "Not a valid string.");
		return;
	}
	const char *s = json_object_get_string(v);
	if (!*s) {
		fe_add(r, fe, "clientId", "This field may not be blank.");
		return;
	}
	if (!client_id_ok(s)) {
		fe_add(r, fe, "clientId", "Only letters, digits and . _ ~ - are allowed.");
		return;
	}
	*out = s;
}

static int cl_write(struct request *r, int64_t id, bool all_required)
{
	static const char *const fields[] = {"name", "client_id", "invitation_url", NULL};
	static const char *const ro[] = {"id", NULL};
	json_object *body = api_body(r);
	if (!body)
		return -1;
	if (id && cl_exists(r, id))
		return -1;
	if (api_require_superuser(r))
		return -1;
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, fields, ro);
	const char *name = NULL, *cid = NULL, *url = NULL;
	api_text(r, &fe, body, "name", all_required, false, false, 0, &name);
	client_id_field(r, &fe, body, all_required, &cid);
	json_object *v;
	if (json_object_object_get_ex(body, "invitation_url", &v)) {
		if (v == NULL)
			fe_add(r, &fe, "invitationUrl", "This field may not be null.");
		else if (!json_object_is_type(v, json_type_string))
			fe_add(r, &fe, "invitationUrl", "Not a valid string.");
		else if (!*json_object_get_string(v))
			fe_add(r, &fe, "invitationUrl", "This field may not be blank.");
		else if (!strstr(json_object_get_string(v), "CODE"))
			fe_add(r, &fe, "invitationUrl",
			       "The invitation URL must contain the placeholder CODE.");
		else
			url = json_object_get_string(v);
	} else if (all_required) {
		fe_add(r, &fe, "invitationUrl", "This field is required.");
	}
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	struct err e = {0};
	if (cid) {
		int t = store_client_id_taken(r->arena, cid, id, &e);
		if (t < 0)
			return fail_err(r, &e);
		if (t)
			return fail_withf(r, ERR_CONFLICT,
			                  "An OAuth client with clientId \"%s\" already exists.",
			                  cid);
	}
	if (db_begin(&e))
		return fail_err(r, &e);
	if (!id) {
		const char *site = store_setting_text(r->arena, "site.url", &e);
		if (e.kind)
			return fail_err(r, &e);
		if (!site || !*site)
			site = g_config.site_url;
		const char *redirect = arena_printf(r->arena, "%s/auth/callback", site);
		if (store_client_create(r->arena, name, cid, url, redirect, &id, &e))
			return fail_err(r, &e);
	} else if (store_client_update(r->arena, id, name, cid, url, &e)) {
		return fail_err(r, &e);
	}
	return api_commit_reply(r, strcmp(r->method, "POST") == 0 ? 201 : 200,
	                        store_client_json(r->arena, id, &e), &e);
}

static int cl_create(struct request *r)
{
	return cl_write(r, 0, true);
}

static int cl_update(struct request *r)
{
	return cl_write(r, req_path_id(r, "id"), strcmp(r->method, "PUT") == 0);
}

static int cl_delete(struct request *r)
{
	return api_delete(r, cl_manage, store_application_delete);
}

static int cds_get(struct request *r)
{
	return api_get_json(r, cl_exists, store_client_data_sources);
}

/* The client (404), the superuser and the body's checked dataSourceId of a POST/DELETE. */
static int cds_target(struct request *r, int64_t *id, int64_t *ds)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	*id = req_path_id(r, "id");
	if (cl_manage(r, *id))
		return -1;
	struct field_errors fe = {0};
	if (!api_id(r, &fe, body, "data_source_id", true, ds))
		return fe_fail(r, &fe);
	return api_ref_check(r, "data_source", "data_source_id", *ds);
}

static int cds_post(struct request *r)
{
	int64_t id, ds;
	if (cds_target(r, &id, &ds))
		return -1;
	struct err e = {0};
	char *json = NULL;
	int rc = store_client_data_source_add(r->arena, id, ds, &json, &e);
	return api_link_added(r, rc, json, &e,
	                      arena_printf(r->arena, "Client %lld already has data source %lld.",
	                                   (long long)id, (long long)ds));
}

static int cds_delete(struct request *r)
{
	int64_t id, ds;
	if (cds_target(r, &id, &ds))
		return -1;
	struct err e = {0};
	return api_reply_empty(r, 204, store_client_data_source_remove(r->arena, id, ds, &e), &e);
}

/* ---------- oauth_applications ---------- */

/* admin-api.md §13.1: create/update/delete rows with resource type Application, written in the
 * request's transaction. */
static int oa_audit(struct request *r, const char *action, int64_t id, int status)
{
	return api_audit(r, action, "Application", db_i64(r->arena, id), 0, status, NULL);
}

static int oa_list(struct request *r)
{
	if (api_require_superuser(r))
		return -1;
	API_LIST(r, 20, store_oauth_app_list(r->arena, pg_.offset, pg_.size, &count_, &e_));
}

/* The superuser and the application {id} (404 when absent) with its client type and grant. */
static int oa_target(struct request *r, int64_t *id, const char **client_type, const char **grant)
{
	if (api_require_superuser(r))
		return -1;
	*id = req_path_id(r, "id");
	struct err e = {0};
	const char *t = store_oauth_app_type(r->arena, *id, grant, &e);
	if (e.kind)
		return fail_err(r, &e);
	if (!t)
		return fail_with(r, ERR_NOT_FOUND, NF_APP);
	if (client_type)
		*client_type = t;
	return 0;
}

static int oa_get(struct request *r)
{
	return api_get_json(r, api_superuser_check, store_oauth_app_json);
}

/* Appends one redirect URI to the space-separated list b (*n counted); false (fe set) when
 * invalid. */
static bool add_redirect(struct request *r, struct field_errors *fe, struct buf *b, int *n,
                         const char *uri)
{
	if (!auth_redirect_uri_valid(uri)) {
		fe_add(r, fe, "redirect_uris",
		       arena_printf(r->arena, "Invalid redirect URI \"%s\".", uri));
		return false;
	}
	buf_printf(b, "%s%s", *n ? " " : "", uri);
	(*n)++;
	return true;
}

/* redirectUris: a JSON array of strings (a space-separated string is accepted too). Returns the
 * space-separated text or NULL (fe set); *n receives the count. */
static const char *redirect_field(struct request *r, struct field_errors *fe, json_object *body,
                                  int *n)
{
	json_object *v;
	*n = 0;
	if (!json_object_object_get_ex(body, "redirect_uris", &v) || v == NULL)
		return "";
	struct buf *b = buf_new(r->arena, 128);
	if (json_object_is_type(v, json_type_string)) {
		char *copy = arena_strdup(r->arena, json_object_get_string(v));
		char *save = NULL;
		for (char *t = strtok_r(copy, " \t\n", &save); t;
		     t = strtok_r(NULL, " \t\n", &save))
			if (!add_redirect(r, fe, b, n, t))
				return NULL;
		return b->data ? b->data : "";
	}
	if (!json_object_is_type(v, json_type_array)) {
		fe_add(r, fe, "redirect_uris", "Expected a list of items.");
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *it = json_object_array_get_idx(v, i);
		if (!it || !json_object_is_type(it, json_type_string)) {
			fe_add(r, fe, "redirect_uris", "Not a valid string.");
			return NULL;
		}
		if (!add_redirect(r, fe, b, n, json_object_get_string(it)))
			return NULL;
	}
	return *n ? b->data : "";
}

/* The redirect URIs a grant takes: at least one for the authorization code flow, none for
 * client credentials. */
static void redirect_rules(struct request *r, struct field_errors *fe, const char *uris, int n,
                           bool code_flow, bool client_credentials)
{
	if (uris && code_flow && n == 0)
		fe_add(r, fe, "redirect_uris", "At least one redirect URI is required.");
	if (uris && client_credentials && n > 0)
		fe_add(r, fe, "redirect_uris", "client_credentials clients have no redirect URIs.");
}

/* New secret: 32 characters [A-Za-z0-9]; *digest_hex receives the bytea literal of its SHA-256. */
static const char *new_secret(struct request *r, const char **digest_hex)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char *s = arena_alloc(r->arena, 33);
	const char *rnd = random_token(r->arena, 48);
	for (int i = 0; i < 32; i++)
		s[i] = alphabet[(unsigned char)rnd[i] % 62];
	s[32] = 0;
	unsigned char d[32];
	sha256(s, 32, d);
	*digest_hex = arena_printf(r->arena, "\\x%s", hex_encode(r->arena, d, 32));
	return s;
}

/* Append "clientSecret" to an Application JSON object. */
static const char *with_secret(struct request *r, const char *json, const char *secret)
{
	size_t n = strlen(json);
	return arena_printf(r->arena, "%.*s,\"clientSecret\":\"%s\"}", (int)(n - 1), json, secret);
}

/* The end of an Application create/update inside its transaction: the audit row, the row read
 * back (with the secret when one was just made), commit, answer status. */
static int oa_finish(struct request *r, const char *action, int64_t id, int status,
                     const char *secret)
{
	if (oa_audit(r, action, id, status))
		return -1;
	struct err e = {0};
	const char *json = store_oauth_app_json(r->arena, id, &e);
	if (json && secret)
		json = with_secret(r, json, secret);
	return api_commit_reply(r, status, json, &e);
}

/* An update of the application's row (NULL leaves a column), answered 200 (with the new secret,
 * when one was made). */
static int oa_save(struct request *r, int64_t id, const char *name, const char *uris,
                   const char *digest, const char *secret)
{
	struct err e = {0};
	if (db_begin(&e) || store_oauth_app_update(r->arena, id, name, uris, digest, &e))
		return fail_err(r, &e);
	return oa_finish(r, "update", id, 200, secret);
}

static int oa_create(struct request *r)
{
	static const char *const fields[] = {"name",       "client_id",     "client_type",
	                                     "grant_type", "redirect_uris", NULL};
	static const char *const ro[] = {"id", "created", "updated", NULL};
	json_object *body = api_superuser_body(r);
	if (!body)
		return -1;
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, fields, ro);
	const char *name = NULL, *cid = NULL, *type = "public", *grant = "authorization_code";
	api_text(r, &fe, body, "name", true, false, false, 0, &name);
	client_id_field(r, &fe, body, true, &cid);
	const char *t = NULL;
	if (api_text(r, &fe, body, "client_type", false, false, false, 0, &t)) {
		if (strcmp(t, "public") && strcmp(t, "confidential"))
			fe_add(r, &fe, "client_type",
			       arena_printf(r->arena, "\"%s\" is not a valid choice.", t));
		else
			type = t;
	}
	if (api_text(r, &fe, body, "grant_type", false, false, false, 0, &t)) {
		if (strcmp(t, "authorization_code") && strcmp(t, "client_credentials"))
			fe_add(r, &fe, "grantType",
			       arena_printf(r->arena, "\"%s\" is not a valid choice.", t));
		else
			grant = t;
	}
	int n = 0;
	const char *uris = redirect_field(r, &fe, body, &n);
	if (!strcmp(grant, "client_credentials") && !strcmp(type, "public"))
		fe_add(r, &fe, "grantType", "Public clients cannot use client_credentials.");
	redirect_rules(r, &fe, uris, n, !strcmp(grant, "authorization_code"),
	               !strcmp(grant, "client_credentials"));
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	struct err e = {0};
	int taken = store_client_id_taken(r->arena, cid, 0, &e);
	if (taken < 0)
		return fail_err(r, &e);
	if (taken)
		return fail_withf(r, ERR_CONFLICT,
		                  "An OAuth client with clientId \"%s\" already exists.", cid);
	const char *secret = NULL, *digest = NULL;
	if (!strcmp(type, "confidential"))
		secret = new_secret(r, &digest);
	int64_t id;
	if (db_begin(&e) ||
	    store_oauth_app_create(r->arena, name, cid, type,
	                           !strcmp(grant, "client_credentials") ? "client-credentials"
	                                                                : "authorization-code",
	                           uris, digest, &id, &e))
		return fail_err(r, &e);
	return oa_finish(r, "create", id, 201, secret);
}

static int oa_update(struct request *r)
{
	static const char *const fields[] = {"name", "redirect_uris", NULL};
	static const char *const ro[] = {"id",      "client_id", "client_type", "grant_type",
	                                 "created", "updated",   NULL};
	json_object *body = api_body(r);
	int64_t id;
	const char *grant = NULL;
	if (!body || oa_target(r, &id, NULL, &grant))
		return -1;
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, fields, ro);
	const char *name = NULL;
	api_text(r, &fe, body, "name", false, false, false, 0, &name);
	int n = 0;
	const char *uris = NULL;
	if (json_object_object_get_ex(body, "redirect_uris", NULL)) {
		uris = redirect_field(r, &fe, body, &n);
		redirect_rules(r, &fe, uris, n, !strcmp(grant, "authorization-code"),
		               !strcmp(grant, "client-credentials"));
	}
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	return oa_save(r, id, name, uris, NULL, NULL);
}

static int oa_rotate(struct request *r)
{
	int64_t id;
	const char *type = NULL;
	if (oa_target(r, &id, &type, NULL))
		return -1;
	if (strcmp(type, "confidential"))
		return fail_msg400(r, "Only confidential clients have a secret.");
	const char *digest = NULL;
	const char *secret = new_secret(r, &digest);
	return oa_save(r, id, NULL, NULL, digest, secret);
}

static int oa_delete(struct request *r)
{
	int64_t id;
	if (oa_target(r, &id, NULL, NULL))
		return -1;
	struct err e = {0};
	if (db_begin(&e) || store_application_delete(r->arena, id, &e))
		return fail_err(r, &e);
	return api_commit_audited(r, oa_audit(r, "delete", id, 204), 204, &e);
}

const struct route api_clients_routes[] = {
    {"GET", "/api/v1/clients", cl_list, ROUTE_AUTH},
    {"POST", "/api/v1/clients", cl_create, ROUTE_AUTH},
    {"GET", "/api/v1/clients/{id}", cl_get, ROUTE_AUTH},
    {"PUT", "/api/v1/clients/{id}", cl_update, ROUTE_AUTH},
    {"PATCH", "/api/v1/clients/{id}", cl_update, ROUTE_AUTH},
    {"DELETE", "/api/v1/clients/{id}", cl_delete, ROUTE_AUTH},
    {"GET", "/api/v1/clients/{id}/data_sources", cds_get, ROUTE_AUTH},
    {"POST", "/api/v1/clients/{id}/data_sources", cds_post, ROUTE_AUTH},
    {"DELETE", "/api/v1/clients/{id}/data_sources", cds_delete, ROUTE_AUTH},
    {"GET", "/api/v1/oauth_applications", oa_list, ROUTE_AUTH},
    {"POST", "/api/v1/oauth_applications", oa_create, ROUTE_AUTH},
    {"GET", "/api/v1/oauth_applications/{id}", oa_get, ROUTE_AUTH},
    {"PATCH", "/api/v1/oauth_applications/{id}", oa_update, ROUTE_AUTH},
    {"DELETE", "/api/v1/oauth_applications/{id}", oa_delete, ROUTE_AUTH},
    {"POST", "/api/v1/oauth_applications/{id}/rotate_secret", oa_rotate, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
