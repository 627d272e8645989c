/* FHIR search (fhir.md §5): parameters -> one store query -> a searchset Bundle with absolute
 * links and keyset cursors; the audit row; the remembered console view (§13). */
#include "fhir/local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum vkind { V_IDS, V_TOKS, V_DATES, V_STRS };
struct pdef {
	const char *name;
	enum fhir_filter_kind kind;
	enum vkind v;
	const char *reftype; /* references: the type prefix accepted */
};

#define STUDY1 "patient._has:Group:member:_id"
#define STUDY2 "_has:Group:member:_id"

static const struct pdef p_obs[] = {
    {"patient", FF_PATIENT, V_IDS, "Patient"},
    {"subject", FF_PATIENT, V_IDS, "Patient"},
    {"patient.organization", FF_ORG, V_IDS, "Organization"},
    {STUDY1, FF_STUDY, V_IDS, "Group"},
    {STUDY2, FF_STUDY, V_IDS, "Group"},
    {"patient.identifier", FF_PATIENT_IDENT, V_TOKS, NULL},
    {"identifier", FF_IDENT, V_TOKS, NULL},
    {"code", FF_CODE, V_TOKS, NULL},
    {"date", FF_DATE, V_DATES, NULL},
    {"status", FF_STATUS, V_TOKS, NULL},
    {"device", FF_DEVICE, V_IDS, "Device"},
    {NULL, 0, 0, NULL},
};
static const struct pdef p_patient[] = {
    {"identifier", FF_PATIENT_IDENT, V_TOKS, NULL},
    {"patient.identifier", FF_PATIENT_IDENT, V_TOKS, NULL},
    {"family", FF_FAMILY, V_STRS, NULL},
    {"given", FF_GIVEN, V_STRS, NULL},
    {"name", FF_NAME, V_STRS, NULL},
    {"birthdate", FF_BIRTHDATE, V_DATES, NULL},
    {"patient", FF_PATIENT, V_IDS, "Patient"},
    {"organization", FF_ORG, V_IDS, "Organization"},
    {"patient.organization", FF_ORG, V_IDS, "Organization"},
    {STUDY1, FF_STUDY, V_IDS, "Group"},
    {STUDY2, FF_STUDY, V_IDS, "Group"},
    {NULL, 0, 0, NULL},
};
static const struct pdef p_group[] = {
    {"name", FF_NAME, V_STRS, NULL},
    {"organization", FF_ORG, V_IDS, "Organization"},
    {"patient.organization", FF_ORG, V_IDS, "Organization"},
    {"patient", FF_PATIENT, V_IDS, "Patient"},
    {STUDY1, FF_STUDY, V_IDS, "Group"},
    {STUDY2, FF_STUDY, V_IDS, "Group"},
    {NULL, 0, 0, NULL},
};
static const struct pdef p_device[] = {
    {"name", FF_NAME, V_STRS, NULL},
    {"type", FF_TYPE, V_TOKS, NULL},
    {NULL, 0, 0, NULL},
};
static const struct pdef p_org[] = {
    {"name", FF_NAME, V_STRS, NULL},
    {"partof", FF_PARTOF, V_IDS, "Organization"},
    {"type", FF_TYPE, V_TOKS, NULL},
    {NULL, 0, 0, NULL},
};
static const struct pdef p_pract[] = {
    {"name", FF_NAME, V_STRS, NULL},
    {"family", FF_FAMILY, V_STRS, NULL},
    {"given", FF_GIVEN, V_STRS, NULL},
    {"identifier", FF_IDENT, V_TOKS, NULL},
    {"organization", FF_ORG, V_IDS, "Organization"},
    {NULL, 0, 0, NULL},
};
static const struct pdef p_common[] = {
    {"_id", FF_ID, V_IDS, ""},
    {"_lastUpdated", FF_LASTUPDATED, V_DATES, NULL},
    {NULL, 0, 0, NULL},
};
static const struct pdef *const p_types[FT_COUNT] = {p_obs,    p_patient, p_group,
                                                     p_device, p_org,     p_pract};

static const char *const control[] = {"_count", "_page",    "_cursor", "_total",
                                      "_sort",  "_summary", "_format", NULL};

static bool in_list(const char *k, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(*l, k))
			return true;
	return false;
}

static const struct pdef *find_def(enum fhir_rtype t, const char *k)
{
	for (const struct pdef *d = p_types[t]; d->name; d++)
		if (!strcmp(d->name, k))
			return d;
	for (const struct pdef *d = p_common; d->name; d++)
		if (!strcmp(d->name, k))
			return d;
	return NULL;
}

