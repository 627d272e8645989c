/* auth store: patient invitations (admin-api.md §9) and practitioner API keys (§14). */
#include "store/query.h"

#include <string.h>

static void set_err(struct err *e, enum err_kind k, const char *msg, const char *body)
{
	memset(e, 0, sizeof(*e));
	e->kind = k;
	e->msg = msg;
	e->body = body;
}

/* ---------- invitations ---------- */

#define INV_JSON(i)                                                                                \
	"json_build_object('id', " i ".id, 'patientId', " i ".patient_id, 'client_id', " i         \
	".client_id, 'tokenHash', " i ".token_hash, 'token', NULL, 'status', " i                   \
	".status, 'lastUpdated', jhe_rfc3339(" i ".last_updated))"

static struct db_stmt q_inv_checks =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM patient WHERE id = $2),"
            "       COALESCE(jhe_invites_patient($1, $2), false),"
            "       EXISTS (SELECT 1 FROM oauth_application WHERE id = $3),"
            "       (SELECT invitation_url FROM jhe_client WHERE application_id = $3),"
            "       (SELECT jhe_user_id IS NOT NULL FROM patient WHERE id = $2),"
            "       (SELECT value_string FROM jhe_setting WHERE key = 'site.url'),"
            "       (SELECT " STORE_SQL_USER_IS_STAFF(
                "u") " FROM patient p"
                     "          JOIN jhe_user u ON u.id = p.jhe_user_id WHERE p.id = $2)");

static struct db_stmt q_inv_insert =
    DB_STMT("WITH re AS (UPDATE patient_invitation SET status = 'reissued', last_updated = now()"
            "             WHERE patient_id = $1 AND client_id = $2 AND status = 'issued')"
            " INSERT INTO patient_invitation (patient_id, client_id, token_hash, status, created,"
            "   created_by_user_id, last_updated)"
            " VALUES ($1, $2, $3, 'issued', now(), $4, now())"
            " RETURNING id, status, jhe_rfc3339(last_updated)");

int store_invitation_create(struct arena *a, const struct inv_create_in *in,
                            struct inv_create_out *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r =
	    db_query(a, &q_inv_checks,
	             DB_PARAMS(db_i64(a, in->caller_user_id), db_i64(a, in->patient_id),
	                       db_i64(a, in->application_id)),
	             e);
	if (!r)
		return -1;
	if (!db_get_bool(r, 0, 0)) {
		set_err(e, ERR_NOT_FOUND, "No Patient matches the given query.", NULL);
		return -1;
	}
	if (!db_get_bool(r, 0, 1)) {
		set_err(e, ERR_FORBIDDEN, "You do not have permission to invite this patient.",
		        NULL);
		return -1;
	}
	if (!db_get_bool(r, 0, 2)) {
		set_err(e, ERR_NOT_FOUND, "No Application matches the given query.", NULL);
		return -1;
	}
	const char *url = db_get(r, 0, 3);
	if (!url || !strstr(url, "CODE")) {
		set_err(e, ERR_BAD_REQUEST, "This client has no invitation URL.",
		        "{\"client_id\":[\"This client has no invitation URL.\"]}");
		return -1;
	}
	if (!db_get_bool(r, 0, 4)) {
		set_err(e, ERR_BAD_REQUEST, "Patient has no associated user account.",
		        "[\"Patient has no associated user account.\"]");
		return -1;
	}
	if (db_get_bool(r, 0, 6)) {
		set_err(e, ERR_BAD_REQUEST, STORE_MSG_STAFF_INVITATION,
		        "[\"" STORE_MSG_STAFF_INVITATION "\"]");
		return -1;
	}
	out->invitation_url = arena_strdup(a, url);
	out->site_url = db_get(r, 0, 5) ? arena_strdup(a, db_get(r, 0, 5)) : g_config.site_url;
	struct db_result *w =
	    db_query(a, &q_inv_insert,
	             DB_PARAMS(db_i64(a, in->patient_id), db_i64(a, in->application_id),
	                       in->token_hash, db_i64(a, in->caller_user_id)),
	             e);
	if (!w)
		return -1;
	out->id = db_get_i64(w, 0, 0);
	out->patient_id = in->patient_id;
	out->application_id = in->application_id;
	out->status = arena_strdup(a, db_get(w, 0, 1));
	out->last_updated = arena_strdup(a, db_get(w, 0, 2));
	return 0;
}

