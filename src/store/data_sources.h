/* store: data sources and their supported scopes (store/data_sources.c). */
#ifndef JHE_STORE_DATA_SOURCES_H
#define JHE_STORE_DATA_SOURCES_H

#include "store/db.h"

char *store_data_source_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                             struct err *e);
char *store_data_source_json(struct arena *a, int64_t id, struct err *e);
int store_data_source_create(struct arena *a, const char *name, const char *type, int64_t *id,
                             struct err *e);
int store_data_source_update(struct arena *a, int64_t id, const char *name, const char *type,
                             struct err *e);
int store_data_source_delete(struct arena *a, int64_t id, struct err *e);
char *store_all_scopes(struct arena *a, struct err *e);
char *store_supported_scopes(struct arena *a, int64_t ds_id, struct err *e);
/* 1 when the link exists already. Returns the row JSON in *json. */
int store_supported_scope_add(struct arena *a, int64_t ds_id, int64_t scope_id, char **json,
                              struct err *e);
int store_supported_scope_remove(struct arena *a, int64_t ds_id, int64_t scope_id, struct err *e);

#endif
