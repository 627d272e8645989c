/* store: consents (store/consents.c, admin-api.md §8). */
#ifndef JHE_STORE_CONSENTS_H
#define JHE_STORE_CONSENTS_H

#include "store/db.h"

char *store_consents_json(struct arena *a, int64_t patient_id, int64_t user_id, bool all_studies,
                          struct err *e);
struct consent_study_access {
	bool exists;
	int64_t org_id;
	const char *role; /* caller's role in the study's organization, NULL when none */
	bool patient_in_org;
};
int store_consent_study_access(struct arena *a, int64_t user_id, int64_t patient_id,
                               const char *study_ids_json, struct consent_study_access *out, int n,
                               struct err *e);
struct consent_item {
	int64_t study_id;
	const char *system, *code;
	bool consented, has_consented;
	/* filled by store_consent_lookup (0 = none) */
	int64_t study_patient_id, code_id, consent_id;
	bool requested, old_consented;
};
int store_consent_lookup(struct arena *a, int64_t patient_id, struct consent_item *items, int n,
                         struct err *e);
/* op 'c' insert, 'u' update, 'd' delete; returns the row id. */
int64_t store_consent_write(struct arena *a, char op, const struct consent_item *it, struct err *e);
/* {"studyScopeConsents":[...]} for consent ids (JSON array, in that order). */
char *store_consent_rows_json(struct arena *a, const char *ids_json, struct err *e);
struct consent_deleted {
	int64_t id, study_id;
	const char *code; /* "system|code" */
	bool old;
};
/* Delete every consent row of the patient; returns the number (rows in *out) or -1. */
int store_consents_reset(struct arena *a, int64_t patient_id, struct consent_deleted **out,
                         struct err *e);

#endif
