/*
 * auth: who the caller is. Bearer tokens (digest lookup), and (issue 3) passwords, sessions,
 * OAuth/OIDC endpoints, login form, CSRF, throttling and invitations. Decides identity only;
 * what the caller may do is authz's job.
 */
#ifndef JHE_AUTH_H
#define JHE_AUTH_H

#include "http/http.h"

/* Authenticate "Authorization: Bearer <token>". 0: r->principal set. 1: no credentials sent.
 * -1: error in r->err (401 for an invalid token, 503 when the database is down). */
int auth_bearer(struct request *r);

/* Routes of the OAuth/OIDC endpoints, login pages and invitation redemption. */
extern const struct route *const auth_route_tables[];

/* Argon2id hash of a password (libsodium, g_config limits) in arena; NULL on failure. */
char *auth_password_hash(struct arena *a, const char *password);
/* Verify a password against a stored hash (Argon2id; Django pbkdf2_sha256 as well). */
bool auth_password_verify(const char *stored, const char *password);

#endif
