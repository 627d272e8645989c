/* store: users, the profile document and the Admin API users (store/users.c). */
#ifndef JHE_STORE_USERS_H
#define JHE_STORE_USERS_H

#include "store/db.h"

/* JSON of GET /api/v1/users/profile for the principal's user (admin-api.md §4.1). */
char *store_user_profile_json(struct arena *a, int64_t user_id, struct err *e);

struct user_info {
	int64_t id;
	bool is_superuser;
	int64_t practitioner_id; /* 0 none */
	int64_t patient_id;      /* 0 none */
	const char *user_type;   /* NULL none */
	const char *email;
};
/* By id (email NULL) or by email (case-insensitive). 0 found, 1 not found, -1 error. */
int store_user_info(struct arena *a, int64_t id, const char *email, struct user_info *out,
                    struct err *e);
char *store_user_list(struct arena *a, const char *email, int64_t offset, int64_t limit,
                      int64_t *count, struct err *e);
char *store_user_json(struct arena *a, int64_t user_id, struct err *e);
char *store_user_search_json(struct arena *a, const char *email, struct err *e);
/* Email in use by another user than exclude_id (0 = none)? 1/0/-1. */
int store_email_taken(struct arena *a, const char *email, int64_t exclude_id, struct err *e);
int store_user_create(struct arena *a, const char *email, const char *first, const char *last,
                      const char *user_type, bool is_superuser, int64_t *id, struct err *e);
/* NULL keeps a value; is_superuser -1 keeps it. */
int store_user_update(struct arena *a, int64_t id, const char *email, const char *first,
                      const char *last, int is_superuser, struct err *e);
int store_user_delete(struct arena *a, int64_t id, struct err *e);
int store_superuser_count(struct arena *a, int64_t *n, struct err *e);
/* Patient row for a user (names copied from the user, no birth date). */
int store_patient_create_for_user(struct arena *a, int64_t user_id, struct err *e);

#endif
