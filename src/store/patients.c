/* Patients (admin-api.md §7): lists, facts for the permission checks, create/update/remove,
 * global lookup, consolidated clients, and the sticky practitioner selection (§17). */
#include "store/query.h"

#include <string.h>

/* Lists call this on every request: an unchanged selection writes nothing (no new row version,
 * no synchronous WAL flush for a read). */
static struct db_stmt q_sticky =
    DB_STMT("UPDATE practitioner p SET settings = x.s"
            "  FROM (SELECT pr.id,"
            "   (CASE WHEN $4::boolean THEN pr.settings - 'current_study_id' ELSE pr.settings END)"
            "   || jsonb_strip_nulls(jsonb_build_object('current_organization_id', $2::bigint,"
            "                                           'current_study_id', $3::bigint)) AS s"
            "   FROM practitioner pr WHERE pr.jhe_user_id = $1) x"
            " WHERE p.id = x.id AND p.settings IS DISTINCT FROM x.s");

int store_sticky_selection(struct arena *a, int64_t user_id, int64_t org_id, int64_t study_id,
                           bool remove_study, struct err *e)
{
	return store_exec(a, &q_sticky,
	                  DB_PARAMS(db_i64(a, user_id), store_opt_i64(a, org_id),
	                            store_opt_i64(a, study_id),
	                            store_tf(remove_study && !study_id)),
	                  e);
}

static struct db_stmt q_patients_page = DB_STMT(
    "WITH ids AS ("
    "  SELECT p.id FROM patient p"
    "   WHERE p.id IN (SELECT s.patient_id FROM jhe_shared_patient_ids($1) s)"
    "     AND ($2::bigint IS NULL OR (jhe_is_member($1, $2) AND EXISTS ("
    "          SELECT 1 FROM patient_organization po"
    "           WHERE po.patient_id = p.id AND po.organization_id = $2)))"
    "     AND ($3::bigint IS NULL OR EXISTS (SELECT 1 FROM study_patient sp"
    "                                         WHERE sp.patient_id = p.id AND sp.study_id = $3))"
    "     AND ($4::bigint IS NULL OR p.id = $4)"
    "     AND ($5::text IS NULL OR EXISTS (SELECT 1 FROM patient_identifier i"
    "                                       WHERE i.patient_id = p.id AND i.value = $5))"
    "), pg AS (SELECT id FROM ids ORDER BY id LIMIT $6 OFFSET $7)"
    " SELECT (SELECT count(*) FROM ids),"
    "   COALESCE((SELECT json_agg(jhe_patient_json(pg.id) ORDER BY pg.id) FROM pg), '[]'),"
    "   COALESCE((SELECT json_agg(pg.id ORDER BY pg.id) FROM pg), '[]'),"
    "   (SELECT CASE WHEN count(*) = 1 THEN min(pg.id) END FROM pg),"
    "   (SELECT count(*) FROM pg)");

int store_patients_page(struct arena *a, int64_t user_id, const struct patient_filter *f,
                        int64_t limit, int64_t offset, struct phi_page *out, struct err *e)
{
	return store_phi_page(a, &q_patients_page,
	                      DB_PARAMS(db_i64(a, user_id), store_opt_i64(a, f->organization_id),
	                                store_opt_i64(a, f->study_id),
	                                store_opt_i64(a, f->patient_id), f->identifier_value,
	                                db_i64(a, limit), db_i64(a, offset)),
	                      out, e);
}

static struct db_stmt q_facts = DB_STMT(
    "SELECT p.id IS NOT NULL, jhe_patient_visible($1, $2), COALESCE(p.jhe_user_id = $1, false),"
    "  EXISTS (SELECT 1 FROM patient_organization po"
    "           WHERE po.patient_id = $2 AND po.organization_id = $3),"
    "  jhe_can($1, 'patient.manage_for_organization', $3),"
    "  EXISTS (SELECT 1 FROM organization o WHERE o.id = $3),"
    "  COALESCE(p.jhe_user_id, 0), jhe_shares_patient($1, $2),"
    "  jhe_is_practitioner($1), jhe_patient_signed_in($2),"
    "  jhe_may_extend_patient_orgs($1, $2)"
    "  FROM (SELECT 1) one LEFT JOIN patient p ON p.id = $2");

