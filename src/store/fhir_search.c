/*
 * FHIR searches (fhir.md §5, §8): one statement per request, built from the parsed query.
 *
 * The SQL text depends on which parameters are present (values are always bound parameters); each
 * distinct text (a "shape") is prepared once per connection (run_shape). Observation visibility is
 * a set of (patient, code) pairs (jhe_fhir_observation_keys, sql/functions/50_fhir.sql, on top of
 * the consent rule of sql/functions/20_access.sql); patient and code filters narrow the pairs, row
 * filters apply per row. Pages are keyset pages: with few pairs, a LATERAL per pair reads at most
 * one page from the (patient, code, sort key, id) index; with many pairs, one ordered scan with a
 * hashed semi-join. A one-time filter on the pair count picks the branch at run time.
 */
#include "store/query.h"

#include <stdlib.h>
#include <string.h>

#define MAXP 400
#define LATERAL_MAX_PAIRS 256

struct sqlb {
	struct arena *a;
	const char *p[MAXP];
	int n;
	bool overflow;
};

static const char *P(struct sqlb *b, const char *v)
{
	if (b->n >= MAXP) {
		b->overflow = true;
		return "NULL";
	}
	b->p[b->n++] = v;
	return arena_printf(b->a, "$%d", b->n);
}

static const char *ids_lit(struct sqlb *b, const struct fhir_filter *f)
{
	struct pgarr x;
	pgarr_init(b->a, &x);
	for (int i = 0; i < f->n; i++)
		pgarr_addi(&x, f->ids[i]);
	return P(b, pgarr_end(&x));
}

/* Two parallel arrays (systems, codes) of a token filter; an empty system is NULL (any). */
static void toks_lit(struct sqlb *b, const struct fhir_tok *t, int n, const char **sys,
                     const char **code)
{
	struct pgarr s, c;
	pgarr_init(b->a, &s);
	pgarr_init(b->a, &c);
	for (int i = 0; i < n; i++) {
		pgarr_add(&s, t[i].system && *t[i].system ? t[i].system : NULL);
		pgarr_add(&c, t[i].code ? t[i].code : "");
	}
	*sys = P(b, pgarr_end(&s));
	*code = P(b, pgarr_end(&c));
}

static const char *codes_only_lit(struct sqlb *b, const struct fhir_filter *f)
{
	struct pgarr c;
	pgarr_init(b->a, &c);
	for (int i = 0; i < f->n; i++)
		pgarr_add(&c, f->toks[i].code ? f->toks[i].code : "");
	return P(b, pgarr_end(&c));
}

/* Case-insensitive "starts with" patterns (LIKE metacharacters escaped). */
static const char *prefix_lit(struct sqlb *b, const struct fhir_filter *f)
{
	struct pgarr x;
	pgarr_init(b->a, &x);
	for (int i = 0; i < f->n; i++) {
		struct buf *t = buf_new(b->a, 32);
		for (const char *s = f->strs[i]; *s; s++) {
			if (*s == '\\' || *s == '%' || *s == '_')
				buf_putc(t, '\\');
			buf_putc(t, *s);
		}
		buf_putc(t, '%');
		pgarr_add(&x, t->data);
	}
	return P(b, pgarr_end(&x));
}

static void date_cond(struct sqlb *b, struct buf *o, const char *col, const struct fhir_date *d)
{
	/* only the bounds that are used become parameters (an unused one has no type) */
	bool need_lo =
	    d->instant || d->op == FD_EQ || d->op == FD_NE || d->op == FD_GE || d->op == FD_LT;
	bool need_hi =
	    !d->instant && (d->op == FD_EQ || d->op == FD_NE || d->op == FD_GT || d->op == FD_LE);
	const char *lo =
	    need_lo ? arena_printf(b->a, "%s::timestamptz", P(b, db_time(b->a, d->lo))) : NULL;
	const char *hi =
	    need_hi ? arena_printf(b->a, "%s::timestamptz", P(b, db_time(b->a, d->hi))) : lo;
	if (d->instant)
		hi = lo;
	switch (d->op) {
	case FD_EQ:
		if (d->instant)
			buf_printf(o, "%s = %s", col, lo);
		else
			buf_printf(o, "(%s >= %s AND %s < %s)", col, lo, col, hi);
		break;
	case FD_NE:
		if (d->instant)
			buf_printf(o, "%s <> %s", col, lo);
		else
			buf_printf(o, "(%s < %s OR %s >= %s)", col, lo, col, hi);
		break;
	case FD_GT:
		buf_printf(o, d->instant ? "%s > %s" : "%s >= %s", col, hi);
		break;
	case FD_GE:
		buf_printf(o, "%s >= %s", col, lo);
		break;
	case FD_LT:
		buf_printf(o, "%s < %s", col, lo);
		break;
	case FD_LE:
		buf_printf(o, d->instant ? "%s <= %s" : "%s < %s", col, hi);
		break;
	}
}

