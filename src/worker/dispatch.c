/* Dispatch: route match -> authentication -> method -> handler -> error mapping (§4.2 order). */
#include "worker/worker.h"
#include "api/api.h"
#include "auth/auth.h"
#include "authz/authz.h"
#include "fhir/fhir.h"
#include "store/store.h"

#include <string.h>

static int health(struct request *r)
{
	const char *check = req_param(r, "check");
	if (check && strcmp(check, "db") == 0) {
		struct err e = {0};
		static struct db_stmt q_ping = DB_STMT("SELECT 1");
		if (db_ensure(&e) || !db_query(r->arena, &q_ping, 0, NULL, &e)) {
			struct err down = {
			    .kind = ERR_UNAVAILABLE,
			    .format = ERR_FORMAT_JSON,
			    .body = "{\"status\":\"unavailable\",\"version\":\"" JHE_VERSION "\"}",
			};
			return fail_err(r, &down);
		}
	}
	resp_json_str(r, 200, "{\"status\":\"ok\",\"version\":\"" JHE_VERSION "\"}");
	return 0;
}

static int api_root(struct request *r)
{
	static const char *const names[][2] = {{"jheSettings", "jhe_settings"},
	                                       {"users", "users"},
	                                       {"practitioners", "practitioners"},
	                                       {"practitionerClients", "practitioner_clients"},
	                                       {"organizations", "organizations"},
	                                       {"patients", "patients"},
	                                       {"studies", "studies"},
	                                       {"observations", "observations"},
	                                       {"dataSources", "data_sources"},
	                                       {"clients", "clients"},
	                                       {"invitation", "invitation"},
	                                       {"auditEvents", "audit_events"}};
	struct buf *b = buf_new(r->arena, 1024);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		jw_kstr(&w, names[i][0],
		        arena_printf(r->arena, "%s/api/v1/%s", r->origin, names[i][1]));
	jw_obj_end(&w);
	resp_json(r, 200, b);
	return 0;
}

