/*
 * FHIR Observation creation (fhir.md §3, §4): one lookup statement for all the facts the checks
 * need, one insert statement for all the entries of a Bundle (observations, identifiers and
 * their audit rows).
 */
#include "store/store.h"

static struct db_stmt q_lookup = DB_STMT(
    "SELECT 'P', p.id, p.jhe_user_id, (p.jhe_user_id IS NOT DISTINCT FROM $1)::int,"
    "       CASE WHEN jhe_manages_patient($1, p.id) THEN '1' END, NULL, NULL"
    "  FROM patient p WHERE p.id = ANY ($2::bigint[])"
    " UNION ALL"
    " SELECT 'D', d.id, NULL, NULL, d.type, NULL, NULL FROM data_source d WHERE d.id = ANY "
    "($3::bigint[])"
    " UNION ALL"
    " SELECT 'C', c.id, NULL, NULL, c.coding_code, c.coding_system, c.text"
    "  FROM codeable_concept c WHERE c.coding_code = ANY ($4::text[])"
    "   AND c.coding_system IN ('https://w3id.org/openmhealth', 'https://w3id.org/ieee1752')"
    " UNION ALL"
    " SELECT DISTINCT 'K', x.pid, NULL::bigint, NULL::int, x.code, NULL::text, NULL::text"
    "  FROM unnest($5::bigint[], $6::text[]) x(pid, code)"
    "  WHERE EXISTS (SELECT 1 FROM study_patient sp"
    "    JOIN study_patient_scope_consent sc ON sc.study_patient_id = sp.id AND sc.consented"
    "    JOIN codeable_concept c ON c.id = sc.scope_code_id"
    "   WHERE sp.patient_id = x.pid AND c.coding_code = x.code"
    "     AND c.coding_system IN ('https://w3id.org/openmhealth', 'https://w3id.org/ieee1752'))"
    " UNION ALL"
    " SELECT 'I', oi.observation_id, o.subject_patient_id,"
    "        jhe_observation_visible($1, oi.observation_id)::int, oi.system, oi.value,"
    "        o.last_updated::text"
    "  FROM observation_identifier oi JOIN observation o ON o.id = oi.observation_id"
    "  WHERE (oi.system, oi.value) IN (SELECT * FROM unnest($7::text[], $8::text[]))"
    " UNION ALL"
    " SELECT 'V', oi.observation_id, o.subject_patient_id,"
    "        jhe_observation_visible($1, oi.observation_id)::int, oi.system, oi.value,"
    "        o.last_updated::text"
    "  FROM observation_identifier oi JOIN observation o ON o.id = oi.observation_id"
    "  WHERE cardinality($9::text[]) > 0 AND oi.value = ANY ($9::text[])");

/* The 'V' branch (ifNoneExist without a system) has no index to use: no (value) index exists, and
 * a seq scan of observation_identifier costs ~90 ms per Bundle at 280 thousand identifiers. The
 * cardinality guard is a one-time filter, so Bundles without such entries (almost all) skip it. */
struct db_result *store_fhir_create_lookup(struct arena *a, int64_t user_id, const char *patients,
                                           const char *devices, const char *codes,
                                           const char *consent_patients, const char *consent_codes,
                                           const char *ident_systems, const char *ident_values,
                                           const char *any_values, struct err *e)
{
	const char *params[9] = {db_i64(a, user_id), patients,      devices,       codes,
	                         consent_patients,   consent_codes, ident_systems, ident_values,
	                         any_values};
	return db_query(a, &q_lookup, 9, params, e);
}

/*
 * Identifiers are inserted first with ON CONFLICT DO NOTHING; an observation is inserted only
 * when every one of its identifiers was (a lost race skips the entry instead of failing the
 * statement). The foreign key of observation_identifier is checked at the end of the statement,
 * when the observation rows exist. An entry with several identifiers that loses the race for only
 * some of them fails the statement (23503); the caller then retries with fresh lookups.
 */
static struct db_stmt q_insert = DB_STMT(
    "WITH inp AS MATERIALIZED ("
    "  SELECT u.ord, nextval(pg_get_serial_sequence('observation', 'id')) AS id, u.pid, u.cc,"
    "         u.ds, u.st, u.omh, u.edt, u.eps, u.epe, u.nid, u.race"
    "  FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::jsonb[],"
    "              $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::int[], $11::int[])"
    "       AS u(ord, pid, cc, ds, st, omh, edt, eps, epe, nid, race)),"
    " idn AS ("
    "  INSERT INTO observation_identifier (observation_id, system, value)"
    "  SELECT inp.id, i.sys, i.val FROM unnest($12::int[], $13::text[], $14::text[])"
    "       WITH ORDINALITY AS i(ord, sys, val, n)"
    "  JOIN inp ON inp.ord = i.ord ORDER BY i.n" /* ids, hence the read order, as sent */
    "  ON CONFLICT (system, value) DO NOTHING RETURNING observation_id),"
    " obs AS ("
    "  INSERT INTO observation (id, subject_patient_id, codeable_concept_id, data_source_id, "
    "omh_data,"
    "                           status, effective_date_time, effective_period_start, "
    "effective_period_end)"
    "  SELECT inp.id, inp.pid, inp.cc, inp.ds, inp.omh, inp.st, inp.edt, inp.eps, inp.epe FROM inp"
    "  WHERE inp.nid = (SELECT count(*) FROM idn WHERE idn.observation_id = inp.id)"
    "  RETURNING id, last_updated),"
    " aud AS (" STORE_AUDIT_INSERT
    "  SELECT clock_timestamp(), $15::bigint, $16::text, 'create', 'Observation', obs.id::text,"
    "         inp.pid, 201, $17::inet, $18::text, $19::text, $20::text, NULL::jsonb"
    "  FROM obs JOIN inp ON inp.id = obs.id"
    "  UNION ALL"
    "  SELECT clock_timestamp(), $15::bigint, $16::text, 'create', 'Observation', NULL, inp.pid,"
    "         inp.race, $17::inet, $18::text, $19::text, $20::text, NULL::jsonb"
    "  FROM inp WHERE NOT EXISTS (SELECT 1 FROM obs WHERE obs.id = inp.id)"
    "  UNION ALL"
    "  SELECT clock_timestamp(), $15::bigint, $16::text, f.action, 'Observation', f.rid, f.pid,"
    "         f.outcome, $17::inet, $18::text, $19::text, $20::text, NULL::jsonb"
    "  FROM unnest($21::text[], $22::int[], $23::bigint[], $24::text[]) AS f(action, outcome, pid, "
    "rid))"
    " SELECT inp.ord, obs.id, obs.last_updated FROM inp LEFT JOIN obs ON obs.id = inp.id"
    " ORDER BY inp.ord");