/* Sorted, form-encoded "k=v&..." of l without the keys in skip (NULL-terminated). */
static char *encode_params(struct arena *a, const struct kvlist *in, const char *const *skip,
                           const struct kvlist *extra)
{
	struct kvlist l = {0};
	for (size_t i = 0; i < in->n; i++)
		if (!skip || !in_list(in->items[i].key, skip))
			kv_add(a, &l, in->items[i].key, in->items[i].value);
	if (extra)
		for (size_t i = 0; i < extra->n; i++)
			kv_add(a, &l, extra->items[i].key, extra->items[i].value);
	kv_sort(a, &l);
	struct buf *b = buf_new(a, 256);
	for (size_t i = 0; i < l.n; i++) {
		if (i)
			buf_putc(b, '&');
		url_encode(b, l.items[i].key);
		buf_putc(b, '=');
		url_encode(b, l.items[i].value);
	}
	return b->data;
}

struct loc {
	struct pgarr pats, orgs, studies;
	int n;
};

/* Parse one parameter occurrence into a filter. -1 with r->err on a bad value. */
static int parse_filter(struct request *r, const struct pdef *d, const char *key, const char *value,
                        struct fhir_filter *f, bool check_loc, struct loc *loc)
{
	struct arena *a = r->arena;
	const char **items;
	int n = fhir_split(a, value, &items);
	memset(f, 0, sizeof(*f));
	f->kind = d->kind;
	f->n = n;
	switch (d->v) {
	case V_IDS:
		f->ids = arena_alloc(a, sizeof(int64_t) * (size_t)(n ? n : 1));
		for (int i = 0; i < n; i++) {
			int64_t id;
			if (d->kind == FF_ID)
				id = str_to_i64(items[i], &id) && id >= 0 ? id : -1;
			else
				id = fhir_parse_ref(items[i], d->reftype);
			f->ids[i] = id;
			if (!check_loc)
				continue;
			const char *lt = d->kind == FF_PATIENT ? "Patient"
			                 : d->kind == FF_ORG   ? "Organization"
			                 : d->kind == FF_STUDY ? "Group"
			                                       : NULL;
			if (!lt)
				continue;
			if (id < 0)
				return fhir_fail(
				    r, ERR_FORBIDDEN, "forbidden",
				    arena_printf(a,
				                 "Current user is not authorized to access %s/%s.",
				                 lt, items[i]));
			struct pgarr *arr = d->kind == FF_PATIENT ? &loc->pats
			                    : d->kind == FF_ORG   ? &loc->orgs
			                                          : &loc->studies;
			pgarr_addi(arr, id);
			loc->n++;
		}
		if (n == 0) {
			/* an empty value names nothing */
			f->n = 1;
			f->ids[0] = -1;
		}
		break;
	case V_TOKS:
		f->toks = arena_alloc(a, sizeof(struct fhir_tok) * (size_t)(n ? n : 1));
		for (int i = 0; i < n; i++)
			fhir_parse_token(a, items[i], &f->toks[i]);
		if (n == 0) {
			f->n = 1;
			f->toks[0].code = "";
		}
		break;
	case V_STRS:
		f->strs = items;
		if (n == 0)
			f->n = 0;
		break;
	case V_DATES:
		f->dates = arena_alloc(a, sizeof(struct fhir_date) * (size_t)(n ? n : 1));
		if (n == 0)
			items[0] = "", n = 1, f->n = 1;
		for (int i = 0; i < n; i++) {
			char bad[3] = {0};
			int rc = fhir_parse_date(items[i], &f->dates[i], bad);
			if (rc == -2)
				return fhir_fail(
				    r, ERR_BAD_REQUEST, "invalid",
				    arena_printf(a, "Unsupported date prefix '%s'.", bad));
			if (rc != 0)
				return fhir_fail(
				    r, ERR_BAD_REQUEST, "invalid",
				    !strcmp(key, "_lastUpdated")
				        ? arena_printf(a, "Invalid _lastUpdated value: '%s'.",
				                       value)
				        : arena_printf(a, "Invalid date value: '%s'.", value));
		}
		break;
	}
	return 0;
}

