/* POST /FHIR/R5/Observation (fhir.md §3): the create pipeline for one entry, and the response
 * (§2.3 minimal form for patient users, Prefer, Location, ETag, Last-Modified). */
#include "fhir/local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum err_kind kind_of(int status)
{
	switch (status) {
	case 400:
		return ERR_BAD_REQUEST;
	case 403:
		return ERR_FORBIDDEN;
	case 404:
		return ERR_NOT_FOUND;
	case 409:
		return ERR_CONFLICT;
	case 413:
		return ERR_TOO_LARGE;
	case 415:
		return ERR_MEDIA_TYPE;
	case 422:
		return ERR_UNPROCESSABLE;
	default:
		return ERR_CONFLICT;
	}
}

int fhir_entry_fail(struct request *r, const struct fhir_entry *x)
{
	fhir_fail(r, kind_of(x->status),
	          x->code && strcmp(x->code, "insufficient_scope") ? x->code : "forbidden", x->msg);
	if (x->status == 412)
		r->err.status = 412;
	return -1;
}

static void write_minimal(struct jw *w, const struct fhir_entry *x, const char *lu)
{
	char t[48];
	fhir_pg_time(lu, t);
	jw_obj_begin(w);
	jw_kstr(w, "resourceType", "Observation");
	jw_key(w, "id");
	{
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)x->id);
		jw_str(w, id);
	}
	jw_kstr(w, "status", x->status_str ? x->status_str : "final");
	jw_key(w, "meta");
	jw_obj_begin(w);
	jw_kstr(w, "versionId", "1");
	jw_kstr(w, "lastUpdated", t);
	jw_obj_end(w);
	jw_key(w, "subject");
	jw_obj_begin(w);
	{
		char ref[48];
		snprintf(ref, sizeof(ref), "Patient/%lld", (long long)x->patient_id);
		jw_kstr(w, "reference", ref);
	}
	jw_obj_end(w);
	jw_key(w, "code");
	jw_obj_begin(w);
	jw_key(w, "coding");
	jw_arr_begin(w);
	jw_obj_begin(w);
	jw_kstr(w, "system", x->system ? x->system : FHIR_SYS_OMH);
	jw_kstr(w, "code", x->codestr ? x->codestr : "");
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

int fhir_create(struct request *r)
{
	struct arena *a = r->arena;
	struct fhir_grant g;
	if (fhir_begin(r, FT_OBSERVATION, 'c', &g))
		return -1;
	/* the identifier cap is checked on the text: json-c would first build every one */
	long nids = json_top_array_len(r->body, r->body_len, "identifier");
	if (nids > FHIR_MAX_IDENTIFIERS)
		return fhir_fail(
		    r, ERR_BAD_REQUEST, "invalid",
		    arena_printf(a,
		                 "Observation.identifier has %ld entries; the maximum is "
		                 "%d.",
		                 nids, FHIR_MAX_IDENTIFIERS));
	json_object *body = req_json_body(r, false);
	if (!body && r->err.kind == ERR_MEDIA_TYPE) {
		r->err.code = "not-supported";
		return -1;
	}
	struct fhir_entry x;
	memset(&x, 0, sizeof(x));
	x.resource = body;
	x.if_none_exist = req_header(r, "If-None-Exist");
	int failed;
	if (fhir_create_entries(r, &g, &x, 1, false, &failed))
		return -1;
	if (x.status >= 400) {
		fhir_entry_fail(r, &x);
		if (x.code && !strcmp(x.code, "insufficient_scope")) /* audited with the entry */
			r->err.www_authenticate = FHIR_INSUFFICIENT_SCOPE;
		return -1;
	}
	/* 201 created, or 200 for a conditional match */
	const struct principal *pr = r->principal;
	bool patient_user = authz_patient_user(pr);
	const char *prefer = req_header(r, "Prefer");
	enum { R_DEFAULT, R_REPR, R_MINIMAL, R_OUTCOME } ret = R_DEFAULT;
	if (prefer && strstr(prefer, "return=representation"))
		ret = R_REPR;
	else if (prefer && strstr(prefer, "return=minimal"))
		ret = R_MINIMAL;
	else if (prefer && strstr(prefer, "return=OperationOutcome"))
		ret = R_OUTCOME;
	bool full = ret == R_REPR || (ret == R_DEFAULT && !patient_user);
	struct db_result *res = NULL;
	const char *lu = x.last_updated;
	if (full || x.status == 200) {
		/* the stored row (a conditional match may be another upload than this body) */
		struct fhir_query q;
		memset(&q, 0, sizeof(q));
		q.type = FT_OBSERVATION;
		q.user_id = pr ? pr->user_id : 0;
		q.any_of_patient = x.patient_id;
		struct fhir_filter f;
		memset(&f, 0, sizeof(f));
		f.kind = FF_ID;
		f.n = 1;
		f.ids = &x.id;
		q.filters = &f;
		q.nfilters = 1;
		q.limit = 1;
		struct err e = {0};
		res = store_fhir_search(a, &q, &e);
		if (!res)
			return fhir_store_fail(r, &e);
		if (db_nrows(res) == 1) {
			lu = db_get(res, 0, FHIR_COL_RES + FOC_LAST_UPDATED);
			x.status_str = db_get(res, 0, FHIR_COL_RES + FOC_STATUS);
			x.system = db_get(res, 0, FHIR_COL_RES + FOC_SYSTEM);
			x.codestr = db_get(res, 0, FHIR_COL_RES + FOC_CODE);
		} else {
			res = NULL;
		}
	}
	resp_header(
	    r, "Location",
	    arena_printf(a, "%s/Observation/%lld/_history/1", fhir_base(r), (long long)x.id));
	resp_header(r, "ETag", "W/\"1\"");
	const char *lm = fhir_http_date(a, lu);
	if (lm)
		resp_header(r, "Last-Modified", lm);
	if (ret == R_MINIMAL) {
		resp_empty(r, x.status);
		return 0;
	}
	struct buf *b = buf_new(a, 2048);
	struct jw w;
	jw_init(&w, b);
	if (ret == R_OUTCOME) {
		fhir_outcome(&w, "information", "informational",
		             arena_printf(a, "Created Observation/%lld.", (long long)x.id), NULL);
	} else if (full && res) {
		fhir_obs_write(&w, res, 0, 1, FHIR_COL_RES);
	} else {
		write_minimal(&w, &x, lu);
	}
	fhir_respond(r, x.status, b);
	return 0;
}