int store_patient_facts(struct arena *a, int64_t user_id, int64_t patient_id, int64_t org_id,
                        struct patient_facts *out, struct err *e)
{
	struct db_result *r =
	    db_query(a, &q_facts,
	             DB_PARAMS(db_i64(a, user_id), db_i64(a, patient_id), db_i64(a, org_id)), e);
	if (!r)
		return -1;
	memset(out, 0, sizeof(*out));
	out->exists = db_get_bool(r, 0, 0);
	out->visible = db_get_bool(r, 0, 1);
	out->self = db_get_bool(r, 0, 2);
	out->in_org = db_get_bool(r, 0, 3);
	out->can_manage_org = db_get_bool(r, 0, 4);
	out->org_exists = db_get_bool(r, 0, 5);
	out->user_id = db_get_i64(r, 0, 6);
	out->shares = db_get_bool(r, 0, 7);
	out->is_practitioner = db_get_bool(r, 0, 8);
	out->signed_in = db_get_bool(r, 0, 9);
	out->may_extend_orgs = db_get_bool(r, 0, 10);
	return 0;
}

static struct db_stmt q_patient_json = DB_STMT("SELECT jhe_patient_json($1)");

char *store_patient_json(struct arena *a, int64_t patient_id, struct err *e)
{
	return store_json(a, &q_patient_json, DB_PARAMS(db_i64(a, patient_id)),
	                  "No Patient matches the given query.", e);
}

static struct db_stmt q_ident_in_use =
    DB_STMT("SELECT e.v->>'system', e.v->>'value'"
            "  FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY e(v, ord)"
            "  JOIN patient_identifier i ON i.system = e.v->>'system' AND i.value = e.v->>'value'"
            " WHERE i.patient_id IS DISTINCT FROM $2::bigint"
            " ORDER BY e.ord LIMIT 1");

const char *store_identifier_in_use(struct arena *a, const char *identifiers_json,
                                    int64_t exclude_patient, struct err *e)
{
	struct db_result *r = db_query(
	    a, &q_ident_in_use, DB_PARAMS(identifiers_json, store_opt_i64(a, exclude_patient)), e);
	if (!r)
		return NULL;
	if (db_nrows(r) == 0)
		return "";
	return arena_printf(a, "%s|%s", db_get(r, 0, 0), db_get(r, 0, 1));
}

#define USER_PATIENT_STAFF "SELECT u.id, p.id, " STORE_SQL_USER_IS_STAFF("u")
static struct db_stmt q_user_patient =
    DB_STMT(USER_PATIENT_STAFF "  FROM jhe_user u LEFT JOIN patient p ON p.jhe_user_id = u.id"
                               " WHERE lower(u.email) = lower($1) FOR UPDATE OF u");

static struct db_stmt q_user_insert =
    DB_STMT("INSERT INTO jhe_user (email, first_name, last_name, user_type)"
            " VALUES ($1, COALESCE($2, ''), COALESCE($3, ''), 'patient') RETURNING id");

static struct db_stmt q_patient_insert =
    DB_STMT("WITH p AS (INSERT INTO patient (jhe_user_id, name_family, name_given, birth_date,"
            "                                telecom_phone)"
            "           VALUES ($1, $2, $3, $4::date, $5) RETURNING id),"
            " po AS (INSERT INTO patient_organization (patient_id, organization_id)"
            "        SELECT p.id, $6 FROM p)"
            " SELECT id FROM p");

static struct db_stmt q_ident_insert =
    DB_STMT("INSERT INTO patient_identifier (patient_id, system, value)"
            " SELECT $1, e.v->>'system', e.v->>'value'"
            "   FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY e(v, ord) ORDER BY e.ord");

