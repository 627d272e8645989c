/* GET /FHIR/R5/metadata: the CapabilityStatement (fhir.md §11), built without the database. */
#include "fhir/local.h"

#include <stdio.h>
#include <string.h>

#define DOC                                                                                        \
	"Observations carry Open mHealth data points (code system https://w3id.org/openmhealth "   \
	"or "                                                                                      \
	"https://w3id.org/ieee1752) as base64 JSON in valueAttachment. Searches support _sort, "   \
	"_summary=count, _total and cursor paging; POST [base]/[type]/_search accepts "            \
	"form-encoded "                                                                            \
	"parameters."

/* "Nov 28 2026" (__DATE__) -> "2026-11-28" */
static void build_date(char out[16])
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char *d = __DATE__;
	char mon[4] = {d[0], d[1], d[2], 0};
	const char *m = strstr(months, mon);
	int mi = m ? (int)(m - months) / 3 + 1 : 1;
	int day = (d[4] == ' ' ? 0 : d[4] - '0') * 10 + (d[5] - '0');
	snprintf(out, 16, "%.4s-%02d-%02d", d + 7, mi % 100, day % 100);
}

static void expect_shall(struct jw *w)
{
	jw_key(w, "extension");
	jw_arr_begin(w);
	jw_obj_begin(w);
	jw_kstr(w, "url",
	        "http://hl7.org/fhir/StructureDefinition/capabilitystatement-expectation");
	jw_kstr(w, "valueCode", "SHALL");
	jw_obj_end(w);
	jw_arr_end(w);
}

