/* POST /o/token/ (oauth.md §5.2, §6): authorization_code, refresh_token, client_credentials. */
#include "auth/auth_int.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#define BAD_CODE "Invalid or expired authorization code."
#define BAD_REFRESH "Invalid refresh token."

static const char *grant_detail(struct request *r, const char *grant)
{
	return arena_printf(r->arena, "{\"grantType\":\"%s\"}", grant);
}

/* ID token of oauth.md §6. */
static char *id_token(struct request *r, const struct auth_user *u, const char *client_id,
                      const char *scope, const char *nonce, int64_t auth_time,
                      const char *access_token)
{
	const char *kid;
	struct evp_pkey_st *key = auth_signing_key(&kid);
	if (!key)
		return NULL;
	int64_t now = (int64_t)time(NULL);
	unsigned char d[32];
	sha256(access_token, strlen(access_token), d);
	char at_hash[32];
	base64url_encode(d, 16, at_hash);
	char jti[37];
	auth_uuid4(jti);
	struct buf *b = buf_new(r->arena, 512);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kstr(&w, "iss", auth_issuer(r));
	jw_kstr(&w, "sub", db_i64(r->arena, u->id));
	jw_kstr(&w, "aud", client_id);
	jw_kint(&w, "exp", now + g_config.id_token_lifetime);
	jw_kint(&w, "iat", now);
	jw_kint(&w, "auth_time", auth_time);
	if (nonce)
		jw_kstr(&w, "nonce", nonce);
	jw_kstr(&w, "at_hash", at_hash);
	jw_kstr(&w, "jti", jti);
	if (authz_scope_has(scope, "email"))
		jw_kstr(&w, "email", u->email);
	const char *fhir_user =
	    auth_fhir_user(r, auth_is_patient_user(u), u->patient_id, u->practitioner_id);
	if (fhir_user && authz_scope_has(scope, "fhirUser"))
		jw_kstr(&w, "fhirUser", fhir_user);
	jw_obj_end(&w);
	return auth_jwt_sign(r->arena, key, kid, b->data);
}

struct issued {
	char *access, *refresh, *id_token;
	const char *scope;
	int64_t patient;
};

static void respond_tokens(struct request *r, const struct issued *t)
{
	struct buf *b = buf_new(r->arena, 1024);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kstr(&w, "access_token", t->access);
	jw_kint(&w, "expires_in", g_config.access_token_lifetime);
	jw_kstr(&w, "token_type", "Bearer");
	jw_kstr(&w, "scope", t->scope);
	if (t->refresh)
		jw_kstr(&w, "refresh_token", t->refresh);
	if (t->id_token)
		jw_kstr(&w, "id_token", t->id_token);
	if (t->patient)
		jw_kstr(&w, "patient", db_i64(r->arena, t->patient));
	jw_obj_end(&w);
	resp_no_store(r);
	resp_json(r, 200, b);
}

/* Issue tokens in the open transaction; commits. */
static int issue_and_respond(struct request *r, struct auth_issue *in, const struct auth_user *u,
                             const char *client_id, const char *nonce, bool with_refresh,
                             const char *action, const char *grant, int64_t code_id)
{
	struct err e = {0};
	struct issued t = {0};
	t.access = random_token(r->arena, 32);
	unsigned char ad[32], rd[32];
	sha256(t.access, strlen(t.access), ad);
	in->access_digest = ad;
	in->access_lifetime = g_config.access_token_lifetime;
	if (with_refresh) {
		t.refresh = random_token(r->arena, 32);
		sha256(t.refresh, strlen(t.refresh), rd);
		in->refresh_digest = rd;
	}
	t.scope = in->scope;
	if (authz_scope_has(in->scope, "launch/patient") && in->patient_context_id)
		t.patient = in->patient_context_id;
	if (authz_scope_has(in->scope, "openid") && with_refresh) {
		t.id_token = id_token(r, u, client_id, in->scope, nonce, in->auth_time, t.access);
		if (!t.id_token) {
			log_error("request %s: no OIDC signing key (%s)", r->request_id,
			          g_config.oidc_key_file);
			return oauth_store_error(r, &e);
		}
	}
	if (store_tokens_issue(r->arena, in, &e))
		return oauth_store_error(r, &e);
	if (code_id && store_code_mark_used(r->arena, code_id, in->family_id, &e))
		return oauth_store_error(r, &e);
	if (auth_audit(r, action, u->id, client_id, "Token", db_i64(r->arena, in->family_id), 0,
	               200, grant_detail(r, grant)))
		return oauth_store_error(r, &e);
	if (db_commit(&e))
		return oauth_store_error(r, &e);
	respond_tokens(r, &t);
	return 0;
}

