/*
 * jhe-admin seed --demo: the demo cohort of seed.md §13, for charts and benchmarks.
 *
 * One transaction creates the study, the patients, their enrolments and consents, and reserves
 * the observation and identifier id ranges; the observations and their identifiers are then
 * loaded with COPY (text format, chunks of a few MB), one transaction per group of patients
 * (about DEMO_TX_ROWS rows), so that 10 million rows load without one giant transaction or buffer.
 *
 * Everything but the timestamps and ids is a function of --demo-seed: each patient has its own
 * PRNG stream (splitmix64 of the seed and the patient's index), so the same seed always yields
 * the same names, values, delays and header uuids. Times are laid on a grid that ends at the seed
 * time floored to the hour: every 5 minutes a CGM glucose value (Dexcom), every 15 minutes a heart
 * rate (Oura), hourly step counts over 1 h intervals (Oura), and blood pressure at 08:00 and 20:00
 * in the patient's nominal (fixed, whole-hour) time zone (CareX): 410 observations per day.
 * The OMH times are written in that time zone; the effective_* columns hold the same instants.
 * Every data point of the first patient, and the first point of each kind of every other
 * patient, is checked with the OMH validator and the effective-time projection before loading.
 */
#include "admin/admin.h"
#include "omh/omh.h"
#include "store/store.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_CHUNK (4u << 20) /* bytes per COPY command */
#define DEMO_TX_ROWS 250000   /* observations per transaction (at patient boundaries) */
#define DEMO_PER_DAY (288 + 96 + 24 + 2)

/* ---------- deterministic randomness ---------- */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double rng_unit(struct rng *r) /* [0, 1) */
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double rng_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * rng_unit(r);
}

static void rng_uuid(struct rng *r, char out[37])
{
	unsigned char b[16];
	uint64_t x = rng_next(r), y = rng_next(r);
	memcpy(b, &x, 8);
	memcpy(b + 8, &y, 8);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	static const char hx[] = "0123456789abcdef";
	int o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hx[b[i] >> 4];
		out[o++] = hx[b[i] & 15];
	}
	out[o] = 0;
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* ---------- time formatting (seconds since the epoch) ---------- */
/* "2026-08-21 15:26:13+00" for timestamptz columns. */
static void fmt_utc(int64_t t, char out[80])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, 80, "%04d-%02d-%02d %02d:%02d:%02d+00", tm.tm_year + 1900, tm.tm_mon + 1,
	         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* "2026-08-21T08:26:13-07:00": the instant t written in the fixed offset off_h hours. */
static void fmt_local(int64_t t, int off_h, char out[96])
{
	time_t tt = (time_t)(t + (int64_t)off_h * 3600);
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, 96, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:00", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off_h < 0 ? '-' : '+',
	         abs(off_h));
}

/* ---------- the cohort ---------- */
static const char *const given_names[] = {
    "Ava",   "Noah",  "Mia",   "Liam",  "Zoe",   "Ethan", "Ines", "Omar",
    "Priya", "Kenji", "Sofia", "Mateo", "Amara", "Lucas", "Hana", "Diego",
    "Chloe", "Ravi",  "Nadia", "Felix", "Leila", "Owen",  "Yara", "Samuel",
};
static const char *const family_names[] = {
    "Okafor", "Lindqvist", "Moreau", "Tanaka",   "Haddad",   "Novak",  "Alvarez", "Kowalski",
    "Singh",  "Brennan",   "Rossi",  "Nakamura", "Mensah",   "Petrov", "Duarte",  "Fischer",
    "Quinn",  "Sato",      "Abbasi", "Larsen",   "Ferreira", "Chen",   "Walsh",   "Ibrahim",
};
static const int tz_offsets[] = {-8, -7, -6, -5, -4, 0, 1, 2, 3, 5, 8, 9};

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))

struct demo_ids {
	int64_t study, org, bg, bp, hr, steps; /* study, organization, scope ids */
	int64_t dexcom, carex, oura;           /* data source ids */
};

