/* Revocation, introspection, userinfo (oauth.md §8) and discovery documents (§3, fhir.md §12). */
#include "auth/auth_int.h"

#include <string.h>

/* ---------- POST /o/revoke_token/ (RFC 7009) ---------- */

static int revoke(struct request *r)
{
	struct kvlist f;
	if (oauth_form(r, &f))
		return -1;
	const char *tok = oauth_required(r, &f, "token");
	if (!tok)
		return -1;
	struct auth_client c;
	if (auth_client_authenticate(r, &f, &c))
		return -1;
	resp_no_store(r);
	if (strlen(tok) > 512) {
		resp_body(r, 200, NULL, NULL);
		return 0;
	}
	unsigned char d[32];
	sha256(tok, strlen(tok), d);
	struct err e = {0};
	struct auth_token_info t;
	int rc = store_token_lookup(r->arena, d, &t, &e);
	if (rc < 0)
		return oauth_store_error(r, &e);
	if (rc == 0 && t.application_id == c.id) {
		if (db_begin(&e))
			return oauth_store_error(r, &e);
		int n = t.kind == 1 ? store_access_token_revoke(r->arena, t.id, &e)
		                    : store_family_revoke(r->arena, t.family_id, "revoked", &e);
		if (n < 0)
			return oauth_store_error(r, &e);
		if (n > 0 &&
		    auth_audit(r, "token.revoked", t.user_id, c.client_id, "Token",
		               db_i64(r->arena, t.family_id), 0, 200, "{\"reason\":\"revoked\"}"))
			return oauth_store_error(r, &e);
		if (db_commit(&e))
			return oauth_store_error(r, &e);
	}
	resp_body(r, 200, NULL, NULL);
	return 0;
}

/* ---------- /o/introspect/ (RFC 7662) ---------- */

static int introspect(struct request *r)
{
	struct kvlist f = {0};
	const char *tok;
	if (!strcmp(r->method, "POST")) {
		if (oauth_form(r, &f))
			return -1;
		tok = kv_get(&f, "token");
	} else {
		tok = req_param(r, "token");
	}
	struct auth_client c;
	if (auth_client_authenticate(r, &f, &c))
		return -1;
	if (!c.confidential)
		return oauth_fail(r, 401, "invalid_client", "Client authentication failed.");
	resp_no_store(r);
	struct auth_token_info t;
	int rc = 1;
	struct err e = {0};
	if (tok && *tok && strlen(tok) <= 512) {
		unsigned char d[32];
		sha256(tok, strlen(tok), d);
		rc = store_token_lookup(r->arena, d, &t, &e);
		if (rc < 0)
			return oauth_store_error(r, &e);
	}
	if (rc != 0 || !t.active || (t.application_id != c.id && !c.introspection_allowed)) {
		resp_json_str(r, 200, "{\"active\":false}");
		return 0;
	}
	struct buf *b = buf_new(r->arena, 512);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kbool(&w, "active", true);
	jw_kstr(&w, "scope", t.scope);
	jw_kstr(&w, "client_id", t.client_id);
	jw_kstr(&w, "username", t.email);
	jw_kstr(&w, "token_type", t.kind == 1 ? "Bearer" : "refresh_token");
	if (t.exp)
		jw_kint(&w, "exp", t.exp);
	jw_kint(&w, "iat", t.iat);
	jw_kstr(&w, "sub", db_i64(r->arena, t.user_id));
	jw_kstr(&w, "iss", auth_issuer(r));
	jw_obj_end(&w);
	resp_json(r, 200, b);
	return 0;
}

/* ---------- /o/userinfo/ ---------- */

static int userinfo(struct request *r)
{
	int rc = auth_bearer(r);
	if (rc < 0 && r->err.kind != ERR_UNAUTHORIZED)
		return oauth_store_error(r, &r->err);
	if (rc != 0) {
		oauth_fail(r, 401, "invalid_token", NULL);
		r->err.www_authenticate = "Bearer error=\"invalid_token\"";
		return -1;
	}
	struct principal *p = r->principal;
	if (!authz_scope_has(p->scope, "openid")) {
		oauth_fail(r, 403, "insufficient_scope", NULL);
		r->err.www_authenticate = "Bearer error=\"insufficient_scope\"";
		return -1;
	}
	struct buf *b = buf_new(r->arena, 256);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kstr(&w, "sub", db_i64(r->arena, p->user_id));
	if (authz_scope_has(p->scope, "email"))
		jw_kstr(&w, "email", p->email);
	const char *fhir_user =
	    auth_fhir_user(r, authz_patient_user(p), p->patient_id, p->practitioner_id);
	if (fhir_user && authz_scope_has(p->scope, "fhirUser"))
		jw_kstr(&w, "fhirUser", fhir_user);
	jw_obj_end(&w);
	resp_no_store(r);
	resp_json(r, 200, b);
	return 0;
}

/* ---------- discovery ---------- */

static void str_array(struct jw *w, const char *key, const char *const *items)
{
	jw_key(w, key);
	jw_arr_begin(w);
	for (int i = 0; items[i]; i++)
		jw_str(w, items[i]);
	jw_arr_end(w);
}

static const char *const auth_methods[] = {"none", "client_secret_basic", "client_secret_post",
                                           NULL};
static const char *const grant_types[] = {"authorization_code", "refresh_token",
                                          "client_credentials", NULL};
static const char *const code_only[] = {"code", NULL};
static const char *const s256[] = {"S256", NULL};