#define INV_VISIBLE " ($2::boolean OR jhe_manages_patient($1, i.patient_id))"

static struct db_stmt q_inv_list =
    DB_STMT("WITH rows AS (SELECT i.* FROM patient_invitation i"
            "               WHERE" INV_VISIBLE
            "                 AND ($3::bigint = 0 OR i.patient_id = $3::bigint)"
            "                 AND ($4::text IS NULL OR i.status = $4::text)),"
            "     page AS (SELECT * FROM rows ORDER BY last_updated DESC, id DESC"
            "               LIMIT $5 OFFSET $6)"
            " SELECT (SELECT count(*) FROM rows),"
            "        COALESCE((SELECT json_agg(" INV_JSON(
                "page") " ORDER BY page.last_updated DESC,"
                        "                  page.id DESC) FROM page), '[]')");

char *store_invitation_list(struct arena *a, int64_t caller, bool superuser, int64_t patient_id,
                            const char *status, int64_t limit, int64_t offset, int64_t *count,
                            struct err *e)
{
	return store_page(a, &q_inv_list,
	                  DB_PARAMS(db_i64(a, caller), store_tf(superuser), db_i64(a, patient_id),
	                            status, db_i64(a, limit), db_i64(a, offset)),
	                  count, e);
}

static struct db_stmt q_inv_get =
    DB_STMT("SELECT " INV_JSON("i") ", i.patient_id FROM patient_invitation i"
                                    " WHERE i.id = $3 AND" INV_VISIBLE);

char *store_invitation_get(struct arena *a, int64_t caller, bool superuser, int64_t id,
                           int64_t *patient_id, struct err *e)
{
	struct db_result *r = db_query(
	    a, &q_inv_get, DB_PARAMS(db_i64(a, caller), store_tf(superuser), db_i64(a, id)), e);
	if (!r)
		return NULL;
	if (db_nrows(r) != 1) {
		set_err(e, ERR_NOT_FOUND, "No PatientInvitation matches the given query.", NULL);
		return NULL;
	}
	if (patient_id)
		*patient_id = db_get_i64(r, 0, 1);
	return db_get_json(a, r, 0, 0);
}

static struct db_stmt q_inv_cancel =
    DB_STMT("WITH u AS (UPDATE patient_invitation SET status = 'cancelled', last_updated = now()"
            "            WHERE id = $1 AND status <> 'cancelled')"
            " SELECT DISTINCT c.family_id FROM oauth_authorization_code c"
            "   JOIN oauth_token_family f ON f.id = c.family_id"
            "  WHERE c.invitation_id = $1 AND f.revoked_at IS NULL");

int store_invitation_cancel(struct arena *a, int64_t id, int64_t *families, int *n_families,
                            struct err *e)
{
	*n_families = 0;
	struct db_result *r = db_query(a, &q_inv_cancel, DB_PARAMS(db_i64(a, id)), e);
	if (!r)
		return -1;
	for (int i = 0; i < db_nrows(r); i++) {
		int64_t f = db_get_i64(r, i, 0);
		int rc = store_family_revoke(a, f, "invitation_cancelled", e);
		if (rc < 0)
			return -1;
		if (rc == 1 && *n_families < 64)
			families[(*n_families)++] = f;
	}
	return 0;
}