static void interactions(struct jw *w, const char *const *codes)
{
	jw_key(w, "interaction");
	jw_arr_begin(w);
	for (; *codes; codes++) {
		jw_obj_begin(w);
		jw_kstr(w, "code", *codes);
		expect_shall(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

struct sp {
	const char *name, *type;
};

static void search_params(struct jw *w, const struct sp *p)
{
	jw_key(w, "searchParam");
	jw_arr_begin(w);
	for (; p->name; p++) {
		jw_obj_begin(w);
		jw_kstr(w, "name", p->name);
		jw_kstr(w, "type", p->type);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void oauth_uri(struct jw *w, const char *name, const char *url)
{
	jw_obj_begin(w);
	jw_kstr(w, "url", name);
	jw_kstr(w, "valueUri", url);
	jw_obj_end(w);
}

/* The search parameters of each type (fhir.md §5). */
static const char *const read_search[] = {"read", "search-type", NULL};
static const char *const obs_interactions[] = {"create", "read", "vread", "search-type", NULL};
static const struct sp dev_params[] = {{"_id", "token"},
                                       {"_lastUpdated", "date"},
                                       {"name", "string"},
                                       {"type", "token"},
                                       {NULL, NULL}};
static const struct sp grp_params[] = {{"_id", "token"},
                                       {"_lastUpdated", "date"},
                                       {"name", "string"},
                                       {"organization", "reference"},
                                       {"patient", "reference"},
                                       {"patient._has:Group:member:_id", "token"},
                                       {NULL, NULL}};
static const struct sp obs_params[] = {{"_id", "token"},
                                       {"_lastUpdated", "date"},
                                       {"patient", "reference"},
                                       {"subject", "reference"},
                                       {"patient.organization", "reference"},
                                       {"patient._has:Group:member:_id", "token"},
                                       {"patient.identifier", "token"},
                                       {"identifier", "token"},
                                       {"code", "token"},
                                       {"date", "date"},
                                       {"status", "token"},
                                       {"device", "reference"},
                                       {NULL, NULL}};
static const struct sp org_params[] = {{"_id", "token"},   {"_lastUpdated", "date"},
                                       {"name", "string"}, {"partof", "reference"},
                                       {"type", "token"},  {NULL, NULL}};
static const struct sp pat_params[] = {{"_id", "token"},
                                       {"_lastUpdated", "date"},
                                       {"identifier", "token"},
                                       {"family", "string"},
                                       {"given", "string"},
                                       {"name", "string"},
                                       {"birthdate", "date"},
                                       {"organization", "reference"},
                                       {"patient._has:Group:member:_id", "token"},
                                       {NULL, NULL}};
static const struct sp pra_params[] = {{"_id", "token"},
                                       {"_lastUpdated", "date"},
                                       {"name", "string"},
                                       {"family", "string"},
                                       {"given", "string"},
                                       {"identifier", "token"},
                                       {"organization", "reference"},
                                       {NULL, NULL}};

/* rest[0].security: the SMART OAuth endpoints on origin o. */
static void rest_security(struct jw *w, struct arena *a, const char *o)
{
	jw_key(w, "security");
	jw_obj_begin(w);
	jw_key(w, "extension");
	jw_arr_begin(w);
	jw_obj_begin(w);
	jw_kstr(w, "url", "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
	jw_key(w, "extension");
	jw_arr_begin(w);
	oauth_uri(w, "authorize", arena_printf(a, "%s/o/authorize/", o));
	oauth_uri(w, "token", arena_printf(a, "%s/o/token/", o));
	oauth_uri(w, "revoke", arena_printf(a, "%s/o/revoke_token/", o));
	oauth_uri(w, "introspect", arena_printf(a, "%s/o/introspect/", o));
	jw_arr_end(w);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_key(w, "service");
	jw_arr_begin(w);
	jw_obj_begin(w);
	jw_key(w, "coding");
	jw_arr_begin(w);
	jw_obj_begin(w);
	jw_kstr(w, "system", "http://terminology.hl7.org/CodeSystem/restful-security-service");
	jw_kstr(w, "code", "SMART-on-FHIR");
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_kstr(
	    w, "description",
	    "OAuth 2.0 (SMART-on-FHIR). Unauthorized requests are rejected with 401, 403, or 404.");
	jw_obj_end(w);
}

/* rest[0].resource: each type with its interactions and search parameters. */
static void rest_resources(struct jw *w)
{
	static const struct {
		const char *type;
		const char *const *inter;
		const struct sp *params;
	} res[] = {{"Device", read_search, dev_params},
	           {"Group", read_search, grp_params},
	           {"Observation", obs_interactions, obs_params},
	           {"Organization", read_search, org_params},
	           {"Patient", read_search, pat_params},
	           {"Practitioner", read_search, pra_params}};
	jw_key(w, "resource");
	jw_arr_begin(w);
	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		jw_obj_begin(w);
		jw_kstr(w, "type", res[i].type);
		if (!strcmp(res[i].type, "Observation")) {
			jw_kstr(w, "documentation", DOC);
			jw_kstr(w, "versioning", "versioned");
			jw_kbool(w, "conditionalCreate", true);
		}
		interactions(w, res[i].inter);
		search_params(w, res[i].params);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

int fhir_metadata(struct request *r)
{
	struct arena *a = r->arena;
	if (fhir_negotiate(r))
		return -1;
	char date[16];
	build_date(date);
	struct buf *b = buf_new(a, 8192);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kstr(&w, "resourceType", "CapabilityStatement");
	jw_kstr(&w, "status", "active");
	jw_kstr(&w, "date", date);
	jw_kstr(&w, "kind", "instance");
	jw_key(&w, "software");
	jw_obj_begin(&w);
	jw_kstr(&w, "name", "JupyterHealth Exchange");
	jw_kstr(&w, "version", JHE_VERSION);
	jw_obj_end(&w);
	jw_key(&w, "implementation");
	jw_obj_begin(&w);
	jw_kstr(&w, "description", "JupyterHealth Exchange");
	jw_kstr(&w, "url", arena_printf(a, "%s/", fhir_base(r)));
	jw_obj_end(&w);
	jw_kstr(&w, "fhirVersion", "5.0.0");
	jw_key(&w, "format");
	jw_arr_begin(&w);
	jw_str(&w, "json");
	jw_arr_end(&w);
	jw_key(&w, "rest");
	jw_arr_begin(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "mode", "server");
	jw_kstr(&w, "documentation", DOC);
	rest_security(&w, a, r->origin);
	static const char *const rest_i[] = {"batch", "transaction", NULL};
	interactions(&w, rest_i);
	rest_resources(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	resp_header(r, "Cache-Control", "public, max-age=3600");
	fhir_respond(r, 200, b);
	return 0;
}