static void dates_cond(struct sqlb *b, struct buf *o, const char *col, const struct fhir_filter *f)
{
	buf_puts(o, " AND (");
	for (int i = 0; i < f->n; i++) {
		if (i)
			buf_puts(o, " OR ");
		date_cond(b, o, col, &f->dates[i]);
	}
	buf_puts(o, ")");
}

#define OMH_SYSTEMS "('https://w3id.org/openmhealth', 'https://w3id.org/ieee1752')"

/* " IN (SELECT c.id ...)" for a code token list (the two OMH systems are equivalent). */
static void code_subquery(struct sqlb *b, struct buf *o, const struct fhir_tok *t, int n)
{
	const char *s, *c;
	toks_lit(b, t, n, &s, &c);
	buf_printf(
	    o,
	    " IN (SELECT c.id FROM codeable_concept c JOIN unnest(%s::text[], %s::text[]) t(s, v)"
	    " ON c.coding_code = t.v AND (t.s IS NULL OR c.coding_system = t.s OR"
	    " (t.s IN " OMH_SYSTEMS " AND c.coding_system IN " OMH_SYSTEMS ")))",
	    s, c);
}

/* ---------- sort keys ---------- */
struct skey {
	const char *expr; /* in terms of the row alias */
	const char *cast;
	bool desc;
};

static const char *field_expr(struct arena *a, enum fhir_sort_field f, const char *al)
{
	switch (f) {
	case FS_ID:
		return arena_printf(a, "%s.id", al);
	case FS_LASTUPDATED:
		return arena_printf(a, "%s.last_updated", al);
	case FS_NAME:
		return arena_printf(a, "%s.name", al);
	case FS_FAMILY:
		return arena_printf(a, "COALESCE(%s.name_family, '')", al);
	case FS_GIVEN:
		return arena_printf(a, "COALESCE(%s.name_given, '')", al);
	case FS_BIRTHDATE:
		return arena_printf(a, "COALESCE(%s.birth_date, 'infinity'::date)", al);
	case FS_DATE:
		break;
	}
	return "NULL";
}

static const char *field_cast(enum fhir_sort_field f)
{
	switch (f) {
	case FS_ID:
		return "bigint";
	case FS_LASTUPDATED:
		return "timestamptz";
	case FS_BIRTHDATE:
		return "date";
	default:
		return "text";
	}
}

/* The sort keys of q (or the type's default order) with expressions on alias al; the id
 * tiebreaker is not included. A date key is two keys: "no effective time" (always last), then
 * the time. */
static int resolve_keys(struct arena *a, const struct fhir_query *q, const char *al, struct skey *k,
                        bool *id_desc)
{
	struct fhir_sort_key def[2];
	const struct fhir_sort_key *s = q->sort;
	int ns = q->nsort;
	if (ns == 0) {
		s = def;
		switch (q->type) {
		case FT_OBSERVATION:
			def[0] = (struct fhir_sort_key){FS_LASTUPDATED, true};
			ns = 1;
			break;
		case FT_PATIENT:
		case FT_PRACTITIONER:
			def[0] = (struct fhir_sort_key){FS_FAMILY, false};
			def[1] = (struct fhir_sort_key){FS_GIVEN, false};
			ns = 2;
			break;
		default:
			def[0] = (struct fhir_sort_key){FS_NAME, false};
			ns = 1;
			break;
		}
	}
	int n = 0;
	*id_desc = s[0].desc;
	for (int i = 0; i < ns && n < FHIR_MAX_KEYVALS - 1; i++) {
		if (s[i].field == FS_DATE) {
			k[n++] = (struct skey){arena_printf(a, "(%s.effective_at IS NULL)", al),
			                       "boolean", false};
			k[n++] = (struct skey){
			    arena_printf(a, "COALESCE(%s.effective_at, '-infinity'::timestamptz)",
			                 al),
			    "timestamptz", s[i].desc};
		} else {
			k[n++] = (struct skey){field_expr(a, s[i].field, al),
			                       field_cast(s[i].field), s[i].desc};
		}
	}
	return n;
}

static void order_by(struct buf *o, const struct skey *k, int n, const char *idexpr, bool named,
                     bool id_desc)
{
	for (int i = 0; i < n; i++) {
		if (named)
			buf_printf(o, "%ss%d %s, ", "", i + 1, k[i].desc ? "DESC" : "ASC");
		else
			buf_printf(o, "%s %s, ", k[i].expr, k[i].desc ? "DESC" : "ASC");
	}
	buf_printf(o, "%s %s", idexpr, id_desc ? "DESC" : "ASC");
}

/* Rows strictly after the cursor position in the sort order (the cursor's sort values and id
 * bound as parameters). */
