/* store: study enrolments (store/study_patients.c, admin-api.md §10). */
#ifndef JHE_STORE_STUDY_PATIENTS_H
#define JHE_STORE_STUDY_PATIENTS_H

#include "store/patients.h"

struct study_facts {
	bool exists, data_readable, can_manage, is_superuser;
	int64_t org_id;
};
int store_study_facts(struct arena *a, int64_t user_id, int64_t study_id, struct study_facts *out,
                      struct err *e);
int store_study_patients_page(struct arena *a, int64_t study_id, int64_t limit, int64_t offset,
                              struct phi_page *out, struct err *e);
struct enrol_check {
	int64_t patient_id;
	bool exists, in_org;
	int64_t study_patient_id; /* 0 when not enrolled */
};
int store_enrol_check(struct arena *a, int64_t study_id, int64_t org_id, const char *ids_json,
                      struct enrol_check *out, int n, struct err *e);
int64_t store_enrol(struct arena *a, int64_t study_id, int64_t patient_id, struct err *e);
int64_t store_unenrol(struct arena *a, int64_t study_id, int64_t patient_id, struct err *e);
char *store_study_patient_rows_json(struct arena *a, const char *ids_json, struct err *e);

#endif
