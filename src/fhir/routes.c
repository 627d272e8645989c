/* FHIR route table (fhir.md §1.2) and start-up (the OMH schema registry, §14.2). */
#include "fhir/local.h"

#include <string.h>

struct omh_registry *fhir_omh;

static int type_check(struct request *r, enum fhir_rtype *t)
{
	const char *ts = req_path_str(r, "type");
	*t = fhir_type_parse(ts);
	if (*t == FT_NONE)
		return fhir_fail(
		    r, ERR_NOT_FOUND, "not-found",
		    arena_printf(r->arena, "Unsupported FHIR resource type: %s.", ts ? ts : ""));
	return 0;
}

static int not_supported(struct request *r, const char *what)
{
	enum fhir_rtype t;
	if (type_check(r, &t))
		return -1;
	return fhir_fail(
	    r, ERR_METHOD, "not-supported",
	    arena_printf(r->arena, "%s of a %s record is not supported.", what, fhir_type_name(t)));
}

static int update_na(struct request *r)
{
	return not_supported(r, "Update");
}

static int delete_na(struct request *r)
{
	return not_supported(r, "Delete");
}

static int type_post(struct request *r)
{
	enum fhir_rtype t;
	if (type_check(r, &t))
		return -1;
	if (t == FT_OBSERVATION)
		return fhir_create(r);
	return fhir_fail(
	    r, ERR_METHOD, "not-supported",
	    arena_printf(r->arena, "Create of a %s record is not supported.", fhir_type_name(t)));
}

static const struct route fhir_routes[] = {
    {"GET", "/FHIR/R5/metadata", fhir_metadata, ROUTE_PUBLIC | ROUTE_CORS_PUBLIC},
    {"POST", "/FHIR/R5/?", fhir_bundle, ROUTE_AUTH},
    {"POST", "/FHIR/R5/{type:s}/_search", fhir_search_post, ROUTE_AUTH},
    {"GET", "/FHIR/R5/{type:s}", fhir_search, ROUTE_AUTH},
    {"POST", "/FHIR/R5/{type:s}", type_post, ROUTE_AUTH},
    {"GET", "/FHIR/R5/Observation/{id:s}/_history/{vid:s}", fhir_vread, ROUTE_AUTH},
    {"GET", "/FHIR/R5/{type:s}/{id:s}", fhir_read, ROUTE_AUTH},
    {"PUT", "/FHIR/R5/{type:s}/{id:s}", update_na, ROUTE_AUTH},
    {"PATCH", "/FHIR/R5/{type:s}/{id:s}", update_na, ROUTE_AUTH},
    {"DELETE", "/FHIR/R5/{type:s}/{id:s}", delete_na, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};

const struct route *const fhir_route_tables[] = {
    fhir_routes,
    NULL,
};

int fhir_init(void)
{
	if (fhir_omh)
		return 0;
	char err[512];
	if (omh_registry_load(g_config.schema_dir, &fhir_omh, err, sizeof(err)) != OMH_OK) {
		log_error("OMH schema registry: %s", err);
		return -1;
	}
	log_info("OMH schema registry: %zu schemas from %s", omh_registry_size(fhir_omh),
	         g_config.schema_dir);
	return 0;
}