static void keyset(struct arena *a, struct sqlb *b, struct buf *o, const struct fhir_query *q,
                   const struct skey *k, int n, const char *idexpr, bool id_desc)
{
	if (!q->has_cursor)
		return;
	const char *vals[FHIR_MAX_KEYVALS];
	for (int i = 0; i < n; i++)
		vals[i] = P(b, i < q->ncur ? q->cur_vals[i] : NULL);
	const char *vid = P(b, db_i64(a, q->cur_id));
	bool same = true;
	for (int i = 0; i < n; i++)
		if (k[i].desc != id_desc)
			same = false;
	if (same) {
		buf_puts(o, " AND (");
		for (int i = 0; i < n; i++)
			buf_printf(o, "%s, ", k[i].expr);
		buf_printf(o, "%s) %s (", idexpr, id_desc ? "<" : ">");
		for (int i = 0; i < n; i++)
			buf_printf(o, "%s::%s, ", vals[i], k[i].cast);
		buf_printf(o, "%s::bigint)", vid);
		return;
	}
	buf_puts(o, " AND (");
	for (int i = 0; i <= n; i++) {
		if (i)
			buf_puts(o, " OR ");
		buf_puts(o, "(");
		for (int j = 0; j < i; j++)
			buf_printf(o, "%s = %s::%s AND ", k[j].expr, vals[j], k[j].cast);
		if (i < n)
			buf_printf(o, "%s %s %s::%s", k[i].expr, k[i].desc ? "<" : ">", vals[i],
			           k[i].cast);
		else
			buf_printf(o, "%s %s %s::bigint", idexpr, id_desc ? "<" : ">", vid);
		buf_puts(o, ")");
	}
	buf_puts(o, ")");
}

/* ---------- Observation ---------- */

static void obs_row_filters(struct sqlb *b, struct buf *rf, const struct fhir_query *q)
{
	for (int i = 0; i < q->nfilters; i++) {
		const struct fhir_filter *f = &q->filters[i];
		switch (f->kind) {
		case FF_ID:
			buf_printf(rf, " AND o.id = ANY (%s::bigint[])", ids_lit(b, f));
			break;
		case FF_LASTUPDATED:
			dates_cond(b, rf, "o.last_updated", f);
			break;
		case FF_DATE:
			dates_cond(b, rf, "o.effective_at", f);
			break;
		case FF_IDENT: {
			const char *s, *c;
			toks_lit(b, f->toks, f->n, &s, &c);
			buf_printf(rf,
			           " AND EXISTS (SELECT 1 FROM observation_identifier oi JOIN "
			           "unnest(%s::text[],"
			           " %s::text[]) t(s, v) ON oi.value = t.v AND (t.s IS NULL OR "
			           "oi.system = t.s)"
			           " WHERE oi.observation_id = o.id)",
			           s, c);
			break;
		}
		case FF_STATUS:
			buf_printf(rf, " AND o.status = ANY (%s::text[])", codes_only_lit(b, f));
			break;
		case FF_DEVICE:
			buf_printf(rf, " AND o.data_source_id = ANY (%s::bigint[])", ids_lit(b, f));
			break;
		default:
			break;
		}
	}
}

static void obs_keys(struct sqlb *b, struct buf *k, const struct fhir_query *q)
{
	const char *u = NULL, *self = NULL;
	if (q->any_of_patient <= 0) {
		u = P(b, db_i64(b->a, q->user_id));
		self = P(b, q->self_only ? "true" : "false");
	}
	const struct fhir_filter *first_s = NULL, *first_o = NULL;
	for (int i = 0; i < q->nfilters; i++) {
		if (q->filters[i].kind == FF_STUDY && !first_s)
			first_s = &q->filters[i];
		if (q->filters[i].kind == FF_ORG && !first_o)
			first_o = &q->filters[i];
	}
	if (q->any_of_patient > 0)
		buf_printf(
		    k,
		    "SELECT x.patient_id, x.codeable_concept_id FROM (SELECT p.id AS patient_id,"
		    " cc.id AS codeable_concept_id FROM patient p CROSS JOIN codeable_concept cc"
		    " WHERE p.id = %s::bigint) x WHERE true",
		    P(b, db_i64(b->a, q->any_of_patient)));
	else
		buf_printf(k,
		           "SELECT DISTINCT x.patient_id, x.codeable_concept_id"
		           " FROM jhe_fhir_observation_keys(%s::bigint, %s::bigint[], "
		           "%s::bigint[], %s::boolean) x"
		           " WHERE true",
		           u, first_s ? ids_lit(b, first_s) : "NULL",
		           first_o ? ids_lit(b, first_o) : "NULL", self);
	for (int i = 0; i < q->nfilters; i++) {
		const struct fhir_filter *f = &q->filters[i];
		switch (f->kind) {
		case FF_STUDY:
		case FF_ORG:
			if (f == first_s || f == first_o)
				break;
			buf_printf(
			    k,
			    " AND (x.patient_id, x.codeable_concept_id) IN (SELECT y.patient_id,"
			    " y.codeable_concept_id FROM jhe_fhir_observation_keys(%s::bigint, "
			    "%s::bigint[],"
			    " %s::bigint[], %s::boolean) y)",
			    u, f->kind == FF_STUDY ? ids_lit(b, f) : "NULL",
			    f->kind == FF_ORG ? ids_lit(b, f) : "NULL", self);
			break;
		case FF_PATIENT:
			buf_printf(k, " AND x.patient_id = ANY (%s::bigint[])", ids_lit(b, f));
			break;
		case FF_PATIENT_IDENT: {
			const char *s, *c;
			toks_lit(b, f->toks, f->n, &s, &c);
			buf_printf(
			    k,
			    " AND x.patient_id IN (SELECT pi.patient_id FROM patient_identifier pi"
			    " JOIN unnest(%s::text[], %s::text[]) t(s, v) ON pi.value = t.v"
			    " AND (t.s IS NULL OR pi.system = t.s))",
			    s, c);
			break;
		}
		case FF_CODE:
			buf_puts(k, " AND x.codeable_concept_id");
			code_subquery(b, k, f->toks, f->n);
			break;
		default:
			break;
		}
	}
	if (q->nscope_codes > 0) {
		buf_puts(k, " AND x.codeable_concept_id");
		code_subquery(b, k, q->scope_codes, q->nscope_codes);
	}
}

