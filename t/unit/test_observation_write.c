/* Unit tests of authz_observation_write: a table of fact combinations -> the decision (outcome,
 * status, issue code, message), in the order of fhir.md §3.2 steps 5-13. */
#include "authz/authz.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Each row starts from VALID and overrides the facts it is about. */
#pragma GCC diagnostic ignored "-Woverride-init"

#define OMH "https://w3id.org/openmhealth"
#define HR "omh:heart-rate:2.0"
/* A patient user writing for its own record: a personal device, a known code the token admits,
 * consented, a valid payload, no identifiers. */
#define VALID                                                                                      \
	.patient = true, .patient_id = 40001, .patient_found = true, .patient_own = true,          \
	.device_id = 70001, .device_found = true, .device_personal = true, .ncoding = 1,           \
	.coding_system = OMH, .coding_code = HR, .code_found = true, .code_in_scope = true,        \
	.consented = true
/* A practitioner (not the patient) of an organization of the patient. */
#define STAFF VALID, .patient = false, .staff = true, .patient_own = false, .patient_managed = true

static const char *const no_scope = "The token's scopes do not permit create on Observation.";
static const char *const no_access = "Current user doesn't have access to the Patient.";
static const char *const not_consented =
    "Observation data with coding_system=" OMH " coding_code=" HR
    " has not been consented for any studies by this Patient.";

struct row {
	const char *name;
	struct authz_obs_facts f;
	enum authz_obs_outcome outcome;
	int status;
	const char *code; /* NULL: none */
	const char *msg;  /* NULL: none */
};

#define INSERT AUTHZ_OBS_INSERT, 0, NULL, NULL
#define REFUSE AUTHZ_OBS_REFUSE

