/*
 * auth: who the caller is. Bearer tokens (digest lookup), passwords, sessions, the OAuth/OIDC
 * endpoints, the login form, CSRF, throttling and invitation redemption. Decides identity only;
 * what the caller may do is authz's job.
 */
#ifndef JHE_AUTH_H
#define JHE_AUTH_H

#include "http/http.h"

struct evp_pkey_st; /* OpenSSL EVP_PKEY */

/* Authenticate "Authorization: Bearer <token>". 0: r->principal set. 1: no credentials sent.
 * -1: error in r->err (401 for an invalid token, 503 when the database is down). */
int auth_bearer(struct request *r);

/* Routes of the OAuth/OIDC endpoints, login pages and invitation redemption. */
extern const struct route *const auth_route_tables[];

/* POST /api/v1/invitation/{token} (admin-api.md §9.3): redeem a 32-character invitation token
 * for an authorization code. Writes the response (or sets r->err); handler convention. */
int auth_invitation_redeem(struct request *r, const char *token);

/* ---------- passwords (oauth.md §11) ---------- */
/* Argon2id hash of a password (libsodium, g_config limits) in arena; NULL on failure. */
char *auth_password_hash(struct arena *a, const char *password);
/* Verify a password against a stored hash (Argon2id; Django pbkdf2_sha256 as well). Passwords
 * longer than 1024 bytes never verify. */
bool auth_password_verify(const char *stored, const char *password);
/* True when a verified hash should be replaced (pbkdf2, or Argon2id with other parameters). */
bool auth_password_needs_rehash(const char *stored);
/* Django "pbkdf2_sha256$<iter>$<salt>$<b64 hash>" verification (iterations 1..10,000,000). */
bool auth_pbkdf2_verify(const char *stored, const char *password);
/* Policy for operator-set passwords: NULL when acceptable, else the reason. */
const char *auth_password_policy(const char *password);

/* ---------- PKCE (RFC 7636, S256 only) ---------- */
/* base64url_nopad(SHA-256(verifier)) into out (44 bytes incl. NUL). */
void auth_pkce_s256(const char *verifier, char out[44]);
/* 43-128 characters of A-Z a-z 0-9 - . _ ~ */
bool auth_pkce_verifier_valid(const char *v);
/* Constant-time comparison of S256(verifier) with challenge. */
bool auth_pkce_check(const char *verifier, const char *challenge);

/* ---------- redirect URIs and local paths ---------- */
/* A redirect URI as oauth.md §2.1 allows it: https for any host, http only for exactly localhost,
 * 127.0.0.1 or [::1] (optional port); no userinfo, fragment, whitespace, control characters,
 * backslashes or non-ASCII bytes. */
bool auth_redirect_uri_valid(const char *u);
/* Exact match, except the port of a registered http loopback URI (oauth.md §2.1); both URIs
 * must be valid. */
bool auth_redirect_uri_matches(const char *registered, const char *requested);
/* A path on this site: starts with "/", not "//" or "/\", no scheme, no control characters. */
bool auth_local_path(const char *next);

/* ---------- CSRF (oauth.md §4.4) ---------- */
/* base64url(HMAC-SHA-256(key, "csrf:" + cookie)) (43 characters). */
char *auth_csrf_token(struct arena *a, const unsigned char *key, size_t keylen, const char *cookie);

/* ---------- JWT / JWK (oauth.md §3.2, §6) ---------- */
/* base64url n and e of an RSA key (n without leading zero bytes). 0 ok. */
int auth_rsa_jwk(struct arena *a, struct evp_pkey_st *key, char **n, char **e);
/* RFC 7638 thumbprint of an RSA JWK. */
char *auth_jwk_thumbprint(struct arena *a, const char *n, const char *e);
/* Compact RS256 JWS of payload_json with header {"alg":"RS256","kid":kid,"typ":"JWT"}. */
char *auth_jwt_sign(struct arena *a, struct evp_pkey_st *key, const char *kid,
                    const char *payload_json);
/* Verify an RS256 compact JWS; returns the decoded payload or NULL. */
char *auth_jwt_verify(struct arena *a, struct evp_pkey_st *key, const char *jwt);
/* The current signing key and its kid (loaded once from g_config.oidc_key_file); NULL if missing.
 */
struct evp_pkey_st *auth_signing_key(const char **kid);
/* Forget the loaded signing key: the next auth_signing_key() reads the file again (reload). */
void auth_keys_reset(void);
/* {"keys":[...]} of the signing key and JHE_OIDC_EXTRA_KEY_FILES; NULL if the key is missing. */
char *auth_jwks_json(struct arena *a);

/* ---------- misc ---------- */
/* n characters from [A-Za-z0-9], unbiased (libsodium CSPRNG); out gets n+1 bytes. */
void auth_random_alnum(char *out, size_t n);
/* Random UUID v4 string (37 bytes). */
void auth_uuid4(char out[37]);
/* Percent-encode so that only A-Z a-z 0-9 _ . - ~ stay literal. */
char *auth_pct_encode(struct arena *a, const char *s);

#endif