/* The FOC_* columns (store.h) up to FOC_DEVICE_ID; then FOC_IDENTIFIERS, FOC_OMH, FOC_IDENT_*. */
#define OBS_COLS_HEAD                                                                              \
	"o.id, o.last_updated, o.status, o.subject_patient_id, p.jhe_user_id, c.coding_system,"    \
	" c.coding_code, c.text, o.effective_date_time, o.effective_period_start,"                 \
	" o.effective_period_end, o.data_source_id, "

/* One row per observation: its identifiers as a JSON array. */
static const char *obs_cols = OBS_COLS_HEAD
    "(SELECT json_agg(CASE WHEN oi.system = '' THEN json_build_object('value', oi.value)"
    "   ELSE json_build_object('system', oi.system, 'value', oi.value) END ORDER BY oi.id)"
    "  FROM observation_identifier oi WHERE oi.observation_id = o.id),"
    " o.omh_data::text, NULL::text, NULL::text";

/* Flat pages (see store.h): one identifier per row, from a join with oi. */
static const char *obs_cols_flat =
    OBS_COLS_HEAD "NULL::json, o.omh_data::text, oi.system, oi.value";

/* The number of matching rows over the pairs of k (distinct pairs). Without row filters, the sum of
 * the pairs' maintained counters. Otherwise with few pairs, one index-only count per pair
 * (LATERAL); with many, one semi-join. The branch is picked at run time (CASE evaluates only its
 * branch): a generic plan of the semi-join alone is a merge join walking the whole index from its
 * start, i.e. the cost grew with the table and with the patient's position in it. */
static void obs_count(struct buf *s, const char *rf)
{
	if (!*rf) { /* no row filter: the pairs' counters (070_observation_counts.sql) */
		buf_puts(s,
		         "(SELECT COALESCE(sum(oc.n), 0)::bigint FROM k JOIN observation_count oc"
		         " ON oc.patient_id = k.patient_id AND oc.codeable_concept_id ="
		         " k.codeable_concept_id)");
		return;
	}
	buf_printf(s,
	           "CASE WHEN (SELECT count(*) FROM k) <= %d THEN (SELECT COALESCE(sum(n.c), 0)"
	           "::bigint FROM k CROSS JOIN LATERAL (SELECT count(*) AS c FROM observation o"
	           " WHERE o.subject_patient_id = k.patient_id AND o.codeable_concept_id ="
	           " k.codeable_concept_id%s) n) ELSE (SELECT count(*) FROM observation o WHERE"
	           " (o.subject_patient_id, o.codeable_concept_id) IN (SELECT k.patient_id,"
	           " k.codeable_concept_id FROM k)%s) END",
	           LATERAL_MAX_PAIRS, rf, rf);
}

/* A read by id (one id, no other filter, no page state): the visibility rule checked for the one
 * row, written so that PostgreSQL parameterizes it by the row's (patient, code) — the caller's
 * own patient, or a consent through a study of one of the caller's organizations
 * (jhe_consented_scopes, inlined into a correlated EXISTS). The general shape builds the caller's
 * whole (patient, code) key set first, a cost that grows with the caller's cohort. */
static bool obs_is_read_by_id(const struct fhir_query *q)
{
	return q->read_by_id && q->nfilters == 1 && q->filters[0].kind == FF_ID &&
	       q->filters[0].n == 1 && q->any_of_patient <= 0 && !q->has_cursor && !q->count_only;
}