static struct db_stmt q_inv_lock = DB_STMT(
    "SELECT i.id, i.patient_id, COALESCE(p.jhe_user_id, 0), i.client_id, i.status,"
    "       app.client_id, COALESCE(u.is_active, false),"
    "       now() - i.created >= make_interval(days => $2::int),"
    "       i.redeemed_at IS NOT NULL AND now() - i.redeemed_at > make_interval(hours => $3::int),"
    "       (SELECT value_string FROM jhe_setting WHERE key = 'site.url'),"
    "       COALESCE(" STORE_SQL_USER_IS_STAFF(
        "u") ", false), i.token_hash"
             "  FROM patient_invitation i JOIN patient p ON p.id = i.patient_id"
             "  JOIN oauth_application app ON app.id = i.client_id"
             "  LEFT JOIN jhe_user u ON u.id = p.jhe_user_id"
             " WHERE i.token_hash = $1 FOR UPDATE OF i");

static int setting_int(struct arena *a, const char *key, int def)
{
	struct err e = {0};
	const char *v = store_setting_text(a, key, &e);
	int64_t n;
	if (!v || !str_to_i64(v, &n) || n < 0 || n > 100000)
		return def;
	return (int)n;
}

int store_invitation_lock(struct arena *a, const char *token_hash, struct inv_redeem *out,
                          struct err *e)
{
	memset(out, 0, sizeof(*out));
	int days = setting_int(a, "auth.patient.invitation_expiration_days", 7);
	int hours = setting_int(a, "auth.patient.invitation_redemption_window_hours", 12);
	struct db_result *r;
	int rc = store_row(a, &q_inv_lock, DB_PARAMS(token_hash, db_i64(a, days), db_i64(a, hours)),
	                   &r, e);
	if (rc)
		return rc;
	/* the index found the row; the final comparison is constant-time, as for every secret */
	const char *stored = db_get(r, 0, 11);
	if (!stored || strlen(stored) != strlen(token_hash) ||
	    !ct_equal(stored, token_hash, strlen(token_hash)))
		return 1;
	out->id = db_get_i64(r, 0, 0);
	out->patient_id = db_get_i64(r, 0, 1);
	out->user_id = db_get_i64(r, 0, 2);
	out->application_id = db_get_i64(r, 0, 3);
	out->status = arena_strdup(a, db_get(r, 0, 4));
	out->client_id = arena_strdup(a, db_get(r, 0, 5));
	out->user_active = db_get_bool(r, 0, 6);
	out->expired_now = db_get_bool(r, 0, 7);
	out->window_passed = db_get_bool(r, 0, 8);
	out->site_url = db_get(r, 0, 9) ? arena_strdup(a, db_get(r, 0, 9)) : g_config.site_url;
	out->user_staff = db_get_bool(r, 0, 10);
	return 0;
}

static struct db_stmt q_inv_expire =
    DB_STMT("UPDATE patient_invitation SET status = 'expired', last_updated = now() WHERE id = $1");

int store_invitation_set_expired(struct arena *a, int64_t id, struct err *e)
{
	return store_exec(a, &q_inv_expire, DB_PARAMS(db_i64(a, id)), e);
}

static struct db_stmt q_inv_redeemed =
    DB_STMT("WITH u AS (UPDATE jhe_user SET last_login = now() WHERE id = $2),"
            "     c AS (DELETE FROM oauth_authorization_code"
            "            WHERE user_id = $2 AND application_id = $3 AND used_at IS NULL)"
            " UPDATE patient_invitation SET status = 'redeemed',"
            "   redeemed_at = COALESCE(redeemed_at, now()), last_updated = now() WHERE id = $1");

int store_invitation_redeemed(struct arena *a, const struct inv_redeem *inv, struct err *e)
{
	return store_exec(
	    a, &q_inv_redeemed,
	    DB_PARAMS(db_i64(a, inv->id), db_i64(a, inv->user_id), db_i64(a, inv->application_id)),
	    e);
}

/* ---------- practitioner API keys ---------- */

#define KEY_JSON(pc, app)                                                                          \
	"json_build_object('id', " pc ".id, 'label', " pc ".label, 'created', jhe_rfc3339(" app    \
	".created), 'name', " app ".name, 'key', NULL)"

