/* /api/v1/data_sources (admin-api.md §12). */
#include "api/fields.h"

#include <string.h>

static const char *NF_DS = "No DataSource matches the given query.";
static const char *const DS_TYPES[] = {"medical_device", "personal_device", "patient_app", NULL};

static int ds_list(struct request *r)
{
	API_LIST(r, 20, store_data_source_list(r->arena, pg_.offset, pg_.size, &count_, &e_));
}

static int ds_get(struct request *r)
{
	return api_get_json(r, NULL, store_data_source_json);
}

static int ds_exists(struct request *r, int64_t id)
{
	return api_row_exists(r, "data_source", id, NF_DS);
}

/* A data source the caller may change: 404, then superuser (403). */
static int ds_manage(struct request *r, int64_t id)
{
	return ds_exists(r, id) || api_require_superuser(r) ? -1 : 0;
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

/* POST (create) and PUT/PATCH (id) of a data source. */
static int ds_write(struct request *r, bool create, int64_t id)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	if ((!create && ds_exists(r, id)) || api_require_superuser(r))
		return -1;
	const char *name = NULL, *type = NULL;
	if (ds_fields(r, body, create || !strcmp(r->method, "PUT"), &name, &type))
		return -1;
	struct err e = {0};
	if (db_begin(&e) || (create ? store_data_source_create(r->arena, name, type, &id, &e)
	                            : store_data_source_update(r->arena, id, name, type, &e)))
		return fail_err(r, &e);
	return api_commit_reply(r, create ? 201 : 200, store_data_source_json(r->arena, id, &e),
	                        &e);
}

static int ds_create(struct request *r)
{
	return ds_write(r, true, 0);
}

static int ds_update(struct request *r)
{
	return ds_write(r, false, req_path_id(r, "id"));
}

static int ds_delete(struct request *r)
{
	return api_delete(r, ds_manage, store_data_source_delete);
}

static int ds_all_scopes(struct request *r)
{
	struct err e = {0};
	return api_reply(r, 200, store_all_scopes(r->arena, &e), &e);
}

static int ss_get(struct request *r)
{
	return api_get_json(r, ds_exists, store_supported_scopes);
}

/* The data source (404), the superuser and the body's checked scopeCodeId of a supported-scope
 * POST/DELETE; a missing scope answers ["scope_code_id is required."]. */
static int ss_target(struct request *r, int64_t *id, int64_t *scope)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	*id = req_path_id(r, "id");
	if (ds_manage(r, *id))
		return -1;
	json_object *v;
	if (!json_object_object_get_ex(body, "scope_code_id", &v) || v == NULL)
		return fail_msg400(r, "scope_code_id is required.");
	struct field_errors fe = {0};
	bool present;
	if (!fe_int(r, &fe, body, "scope_code_id", scope, &present))
		return fe_fail(r, &fe);
	return api_ref_check(r, "codeable_concept", "scope_code_id", *scope);
}

static int ss_post(struct request *r)
{
	int64_t id, scope;
	if (ss_target(r, &id, &scope))
		return -1;
	struct err e = {0};
	char *json = NULL;
	int rc = store_supported_scope_add(r->arena, id, scope, &json, &e);
	return api_link_added(r, rc, json, &e,
	                      arena_printf(r->arena,
	                                   "Data source %lld already supports scope %lld.",
	                                   (long long)id, (long long)scope));
}

static int ss_delete(struct request *r)
{
	int64_t id, scope;
	if (ss_target(r, &id, &scope))
		return -1;
	struct err e = {0};
	return api_reply_empty(r, 204, store_supported_scope_remove(r->arena, id, scope, &e), &e);
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
