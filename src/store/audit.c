/* Audit rows (data-model.md §7). Reads are committed with synchronous_commit off. */
#include "store/query.h"

#include <string.h>

static struct db_stmt q_audit = DB_STMT(
    STORE_AUDIT_INSERT
    " VALUES (clock_timestamp(), $1, $2, $3, $4, $5, $6, $7, $8::inet, $9, $10, $11, $12::jsonb)");

/* The audit row of a read outside a transaction: one statement (one round trip) in its own
 * implicit transaction, committed without waiting for the WAL flush. set_config(..., true) lasts
 * until the end of that transaction, and the commit record is written before it is undone, so
 * the commit is asynchronous exactly as with BEGIN; SET LOCAL synchronous_commit = off; INSERT;
 * COMMIT (four round trips). */
static struct db_stmt q_audit_async = DB_STMT(
    "WITH s AS (SELECT set_config('synchronous_commit', 'off', true)) " STORE_AUDIT_INSERT
    " SELECT clock_timestamp(), $1::bigint, $2::text, $3::text, $4::text, $5::text, $6::bigint,"
    " $7::smallint, $8::inet, $9::text, $10::text, $11::text, $12::jsonb FROM s");

/* Request-derived text (a path id, the path) may be invalid UTF-8, which PostgreSQL rejects
 * (22021); the audit row must still be written, so each invalid byte becomes '?'. */
static const char *utf8_text(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (utf8_valid(s, n))
		return s;
	char *out = arena_alloc(a, n + 1);
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		size_t len = 0; /* the length the lead byte announces; 0: not a lead byte */
		if (c < 0x80)
			len = 1;
		else if (c >= 0xC2 && c <= 0xDF)
			len = 2;
		else if (c >= 0xE0 && c <= 0xEF)
			len = 3;
		else if (c >= 0xF0 && c <= 0xF4)
			len = 4;
		if (len && i + len <= n && utf8_valid(s + i, len)) {
			memcpy(out + i, s + i, len);
			i += len;
		} else {
			out[i++] = '?';
		}
	}
	out[n] = 0;
	return out;
}

void store_audit_params(struct arena *a, const struct audit_row *row, const char *params[12])
{
	const char *addr = row->source_address;
	/* only a valid address goes into the inet column */
	if (addr && !*addr)
		addr = NULL;
	params[0] = row->user_id ? db_i64(a, row->user_id) : NULL;
	params[1] = utf8_text(a, row->oauth_client_id);
	params[2] = utf8_text(a, row->action);
	params[3] = utf8_text(a, row->resource_type);
	params[4] = utf8_text(a, row->resource_id);
	params[5] = row->patient_id ? db_i64(a, row->patient_id) : NULL;
	params[6] = db_i64(a, row->outcome);
	params[7] = addr;
	params[8] = utf8_text(a, row->request_id);
	params[9] = utf8_text(a, row->method);
	params[10] = utf8_text(a, row->path);
	params[11] = utf8_text(a, row->detail);
}

int store_audit_insert(struct arena *a, const struct audit_row *row, bool async, struct err *e)
{
	const char *params[12];
	store_audit_params(a, row, params);
	bool own_tx = !db_in_transaction();
	long n = db_exec(a, own_tx && async ? &q_audit_async : &q_audit, 12, params, e);
	return n < 0 ? -1 : 0;
}
