/*
 * authz: who may do what, as pure functions over plain facts (the principal, a scope string, a
 * role's ids); no database and no request I/O. The callers fetch the facts and write the 403.
 *   scopes.c  OAuth scope lists, the one SMART scope parser, the grant at /o/authorize and
 *             /o/token, the evaluation of a token's SMART scopes per FHIR interaction
 *   roles.c   the roles of a user: patient user, staff (practitioner or superuser), superuser
 *   observation_write.c  who may write an Observation (subject, device, identifiers, code,
 *             scopes, consent), from the facts of one lookup
 */
#ifndef JHE_AUTHZ_H
#define JHE_AUTHZ_H

#include "http/http.h"
#include "store/fhir.h" /* struct fhir_tok (the scope codes are query values) */

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
/* s is one of those two systems. */
bool authz_omh_system(const char *s);

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

/* ---------- Observation write (observation_write.c) ---------- */

/* The facts of one Observation create, steps 5-13 of fhir.md §3.2 (the caller computes them from
 * the request and one lookup statement). */
struct authz_obs_facts {
	/* the caller and its token */
	bool staff;         /* a practitioner or a superuser */
	bool patient;       /* the caller is a patient user (has a patient record) */
	bool self_only;     /* only patient/ scopes permit the create: own compartment only */
	bool code_in_scope; /* the token's scopes admit the Observation's code */
	/* steps 5-6: the subject */
	int64_t patient_id;
	bool patient_found;
	bool patient_own;     /* the caller's own patient record */
	bool patient_managed; /* a patient of the caller's organizations */
	/* step 7: the device */
	int64_t device_id; /* <= 0: not a Device/<id> reference */
	bool device_found;
	bool device_personal; /* a data source of type personal_device */
	/* step 8: identifiers */
	bool ident_empty;                   /* an identifier without value */
	const char *ine_error;              /* If-None-Exist unusable (the message) */
	const char *dup_system, *dup_value; /* a pair repeated in the resource; NULL = none */
	bool ine;                           /* a conditional create (If-None-Exist) */
	const char *ine_system, *ine_value; /* the resource's identifier it names */
	int ine_matches;                    /* stored observations the caller can read with it */
	int64_t ine_match_patient;          /* the subject of the one match */
	bool ine_claimed;                   /* an earlier entry of the Bundle claims it */
	const char *taken_system, *taken_value; /* the first identifier already stored or claimed
	                                           by an earlier entry; NULL = none */
	/* steps 9-11: the code */
	int ncoding;
	const char *coding_system, *coding_code; /* the first coding */
	bool code_found;                         /* an Open mHealth / IEEE 1752 code we know */
	bool consented; /* the patient consented the code for at least one study */
	/* steps 12-13: the payload (0 = valid) */
	int payload_status;
	const char *payload_msg;
};
enum authz_obs_outcome {
	AUTHZ_OBS_INSERT,  /* create the Observation */
	AUTHZ_OBS_MATCH,   /* conditional create: the one stored match is the answer (200) */
	AUTHZ_OBS_EARLIER, /* conditional create: the earlier entry's result is the answer */
	AUTHZ_OBS_REFUSE,  /* status, code (NULL: the status's issue code) and msg */
};
struct authz_obs_decision {
	enum authz_obs_outcome outcome;
	int status;
	const char *code;
	const char *msg;
};
/* The outcome of one Observation create: the first failing check in the spec's order wins.
 * Messages are allocated in a. */
void authz_observation_write(struct arena *a, const struct authz_obs_facts *f,
                             struct authz_obs_decision *d);

#endif
