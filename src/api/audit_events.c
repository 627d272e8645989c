/* /api/v1/audit_events (admin-api.md §16): superuser only; reading is itself audited. */
#include "api/fields.h"

#include <string.h>

/* An integer filter as decimal text (NULL when absent); -1 with 400 when not an integer. */
static int int_filter(struct request *r, const char *key, const char **out)
{
	int64_t v;
	int rc = api_param_id(r, key, &v);
	if (rc < 0)
		return -1;
	*out = rc ? arena_printf(r->arena, "%lld", (long long)v) : NULL;
	return 0;
}

static int time_filter(struct request *r, const char *key, const char **out)
{
	const char *v = api_param(r, key, NULL);
	*out = NULL;
	if (!v)
		return 0;
	usec_t t;
	if (time_parse(v, &t))
		return fail_msg400(r,
		                   arena_printf(r->arena, "%s must be an ISO 8601 datetime.", key));
	char buf[40];
	time_format(t, buf);
	*out = arena_strdup(r->arena, buf);
	return 0;
}

static int ae_list_inner(struct request *r)
{
	struct audit_filter f = {0};
	if (int_filter(r, "patient_id", &f.patient_id) || int_filter(r, "user_id", &f.user_id) ||
	    int_filter(r, "outcome", &f.outcome) || time_filter(r, "since", &f.since) ||
	    time_filter(r, "until", &f.until))
		return -1;
	f.actions = api_param(r, "action", NULL);
	f.resource_type = api_param(r, "resource_type", NULL);
	f.request_id = api_param(r, "request_id", NULL);
	if (f.outcome) {
		int64_t o = 0;
		str_to_i64(f.outcome, &o);
		if (o < -32768 || o > 32767)
			f.outcome = "-1";
	}
	API_LIST(r, 20, store_audit_list(r->arena, &f, pg_.offset, pg_.size, &count_, &e_));
}

static int ae_list(struct request *r)
{
	if (api_require_superuser(r))
		return -1;
	int rc = ae_list_inner(r);
	int status = rc ? err_http_status(&r->err) : 200;
	struct buf *d = buf_new(r->arena, 64);
	struct jw w;
	jw_init(&w, d);
	jw_obj_begin(&w);
	jw_kstr(&w, "query", r->query ? r->query : "");
	jw_obj_end(&w);
	struct err saved = r->err;
	if (api_audit(r, "search", "AuditEvent", NULL, 0, status, d->data))
		return -1;
	r->err = saved;
	return rc;
}

static int ae_get(struct request *r)
{
	if (api_require_superuser(r))
		return -1;
	int64_t id = req_path_id(r, "id");
	struct err e = {0};
	char *json = store_audit_json(r->arena, id, &e);
	int status = json ? 200 : err_http_status(&e);
	if (api_audit(r, "read", "AuditEvent", arena_printf(r->arena, "%lld", (long long)id), 0,
	              status, NULL))
		return -1;
	if (!json)
		return fail_err(r, &e);
	resp_json_str(r, 200, json);
	return 0;
}

const struct route api_audit_events_routes[] = {
    {"GET", "/api/v1/audit_events", ae_list, ROUTE_AUTH},
    {"GET", "/api/v1/audit_events/{id}", ae_get, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
