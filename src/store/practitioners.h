/* store: practitioners and their sticky settings (store/practitioners.c). */
#ifndef JHE_STORE_PRACTITIONERS_H
#define JHE_STORE_PRACTITIONERS_H

#include "store/db.h"

/* Practitioner row for a user with the given names (NULL: copied from the user). */
int store_practitioner_create(struct arena *a, int64_t user_id, const char *name_family,
                              const char *name_given, int64_t *id, struct err *e);
char *store_practitioner_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                              struct err *e);
char *store_practitioner_json(struct arena *a, int64_t id, struct err *e);
/* Returns 1 when the practitioner does not exist. NULL names keep the value. */
int store_practitioner_update(struct arena *a, int64_t id, const char *name_family,
                              const char *name_given, struct err *e);
/* Delete the row, then its user when it has no patient row and is not a superuser.
 * 1 when not found. */
int store_practitioner_delete(struct arena *a, int64_t id, struct err *e);
/* Sticky settings (admin-api.md §17) of the user's practitioner row (no-op without one):
 * org_id > = 0 sets current_organization_id; study_id >= 0 sets current_study_id,
 * study_id == -2 removes it, -1 keeps it. Runs in its own statement (autocommit). */
int store_practitioner_sticky(struct arena *a, int64_t user_id, int64_t org_id, int64_t study_id,
                              struct err *e);

#endif
