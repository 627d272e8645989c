/* store: invitations and practitioner API keys (store/auth_invitations.c). */
#ifndef JHE_STORE_AUTH_INVITATIONS_H
#define JHE_STORE_AUTH_INVITATIONS_H

#include "store/db.h"

/* Invitations (admin-api.md §9) */
struct inv_create_in {
	int64_t caller_user_id, patient_id, application_id;
	const char *token_hash;
};
struct inv_create_out {
	int64_t id, patient_id, application_id;
	const char *status, *last_updated, *invitation_url, *site_url;
};
/* The checks of §9.1 steps 2-6 (e set with the documented status and message), then the
 * effects (reissue + insert) in the open transaction. */
int store_invitation_create(struct arena *a, const struct inv_create_in *in,
                            struct inv_create_out *out, struct err *e);
/* Paged list for the caller (superuser: all; else patients it manages). status may be NULL,
 * patient_id 0 = any. Returns the JSON array text and *count. */
char *store_invitation_list(struct arena *a, int64_t caller, bool superuser, int64_t patient_id,
                            const char *status, int64_t limit, int64_t offset, int64_t *count,
                            struct err *e);
/* One invitation visible to the caller as JSON; *patient_id receives its patient. NULL + 404. */
char *store_invitation_get(struct arena *a, int64_t caller, bool superuser, int64_t id,
                           int64_t *patient_id, struct err *e);
/* Cancel (in the open transaction); fills the ids of the token families revoked (max 64). */
int store_invitation_cancel(struct arena *a, int64_t id, int64_t *families, int *n_families,
                            struct err *e);
struct inv_redeem {
	int64_t id, patient_id, user_id, application_id;
	const char *status, *client_id, *site_url;
	bool user_active, expired_now, window_passed;
	bool user_staff; /* the patient's user is a practitioner or a superuser */
};
/* Lock the invitation by token hash in the open transaction. 0/1/-1. */
int store_invitation_lock(struct arena *a, const char *token_hash, struct inv_redeem *out,
                          struct err *e);
int store_invitation_set_expired(struct arena *a, int64_t id, struct err *e);
/* Success effects: last_login, unused codes of the user for the client deleted, status redeemed. */
int store_invitation_redeemed(struct arena *a, const struct inv_redeem *inv, struct err *e);

/* Practitioner API keys (admin-api.md §14) */
/* Create the application and the practitioner_client row; returns the row JSON with "key":null. */
char *store_apikey_create(struct arena *a, int64_t practitioner_id, int64_t user_id,
                          const char *label, const char *client_id, const unsigned char digest[32],
                          struct err *e);
char *store_apikey_list(struct arena *a, int64_t practitioner_id, int64_t limit, int64_t offset,
                        int64_t *count, struct err *e);
char *store_apikey_get(struct arena *a, int64_t practitioner_id, int64_t id, struct err *e);
char *store_apikey_update(struct arena *a, int64_t practitioner_id, int64_t id, const char *label,
                          struct err *e);
int store_apikey_delete(struct arena *a, int64_t practitioner_id, int64_t id, struct err *e);

#endif
