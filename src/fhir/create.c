/*
 * Observation create (fhir.md §3) for single creates and Bundle entries (§4).
 *
 * Every entry goes through the same checks in the spec's order. The checks that need no
 * database (structure, base64, OMH schema) run in C first; one lookup statement then fetches
 * every fact the other checks need for all entries (patients, access, devices, scopes, consents,
 * existing identifiers); the outcome of each entry is decided in order (the first failing check
 * wins); the valid entries are inserted with one statement (store_fhir_obs_insert), each entry
 * atomic. An identifier race lost at insert time is resolved with a second lookup (conditional
 * create: 200 with the winner's row).
 */
#include "fhir/local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const r5_elements[] = {"resourceType",
                                          "id",
                                          "meta",
                                          "implicitRules",
                                          "language",
                                          "text",
                                          "contained",
                                          "extension",
                                          "modifierExtension",
                                          "identifier",
                                          "instantiatesCanonical",
                                          "instantiatesReference",
                                          "basedOn",
                                          "triggeredBy",
                                          "partOf",
                                          "status",
                                          "category",
                                          "code",
                                          "subject",
                                          "focus",
                                          "encounter",
                                          "effectiveDateTime",
                                          "effectivePeriod",
                                          "effectiveTiming",
                                          "effectiveInstant",
                                          "issued",
                                          "performer",
                                          "valueQuantity",
                                          "valueCodeableConcept",
                                          "valueString",
                                          "valueBoolean",
                                          "valueInteger",
                                          "valueRange",
                                          "valueRatio",
                                          "valueSampledData",
                                          "valueTime",
                                          "valueDateTime",
                                          "valuePeriod",
                                          "valueAttachment",
                                          "valueReference",
                                          "dataAbsentReason",
                                          "interpretation",
                                          "note",
                                          "bodySite",
                                          "bodyStructure",
                                          "method",
                                          "specimen",
                                          "device",
                                          "referenceRange",
                                          "hasMember",
                                          "derivedFrom",
                                          "component",
                                          NULL};

static const char *const statuses[] = {
    "registered", "specimen-in-process", "preliminary",      "final",   "amended", "corrected",
    "appended",   "cancelled",           "entered-in-error", "unknown", NULL};

struct ent {
	bool pure_failed;
	int64_t pid;
	const char *dev_ref; /* device.reference or NULL */
	int64_t dev_id;      /* -1 bad form */
	int ncoding;
	const char *c_sys, *c_code; /* first coding */
	int nident;
	const char **isys, **ival;
	bool ident_empty; /* an identifier without value */
	bool ident_dup;   /* duplicate inside the resource */
	int dup_idx;
	/* If-None-Exist */
	bool ine;
	const char *ine_err;
	const char *ine_sys; /* NULL = any system */
	const char *ine_val;
	/* step 12 / 13 (computed early, reported in order) */
	int late_status;
	const char *late_msg;
	const char *omh_text;
	/* decided */
	int64_t scope_id;
	int dup_of; /* -1, or the earlier entry that claimed an identifier */
	bool dup_ine;
	bool race;
};

static bool in_list(const char *k, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(*l, k))
			return true;
	return false;
}

static void fail(struct fhir_entry *x, int status, const char *code, const char *msg)
{
	x->status = status;
	x->code = code ? code : fhir_issue_code(status);
	x->msg = msg;
}

static bool is_omh_system(const char *s)
{
	return s && (!strcmp(s, FHIR_SYS_OMH) || !strcmp(s, FHIR_SYS_IEEE));
}