/* Per-patient physiology, drawn from the patient's stream. */
struct person {
	struct rng rng;
	int tz;                     /* hours */
	double bg_base, bg_meal[3]; /* glucose baseline and meal rises (mg/dL) */
	double hr_rest;
	double sys_base, dia_base;
	double activity;
};

static void person_init(struct person *p, uint64_t seed, long index)
{
	p->rng.s = seed * 0xD1B54A32D192ED03ull + (uint64_t)index * 0x8CB92BA72F3D8DD7ull + 1;
	rng_next(&p->rng);
	p->tz = tz_offsets[rng_next(&p->rng) % NELEM(tz_offsets)];
	p->bg_base = rng_range(&p->rng, 85, 125);
	for (int i = 0; i < 3; i++)
		p->bg_meal[i] = rng_range(&p->rng, 30, 95);
	p->hr_rest = rng_range(&p->rng, 54, 72);
	p->sys_base = rng_range(&p->rng, 112, 138);
	p->dia_base = rng_range(&p->rng, 70, 86);
	p->activity = rng_range(&p->rng, 0.5, 1.2);
}

/* Hours since local midnight, in [0, 24). */
static double local_hour(int64_t t, int tz)
{
	int64_t s = (t + (int64_t)tz * 3600) % 86400;
	if (s < 0)
		s += 86400;
	return (double)s / 3600.0;
}

static double meal_curve(double x) /* x hours after the meal; peak 1 at 45 min */
{
	if (x <= 0)
		return 0;
	double k = x / 0.75;
	return k * exp(1 - k);
}

static int glucose(struct person *p, double h)
{
	static const double meals[3] = {7.5, 12.5, 18.75};
	double v = p->bg_base;
	if (h < 5.5)
		v -= 6; /* night-time plateau */
	for (int i = 0; i < 3; i++) {
		double x = h - meals[i];
		if (x < 0)
			x += 24;
		v += p->bg_meal[i] * meal_curve(x);
	}
	v += rng_range(&p->rng, -7, 7);
	return (int)lround(clampd(v, 70, 250));
}

static int heart_rate(struct person *p, double h)
{
	double v = p->hr_rest;
	if (h >= 7 && h < 22.5)
		v += 6 + 9 * sin(M_PI * (h - 7) / 15.5);
	else
		v -= 3;
	if (h >= 7 && h < 21 && rng_unit(&p->rng) < 0.06 * p->activity)
		v += rng_range(&p->rng, 18, 38); /* activity burst */
	v += rng_range(&p->rng, -3, 3);
	return (int)lround(clampd(v, 50, 110));
}

static int steps(struct person *p, double h)
{
	if (h >= 23 || h < 6)
		return (int)(rng_unit(&p->rng) < 0.1 ? rng_range(&p->rng, 0, 40) : 0);
	double v = rng_range(&p->rng, 80, 900) * p->activity;
	if (rng_unit(&p->rng) < 0.12 * p->activity)
		v += rng_range(&p->rng, 1500, 2600); /* a walk */
	return (int)lround(clampd(v, 0, 3000));
}

/* ---------- row output ---------- */
struct loader {
	struct arena *a;
	struct buf *obs, *ident;
	int64_t next_obs, next_ident;
	long rows, copied;
	const struct omh_registry *reg;
	int checked;
	struct err *e;
};

static const char copy_obs[] =
    "COPY observation (id, subject_patient_id, codeable_concept_id, data_source_id, omh_data,"
    " status, version_id, last_updated, effective_date_time, effective_period_start,"
    " effective_period_end) FROM STDIN";
static const char copy_ident[] =
    "COPY observation_identifier (id, observation_id, system, value) FROM STDIN";