/* The audit row of a read in the read's own statement (a data-modifying CTE always runs): one
 * round trip and one implicit transaction instead of two, committed without waiting for the WAL
 * flush like store_audit_insert(async). The outcome is the caller's status if the row is visible,
 * else 404; the patient is the row's. */
static void read_audit_cte(struct sqlb *b, struct buf *s, const struct audit_row *row)
{
	const char *v[12];
	store_audit_params(b->a, row, v);
	const char *x[12];
	for (int i = 0; i < 12; i++)
		x[i] = i == 5 ? NULL : P(b, v[i]);
	buf_printf(
	    s,
	    ", a AS (" STORE_AUDIT_INSERT
	    " SELECT clock_timestamp(), %s::bigint, %s::text, %s::text,"
	    " %s::text, %s::text, (SELECT r.subject_patient_id FROM r), CASE WHEN EXISTS"
	    " (SELECT 1 FROM r) THEN %s::smallint ELSE 404::smallint END, %s::inet, %s::text,"
	    " %s::text, %s::text, %s::jsonb FROM (SELECT set_config('synchronous_commit',"
	    " 'off', true)) s) SELECT * FROM r",
	    x[0], x[1], x[2], x[3], x[4], x[6], x[7], x[8], x[9], x[10], x[11]);
}

static char *build_observation_by_id(struct sqlb *b, struct fhir_query *q)
{
	struct buf *s = buf_new(b->a, 2048);
	const char *id = P(b, db_i64(b->a, q->filters[0].ids[0]));
	const char *u = P(b, db_i64(b->a, q->user_id));
	bool audit = q->read_audit && !db_in_transaction();
	if (audit)
		buf_puts(s, "WITH r AS MATERIALIZED (");
	buf_printf(s,
	           "SELECT NULL::bigint, o.id, NULL::text, NULL::text, NULL::text, NULL::text,"
	           " NULL::text, NULL::text, NULL::text, NULL::text, %s"
	           " FROM observation o JOIN codeable_concept c ON c.id = o.codeable_concept_id"
	           " JOIN patient p ON p.id = o.subject_patient_id WHERE o.id = %s::bigint",
	           obs_cols, id);
	if (q->self_only)
		buf_printf(s, " AND p.jhe_user_id = %s::bigint", u);
	else
		buf_printf(
		    s,
		    " AND (p.jhe_user_id = %s::bigint OR EXISTS (SELECT 1 FROM"
		    " jhe_consented_scopes(%s::bigint) v WHERE v.patient_id ="
		    " o.subject_patient_id AND v.codeable_concept_id = o.codeable_concept_id))",
		    u, u);
	if (q->nscope_codes > 0) {
		buf_puts(s, " AND o.codeable_concept_id");
		code_subquery(b, s, q->scope_codes, q->nscope_codes);
	}
	if (audit) {
		buf_puts(s, ")");
		read_audit_cte(b, s, q->read_audit);
	}
	q->read_audited = audit;
	q->nvals = 0;
	return s->data;
}