static bool digits(const char *s)
{
	if (!s || !*s || strlen(s) > 18)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* ---------- lookup results ---------- */

struct idx_ent {
	const char *key;
	int val;
};
struct idx {
	struct idx_ent *t;
	size_t cap;
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void idx_init(struct arena *a, struct idx *x, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2 + 2)
		cap <<= 1;
	x->cap = cap;
	x->t = arena_alloc(a, sizeof(*x->t) * cap);
}

static int *idx_slot(struct idx *x, const char *key, bool create)
{
	size_t i = fnv(key) & (x->cap - 1);
	while (x->t[i].key) {
		if (!strcmp(x->t[i].key, key))
			return &x->t[i].val;
		i = (i + 1) & (x->cap - 1);
	}
	if (!create)
		return NULL;
	x->t[i].key = key;
	x->t[i].val = -1;
	return &x->t[i].val;
}

static const char *ikey(struct arena *a, const char *sys, const char *val)
{
	return arena_printf(a, "%s\x1f%s", sys ? sys : "", val);
}

/* Steps 1-2 of check_pure: resourceType, R5 element names, status, code.coding and the types of
 * subject, device and valueAttachment; *omh when a coding is Open mHealth or IEEE 1752. */
static bool check_elements(struct arena *a, struct fhir_entry *x, struct ent *p, bool *omh)
{
	json_object *o = x->resource;
	if (!o || !json_object_is_type(o, json_type_object) ||
	    !str_eq(json_get_str(o, "resourceType"), "Observation")) {
		fail(x, 400, "invalid", "Request body must be a FHIR Observation resource.");
		return false;
	}
	json_object_object_foreach(o, key, val)
	{
		(void)val;
		if (!in_list(key, r5_elements)) {
			fail(x, 400, "invalid",
			     arena_printf(a, "Unknown element '%s' in Observation.", key));
			return false;
		}
	}
	json_object *st = json_get(o, "status");
	if (!st || json_object_is_type(st, json_type_null)) {
		fail(x, 400, "invalid", "Observation.status is required.");
		return false;
	}
	if (!json_object_is_type(st, json_type_string)) {
		fail(x, 400, "invalid", "Observation.status must be a string.");
		return false;
	}
	x->status_str = json_object_get_string(st);
	if (!in_list(x->status_str, statuses)) {
		fail(
		    x, 400, "invalid",
		    arena_printf(a, "Observation.status '%s' is not a valid code.", x->status_str));
		return false;
	}
	json_object *code = json_get(o, "code");
	if (!code) {
		fail(x, 400, "invalid", "Observation.code is required.");
		return false;
	}
	if (!json_object_is_type(code, json_type_object)) {
		fail(x, 400, "invalid", "Observation.code must be an object.");
		return false;
	}
	json_object *coding = json_get(code, "coding");
	if (!coding || !json_object_is_type(coding, json_type_array)) {
		fail(x, 400, "invalid", "Observation.code.coding must be an array.");
		return false;
	}
	p->ncoding = (int)json_object_array_length(coding);
	*omh = false;
	for (int i = 0; i < p->ncoding; i++) {
		json_object *c = json_object_array_get_idx(coding, (size_t)i);
		json_object *cs = json_get(c, "system"), *cc = json_get(c, "code");
		if (!c || !json_object_is_type(c, json_type_object) ||
		    (cs && !json_object_is_type(cs, json_type_string)) ||
		    (cc && !json_object_is_type(cc, json_type_string))) {
			fail(x, 400, "invalid",
			     arena_printf(a,
			                  "Observation.code.coding[%d] must be an object with "
			                  "string system and code.",
			                  i));
			return false;
		}
		const char *sys = json_get_str(c, "system");
		if (i == 0) {
			p->c_sys = sys ? sys : "";
			p->c_code = json_get_str(c, "code") ? json_get_str(c, "code") : "";
		}
		if (is_omh_system(sys))
			*omh = true;
	}
	static const char *const objs[] = {"subject", "device", "valueAttachment", NULL};
	for (int i = 0; objs[i]; i++) {
		json_object *v = json_get(o, objs[i]);
		if (v && !json_object_is_type(v, json_type_object)) {
			fail(x, 400, "invalid",
			     arena_printf(a, "Observation.%s must be an object.", objs[i]));
			return false;
		}
	}
	return true;
}

/* Observation.identifier: an array of {system, value} strings, at most FHIR_MAX_IDENTIFIERS;
 * an empty value or a repeated pair is remembered for step 8. */
static bool check_identifiers(struct arena *a, struct fhir_entry *x, struct ent *p)
{
	json_object *ids = json_get(x->resource, "identifier");
	if (ids && !json_object_is_type(ids, json_type_array)) {
		fail(x, 400, "invalid", "Observation.identifier must be an array.");
		return false;
	}
	size_t nids = ids ? json_object_array_length(ids) : 0;
	if (nids > FHIR_MAX_IDENTIFIERS) {
		fail(x, 400, "invalid",
		     arena_printf(a, "Observation.identifier has %zu entries; the maximum is %d.",
		                  nids, FHIR_MAX_IDENTIFIERS));
		return false;
	}
	p->nident = (int)nids;
	struct idx seen; /* duplicate check in linear time */
	idx_init(a, &seen, nids);
	p->isys = arena_alloc(a, sizeof(char *) * (size_t)(p->nident + 1));
	p->ival = arena_alloc(a, sizeof(char *) * (size_t)(p->nident + 1));
	for (int i = 0; i < p->nident; i++) {
		json_object *it = json_object_array_get_idx(ids, (size_t)i);
		json_object *is = json_get(it, "system"), *iv = json_get(it, "value");
		if (!it || !json_object_is_type(it, json_type_object) ||
		    (is && !json_object_is_type(is, json_type_string)) ||
		    (iv && !json_object_is_type(iv, json_type_string))) {
			fail(x, 400, "invalid",
			     arena_printf(a,
			                  "Observation.identifier[%d] must be an object with "
			                  "string system and value.",
			                  i));
			return false;
		}
		p->isys[i] = json_get_str(it, "system") ? json_get_str(it, "system") : "";
		p->ival[i] = json_get_str(it, "value") ? json_get_str(it, "value") : "";
		if (!*p->ival[i])
			p->ident_empty = true;
		int *s = idx_slot(&seen, ikey(a, p->isys[i], p->ival[i]), true);
		if (*s < 0) {
			*s = i;
		} else if (!p->ident_dup && !strcmp(p->isys[i], p->isys[*s]) &&
		           !strcmp(p->ival[i], p->ival[*s])) {
			p->ident_dup = true;
			p->dup_idx = i;
		}
	}
	return true;
}

/* If-None-Exist (evaluated at step 8): "identifier=[system|]value", one of the resource's own
 * identifiers. */
static void parse_if_none_exist(struct arena *a, struct fhir_entry *x, struct ent *p)
{
	if (!x->if_none_exist)
		return;
	p->ine = true;
	const char *v = x->if_none_exist;
	while (*v == ' ')
		v++;
	if (!str_starts(v, "identifier=")) {
		p->ine_err = "Only identifier is supported in If-None-Exist.";
	} else {
		v += strlen("identifier=");
		if (strchr(v, '&')) {
			p->ine_err = "Only identifier is supported in If-None-Exist.";
		} else {
			char *dv = url_decode(a, v, strlen(v), false, false);
			const char *bar = strchr(dv, '|');
			p->ine_sys = bar ? arena_strndup(a, dv, (size_t)(bar - dv)) : NULL;
			p->ine_val = bar ? bar + 1 : dv;
			bool own = false;
			for (int i = 0; i < p->nident; i++)
				if (!strcmp(p->ival[i], p->ine_val) &&
				    (!p->ine_sys || !strcmp(p->isys[i], p->ine_sys)))
					own = true;
			if (!own || !*p->ine_val)
				p->ine_err = "If-None-Exist identifier must be one of the "
				             "resource's identifiers.";
		}
	}
}

/* Steps 12 and 13, reported later in order: valueAttachment.data is base64 of a JSON object that
 * the OMH schema of the code accepts; its effective times. */
static void check_payload(struct arena *a, struct fhir_entry *x, struct ent *p)
{
	json_object *o = x->resource;
	json_object *va = json_get(o, "valueAttachment");
	const char *data = json_get_str(va, "data");
	const char *bad64 = "valueAttachment.data must be Base 64 Encoded Binary JSON.";
	if (!data) {
		p->late_status = 400;
		p->late_msg = bad64;
		return;
	}
	size_t n = strlen(data);
	char *clean = arena_alloc(a, n + 1);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (data[i] != ' ' && data[i] != '\n' && data[i] != '\r' && data[i] != '\t')
			clean[m++] = data[i];
	unsigned char *raw = arena_alloc(a, base64_decoded_max(m) + 1);
	long dn = m ? base64_decode(clean, m, raw) : -1;
	if (dn <= 0 || !utf8_valid((const char *)raw, (size_t)dn) || memchr(raw, 0, (size_t)dn) ||
	    strstr((const char *)raw, "\\u0000")) {
		p->late_status = 400;
		p->late_msg = bad64;
		return;
	}
	raw[dn] = 0;
	char err[128];
	bool deep = false;
	json_object *dp = json_parse(a, (const char *)raw, (size_t)dn, err, sizeof(err), &deep);
	if (!dp || !json_object_is_type(dp, json_type_object)) {
		p->late_status = 400;
		p->late_msg = bad64;
		return;
	}
	p->omh_text = (const char *)raw;
	char msg[OMH_MSG_SIZE];
	if (!fhir_omh) {
		p->late_status = 422;
		p->late_msg =
		    arena_printf(a, "No Open mHealth schema is available for code %s.", p->c_code);
		return;
	}
	if (omh_validate_data_point(fhir_omh, p->c_code, dp, msg, sizeof(msg)) != OMH_OK) {
		p->late_status = 422;
		p->late_msg = arena_strdup(a, msg);
		return;
	}
	omh_effective_times(json_get(dp, "body"), &x->times);
}

/* Steps 1-4 and the structure needed later; -> x->status set on failure. */
static void check_pure(struct arena *a, struct fhir_entry *x, struct ent *p)
{
	p->dup_of = -1;
	bool omh;
	if (!check_elements(a, x, p, &omh) || !check_identifiers(a, x, p))
		return;
	json_object *o = x->resource;
	if (!omh) {
		fail(x, 400, "invalid",
		     "Only Observations coded with https://w3id.org/openmhealth or "
		     "https://w3id.org/ieee1752 are supported.");
		return;
	}
	json_object *subj = json_get(o, "subject");
	const char *ref = json_get_str(subj, "reference");
	if (!ref || !str_starts(ref, "Patient/") || !digits(ref + 8)) {
		fail(x, 400, "invalid",
		     "Subject is required and must be a reference to a Patient ID and start with "
		     "'Patient/'");
		return;
	}
	str_to_i64(ref + 8, &p->pid);
	x->patient_id = p->pid;
	json_object *dev = json_get(o, "device");
	p->dev_ref = json_get_str(dev, "reference");
	p->dev_id = -1;
	if (p->dev_ref && str_starts(p->dev_ref, "Device/") && digits(p->dev_ref + 7))
		str_to_i64(p->dev_ref + 7, &p->dev_id);
	parse_if_none_exist(a, x, p);
	check_payload(a, x, p);
}

struct lk {
	struct db_result *res;
	struct idx
	    rows; /* "P:<id>", "D:<id>", "C:<code>", "K:<pid>:<code>", "I:<sys>\x1f<val>" -> row */
	struct idx vals; /* "<val>" -> first 'V' row; count in vcount */
	int *vcount;
};

static int lookup(struct request *r, struct fhir_entry *ents, struct ent *ps, int n, struct lk *lk)
{
	struct arena *a = r->arena;
	struct pgarr pats, devs, codes, kp, kc, isys, ival, anyv;
	struct pgarr *all[] = {&pats, &devs, &codes, &kp, &kc, &isys, &ival, &anyv};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		pgarr_init(a, all[i]);
	int nid = 0;
	for (int i = 0; i < n; i++) {
		struct ent *p = &ps[i];
		if (ents[i].status)
			continue;
		pgarr_addi(&pats, p->pid);
		if (p->dev_id > 0)
			pgarr_addi(&devs, p->dev_id);
		if (p->c_code) {
			pgarr_add(&codes, p->c_code);
			pgarr_addi(&kp, p->pid);
			pgarr_add(&kc, p->c_code);
		}
		for (int j = 0; j < p->nident; j++) {
			pgarr_add(&isys, p->isys[j]);
			pgarr_add(&ival, p->ival[j]);
			nid++;
		}
		if (p->ine && !p->ine_err && !p->ine_sys)
			pgarr_add(&anyv, p->ine_val);
	}
	struct err e = {0};
	lk->res = store_fhir_create_lookup(a, r->principal ? r->principal->user_id : 0,
	                                   pgarr_end(&pats), pgarr_end(&devs), pgarr_end(&codes),
	                                   pgarr_end(&kp), pgarr_end(&kc), pgarr_end(&isys),
	                                   pgarr_end(&ival), pgarr_end(&anyv), &e);
	if (!lk->res)
		return fhir_store_fail(r, &e);
	int rows = db_nrows(lk->res);
	idx_init(a, &lk->rows, (size_t)rows + 1);
	idx_init(a, &lk->vals, (size_t)rows + 1);
	lk->vcount = arena_alloc(a, sizeof(int) * (size_t)(rows + 1));
	for (int i = 0; i < rows; i++) {
		const char *k = db_get(lk->res, i, 0);
		const char *key = NULL;
		switch (k[0]) {
		case 'P':
		case 'D':
			key = arena_printf(a, "%c:%s", k[0], db_get(lk->res, i, 1));
			break;
		case 'C':
			key = arena_printf(a, "C:%s", db_get(lk->res, i, 4));
			break;
		case 'K':
			key = arena_printf(a, "K:%s:%s", db_get(lk->res, i, 1),
			                   db_get(lk->res, i, 4));
			break;
		case 'I':
			key = arena_printf(a, "I:%s",
			                   ikey(a, db_get(lk->res, i, 4), db_get(lk->res, i, 5)));
			break;
		case 'V': {
			/* a match the caller could not read is no match (fhir-notes.md) */
			if (!str_eq(db_get(lk->res, i, 3), "1"))
				continue;
			int *s = idx_slot(&lk->vals, arena_strdup(a, db_get(lk->res, i, 5)), true);
			if (*s < 0) {
				*s = i;
				lk->vcount[i] = 1;
			} else {
				lk->vcount[*s]++;
			}
			continue;
		}
		default:
			continue;
		}
		int *s = idx_slot(&lk->rows, key, true);
		if (*s < 0)
			*s = i;
	}
	return 0;
}

static int lk_row(struct arena *a, struct lk *lk, const char *key)
{
	(void)a;
	int *s = idx_slot(&lk->rows, key, false);
	return s ? *s : -1;
}

/* The index of the resource's identifier that If-None-Exist names (check_pure made sure one
 * does). */
static int ine_own(const struct ent *p)
{
	for (int i = 0; i < p->nident; i++)
		if (!strcmp(p->ival[i], p->ine_val) &&
		    (!p->ine_sys || !strcmp(p->isys[i], p->ine_sys)))
			return i;
	return 0;
}

/* Decide steps 5-13 for entry i (not yet failed). Claims identifiers in claims. */
static void decide(struct request *r, struct fhir_entry *x, struct ent *p, struct lk *lk,
                   const struct fhir_grant *g, struct idx *claims, int i, struct fhir_entry *ents)
{
	struct arena *a = r->arena;
	const struct principal *pr = r->principal;
	int row = lk_row(a, lk, arena_printf(a, "P:%lld", (long long)p->pid));
	if (row < 0) {
		fail(x, 400, "invalid",
		     arena_printf(a, "Patient id=%lld can not be found.", (long long)p->pid));
		return;
	}
	x->user_id = db_get_i64(lk->res, row, 2);
	bool own = db_get(lk->res, row, 3) && !strcmp(db_get(lk->res, row, 3), "1");
	bool manages = db_get(lk->res, row, 4) != NULL;
	bool is_pract = pr && (pr->practitioner_id || pr->is_superuser);
	if (!own) {
		if (g->self_only) {
			fail(x, 403, "insufficient_scope",
			     "The token's scopes do not permit create on Observation.");
			return;
		}
		if (!is_pract || !manages) {
			const char *m = is_pract
			                    ? "Current user doesn't have access to the Patient."
			                : (pr && pr->patient_id)
			                    ? "The Subject Patient does not match the current user."
			                    : "Current user is not a Patient.";
			fail(x, 403, "forbidden", m);
			return;
		}
	}
	/* step 7 */
	if (p->dev_id <= 0) {
		fail(x, 400, "invalid",
		     "Device is required and must be a reference to a Data Source ID and start "
		     "with 'Device/'");
		return;
	}
	int drow = lk_row(a, lk, arena_printf(a, "D:%lld", (long long)p->dev_id));
	if (drow < 0 || strcmp(db_get(lk->res, drow, 4), "personal_device") != 0) {
		fail(x, 400, "invalid",
		     arena_printf(a, "Device Data Source id=%lld can not be found.",
		                  (long long)p->dev_id));
		return;
	}
	x->device_id = p->dev_id;
	/* step 8 */
	if (p->ident_empty) {
		fail(x, 400, "invalid", "Identifier value is required.");
		return;
	}
	if (p->ine_err) {
		fail(x, 400, "invalid", p->ine_err);
		return;
	}
	if (p->ident_dup) {
		fail(x, 409, "duplicate",
		     arena_printf(a, "Identifier already exists: system=%s value=%s",
		                  p->isys[p->dup_idx], p->ival[p->dup_idx]));
		return;
	}
	if (p->ine) {
		/* stored matches of the If-None-Exist identifier */
		int mrow = -1, nmatch = 0;
		if (p->ine_sys) {
			mrow =
			    lk_row(a, lk, arena_printf(a, "I:%s", ikey(a, p->ine_sys, p->ine_val)));
			/* a match the caller could not read is no match (fhir-notes.md) */
			if (mrow >= 0 && !str_eq(db_get(lk->res, mrow, 3), "1"))
				mrow = -1;
			nmatch = mrow >= 0;
		} else {
			int *s = idx_slot(&lk->vals, p->ine_val, false);
			if (s && *s >= 0) {
				mrow = *s;
				nmatch = lk->vcount[*s];
			}
		}
		if (nmatch > 1) {
			fail(x, 412, "multiple-matches", "Multiple matches for If-None-Exist.");
			return;
		}
		if (nmatch == 1) {
			if (db_get_i64(lk->res, mrow, 2) == p->pid) {
				x->status = 200;
				x->id = db_get_i64(lk->res, mrow, 1);
				x->last_updated = db_get(lk->res, mrow, 6);
				return;
			}
			/* the request's own identifier, never the stored row's system */
			int j = ine_own(p);
			fail(x, 409, "duplicate",
			     arena_printf(a, "Identifier already exists: system=%s value=%s",
			                  p->isys[j], p->ival[j]));
			return;
		}
		/* an earlier entry of this Bundle with the same identifier */
		for (int j = 0; j < p->nident; j++) {
			int *c = idx_slot(claims, ikey(a, p->isys[j], p->ival[j]), false);
			bool is_ine = !strcmp(p->ival[j], p->ine_val) &&
			              (!p->ine_sys || !strcmp(p->isys[j], p->ine_sys));
			if (c && *c >= 0 && is_ine) {
				p->dup_of = *c;
				p->dup_ine = true;
				x->status = 200; /* resolved after the insert */
				return;
			}
		}
	}
	for (int j = 0; j < p->nident; j++) {
		int irow = lk_row(a, lk, arena_printf(a, "I:%s", ikey(a, p->isys[j], p->ival[j])));
		int *c = idx_slot(claims, ikey(a, p->isys[j], p->ival[j]), false);
		if (irow >= 0 || (c && *c >= 0)) {
			fail(x, 409, "duplicate",
			     arena_printf(a, "Identifier already exists: system=%s value=%s",
			                  p->isys[j], p->ival[j]));
			return;
		}
	}
	/* step 9 */
	if (p->ncoding != 1) {
		fail(x, 400, "invalid", "Exactly one Code must be provided.");
		return;
	}
	/* step 10 */
	int crow = lk_row(a, lk, arena_printf(a, "C:%s", p->c_code));
	if (crow < 0) {
		fail(x, 400, "invalid",
		     arena_printf(a, "Code not found: system=%s code=%s", p->c_sys, p->c_code));
		return;
	}
	p->scope_id = db_get_i64(lk->res, crow, 1);
	x->system = db_get(lk->res, crow, 5);
	x->codestr = db_get(lk->res, crow, 4);
	x->display = db_get(lk->res, crow, 6);
	if (!fhir_grant_code_ok(g, x->system, x->codestr)) {
		fail(x, 403, "insufficient_scope",
		     "The token's scopes do not permit create on Observation.");
		return;
	}
	/* step 11 */
	if (lk_row(a, lk, arena_printf(a, "K:%lld:%s", (long long)p->pid, p->c_code)) < 0) {
		fail(x, 403, "forbidden",
		     arena_printf(a,
		                  "Observation data with coding_system=%s coding_code=%s has not "
		                  "been consented for any studies by this Patient.",
		                  p->c_sys, p->c_code));
		return;
	}
	/* steps 12, 13 */
	if (p->late_status) {
		fail(x, p->late_status, NULL, p->late_msg);
		return;
	}
	for (int j = 0; j < p->nident; j++) {
		int *c = idx_slot(claims, ikey(a, p->isys[j], p->ival[j]), true);
		*c = i;
	}
	(void)ents;
}

static const char *tstr(struct arena *a, int has, int64_t t)
{
	return has ? db_time(a, t) : NULL;
}

static int audit_status_action(struct fhir_entry *x, struct fhir_entry_audit *au)
{
	au->action = x->status == 403 ? "access.denied" : "create";
	au->outcome = x->status;
	au->patient_id = x->patient_id;
	return 0;
}

int fhir_create_entries(struct request *r, struct fhir_entry *ents, int n, bool transaction,
                        int *failed)
{
	struct arena *a = r->arena;
	*failed = -1;
	struct ent *ps = arena_alloc(a, sizeof(struct ent) * (size_t)(n ? n : 1));
	struct fhir_grant g;
	fhir_scope_eval(r, FT_OBSERVATION, 'c', &g);
	for (int i = 0; i < n; i++) {
		struct fhir_entry *x = &ents[i];
		ps[i].dup_of = -1;
		if (!x->status) {
			if (!g.allowed)
				fail(x, 403, "insufficient_scope",
				     "The token's scopes do not permit create on Observation.");
			else
				check_pure(a, x, &ps[i]);
		}
		ps[i].pure_failed = x->status != 0;
	}
	struct audit_row who;
	req_audit_row(r, &who, NULL, NULL, NULL, 0, 0, NULL);
	size_t nid = 0;
	for (int i = 0; i < n; i++)
		nid += (size_t)ps[i].nident;
	for (int attempt = 0;; attempt++) {
		int pending = 0;
		for (int i = 0; i < n; i++)
			if (ents[i].status == 0)
				pending++;
		struct lk lk;
		memset(&lk, 0, sizeof(lk));
		struct idx claims;
		idx_init(a, &claims, nid + 1);
		if (pending > 0 && lookup(r, ents, ps, n, &lk))
			return -1;
		*failed = -1;
		for (int i = 0; i < n; i++) {
			if (!ents[i].status)
				decide(r, &ents[i], &ps[i], &lk, &g, &claims, i, ents);
			if (transaction && ents[i].status && ents[i].status != 200) {
				*failed = i;
				break;
			}
		}
		/* rows to insert, audit rows of the other entries */
		struct fhir_obs_new *rows = arena_alloc(a, sizeof(*rows) * (size_t)(n ? n : 1));
		struct fhir_entry_audit *other =
		    arena_alloc(a, sizeof(*other) * (size_t)(n ? n : 1));
		int nrows = 0, nother = 0;
		for (int i = 0; i < n; i++) {
			struct fhir_entry *x = &ents[i];
			struct ent *p = &ps[i];
			if (transaction && *failed >= 0) {
				if (i == *failed)
					audit_status_action(x, &other[nother++]);
				continue;
			}
			if (x->status == 0) {
				struct fhir_obs_new *o = &rows[nrows++];
				o->ord = i;
				o->patient_id = p->pid;
				o->scope_id = p->scope_id;
				o->data_source_id = x->device_id;
				o->status = x->status_str;
				o->omh_json = p->omh_text;
				o->eff_dt = tstr(a, x->times.has_date_time, x->times.date_time);
				o->eff_start = tstr(a, x->times.has_start, x->times.start);
				o->eff_end = tstr(a, x->times.has_end, x->times.end);
				o->nident = p->nident;
				o->ident_sys = p->isys;
				o->ident_val = p->ival;
				o->race_status = p->ine ? 200 : 409;
			} else if (x->status != 200) {
				audit_status_action(x, &other[nother++]);
			} else {
				/* conditional match (or a duplicate resolved after the insert) */
				other[nother++] = (struct fhir_entry_audit){
				    "create", 200, x->patient_id,
				    p->dup_of < 0 ? arena_printf(a, "%lld", (long long)x->id)
				                  : NULL};
			}
		}
		struct err e = {0};
		if (nrows == 0) {
			for (int i = 0; i < n; i++)
				if (ps[i].dup_of >= 0 && !(transaction && *failed >= 0))
					fail(&ents[i], 409, "duplicate",
					     "Identifier already exists.");
			if (store_fhir_audit_many(a, &who, nother, other, &e))
				return fhir_store_fail(r, &e);
			return 0;
		}
		if (transaction && db_begin(&e))
			return fhir_store_fail(r, &e);
		struct db_result *res =
		    store_fhir_obs_insert(a, &who, nrows, rows, nother, other, &e);
		if (!res) {
			if (transaction)
				db_rollback();
			if (str_eq(e.sqlstate, "23503") && attempt < 3) {
				/* a multi-identifier entry lost part of an identifier race: decide
				 * again */
				for (int i = 0; i < n; i++)
					if (!ps[i].pure_failed) {
						ents[i].status = 0;
						ps[i].dup_of = -1;
						ps[i].race = false;
					}
				continue;
			}
			return fhir_store_fail(r, &e);
		}
		bool any_race = false;
		for (int k = 0; k < db_nrows(res); k++) {
			int i = (int)db_get_i64(res, k, 0);
			struct fhir_entry *x = &ents[i];
			if (db_isnull(res, k, 1)) {
				ps[i].race = true;
				any_race = true;
				continue;
			}
			x->status = 201;
			x->id = db_get_i64(res, k, 1);
			x->last_updated = db_get(res, k, 2);
		}
		/* duplicates inside the Bundle, resolved against the entry that was inserted */
		for (int i = 0; i < n; i++) {
			struct ent *p = &ps[i];
			if (p->dup_of < 0)
				continue;
			struct fhir_entry *w = &ents[p->dup_of];
			if (w->status == 201 && ps[p->dup_of].pid == p->pid) {
				ents[i].status = 200;
				ents[i].id = w->id;
				ents[i].last_updated = w->last_updated;
			} else {
				fail(&ents[i], 409, "duplicate",
				     arena_printf(a,
				                  "Identifier already exists: system=%s value=%s",
				                  p->ine_sys ? p->ine_sys : "", p->ine_val));
			}
		}
		if (any_race) {
			/* lost identifier races: look the winners up */
			for (int i = 0; i < n; i++)
				if (ps[i].race)
					ents[i].status = 0;
			struct lk lk2;
			memset(&lk2, 0, sizeof(lk2));
			if (lookup(r, ents, ps, n, &lk2)) {
				if (transaction)
					db_rollback();
				return -1;
			}
			struct idx none;
			idx_init(a, &none, 1);
			for (int i = 0; i < n; i++) {
				if (!ps[i].race)
					continue;
				decide(r, &ents[i], &ps[i], &lk2, &g, &none, i, ents);
				if (ents[i].status == 0)
					fail(&ents[i], 409, "duplicate",
					     "Identifier already exists.");
				if (transaction && ents[i].status != 200) {
					*failed = i;
					db_rollback();
					struct fhir_entry_audit au;
					audit_status_action(&ents[i], &au);
					if (store_fhir_audit_many(a, &who, 1, &au, &e))
						return fhir_store_fail(r, &e);
					return 0;
				}
			}
		}
		if (transaction && db_commit(&e))
			return fhir_store_fail(r, &e);
		return 0;
	}
}