static int flush(struct loader *l)
{
	if (l->obs->len) {
		if (db_copy_in(copy_obs, l->obs->data, l->obs->len, l->e) < 0)
			return -1;
		buf_truncate(l->obs, 0);
	}
	if (l->ident->len) {
		if (db_copy_in(copy_ident, l->ident->data, l->ident->len, l->e) < 0)
			return -1;
		buf_truncate(l->ident, 0);
	}
	return 0;
}

/* Check a data point with the OMH validator and the effective-time projection. */
static int check_point(struct loader *l, const char *code, const char *json, int64_t dt,
                       int64_t start, int64_t end)
{
	char msg[512];
	bool deep = false;
	json_object *o = json_parse(l->a, json, strlen(json), msg, sizeof(msg), &deep);
	if (!o) {
		fprintf(stderr, "seed: demo data point is not JSON (%s): %s\n", msg, json);
		return -1;
	}
	if (omh_validate_data_point(l->reg, code, o, msg, sizeof(msg)) != OMH_OK) {
		fprintf(stderr, "seed: demo data point fails OMH validation (%s): %s\n", msg, json);
		return -1;
	}
	struct omh_times t;
	omh_effective_times(json_get(o, "body"), &t);
	bool ok = dt ? (t.has_date_time && t.date_time == dt * 1000000 && !t.has_start)
	             : (!t.has_date_time && t.has_start && t.has_end &&
	                t.start == start * 1000000 && t.end == end * 1000000);
	if (!ok) {
		fprintf(stderr, "seed: demo effective times disagree with the projection: %s\n",
		        json);
		return -1;
	}
	l->checked++;
	return 0;
}

struct kind {
	const char *code; /* "omh:heart-rate:2.0" */
	const char *name, *version, *device_name;
	int64_t scope, device;
};

/* Append one observation (and its identifier). dt = instant, or 0 with [start, end) interval. */
static int emit(struct loader *l, struct person *p, int64_t patient_id, const struct kind *k,
                const char *measurement, int64_t dt, int64_t start, int64_t end, int64_t seed_time,
                bool check)
{
	char uuid[37], created[96], eff[96], lu[80], c1[80], c2[80];
	rng_uuid(&p->rng, uuid);
	int64_t at = dt ? dt : end;
	int64_t upd = at + 60 + (int64_t)(rng_next(&p->rng) % 720); /* 1-13 min upload delay */
	if (upd > seed_time)
		upd = seed_time;
	fmt_local(at, p->tz, created);
	char frame[320];
	if (dt) {
		fmt_local(dt, p->tz, eff);
		snprintf(frame, sizeof(frame), "{\"date_time\": \"%s\"}", eff);
	} else {
		fmt_local(start, p->tz, eff);
		snprintf(frame, sizeof(frame),
		         "{\"time_interval\": {\"duration\": {\"unit\": \"h\", \"value\": 1}, "
		         "\"start_date_time\": \"%s\"}}",
		         eff);
	}
	char json[1024];
	int n =
	    snprintf(json, sizeof(json),
	             "{\"body\": {%s, \"effective_time_frame\": %s}, \"header\": {\"uuid\": "
	             "\"%s\", \"modality\": \"sensed\", \"schema_id\": {\"name\": \"%s\", "
	             "\"version\": \"%s\", \"namespace\": \"omh\"}, \"external_datasheets\": "
	             "[{\"datasheet_type\": \"manufacturer\", \"datasheet_reference\": \"%s\"}], "
	             "\"source_creation_date_time\": \"%s\"}}",
	             measurement, frame, uuid, k->name, k->version, k->device_name, created);
	if (n <= 0 || (size_t)n >= sizeof(json))
		return -1;
	if (check && check_point(l, k->code, json, dt, start, end))
		return -1;
	int64_t id = l->next_obs++;
	fmt_utc(upd, lu);
	if (dt) {
		fmt_utc(dt, c1);
		buf_printf(l->obs,
		           "%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64
		           "\t%s\tfinal\t1\t%s\t%s\t\\N\t\\N\n",
		           id, patient_id, k->scope, k->device, json, lu, c1);
	} else {
		fmt_utc(start, c1);
		fmt_utc(end, c2);
		buf_printf(l->obs,
		           "%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64
		           "\t%s\tfinal\t1\t%s\t\\N\t%s\t%s\n",
		           id, patient_id, k->scope, k->device, json, lu, c1, c2);
	}
	buf_printf(l->ident, "%" PRId64 "\t%" PRId64 "\turn:jhe:demo\t%s\n", l->next_ident++, id,
	           uuid);
	l->rows++;
	if (l->obs->len >= DEMO_CHUNK)
		return flush(l);
	return 0;
}