static const struct row rows[] = {
    /* steps 5-6: the subject and the caller's access to it */
    {"own patient record", {VALID}, INSERT},
    {"patient not found",
     {VALID, .patient_found = false, .patient_own = false},
     REFUSE,
     400,
     "invalid",
     "Patient id=40001 can not be found."},
    {"practitioner of the patient's organization (manager or member)", {STAFF}, INSERT},
    {"superuser (manages every patient)", {STAFF, .staff = true}, INSERT},
    {"practitioner whose role does not manage the patient (viewer, other organization)",
     {STAFF, .patient_managed = false},
     REFUSE,
     403,
     "forbidden",
     no_access},
    {"patient user writing for another patient",
     {VALID, .patient_own = false},
     REFUSE,
     403,
     "forbidden",
     "The Subject Patient does not match the current user."},
    {"patient user writing for another patient it could manage (not staff)",
     {VALID, .patient_own = false, .patient_managed = true},
     REFUSE,
     403,
     "forbidden",
     "The Subject Patient does not match the current user."},
    {"caller neither patient nor staff",
     {VALID, .patient = false, .patient_own = false},
     REFUSE,
     403,
     "forbidden",
     "Current user is not a Patient."},
    {"patient/ scopes only, another patient",
     {STAFF, .self_only = true},
     REFUSE,
     403,
     "insufficient_scope",
     no_scope},
    {"patient/ scopes only, own record", {VALID, .self_only = true}, INSERT},
    {"patient not found wins over every later failure",
     {.patient_id = 5, .device_id = -1, .ident_empty = true, .ncoding = 2},
     REFUSE,
     400,
     "invalid",
     "Patient id=5 can not be found."},
    /* step 7: the device */
    {"device reference missing or not Device/<id>",
     {VALID, .device_id = -1, .device_found = false},
     REFUSE,
     400,
     "invalid",
     "Device is required and must be a reference to a Data Source ID and start with "
     "'Device/'"},
    {"device not found",
     {VALID, .device_found = false, .device_personal = false},
     REFUSE,
     400,
     "invalid",
     "Device Data Source id=70001 can not be found."},
    {"data source that is not a personal device",
     {VALID, .device_personal = false},
     REFUSE,
     400,
     "invalid",
     "Device Data Source id=70001 can not be found."},
    {"access is checked before the device",
     {STAFF, .patient_managed = false, .device_id = -1},
     REFUSE,
     403,
     "forbidden",
     no_access},
    /* step 8: identifiers and conditional create */
    {"identifier without value",
     {VALID, .ident_empty = true, .taken_system = "s", .taken_value = ""},
     REFUSE,
     400,
     "invalid",
     "Identifier value is required."},
    {"unusable If-None-Exist",
     {VALID, .ine = true, .ine_error = "Only identifier is supported in If-None-Exist."},
     REFUSE,
     400,
     "invalid",
     "Only identifier is supported in If-None-Exist."},
    {"identifier repeated in the resource",
     {VALID, .dup_system = "urn:s", .dup_value = "v1"},
     REFUSE,
     409,
     "duplicate",
     "Identifier already exists: system=urn:s value=v1"},
    {"identifier already stored or claimed",
     {VALID, .taken_system = "urn:s", .taken_value = "v2"},
     REFUSE,
     409,
     "duplicate",
     "Identifier already exists: system=urn:s value=v2"},
    {"If-None-Exist: no match, new identifier",
     {VALID, .ine = true, .ine_system = "urn:s", .ine_value = "v"},
     INSERT},
    {"If-None-Exist: one match of the same patient",
     {VALID, .ine = true, .ine_system = "urn:s", .ine_value = "v", .ine_matches = 1,
      .ine_match_patient = 40001, .taken_system = "urn:s", .taken_value = "v"},
     AUTHZ_OBS_MATCH,
     200,
     NULL,
     NULL},
    {"If-None-Exist: one match of another patient (the request's identifier is named)",
     {VALID, .ine = true, .ine_system = "", .ine_value = "v", .ine_matches = 1,
      .ine_match_patient = 40002},
     REFUSE,
     409,
     "duplicate",
     "Identifier already exists: system= value=v"},
    {"If-None-Exist: several matches",
     {VALID, .ine = true, .ine_value = "v", .ine_matches = 2, .ine_match_patient = 40001},
     REFUSE,
     412,
     "multiple-matches",
     "Multiple matches for If-None-Exist."},
    {"If-None-Exist: claimed by an earlier entry",
     {VALID, .ine = true, .ine_system = "urn:s", .ine_value = "v", .ine_claimed = true,
      .taken_system = "urn:s", .taken_value = "v"},
     AUTHZ_OBS_EARLIER,
     200,
     NULL,
     NULL},
    {"If-None-Exist: a stored match wins over an earlier entry's claim",
     {VALID, .ine = true, .ine_value = "v", .ine_matches = 1, .ine_match_patient = 40001,
      .ine_claimed = true},
     AUTHZ_OBS_MATCH,
     200,
     NULL,
     NULL},
    {"If-None-Exist match of the patient, but the caller has no access",
     {STAFF, .patient_managed = false, .ine = true, .ine_value = "v", .ine_matches = 1,
      .ine_match_patient = 40001},
     REFUSE,
     403,
     "forbidden",
     no_access},
    {"identifiers are checked before the code",
     {VALID, .taken_system = "urn:s", .taken_value = "v", .ncoding = 2, .code_found = false},
     REFUSE,
     409,
     "duplicate",
     "Identifier already exists: system=urn:s value=v"},
    /* steps 9-10: the code and the token's code scopes */
    {"two codings",
     {VALID, .ncoding = 2},
     REFUSE,
     400,
     "invalid",
     "Exactly one Code must be provided."},
    {"unknown code",
     {VALID, .code_found = false, .coding_code = "omh:nope:1.0"},
     REFUSE,
     400,
     "invalid",
     "Code not found: system=" OMH " code=omh:nope:1.0"},
    {"code outside the token's code scopes",
     {VALID, .code_in_scope = false},
     REFUSE,
     403,
     "insufficient_scope",
     no_scope},
    {"code outside the scopes and not consented: the scope fails first",
     {VALID, .code_in_scope = false, .consented = false},
     REFUSE,
     403,
     "insufficient_scope",
     no_scope},
    /* step 11: consent */
    {"consent absent (or withdrawn) for the code",
     {VALID, .consented = false},
     REFUSE,
     403,
     "forbidden",
     not_consented},
    {"practitioner writing an unconsented code",
     {STAFF, .consented = false},
     REFUSE,
     403,
     "forbidden",
     not_consented},
    {"superuser writing an unconsented code",
     {STAFF, .consented = false},
     REFUSE,
     403,
     "forbidden",
     not_consented},
    /* steps 12-13: the payload */
    {"payload not base64 JSON",
     {VALID, .payload_status = 400,
      .payload_msg = "valueAttachment.data must be Base 64 Encoded Binary JSON."},
     REFUSE,
     400,
     NULL,
     "valueAttachment.data must be Base 64 Encoded Binary JSON."},
    {"payload the schema refuses",
     {VALID, .payload_status = 422, .payload_msg = "bad"},
     REFUSE,
     422,
     NULL,
     "bad"},
    {"consent is checked before the payload",
     {VALID, .consented = false, .payload_status = 422, .payload_msg = "bad"},
     REFUSE,
     403,
     "forbidden",
     not_consented},
};

START_TEST(decision_table)
{
	const struct row *t = &rows[_i];
	struct arena *a = arena_new();
	struct authz_obs_decision d;
	memset(&d, 0xff, sizeof(d));
	authz_observation_write(a, &t->f, &d);
	ck_assert_msg(d.outcome == t->outcome, "%s: outcome %d, expected %d", t->name, d.outcome,
	              t->outcome);
	ck_assert_msg(d.status == t->status, "%s: status %d, expected %d", t->name, d.status,
	              t->status);
	ck_assert_msg(t->code ? d.code && !strcmp(d.code, t->code) : !d.code,
	              "%s: code %s, expected %s", t->name, d.code ? d.code : "(null)",
	              t->code ? t->code : "(null)");
	ck_assert_msg(t->msg ? d.msg && !strcmp(d.msg, t->msg) : !d.msg, "%s: msg %s, expected %s",
	              t->name, d.msg ? d.msg : "(null)", t->msg ? t->msg : "(null)");
	arena_free(a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("observation_write");
	TCase *tc = tcase_create("decisions");
	tcase_add_loop_test(tc, decision_table, 0, (int)(sizeof(rows) / sizeof(rows[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