static char *build_observation(struct sqlb *b, struct fhir_query *q)
{
	struct arena *a = b->a;
	if (obs_is_read_by_id(q))
		return build_observation_by_id(b, q);
	struct buf *k = buf_new(a, 1024);
	obs_keys(b, k, q);
	struct buf *rf = buf_new(a, 512);
	obs_row_filters(b, rf, q);
	struct buf *s = buf_new(a, 4096);
	if (q->count_only) {
		buf_printf(s, "WITH k AS MATERIALIZED (%s) SELECT ", k->data);
		obs_count(s, rf->data);
		return s->data;
	}
	struct skey keys[FHIR_MAX_KEYVALS];
	bool idd = false;
	int nk = resolve_keys(a, q, "o", keys, &idd);
	q->nvals = nk;
	struct buf *ks = buf_new(a, 256);
	keyset(a, b, ks, q, keys, nk, "o.id", idd);
	struct buf *inner_order = buf_new(a, 128), *outer_order = buf_new(a, 128);
	order_by(inner_order, keys, nk, "o.id", false, idd);
	order_by(outer_order, keys, nk, "id", true, idd);
	struct buf *sel = buf_new(a, 256);
	for (int i = 0; i < nk; i++)
		buf_printf(sel, ", %s AS s%d", keys[i].expr, i + 1);
	const char *fetch = P(b, db_i64(a, q->offset + q->limit));
	const char *lim = P(b, db_i64(a, q->limit));
	const char *off = P(b, db_i64(a, q->offset));
	buf_printf(s, "WITH k AS MATERIALIZED (%s),", k->data);
	buf_printf(s,
	           " pg AS ((SELECT x.* FROM k CROSS JOIN LATERAL (SELECT o.id%s FROM observation o"
	           " WHERE o.subject_patient_id = k.patient_id AND o.codeable_concept_id = "
	           "k.codeable_concept_id"
	           "%s%s ORDER BY %s LIMIT %s::bigint) x WHERE (SELECT count(*) FROM k) <= %d)",
	           sel->data, rf->data, ks->data, inner_order->data, fetch, LATERAL_MAX_PAIRS);
	buf_printf(
	    s,
	    " UNION ALL (SELECT o.id%s FROM observation o WHERE (SELECT count(*) FROM k) > %d"
	    " AND (o.subject_patient_id, o.codeable_concept_id) IN (SELECT k.patient_id,"
	    " k.codeable_concept_id FROM k)%s%s ORDER BY %s LIMIT %s::bigint)),",
	    sel->data, LATERAL_MAX_PAIRS, rf->data, ks->data, inner_order->data, fetch);
	buf_printf(s, " page AS (SELECT * FROM pg ORDER BY %s LIMIT %s::bigint OFFSET %s::bigint)",
	           outer_order->data, lim, off);
	buf_puts(s, " SELECT ");
	if (q->want_total)
		obs_count(s, rf->data);
	else
		buf_puts(s, "NULL::bigint");
	buf_puts(s, ", page.id");
	for (int i = 0; i < 8; i++) {
		if (i < nk)
			buf_printf(s, ", page.s%d::text", i + 1);
		else
			buf_puts(s, ", NULL::text");
	}
	bool flat = q->any_of_patient <= 0;
	buf_printf(s,
	           ", %s FROM page JOIN observation o ON o.id = page.id"
	           " JOIN codeable_concept c ON c.id = o.codeable_concept_id"
	           " JOIN patient p ON p.id = o.subject_patient_id%s ORDER BY ",
	           flat ? obs_cols_flat : obs_cols,
	           flat ? " LEFT JOIN observation_identifier oi ON oi.observation_id = o.id" : "");
	struct buf *final_order = buf_new(a, 128);
	for (int i = 0; i < nk; i++)
		buf_printf(final_order, "page.s%d %s, ", i + 1, keys[i].desc ? "DESC" : "ASC");
	buf_printf(final_order, "page.id %s%s", idd ? "DESC" : "ASC", flat ? ", oi.id" : "");
	buf_puts(s, final_order->data);
	return s->data;
}

/* ---------- the read-only projections ---------- */

static void other_filters(struct sqlb *b, struct buf *w, const struct fhir_query *q)
{
	enum fhir_rtype t = q->type;
	for (int i = 0; i < q->nfilters; i++) {
		const struct fhir_filter *f = &q->filters[i];
		switch (f->kind) {
		case FF_ID:
			buf_printf(w, " AND t.id = ANY (%s::bigint[])", ids_lit(b, f));
			break;
		case FF_LASTUPDATED:
			dates_cond(b, w, "t.last_updated", f);
			break;
		case FF_BIRTHDATE:
			if (t == FT_PATIENT)
				dates_cond(b, w, "(t.birth_date::timestamp AT TIME ZONE 'UTC')", f);
			break;
		case FF_NAME: {
			const char *x = prefix_lit(b, f);
			if (t == FT_PATIENT || t == FT_PRACTITIONER)
				buf_printf(w,
				           " AND (t.name_family ILIKE ANY (%s::text[]) OR "
				           "t.name_given ILIKE ANY (%s::text[]))",
				           x, x);
			else
				buf_printf(w, " AND t.name ILIKE ANY (%s::text[])", x);
			break;
		}
		case FF_FAMILY:
			buf_printf(w, " AND t.name_family ILIKE ANY (%s::text[])",
			           prefix_lit(b, f));
			break;
		case FF_GIVEN:
			buf_printf(w, " AND t.name_given ILIKE ANY (%s::text[])", prefix_lit(b, f));
			break;
		case FF_IDENT:
		case FF_PATIENT_IDENT: {
			if (t == FT_PRACTITIONER) {
				buf_printf(w, " AND t.identifier = ANY (%s::text[])",
				           codes_only_lit(b, f));
				break;
			}
			const char *s, *c;
			toks_lit(b, f->toks, f->n, &s, &c);
			buf_printf(
			    w,
			    " AND t.id IN (SELECT pi.patient_id FROM patient_identifier pi JOIN"
			    " unnest(%s::text[], %s::text[]) t2(s, v) ON pi.value = t2.v AND"
			    " (t2.s IS NULL OR pi.system = t2.s))",
			    s, c);
			break;
		}
		case FF_PATIENT:
			if (t == FT_PATIENT)
				buf_printf(w, " AND t.id = ANY (%s::bigint[])", ids_lit(b, f));
			else if (t == FT_GROUP)
				buf_printf(
				    w,
				    " AND EXISTS (SELECT 1 FROM study_patient sp WHERE sp.study_id "
				    "= t.id AND sp.patient_id = ANY (%s::bigint[]))",
				    ids_lit(b, f));
			break;
		case FF_ORG:
			if (t == FT_PATIENT)
				buf_printf(w,
				           " AND EXISTS (SELECT 1 FROM patient_organization po "
				           "WHERE po.patient_id = t.id AND po.organization_id = "
				           "ANY (%s::bigint[]))",
				           ids_lit(b, f));
			else if (t == FT_GROUP)
				buf_printf(w, " AND t.organization_id = ANY (%s::bigint[])",
				           ids_lit(b, f));
			else if (t == FT_PRACTITIONER)
				buf_printf(w,
				           " AND EXISTS (SELECT 1 FROM practitioner_organization "
				           "po WHERE po.practitioner_id = t.id AND "
				           "po.organization_id = ANY (%s::bigint[]))",
				           ids_lit(b, f));
			break;
		case FF_STUDY:
			if (t == FT_PATIENT)
				buf_printf(
				    w,
				    " AND EXISTS (SELECT 1 FROM study_patient sp WHERE "
				    "sp.patient_id = t.id AND sp.study_id = ANY (%s::bigint[]))",
				    ids_lit(b, f));
			else if (t == FT_GROUP)
				buf_printf(w, " AND t.id = ANY (%s::bigint[])", ids_lit(b, f));
			break;
		case FF_TYPE:
			buf_printf(w, " AND t.type = ANY (%s::text[])", codes_only_lit(b, f));
			break;
		case FF_PARTOF:
			buf_printf(w, " AND t.part_of_id = ANY (%s::bigint[])", ids_lit(b, f));
			break;
		default:
			break;
		}
	}
}

