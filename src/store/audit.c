/* Audit rows (data-model.md §7). Reads are committed with synchronous_commit off. */
#include "store/store.h"

static struct db_stmt q_audit = DB_STMT(
	"INSERT INTO audit_event (time, user_id, oauth_client_id, action, resource_type,"
	" resource_id, patient_id, outcome, source_address, request_id, method, path, detail)"
	" VALUES (clock_timestamp(), $1, $2, $3, $4, $5, $6, $7, $8::inet, $9, $10, $11, $12::jsonb)");

static struct db_stmt q_async = DB_STMT("SET LOCAL synchronous_commit = off");

int store_audit_insert(struct arena *a, const struct audit_row *row, bool async, struct err *e)
{
	const char *addr = row->source_address;
	/* only a valid address goes into the inet column */
	if (addr && !*addr)
		addr = NULL;
	const char *params[12] = {
		row->user_id ? db_i64(a, row->user_id) : NULL,
		row->oauth_client_id,
		row->action,
		row->resource_type,
		row->resource_id,
		row->patient_id ? db_i64(a, row->patient_id) : NULL,
		db_i64(a, row->outcome),
		addr,
		row->request_id,
		row->method,
		row->path,
		row->detail,
	};
	bool own_tx = !db_in_transaction();
	if (own_tx && async) {
		if (db_begin(e))
			return -1;
		if (db_exec(a, &q_async, 0, NULL, e) < 0) {
			db_rollback();
			return -1;
		}
	}
	long n = db_exec(a, &q_audit, 12, params, e);
	if (own_tx && async) {
		if (n < 0) {
			db_rollback();
			return -1;
		}
		return db_commit(e);
	}
	return n < 0 ? -1 : 0;
}
