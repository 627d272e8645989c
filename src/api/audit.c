/* Audit rows of Admin API requests. */
#include "api/api.h"
#include "store/store.h"

int api_audit(struct request *r, const char *action, const char *resource_type,
              const char *resource_id, int64_t patient_id, int outcome, const char *detail)
{
	struct audit_row row;
	req_audit_row(r, &row, action, resource_type, resource_id, patient_id, outcome, detail);
	struct err e = {0};
	bool async = !db_in_transaction();
	if (store_audit_insert(r->arena, &row, async, &e))
		return fail_err(r, &e);
	return 0;
}
