/* store: patient clients and OAuth applications (store/clients.c). */
#ifndef JHE_STORE_CLIENTS_H
#define JHE_STORE_CLIENTS_H

#include "store/db.h"

char *store_client_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                        struct err *e);
char *store_client_json(struct arena *a, int64_t id, struct err *e);
/* Is a client_id used by an application other than exclude_id? 1/0/-1 */
int store_client_id_taken(struct arena *a, const char *client_id, int64_t exclude_id,
                          struct err *e);
int store_client_create(struct arena *a, const char *name, const char *client_id,
                        const char *invitation_url, const char *redirect_uri, int64_t *id,
                        struct err *e);
int store_client_update(struct arena *a, int64_t id, const char *name, const char *client_id,
                        const char *invitation_url, struct err *e);
int store_application_delete(struct arena *a, int64_t id, struct err *e);
char *store_client_data_sources(struct arena *a, int64_t app_id, struct err *e);
int store_client_data_source_add(struct arena *a, int64_t app_id, int64_t ds_id, char **json,
                                 struct err *e);
int store_client_data_source_remove(struct arena *a, int64_t app_id, int64_t ds_id, struct err *e);
/* oauth_applications: not patient clients, not API keys */
char *store_oauth_app_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                           struct err *e);
char *store_oauth_app_json(struct arena *a, int64_t id, struct err *e);
int store_oauth_app_create(struct arena *a, const char *name, const char *client_id,
                           const char *client_type, const char *grant_type,
                           const char *redirect_uris, const char *secret_digest_hex, int64_t *id,
                           struct err *e);
/* NULL keeps; grant_type/client_type of the row are returned when wanted. */
int store_oauth_app_update(struct arena *a, int64_t id, const char *name, const char *redirect_uris,
                           const char *secret_digest_hex, struct err *e);
/* client_type of an oauth_applications row, NULL when not one. */
const char *store_oauth_app_type(struct arena *a, int64_t id, const char **grant_type,
                                 struct err *e);

#endif