static struct db_stmt q_ident_delete =
    DB_STMT("DELETE FROM patient_identifier WHERE patient_id = $1");

int64_t store_patient_create(struct arena *a, const struct patient_input *in, int64_t org_id,
                             struct err *e)
{
	struct db_result *r = db_query(a, &q_user_patient, DB_PARAMS(in->email), e);
	if (!r)
		return -1;
	int64_t uid;
	if (db_nrows(r) > 0) {
		if (!db_isnull(r, 0, 1)) {
			e->kind = ERR_CONFLICT;
			e->msg =
			    "A patient with this email already exists; use global lookup to add "
			    "them to this organization.";
			return -1;
		}
		/* A patient row makes the user invitable, and an invitation yields tokens for the
		 * whole account: never for a practitioner's or a superuser's. */
		if (db_get_bool(r, 0, 2)) {
			e->kind = ERR_BAD_REQUEST;
			e->msg = STORE_MSG_STAFF_EMAIL;
			e->body = "{\"telecomEmail\":[\"" STORE_MSG_STAFF_EMAIL "\"]}";
			return -1;
		}
		uid = db_get_i64(r, 0, 0);
	} else {
		uid = store_id(a, &q_user_insert,
		               DB_PARAMS(in->email, in->name_given, in->name_family), e);
		if (uid < 0)
			return -1;
	}
	int64_t pid = store_id(a, &q_patient_insert,
	                       DB_PARAMS(db_i64(a, uid), in->name_family, in->name_given,
	                                 in->birth_date, in->telecom_phone, db_i64(a, org_id)),
	                       e);
	if (pid < 0)
		return -1;
	if (in->identifiers &&
	    store_exec(a, &q_ident_insert, DB_PARAMS(db_i64(a, pid), in->identifiers), e))
		return -1;
	return pid;
}

static struct db_stmt q_patient_update =
    DB_STMT("UPDATE patient SET"
            "  name_family = CASE WHEN $2::boolean THEN $3 ELSE name_family END,"
            "  name_given = CASE WHEN $4::boolean THEN $5 ELSE name_given END,"
            "  birth_date = CASE WHEN $6::boolean THEN $7::date ELSE birth_date END,"
            "  telecom_phone = CASE WHEN $8::boolean THEN $9 ELSE telecom_phone END,"
            "  last_updated = now()"
            " WHERE id = $1");

int store_patient_update(struct arena *a, int64_t patient_id, const struct patient_input *in,
                         struct err *e)
{
	const char *id = db_i64(a, patient_id);
	if (store_exec(a, &q_patient_update,
	               DB_PARAMS(id, store_tf(in->has_name_family), in->name_family,
	                         store_tf(in->has_name_given), in->name_given,
	                         store_tf(in->has_birth_date), in->birth_date,
	                         store_tf(in->has_telecom_phone), in->telecom_phone),
	               e))
		return -1;
	if (!in->identifiers)
		return 0;
	if (store_exec(a, &q_ident_delete, DB_PARAMS(id), e))
		return -1;
	return store_exec(a, &q_ident_insert, DB_PARAMS(id, in->identifiers), e);
}

static struct db_stmt q_remove_enrolments =
    DB_STMT("DELETE FROM study_patient sp USING study s"
            " WHERE sp.study_id = s.id AND s.organization_id = $2 AND sp.patient_id = $1");
static struct db_stmt q_remove_membership =
    DB_STMT("DELETE FROM patient_organization WHERE patient_id = $1 AND organization_id = $2");
static struct db_stmt q_orphan_patient =
    DB_STMT("DELETE FROM patient p WHERE p.id = $1"
            "   AND NOT EXISTS (SELECT 1 FROM patient_organization po WHERE po.patient_id = p.id)"
            " RETURNING p.jhe_user_id");
static struct db_stmt q_orphan_user =
    DB_STMT("DELETE FROM jhe_user u WHERE u.id = $1 AND NOT u.is_superuser"
            "   AND NOT EXISTS (SELECT 1 FROM practitioner pr WHERE pr.jhe_user_id = u.id)");