static const struct route core_routes[] = {
    {"GET", "/health", health, ROUTE_PUBLIC},
    {"GET", "/api/v1/", api_root, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};

#define MAX_TABLES 64
static const struct route *all_tables[MAX_TABLES];

static void build_tables(void)
{
	if (all_tables[0])
		return;
	int n = 0;
	all_tables[n++] = core_routes;
	const struct route *const *groups[] = {api_route_tables, auth_route_tables,
	                                       fhir_route_tables};
	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (int i = 0; groups[g][i] && n < MAX_TABLES - 1; i++)
			all_tables[n++] = groups[g][i];
	all_tables[n] = NULL;
}

static enum area area_of(const char *path)
{
	if (str_starts(path, "/api/v1/") || strcmp(path, "/api/v1") == 0)
		return AREA_API;
	if (str_starts(path, "/FHIR/R5/") || strcmp(path, "/FHIR/R5") == 0)
		return AREA_FHIR;
	if (str_starts(path, "/o/") || str_starts(path, "/.well-known/"))
		return AREA_OAUTH;
	if (str_starts(path, "/accounts/"))
		return AREA_HTML;
	return AREA_PLAIN;
}

static void cors_public(struct request *r)
{
	resp_header(r, "Access-Control-Allow-Origin", "*");
}

/* The Origin of a browser request to a FHIR data endpoint when JHE_CORS_ORIGINS lists it
 * (conventions.md §9); NULL otherwise (same-origin only, as the reference). */
static const char *fhir_cors_origin(const struct request *r, unsigned flags)
{
	if (r->area != AREA_FHIR || (flags & ROUTE_CORS_PUBLIC) || !g_config.cors_origins ||
	    !*g_config.cors_origins)
		return NULL;
	const char *origin = req_header(r, "Origin");
	if (!origin || !*origin)
		return NULL;
	const char *p = g_config.cors_origins;
	size_t n = strlen(origin);
	while (*p) {
		while (*p == ',' || *p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ',' && *end != ' ')
			end++;
		if ((size_t)(end - p) == n && strncmp(p, origin, n) == 0)
			return origin;
		p = end;
	}
	return NULL;
}

static void add_cors(struct request *r, unsigned flags)
{
	if (flags & ROUTE_CORS_PUBLIC) {
		cors_public(r);
		return;
	}
	const char *origin = fhir_cors_origin(r, flags);
	if (origin) {
		resp_header(r, "Access-Control-Allow-Origin", origin);
		resp_header(r, "Vary", "Origin");
		resp_header(r, "Access-Control-Expose-Headers", "ETag, Location");
	}
}

static bool is_api_profile(const struct request *r)
{
	return strcmp(r->path, "/api/v1/users/profile") == 0;
}

void dispatch(struct request *r)
{
	build_tables();
	r->area = area_of(r->path);
	if (req_check_param_count(r)) {
		resp_error(r);
		return;
	}
	bool is_options = strcmp(r->method, "OPTIONS") == 0;
	const struct route *rt = NULL;
	struct buf *allow = buf_new(r->arena, 64);
	enum route_match m = router_match(all_tables, r, &rt, allow);
	if (m == ROUTE_NO_PATH) {
		fail_with(r, ERR_NOT_FOUND, "Not found.");
		resp_error(r);
		return;
	}
	r->route = rt;
	unsigned flags = rt->flags;
	add_cors(r, flags);
	if (is_options && fhir_cors_origin(r, flags)) {
		/* preflight of a FHIR data endpoint from a listed origin: no authentication */
		resp_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
		resp_header(r, "Access-Control-Allow-Headers",
		            "Authorization, Content-Type, Accept, If-None-Exist, Prefer");
		resp_header(r, "Access-Control-Max-Age", "86400");
		resp_empty(r, 204);
		return;
	}
	if (is_options && (flags & ROUTE_CORS_PUBLIC)) {
		resp_header(r, "Access-Control-Allow-Methods", "GET, POST, OPTIONS");
		resp_header(r, "Access-Control-Allow-Headers", "Authorization, Content-Type");
		resp_header(r, "Access-Control-Max-Age", "86400");
		resp_empty(r, 204);
		return;
	}
	/* authentication before the method check: anonymous callers get 401, not 405 */
	if ((flags & (ROUTE_AUTH | ROUTE_AUTH_OPTIONAL)) ||
	    (m == ROUTE_NO_METHOD && r->area == AREA_API)) {
		int rc = auth_bearer(r);
		if (rc < 0 && !(flags & ROUTE_AUTH_OPTIONAL && m == ROUTE_FOUND &&
		                r->err.kind == ERR_UNAUTHORIZED)) {
			api_audit_denied(r);
			resp_error(r);
			return;
		}
		if (rc == 1 && (flags & ROUTE_AUTH || m == ROUTE_NO_METHOD)) {
			fail_with(r, ERR_UNAUTHORIZED,
			          "Authentication credentials were not provided.");
			api_audit_denied(r);
			resp_error(r);
			return;
		}
	}
	if (m == ROUTE_NO_METHOD) {
		if (is_options && r->area == AREA_API) {
			resp_header(r, "Allow", allow->data);
			resp_empty(r, 204);
			return;
		}
		fail_method(r, allow->data);
		resp_error(r);
		return;
	}
	if (r->area == AREA_API && r->principal && !is_api_profile(r) &&
	    authz_token_has_smart_scopes(r->principal)) {
		fail_with(r, ERR_FORBIDDEN, "The token's scopes do not allow the Admin API.");
		api_audit_denied(r);
		resp_error(r);
		return;
	}
	if (rt->handler(r) != 0) {
		if (db_in_transaction())
			db_rollback();
		r->resp.headers.n = 0;
		add_cors(r, flags);
		resp_error(r);
		return;
	}
	if (db_in_transaction()) {
		/* a handler must commit what it began; an open transaction here is a bug */
		log_error("request %s: handler left a transaction open; rolled back",
		          r->request_id);
		db_rollback();
	}
	if (r->resp.status == 0)
		resp_empty(r, 204);
}
