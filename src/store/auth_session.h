/* store: browser sessions and the login throttle (store/auth_session.c). */
#ifndef JHE_STORE_AUTH_SESSION_H
#define JHE_STORE_AUTH_SESSION_H

#include "store/db.h"

int store_session_create(struct arena *a, const unsigned char digest[32], int64_t user_id,
                         long lifetime, const char *addr, const char *user_agent, struct err *e);
struct auth_session {
	int64_t user_id;
	int64_t auth_time; /* epoch seconds */
	int64_t remaining; /* seconds until expiry */
};
/* 0 valid (user active, not expired); 1 none; -1 error. */
int store_session_get(struct arena *a, const unsigned char digest[32], struct auth_session *out,
                      struct err *e);
/* Delete a session; *user_id receives its user (0 when none). */
int store_session_delete(struct arena *a, const unsigned char digest[32], int64_t *user_id,
                         struct err *e);

/* Login throttle (login_throttle): seconds to wait before the next attempt (0: none). */
int store_throttle_wait(struct arena *a, const char *key, long free_failures, long *wait,
                        struct err *e);
int store_throttle_fail(struct arena *a, const char *key, struct err *e);
int store_throttle_clear(struct arena *a, const char *key, struct err *e);

#endif