/* A member of a discovery document: the issuer, an absolute URL of a path, or a list. */
struct doc_member {
	const char *key;
	const char *path;         /* URL members: the path on this origin */
	const char *const *items; /* list members */
};
#define ISSUER                                                                                     \
	{                                                                                          \
		"issuer", NULL, NULL                                                               \
	}
#define URL(k, p)                                                                                  \
	{                                                                                          \
		k, p, NULL                                                                         \
	}
#define LIST(k, ...)                                                                               \
	{                                                                                          \
		k, NULL, (const char *const[])                                                     \
		{                                                                                  \
			__VA_ARGS__, NULL                                                          \
		}                                                                                  \
	}
#define ITEMS(k, l)                                                                                \
	{                                                                                          \
		k, NULL, l                                                                         \
	}

static const struct doc_member openid_doc[] = {
    ISSUER,
    URL("authorization_endpoint", "/o/authorize/"),
    URL("token_endpoint", "/o/token/"),
    URL("userinfo_endpoint", "/o/userinfo/"),
    URL("jwks_uri", "/o/.well-known/jwks.json"),
    URL("revocation_endpoint", "/o/revoke_token/"),
    URL("introspection_endpoint", "/o/introspect/"),
    LIST("scopes_supported", "openid", "email", "fhirUser", "launch/patient", "offline_access"),
    ITEMS("response_types_supported", code_only),
    LIST("response_modes_supported", "query"),
    ITEMS("grant_types_supported", grant_types),
    LIST("subject_types_supported", "public"),
    LIST("id_token_signing_alg_values_supported", "RS256"),
    ITEMS("token_endpoint_auth_methods_supported", auth_methods),
    ITEMS("revocation_endpoint_auth_methods_supported", auth_methods),
    LIST("introspection_endpoint_auth_methods_supported", "client_secret_basic",
         "client_secret_post"),
    ITEMS("code_challenge_methods_supported", s256),
    LIST("claims_supported", "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
         "jti", "email", "fhirUser"),
    {NULL, NULL, NULL},
};

static const struct doc_member smart_doc[] = {
    ISSUER,
    URL("jwks_uri", "/o/.well-known/jwks.json"),
    URL("authorization_endpoint", "/o/authorize/"),
    URL("token_endpoint", "/o/token/"),
    ITEMS("token_endpoint_auth_methods_supported", auth_methods),
    URL("revocation_endpoint", "/o/revoke_token/"),
    URL("introspection_endpoint", "/o/introspect/"),
    URL("userinfo_endpoint", "/o/userinfo/"),
    ITEMS("grant_types_supported", grant_types),
    ITEMS("response_types_supported", code_only),
    LIST("scopes_supported", "openid", "email", "fhirUser", "launch/patient", "offline_access",
         "patient/*.rs", "patient/Observation.crs", "user/*.rs", "user/Observation.crs",
         "system/*.rs"),
    ITEMS("code_challenge_methods_supported", s256),
    LIST("capabilities", "launch-standalone", "client-public", "client-confidential-symmetric",
         "sso-openid-connect", "context-standalone-patient", "permission-offline",
         "permission-patient", "permission-user", "permission-v1", "permission-v2"),
    {NULL, NULL, NULL},
};

static void public_json(struct request *r, struct buf *b)
{
	resp_header(r, "Cache-Control", "public, max-age=3600");
	resp_json(r, 200, b);
}

/* A public, cacheable JSON document of the members. */
static int discovery_doc(struct request *r, const struct doc_member *m)
{
	struct buf *b = buf_new(r->arena, 2048);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	for (; m->key; m++) {
		if (m->items)
			str_array(&w, m->key, m->items);
		else if (m->path)
			jw_kstr(&w, m->key, arena_printf(r->arena, "%s%s", r->origin, m->path));
		else
			jw_kstr(&w, m->key, auth_issuer(r));
	}
	jw_obj_end(&w);
	public_json(r, b);
	return 0;
}

static int openid_configuration(struct request *r)
{
	return discovery_doc(r, openid_doc);
}

static int smart_configuration(struct request *r)
{
	return discovery_doc(r, smart_doc);
}

static int jwks(struct request *r)
{
	char *json = auth_jwks_json(r->arena);
	if (!json) {
		struct err e = {.kind = ERR_INTERNAL, .log = "no OIDC signing key"};
		return oauth_store_error(r, &e);
	}
	struct buf *b = buf_new(r->arena, strlen(json) + 1);
	buf_puts(b, json);
	public_json(r, b);
	return 0;
}

const struct route auth_endpoint_routes[] = {
    {"POST", "/o/revoke_token/?", revoke, ROUTE_CORS_PUBLIC},
    {"POST", "/o/introspect/?", introspect, ROUTE_CORS_PUBLIC},
    {"GET", "/o/introspect/?", introspect, ROUTE_CORS_PUBLIC},
    {"GET", "/o/userinfo/?", userinfo, ROUTE_CORS_PUBLIC},
    {"POST", "/o/userinfo/?", userinfo, ROUTE_CORS_PUBLIC},
    {"GET", "/o/.well-known/openid-configuration/?", openid_configuration, ROUTE_CORS_PUBLIC},
    {"GET", "/FHIR/R5/.well-known/openid-configuration/?", openid_configuration, ROUTE_CORS_PUBLIC},
    {"GET", "/o/.well-known/jwks.json", jwks, ROUTE_CORS_PUBLIC},
    {"GET", "/FHIR/R5/.well-known/smart-configuration/?", smart_configuration, ROUTE_CORS_PUBLIC},
    {"GET", "/.well-known/smart-configuration/?", smart_configuration, ROUTE_CORS_PUBLIC},
    {NULL, NULL, NULL, 0},
};