static char *build_other(struct sqlb *b, struct fhir_query *q)
{
	struct arena *a = b->a;
	const char *u = q->type == FT_DEVICE ? NULL : P(b, db_i64(a, q->user_id));
	const char *table = "", *json = "";
	struct buf *w = buf_new(a, 1024);
	switch (q->type) {
	case FT_PATIENT:
		table = "patient";
		json = "jhe_fhir_patient_json(t)";
		if (q->self_only)
			buf_printf(w, "t.jhe_user_id = %s::bigint", u);
		else
			buf_printf(w,
			           "t.id IN (SELECT v.patient_id FROM "
			           "jhe_visible_patient_ids(%s::bigint) v)",
			           u);
		break;
	case FT_GROUP:
		table = "study";
		json = "jhe_fhir_group_json(t)";
		buf_puts(w, "(");
		if (!q->self_only)
			buf_printf(w,
			           "jhe_is_superuser(%s::bigint) OR t.organization_id IN (SELECT "
			           "m.organization_id"
			           " FROM jhe_member_orgs(%s::bigint) m) OR ",
			           u, u);
		buf_printf(
		    w,
		    "t.id IN (SELECT sp.study_id FROM study_patient sp JOIN patient pp ON pp.id ="
		    " sp.patient_id WHERE pp.jhe_user_id = %s::bigint))",
		    u);
		break;
	case FT_DEVICE:
		table = "data_source";
		json = "jhe_fhir_device_json(t)";
		buf_puts(w, "true");
		break;
	case FT_ORGANIZATION:
		table = "organization";
		json = "jhe_fhir_organization_json(t)";
		if (q->self_only)
			buf_printf(w,
			           "t.id IN (SELECT po.organization_id FROM patient_organization "
			           "po JOIN patient pp"
			           " ON pp.id = po.patient_id WHERE pp.jhe_user_id = %s::bigint)",
			           u);
		else
			buf_printf(w,
			           "t.id IN (SELECT v.organization_id FROM "
			           "jhe_visible_org_ids(%s::bigint) v)",
			           u);
		break;
	case FT_PRACTITIONER:
		table = "practitioner";
		json = "jhe_fhir_practitioner_json(t)";
		buf_puts(w, "(");
		if (!q->self_only)
			buf_printf(w,
			           "jhe_is_superuser(%s::bigint) OR t.jhe_user_id = %s::bigint OR "
			           "EXISTS (SELECT 1"
			           " FROM practitioner_organization a JOIN "
			           "jhe_member_orgs(%s::bigint) m ON"
			           " m.organization_id = a.organization_id WHERE a.practitioner_id "
			           "= t.id) OR ",
			           u, u, u);
		buf_printf(w,
		           "EXISTS (SELECT 1 FROM practitioner_organization a JOIN "
		           "patient_organization po ON"
		           " po.organization_id = a.organization_id JOIN patient pp ON pp.id = "
		           "po.patient_id"
		           " WHERE a.practitioner_id = t.id AND pp.jhe_user_id = %s::bigint))",
		           u);
		break;
	default:
		return NULL;
	}
	other_filters(b, w, q);
	struct buf *s = buf_new(a, 2048);
	if (q->count_only) {
		buf_printf(s, "SELECT count(*) FROM %s t WHERE %s", table, w->data);
		return s->data;
	}
	struct skey keys[FHIR_MAX_KEYVALS];
	bool idd = false;
	int nk = resolve_keys(a, q, "t", keys, &idd);
	q->nvals = nk;
	struct buf *ks = buf_new(a, 256);
	keyset(a, b, ks, q, keys, nk, "t.id", idd);
	struct buf *ord = buf_new(a, 128);
	order_by(ord, keys, nk, "t.id", false, idd);
	const char *lim = P(b, db_i64(a, q->limit));
	const char *off = P(b, db_i64(a, q->offset));
	buf_puts(s, "SELECT ");
	if (q->want_total)
		buf_printf(s, "(SELECT count(*) FROM %s t WHERE %s)", table, w->data);
	else
		buf_puts(s, "NULL::bigint");
	buf_puts(s, ", t.id");
	for (int i = 0; i < 8; i++) {
		if (i < nk)
			buf_printf(s, ", (%s)::text", keys[i].expr);
		else
			buf_puts(s, ", NULL::text");
	}
	buf_printf(s,
	           ", %s::text FROM %s t WHERE %s%s ORDER BY %s LIMIT %s::bigint OFFSET %s::bigint",
	           json, table, w->data, ks->data, ord->data, lim, off);
	return s->data;
}

