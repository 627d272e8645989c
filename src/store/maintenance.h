/* store: operator maintenance for jhe-admin (store/maintenance.c). */
#ifndef JHE_STORE_MAINTENANCE_H
#define JHE_STORE_MAINTENANCE_H

#include "store/db.h"

/* Delete expired codes, tokens, families, sessions and stale throttle rows in one transaction;
 * counts[] receives the rows deleted per kind in that order. */
int store_cleanup_expired(struct arena *a, long window_seconds, long counts[5], struct err *e);
/* Add a scope (codeable_concept); returns its id, -1 with e set (ERR_CONFLICT when it exists). */
int64_t store_scope_add(struct arena *a, const char *system, const char *code, const char *text,
                        struct err *e);
/* (De)activate a user by email; deactivation revokes its token families (families receives how
 * many) and sessions. 0 done, 1 no such user, -1 error. */
int store_user_set_active(struct arena *a, const char *email, bool active, long *families,
                          struct err *e);

#endif
