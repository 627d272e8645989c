/* Consents (admin-api.md §8): the consents document, the facts behind the write checks, and
 * the row writes (each returns what the audit row needs). */
#include "store/query.h"

#include <string.h>

static struct db_stmt q_doc = DB_STMT("SELECT jhe_consents_json($1, $2, $3)");

char *store_consents_json(struct arena *a, int64_t patient_id, int64_t user_id, bool all_studies,
                          struct err *e)
{
	return store_json_value(
	    a, &q_doc, DB_PARAMS(db_i64(a, patient_id), db_i64(a, user_id), store_tf(all_studies)),
	    e);
}

/* Per study of the body (ids as a JSON array, in body order): the study's organization, the
 * caller's role there, whether the patient belongs to it. The caller's memberships (one per
 * organization) are read once, not per study. */
static struct db_stmt q_study_access =
    DB_STMT("WITH m AS (SELECT organization_id, role FROM jhe_member_orgs($1)) "
            "SELECT s.id IS NOT NULL, COALESCE(s.organization_id, 0), m.role,"
            "       EXISTS (SELECT 1 FROM patient_organization po"
            "                WHERE po.patient_id = $2 AND po.organization_id = s.organization_id)"
            "  FROM jsonb_array_elements_text($3::jsonb) WITH ORDINALITY e(sid, ord)"
            "  LEFT JOIN study s ON s.id = e.sid::bigint"
            "  LEFT JOIN m ON m.organization_id = s.organization_id"
            " ORDER BY e.ord");

int store_consent_study_access(struct arena *a, int64_t user_id, int64_t patient_id,
                               const char *study_ids_json, struct consent_study_access *out, int n,
                               struct err *e)
{
	struct db_result *r =
	    db_query(a, &q_study_access,
	             DB_PARAMS(db_i64(a, user_id), db_i64(a, patient_id), study_ids_json), e);
	if (!r)
		return -1;
	for (int i = 0; i < n && i < db_nrows(r); i++) {
		out[i].exists = db_get_bool(r, i, 0);
		out[i].org_id = db_get_i64(r, i, 1);
		out[i].role = db_isnull(r, i, 2) ? NULL : arena_strdup(a, db_get(r, i, 2));
		out[i].patient_in_org = db_get_bool(r, i, 3);
	}
	return 0;
}

/* Per (study, system, code) of the body: enrolment, code, request and existing consent. */
static struct db_stmt q_lookup = DB_STMT(
    "SELECT COALESCE(sp.id, 0), COALESCE(c.id, 0),"
    "       EXISTS (SELECT 1 FROM study_scope_request r"
    "                WHERE r.study_id = (e.v->>'s')::bigint AND r.scope_code_id = c.id),"
    "       COALESCE(x.id, 0), COALESCE(x.consented, false)"
    "  FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY e(v, ord)"
    "  LEFT JOIN study_patient sp ON sp.study_id = (e.v->>'s')::bigint AND sp.patient_id = $1"
    "  LEFT JOIN codeable_concept c ON c.coding_system = e.v->>'y' AND c.coding_code = e.v->>'c'"
    "  LEFT JOIN study_patient_scope_consent x"
    "         ON x.study_patient_id = sp.id AND x.scope_code_id = c.id"
    " ORDER BY e.ord");

int store_consent_lookup(struct arena *a, int64_t patient_id, struct consent_item *items, int n,
                         struct err *e)
{
	struct buf *b = buf_new(a, 64 * (size_t)n + 16);
	struct jw w;
	jw_init(&w, b);
	jw_arr_begin(&w);
	for (int i = 0; i < n; i++) {
		jw_obj_begin(&w);
		jw_kint(&w, "s", items[i].study_id);
		jw_kstr(&w, "y", items[i].system);
		jw_kstr(&w, "c", items[i].code);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	struct db_result *r = db_query(a, &q_lookup, DB_PARAMS(db_i64(a, patient_id), b->data), e);
	if (!r)
		return -1;
	for (int i = 0; i < n && i < db_nrows(r); i++) {
		items[i].study_patient_id = db_get_i64(r, i, 0);
		items[i].code_id = db_get_i64(r, i, 1);
		items[i].requested = db_get_bool(r, i, 2);
		items[i].consent_id = db_get_i64(r, i, 3);
		items[i].old_consented = db_get_bool(r, i, 4);
	}
	return 0;
}

static struct db_stmt q_insert =
    DB_STMT("INSERT INTO study_patient_scope_consent (study_patient_id, scope_code_id, consented,"
            "                                         consented_time)"
            " VALUES ($1, $2, $3, now()) RETURNING id");
static struct db_stmt q_update =
    DB_STMT("UPDATE study_patient_scope_consent SET consented = $2, consented_time = now()"
            " WHERE id = $1 RETURNING id");
static struct db_stmt q_delete =
    DB_STMT("DELETE FROM study_patient_scope_consent WHERE id = $1 RETURNING id");

int64_t store_consent_write(struct arena *a, char op, const struct consent_item *it, struct err *e)
{
	struct db_result *r;
	if (op == 'c') {
		const char *params[3] = {db_i64(a, it->study_patient_id), db_i64(a, it->code_id),
		                         store_tf(it->consented)};
		r = db_query(a, &q_insert, 3, params, e);
	} else if (op == 'u') {
		const char *params[2] = {db_i64(a, it->consent_id), store_tf(it->consented)};
		r = db_query(a, &q_update, 2, params, e);
	} else {
		const char *params[1] = {db_i64(a, it->consent_id)};
		r = db_query(a, &q_delete, 1, params, e);
	}
	if (!r)
		return -1;
	return db_nrows(r) ? db_get_i64(r, 0, 0) : 0;
}

static struct db_stmt q_rows =
    DB_STMT("SELECT json_build_object('studyScopeConsents', COALESCE(json_agg("
            "         jhe_consent_row_json(e.id::bigint) ORDER BY e.ord), '[]'))"
            "  FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY e(id, ord)");

char *store_consent_rows_json(struct arena *a, const char *ids_json, struct err *e)
{
	return store_json_value(a, &q_rows, DB_PARAMS(ids_json), e);
}

static struct db_stmt q_reset =
    DB_STMT("WITH d AS (DELETE FROM study_patient_scope_consent c USING study_patient sp"
            "            WHERE sp.id = c.study_patient_id AND sp.patient_id = $1"
            "            RETURNING c.id, sp.study_id, c.scope_code_id, c.consented)"
            " SELECT d.id, d.study_id, cc.coding_system || '|' || cc.coding_code, d.consented"
            "   FROM d JOIN codeable_concept cc ON cc.id = d.scope_code_id ORDER BY d.id");

int store_consents_reset(struct arena *a, int64_t patient_id, struct consent_deleted **out,
                         struct err *e)
{
	struct db_result *r = db_query(a, &q_reset, DB_PARAMS(db_i64(a, patient_id)), e);
	if (!r)
		return -1;
	int n = db_nrows(r);
	*out = arena_alloc(a, sizeof(**out) * (size_t)(n ? n : 1));
	for (int i = 0; i < n; i++) {
		(*out)[i].id = db_get_i64(r, i, 0);
		(*out)[i].study_id = db_get_i64(r, i, 1);
		(*out)[i].code = arena_strdup(a, db_get(r, i, 2));
		(*out)[i].old = db_get_bool(r, i, 3);
	}
	return n;
}
