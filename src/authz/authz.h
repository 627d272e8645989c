/*
 * authz: who may do what, as pure functions over plain facts (the principal, a scope string, a
 * role's ids); no database and no request I/O. The callers fetch the facts and write the 403.
 *   scopes.c  OAuth scope lists, the one SMART scope parser, the grant at /o/authorize and
 *             /o/token, the evaluation of a token's SMART scopes per FHIR interaction
 *   roles.c   the roles of a user: patient user, staff (practitioner or superuser), superuser
 */
#ifndef JHE_AUTHZ_H
#define JHE_AUTHZ_H

#include "http/http.h"
#include "store/store.h" /* struct fhir_tok (the scope codes are query values) */

/* ---------- OAuth scope lists (scopes.c) ---------- */

/* scope is one of the space-separated scopes (or words) of scopes. */
bool authz_scope_has(const char *scopes, const char *scope);
/* Every scope of sub is in super. */
bool authz_scope_subset(const char *sub, const char *super);
enum scope_grant { SCOPE_GRANT_CODE, SCOPE_GRANT_CLIENT_CREDENTIALS };
/* Requested scope string -> granted scope string (oauth.md §9: recognised scopes,
 * de-duplicated, request order; no-effect scopes dropped; launch/patient only for patient users;
 * system/ scopes only for client credentials, patient/ scopes never for them). 0 ok; -1
 * invalid_scope with *bad naming the offending scope. NULL/empty request gives "openid email". */
int authz_scope_grant(struct arena *a, const char *requested, enum scope_grant g, bool patient_user,
                      char **granted, const char **bad);

/* ---------- SMART resource scopes (scopes.c) ---------- */

enum { SMART_C = 1, SMART_R = 2, SMART_U = 4, SMART_D = 8, SMART_S = 16 };
#define SMART_MAX_CODES 8
struct smart_scope {
	char context;     /* 'p'atient, 'u'ser, 's'ystem */
	const char *type; /* "Observation", ..., "*" */
	unsigned perms;   /* SMART_* bits */
	int n_codes;
	struct fhir_tok codes[SMART_MAX_CODES]; /* ?code=<system>|<code> (Observation and * only) */
};
/* Parse one SMART resource scope (scope[0..n)): context/Type.perms[?code=s|c&...], perms v1
 * read|write|* or v2 letters of "cruds" in that order. 0 ok; -1 not a valid SMART scope. */
int authz_smart_parse(struct arena *a, const char *scope, size_t n, struct smart_scope *out);
/* True when the token carries SMART resource scopes (patient/..., user/..., system/...),
 * which limit the Admin API to GET /users/profile (admin-api.md §1). */
bool authz_token_has_smart_scopes(const struct principal *p);

/* The code systems of Open mHealth data: a scope's code under either admits both. */
#define FHIR_SYS_OMH "https://w3id.org/openmhealth"
#define FHIR_SYS_IEEE "https://w3id.org/ieee1752"

/* What a token's SMART scopes grant for one FHIR interaction (fhir.md §9). */
struct fhir_grant {
	bool allowed;   /* the interaction is permitted */
	bool self_only; /* only patient/ scopes cover it: the caller's patient compartment */
	int ncodes;     /* > 0: code restriction on Observations */
	struct fhir_tok *codes;
};
/* Evaluate p's SMART resource scopes for (type name, letter 'c'|'r'|'u'|'d'|'s'). A token
 * without resource scopes (or no token) allows everything; a patient/ scope counts only for a
 * patient user (p->patient_id). */
void authz_fhir_grant(struct arena *a, const struct principal *p, const char *type, char letter,
                      struct fhir_grant *g);
/* Does the grant's code restriction admit (system, code)? */
bool fhir_grant_code_ok(const struct fhir_grant *g, const char *system, const char *code);

/* ---------- roles (roles.c) ---------- */

enum authz_role { ROLE_NONE, ROLE_PATIENT, ROLE_PRACTITIONER, ROLE_SUPERUSER };
/* The role of a user from its facts: superuser over practitioner over patient. */
enum authz_role authz_role(int64_t patient_id, int64_t practitioner_id, bool is_superuser);
/* A patient user: a patient acting on its own compartment, neither practitioner nor superuser. */
bool authz_patient_user(const struct principal *p);
/* Staff: a practitioner or a superuser (the Admin API's "practitioner users"). */
bool authz_staff(const struct principal *p);
bool authz_superuser(const struct principal *p);

#endif
