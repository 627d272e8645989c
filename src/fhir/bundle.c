/* POST /FHIR/R5/ (fhir.md §4): batch and transaction Bundles of Observation creates. */
#include "fhir/local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool url_is_observation(struct request *r, const char *url)
{
	if (!url)
		return false;
	if (!strcmp(url, "Observation") || !strcmp(url, "/Observation"))
		return true;
	const char *base = fhir_base(r);
	size_t n = strlen(base);
	if (!strncmp(url, base, n) && !strcmp(url + n, "/Observation"))
		return true;
	/* the absolute base in either spelling */
	const char *p = strstr(url, "://");
	if (p) {
		p = strchr(p + 3, '/');
		if (p && (!strcmp(p, "/FHIR/R5/Observation") || !strcmp(p, "/fhir/r5/Observation")))
			return true;
	}
	return false;
}

/* "<code> <reason phrase>" of an entry (fhir.md §4): an entry fails with one of 400, 403, 404,
 * 409, 412, 422; anything else is reported as 500. */
static const char *status_line(struct arena *a, int s)
{
	static const int entry_statuses[] = {200, 201, 400, 403, 404, 409, 412, 422};
	bool known = false;
	for (size_t i = 0; i < sizeof(entry_statuses) / sizeof(entry_statuses[0]); i++)
		known = known || entry_statuses[i] == s;
	if (!known)
		s = 500;
	return arena_printf(a, "%d %s", s, http_status_text(s));
}

static const char *issue_code(const struct fhir_entry *x)
{
	if (!x->code || !strcmp(x->code, "insufficient_scope"))
		return fhir_issue_code(x->status);
	return x->code;
}

/* The Bundle's shape (fhir.md §4): resourceType, type, entry, the entry cap. 0 with *entry (NULL
 * when none), *n and *transaction set; -1 with r->err set. */
static int read_bundle(struct request *r, json_object **entry, int *n, bool *transaction)
{
	struct arena *a = r->arena;
	/* the entry count is checked on the text, before json-c builds a tree for every entry */
	long max = g_config.fhir_max_bundle_entries > 0 ? g_config.fhir_max_bundle_entries : 10000;
	long counted = json_top_array_len(r->body, r->body_len, "entry");
	if (counted > max)
		return fhir_fail(
		    r, ERR_TOO_LARGE, "too-costly",
		    arena_printf(a, "Bundle has %ld entries; the maximum is %ld.", counted, max));
	json_object *body = req_json_body(r, false);
	if (!body && r->err.kind == ERR_MEDIA_TYPE) {
		r->err.code = "not-supported";
		return -1;
	}
	if (!body || !json_object_is_type(body, json_type_object) ||
	    !str_eq(json_get_str(body, "resourceType"), "Bundle"))
		return fhir_fail(r, ERR_BAD_REQUEST, "invalid",
		                 "Request body must be a FHIR Bundle.");
	const char *type = json_get_str(body, "type");
	*transaction = str_eq(type, "transaction");
	if (!*transaction && !str_eq(type, "batch"))
		return fhir_fail(r, ERR_BAD_REQUEST, "invalid",
		                 "Bundle.type must be batch or transaction.");
	*entry = json_get(body, "entry");
	if (*entry && json_object_is_type(*entry, json_type_null))
		*entry = NULL;
	if (*entry && !json_object_is_type(*entry, json_type_array))
		return fhir_fail(r, ERR_BAD_REQUEST, "invalid", "Bundle.entry must be an array.");
	*n = *entry ? (int)json_object_array_length(*entry) : 0;
	if (*n > max)
		return fhir_fail(
		    r, ERR_TOO_LARGE, "too-costly",
		    arena_printf(a, "Bundle has %d entries; the maximum is %ld.", *n, max));
	return 0;
}

/* One entry: a POST of an Observation (else the entry fails with 400). */
static void read_entry(struct request *r, json_object *e, struct fhir_entry *x)
{
	json_object *res = json_get(e, "resource");
	json_object *req = json_get(e, "request");
	const char *bad = NULL;
	if (!e || !json_object_is_type(e, json_type_object) || !res ||
	    !json_object_is_type(res, json_type_object))
		bad = "Bundle entry has no resource.";
	else if (!str_eq(json_get_str(req, "method"), "POST"))
		bad = "Only POST/Create method supported.";
	else if (!url_is_observation(r, json_get_str(req, "url")) ||
	         !str_eq(json_get_str(res, "resourceType"), "Observation"))
		bad = "Only Observation resourceType supported.";
	if (bad) {
		x->status = 400;
		x->code = "invalid";
		x->msg = bad;
		return;
	}
	x->resource = res;
	x->if_none_exist = json_get_str(req, "ifNoneExist");
	if (x->if_none_exist && !*x->if_none_exist)
		x->if_none_exist = NULL;
}

/* The response of an entry: the created or matched Observation, or the entry's outcome. */
static void write_entry(struct arena *a, struct jw *w, const struct fhir_entry *x)
{
	jw_obj_begin(w);
	if (x->status == 200 || x->status == 201) {
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)x->id);
		jw_key(w, "resource");
		jw_obj_begin(w);
		jw_kstr(w, "resourceType", "Resource");
		jw_kstr(w, "id", id);
		jw_obj_end(w);
		jw_key(w, "response");
		jw_obj_begin(w);
		jw_kstr(w, "status", status_line(a, x->status));
		jw_kstr(w, "location", arena_printf(a, "Observation/%s/_history/1", id));
		jw_kstr(w, "etag", "W/\"1\"");
		if (x->last_updated) {
			char t[48];
			fhir_pg_time(x->last_updated, t);
			jw_kstr(w, "lastModified", t);
		}
		jw_obj_end(w);
	} else {
		jw_key(w, "response");
		jw_obj_begin(w);
		jw_kstr(w, "status", status_line(a, x->status));
		jw_key(w, "outcome");
		fhir_outcome(w, "error", x->status ? issue_code(x) : "exception",
		             x->msg ? x->msg : "Internal server error.", NULL);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

int fhir_bundle(struct request *r)
{
	json_object *entry;
	int n;
	bool transaction;
	if (fhir_negotiate(r) || read_bundle(r, &entry, &n, &transaction))
		return -1;
	struct arena *a = r->arena;
	struct fhir_entry *ents = arena_alloc(a, sizeof(*ents) * (size_t)(n ? n : 1));
	for (int i = 0; i < n; i++)
		read_entry(r, json_object_array_get_idx(entry, (size_t)i), &ents[i]);
	struct fhir_grant g;
	fhir_scope_eval(r, FT_OBSERVATION, 'c', &g);
	int failed = -1;
	if (fhir_create_entries(r, &g, ents, n, transaction, &failed))
		return -1;
	if (transaction && failed >= 0) {
		/* the failed entry's outcome is the answer, with its status */
		struct fhir_entry *x = &ents[failed];
		const char *expr = arena_printf(a, "Bundle.entry[%d]", failed);
		fhir_fail(r, ERR_CONFLICT, issue_code(x), arena_printf(a, "%s: %s", expr, x->msg));
		r->err.status = x->status;
		r->err.expression = expr;
		return -1;
	}
	struct buf *b = buf_new(a, 256 + (size_t)n * 200);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kstr(&w, "resourceType", "Bundle");
	jw_kstr(&w, "type", transaction ? "transaction-response" : "batch-response");
	jw_key(&w, "entry");
	jw_arr_begin(&w);
	for (int i = 0; i < n; i++)
		write_entry(a, &w, &ents[i]);
	jw_arr_end(&w);
	jw_obj_end(&w);
	fhir_respond(r, 200, b);
	return 0;
}
