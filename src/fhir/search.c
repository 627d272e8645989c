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
    {NULL, 0, 0, NULL},
};
static const struct pdef p_group[] = {
    {"name", FF_NAME, V_STRS, NULL},
    {"organization", FF_ORG, V_IDS, "Organization"},
    {"patient", FF_PATIENT, V_IDS, "Patient"},
    {NULL, 0, 0, NULL},
};
/* The patient's organizations and studies: searchable on Observation, Patient and Group. */
static const struct pdef p_patient_links[] = {
    {"patient.organization", FF_ORG, V_IDS, "Organization"},
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
static const struct pdef *const p_links[FT_COUNT] = {[FT_OBSERVATION] = p_patient_links,
                                                     [FT_PATIENT] = p_patient_links,
                                                     [FT_GROUP] = p_patient_links};

static const char *const control[] = {"_count", "_page",    "_cursor", "_total",
                                      "_sort",  "_summary", "_format", NULL};

static bool in_list(const char *k, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(*l, k))
			return true;
	return false;
}

static const struct pdef *find_in(const struct pdef *d, const char *k)
{
	for (; d && d->name; d++)
		if (!strcmp(d->name, k))
			return d;
	return NULL;
}

/* The type's own parameters, then the patient links (where the type has them), then _id and
 * _lastUpdated. */
