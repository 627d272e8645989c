/* store: studies and their links (scope requests, clients, data sources) (store/studies.c). */
#ifndef JHE_STORE_STUDIES_H
#define JHE_STORE_STUDIES_H

#include "store/db.h"

struct study_info {
	bool exists;
	bool readable; /* study_readable */
	int64_t organization_id;
};
int store_study_info(struct arena *a, int64_t user_id, int64_t id, struct study_info *out,
                     struct err *e);
/* org_id NULL: all readable studies. */
char *store_study_list(struct arena *a, int64_t user_id, const int64_t *org_id, int64_t offset,
                       int64_t limit, int64_t *count, struct err *e);
char *store_study_json(struct arena *a, int64_t id, bool write_shape, struct err *e);
int store_study_create(struct arena *a, const char *name, const char *description, int64_t org,
                       const char *icon_url, bool icon_set, int64_t *id, struct err *e);
int store_study_update(struct arena *a, int64_t id, const char *name, const char *description,
                       const char *icon_url, bool icon_set, struct err *e);
int store_study_delete(struct arena *a, int64_t id, struct err *e);
/* kind: "scope_requests", "clients", "data_sources" */
char *store_study_links(struct arena *a, int64_t study_id, const char *kind, struct err *e);
/* Adds a link; 1 when it already exists. new_id receives the row id. */
int store_study_link_add(struct arena *a, int64_t study_id, const char *kind, int64_t ref,
                         int64_t *new_id, struct err *e);
int store_study_link_remove(struct arena *a, int64_t study_id, const char *kind, int64_t ref,
                            struct err *e);
char *store_scope_request_json(struct arena *a, int64_t id, struct err *e);
/* "system|code" of a codeable concept, NULL when missing. */
const char *store_scope_label(struct arena *a, int64_t id, struct err *e);
/* Is the application a patient client? 1/0/-1 */
int store_app_is_patient_client(struct arena *a, int64_t app_id, struct err *e);

#endif