static struct db_stmt q_key_create = DB_STMT(
    "WITH app AS (INSERT INTO oauth_application (client_id, name, client_type,"
    "                authorization_grant_type, redirect_uris, client_secret_digest, user_id,"
    "                created, updated)"
    "             VALUES ($4, '_practitioner_client_' || $1::bigint || '_' ||"
    "                     to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS'),"
    "                     'confidential', 'client-credentials', '', $5, $2, now(), now())"
    "             RETURNING id, name, created),"
    "     pc AS (INSERT INTO practitioner_client (application_id, practitioner_id, label)"
    "            SELECT id, $1, $3 FROM app RETURNING id, label)"
    " SELECT " KEY_JSON("pc", "app") " FROM pc, app");

char *store_apikey_create(struct arena *a, int64_t practitioner_id, int64_t user_id,
                          const char *label, const char *client_id, const unsigned char digest[32],
                          struct err *e)
{
	return store_json_value(a, &q_key_create,
	                        DB_PARAMS(db_i64(a, practitioner_id), db_i64(a, user_id), label,
	                                  client_id, db_bytea_hex(a, digest, 32)),
	                        e);
}

static struct db_stmt q_key_list = DB_STMT(
    "WITH rows AS (SELECT pc.id, pc.label, app.name, app.created"
    "                FROM practitioner_client pc"
    "                JOIN oauth_application app ON app.id = pc.application_id"
    "               WHERE pc.practitioner_id = $1),"
    "     page AS (SELECT * FROM rows ORDER BY created DESC, id DESC LIMIT $2 OFFSET $3)"
    " SELECT (SELECT count(*) FROM rows),"
    "        COALESCE((SELECT json_agg(" KEY_JSON(
        "page",
        "page") "                  ORDER BY page.created DESC, page.id DESC) FROM page), '[]')");

char *store_apikey_list(struct arena *a, int64_t practitioner_id, int64_t limit, int64_t offset,
                        int64_t *count, struct err *e)
{
	return store_page(
	    a, &q_key_list,
	    DB_PARAMS(db_i64(a, practitioner_id), db_i64(a, limit), db_i64(a, offset)), count, e);
}

static struct db_stmt q_key_get = DB_STMT(
    "SELECT " KEY_JSON("pc", "app") " FROM practitioner_client pc"
                                    "  JOIN oauth_application app ON app.id = pc.application_id"
                                    " WHERE pc.id = $2 AND pc.practitioner_id = $1");

#define KEY_NOT_FOUND "No PractitionerClient matches the given query."

char *store_apikey_get(struct arena *a, int64_t practitioner_id, int64_t id, struct err *e)
{
	return store_json(a, &q_key_get, DB_PARAMS(db_i64(a, practitioner_id), db_i64(a, id)),
	                  KEY_NOT_FOUND, e);
}

static struct db_stmt q_key_update = DB_STMT(
    "WITH pc AS (UPDATE practitioner_client SET label = COALESCE($3, label)"
    "             WHERE id = $2 AND practitioner_id = $1 RETURNING id, label, application_id)"
    " SELECT " KEY_JSON("pc", "app") " FROM pc JOIN oauth_application app"
                                     "   ON app.id = pc.application_id");

char *store_apikey_update(struct arena *a, int64_t practitioner_id, int64_t id, const char *label,
                          struct err *e)
{
	return store_json(a, &q_key_update,
	                  DB_PARAMS(db_i64(a, practitioner_id), db_i64(a, id), label),
	                  KEY_NOT_FOUND, e);
}

/* Deleting the row deletes its application (trigger), which cascades to its tokens. */
static struct db_stmt q_key_delete =
    DB_STMT("DELETE FROM practitioner_client WHERE id = $2 AND practitioner_id = $1");

int store_apikey_delete(struct arena *a, int64_t practitioner_id, int64_t id, struct err *e)
{
	int rc = store_exec_found(a, &q_key_delete,
	                          DB_PARAMS(db_i64(a, practitioner_id), db_i64(a, id)), e);
	if (rc == 1)
		set_err(e, ERR_NOT_FOUND, KEY_NOT_FOUND, NULL);
	return rc ? -1 : 0;
}
