/* FHIR read and version read (fhir.md §6): the search machinery with _id, so that reads and
 * searches apply the same visibility rules. */
#include "fhir/local.h"

#include <string.h>

static int do_read(struct request *r, const char *vid)
{
	struct arena *a = r->arena;
	const char *ts = req_path_str(r, "type");
	if (!ts)
		ts = "Observation"; /* the version read route names the type */
	enum fhir_rtype t = fhir_type_parse(ts);
	if (t == FT_NONE)
		return fhir_fail(
		    r, ERR_NOT_FOUND, "not-found",
		    arena_printf(a, "Unsupported FHIR resource type: %s.", ts ? ts : ""));
	struct fhir_grant g;
	if (fhir_begin(r, t, 'r', &g))
		return -1;
	const char *ids = req_path_str(r, "id");
	bool audited = t == FT_OBSERVATION || t == FT_PATIENT;
	int64_t id = -1;
	if (!ids || !str_to_i64(ids, &id) || id < 0 || ids[0] == '-' || ids[0] == '+')
		id = -1;
	const char *notfound = vid ? arena_printf(a, "%s/%s/_history/%s not found.", ts, ids, vid)
	                           : arena_printf(a, "%s/%s not found.", ts, ids);
	if (id < 0 || (vid && strcmp(vid, "1") != 0)) {
		if (audited &&
		    fhir_audit(r, "read", ts, ids, t == FT_PATIENT && id > 0 ? id : 0, 404, NULL))
			return -1;
		return fhir_fail(r, ERR_NOT_FOUND, "not-found", notfound);
	}
	struct fhir_query q;
	memset(&q, 0, sizeof(q));
	q.type = t;
	q.user_id = r->principal ? r->principal->user_id : 0;
	q.self_only = g.self_only;
	q.scope_codes = g.codes;
	q.nscope_codes = g.ncodes;
	struct fhir_filter f;
	memset(&f, 0, sizeof(f));
	f.kind = FF_ID;
	f.n = 1;
	f.ids = &id;
	q.filters = &f;
	q.nfilters = 1;
	q.limit = 1;
	q.read_by_id = true;
	/* An Observation's version is always 1 (fhir.md §6), so whether a found row is answered 200
	 * or 304 is known before the read, and the audit row is written by the read's statement. */
	const char *inm = req_header(r, "If-None-Match");
	bool not_modified =
	    inm && (strstr(inm, "W/\"1\"") || !strcmp(inm, "\"1\"") || !strcmp(inm, "*"));
	struct audit_row row;
	if (t == FT_OBSERVATION) {
		req_audit_row(r, &row, "read", ts, ids, 0, not_modified ? 304 : 200, NULL);
		q.read_audit = &row;
	}
	struct err e = {0};
	struct db_result *res = store_fhir_search(a, &q, &e);
	if (!res)
		return fhir_store_fail(r, &e);
	if (q.read_audited)
		audited = false;
	if (db_nrows(res) == 0) {
		if (audited && fhir_audit(r, "read", ts, ids, t == FT_PATIENT ? id : 0, 404, NULL))
			return -1;
		return fhir_fail(r, ERR_NOT_FOUND, "not-found", notfound);
	}
	int64_t pid = t == FT_PATIENT ? id : 0;
	struct buf *b = buf_new(a, 2048);
	if (t == FT_OBSERVATION) {
		pid = db_get_i64(res, 0, FHIR_COL_RES + FOC_PATIENT_ID);
		const char *lu = db_get(res, 0, FHIR_COL_RES + FOC_LAST_UPDATED);
		resp_header(r, "ETag", "W/\"1\"");
		const char *lm = fhir_http_date(a, lu);
		if (lm)
			resp_header(r, "Last-Modified", lm);
		if (not_modified) {
			if (audited && fhir_audit(r, "read", ts, ids, pid, 304, NULL))
				return -1;
			resp_empty(r, 304);
			return 0;
		}
		struct jw w;
		jw_init(&w, b);
		fhir_obs_write(&w, res, 0, 1, FHIR_COL_RES);
	} else {
		buf_append(b, db_get(res, 0, FHIR_COL_RES), db_getlen(res, 0, FHIR_COL_RES));
		b->len = json_minify(b->data);
	}
	if (audited && fhir_audit(r, "read", ts, ids, pid, 200, NULL))
		return -1;
	fhir_respond(r, 200, b);
	return 0;
}

int fhir_read(struct request *r)
{
	return do_read(r, NULL);
}

int fhir_vread(struct request *r)
{
	return do_read(r, req_path_str(r, "vid"));
}