static const struct pdef *find_def(enum fhir_rtype t, const char *k)
{
	const struct pdef *d = find_in(p_types[t], k);
	if (!d)
		d = find_in(p_links[t], k);
	return d ? d : find_in(p_common, k);
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

/* The ids that the filters of one location kind (patient, organization, study) name, for the
 * location check; values that name no row (-1) are left out. */
static struct id_list location_ids(struct arena *a, const struct fhir_query *q,
                                   enum fhir_filter_kind kind)
{
	int n = 0;
	for (int i = 0; i < q->nfilters; i++)
		if (q->filters[i].kind == kind && q->filters[i].ids)
			n += q->filters[i].n;
	int64_t *v = arena_alloc(a, sizeof(int64_t) * (size_t)(n ? n : 1));
	int m = 0;
	for (int i = 0; i < q->nfilters; i++) {
		const struct fhir_filter *f = &q->filters[i];
		if (f->kind != kind || !f->ids)
			continue;
		for (int j = 0; j < f->n; j++)
			if (f->ids[j] >= 0)
				v[m++] = f->ids[j];
	}
	return (struct id_list){v, m};
}

/* Parse one parameter occurrence into a filter. -1 with r->err on a bad value. */
static int parse_filter(struct request *r, const struct pdef *d, const char *key, const char *value,
                        struct fhir_filter *f, bool check_loc)
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

/* One search request as its steps fill it in. */
struct search {
	struct request *r;
	struct arena *a;
	enum fhir_rtype t;
	const struct kvlist *params;
	bool posted;
	struct fhir_query q;
	int64_t single_patient; /* the one patient the parameters name, else 0 */
	int64_t count, page, total;
	bool total_none, summary_count;
	const char *digest;
	struct fhir_cursor cur;
	const char *now, *self_url, *type_path;
	const char *query; /* the URL's query string, or the posted form encoded as one */
	struct db_result *res;
	int *start; /* resources -> result rows: start[i] is resource i's first row */
	int nrows, shown;
	bool has_next;
};

/* The search parameters into s->q.filters, then the location check of the patients,
 * organizations and studies they name (403 with an access.denied row). */
static int search_filters(struct search *s, const struct fhir_grant *g)
{
	struct request *r = s->r;
	struct arena *a = s->a;
	enum fhir_rtype t = s->t;
	const struct principal *pr = r->principal;
	bool practitioner = authz_staff(pr) && !g->self_only;
	bool superuser_bypass = authz_superuser(pr) && (t == FT_GROUP || t == FT_PRACTITIONER);
	bool check_loc = practitioner && !superuser_bypass;
	const char *prefer = req_header(r, "Prefer");
	bool strict = prefer && strstr(prefer, "handling=strict");
	struct fhir_query *q = &s->q;
	q->filters = arena_alloc(a, sizeof(struct fhir_filter) * (s->params->n + 1));
	int npatient_params = 0;
	for (size_t i = 0; i < s->params->n; i++) {
		const char *k = s->params->items[i].key, *v = s->params->items[i].value;
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
		struct fhir_filter *f = &q->filters[q->nfilters];
		if (parse_filter(r, d, k, v, f, check_loc))
			return -1;
		if (d->kind == FF_PATIENT && t != FT_GROUP) {
			npatient_params++;
			s->single_patient = f->n == 1 && f->ids[0] > 0 ? f->ids[0] : 0;
		}
		if (d->v == V_STRS && f->n == 0)
			continue;
		q->nfilters++;
	}
	if (npatient_params != 1)
		s->single_patient = 0;
	if (!check_loc)
		return 0;
	struct id_list patients = location_ids(a, q, FF_PATIENT);
	struct id_list orgs = location_ids(a, q, FF_ORG);
	struct id_list studies = location_ids(a, q, FF_STUDY);
	if (patients.n + orgs.n + studies.n == 0)
		return 0;
	char kind = 0;
	int64_t id = 0;
	struct err e = {0};
	int rc = store_fhir_location_check(a, q->user_id, patients, orgs, studies, &kind, &id, &e);
	if (rc < 0)
		return fhir_store_fail(r, &e);
	if (rc == 0)
		return 0;
	const char *tn = kind == 'P' ? "Patient" : kind == 'O' ? "Organization" : "Group";
	if (fhir_audit(r, "access.denied", fhir_type_name(t), NULL,
	               kind == 'P' ? id : s->single_patient, 403, NULL))
		return -1;
	return fhir_fail(r, ERR_FORBIDDEN, "forbidden",
	                 arena_printf(a, "Current user is not authorized to access %s/%lld.", tn,
	                              (long long)id));
}

/* _sort, _count, _page, _total, _summary and _cursor; the count query when the total is needed
 * first (_summary=count, or page=last resolved from the total). */
static int search_paging(struct search *s)
{
	struct request *r = s->r;
	const struct kvlist *params = s->params;
	struct fhir_query *q = &s->q;
	const char *sort = kv_get_last(params, "_sort");
	if (sort)
		parse_sort(r, s->t, sort, q);
	s->count = fhir_parse_count(kv_get_last(params, "_count"));
	s->page = fhir_parse_page(kv_get_last(params, "_page"));
	if (s->page < 0)
		return fhir_fail(r, ERR_NOT_FOUND, "not-found", "Invalid page.");
	const char *tot = kv_get_last(params, "_total");
	s->total_none = tot && !strcmp(tot, "none");
	const char *summary = kv_get_last(params, "_summary");
	s->summary_count = summary && !strcmp(summary, "count");
	s->digest = params_digest(r, s->t, params);
	const char *cur_raw = kv_get_last(params, "_cursor");
	s->cur.total = -1;
	if (cur_raw && !s->summary_count) {
		if (fhir_cursor_decode(s->a, cur_raw, &s->cur, g_config.secret_key,
		                       g_config.secret_key_len) ||
		    strcmp(s->cur.digest, s->digest) != 0)
			return fhir_fail(r, ERR_BAD_REQUEST, "invalid", "Invalid _cursor.");
		q->has_cursor = true;
		q->ncur = s->cur.nvals;
		for (int i = 0; i < s->cur.nvals; i++)
			q->cur_vals[i] = s->cur.vals[i];
		q->cur_id = s->cur.id;
		s->page = s->cur.page;
	}
	s->total = -1;
	if (s->summary_count || (s->page == 0 && !q->has_cursor)) {
		struct err e = {0};
		q->count_only = true;
		struct db_result *cr = store_fhir_search(s->a, q, &e);
		if (!cr)
			return fhir_store_fail(r, &e);
		s->total = db_get_i64(cr, 0, 0);
		q->count_only = false;
		if (s->page == 0)
			s->page = s->total > 0 ? (s->total + s->count - 1) / s->count : 1;
	}
	return 0;
}

/* meta.lastUpdated, the type's URL and the self link (a POSTed search links its parameters). */
static void search_urls(struct search *s)
{
	struct request *r = s->r;
	struct arena *a = s->a;
	char tb[40];
	time_format(time_now_usec(), tb);
	s->now = arena_strdup(a, tb);
	if (s->posted) {
		const char *rp = r->raw_path ? r->raw_path : r->path;
		size_t n = strlen(rp);
		s->type_path =
		    arena_printf(a, "%s%.*s", r->origin, (int)(n - strlen("/_search")), rp);
		s->query = encode_params(a, s->params, NULL, NULL);
		s->self_url =
		    *s->query ? arena_printf(a, "%s?%s", s->type_path, s->query) : s->type_path;
	} else {
		s->type_path =
		    arena_printf(a, "%s%s", r->origin, r->raw_path ? r->raw_path : r->path);
		s->query = r->query;
		s->self_url = r->query && *r->query
		                  ? arena_printf(a, "%s?%s", s->type_path, r->query)
		                  : s->type_path;
	}
}

/* The Bundle up to and with its self link: the link array stays open. */
static void bundle_head(const struct search *s, struct jw *w, int64_t total)
{
	jw_obj_begin(w);
	jw_kstr(w, "resourceType", "Bundle");
	jw_kstr(w, "type", "searchset");
	if (total >= 0)
		jw_kint(w, "total", total);
	jw_key(w, "meta");
	jw_obj_begin(w);
	jw_kstr(w, "lastUpdated", s->now);
	jw_obj_end(w);
	jw_key(w, "link");
	jw_arr_begin(w);
	write_link(w, "self", s->self_url);
}

/* The search's audit row (shown entries and their patients), the remembered view, the answer. */
static int search_done(const struct search *s, struct buf *b, int64_t patient, int shown,
                       const char *pids)
{
	struct request *r = s->r;
	if (fhir_audit(r, "search", fhir_type_name(s->t), NULL, patient, 200,
	               search_detail(s->a, s->query, shown, pids)))
		return -1;
	remember_view(r, s->t, s->params);
	fhir_respond(r, 200, b);
	return 0;
}

/* _summary=count: the total alone, no entries. */
static int search_summary(const struct search *s)
{
	struct buf *b = buf_new(s->a, 4096);
	struct jw w;
	jw_init(&w, b);
	bundle_head(s, &w, s->total);
	jw_arr_end(&w);
	jw_key(&w, "entry");
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return search_done(s, b, s->single_patient, 0, "");
}

/* The page's rows (one more than shown tells whether a next page exists) and the total. */
static int search_fetch(struct search *s)
{
	struct request *r = s->r;
	struct fhir_query *q = &s->q;
	q->limit = s->count + 1;
	q->offset = q->has_cursor ? 0 : (s->page - 1) * s->count;
	q->want_total = !q->has_cursor && !s->total_none && s->total < 0;
	struct err e = {0};
	struct db_result *res = s->res = store_fhir_search(s->a, q, &e);
	if (!res)
		return fhir_store_fail(r, &e);
	/* start[nrows] is the end (an Observation with several identifiers has several consecutive
	 * flat rows, store.h) */
	int nres_rows = db_nrows(res);
	s->start = arena_alloc(s->a, sizeof(int) * (size_t)(nres_rows + 1));
	s->nrows = 0;
	for (int i = 0; i < nres_rows; i++)
		if (i == 0 || s->t != FT_OBSERVATION ||
		    strcmp(db_get(res, i, FHIR_COL_ID), db_get(res, i - 1, FHIR_COL_ID)) != 0)
			s->start[s->nrows++] = i;
	s->start[s->nrows] = nres_rows;
	if (!q->has_cursor && s->page > 1 && s->nrows == 0)
		return fhir_fail(r, ERR_NOT_FOUND, "not-found", "Invalid page.");
	if (q->has_cursor)
		s->total = s->cur.total;
	else if (q->want_total)
		s->total = s->nrows ? db_get_i64(res, 0, FHIR_COL_TOTAL) : 0;
	if (s->total_none)
		s->total = -1;
	s->has_next = s->nrows > s->count;
	s->shown = s->has_next ? (int)s->count : s->nrows;
	return 0;
}

/* The previous (by _page) and next (by a signed keyset _cursor) links. */
static void search_links(const struct search *s, struct jw *w)
{
	struct arena *a = s->a;
	static const char *const skip_pc[] = {"_page", "_cursor", NULL};
	if (s->page > 1) {
		struct kvlist extra = {0};
		if (s->page - 1 > 1)
			kv_add(a, &extra, "_page",
			       arena_printf(a, "%lld", (long long)(s->page - 1)));
		char *enc = encode_params(a, s->params, skip_pc, &extra);
		write_link(w, "previous",
		           *enc ? arena_printf(a, "%s?%s", s->type_path, enc) : s->type_path);
	}
	if (!s->has_next)
		return;
	struct fhir_cursor nc;
	memset(&nc, 0, sizeof(nc));
	nc.page = s->page + 1;
	nc.total = s->total;
	memcpy(nc.digest, s->digest, strlen(s->digest) + 1);
	int last = s->start[s->shown - 1];
	nc.nvals = s->q.nvals;
	for (int i = 0; i < s->q.nvals; i++)
		nc.vals[i] = db_get(s->res, last, FHIR_COL_SORT + i);
	nc.id = db_get_i64(s->res, last, FHIR_COL_ID);
	struct kvlist extra = {0};
	kv_add(a, &extra, "_cursor",
	       fhir_cursor_encode(a, &nc, g_config.secret_key, g_config.secret_key_len));
	kv_add(a, &extra, "_page", arena_printf(a, "%lld", (long long)(s->page + 1)));
	char *enc = encode_params(a, s->params, skip_pc, &extra);
	write_link(w, "next", arena_printf(a, "%s?%s", s->type_path, enc));
}

/* The patients of the shown entries, for the audit row. */
struct seen_patients {
	struct buf *pids; /* distinct ids, comma-separated (at most 1000) */
	int npids;
	int64_t only; /* the first patient seen */
	bool several; /* another patient than only seen too */
};

static void note_patient(struct seen_patients *sp, int64_t pid)
{
	if (!pid)
		return;
	if (!sp->only)
		sp->only = pid;
	else if (pid != sp->only)
		sp->several = true;
	/* distinct ids (pages are small; linear check on the text) */
	char tok[32];
	snprintf(tok, sizeof(tok), "%lld", (long long)pid);
	const char *p = sp->pids->data;
	size_t tl = strlen(tok);
	while (p && *p) {
		if (!strncmp(p, tok, tl) && (p[tl] == ',' || p[tl] == 0))
			return;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (sp->npids < 1000) {
		if (sp->npids++)
			buf_putc(sp->pids, ',');
		buf_puts(sp->pids, tok);
	}
}

/* The shown entries: fullUrl, resource, search mode; their patients into sp. */
static void search_entries(const struct search *s, struct jw *w, struct seen_patients *sp)
{
	const struct db_result *res = s->res;
	struct buf *full_url = buf_new(s->a, 256); /* <base>/<type>/<id>, the prefix written once */
	buf_printf(full_url, "%s/%s/", fhir_base(s->r), fhir_type_name(s->t));
	size_t full_url_prefix = full_url->len;
	for (int k = 0; k < s->shown; k++) {
		int i = s->start[k];
		const char *id = db_get(res, i, FHIR_COL_ID);
		jw_obj_begin(w);
		jw_key(w, "fullUrl");
		buf_truncate(full_url, full_url_prefix);
		buf_puts(full_url, id);
		jw_strn(w, full_url->data, full_url->len);
		jw_key(w, "resource");
		if (s->t == FT_OBSERVATION)
			fhir_obs_write(w, res, i, s->start[k + 1] - i, FHIR_COL_RES);
		else
			jw_raw_compact(w, db_get(res, i, FHIR_COL_RES),
			               db_getlen(res, i, FHIR_COL_RES));
		jw_key(w, "search");
		jw_obj_begin(w);
		jw_kstr(w, "mode", "match");
		jw_obj_end(w);
		jw_obj_end(w);
		if (s->t == FT_OBSERVATION)
			note_patient(sp, db_get_i64(res, i, FHIR_COL_RES + FOC_PATIENT_ID));
		else if (s->t == FT_PATIENT)
			note_patient(sp, db_get_i64(res, i, FHIR_COL_ID));
	}
}

static int do_search(struct request *r, enum fhir_rtype t, const struct kvlist *params, bool posted)
{
	struct fhir_grant g;
	if (fhir_begin(r, t, 's', &g))
		return -1;
	struct search s;
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.a = r->arena;
	s.t = t;
	s.params = params;
	s.posted = posted;
	s.q.type = t;
	s.q.user_id = r->principal ? r->principal->user_id : 0;
	s.q.self_only = g.self_only;
	s.q.scope_codes = g.codes;
	s.q.nscope_codes = g.ncodes;
	if (search_filters(&s, &g) || search_paging(&s))
		return -1;
	search_urls(&s);
	if (s.summary_count)
		return search_summary(&s);
	if (search_fetch(&s))
		return -1;
	struct buf *b = buf_new(s.a, 4096);
	/* sized for the page (an Observation entry is 1-2 kB): no regrowth copies */
	buf_reserve(b, (size_t)s.shown * (t == FT_OBSERVATION ? 1536 : 512));
	struct jw w;
	jw_init(&w, b);
	bundle_head(&s, &w, s.total);
	search_links(&s, &w);
	jw_arr_end(&w);
	jw_key(&w, "entry");
	jw_arr_begin(&w);
	struct seen_patients sp = {.pids = buf_new(s.a, 64)};
	search_entries(&s, &w, &sp);
	jw_arr_end(&w);
	jw_obj_end(&w);
	int64_t audit_patient = s.single_patient ? s.single_patient : (sp.several ? 0 : sp.only);
	return search_done(&s, b, audit_patient, s.shown, sp.pids->data);
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
