/*
 * http: FastCGI-independent request/response model, query/form/cookie parsing, the router,
 * key casing (camelCase <-> snake_case), absolute URLs from proxy parameters, and the one place
 * where an error value becomes a status code and a body (per area: Admin API, FHIR, OAuth, HTML).
 * Never talks to the database.
 */
#ifndef JHE_HTTP_H
#define JHE_HTTP_H

#include "util/util.h"

/* ---------- key/value lists (query parameters, form fields, headers, cookies) ---------- */
struct kv {
	const char *key;
	const char *value;
};
struct kvlist {
	struct kv *items;
	size_t n;
	size_t cap;
};
void kv_add(struct arena *a, struct kvlist *l, const char *key, const char *value);
const char *kv_get(const struct kvlist *l, const char *key);      /* first value */
const char *kv_get_last(const struct kvlist *l, const char *key); /* last value */
size_t kv_count(const struct kvlist *l, const char *key);

/* Percent-decode (with '+' as space when form is true). A '%' not followed by two hex digits, and
 * "%00", are kept literally. Returns NULL only when strict is true and the encoding is bad. */
char *url_decode(struct arena *a, const char *s, size_t n, bool form, bool strict);
/* Form encoding for links: unreserved A-Z a-z 0-9 - . _ ~ literal, space '+', else %XX. */
void url_encode(struct buf *b, const char *s);
/* Sort by key, stable (equal keys keep their order), O(n log n). */
void kv_sort(struct arena *a, struct kvlist *l);
/* Parameters per request, query and form body each (doc/robustness.md "Cost bounds"). */
#define HTTP_MAX_PARAMS 1000
/* The number of non-empty '&'-separated pieces of s[0..n): what parse_query would add. */
size_t query_pieces(const char *s, size_t n);
/* Parse "a=1&b=2" into l (keys and values decoded, order kept, empty pieces skipped). */
void parse_query(struct arena *a, const char *qs, struct kvlist *l);
/* Parse a Cookie header. */
void parse_cookies(struct arena *a, const char *header, struct kvlist *l);

/* ---------- key casing for /api/v1 ---------- */
/* "nameFamily" -> "name_family"; snake_case passes through (conventions.md §2.2). */
char *camel_to_snake(struct arena *a, const char *key);
/* "name_family" -> "nameFamily", except the ignore list (conventions.md §2.1). */
char *snake_to_camel(struct arena *a, const char *key);
/* Recursively rename every object key of o to snake_case (in place; returns the new root). */
json_object *json_keys_to_snake(json_object *o);

/* ---------- request ---------- */
enum area {
	AREA_PLAIN = 0, /* /health and unknown prefixes: Admin-API-style bodies */
	AREA_API,       /* /api/v1 */
	AREA_FHIR,      /* /FHIR/R5, /fhir/r5 */
	AREA_OAUTH,     /* /o/, /.well-known/ */
	AREA_HTML,      /* /accounts/ */
};

struct response {
	int status;
	struct kvlist headers;
	const char *content_type; /* NULL: no body / no Content-Type */
	struct buf *body;
};

#define ROUTE_MAX_PARAMS 4
struct route;

struct request {
	struct arena *arena;
	usec_t start;
	const char *method; /* "GET", ... (HEAD is routed as GET, is_head set) */
	bool is_head;
	const char *path;     /* decoded path, canonical FHIR prefix (/FHIR/R5) */
	const char *raw_path; /* as received (for logs / links) */
	const char *query;    /* raw query string ("" when none) */
	struct kvlist params; /* decoded query parameters, keys as the client spelled them */
	char **env;           /* FastCGI parameters (NULL-terminated "KEY=value") */
	const char *body;
	size_t body_len;
	const char *content_type; /* header value or NULL */
	const char *scheme;       /* public origin parts (conventions.md §8) */
	const char *host;
	const char *origin; /* scheme://host */
	const char *remote_addr;
	const char *request_id;
	enum area area;
	const char *fhir_prefix; /* "/FHIR/R5" or "/fhir/r5": the spelling the client used */
	const struct route *route;
	struct {
		const char *name;
		const char *str;
		int64_t id;
	} path_params[ROUTE_MAX_PARAMS];
	int n_path_params;
	struct principal *principal; /* NULL: anonymous */
	bool auth_failed_invalid;    /* a token was sent but is not valid */
	struct response resp;
	struct err err;
	void *ctx; /* layer-private per-request state (e.g. cached body) */
	json_object *json_body_cache;
};

const char *req_env(const struct request *r, const char *name);
/* Request header by its HTTP name ("Authorization", "If-None-Exist"). */
const char *req_header(const struct request *r, const char *name);
const char *req_param(const struct request *r, const char *key); /* last value of a query key */
int64_t req_path_id(const struct request *r, const char *name);
const char *req_path_str(const struct request *r, const char *name);
/* Fill scheme/host/origin/remote_addr/request_id from the FastCGI parameters. */
void req_init_origin(struct request *r);
/* The request path as logs and audit rows record it: secrets that travel in paths (invitation
 * tokens, POST /api/v1/invitation/{token}) are replaced by <redacted>. */
