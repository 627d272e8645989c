/*
 * FHIR Observation creation (fhir.md §3, §4): one lookup statement for all the facts the checks
 * need, one insert statement for all the entries of a Bundle (observations, identifiers and
 * their audit rows).
 */
#include "store/query.h"

static struct db_stmt q_lookup = DB_STMT(
    "SELECT 'P', p.id, NULL::bigint, (p.jhe_user_id IS NOT DISTINCT FROM $1)::int,"
    "       CASE WHEN jhe_manages_patient($1, p.id) THEN '1' END, NULL, NULL"
    "  FROM patient p WHERE p.id = ANY ($2::bigint[])"
    " UNION ALL"
    " SELECT 'D', d.id, NULL, NULL, d.type, NULL, NULL FROM data_source d WHERE d.id = ANY "
    "($3::bigint[])"
    " UNION ALL"
    " SELECT 'C', c.id, NULL, NULL, c.coding_code, c.coding_system, NULL"
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

/* The result rows (kind, a, b, c, s1, s2, s3):
 *   'P' patient a exists: c = 1 when it is the caller's own, s1 = '1' when the caller manages
 *       it;
 *   'D' data source a: s1 = type;
 *   'C' scope a: s1 = code, s2 = system (OMH and IEEE systems only);
 *   'K' patient a consented (any study) to code s1;
 *   'I' identifier s1|s2 exists on observation a of patient b (c = 1: visible to the caller),
 *       s3 = its last_updated;
 *   'V' identifier with value s2 (any system s1) exists on observation a of patient b (same).
 * The 'V' branch (ifNoneExist without a system) has no index to use: no (value) index exists, and
 * a seq scan of observation_identifier costs ~90 ms per Bundle at 280 thousand identifiers. The
 * cardinality guard is a one-time filter, so Bundles without such entries (almost all) skip it. */
enum { C_KIND, C_A, C_B, C_C, C_S1, C_S2, C_S3 };

/* The nine parameters of q_lookup from the asks. */
static void lookup_params(struct arena *a, int64_t user_id, int n,
                          const struct fhir_create_ask *asks, const char *params[9])
{
	struct pgarr arr[8]; /* patients, devices, codes, consent (patient, code), identifier
	                        (system, value), values of any system */
	for (int i = 0; i < 8; i++)
		pgarr_init(a, &arr[i]);
	for (int i = 0; i < n; i++) {
		const struct fhir_create_ask *k = &asks[i];
		pgarr_addi(&arr[0], k->patient_id);
		if (k->device_id > 0)
			pgarr_addi(&arr[1], k->device_id);
		if (k->code) {
			pgarr_add(&arr[2], k->code);
			pgarr_addi(&arr[3], k->patient_id);
			pgarr_add(&arr[4], k->code);
		}
		for (int j = 0; j < k->nident; j++) {
			pgarr_add(&arr[5], k->ident_sys[j]);
			pgarr_add(&arr[6], k->ident_val[j]);
		}
		if (k->any_value)
			pgarr_add(&arr[7], k->any_value);
	}
	params[0] = db_i64(a, user_id);
	for (int i = 0; i < 8; i++)
		params[i + 1] = pgarr_end(&arr[i]);
}

static void ident_fact(const struct db_result *res, int row, struct fhir_ident_fact *f)
{
	f->observation_id = db_get_i64(res, row, C_A);
	f->patient_id = db_get_i64(res, row, C_B);
	f->visible = str_eq(db_get(res, row, C_C), "1");
	f->system = db_get(res, row, C_S1);
	f->value = db_get(res, row, C_S2);
	f->last_updated = db_get(res, row, C_S3);
}

/* One result row into its fact array. */
static void read_fact(const struct db_result *res, int row, struct fhir_create_facts *f)
{
	const char *k = db_get(res, row, C_KIND);
	int64_t id = db_get_i64(res, row, C_A);
	const char *s1 = db_get(res, row, C_S1);
	switch (k[0]) {
	case 'P':
		f->patients[f->npatients++] =
		    (struct fhir_patient_fact){id, str_eq(db_get(res, row, C_C), "1"), s1 != NULL};
		break;
	case 'D':
		f->devices[f->ndevices++] = (struct fhir_device_fact){id, s1};
		break;
	case 'C':
		f->codes[f->ncodes++] = (struct fhir_code_fact){id, s1, db_get(res, row, C_S2)};
		break;
	case 'K':
		f->consents[f->nconsents++] = (struct fhir_consent_fact){id, s1};
		break;
	case 'I':
	case 'V':
		ident_fact(res, row,
		           k[0] == 'I' ? &f->idents[f->nidents++] : &f->values[f->nvalues++]);
		break;
	default:
		break;
	}
}

int store_fhir_create_facts(struct arena *a, int64_t user_id, int n,
                            const struct fhir_create_ask *asks, struct fhir_create_facts *out,
                            struct err *e)
{
	const char *params[9];
	lookup_params(a, user_id, n, asks, params);
	struct db_result *res = db_query(a, &q_lookup, 9, params, e);
	if (!res)
		return -1;
	size_t rows = (size_t)db_nrows(res) + 1;
	*out = (struct fhir_create_facts){0};
	out->patients = arena_alloc(a, sizeof(*out->patients) * rows);
	out->devices = arena_alloc(a, sizeof(*out->devices) * rows);
	out->codes = arena_alloc(a, sizeof(*out->codes) * rows);
	out->consents = arena_alloc(a, sizeof(*out->consents) * rows);
	out->idents = arena_alloc(a, sizeof(*out->idents) * rows);
	out->values = arena_alloc(a, sizeof(*out->values) * rows);
	for (int i = 0; i < db_nrows(res); i++)
		read_fact(res, i, out);
	return 0;
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

/* The fourteen row parameters of q_insert. */
static void insert_params(struct arena *a, int n, const struct fhir_obs_new *rows,
                          const char *params[14])
{
	struct pgarr arr[14]; /* ord, pid, cc, ds, st, omh, edt, eps, epe, nid, race; identifiers:
	                         ord, system, value */
	for (int i = 0; i < 14; i++)
		pgarr_init(a, &arr[i]);
	for (int i = 0; i < n; i++) {
		const struct fhir_obs_new *x = &rows[i];
		pgarr_addi(&arr[0], x->ord);
		pgarr_addi(&arr[1], x->patient_id);
		pgarr_addi(&arr[2], x->scope_id);
		pgarr_add(&arr[3], nz(a, x->data_source_id));
		pgarr_add(&arr[4], x->status);
		pgarr_add(&arr[5], x->omh_json);
		pgarr_add(&arr[6], x->eff_dt);
		pgarr_add(&arr[7], x->eff_start);
		pgarr_add(&arr[8], x->eff_end);
		pgarr_addi(&arr[9], x->nident);
		pgarr_addi(&arr[10], x->race_status ? x->race_status : 409);
		for (int j = 0; j < x->nident; j++) {
			pgarr_addi(&arr[11], x->ord);
			pgarr_add(&arr[12], x->ident_sys[j] ? x->ident_sys[j] : "");
			pgarr_add(&arr[13], x->ident_val[j]);
		}
	}
	for (int i = 0; i < 14; i++)
		params[i] = pgarr_end(&arr[i]);
}

int store_fhir_obs_insert(struct arena *a, const struct audit_row *who, int n,
                          const struct fhir_obs_new *rows, int nother,
                          const struct fhir_entry_audit *other, struct fhir_obs_created *out,
                          struct err *e)
{
	const char *params[24];
	insert_params(a, n, rows, params);
	entry_audit_params(a, who, nother, other, params + 14);
	struct db_result *res = db_query(a, &q_insert, 24, params, e);
	if (!res) /* foreign_key_violation: see q_insert */
		return str_eq(e->sqlstate, "23503") ? STORE_FHIR_IDENT_RACE : -1;
	for (int k = 0; k < db_nrows(res) && k < n; k++)
		out[k] = (struct fhir_obs_created){(int)db_get_i64(res, k, 0),
		                                   db_get_i64(res, k, 1), db_get(res, k, 2)};
	return 0;
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
