/*
 * Who may write an Observation (fhir.md §3.2 steps 5-13): the subject patient and the caller's
 * access to it, the device, the identifiers (conditional create), the code, the token's code
 * scopes, the patient's consent and the payload, in the spec's order. Pure: the facts come from
 * the caller (fhir/create.c fetches them with one statement for a whole Bundle).
 */
#include "authz/authz.h"

static const char *const no_scope = "The token's scopes do not permit create on Observation.";

static bool refuse(struct authz_obs_decision *d, int status, const char *code, const char *msg)
{
	*d = (struct authz_obs_decision){AUTHZ_OBS_REFUSE, status, code, msg};
	return true;
}

static bool outcome(struct authz_obs_decision *d, enum authz_obs_outcome o, int status)
{
	*d = (struct authz_obs_decision){o, status, NULL, NULL};
	return true;
}

static bool duplicate(struct arena *a, struct authz_obs_decision *d, const char *sys,
                      const char *val)
{
	return refuse(d, 409, "duplicate",
	              arena_printf(a, "Identifier already exists: system=%s value=%s", sys, val));
}

/* Steps 5-7: the subject exists, the caller may write for it, the device is a personal device. */
static bool subject_and_device(struct arena *a, const struct authz_obs_facts *f,
                               struct authz_obs_decision *d)
{
	if (!f->patient_found)
		return refuse(
		    d, 400, "invalid",
		    arena_printf(a, "Patient id=%lld can not be found.", (long long)f->patient_id));
	if (!f->patient_own) {
		if (f->self_only)
			return refuse(d, 403, "insufficient_scope", no_scope);
		if (!f->staff || !f->patient_managed)
			return refuse(d, 403, "forbidden",
			              f->staff ? "Current user doesn't have access to the Patient."
			              : f->patient
			                  ? "The Subject Patient does not match the current user."
			                  : "Current user is not a Patient.");
	}
	if (f->device_id <= 0)
		return refuse(d, 400, "invalid",
		              "Device is required and must be a reference to a Data Source ID and "
		              "start with 'Device/'");
	if (!f->device_found || !f->device_personal)
		return refuse(d, 400, "invalid",
		              arena_printf(a, "Device Data Source id=%lld can not be found.",
		                           (long long)f->device_id));
	return false;
}

/* Step 8: identifier values, If-None-Exist, and identifiers already taken. */
static bool identifiers(struct arena *a, const struct authz_obs_facts *f,
                        struct authz_obs_decision *d)
{
	if (f->ident_empty)
		return refuse(d, 400, "invalid", "Identifier value is required.");
	if (f->ine_error)
		return refuse(d, 400, "invalid", f->ine_error);
	if (f->dup_system)
		return duplicate(a, d, f->dup_system, f->dup_value);
	if (f->ine) {
		if (f->ine_matches > 1)
			return refuse(d, 412, "multiple-matches",
			              "Multiple matches for If-None-Exist.");
		if (f->ine_matches == 1) {
			if (f->ine_match_patient == f->patient_id)
				return outcome(d, AUTHZ_OBS_MATCH, 200);
			/* the request's own identifier, never the stored row's system */
			return duplicate(a, d, f->ine_system, f->ine_value);
		}
		if (f->ine_claimed) /* resolved after the earlier entry's insert */
			return outcome(d, AUTHZ_OBS_EARLIER, 200);
	}
	if (f->taken_system)
		return duplicate(a, d, f->taken_system, f->taken_value);
	return false;
}

/* Steps 9-13: one known code the token's scopes admit, the patient's consent, the payload. */
static bool code_and_payload(struct arena *a, const struct authz_obs_facts *f,
                             struct authz_obs_decision *d)
{
	if (f->ncoding != 1)
		return refuse(d, 400, "invalid", "Exactly one Code must be provided.");
	if (!f->code_found)
		return refuse(d, 400, "invalid",
		              arena_printf(a, "Code not found: system=%s code=%s", f->coding_system,
		                           f->coding_code));
	if (!f->code_in_scope)
		return refuse(d, 403, "insufficient_scope", no_scope);
	if (!f->consented)
		return refuse(
		    d, 403, "forbidden",
		    arena_printf(a,
		                 "Observation data with coding_system=%s coding_code=%s has "
		                 "not been consented for any studies by this Patient.",
		                 f->coding_system, f->coding_code));
	if (f->payload_status)
		return refuse(d, f->payload_status, NULL, f->payload_msg);
	return false;
}

void authz_observation_write(struct arena *a, const struct authz_obs_facts *f,
                             struct authz_obs_decision *d)
{
	if (subject_and_device(a, f, d) || identifiers(a, f, d) || code_and_payload(a, f, d))
		return;
	outcome(d, AUTHZ_OBS_INSERT, 0);
}
