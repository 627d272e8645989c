/* Audit rows of Admin API requests. */
#include "api/api.h"
#include "store/store.h"

int api_audit(struct request *r, const char *action, const char *resource_type,
	      const char *resource_id, int64_t patient_id, int outcome, const char *detail)
{
	struct audit_row row = {
		.user_id = r->principal ? r->principal->user_id : 0,
		.oauth_client_id = r->principal ? r->principal->oauth_client_id : NULL,
		.action = action,
		.resource_type = resource_type,
		.resource_id = resource_id,
		.patient_id = patient_id,
		.outcome = outcome,
		.source_address = r->remote_addr,
		.request_id = r->request_id,
		.method = r->method,
		.path = req_log_path(r),
		.detail = detail,
	};
	struct err e = {0};
	bool async = !db_in_transaction();
	if (store_audit_insert(r->arena, &row, async, &e))
		return fail_err(r, &e);
	return 0;
}
