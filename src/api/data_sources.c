/* /api/v1/data_sources (admin-api.md §12). */
#include "api/fields.h"

#include <string.h>

static const char *NF_DS = "No DataSource matches the given query.";
static const char *const DS_TYPES[] = {"medical_device", "personal_device", "patient_app", NULL};

static int ds_list(struct request *r)
{
	API_A_LIST(r, 20, store_data_source_list(r->arena, pg_.offset, pg_.size, &count_, &e_));
}

static int ds_get(struct request *r)
{
	struct err e = {0};
	char *json = store_data_source_json(r->arena, req_path_id(r, "id"), &e);
	if (!json)
		return fail_err(r, &e);
	resp_json_str(r, 200, json);
	return 0;
}

static int ds_exists(struct request *r, int64_t id)
{
	struct err e = {0};
	int ex = store_row_exists(r->arena, "data_source", id, &e);
	if (ex < 0)
		return fail_err(r, &e);
	if (!ex)
		return fail_with(r, ERR_NOT_FOUND, NF_DS);
	return 0;
}

static const char *const DS_FIELDS[] = {"name", "type", NULL};
static const char *const DS_READONLY[] = {"id", "supported_scopes", NULL};

static int ds_fields(struct request *r, json_object *body, bool req_name, const char **name,
                     const char **type)
{
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, DS_FIELDS, DS_READONLY);
	api_text(r, &fe, body, "name", req_name, false, false, 0, name);
	const char *t = NULL;
	if (api_text(r, &fe, body, "type", false, false, false, 0, &t)) {
		if (!api_in(t, DS_TYPES))
			fe_add(r, &fe, "type",
			       arena_printf(r->arena, "\"%s\" is not a valid choice.", t));
		else
			*type = t;
	}
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	return 0;
}

static int ds_create(struct request *r)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	if (api_require_superuser(r))
		return -1;
	const char *name = NULL, *type = NULL;
	if (ds_fields(r, body, true, &name, &type))
		return -1;
	struct err e = {0};
	int64_t id;
	if (db_begin(&e) || store_data_source_create(r->arena, name, type, &id, &e))
		return fail_err(r, &e);
	char *json = store_data_source_json(r->arena, id, &e);
	if (!json || db_commit(&e))
		return fail_err(r, &e);
	resp_json_str(r, 201, json);
	return 0;
}

static int ds_update(struct request *r)
{
	bool put = strcmp(r->method, "PUT") == 0;
	json_object *body = api_body(r);
	if (!body)
		return -1;
	int64_t id = req_path_id(r, "id");
	if (ds_exists(r, id) || api_require_superuser(r))
		return -1;
	const char *name = NULL, *type = NULL;
	if (ds_fields(r, body, put, &name, &type))
		return -1;
	struct err e = {0};
	if (db_begin(&e) || store_data_source_update(r->arena, id, name, type, &e))
		return fail_err(r, &e);
	char *json = store_data_source_json(r->arena, id, &e);
	if (!json || db_commit(&e))
		return fail_err(r, &e);
	resp_json_str(r, 200, json);
	return 0;
}

static int ds_delete(struct request *r)
{
	int64_t id = req_path_id(r, "id");
	if (ds_exists(r, id) || api_require_superuser(r))
		return -1;
	struct err e = {0};
	if (db_begin(&e) || store_data_source_delete(r->arena, id, &e) || db_commit(&e))
		return fail_err(r, &e);
	resp_empty(r, 204);
	return 0;
}

static int ds_all_scopes(struct request *r)
{
	struct err e = {0};
	char *json = store_all_scopes(r->arena, &e);
	if (!json)
		return fail_err(r, &e);
	resp_json_str(r, 200, json);
	return 0;
}

static int ss_get(struct request *r)
{
	int64_t id = req_path_id(r, "id");
	if (ds_exists(r, id))
		return -1;
	struct err e = {0};
	char *json = store_supported_scopes(r->arena, id, &e);
	if (!json)
		return fail_err(r, &e);
	resp_json_str(r, 200, json);
	return 0;
}

/* scopeCodeId of a supported-scope body: missing -> ["scope_code_id is required."] */
static int ss_scope(struct request *r, json_object *body, int64_t *scope)
{
	json_object *v;
	if (!json_object_object_get_ex(body, "scope_code_id", &v) || v == NULL)
		return fail_msg400(r, "scope_code_id is required.");
	struct field_errors fe = {0};
	bool present;
	if (!fe_int(r, &fe, body, "scope_code_id", scope, &present))
		return fe_fail(r, &fe);
	struct err e = {0};
	int ex = store_row_exists(r->arena, "codeable_concept", *scope, &e);
	if (ex < 0)
		return fail_err(r, &e);
	if (!ex) {
		api_invalid_pk(r, &fe, "scope_code_id", *scope);
		return fe_fail(r, &fe);
	}
	return 0;
}

static int ss_post(struct request *r)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	int64_t id = req_path_id(r, "id"), scope;
	if (ds_exists(r, id) || api_require_superuser(r) || ss_scope(r, body, &scope))
		return -1;
	struct err e = {0};
	char *json = NULL;
	int rc = store_supported_scope_add(r->arena, id, scope, &json, &e);
	if (rc < 0)
		return fail_err(r, &e);
	if (rc == 1)
		return fail_withf(r, ERR_CONFLICT, "Data source %lld already supports scope %lld.",
		                  (long long)id, (long long)scope);
	resp_json_str(r, 201, json);
	return 0;
}

static int ss_delete(struct request *r)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	int64_t id = req_path_id(r, "id"), scope;
	if (ds_exists(r, id) || api_require_superuser(r) || ss_scope(r, body, &scope))
		return -1;
	struct err e = {0};
	if (store_supported_scope_remove(r->arena, id, scope, &e))
		return fail_err(r, &e);
	resp_empty(r, 204);
	return 0;
}

const struct route api_data_sources_routes[] = {
    {"GET", "/api/v1/data_sources", ds_list, ROUTE_AUTH},
    {"POST", "/api/v1/data_sources", ds_create, ROUTE_AUTH},
    {"GET", "/api/v1/data_sources/all_scopes", ds_all_scopes, ROUTE_AUTH},
    {"GET", "/api/v1/data_sources/{id}", ds_get, ROUTE_AUTH},
    {"PUT", "/api/v1/data_sources/{id}", ds_update, ROUTE_AUTH},
    {"PATCH", "/api/v1/data_sources/{id}", ds_update, ROUTE_AUTH},
    {"DELETE", "/api/v1/data_sources/{id}", ds_delete, ROUTE_AUTH},
    {"GET", "/api/v1/data_sources/{id}/supported_scopes", ss_get, ROUTE_AUTH},
    {"POST", "/api/v1/data_sources/{id}/supported_scopes", ss_post, ROUTE_AUTH},
    {"DELETE", "/api/v1/data_sources/{id}/supported_scopes", ss_delete, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
