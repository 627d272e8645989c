/* store: observations of the Admin API (store/observations.c, admin-api.md §11). */
#ifndef JHE_STORE_OBSERVATIONS_H
#define JHE_STORE_OBSERVATIONS_H

#include "store/patients.h"

struct observation_filter {
	int64_t organization_id, study_id, patient_id, observation_id; /* 0 = absent */
};
int store_observations_page(struct arena *a, int64_t user_id, const struct observation_filter *f,
                            int64_t limit, int64_t offset, struct phi_page *out, struct err *e);
struct observation_facts {
	bool exists, visible, manages;
	int64_t patient_id;
};
int store_observation_facts(struct arena *a, int64_t user_id, int64_t observation_id,
                            struct observation_facts *out, struct err *e);
char *store_observation_json(struct arena *a, int64_t observation_id, struct err *e);
int store_observation_delete(struct arena *a, int64_t observation_id, struct err *e);

#endif