/* All observations of one patient, in time order. */
static int patient_rows(struct loader *l, uint64_t seed, long index, int64_t patient_id,
                        const struct demo_ids *ids, int64_t seed_time, int64_t t0, int64_t t1)
{
	struct person p;
	person_init(&p, seed, index);
	/* a separate stream for the observations, so adding traits never shifts values */
	p.rng.s ^= 0x5851F42D4C957F2Dull;
	const struct kind bg = {
	    "omh:blood-glucose:4.0", "blood-glucose", "4.0", "Dexcom", ids->bg, ids->dexcom};
	const struct kind hr = {
	    "omh:heart-rate:2.0", "heart-rate", "2.0", "Oura", ids->hr, ids->oura};
	const struct kind bp = {
	    "omh:blood-pressure:4.0", "blood-pressure", "4.0", "CareX", ids->bp, ids->carex};
	const struct kind st = {"omh:step-count:3.0", "step-count", "3.0", "Oura",
	                        ids->steps,           ids->oura};
	bool seen[4] = {false, false, false, false};
	bool all = index == 0; /* every point of the first patient is checked */
	char m[256];
	for (int64_t t = t0; t < t1; t += 300) {
		double h = local_hour(t, p.tz);
		snprintf(m, sizeof(m), "\"blood_glucose\": {\"unit\": \"mg/dL\", \"value\": %d}",
		         glucose(&p, h));
		if (emit(l, &p, patient_id, &bg, m, t, 0, 0, seed_time, all || !seen[0]))
			return -1;
		seen[0] = true;
		if ((t - t0) % 900 == 0) {
			snprintf(m, sizeof(m),
			         "\"heart_rate\": {\"unit\": \"beats/min\", \"value\": %d}",
			         heart_rate(&p, h));
			if (emit(l, &p, patient_id, &hr, m, t, 0, 0, seed_time, all || !seen[1]))
				return -1;
			seen[1] = true;
		}
		if ((t - t0) % 3600 == 0) {
			snprintf(m, sizeof(m),
			         "\"step_count\": {\"unit\": \"steps\", \"value\": %d}",
			         steps(&p, h));
			if (emit(l, &p, patient_id, &st, m, 0, t, t + 3600, seed_time,
			         all || !seen[2]))
				return -1;
			seen[2] = true;
		}
		int64_t ls = (t + (int64_t)p.tz * 3600) % 86400;
		if (ls < 0)
			ls += 86400;
		if (ls == 8 * 3600 || ls == 20 * 3600) {
			double sys =
			    clampd(p.sys_base + rng_range(&p.rng, -9, 9) + (ls == 8 * 3600 ? 3 : 0),
			           105, 150);
			double dia = clampd(p.dia_base + rng_range(&p.rng, -6, 6), 65, 95);
			snprintf(
			    m, sizeof(m),
			    "\"systolic_blood_pressure\": {\"unit\": \"mmHg\", \"value\": %ld}, "
			    "\"diastolic_blood_pressure\": {\"unit\": \"mmHg\", \"value\": %ld}",
			    lround(sys), lround(dia));
			if (emit(l, &p, patient_id, &bp, m, t, 0, 0, seed_time, all || !seen[3]))
				return -1;
			seen[3] = true;
		}
	}
	return 0;
}

