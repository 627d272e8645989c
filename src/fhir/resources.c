/* The Observation resource (fhir.md §2.2), written straight from a result row: no JSON tree, the
 * OMH payload is base64-encoded from the row's text into the response buffer. */
#include "fhir/local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void time_member(struct jw *w, const char *key, const char *pg)
{
	char t[48];
	fhir_pg_time(pg, t);
	jw_kstr(w, key, t);
}

void fhir_obs_write(struct jw *w, const struct db_result *res, int row, int nrows, int base)
{
	const char *id = db_get(res, row, base + FOC_ID);
	jw_obj_begin(w);
	jw_kstr(w, "resourceType", "Observation");
	jw_kstr(w, "id", id);
	jw_key(w, "meta");
	jw_obj_begin(w);
	jw_kstr(w, "versionId", "1");
	time_member(w, "lastUpdated", db_get(res, row, base + FOC_LAST_UPDATED));
	jw_kstr(w, "source", FHIR_SOURCE);
	jw_obj_end(w);
	const char *idents = db_get(res, row, base + FOC_IDENTIFIERS);
	if (idents) {
		jw_key(w, "identifier");
		jw_raw_compact(w, idents, db_getlen(res, row, base + FOC_IDENTIFIERS));
	} else if (db_get(res, row, base + FOC_IDENT_VALUE)) {
		/* flat rows (store.h): one identifier per row of the group */
		jw_key(w, "identifier");
		jw_arr_begin(w);
		for (int i = row; i < row + nrows; i++) {
			const char *sys = db_get(res, i, base + FOC_IDENT_SYSTEM);
			jw_obj_begin(w);
			if (sys && *sys)
				jw_kstr(w, "system", sys);
			jw_kstr(w, "value", db_get(res, i, base + FOC_IDENT_VALUE));
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_kstr(w, "status", db_get(res, row, base + FOC_STATUS));
	jw_key(w, "code");
	jw_obj_begin(w);
	jw_key(w, "coding");
	jw_arr_begin(w);
	jw_obj_begin(w);
	jw_kstr(w, "system", db_get(res, row, base + FOC_SYSTEM));
	jw_kstr(w, "code", db_get(res, row, base + FOC_CODE));
	const char *display = db_get(res, row, base + FOC_DISPLAY);
	if (display && *display)
		jw_kstr(w, "display", display);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_key(w, "subject");
	jw_obj_begin(w);
	jw_key(w, "reference");
	{
		jw_str_prefixed(w, "Patient/", db_get(res, row, base + FOC_PATIENT_ID));
	}
	const char *uid = db_get(res, row, base + FOC_USER_ID);
	if (uid) {
		jw_key(w, "identifier");
		jw_obj_begin(w);
		jw_kstr(w, "system", FHIR_SYS_USER_ID);
		jw_kstr(w, "value", uid);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	const char *edt = db_get(res, row, base + FOC_EFF_DT);
	const char *es = db_get(res, row, base + FOC_EFF_START);
	const char *ee = db_get(res, row, base + FOC_EFF_END);
	if (edt) {
		time_member(w, "effectiveDateTime", edt);
	} else if (es || ee) {
		jw_key(w, "effectivePeriod");
		jw_obj_begin(w);
		if (es)
			time_member(w, "start", es);
		if (ee)
			time_member(w, "end", ee);
		jw_obj_end(w);
	}
	const char *dev = db_get(res, row, base + FOC_DEVICE_ID);
	if (dev) {
		jw_key(w, "device");
		jw_obj_begin(w);
		jw_key(w, "reference");
		jw_str_prefixed(w, "Device/", dev);
		jw_obj_end(w);
	}
	jw_key(w, "valueAttachment");
	jw_obj_begin(w);
	jw_kstr(w, "contentType", "application/json");
	jw_key(w, "data");
	{
		const char *omh = db_get(res, row, base + FOC_OMH);
		size_t n = omh ? db_getlen(res, row, base + FOC_OMH) : 0;
		jw_rawn(w, "\"", 1);
		size_t need = base64_encoded_len(n) + 2;
		buf_reserve(w->b, need);
		size_t m = base64_encode((const unsigned char *)(omh ? omh : ""), n,
		                         w->b->data + w->b->len);
		w->b->len += m;
		buf_putc(w->b, '"');
	}
	jw_obj_end(w);
	jw_obj_end(w);
}
