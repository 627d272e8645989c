/* Observations of the Admin API (admin-api.md §11), filtered by the consent rule of
 * sql/functions/20_access.sql (the same functions as the FHIR API). */
#include "store/query.h"

#include <string.h>

/* Without an organization or study filter: the whole rule (self + consent), i.e.
 * jhe_visible_observation_keys. With one: only the consent rule narrowed to it.
 * The page is a keyset read like the FHIR search (store/fhir_search.c): with few (patient, code)
 * pairs a LATERAL per pair reads at most offset + limit rows from the (patient, code,
 * last_updated, id) index walked backwards; with many pairs, one ordered scan of the
 * (last_updated, id) index with a semi-join. The count is the sum of the pairs' counters
 * (observation_count, 070_observation_counts.sql); with an observation id filter, index-only
 * counts per pair or one semi-join. */
static struct db_stmt q_page = DB_STMT(
    "WITH keys AS MATERIALIZED ("
    "  SELECT z.patient_id, z.codeable_concept_id FROM ("
    "  SELECT k.patient_id, k.codeable_concept_id FROM jhe_visible_observation_keys($1) k"
    "   WHERE $2::bigint IS NULL AND $3::bigint IS NULL"
    "  UNION"
    "  SELECT v.patient_id, v.codeable_concept_id FROM jhe_consented_scopes($1) v"
    "   WHERE ($2::bigint IS NOT NULL OR $3::bigint IS NOT NULL)"
    "     AND ($2::bigint IS NULL OR v.organization_id = $2)"
    "     AND ($3::bigint IS NULL OR v.study_id = $3)) z"
    "  WHERE ($4::bigint IS NULL OR z.patient_id = $4)"
    "), pg AS ("
    "  (SELECT x.* FROM keys CROSS JOIN LATERAL ("
    "     SELECT o.id, o.subject_patient_id AS pid, o.last_updated FROM observation o"
    "      WHERE o.subject_patient_id = keys.patient_id"
    "        AND o.codeable_concept_id = keys.codeable_concept_id"
    "        AND ($5::bigint IS NULL OR o.id = $5)"
    "      ORDER BY o.last_updated DESC, o.id DESC LIMIT $6::bigint + $7::bigint) x"
    "    WHERE (SELECT count(*) FROM keys) <= 256)"
    "  UNION ALL"
    "  (SELECT o.id, o.subject_patient_id, o.last_updated FROM observation o"
    "    WHERE (SELECT count(*) FROM keys) > 256"
    "      AND (o.subject_patient_id, o.codeable_concept_id) IN"
    "          (SELECT keys.patient_id, keys.codeable_concept_id FROM keys)"
    "      AND ($5::bigint IS NULL OR o.id = $5)"
    "    ORDER BY o.last_updated DESC, o.id DESC LIMIT $6::bigint + $7::bigint)"
    "), page AS (SELECT * FROM pg ORDER BY last_updated DESC, id DESC LIMIT $6 OFFSET $7)"
    " SELECT CASE WHEN $5::bigint IS NULL"
    "   THEN (SELECT COALESCE(sum(oc.n), 0)::bigint FROM keys JOIN observation_count oc"
    "          ON oc.patient_id = keys.patient_id"
    "         AND oc.codeable_concept_id = keys.codeable_concept_id)"
    "   WHEN (SELECT count(*) FROM keys) <= 256"
    "   THEN (SELECT COALESCE(sum(n.c), 0)::bigint FROM keys CROSS JOIN LATERAL"
    "         (SELECT count(*) AS c FROM observation o"
    "           WHERE o.subject_patient_id = keys.patient_id"
    "             AND o.codeable_concept_id = keys.codeable_concept_id"
    "             AND ($5::bigint IS NULL OR o.id = $5)) n)"
    "   ELSE (SELECT count(*) FROM observation o"
    "          WHERE (o.subject_patient_id, o.codeable_concept_id) IN"
    "                (SELECT keys.patient_id, keys.codeable_concept_id FROM keys)"
    "            AND ($5::bigint IS NULL OR o.id = $5)) END,"
    "   COALESCE((SELECT json_agg(jhe_observation_json(page.id)"
    "                             ORDER BY page.last_updated DESC, page.id DESC) FROM page),"
    "            '[]'),"
    "   COALESCE((SELECT json_agg(DISTINCT page.pid ORDER BY page.pid) FROM page), '[]'),"
    "   (SELECT CASE WHEN count(DISTINCT page.pid) = 1 THEN min(page.pid) END FROM page),"
    "   (SELECT count(*) FROM page)");

int store_observations_page(struct arena *a, int64_t user_id, const struct observation_filter *f,
                            int64_t limit, int64_t offset, struct phi_page *out, struct err *e)
{
	return store_phi_page(
	    a, &q_page,
	    DB_PARAMS(db_i64(a, user_id), store_opt_i64(a, f->organization_id),
	              store_opt_i64(a, f->study_id), store_opt_i64(a, f->patient_id),
	              store_opt_i64(a, f->observation_id), db_i64(a, limit), db_i64(a, offset)),
	    out, e);
}

static struct db_stmt q_facts =
    DB_STMT("SELECT o.id IS NOT NULL, jhe_observation_visible($1, $2),"
            "       COALESCE(jhe_manages_patient($1, o.subject_patient_id), false),"
            "       COALESCE(o.subject_patient_id, 0)"
            "  FROM (SELECT 1) one LEFT JOIN observation o ON o.id = $2");

int store_observation_facts(struct arena *a, int64_t user_id, int64_t observation_id,
                            struct observation_facts *out, struct err *e)
{
	struct db_result *r =
	    db_query(a, &q_facts, DB_PARAMS(db_i64(a, user_id), db_i64(a, observation_id)), e);
	if (!r)
		return -1;
	memset(out, 0, sizeof(*out));
	out->exists = db_get_bool(r, 0, 0);
	out->visible = db_get_bool(r, 0, 1);
	out->manages = db_get_bool(r, 0, 2);
	out->patient_id = db_get_i64(r, 0, 3);
	return 0;
}

static struct db_stmt q_json = DB_STMT("SELECT jhe_observation_json($1)");

char *store_observation_json(struct arena *a, int64_t observation_id, struct err *e)
{
	return store_json(a, &q_json, DB_PARAMS(db_i64(a, observation_id)),
	                  "No Observation matches the given query.", e);
}

static struct db_stmt q_delete = DB_STMT("DELETE FROM observation WHERE id = $1");

int store_observation_delete(struct arena *a, int64_t observation_id, struct err *e)
{
	return store_exec(a, &q_delete, DB_PARAMS(db_i64(a, observation_id)), e);
}