/* Search shapes seen by this process, as named prepared statements (bounded: further shapes run
 * as unnamed statements). Clients repeat a handful of shapes (the notebook's paging chain), so
 * planning is paid once per shape and connection instead of on every page. */
#define SHAPE_CACHE 64
static struct {
	char *sql;
	struct db_stmt st;
} shapes[SHAPE_CACHE];
static int nshapes;

static struct db_result *run_shape(struct arena *a, const char *sql, int n, const char *const *p,
                                   struct err *e)
{
	for (int i = 0; i < nshapes; i++)
		if (!strcmp(shapes[i].sql, sql))
			return db_query(a, &shapes[i].st, n, p, e);
	if (nshapes < SHAPE_CACHE) {
		char *copy = strdup(sql);
		if (copy) {
			shapes[nshapes].sql = copy;
			shapes[nshapes].st.sql = copy;
			return db_query(a, &shapes[nshapes++].st, n, p, e);
		}
	}
	return db_query_params(a, sql, n, p, e);
}

struct db_result *store_fhir_search(struct arena *a, struct fhir_query *q, struct err *e)
{
	struct sqlb *b = arena_alloc(a, sizeof(*b));
	b->a = a;
	char *sql = q->type == FT_OBSERVATION ? build_observation(b, q) : build_other(b, q);
	if (!sql || b->overflow) {
		memset(e, 0, sizeof(*e));
		e->kind = ERR_BAD_REQUEST;
		e->msg = "Too many search parameters.";
		return NULL;
	}
	log_debug("fhir search: %s", sql);
	return run_shape(a, sql, b->n, b->p, e);
}

/* ---------- location checks (fhir.md §8.2) ---------- */

static struct db_stmt q_location =
    DB_STMT("SELECT k, id FROM ("
            " SELECT 1 AS o, 'P' AS k, x AS id FROM unnest($2::bigint[]) WITH ORDINALITY u(x, n)"
            "  WHERE NOT jhe_patient_visible($1, x)"
            " UNION ALL SELECT 2, 'O', x FROM unnest($3::bigint[]) WITH ORDINALITY u(x, n)"
            "  WHERE NOT jhe_is_member($1, x)"
            " UNION ALL SELECT 3, 'G', x FROM unnest($4::bigint[]) WITH ORDINALITY u(x, n)"
            "  WHERE NOT jhe_study_data_readable($1, x)) z ORDER BY o LIMIT 1");

int store_fhir_location_check(struct arena *a, int64_t user_id, struct id_list patients,
                              struct id_list orgs, struct id_list studies, char *kind, int64_t *id,
                              struct err *e)
{
	struct db_result *r = db_query(a, &q_location,
	                               DB_PARAMS(db_i64(a, user_id), pgarr_ids(a, patients),
	                                         pgarr_ids(a, orgs), pgarr_ids(a, studies)),
	                               e);
	if (!r)
		return -1;
	if (db_nrows(r) == 0)
		return 0;
	*kind = db_get(r, 0, 0)[0];
	*id = db_get_i64(r, 0, 1);
	return 1;
}

/* ---------- X-JHE-Remember-View ---------- */

static struct db_stmt q_remember = DB_STMT("UPDATE practitioner SET settings = settings || "
                                           "jsonb_build_object('current_fhir_resource', $2::text)"
                                           " WHERE jhe_user_id = $1");

int store_fhir_remember_view(struct arena *a, int64_t user_id, const char *value, struct err *e)
{
	return store_exec(a, &q_remember, DB_PARAMS(db_i64(a, user_id), value), e);
}
