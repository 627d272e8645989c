/*
 * api: the Admin REST API (/api/v1) handlers: input validation into typed values, authz checks,
 * store calls and response building (camelCase JSON, paging envelope). No SQL text here.
 */
#ifndef JHE_API_H
#define JHE_API_H

#include "authz/authz.h"
#include "http/http.h"

/* Route lists of the resource files, NULL-terminated. */
extern const struct route *const api_route_tables[];

/* Write one audit row for this request (data-model.md §7); async for reads. */
int api_audit(struct request *r, const char *action, const char *resource_type,
              const char *resource_id, int64_t patient_id, int outcome, const char *detail);
/* The access.denied row of a 401/403 decided before the handler (authentication, SMART-scope
 * gate) on a path naming patient data; no-op otherwise (src/api/phi.c). */
void api_audit_denied(struct request *r);

/* ---------- query parameters (keys in either casing, conventions.md §1.3) ---------- */
/* Last value of a query key given in snake_case, matching keys sent in either casing.
 * spelled (optional) receives the key as the client wrote it (for error messages). */
const char *api_param(struct request *r, const char *snake_key, const char **spelled);
/* Integer filter: 0 absent, 1 present (*out set), -1 not an integer (r->err = 400
 * ["<spelled> must be an integer."]). */
int api_param_id(struct request *r, const char *snake_key, int64_t *out);

/* ---------- paging (conventions.md §3) ---------- */
struct page {
	int64_t page;   /* 1-based; resolved after the count for page=last */
	int64_t size;   /* rows per page */
	int64_t offset; /* (page - 1) * size */
	bool last;      /* page=last was asked */
};
/* Parse page/pageSize with the endpoint default. -1 with 404 Invalid page. for a bad page. */
int api_page_parse(struct request *r, int64_t default_size, struct page *pg);
/* After counting: resolve page=last, 404 "Invalid page." beyond the end (page 1 is always ok). */
int api_page_check(struct request *r, struct page *pg, int64_t count);
/* Write {"count":..,"next":..,"previous":..,"results":<results_json>} as a 200 response. */
void api_page_respond(struct request *r, const struct page *pg, int64_t count,
                      const char *results_json);

/* ---------- handler endings (src/api/respond.c) ---------- */
/* 200/201 with the store's JSON, or the store's error when json is NULL. Returns 0 or -1. */
int api_reply(struct request *r, int status, const char *json, const struct err *e);
/* GET of a row's JSON by the path's {id}: check (NULL for none; 0 or -1 with r->err set, e.g. 404
 * or 403), then 200 with json(id) or the store's error. */
typedef int (*api_check_fn)(struct request *r, int64_t id);
typedef char *(*api_json_fn)(struct arena *a, int64_t id, struct err *e);
int api_get_json(struct request *r, api_check_fn check, api_json_fn json);
/* DELETE of the path's {id}: check (as for api_get_json), then del in a transaction, 204. */
typedef int (*api_delete_fn)(struct arena *a, int64_t id, struct err *e);
int api_delete(struct request *r, api_check_fn check, api_delete_fn del);
/* The end of a write whose audit row was just written in its transaction: audited is that
 * write's result (0, or -1 with r->err set); commit, then answer status without a body. */
int api_commit_audited(struct request *r, int audited, int status, struct err *e);
/* An api_check_fn for superuser-only resources (403 otherwise). */
int api_superuser_check(struct request *r, int64_t id);
/* The end of a write whose last store call produced json: commit, then answer it with status;
 * the store's (or the commit's) error when json is NULL or the commit fails. */
int api_commit_reply(struct request *r, int status, const char *json, struct err *e);
/* The end of a write without a body: failed tells whether its store calls failed (error in *e);
 * else commit, then answer status (201/204) without a body. */
int api_commit_empty(struct request *r, int status, bool failed, struct err *e);
/* The same without a transaction of its own (a single-statement write). */
int api_reply_empty(struct request *r, int status, bool failed, const struct err *e);
/* The end of a POST adding a link row: rc 0 added (answered 201 with json), 1 already there (409
 * conflict), -1 the store's error in *e. */
int api_link_added(struct request *r, int rc, const char *json, const struct err *e,
                   const char *conflict);
/* The body of a superuser-only write (api_body: JSON, form or empty), then the superuser check;
 * NULL with r->err set (the body's 415/400 before the 403). */
json_object *api_superuser_body(struct request *r);
/* A store lookup's result rc (0 found, 1 absent, -1 error in *e): 0, or -1 with 404 not_found
 * or the store's error. */
int api_found(struct request *r, int rc, const struct err *e, const char *not_found);
/* A store check's result ok (1 yes, 0 no, -1 error in *e): 0, or -1 with kind/msg when no (or
 * the store's error). */
int api_require(struct request *r, int ok, const struct err *e, enum err_kind kind,
                const char *msg);
/* The row table/id exists: 0, or -1 with 404 not_found (or a store error). */
int api_row_exists(struct request *r, const char *table, int64_t id, const char *not_found);
/* The id read from body[key] names a row of table: 0, or -1 with 400
 * {"key": ["Invalid pk \"ID\" - object does not exist."]} (or a store error). */
int api_ref_check(struct request *r, const char *table, const char *key, int64_t id);
/* An optional id field: 0 missing or null, 1 a non-negative integer (*out set), -1 anything else
 * (nothing recorded; the caller words the error). */
int api_opt_id(struct request *r, json_object *body, const char *key, int64_t *out);

/* ---------- body validation: all field errors of a body reported together (§4.2) ---------- */
struct field_errors {
	struct kvlist list; /* field (snake_case) -> first message */
};
/* Record msg for field (kept only if the field has no message yet). */
void fe_add(struct request *r, struct field_errors *fe, const char *field, const char *msg);
bool fe_any(const struct field_errors *fe);
/* Respond 400 with {"camelField": ["msg"], ...}; keys camelCased except the ignore list. Returns
 * -1. */
int fe_fail(struct request *r, const struct field_errors *fe);
/* 400 with a bare array of one sentence: ["msg"]. Returns -1. */
int fail_msg400(struct request *r, const char *msg);
/* The JSON body as an object (400 ["Expected a JSON object."] otherwise); keys already snake_case.
 */
json_object *api_body_object(struct request *r);
/* Add ["Unknown field."] for every key of body not in allowed (NULL-terminated) nor in ignored. */
void fe_unknown_keys(struct request *r, struct field_errors *fe, json_object *body,
                     const char *const *allowed, const char *const *ignored);
/* Typed field readers: return true when present and valid; on a wrong type record the DRF message
 * ("Not a valid string.", "A valid integer is required.", "Must be a valid boolean.").
 * *present tells whether the key was there at all (null counts as present with is_null). */
bool fe_string(struct request *r, struct field_errors *fe, json_object *body, const char *key,
               const char **out, bool *present);
bool fe_int(struct request *r, struct field_errors *fe, json_object *body, const char *key,
            int64_t *out, bool *present);
bool fe_bool(struct request *r, struct field_errors *fe, json_object *body, const char *key,
             bool *out, bool *present);

/* An email address trimmed, validated and with its domain lower-cased; NULL when invalid or empty
 * (*empty tells which). */
const char *api_email(struct request *r, const char *in, bool *empty);

/* Require a practitioner (or superuser) caller; -1 with 403 otherwise. */
int api_require_practitioner(struct request *r, const char *detail);
/* Require a superuser; -1 with 403 "You do not have permission to perform this action.". */
int api_require_superuser(struct request *r);

#endif