static int64_t one_id(struct arena *a, struct db_stmt *st, int n, const char *const *params,
                      const char *what, struct err *e)
{
	struct db_result *r = db_query(a, st, n, params, e);
	if (!r)
		return -1;
	if (db_nrows(r) < 1 || db_isnull(r, 0, 0)) {
		fprintf(stderr, "seed: demo: %s not found (is the base seed loaded?)\n", what);
		return 0;
	}
	return db_get_i64(r, 0, 0);
}

static struct db_stmt q_present = DB_STMT("SELECT count(*) FROM study WHERE name = $1");
static struct db_stmt q_scope = DB_STMT("SELECT id FROM codeable_concept WHERE coding_system = "
                                        "'https://w3id.org/openmhealth' AND coding_code = $1");
static struct db_stmt q_source = DB_STMT("SELECT id FROM data_source WHERE name = $1");
static struct db_stmt q_org = DB_STMT("SELECT id FROM organization WHERE id = $1");
static struct db_stmt q_time = DB_STMT("SELECT extract(epoch FROM date_trunc('hour', "
                                       "now()))::bigint, extract(epoch FROM now())::bigint");
static struct db_stmt q_study = DB_STMT(
    "WITH s AS (INSERT INTO study (name, description, organization_id, icon_url, last_updated)"
    "           VALUES ($1, $2, $3, NULL, now()) RETURNING id),"
    "     r AS (INSERT INTO study_scope_request (study_id, scope_code_id, scope_actions)"
    "           SELECT s.id, x.v, 'rs' FROM s, unnest($4::bigint[]) WITH ORDINALITY x(v, o)"
    "            ORDER BY x.o),"
    "     d AS (INSERT INTO study_data_source (study_id, data_source_id)"
    "           SELECT s.id, x.v FROM s, unnest($5::bigint[]) WITH ORDINALITY x(v, o)"
    "            ORDER BY x.o),"
    "     c AS (INSERT INTO study_client (study_id, client_id)"
    "           SELECT s.id, a.id FROM s, unnest($6::text[]) WITH ORDINALITY x(v, o)"
    "             JOIN oauth_application a ON a.client_id = x.v ORDER BY x.o)"
    " SELECT id FROM s");
static struct db_stmt q_oura_steps =
    DB_STMT("INSERT INTO data_source_supported_scope (data_source_id, scope_code_id)"
            " VALUES ($1, $2) ON CONFLICT DO NOTHING");
static struct db_stmt q_patient =
    DB_STMT("WITH u AS (INSERT INTO jhe_user (email, password, first_name, last_name, user_type,"
            "               identifier, date_joined)"
            "           VALUES ($1, NULL, $2, $3, 'patient', '', now()) RETURNING id),"
            "     p AS (INSERT INTO patient (jhe_user_id, name_family, name_given, birth_date,"
            "               telecom_phone, last_updated)"
            "           SELECT u.id, $3, $2, (now() AT TIME ZONE 'UTC')::date - $4::int, $5, now()"
            "             FROM u RETURNING id),"
            "     po AS (INSERT INTO patient_organization (patient_id, organization_id)"
            "            SELECT p.id, $6::bigint FROM p),"
            "     sp AS (INSERT INTO study_patient (study_id, patient_id)"
            "            SELECT $7::bigint, p.id FROM p RETURNING id),"
            "     c AS (INSERT INTO study_patient_scope_consent (study_patient_id, scope_code_id,"
            "               scope_actions, consented, consented_time)"
            "           SELECT sp.id, x.v, 'rs', true, now()"
            "             FROM sp, unnest($8::bigint[]) WITH ORDINALITY x(v, o) ORDER BY x.o)"
            " SELECT id FROM p");
/* Reserve n ids of an identity column: returns the first. */
static struct db_stmt q_reserve_obs = DB_STMT(
    "SELECT setval(pg_get_serial_sequence('observation', 'id'),"
    "  GREATEST((SELECT COALESCE(max(id), 0) FROM observation),"
    "           (SELECT last_value FROM observation_id_seq)) + $1::bigint) - $1::bigint + 1");