const char *req_log_path(const struct request *r);
/* An audit row of this request: the principal's user and client (none before authentication),
 * address, request id, method (HEAD as sent) and req_log_path, with what was done (action and
 * resource_type may be NULL: the caller's statement fills them per entry). */
void req_audit_row(const struct request *r, struct audit_row *row, const char *action,
                   const char *resource_type, const char *resource_id, int64_t patient_id,
                   int outcome, const char *detail);

/* Body parsing. Checks Content-Type for the area (415), UTF-8 (400), JSON syntax and depth (400).
 * On /api/v1 the keys are normalized to snake_case. Returns NULL with r->err set on failure;
 * an empty body gives NULL without error only when allow_empty is true. */
json_object *req_json_body(struct request *r, bool allow_empty);
/* True when the body is application/x-www-form-urlencoded; parses it into out. */
bool req_form_body(struct request *r, struct kvlist *out);
/* -1 with a 400 in r->err when the query or a form body has more than HTTP_MAX_PARAMS
 * parameters (bounds every later per-parameter loop). */
int req_check_param_count(struct request *r);

/* ---------- errors: set r->err and return -1 (handlers: `return fail_with(r, ...)`) ---------- */
int fail_with(struct request *r, enum err_kind kind, const char *client_msg);
int fail_withf(struct request *r, enum err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A 400 whose whole JSON body is given (field errors {"x": ["..."]} or ["..."]). */
int fail_body(struct request *r, enum err_kind kind, const char *json_body);
/* Keep the error an inner layer returned (store, auth): copies e into r->err. */
int fail_err(struct request *r, const struct err *e);
/* 405 for this request's method, with the Allow header of the path's methods. */
int fail_method(struct request *r, const char *allow);

/* ---------- responses ---------- */
void resp_header(struct request *r, const char *name, const char *value);
/* Cache-Control: no-store and Pragma: no-cache, for responses that carry tokens or credentials
 * (RFC 6749 §5.1). */
void resp_no_store(struct request *r);
/* JSON body (Content-Type exactly application/json unless content_type given). */
void resp_json(struct request *r, int status, struct buf *body);
void resp_json_str(struct request *r, int status, const char *json);
void resp_body(struct request *r, int status, const char *content_type, struct buf *body);
void resp_empty(struct request *r, int status); /* 201/204 without body or Content-Type */
void resp_detail(struct request *r, int status, const char *detail); /* {"detail": "..."} */
void resp_redirect(struct request *r, int status, const char *location);
/* HTML-escape & < > " ' (NULL gives ""). */
char *html_escape(struct arena *a, const char *s);
/* A complete HTML page (text/html; charset=utf-8) with the HTML security policy and no-store;
 * body_html is HTML already. */
void resp_html_page(struct request *r, int status, const char *title, const char *body_html);
/* FHIR issue code of an HTTP status (fhir.md §10.1): the one table. */
const char *fhir_issue_code(int status);
/* OperationOutcome object with one issue (expression may be NULL): the one writer, for error
 * responses and for the outcomes inside Bundle responses. */
void fhir_outcome(struct jw *w, const char *severity, const char *code, const char *diag,
                  const char *expression);
/* Turn r->err into the response: status, the error's headers, and the body of r->err.format
 * (by default that of r->area). The one place an error response is written. */
void resp_error(struct request *r);
/* Serialize status line, headers (with the common security headers) and body. */
void resp_serialize(struct request *r, struct buf *out);
const char *http_status_text(int status);

/* ---------- router ---------- */
enum {
	ROUTE_PUBLIC = 0,
	ROUTE_AUTH = 1 << 0,          /* bearer token required (401 otherwise) */
	ROUTE_CORS_PUBLIC = 1 << 1,   /* Access-Control-Allow-Origin: * (conventions.md §9) */
	ROUTE_AUTH_OPTIONAL = 1 << 2, /* principal filled when a valid token is sent */
};
typedef int (*handler_fn)(struct request *r);
struct route {
	const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char
	    *pattern; /* "/api/v1/patients/{id}": {name} is an int64 id (else 404),
	                 {name:s} any non-empty segment, a trailing "/?" makes the slash optional */
	handler_fn handler;
	unsigned flags;
};
/* Route tables of each layer, terminated by an entry with method NULL. */
struct route_table {
	const struct route *routes;
};
enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD };
/* Find the route for r->method and r->path among tables (NULL-terminated array of tables).
 * On ROUTE_NO_METHOD, allow (if not NULL) receives the "GET, POST" list of the path. */
enum route_match router_match(const struct route *const *tables, struct request *r,
                              const struct route **found, struct buf *allow);
/* Lower-level: does pattern match path? Fills r->path_params. */
bool route_pattern_match(const char *pattern, const char *path, struct request *r);

/* ---------- paging links (conventions.md §3.3) ---------- */
/* Absolute URL of the current path with the query re-encoded, `page` replaced by page
 * (0 = no page parameter), keys sorted. */
char *page_link(struct request *r, int64_t page);

#endif