static const char *nz(struct arena *a, int64_t v)
{
	return v ? db_i64(a, v) : NULL;
}

/* The audit part of both statements, ten values: the request's (user, client, address, request
 * id, method, path: store_audit_params cleans them) and the arrays of the entries' own rows
 * (action, outcome, patient, resource id). */
static void entry_audit_params(struct arena *a, const struct audit_row *who, int n,
                               const struct fhir_entry_audit *rows, const char *out[10])
{
	const char *v[12];
	store_audit_params(a, who, v);
	static const int who_cols[6] = {0, 1, 7, 8, 9, 10};
	for (int i = 0; i < 6; i++)
		out[i] = v[who_cols[i]];
	struct pgarr fa, fo, fp, fr;
	pgarr_init(a, &fa);
	pgarr_init(a, &fo);
	pgarr_init(a, &fp);
	pgarr_init(a, &fr);
	for (int i = 0; i < n; i++) {
		pgarr_add(&fa, rows[i].action);
		pgarr_addi(&fo, rows[i].outcome);
		pgarr_add(&fp, nz(a, rows[i].patient_id));
		pgarr_add(&fr, rows[i].resource_id);
	}
	out[6] = pgarr_end(&fa);
	out[7] = pgarr_end(&fo);
	out[8] = pgarr_end(&fp);
	out[9] = pgarr_end(&fr);
}

struct db_result *store_fhir_obs_insert(struct arena *a, const struct audit_row *who, int n,
                                        const struct fhir_obs_new *rows, int nother,
                                        const struct fhir_entry_audit *other, struct err *e)
{
	struct pgarr ord, pid, cc, ds, st, omh, edt, eps, epe, nid, race, iord, isys, ival;
	struct pgarr *all[] = {&ord, &pid, &cc,  &ds,   &st,   &omh,  &edt,
	                       &eps, &epe, &nid, &race, &iord, &isys, &ival};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		pgarr_init(a, all[i]);
	for (int i = 0; i < n; i++) {
		const struct fhir_obs_new *x = &rows[i];
		pgarr_addi(&ord, x->ord);
		pgarr_addi(&pid, x->patient_id);
		pgarr_addi(&cc, x->scope_id);
		pgarr_add(&ds, nz(a, x->data_source_id));
		pgarr_add(&st, x->status);
		pgarr_add(&omh, x->omh_json);
		pgarr_add(&edt, x->eff_dt);
		pgarr_add(&eps, x->eff_start);
		pgarr_add(&epe, x->eff_end);
		pgarr_addi(&nid, x->nident);
		pgarr_addi(&race, x->race_status ? x->race_status : 409);
		for (int j = 0; j < x->nident; j++) {
			pgarr_addi(&iord, x->ord);
			pgarr_add(&isys, x->ident_sys[j] ? x->ident_sys[j] : "");
			pgarr_add(&ival, x->ident_val[j]);
		}
	}
	const char *params[24] = {
	    pgarr_end(&ord),  pgarr_end(&pid),  pgarr_end(&cc),   pgarr_end(&ds),   pgarr_end(&st),
	    pgarr_end(&omh),  pgarr_end(&edt),  pgarr_end(&eps),  pgarr_end(&epe),  pgarr_end(&nid),
	    pgarr_end(&race), pgarr_end(&iord), pgarr_end(&isys), pgarr_end(&ival),
	};
	entry_audit_params(a, who, nother, other, params + 14);
	return db_query(a, &q_insert, 24, params, e);
}

static struct db_stmt q_audit_many = DB_STMT(
    STORE_AUDIT_INSERT
    " SELECT clock_timestamp(), $1, $2, f.action, 'Observation', f.rid, f.pid, f.outcome,"
    "        $3::inet, $4, $5, $6, NULL::jsonb"
    " FROM unnest($7::text[], $8::int[], $9::bigint[], $10::text[]) AS f(action, outcome, pid, "
    "rid)");

int store_fhir_audit_many(struct arena *a, const struct audit_row *who, int n,
                          const struct fhir_entry_audit *rows, struct err *e)
{
	if (n == 0)
		return 0;
	const char *params[10];
	entry_audit_params(a, who, n, rows, params);
	return db_exec(a, &q_audit_many, 10, params, e) < 0 ? -1 : 0;
}