int store_patient_remove_org(struct arena *a, int64_t patient_id, int64_t org_id, bool *deleted,
                             struct err *e)
{
	const char *params[2] = {db_i64(a, patient_id), db_i64(a, org_id)};
	/* consents of those enrolments cascade with them */
	if (store_exec(a, &q_remove_enrolments, 2, params, e))
		return -1;
	if (store_exec(a, &q_remove_membership, 2, params, e))
		return -1;
	struct db_result *r;
	int rc = store_row(a, &q_orphan_patient, 1, params, &r, e);
	if (rc < 0)
		return -1;
	*deleted = rc == 0;
	if (rc || db_isnull(r, 0, 0))
		return 0;
	return store_exec(a, &q_orphan_user, DB_PARAMS(db_get(r, 0, 0)), e);
}

static struct db_stmt q_add_org =
    DB_STMT("INSERT INTO patient_organization (patient_id, organization_id) VALUES ($1, $2)");
static struct db_stmt q_touch = DB_STMT("UPDATE patient SET last_updated = now() WHERE id = $1");

int store_patient_add_org(struct arena *a, int64_t patient_id, int64_t org_id, struct err *e)
{
	const char *id = db_i64(a, patient_id);
	if (store_exec(a, &q_add_org, DB_PARAMS(id, db_i64(a, org_id)), e))
		return -1;
	return store_exec(a, &q_touch, DB_PARAMS(id), e);
}

static struct db_stmt q_lookup =
    DB_STMT("SELECT COALESCE(json_agg(jhe_patient_json(p.id) ORDER BY p.id), '[]'),"
            "       COALESCE(min(p.id), 0)"
            "  FROM patient p JOIN jhe_user u ON u.id = p.jhe_user_id"
            " WHERE lower(u.email) = lower($1)");

char *store_patient_lookup_email(struct arena *a, const char *email, int64_t *patient_id,
                                 struct err *e)
{
	struct db_result *r = db_query(a, &q_lookup, DB_PARAMS(email), e);
	if (!r)
		return NULL;
	*patient_id = db_get_i64(r, 0, 1);
	return db_get_json(a, r, 0, 0);
}

static struct db_stmt q_manages_somewhere =
    DB_STMT("SELECT jhe_is_superuser($1) OR EXISTS ("
            "  SELECT 1 FROM jhe_member_orgs($1) m"
            "   WHERE 'patient.manage_for_organization' = ANY (jhe_role_permissions(m.role)))");

int store_user_manages_patients_somewhere(struct arena *a, int64_t user_id, struct err *e)
{
	return store_bool(a, &q_manages_somewhere, DB_PARAMS(db_i64(a, user_id)), e);
}

static struct db_stmt q_consolidated = DB_STMT(
    "SELECT COALESCE(json_agg(json_build_object('id', app.id, 'name', app.name,"
    "         'clientId', app.client_id, 'invitationUrl', jc.invitation_url,"
    "         'patientInvitations', COALESCE((SELECT json_agg(jhe_invitation_json(i.id)"
    "                                                  ORDER BY i.last_updated DESC, i.id DESC)"
    "                                           FROM patient_invitation i"
    "                                          WHERE i.patient_id = $1 AND i.client_id = app.id),"
    "                                        '[]'::json))"
    "       ORDER BY app.id), '[]')"
    "  FROM oauth_application app JOIN jhe_client jc ON jc.application_id = app.id"
    " WHERE app.id IN (SELECT sc.client_id FROM study_client sc"
    "                    JOIN study_patient sp ON sp.study_id = sc.study_id"
    "                   WHERE sp.patient_id = $1)");

char *store_patient_consolidated_clients(struct arena *a, int64_t patient_id, struct err *e)
{
	return store_json_value(a, &q_consolidated, DB_PARAMS(db_i64(a, patient_id)), e);
}
