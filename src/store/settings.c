/* Runtime settings (jhe_setting), read when used. */
#include "store/store.h"

static struct db_stmt q_setting = DB_STMT(
	"SELECT CASE value_type WHEN 'string' THEN value_string"
	"       WHEN 'int' THEN value_int::text WHEN 'bool' THEN value_bool::text"
	"       WHEN 'float' THEN value_float::text ELSE value_json::text END"
	"  FROM jhe_setting WHERE key = $1");

const char *store_setting_text(struct arena *a, const char *key, struct err *e)
{
	const char *params[1] = {key};
	struct db_result *r = db_query(a, &q_setting, 1, params, e);
	if (!r || db_nrows(r) == 0)
		return NULL;
	return arena_strdup(a, db_get(r, 0, 0));
}