static int parse_sort(struct request *r, enum fhir_rtype t, const char *raw, struct fhir_query *q)
{
	const char **items;
	int n = fhir_split(r->arena, raw, &items);
	for (int i = 0; i < n && q->nsort < FHIR_MAX_SORT; i++) {
		const char *k = items[i];
		bool desc = k[0] == '-';
		if (desc)
			k++;
		enum fhir_sort_field f;
		if (!strcmp(k, "_id"))
			f = FS_ID;
		else if (!strcmp(k, "_lastUpdated") && (t == FT_OBSERVATION || t == FT_PATIENT))
			f = FS_LASTUPDATED;
		else if (!strcmp(k, "date") && t == FT_OBSERVATION)
			f = FS_DATE;
		else if (!strcmp(k, "family") && (t == FT_PATIENT || t == FT_PRACTITIONER))
			f = FS_FAMILY;
		else if (!strcmp(k, "birthdate") && t == FT_PATIENT)
			f = FS_BIRTHDATE;
		else if (!strcmp(k, "name") &&
		         (t == FT_GROUP || t == FT_DEVICE || t == FT_ORGANIZATION))
			f = FS_NAME;
		else
			continue; /* unknown keys are ignored */
		q->sort[q->nsort++] = (struct fhir_sort_key){f, desc};
	}
	return 0;
}

static const char *params_digest(struct request *r, enum fhir_rtype t, const struct kvlist *params)
{
	static const char *const skip[] = {"_page", "_cursor", NULL};
	char *enc = encode_params(r->arena, params, skip, NULL);
	char *s = arena_printf(r->arena, "%s\n%lld\n%s", fhir_type_name(t),
	                       (long long)(r->principal ? r->principal->user_id : 0), enc);
	unsigned char h[32];
	sha256(s, strlen(s), h);
	return hex_encode(r->arena, h, 16);
}

static void remember_view(struct request *r, enum fhir_rtype t, const struct kvlist *params)
{
	const char *h = req_header(r, "X-JHE-Remember-View");
	if (!h || !*h || !r->principal || !r->principal->practitioner_id)
		return;
	static const char *const skip[] = {"_page",  "_count",   "_cursor",
	                                   "_total", "_summary", "patient.organization",
	                                   STUDY1,   STUDY2,     NULL};
	char *enc = encode_params(r->arena, params, skip, NULL);
	const char *v =
	    *enc ? arena_printf(r->arena, "%s?%s", fhir_type_name(t), enc) : fhir_type_name(t);
	struct err e = {0};
	if (store_fhir_remember_view(r->arena, r->principal->user_id, v, &e))
		log_warn("request %s: remember view failed", r->request_id);
}

static const char *search_detail(struct arena *a, const char *qs, int count, const char *pids)
{
	struct buf *d = buf_new(a, 256);
	if (!qs)
		qs = "";
	buf_puts(d, "{\"query\":");
	json_escape(d, qs, strlen(qs));
	buf_printf(d, ",\"count\":%d,\"patientIds\":[%s]}", count, pids);
	return d->data;
}

static void write_link(struct jw *w, const char *rel, const char *url)
{
	jw_obj_begin(w);
	jw_kstr(w, "relation", rel);
	jw_kstr(w, "url", url);
	jw_obj_end(w);
}