static struct db_stmt q_reserve_ident =
    DB_STMT("SELECT setval(pg_get_serial_sequence('observation_identifier', 'id'),"
            "  GREATEST((SELECT COALESCE(max(id), 0) FROM observation_identifier),"
            "           (SELECT last_value FROM observation_identifier_id_seq)) + $1::bigint)"
            "  - $1::bigint + 1");

static int analyze(struct err *e)
{
	return db_exec_sql("ANALYZE observation; ANALYZE observation_identifier; ANALYZE patient;"
	                   " ANALYZE study_patient; ANALYZE study_patient_scope_consent;",
	                   e);
}

int demo_seed(long patients, long days, uint64_t seed)
{
	static const char study_name[] = "CGM & Wearables Demo";
	if (patients < 1 || patients > 1000000 || days < 1 || days > 3650) {
		fprintf(stderr, "seed: --demo-patients 1..1000000 and --demo-days 1..3650\n");
		return -1;
	}
	struct arena *a = arena_new();
	struct err e = {0};
	int rc = -1;
	struct omh_registry *reg = NULL;
	char msg[512];
	if (omh_registry_load(g_config.schema_dir, &reg, msg, sizeof(msg)) != OMH_OK) {
		fprintf(stderr, "seed: cannot load the OMH schemas from %s: %s\n",
		        g_config.schema_dir, msg);
		arena_free(a);
		return -1;
	}
	struct demo_ids ids = {0};
	const char *p1[1];
	if (db_begin(&e))
		goto fail;
	p1[0] = study_name;
	struct db_result *r = db_query(a, &q_present, 1, p1, &e);
	if (!r)
		goto fail;
	if (db_get_i64(r, 0, 0) != 0) {
		fprintf(stderr, "seed: the demo cohort is already present (use --flush-db)\n");
		goto out;
	}
	struct {
		struct db_stmt *st;
		const char *arg, *what;
		int64_t *out;
	} look[] = {
	    {&q_scope, "omh:blood-glucose:4.0", "scope omh:blood-glucose:4.0", &ids.bg},
	    {&q_scope, "omh:blood-pressure:4.0", "scope omh:blood-pressure:4.0", &ids.bp},
	    {&q_scope, "omh:heart-rate:2.0", "scope omh:heart-rate:2.0", &ids.hr},
	    {&q_scope, "omh:step-count:3.0", "scope omh:step-count:3.0", &ids.steps},
	    {&q_source, "Dexcom", "data source Dexcom", &ids.dexcom},
	    {&q_source, "CareX", "data source CareX", &ids.carex},
	    {&q_source, "Oura", "data source Oura", &ids.oura},
	    {&q_org, "20001", "organization 20001", &ids.org},
	};
	for (size_t i = 0; i < NELEM(look); i++) {
		p1[0] = look[i].arg;
		*look[i].out = one_id(a, look[i].st, 1, p1, look[i].what, &e);
		if (*look[i].out < 0)
			goto fail;
		if (*look[i].out == 0)
			goto out;
	}
	r = db_query(a, &q_time, 0, NULL, &e);
	if (!r)
		goto fail;
	int64_t t1 = db_get_i64(r, 0, 0), seed_time = db_get_i64(r, 0, 1);
	int64_t t0 = t1 - (int64_t)days * 86400;

	const char *ps[6] = {
	    study_name,
	    "Continuous glucose, heart rate, blood pressure and activity from wearables",
	    db_i64(a, ids.org),
	    arena_printf(a, "{%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "}", ids.bg, ids.bp,
	                 ids.hr, ids.steps),
	    arena_printf(a, "{%" PRId64 ",%" PRId64 ",%" PRId64 "}", ids.dexcom, ids.carex,
	                 ids.oura),
	    "{carex,commonhealth}",
	};
	r = db_query(a, &q_study, 6, ps, &e);
	if (!r)
		goto fail;
	ids.study = db_get_i64(r, 0, 0);
	const char *po[2] = {db_i64(a, ids.oura), db_i64(a, ids.steps)};
	if (db_exec(a, &q_oura_steps, 2, po, &e) < 0)
		goto fail;

	int64_t *pids = arena_alloc(a, sizeof(int64_t) * (size_t)patients);
	struct rng names = {seed ^ 0xA0761D6478BD642Full};
	for (long i = 0; i < patients; i++) {
		struct person pp;
		person_init(&pp, seed, i);
		long age_days = (long)((25.0 + 50.0 * rng_unit(&pp.rng)) * 365.25);
		const char *given = given_names[rng_next(&names) % NELEM(given_names)];
		const char *family = family_names[rng_next(&names) % NELEM(family_names)];
		const char *pp8[8] = {
		    arena_printf(a, "demo.patient.%03ld@example.com", i + 1),
		    given,
		    family,
		    db_i64(a, age_days),
		    arena_printf(a, "+1-555-02%01ld-%04ld", (i / 10000) % 10, i % 10000),
		    db_i64(a, ids.org),
		    db_i64(a, ids.study),
		    ps[3],
		};
		r = db_query(a, &q_patient, 8, pp8, &e);
		if (!r)
			goto fail;
		pids[i] = db_get_i64(r, 0, 0);
	}
	int64_t per_patient = (int64_t)days * DEMO_PER_DAY;
	int64_t total = per_patient * patients;
	p1[0] = db_i64(a, total);
	int64_t first_obs = one_id(a, &q_reserve_obs, 1, p1, "observation sequence", &e);
	int64_t first_ident = one_id(a, &q_reserve_ident, 1, p1, "identifier sequence", &e);
	if (first_obs <= 0 || first_ident <= 0)
		goto fail;
	if (db_commit(&e))
		goto fail;
	fprintf(stderr,
	        "seed: demo study %" PRId64 ", %ld patients (%" PRId64 "-%" PRId64
	        "), %ld days: loading %" PRId64 " observations\n",
	        ids.study, patients, pids[0], pids[patients - 1], days, total);

	struct loader l = {.a = a,
	                   .obs = buf_new(a, DEMO_CHUNK + 65536),
	                   .ident = buf_new(a, DEMO_CHUNK / 2),
	                   .next_obs = first_obs,
	                   .next_ident = first_ident,
	                   .reg = reg,
	                   .e = &e};
	usec_t started = time_now_usec();
	long in_tx = 0;
	for (long i = 0; i < patients; i++) {
		if (!db_in_transaction() && db_begin(&e))
			goto fail;
		if (patient_rows(&l, seed, i, pids[i], &ids, seed_time, t0, t1)) {
			if (!e.kind && !e.msg)
				e.msg = "data point generation failed";
			goto fail;
		}
		in_tx += per_patient;
		if (in_tx >= DEMO_TX_ROWS || i == patients - 1) {
			if (flush(&l) || db_commit(&e))
				goto fail;
			in_tx = 0;
			double s = (double)(time_now_usec() - started) / 1e6;
			fprintf(stderr, "seed: demo: %ld/%" PRId64 " observations (%.0f/s)\n",
			        l.rows, total, s > 0 ? (double)l.rows / s : 0.0);
		}
	}
	if (l.rows != total) {
		fprintf(stderr, "seed: demo: generated %ld rows, expected %" PRId64 "\n", l.rows,
		        total);
		goto out;
	}
	if (analyze(&e))
		goto fail;
	printf("seed: demo cohort loaded: study %" PRId64 ", %ld patients, %ld observations"
	       " (%d data points validated)\n",
	       ids.study, patients, l.rows, l.checked);
	rc = 0;
	goto out;
fail:
	db_rollback();
	fprintf(stderr, "seed: demo failed: %s\n", e.log ? e.log : (e.msg ? e.msg : "?"));
out:
	if (db_in_transaction())
		db_rollback();
	omh_registry_free(reg);
	arena_free(a);
	return rc;
}
