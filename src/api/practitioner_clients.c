/* /api/v1/practitioner_clients (admin-api.md §14): a practitioner's API keys. The key
 * (base64(client_id ":" secret)) is shown once; only the secret's digest is stored. */
#include "api/fields.h"
#include "auth/auth.h"

#include <sodium.h>
#include <string.h>

#define ONLY_PRACTITIONERS "Only practitioner users can manage practitioner clients."

/* The caller's practitioner row (superusers without one cannot own keys). */
static int require(struct request *r)
{
	if (api_require_practitioner(r, ONLY_PRACTITIONERS))
		return -1;
	if (!r->principal->practitioner_id)
		return fail_with(r, ERR_FORBIDDEN, ONLY_PRACTITIONERS);
	return 0;
}

/* The body's only field, label: an optional string of at most 200 characters (unknown fields
 * answer 400 first). */
static int read_label(struct request *r, json_object *body, const char **label)
{
	static const char *const allowed[] = {"label", NULL};
	static const char *const ignored[] = {"id", "created", "name", "key", NULL};
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, allowed, ignored);
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	bool present = false;
	*label = NULL;
	if (fe_string(r, &fe, body, "label", label, &present) && present && *label &&
	    utf8_len(*label, strlen(*label)) > 200)
		fe_add(r, &fe, "label", "Ensure this field has no more than 200 characters.");
	if (present && !*label && !fe_any(&fe))
		fe_add(r, &fe, "label", "This field may not be null.");
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	return 0;
}

static int keys_create(struct request *r)
{
	if (require(r))
		return -1;
	json_object *body = req_json_body(r, true);
	if (!body && r->err.kind != ERR_NONE)
		return -1;
	if (body && !json_object_is_type(body, json_type_object))
		return fail_msg400(r, "Expected a JSON object.");
	const char *label = NULL;
	if (body && read_label(r, body, &label))
		return -1;
	char client_id[17], secret[33];
	auth_random_alnum(client_id, 16);
	auth_random_alnum(secret, 32);
	unsigned char d[32];
	sha256(secret, strlen(secret), d);
	struct err e = {0};
	if (db_begin(&e))
		return fail_err(r, &e);
	char *json =
	    store_apikey_create(r->arena, r->principal->practitioner_id, r->principal->user_id,
	                        label ? label : "", client_id, d, &e);
	if (!json)
		return fail_err(r, &e);
	if (db_commit(&e))
		return fail_err(r, &e);
	/* replace the trailing "key":null with the key, shown this once */
	char *raw = arena_printf(r->arena, "%s:%s", client_id, secret);
	char *key = arena_alloc(r->arena, base64_encoded_len(strlen(raw)) + 1);
	base64_encode((const unsigned char *)raw, strlen(raw), key);
	sodium_memzero(secret, sizeof(secret));
	size_t n = strlen(json);
	const char *tail = "\"key\":null}";
	if (n < strlen(tail) || strcmp(json + n - strlen(tail), tail) != 0)
		return fail_with(r, ERR_INTERNAL, "unexpected API key row");
	json[n - strlen(tail)] = 0;
	resp_json_str(r, 201, arena_printf(r->arena, "%s\"key\":\"%s\"}", json, key));
	return 0;
}

static int keys_list(struct request *r)
{
	if (require(r))
		return -1;
	API_LIST(r, 1000,
	         store_apikey_list(r->arena, r->principal->practitioner_id, pg_.size, pg_.offset,
	                           &count_, &e_));
}

static int keys_get(struct request *r)
{
	if (require(r))
		return -1;
	struct err e = {0};
	return api_reply(
	    r, 200,
	    store_apikey_get(r->arena, r->principal->practitioner_id, req_path_id(r, "id"), &e),
	    &e);
}

static int keys_patch(struct request *r)
{
	if (require(r))
		return -1;
	json_object *body = api_body_object(r);
	if (!body)
		return -1;
	struct err e = {0};
	int64_t id = req_path_id(r, "id");
	if (!store_apikey_get(r->arena, r->principal->practitioner_id, id, &e))
		return fail_err(r, &e);
	const char *label = NULL;
	if (read_label(r, body, &label))
		return -1;
	if (db_begin(&e))
		return fail_err(r, &e);
	return api_commit_reply(
	    r, 200, store_apikey_update(r->arena, r->principal->practitioner_id, id, label, &e),
	    &e);
}

static int keys_delete(struct request *r)
{
	if (require(r))
		return -1;
	struct err e = {0};
	return api_commit_empty(r, 204,
	                        db_begin(&e) ||
	                            store_apikey_delete(r->arena, r->principal->practitioner_id,
	                                                req_path_id(r, "id"), &e),
	                        &e);
}

const struct route api_practitioner_client_routes[] = {
    {"GET", "/api/v1/practitioner_clients", keys_list, ROUTE_AUTH},
    {"POST", "/api/v1/practitioner_clients", keys_create, ROUTE_AUTH},
    {"GET", "/api/v1/practitioner_clients/{id}", keys_get, ROUTE_AUTH},
    {"PATCH", "/api/v1/practitioner_clients/{id}", keys_patch, ROUTE_AUTH},
    {"DELETE", "/api/v1/practitioner_clients/{id}", keys_delete, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
