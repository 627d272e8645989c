/* store: patients, the page shape of the patient-data lists, the sticky selection
 * (store/patients.c). */
#ifndef JHE_STORE_PATIENTS_H
#define JHE_STORE_PATIENTS_H

#include "store/db.h"

/* One page of a list: total count, the results (JSON array), the patient ids of the page
 * (JSON array, for the audit detail), the only patient of the page (0 when none or several)
 * and the number of rows on the page. */
struct phi_page {
	int64_t count;
	const char *results;
	const char *patient_ids;
	int64_t single_patient;
	int rows;
};
/* Sticky selection (admin-api.md §17): org saved when non-zero, study saved when non-zero and
 * removed when zero and remove_study. No-op for users without a practitioner row. */
int store_sticky_selection(struct arena *a, int64_t user_id, int64_t org_id, int64_t study_id,
                           bool remove_study, struct err *e);

struct patient_filter {
	int64_t organization_id, study_id, patient_id; /* 0 = absent */
	const char *identifier_value;                  /* NULL = absent */
};
int store_patients_page(struct arena *a, int64_t user_id, const struct patient_filter *f,
                        int64_t limit, int64_t offset, struct phi_page *out, struct err *e);
/* Facts for the checks of one patient (and one organization, 0 when none). */
struct patient_facts {
	bool exists, visible, self, shares, is_practitioner;
	bool in_org;         /* the patient belongs to the organization */
	bool can_manage_org; /* jhe_can(caller, patient.manage_for_organization, org) */
	bool org_exists;
	int64_t user_id; /* the patient's user */
	/* the patient's user has logged in or obtained a token (jhe_patient_signed_in): staff
	 * may no longer record consent for them */
	bool signed_in;
	/* the caller may add the patient to another organization (jhe_may_extend_patient_orgs) */
	bool may_extend_orgs;
};
int store_patient_facts(struct arena *a, int64_t user_id, int64_t patient_id, int64_t org_id,
                        struct patient_facts *out, struct err *e);
/* Patient JSON (admin-api.md §3); NULL with ERR_NOT_FOUND for an unknown id. */
char *store_patient_json(struct arena *a, int64_t patient_id, struct err *e);
struct patient_input {
	const char *email; /* create only */
	const char *name_family, *name_given, *birth_date, *telecom_phone;
	bool has_name_family, has_name_given, has_birth_date, has_telecom_phone;
	const char *identifiers; /* JSON array [{"system","value"}], NULL when absent */
};
/* "system|value" of the first identifier (JSON array, body order) owned by a patient other
 * than exclude_patient; "" when none; NULL on a database error. */
const char *store_identifier_in_use(struct arena *a, const char *identifiers_json,
                                    int64_t exclude_patient, struct err *e);
/* SQL: the user row u is a practitioner or a superuser ("staff"). Such a user never gets a
 * patient row through the API, and invitations (which yield tokens for the whole account
 * without a password) are neither issued to nor redeemed for it. */
#define STORE_SQL_USER_IS_STAFF(u)                                                                 \
	"(" u ".is_superuser OR EXISTS (SELECT 1 FROM practitioner pr_s"                           \
	" WHERE pr_s.jhe_user_id = " u ".id))"
/* SQL: the token family f of user u may be used: a family obtained through an invitation
 * belongs to a patient app and ends when the user becomes a practitioner or a superuser. */
#define STORE_SQL_FAMILY_FITS_USER(f, u)                                                           \
	"NOT (" f ".origin = 'invitation' AND " STORE_SQL_USER_IS_STAFF(u) ")"
#define STORE_MSG_STAFF_INVITATION                                                                 \
	"Invitations are only for patient-only accounts; this patient's user is a practitioner "   \
	"or superuser."
/* In the caller's transaction. Create: reuses the user with that email or creates one;
 * ERR_CONFLICT (message of §7.2) when that user already has a patient row; ERR_BAD_REQUEST
 * with the field error {"telecomEmail": [STORE_MSG_STAFF_EMAIL]} when that user is a
 * practitioner or a superuser (doc/admin-api-notes.md, patient accounts). */
#define STORE_MSG_STAFF_EMAIL                                                                      \
	"This email belongs to a practitioner or superuser account; patients can only be "         \
	"created for new or patient-only accounts."
int64_t store_patient_create(struct arena *a, const struct patient_input *in, int64_t org_id,
                             struct err *e);
int store_patient_update(struct arena *a, int64_t patient_id, const struct patient_input *in,
                         struct err *e);
/* §7.4 steps 2-3; *deleted tells whether the patient (and maybe its user) was deleted. */
int store_patient_remove_org(struct arena *a, int64_t patient_id, int64_t org_id, bool *deleted,
                             struct err *e);
int store_patient_add_org(struct arena *a, int64_t patient_id, int64_t org_id, struct err *e);
/* Bare array [Patient] of the patient whose user has that email (case-insensitive). */
char *store_patient_lookup_email(struct arena *a, const char *email, int64_t *patient_id,
                                 struct err *e);
/* 1 when superuser or some membership role grants patient.manage_for_organization. */
int store_user_manages_patients_somewhere(struct arena *a, int64_t user_id, struct err *e);
char *store_patient_consolidated_clients(struct arena *a, int64_t patient_id, struct err *e);

#endif
