/* Internal helpers of the auth layer (not used outside src/auth). */
#ifndef JHE_AUTH_INT_H
#define JHE_AUTH_INT_H

#include "auth/auth.h"
#include "authz/authz.h"
#include "store/store.h"

/* The errors of the auth endpoints set r->err and return -1 (handlers: `return oauth_fail(...)`);
 * resp_error writes them. */
/* An HTML error page titled "Error | <site title>": <h1>status text</h1><p>message</p>. Rolls
 * back an open transaction first (the title is a setting). */
int auth_html_fail(struct request *r, int status, const char *message);
/* An OAuth JSON error (RFC 6749 §5.2; desc NULL: no error_description) with no-store headers. */
int oauth_fail(struct request *r, int status, const char *code, const char *desc);
/* The form of an OAuth endpoint's POST; -1 (400 invalid_request) when the body is not one. */
int oauth_form(struct request *r, struct kvlist *form);
/* The non-empty value of a form parameter; NULL with 400 invalid_request "<name> is required."
 * in r->err. */
const char *oauth_required(struct request *r, const struct kvlist *form, const char *name);
/* A store error on an OAuth endpoint: 500 server_error (503 when the database is down). */
int oauth_store_error(struct request *r, const struct err *e);

/* Audit row of an authentication event (data-model.md §7). 0 ok, -1 failed (logged). */
int auth_audit(struct request *r, const char *action, int64_t user_id, const char *client_id,
               const char *resource_type, const char *resource_id, int64_t patient_id, int outcome,
               const char *detail);

/* A cookie of the request (NULL when absent). */
const char *auth_cookie(struct request *r, const char *name);
/* "; Secure" when the public origin is https, else "". */
const char *auth_cookie_secure(struct request *r);
/* The form fields of an x-www-form-urlencoded body; false when the body is not a form. */
bool auth_form(struct request *r, struct kvlist *form);
/* A setting with a fallback. */
const char *auth_setting(struct request *r, const char *key, const char *def);

/* Client authentication of oauth.md §2.2 on the token, revocation and introspection endpoints.
 * 0: *out is the authenticated client. -1: the error is in r->err. */
int auth_client_authenticate(struct request *r, struct kvlist *form, struct auth_client *out);

/* The fhirUser claim (oauth.md §6): the user's Patient URL for a patient user, else the
 * Practitioner URL; NULL when the user is neither. */
const char *auth_fhir_user(struct request *r, bool patient_user, int64_t patient_id,
                           int64_t practitioner_id);
/* The digest of the sessionid cookie; false when there is none (or it is too long to be one). */
bool auth_session_digest(struct request *r, unsigned char d[32]);
/* s is exactly len characters of the base64url alphabet (NULL: false). */
bool auth_b64url_token(const char *s, size_t len);
/* A new authorization code (random, stored as its digest): the code, or NULL with e set. */
char *auth_code_issue(struct request *r, const struct auth_code_new *nc, char **expires,
                      struct err *e);
/* The issuer: <origin>/o */
char *auth_issuer(struct request *r);
/* Is the user a "patient user" (authz_role: patient row, no practitioner row, not superuser)? */
bool auth_is_patient_user(const struct auth_user *u);

#endif