static int do_search(struct request *r, enum fhir_rtype t, const struct kvlist *params, bool posted)
{
	struct arena *a = r->arena;
	struct fhir_grant g;
	if (fhir_begin(r, t, 's', &g))
		return -1;
	const struct principal *pr = r->principal;
	bool practitioner = authz_staff(pr) && !g.self_only;
	bool superuser_bypass = authz_superuser(pr) && (t == FT_GROUP || t == FT_PRACTITIONER);
	bool check_loc = practitioner && !superuser_bypass;
	const char *prefer = req_header(r, "Prefer");
	bool strict = prefer && strstr(prefer, "handling=strict");

	struct fhir_query q;
	memset(&q, 0, sizeof(q));
	q.type = t;
	q.user_id = pr ? pr->user_id : 0;
	q.self_only = g.self_only;
	q.scope_codes = g.codes;
	q.nscope_codes = g.ncodes;
	q.filters = arena_alloc(a, sizeof(struct fhir_filter) * (params->n + 1));
	struct loc loc;
	memset(&loc, 0, sizeof(loc));
	pgarr_init(a, &loc.pats);
	pgarr_init(a, &loc.orgs);
	pgarr_init(a, &loc.studies);
	int64_t single_patient = 0;
	int npatient_params = 0;
	for (size_t i = 0; i < params->n; i++) {
		const char *k = params->items[i].key, *v = params->items[i].value;
		if (in_list(k, control))
			continue;
		const struct pdef *d = find_def(t, k);
		if (!d) {
			if (strict)
				return fhir_fail(
				    r, ERR_BAD_REQUEST, "invalid",
				    arena_printf(a, "Unknown search parameter '%s'.", k));
			continue;
		}
		struct fhir_filter *f = &q.filters[q.nfilters];
		if (parse_filter(r, d, k, v, f, check_loc, &loc))
			return -1;
		if (d->kind == FF_PATIENT && t != FT_GROUP) {
			npatient_params++;
			single_patient = f->n == 1 && f->ids[0] > 0 ? f->ids[0] : 0;
		}
		if (d->v == V_STRS && f->n == 0)
			continue;
		q.nfilters++;
	}
	if (npatient_params != 1)
		single_patient = 0;
	if (check_loc && loc.n > 0) {
		char kind = 0;
		int64_t id = 0;
		struct err e = {0};
		int rc = store_fhir_location_check(a, q.user_id, pgarr_end(&loc.pats),
		                                   pgarr_end(&loc.orgs), pgarr_end(&loc.studies),
		                                   &kind, &id, &e);
		if (rc < 0)
			return fhir_store_fail(r, &e);
		if (rc > 0) {
			const char *tn = kind == 'P'   ? "Patient"
			                 : kind == 'O' ? "Organization"
			                               : "Group";
			if (fhir_audit(r, "access.denied", fhir_type_name(t), NULL,
			               kind == 'P' ? id : single_patient, 403, NULL))
				return -1;
			return fhir_fail(
			    r, ERR_FORBIDDEN, "forbidden",
			    arena_printf(a, "Current user is not authorized to access %s/%lld.", tn,
			                 (long long)id));
		}
	}
	const char *sort = kv_get_last(params, "_sort");
	if (sort)
		parse_sort(r, t, sort, &q);

	int64_t count = fhir_parse_count(kv_get_last(params, "_count"));
	int64_t page = fhir_parse_page(kv_get_last(params, "_page"));
	if (page < 0)
		return fhir_fail(r, ERR_NOT_FOUND, "not-found", "Invalid page.");
	const char *tot = kv_get_last(params, "_total");
	bool total_none = tot && !strcmp(tot, "none");
	const char *summary = kv_get_last(params, "_summary");
	bool summary_count = summary && !strcmp(summary, "count");
	const char *digest = params_digest(r, t, params);
	const char *cur_raw = kv_get_last(params, "_cursor");
	struct fhir_cursor cur;
	memset(&cur, 0, sizeof(cur));
	cur.total = -1;
	if (cur_raw && !summary_count) {
		if (fhir_cursor_decode(a, cur_raw, &cur, g_config.secret_key,
		                       g_config.secret_key_len) ||
		    strcmp(cur.digest, digest) != 0)
			return fhir_fail(r, ERR_BAD_REQUEST, "invalid", "Invalid _cursor.");
		q.has_cursor = true;
		q.ncur = cur.nvals;
		for (int i = 0; i < cur.nvals; i++)
			q.cur_vals[i] = cur.vals[i];
		q.cur_id = cur.id;
		page = cur.page;
	}
	int64_t total = -1;
	struct err e = {0};
	if (summary_count || (page == 0 && !q.has_cursor)) {
		q.count_only = true;
		struct db_result *cr = store_fhir_search(a, &q, &e);
		if (!cr)
			return fhir_store_fail(r, &e);
		total = db_get_i64(cr, 0, 0);
		q.count_only = false;
		if (page == 0) {
			page = total > 0 ? (total + count - 1) / count : 1;
		}
	}
	const char *now = NULL;
	{
		char tb[40];
		time_format(time_now_usec(), tb);
		now = arena_strdup(a, tb);
	}
	const char *self_url;
	const char *type_path;
	if (posted) {
		const char *rp = r->raw_path ? r->raw_path : r->path;
		size_t n = strlen(rp);
		type_path = arena_printf(a, "%s%.*s", r->origin, (int)(n - strlen("/_search")), rp);
		char *enc = encode_params(a, params, NULL, NULL);
		self_url = *enc ? arena_printf(a, "%s?%s", type_path, enc) : type_path;
	} else {
		type_path = arena_printf(a, "%s%s", r->origin, r->raw_path ? r->raw_path : r->path);
		self_url = r->query && *r->query ? arena_printf(a, "%s?%s", type_path, r->query)
		                                 : type_path;
	}
	struct buf *b = buf_new(a, 4096);
	struct jw w;
	jw_init(&w, b);
	if (summary_count) {
		jw_obj_begin(&w);
		jw_kstr(&w, "resourceType", "Bundle");
		jw_kstr(&w, "type", "searchset");
		jw_kint(&w, "total", total);
		jw_key(&w, "meta");
		jw_obj_begin(&w);
		jw_kstr(&w, "lastUpdated", now);
		jw_obj_end(&w);
		jw_key(&w, "link");
		jw_arr_begin(&w);
		write_link(&w, "self", self_url);
		jw_arr_end(&w);
		jw_key(&w, "entry");
		jw_arr_begin(&w);
		jw_arr_end(&w);
		jw_obj_end(&w);
		if (fhir_audit(
		        r, "search", fhir_type_name(t), NULL, single_patient, 200,
		        search_detail(a, posted ? encode_params(a, params, NULL, NULL) : r->query,
		                      0, "")))
			return -1;
		remember_view(r, t, params);
		fhir_respond(r, 200, b);
		return 0;
	}
	q.limit = count + 1;
	q.offset = q.has_cursor ? 0 : (page - 1) * count;
	q.want_total = !q.has_cursor && !total_none && total < 0;
	struct db_result *res = store_fhir_search(a, &q, &e);
	if (!res)
		return fhir_store_fail(r, &e);
	/* resources -> result rows: start[i] is resource i's first row, start[nrows] the end (an
	 * Observation with several identifiers has several consecutive flat rows, store.h) */
	int nres_rows = db_nrows(res);
	int *start = arena_alloc(a, sizeof(int) * (size_t)(nres_rows + 1));
	int nrows = 0;
	for (int i = 0; i < nres_rows; i++)
		if (i == 0 || t != FT_OBSERVATION ||
		    strcmp(db_get(res, i, FHIR_COL_ID), db_get(res, i - 1, FHIR_COL_ID)) != 0)
			start[nrows++] = i;
	start[nrows] = nres_rows;
	if (!q.has_cursor && page > 1 && nrows == 0)
		return fhir_fail(r, ERR_NOT_FOUND, "not-found", "Invalid page.");
	if (q.has_cursor)
		total = cur.total;
	else if (q.want_total)
		total = nrows ? db_get_i64(res, 0, FHIR_COL_TOTAL) : 0;
	if (total_none)
		total = -1;
	bool has_next = nrows > count;
	int shown = has_next ? (int)count : nrows;
	/* sized for the page (an Observation entry is 1-2 kB): no regrowth copies */
	buf_reserve(b, (size_t)shown * (t == FT_OBSERVATION ? 1536 : 512));

	jw_obj_begin(&w);
	jw_kstr(&w, "resourceType", "Bundle");
	jw_kstr(&w, "type", "searchset");
	if (total >= 0)
		jw_kint(&w, "total", total);
	jw_key(&w, "meta");
	jw_obj_begin(&w);
	jw_kstr(&w, "lastUpdated", now);
	jw_obj_end(&w);
	jw_key(&w, "link");
	jw_arr_begin(&w);
	write_link(&w, "self", self_url);
	static const char *const skip_pc[] = {"_page", "_cursor", NULL};
	if (page > 1) {
		struct kvlist extra = {0};
		if (page - 1 > 1)
			kv_add(a, &extra, "_page", arena_printf(a, "%lld", (long long)(page - 1)));
		char *enc = encode_params(a, params, skip_pc, &extra);
		write_link(&w, "previous",
		           *enc ? arena_printf(a, "%s?%s", type_path, enc) : type_path);
	}
	if (has_next) {
		struct fhir_cursor nc;
		memset(&nc, 0, sizeof(nc));
		nc.page = page + 1;
		nc.total = total;
		memcpy(nc.digest, digest, strlen(digest) + 1);
		int last = start[shown - 1];
		nc.nvals = q.nvals;
		for (int i = 0; i < q.nvals; i++)
			nc.vals[i] = db_get(res, last, FHIR_COL_SORT + i);
		nc.id = db_get_i64(res, last, FHIR_COL_ID);
		struct kvlist extra = {0};
		kv_add(a, &extra, "_cursor",
		       fhir_cursor_encode(a, &nc, g_config.secret_key, g_config.secret_key_len));
		kv_add(a, &extra, "_page", arena_printf(a, "%lld", (long long)(page + 1)));
		char *enc = encode_params(a, params, skip_pc, &extra);
		write_link(&w, "next", arena_printf(a, "%s?%s", type_path, enc));
	}
	jw_arr_end(&w);
	jw_key(&w, "entry");
	jw_arr_begin(&w);
	const char *base = fhir_base(r);
	const char *tn = fhir_type_name(t);
	struct buf *pids = buf_new(a, 64);
	int64_t only_patient = 0;
	bool several = false;
	int npids = 0;
	struct buf *full_url = buf_new(a, 256); /* <base>/<type>/<id>, the prefix written once */
	buf_printf(full_url, "%s/%s/", base, tn);
	size_t full_url_prefix = full_url->len;
	for (int k = 0; k < shown; k++) {
		int i = start[k];
		const char *id = db_get(res, i, FHIR_COL_ID);
		jw_obj_begin(&w);
		jw_key(&w, "fullUrl");
		buf_truncate(full_url, full_url_prefix);
		buf_puts(full_url, id);
		jw_strn(&w, full_url->data, full_url->len);
		jw_key(&w, "resource");
		if (t == FT_OBSERVATION) {
			fhir_obs_write(&w, res, i, start[k + 1] - i, FHIR_COL_RES);
		} else {
			jw_raw_compact(&w, db_get(res, i, FHIR_COL_RES),
			               db_getlen(res, i, FHIR_COL_RES));
		}
		jw_key(&w, "search");
		jw_obj_begin(&w);
		jw_kstr(&w, "mode", "match");
		jw_obj_end(&w);
		jw_obj_end(&w);
		int64_t pid = 0;
		if (t == FT_OBSERVATION)
			pid = db_get_i64(res, i, FHIR_COL_RES + FOC_PATIENT_ID);
		else if (t == FT_PATIENT)
			pid = db_get_i64(res, i, FHIR_COL_ID);
		if (pid) {
			if (!only_patient)
				only_patient = pid;
			else if (pid != only_patient)
				several = true;
			/* distinct ids (pages are small; linear check on the text) */
			char tok[32];
			snprintf(tok, sizeof(tok), "%lld", (long long)pid);
			bool dup = false;
			const char *p = pids->data;
			size_t tl = strlen(tok);
			while (p && *p) {
				if (!strncmp(p, tok, tl) && (p[tl] == ',' || p[tl] == 0)) {
					dup = true;
					break;
				}
				p = strchr(p, ',');
				if (p)
					p++;
			}
			if (!dup && npids < 1000) {
				if (npids++)
					buf_putc(pids, ',');
				buf_puts(pids, tok);
			}
		}
	}
	jw_arr_end(&w);
	jw_obj_end(&w);

	int64_t audit_patient = single_patient ? single_patient : (several ? 0 : only_patient);
	const char *qs = posted ? encode_params(a, params, NULL, NULL) : r->query;
	if (fhir_audit(r, "search", tn, NULL, audit_patient, 200,
	               search_detail(a, qs, shown, pids->data)))
		return -1;
	remember_view(r, t, params);
	fhir_respond(r, 200, b);
	return 0;
}