/* Revoke a family after reuse/replay and record it (the caller's transaction); the
 * invalid_grant error desc. */
static int reuse_detected(struct request *r, int64_t family_id, int64_t user_id,
                          const char *client_id, const char *grant, const char *reason,
                          const char *desc)
{
	struct err e = {0};
	int rc = family_id ? store_family_revoke(r->arena, family_id, reason, &e) : 0;
	auth_audit(r, "token.reuse_detected", user_id, client_id, "Token",
	           family_id ? db_i64(r->arena, family_id) : NULL, 0, 400, grant_detail(r, grant));
	if (rc == 1)
		auth_audit(r, "token.revoked", user_id, client_id, "Token",
		           db_i64(r->arena, family_id), 0, 400,
		           arena_printf(r->arena, "{\"reason\":\"%s\"}", reason));
	if (db_commit(&e))
		db_rollback();
	return oauth_fail(r, 400, "invalid_grant", desc);
}

/* The digest of the grant's code or refresh token (parameter name), and a new transaction.
 * -1: r->err (invalid_grant `invalid` for a value too long to be one). */
static int grant_secret_begin(struct request *r, struct kvlist *f, const char *name,
                              const char *invalid, unsigned char d[32])
{
	const char *v = oauth_required(r, f, name);
	if (!v)
		return -1;
	if (strlen(v) > 512)
		return oauth_fail(r, 400, "invalid_grant", invalid);
	sha256(v, strlen(v), d);
	struct err e = {0};
	if (db_begin(&e))
		return oauth_store_error(r, &e);
	return 0;
}

static int grant_code(struct request *r, struct kvlist *f, const struct auth_client *c)
{
	unsigned char cd[32];
	if (grant_secret_begin(r, f, "code", BAD_CODE, cd))
		return -1;
	struct err e = {0};
	struct auth_code k;
	int rc = store_code_lock(r->arena, cd, &k, &e);
	if (rc < 0)
		return oauth_store_error(r, &e);
	if (rc > 0 || k.application_id != c->id)
		return oauth_fail(r, 400, "invalid_grant", BAD_CODE);
	if (k.used)
		return reuse_detected(r, k.family_id, k.user_id, c->client_id, "authorization_code",
		                      "code_replay", BAD_CODE);
	if (k.expired)
		return oauth_fail(r, 400, "invalid_grant", BAD_CODE);
	const char *ru = kv_get(f, "redirect_uri");
	if (k.redirect_uri_in_request ? (!ru || strcmp(ru, k.redirect_uri) != 0)
	                              : (ru && strcmp(ru, k.redirect_uri) != 0))
		return oauth_fail(r, 400, "invalid_grant", "redirect_uri does not match.");
	const char *verifier = kv_get(f, "code_verifier");
	if (!k.challenge || !*k.challenge)
		return oauth_fail(r, 400, "invalid_grant", "The code has no PKCE challenge.");
	if (!verifier)
		return oauth_fail(r, 400, "invalid_request", "Code verifier required.");
	if (!auth_pkce_verifier_valid(verifier))
		return oauth_fail(
		    r, 400, "invalid_request",
		    "code_verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~.");
	if (!auth_pkce_check(verifier, k.challenge))
		return oauth_fail(r, 400, "invalid_grant", "Code verifier does not match.");
	if (!k.user.is_active)
		return oauth_fail(r, 400, "invalid_grant", "The user is inactive.");
	if (k.invitation_id && !auth_is_patient_user(&k.user))
		return oauth_fail(r, 400, "invalid_grant",
		                  "An invitation grants tokens to patient-only accounts.");
	struct auth_issue in = {
	    .application_id = c->id,
	    .user_id = k.user_id,
	    .origin = k.invitation_id ? "invitation" : "authorization_code",
	    .family_scope = k.scope,
	    .patient_context_id =
	        authz_scope_has(k.scope, "launch/patient") ? k.user.patient_id : 0,
	    .auth_time = k.auth_time,
	    .family_lifetime = g_config.refresh_token_lifetime,
	    .scope = k.scope,
	};
	return issue_and_respond(r, &in, &k.user, c->client_id, k.nonce, true, "token.issued",
	                         "authorization_code", k.id);
}

