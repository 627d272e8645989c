/* store: audit rows (store/audit.c, data-model.md §7) and the audit event list of the Admin API
 * (store/audit_query.c). */
#ifndef JHE_STORE_AUDIT_H
#define JHE_STORE_AUDIT_H

#include "store/db.h"

/* The columns of every audit_event insert, in the order of store_audit_params: the statements
 * that write audit rows together with other work (fhir_create.c, fhir_search.c, maintenance.c)
 * name them with this and bind the request's values from store_audit_params. */
#define STORE_AUDIT_INSERT                                                                         \
	"INSERT INTO audit_event (time, user_id, oauth_client_id, action, resource_type,"          \
	" resource_id, patient_id, outcome, source_address, request_id, method, path, detail)"
/* Insert one audit row in the current transaction (or autocommit). async=true uses
 * synchronous_commit=off for read audits outside a transaction. */
int store_audit_insert(struct arena *a, const struct audit_row *row, bool async, struct err *e);
/* The twelve bound values of an audit row, in the column order of store_audit_insert ($1 user,
 * $2 client, $3 action, $4 type, $5 resource id, $6 patient, $7 outcome, $8 address, $9 request
 * id, $10 method, $11 path, $12 detail), text made valid UTF-8: for statements that write the
 * audit row together with other work (one round trip). */
void store_audit_params(struct arena *a, const struct audit_row *row, const char *params[12]);

/* audit events */
struct audit_filter {
	const char *patient_id, *user_id, *outcome; /* decimal text or NULL */
	const char *actions;                        /* comma-separated or NULL */
	const char *resource_type, *request_id;
	const char *since, *until; /* RFC 3339 or NULL */
};
char *store_audit_list(struct arena *a, const struct audit_filter *f, int64_t offset, int64_t limit,
                       int64_t *count, struct err *e);
char *store_audit_json(struct arena *a, int64_t id, struct err *e);

#endif
