/* The endings every Admin API handler shares: answer a store read, commit and answer, the 404 of
 * a missing row, and the "Invalid pk" check of a referenced id (declared in api/api.h). */
#include "api/fields.h"

int api_reply(struct request *r, int status, const char *json, const struct err *e)
{
	if (!json)
		return fail_err(r, e);
	resp_json_str(r, status, json);
	return 0;
}

int api_get_json(struct request *r, api_check_fn check, api_json_fn json)
{
	int64_t id = req_path_id(r, "id");
	if (check && check(r, id))
		return -1;
	struct err e = {0};
	return api_reply(r, 200, json(r->arena, id, &e), &e);
}

int api_delete(struct request *r, api_check_fn check, api_delete_fn del)
{
	int64_t id = req_path_id(r, "id");
	if (check && check(r, id))
		return -1;
	struct err e = {0};
	return api_commit_empty(r, 204, db_begin(&e) || del(r->arena, id, &e), &e);
}

int api_commit_audited(struct request *r, int audited, int status, struct err *e)
{
	if (audited)
		return -1;
	return api_commit_empty(r, status, false, e);
}

int api_superuser_check(struct request *r, int64_t id)
{
	(void)id;
	return api_require_superuser(r);
}

int api_commit_reply(struct request *r, int status, const char *json, struct err *e)
{
	if (!json || db_commit(e))
		return fail_err(r, e);
	resp_json_str(r, status, json);
	return 0;
}

int api_commit_empty(struct request *r, int status, bool failed, struct err *e)
{
	if (failed || db_commit(e))
		return fail_err(r, e);
	resp_empty(r, status);
	return 0;
}

int api_reply_empty(struct request *r, int status, bool failed, const struct err *e)
{
	if (failed)
		return fail_err(r, e);
	resp_empty(r, status);
	return 0;
}

int api_link_added(struct request *r, int rc, const char *json, const struct err *e,
                   const char *conflict)
{
	if (rc < 0)
		return fail_err(r, e);
	if (rc == 1)
		return fail_with(r, ERR_CONFLICT, conflict);
	resp_json_str(r, 201, json);
	return 0;
}

json_object *api_superuser_body(struct request *r)
{
	json_object *body = api_body(r);
	if (!body || api_require_superuser(r))
		return NULL;
	return body;
}

int api_found(struct request *r, int rc, const struct err *e, const char *not_found)
{
	if (rc < 0)
		return fail_err(r, e);
	if (rc)
		return fail_with(r, ERR_NOT_FOUND, not_found);
	return 0;
}

int api_require(struct request *r, int ok, const struct err *e, enum err_kind kind, const char *msg)
{
	if (ok < 0)
		return fail_err(r, e);
	if (!ok)
		return fail_with(r, kind, msg);
	return 0;
}

int api_row_exists(struct request *r, const char *table, int64_t id, const char *not_found)
{
	struct err e = {0};
	return api_require(r, store_row_exists(r->arena, table, id, &e), &e, ERR_NOT_FOUND,
	                   not_found);
}

int api_ref_check(struct request *r, const char *table, const char *key, int64_t id)
{
	struct err e = {0};
	int ex = store_row_exists(r->arena, table, id, &e);
	if (ex < 0)
		return fail_err(r, &e);
	if (ex)
		return 0;
	struct field_errors fe = {0};
	api_invalid_pk(r, &fe, key, id);
	return fe_fail(r, &fe);
}

int api_opt_id(struct request *r, json_object *body, const char *key, int64_t *out)
{
	json_object *v;
	if (!json_object_object_get_ex(body, key, &v) || v == NULL)
		return 0;
	struct field_errors ignored = {0};
	bool present;
	if (!fe_int(r, &ignored, body, key, out, &present) || *out < 0)
		return -1;
	return 1;
}