static int grant_refresh(struct request *r, struct kvlist *f, const struct auth_client *c)
{
	unsigned char d[32];
	if (grant_secret_begin(r, f, "refresh_token", BAD_REFRESH, d))
		return -1;
	struct err e = {0};
	struct auth_refresh k;
	int rc = store_refresh_lock(r->arena, d, &k, &e);
	if (rc < 0)
		return oauth_store_error(r, &e);
	if (rc > 0 || k.application_id != c->id)
		return oauth_fail(r, 400, "invalid_grant", BAD_REFRESH);
	if (k.rotated && !k.family_revoked)
		return reuse_detected(r, k.family_id, k.user_id, c->client_id, "refresh_token",
		                      "refresh_reuse", BAD_REFRESH);
	if (k.rotated || k.revoked || k.family_revoked || k.family_expired || !k.user.is_active)
		return oauth_fail(r, 400, "invalid_grant", BAD_REFRESH);
	/* a family obtained through an invitation is a patient app's: it ends when the user
	 * becomes a practitioner or a superuser */
	if (k.from_invitation && !auth_is_patient_user(&k.user))
		return oauth_fail(r, 400, "invalid_grant", BAD_REFRESH);
	const char *scope = kv_get(f, "scope");
	if (scope && *scope) {
		if (strlen(scope) > 4096 || !authz_scope_subset(scope, k.family_scope))
			return oauth_fail(r, 400, "invalid_scope",
			                  "The scope exceeds the original grant.");
		/* normalise: de-duplicated, request order */
		char *granted;
		const char *bad;
		if (authz_scope_grant(r->arena, scope, SCOPE_GRANT_CODE,
		                      auth_is_patient_user(&k.user), &granted, &bad))
			return oauth_fail(r, 400, "invalid_scope", "Scope not allowed.");
		scope = granted;
	} else {
		scope = k.family_scope;
	}
	if (store_refresh_rotate(r->arena, k.id, k.access_token_id, &e))
		return oauth_store_error(r, &e);
	struct auth_issue in = {
	    .family_id = k.family_id,
	    .application_id = c->id,
	    .user_id = k.user_id,
	    .patient_context_id = k.patient_context_id,
	    .auth_time = k.auth_time,
	    .scope = scope,
	};
	return issue_and_respond(r, &in, &k.user, c->client_id, NULL, true, "token.refreshed",
	                         "refresh_token", 0);
}

static int grant_client_credentials(struct request *r, struct kvlist *f,
                                    const struct auth_client *c)
{
	if (!c->confidential || !c->client_credentials)
		return oauth_fail(r, 400, "unauthorized_client",
		                  "The client may not use the client_credentials grant.");
	if (!c->owner_user_id)
		return oauth_fail(r, 400, "unauthorized_client", "The client has no owner.");
	char *granted;
	const char *bad;
	if (authz_scope_grant(r->arena, kv_get(f, "scope"), SCOPE_GRANT_CLIENT_CREDENTIALS, false,
	                      &granted, &bad))
		return oauth_fail(r, 400, "invalid_scope",
		                  arena_printf(r->arena, "Scope \"%s\" is not allowed.", bad));
	struct err e = {0};
	struct auth_user u;
	int rc = store_auth_user_by_id(r->arena, c->owner_user_id, &u, &e);
	if (rc < 0)
		return oauth_store_error(r, &e);
	if (rc > 0 || !u.is_active)
		return oauth_fail(r, 401, "invalid_client", "Client authentication failed.");
	if (db_begin(&e))
		return oauth_store_error(r, &e);
	struct auth_issue in = {
	    .application_id = c->id,
	    .user_id = u.id,
	    .origin = "client_credentials",
	    .family_scope = granted,
	    .auth_time = (int64_t)time(NULL),
	    .family_lifetime = 0,
	    .scope = granted,
	};
	return issue_and_respond(r, &in, &u, c->client_id, NULL, false, "token.issued",
	                         "client_credentials", 0);
}

static int token(struct request *r)
{
	struct kvlist f;
	if (oauth_form(r, &f))
		return -1;
	const char *grant = oauth_required(r, &f, "grant_type");
	if (!grant)
		return -1;
	if (strcmp(grant, "authorization_code") != 0 && strcmp(grant, "refresh_token") != 0 &&
	    strcmp(grant, "client_credentials") != 0)
		return oauth_fail(r, 400, "unsupported_grant_type",
		                  "grant_type must be authorization_code, refresh_token or "
		                  "client_credentials.");
	struct auth_client c;
	if (auth_client_authenticate(r, &f, &c))
		return -1;
	if (!strcmp(grant, "authorization_code"))
		return grant_code(r, &f, &c);
	if (!strcmp(grant, "refresh_token"))
		return grant_refresh(r, &f, &c);
	return grant_client_credentials(r, &f, &c);
}

const struct route auth_token_routes[] = {
    {"POST", "/o/token/?", token, ROUTE_CORS_PUBLIC},
    {NULL, NULL, NULL, 0},
};