static enum fhir_rtype type_or_404(struct request *r)
{
	const char *ts = req_path_str(r, "type");
	enum fhir_rtype t = fhir_type_parse(ts);
	if (t == FT_NONE)
		fhir_fail(
		    r, ERR_NOT_FOUND, "not-found",
		    arena_printf(r->arena, "Unsupported FHIR resource type: %s.", ts ? ts : ""));
	return t;
}

int fhir_search(struct request *r)
{
	enum fhir_rtype t = type_or_404(r);
	if (t == FT_NONE)
		return -1;
	return do_search(r, t, &r->params, false);
}

int fhir_search_post(struct request *r)
{
	enum fhir_rtype t = type_or_404(r);
	if (t == FT_NONE)
		return -1;
	struct kvlist merged = {0};
	for (size_t i = 0; i < r->params.n; i++)
		kv_add(r->arena, &merged, r->params.items[i].key, r->params.items[i].value);
	if (r->body_len > 0) {
		struct kvlist form = {0};
		if (!req_form_body(r, &form))
			return fhir_fail(r, ERR_MEDIA_TYPE, "not-supported",
			                 arena_printf(r->arena,
			                              "Unsupported media type \"%s\" in request.",
			                              r->content_type ? r->content_type : ""));
		for (size_t i = 0; i < form.n; i++)
			kv_add(r->arena, &merged, form.items[i].key, form.items[i].value);
	}
	return do_search(r, t, &merged, true);
}
