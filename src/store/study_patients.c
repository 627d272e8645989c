/* Study enrolments (admin-api.md §10 studies/{id}/patients). */
#include "store/query.h"

#include <string.h>

static struct db_stmt q_facts = DB_STMT(
    "SELECT s.id IS NOT NULL, COALESCE(s.organization_id, 0),"
    "       jhe_study_data_readable($1, $2),"
    "       s.id IS NOT NULL AND jhe_can($1, 'study.manage_for_organization', s.organization_id),"
    "       jhe_is_superuser($1)"
    "  FROM (SELECT 1) one LEFT JOIN study s ON s.id = $2");

int store_study_facts(struct arena *a, int64_t user_id, int64_t study_id, struct study_facts *out,
                      struct err *e)
{
	struct db_result *r =
	    db_query(a, &q_facts, DB_PARAMS(db_i64(a, user_id), db_i64(a, study_id)), e);
	if (!r)
		return -1;
	memset(out, 0, sizeof(*out));
	out->exists = db_get_bool(r, 0, 0);
	out->org_id = db_get_i64(r, 0, 1);
	out->data_readable = db_get_bool(r, 0, 2);
	out->can_manage = db_get_bool(r, 0, 3);
	out->is_superuser = db_get_bool(r, 0, 4);
	return 0;
}

static struct db_stmt q_page =
    DB_STMT("WITH ids AS (SELECT sp.patient_id AS id FROM study_patient sp WHERE sp.study_id = $1),"
            " pg AS (SELECT id FROM ids ORDER BY id LIMIT $2 OFFSET $3)"
            " SELECT (SELECT count(*) FROM ids),"
            "   COALESCE((SELECT json_agg(jhe_patient_json(pg.id) ORDER BY pg.id) FROM pg), '[]'),"
            "   COALESCE((SELECT json_agg(pg.id ORDER BY pg.id) FROM pg), '[]'),"
            "   (SELECT CASE WHEN count(*) = 1 THEN min(pg.id) END FROM pg),"
            "   (SELECT count(*) FROM pg)");

int store_study_patients_page(struct arena *a, int64_t study_id, int64_t limit, int64_t offset,
                              struct phi_page *out, struct err *e)
{
	return store_phi_page(a, &q_page,
	                      DB_PARAMS(db_i64(a, study_id), db_i64(a, limit), db_i64(a, offset)),
	                      out, e);
}

static struct db_stmt q_check =
    DB_STMT("SELECT e.pid::bigint, p.id IS NOT NULL,"
            "       EXISTS (SELECT 1 FROM patient_organization po"
            "                WHERE po.patient_id = p.id AND po.organization_id = $2),"
            "       COALESCE(sp.id, 0)"
            "  FROM jsonb_array_elements_text($3::jsonb) WITH ORDINALITY e(pid, ord)"
            "  LEFT JOIN patient p ON p.id = e.pid::bigint"
            "  LEFT JOIN study_patient sp ON sp.study_id = $1 AND sp.patient_id = p.id"
            " ORDER BY e.ord");

int store_enrol_check(struct arena *a, int64_t study_id, int64_t org_id, const char *ids_json,
                      struct enrol_check *out, int n, struct err *e)
{
	struct db_result *r =
	    db_query(a, &q_check, DB_PARAMS(db_i64(a, study_id), db_i64(a, org_id), ids_json), e);
	if (!r)
		return -1;
	for (int i = 0; i < n && i < db_nrows(r); i++) {
		out[i].patient_id = db_get_i64(r, i, 0);
		out[i].exists = db_get_bool(r, i, 1);
		out[i].in_org = db_get_bool(r, i, 2);
		out[i].study_patient_id = db_get_i64(r, i, 3);
	}
	return 0;
}

static struct db_stmt q_enrol =
    DB_STMT("INSERT INTO study_patient (study_id, patient_id) VALUES ($1, $2) RETURNING id");

int64_t store_enrol(struct arena *a, int64_t study_id, int64_t patient_id, struct err *e)
{
	return store_id(a, &q_enrol, DB_PARAMS(db_i64(a, study_id), db_i64(a, patient_id)), e);
}

static struct db_stmt q_unenrol =
    DB_STMT("DELETE FROM study_patient WHERE study_id = $1 AND patient_id = $2 RETURNING id");

int64_t store_unenrol(struct arena *a, int64_t study_id, int64_t patient_id, struct err *e)
{
	return store_id(a, &q_unenrol, DB_PARAMS(db_i64(a, study_id), db_i64(a, patient_id)), e);
}

static struct db_stmt q_rows =
    DB_STMT("SELECT json_build_object('studyPatients', COALESCE(json_agg(json_build_object("
            "         'id', sp.id, 'study', jhe_nested_study_json(sp.study_id),"
            "         'patient', jhe_nested_patient_json(sp.patient_id)) ORDER BY e.ord), '[]'))"
            "  FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY e(id, ord)"
            "  JOIN study_patient sp ON sp.id = e.id::bigint");

char *store_study_patient_rows_json(struct arena *a, const char *ids_json, struct err *e)
{
	return store_json_value(a, &q_rows, DB_PARAMS(ids_json), e);
}
