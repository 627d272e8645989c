/*
 * api: the Admin REST API (/api/v1) handlers: input validation into typed values, authz checks,
 * store calls and response building (camelCase JSON, paging envelope). No SQL text here.
 */
#ifndef JHE_API_H
#define JHE_API_H

#include "http/http.h"

/* Route lists of the resource files, NULL-terminated. */
extern const struct route *const api_route_tables[];

/* Write one audit row for this request (data-model.md §7); async for reads. */
int api_audit(struct request *r, const char *action, const char *resource_type,
	      const char *resource_id, int64_t patient_id, int outcome, const char *detail);

#endif
