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

/* Item i of the array Observation.<what> must be an object whose members system and k, when
 * present, are strings; else the entry fails. */
static bool item_ok(struct arena *a, struct fhir_entry *x, json_object *it, const char *what, int i,
                    const char *k)
{
	json_object *sys = json_get(it, "system"), *v = json_get(it, k);
	if (it && json_object_is_type(it, json_type_object) &&
	    (!sys || json_object_is_type(sys, json_type_string)) &&
	    (!v || json_object_is_type(v, json_type_string)))
		return true;
	fail(x, 400, "invalid",
	     arena_printf(a, "Observation.%s[%d] must be an object with string system and %s.",
	                  what, i, k));
	return false;
}

/* The string member k of o, "" when absent. */
static const char *str_or_empty(json_object *o, const char *k)
{
	const char *v = json_get_str(o, k);
	return v ? v : "";
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

/* Observation.code.coding: an array of {system, code} strings; the first is the entry's code;
 * *omh when one of them is Open mHealth or IEEE 1752. */
static bool check_coding(struct arena *a, struct fhir_entry *x, struct ent *p, json_object *coding,
                         bool *omh)
{
	if (!coding || !json_object_is_type(coding, json_type_array)) {
		fail(x, 400, "invalid", "Observation.code.coding must be an array.");
		return false;
	}
	p->ncoding = (int)json_object_array_length(coding);
	*omh = false;
	for (int i = 0; i < p->ncoding; i++) {
		json_object *c = json_object_array_get_idx(coding, (size_t)i);
		if (!item_ok(a, x, c, "code.coding", i, "code"))
			return false;
		const char *sys = json_get_str(c, "system");
		if (i == 0) {
			p->c_sys = sys ? sys : "";
			p->c_code = str_or_empty(c, "code");
		}
		if (authz_omh_system(sys))
			*omh = true;
	}
	return true;
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
	if (!check_coding(a, x, p, json_get(code, "coding"), omh))
		return false;
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
		if (!item_ok(a, x, it, "identifier", i, "value"))
			return false;
		p->isys[i] = str_or_empty(it, "system");
		p->ival[i] = str_or_empty(it, "value");
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

/* ---------- the facts of one lookup statement ---------- */

struct lk {
	struct fhir_create_facts f;
	/* "P:<id>", "D:<id>", "C:<code>", "K:<pid>:<code>", "I:<sys>\x1f<val>" -> index in the
	 * fact array of that kind */
	struct idx rows;
	struct idx vals; /* "<val>" -> first visible value match; count in vcount */
	int *vcount;
};

static void lk_put(struct idx *x, const char *key, int i)
{
	int *s = idx_slot(x, key, true);
	if (*s < 0)
		*s = i;
}

static int lk_find(struct lk *lk, const char *key)
{
	int *s = idx_slot(&lk->rows, key, false);
	return s ? *s : -1;
}

static void lk_index(struct arena *a, struct lk *lk)
{
	const struct fhir_create_facts *f = &lk->f;
	size_t n = (size_t)(f->npatients + f->ndevices + f->ncodes + f->nconsents + f->nidents);
	idx_init(a, &lk->rows, n + 1);
	idx_init(a, &lk->vals, (size_t)f->nvalues + 1);
	lk->vcount = arena_alloc(a, sizeof(int) * (size_t)(f->nvalues + 1));
	for (int i = 0; i < f->npatients; i++)
		lk_put(&lk->rows, arena_printf(a, "P:%lld", (long long)f->patients[i].id), i);
	for (int i = 0; i < f->ndevices; i++)
		lk_put(&lk->rows, arena_printf(a, "D:%lld", (long long)f->devices[i].id), i);
	for (int i = 0; i < f->ncodes; i++)
		lk_put(&lk->rows, arena_printf(a, "C:%s", f->codes[i].code), i);
	for (int i = 0; i < f->nconsents; i++)
		lk_put(&lk->rows,
		       arena_printf(a, "K:%lld:%s", (long long)f->consents[i].patient_id,
		                    f->consents[i].code),
		       i);
	for (int i = 0; i < f->nidents; i++)
		lk_put(&lk->rows,
		       arena_printf(a, "I:%s", ikey(a, f->idents[i].system, f->idents[i].value)),
		       i);
	for (int i = 0; i < f->nvalues; i++) {
		/* a match the caller could not read is no match (fhir-notes.md) */
		if (!f->values[i].visible)
			continue;
		int *s = idx_slot(&lk->vals, f->values[i].value, true);
		if (*s < 0) {
			*s = i;
			lk->vcount[i] = 1;
		} else {
			lk->vcount[*s]++;
		}
	}
}

/* The facts of every pending entry, in one statement. */
static int lookup(struct request *r, struct fhir_entry *ents, struct ent *ps, int n, struct lk *lk)
{
	struct arena *a = r->arena;
	struct fhir_create_ask *asks = arena_alloc(a, sizeof(*asks) * (size_t)(n ? n : 1));
	int nask = 0;
	for (int i = 0; i < n; i++) {
		const struct ent *p = &ps[i];
		if (ents[i].status)
			continue;
		asks[nask++] = (struct fhir_create_ask){
		    p->pid,
		    p->dev_id > 0 ? p->dev_id : 0,
		    p->c_code,
		    p->nident,
		    p->isys,
		    p->ival,
		    p->ine && !p->ine_err && !p->ine_sys ? p->ine_val : NULL};
	}
	struct err e = {0};
	if (store_fhir_create_facts(a, r->principal ? r->principal->user_id : 0, nask, asks, &lk->f,
	                            &e))
		return fhir_store_fail(r, &e);
	lk_index(a, lk);
	return 0;
}

/* The identifier j of the resource is the one If-None-Exist names. */
static bool is_ine(const struct ent *p, int j)
{
	return !strcmp(p->ival[j], p->ine_val) && (!p->ine_sys || !strcmp(p->isys[j], p->ine_sys));
}

/* The rows behind an entry's facts that its outcome needs. */
struct found {
	const struct fhir_patient_fact *patient;
	const struct fhir_code_fact *code;
	const struct fhir_ident_fact *match; /* the one If-None-Exist match */
	int claimed_by;                      /* the earlier entry claiming it, -1 none */
};

/* Step 8's facts: If-None-Exist matches and claims, identifiers already taken. */
static void ident_facts(struct arena *a, struct lk *lk, struct idx *claims, const struct ent *p,
                        struct authz_obs_facts *f, struct found *got)
{
	f->ident_empty = p->ident_empty;
	f->ine_error = p->ine_err;
	if (p->ident_dup) {
		f->dup_system = p->isys[p->dup_idx];
		f->dup_value = p->ival[p->dup_idx];
	}
	f->ine = p->ine;
	if (p->ine && !p->ine_err) {
		if (p->ine_sys) {
			int m =
			    lk_find(lk, arena_printf(a, "I:%s", ikey(a, p->ine_sys, p->ine_val)));
			/* a match the caller could not read is no match (fhir-notes.md) */
			if (m >= 0 && lk->f.idents[m].visible) {
				got->match = &lk->f.idents[m];
				f->ine_matches = 1;
			}
		} else {
			int *s = idx_slot(&lk->vals, p->ine_val, false);
			if (s && *s >= 0) {
				got->match = &lk->f.values[*s];
				f->ine_matches = lk->vcount[*s];
			}
		}
		f->ine_match_patient = got->match ? got->match->patient_id : 0;
		for (int j = 0; j < p->nident; j++) {
			int *c = idx_slot(claims, ikey(a, p->isys[j], p->ival[j]), false);
			if (is_ine(p, j) && !f->ine_system) {
				f->ine_system = p->isys[j];
				f->ine_value = p->ival[j];
			}
			if (c && *c >= 0 && is_ine(p, j) && got->claimed_by < 0)
				got->claimed_by = *c;
		}
		f->ine_claimed = got->claimed_by >= 0;
	}
	for (int j = 0; j < p->nident && !f->taken_system; j++) {
		const char *k = ikey(a, p->isys[j], p->ival[j]);
		int *c = idx_slot(claims, k, false);
		if (lk_find(lk, arena_printf(a, "I:%s", k)) >= 0 || (c && *c >= 0)) {
			f->taken_system = p->isys[j];
			f->taken_value = p->ival[j];
		}
	}
}

/* The facts of one entry for authz_observation_write. */
static void entry_facts(struct arena *a, const struct principal *pr, const struct fhir_grant *g,
                        struct lk *lk, struct idx *claims, const struct ent *p,
                        struct authz_obs_facts *f, struct found *got)
{
	*f = (struct authz_obs_facts){0};
	*got = (struct found){.claimed_by = -1};
	f->staff = authz_staff(pr);
	f->patient = pr && pr->patient_id;
	f->self_only = g->self_only;
	f->patient_id = p->pid;
	int i = lk_find(lk, arena_printf(a, "P:%lld", (long long)p->pid));
	if (i >= 0) {
		got->patient = &lk->f.patients[i];
		f->patient_found = true;
		f->patient_own = got->patient->own;
		f->patient_managed = got->patient->managed;
	}
	f->device_id = p->dev_id;
	i = p->dev_id > 0 ? lk_find(lk, arena_printf(a, "D:%lld", (long long)p->dev_id)) : -1;
	f->device_found = i >= 0;
	f->device_personal = i >= 0 && str_eq(lk->f.devices[i].type, "personal_device");
	ident_facts(a, lk, claims, p, f, got);
	f->ncoding = p->ncoding;
	f->coding_system = p->c_sys;
	f->coding_code = p->c_code;
	i = p->c_code ? lk_find(lk, arena_printf(a, "C:%s", p->c_code)) : -1;
	if (i >= 0) {
		got->code = &lk->f.codes[i];
		f->code_found = true;
		f->code_in_scope = fhir_grant_code_ok(g, got->code->system, got->code->code);
	}
	f->consented = p->c_code &&
	               lk_find(lk, arena_printf(a, "K:%lld:%s", (long long)p->pid, p->c_code)) >= 0;
	f->payload_status = p->late_status;
	f->payload_msg = p->late_msg;
}

/* Decide steps 5-13 for entry i (not yet failed); an entry to insert claims its identifiers. */
static void decide(struct request *r, struct fhir_entry *x, struct ent *p, struct lk *lk,
                   const struct fhir_grant *g, struct idx *claims, int i)
{
	struct arena *a = r->arena;
	struct authz_obs_facts f;
	struct found got;
	entry_facts(a, r->principal, g, lk, claims, p, &f, &got);
	struct authz_obs_decision d;
	authz_observation_write(a, &f, &d);
	switch (d.outcome) {
	case AUTHZ_OBS_REFUSE:
		fail(x, d.status, d.code, d.msg);
		return;
	case AUTHZ_OBS_MATCH:
		x->status = 200;
		x->id = got.match->observation_id;
		x->last_updated = got.match->last_updated;
		return;
	case AUTHZ_OBS_EARLIER:
		p->dup_of = got.claimed_by;
		x->status = 200; /* resolved after the insert */
		return;
	case AUTHZ_OBS_INSERT:
		break;
	}
	x->device_id = p->dev_id;
	p->scope_id = got.code->scope_id;
	x->system = got.code->system;
	x->codestr = got.code->code;
	for (int j = 0; j < p->nident; j++)
		*idx_slot(claims, ikey(a, p->isys[j], p->ival[j]), true) = i;
}

/* ---------- one run over the entries ---------- */

struct run {
	struct request *r;
	struct arena *a;
	struct fhir_entry *ents;
	struct ent *ps;
	int n;
	bool transaction;
	int *failed;
	struct fhir_grant g;
	struct audit_row who;
	size_t nid; /* identifiers of all entries */
};

/* The rows to insert and the audit rows of the other entries. */
struct batch {
	struct fhir_obs_new *rows;
	struct fhir_entry_audit *other;
	int nrows, nother;
};

static const char *tstr(struct arena *a, int has, int64_t t)
{
	return has ? db_time(a, t) : NULL;
}

static void audit_status_action(struct fhir_entry *x, struct fhir_entry_audit *au)
{
	au->action = x->status == 403 ? "access.denied" : "create";
	au->outcome = x->status;
	au->patient_id = x->patient_id;
	au->resource_id = NULL;
}

/* Steps 1-4 of every entry (no database). */
static void check_all(struct run *u)
{
	for (int i = 0; i < u->n; i++) {
		struct fhir_entry *x = &u->ents[i];
		u->ps[i].dup_of = -1;
		if (!x->status) {
			if (!u->g.allowed)
				fail(x, 403, "insufficient_scope",
				     "The token's scopes do not permit create on Observation.");
			else
				check_pure(u->a, x, &u->ps[i]);
		}
		u->ps[i].pure_failed = x->status != 0;
		u->nid += (size_t)u->ps[i].nident;
	}
}

/* Steps 5-13 of the pending entries; a transaction stops at the first failure (*failed). */
static int decide_all(struct run *u)
{
	int pending = 0;
	for (int i = 0; i < u->n; i++)
		if (u->ents[i].status == 0)
			pending++;
	struct lk lk;
	memset(&lk, 0, sizeof(lk));
	struct idx claims;
	idx_init(u->a, &claims, u->nid + 1);
	if (pending > 0 && lookup(u->r, u->ents, u->ps, u->n, &lk))
		return -1;
	*u->failed = -1;
	for (int i = 0; i < u->n; i++) {
		if (!u->ents[i].status)
			decide(u->r, &u->ents[i], &u->ps[i], &lk, &u->g, &claims, i);
		if (u->transaction && u->ents[i].status && u->ents[i].status != 200) {
			*u->failed = i;
			break;
		}
	}
	return 0;
}

static void obs_row(struct arena *a, const struct fhir_entry *x, const struct ent *p, int i,
                    struct fhir_obs_new *o)
{
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
}

static void collect(struct run *u, struct batch *b)
{
	struct arena *a = u->a;
	size_t n = (size_t)(u->n ? u->n : 1);
	b->rows = arena_alloc(a, sizeof(*b->rows) * n);
	b->other = arena_alloc(a, sizeof(*b->other) * n);
	b->nrows = b->nother = 0;
	for (int i = 0; i < u->n; i++) {
		struct fhir_entry *x = &u->ents[i];
		const struct ent *p = &u->ps[i];
		if (u->transaction && *u->failed >= 0) {
			if (i == *u->failed)
				audit_status_action(x, &b->other[b->nother++]);
			continue;
		}
		if (x->status == 0) {
			obs_row(a, x, p, i, &b->rows[b->nrows++]);
		} else if (x->status != 200) {
			audit_status_action(x, &b->other[b->nother++]);
		} else {
			/* conditional match (or a duplicate resolved after the insert) */
			b->other[b->nother++] = (struct fhir_entry_audit){
			    "create", 200, x->patient_id,
			    p->dup_of < 0 ? arena_printf(a, "%lld", (long long)x->id) : NULL};
		}
	}
}

/* Nothing to insert: duplicates of an earlier entry fail with it; only audit rows are written. */
static int finish_without_insert(struct run *u, const struct batch *b)
{
	for (int i = 0; i < u->n; i++)
		if (u->ps[i].dup_of >= 0 && !(u->transaction && *u->failed >= 0))
			fail(&u->ents[i], 409, "duplicate", "Identifier already exists.");
	struct err e = {0};
	if (store_fhir_audit_many(u->a, &u->who, b->nother, b->other, &e))
		return fhir_store_fail(u->r, &e);
	return 0;
}

/* The inserted entries get 201; those that lost an identifier race are marked (returns true
 * when there are any). */
static bool apply_created(struct run *u, const struct fhir_obs_created *c, int nrows)
{
	bool any_race = false;
	for (int k = 0; k < nrows; k++) {
		int i = c[k].ord;
		struct fhir_entry *x = &u->ents[i];
		if (!c[k].id) {
			u->ps[i].race = true;
			any_race = true;
			continue;
		}
		x->status = 201;
		x->id = c[k].id;
		x->last_updated = c[k].last_updated;
	}
	return any_race;
}

/* Duplicates inside the Bundle, resolved against the entry that was inserted. */
static void resolve_earlier(struct run *u)
{
	for (int i = 0; i < u->n; i++) {
		struct ent *p = &u->ps[i];
		if (p->dup_of < 0)
			continue;
		struct fhir_entry *w = &u->ents[p->dup_of];
		if (w->status == 201 && u->ps[p->dup_of].pid == p->pid) {
			u->ents[i].status = 200;
			u->ents[i].id = w->id;
			u->ents[i].last_updated = w->last_updated;
		} else {
			fail(&u->ents[i], 409, "duplicate",
			     arena_printf(u->a, "Identifier already exists: system=%s value=%s",
			                  p->ine_sys ? p->ine_sys : "", p->ine_val));
		}
	}
}

/* Lost identifier races: the winners are looked up and the entries decided again. In a
 * transaction the first that is no match fails it (rolled back; its audit row written): 1. */
static int resolve_races(struct run *u)
{
	for (int i = 0; i < u->n; i++)
		if (u->ps[i].race)
			u->ents[i].status = 0;
	struct lk lk;
	memset(&lk, 0, sizeof(lk));
	if (lookup(u->r, u->ents, u->ps, u->n, &lk)) {
		if (u->transaction)
			db_rollback();
		return -1;
	}
	struct idx none;
	idx_init(u->a, &none, 1);
	for (int i = 0; i < u->n; i++) {
		if (!u->ps[i].race)
			continue;
		decide(u->r, &u->ents[i], &u->ps[i], &lk, &u->g, &none, i);
		if (u->ents[i].status == 0)
			fail(&u->ents[i], 409, "duplicate", "Identifier already exists.");
		if (u->transaction && u->ents[i].status != 200) {
			*u->failed = i;
			db_rollback();
			struct fhir_entry_audit au;
			audit_status_action(&u->ents[i], &au);
			struct err e = {0};
			if (store_fhir_audit_many(u->a, &u->who, 1, &au, &e))
				return fhir_store_fail(u->r, &e);
			return 1;
		}
	}
	return 0;
}

/* Insert the batch (in a transaction: all or nothing) and settle the entries' outcomes.
 * STORE_FHIR_IDENT_RACE (before the last attempt): nothing written, decide again. */
static int insert_batch(struct run *u, const struct batch *b, int attempt)
{
	struct err e = {0};
	if (u->transaction && db_begin(&e))
		return fhir_store_fail(u->r, &e);
	struct fhir_obs_created *c = arena_alloc(u->a, sizeof(*c) * (size_t)b->nrows);
	int rc =
	    store_fhir_obs_insert(u->a, &u->who, b->nrows, b->rows, b->nother, b->other, c, &e);
	if (rc) {
		if (u->transaction)
			db_rollback();
		if (rc == STORE_FHIR_IDENT_RACE && attempt < 3)
			return rc;
		return fhir_store_fail(u->r, &e);
	}
	bool any_race = apply_created(u, c, b->nrows);
	resolve_earlier(u);
	if (any_race) {
		rc = resolve_races(u);
		if (rc)
			return rc < 0 ? -1 : 0;
	}
	if (u->transaction && db_commit(&e))
		return fhir_store_fail(u->r, &e);
	return 0;
}

/* A multi-identifier entry lost part of an identifier race: every entry that passed the pure
 * checks is decided again. */
static void reset_for_retry(struct run *u)
{
	for (int i = 0; i < u->n; i++)
		if (!u->ps[i].pure_failed) {
			u->ents[i].status = 0;
			u->ps[i].dup_of = -1;
			u->ps[i].race = false;
		}
}

int fhir_create_entries(struct request *r, const struct fhir_grant *g, struct fhir_entry *ents,
                        int n, bool transaction, int *failed)
{
	struct run u = {.r = r,
	                .a = r->arena,
	                .g = *g,
	                .ents = ents,
	                .n = n,
	                .transaction = transaction,
	                .failed = failed};
	*failed = -1;
	u.ps = arena_alloc(u.a, sizeof(struct ent) * (size_t)(n ? n : 1));
	check_all(&u);
	req_audit_row(r, &u.who, NULL, NULL, NULL, 0, 0, NULL);
	for (int attempt = 0;; attempt++) {
		if (decide_all(&u))
			return -1;
		struct batch b;
		collect(&u, &b);
		if (b.nrows == 0)
			return finish_without_insert(&u, &b);
		int rc = insert_batch(&u, &b, attempt);
		if (rc != STORE_FHIR_IDENT_RACE)
			return rc;
		reset_for_retry(&u);
	}
}
