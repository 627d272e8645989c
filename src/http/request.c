/* Request accessors, public origin, body parsing. */
#include "http/http.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *req_env(const struct request *r, const char *name)
{
	if (!r->env)
		return NULL;
	size_t n = strlen(name);
	for (char **e = r->env; *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

const char *req_header(const struct request *r, const char *name)
{
	char key[128] = "HTTP_";
	size_t n = strlen(name);
	if (n + 6 > sizeof(key))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		key[5 + i] = c == '-' ? '_' : (char)toupper((unsigned char)c);
	}
	key[5 + n] = 0;
	if (strcmp(key, "HTTP_CONTENT_TYPE") == 0)
		return req_env(r, "CONTENT_TYPE");
	if (strcmp(key, "HTTP_CONTENT_LENGTH") == 0)
		return req_env(r, "CONTENT_LENGTH");
	return req_env(r, key);
}

const char *req_param(const struct request *r, const char *key)
{
	return kv_get_last(&r->params, key);
}

int64_t req_path_id(const struct request *r, const char *name)
{
	for (int i = 0; i < r->n_path_params; i++)
		if (strcmp(r->path_params[i].name, name) == 0)
			return r->path_params[i].id;
	return 0;
}

const char *req_path_str(const struct request *r, const char *name)
{
	for (int i = 0; i < r->n_path_params; i++)
		if (strcmp(r->path_params[i].name, name) == 0)
			return r->path_params[i].str;
	return NULL;
}

static const char *first_value(struct arena *a, const char *v)
{
	if (!v || !*v)
		return NULL;
	const char *comma = strchr(v, ',');
	size_t n = comma ? (size_t)(comma - v) : strlen(v);
	while (n > 0 && isspace((unsigned char)*v)) {
		v++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		n--;
	return n ? arena_strndup(a, v, n) : NULL;
}

void req_init_origin(struct request *r)
{
	const char *scheme = first_value(r->arena, req_header(r, "X-Forwarded-Proto"));
	if (!scheme) {
		const char *https = req_env(r, "HTTPS");
		scheme = https && strcasecmp(https, "on") == 0 ? "https" : "http";
	}
	const char *host = first_value(r->arena, req_header(r, "X-Forwarded-Host"));
	if (!host)
		host = req_header(r, "Host");
	if (!host)
		host = req_env(r, "SERVER_NAME");
	if (!host)
		host = "localhost";
	r->scheme = scheme;
	r->host = host;
	r->origin = arena_printf(r->arena, "%s://%s", scheme, host);
	const char *addr = first_value(r->arena, req_header(r, "X-Forwarded-For"));
	r->remote_addr = addr ? addr : req_env(r, "REMOTE_ADDR");
	const char *rid = req_header(r, "X-Request-ID");
	if (!rid)
		rid = req_env(r, "REQUEST_ID");
	if (!rid)
		rid = random_token(r->arena, 12);
	r->request_id = rid;
}

const char *req_log_path(const struct request *r)
{
	static const char inv[] = "/api/v1/invitation/";
	const char *p = r->path ? r->path : "-";
	int64_t id;
	if (str_starts(p, inv) && p[sizeof(inv) - 1] && !str_to_i64(p + sizeof(inv) - 1, &id))
		return "/api/v1/invitation/<redacted>";
	return p;
}

void req_audit_row(const struct request *r, struct audit_row *row, const char *action,
                   const char *resource_type, const char *resource_id, int64_t patient_id,
                   int outcome, const char *detail)
{
	*row = (struct audit_row){
	    .user_id = r->principal ? r->principal->user_id : 0,
	    .oauth_client_id = r->principal ? r->principal->oauth_client_id : NULL,
	    .action = action,
	    .resource_type = resource_type,
	    .resource_id = resource_id,
	    .patient_id = patient_id,
	    .outcome = outcome,
	    .source_address = r->remote_addr,
	    .request_id = r->request_id,
	    .method = r->is_head ? "HEAD" : r->method,
	    .path = req_log_path(r),
	    .detail = detail,
	};
}

static bool media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);
	if (strncasecmp(ct, type, n) != 0)
		return false;
	return ct[n] == 0 || ct[n] == ';' || ct[n] == ' ';
}

static const char *media_type_only(struct arena *a, const char *ct)
{
	const char *semi = strchr(ct, ';');
	size_t n = semi ? (size_t)(semi - ct) : strlen(ct);
	while (n > 0 && ct[n - 1] == ' ')
		n--;
	return arena_strndup(a, ct, n);
}

/* True when the JSON text has a \u0000 escape (not an escaped backslash followed by "u0000"):
 * a NUL would silently cut the value at the C layer, and PostgreSQL text cannot hold it. */
static bool has_nul_escape(const char *s, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && s[i + 2] == '0' && s[i + 3] == '0' && s[i + 4] == '0' &&
		    s[i + 5] == '0')
			return true;
		i++; /* skip the escaped character (also a second backslash) */
	}
	return false;
}

json_object *req_json_body(struct request *r, bool allow_empty)
{
	if (r->json_body_cache)
		return r->json_body_cache;
	const char *ct = r->content_type;
	if (ct && *ct) {
		bool ok = media_is(ct, "application/json") ||
		          (r->area == AREA_FHIR && media_is(ct, "application/fhir+json"));
		if (!ok) {
			fail_withf(r, ERR_MEDIA_TYPE, "Unsupported media type \"%s\" in request.",
			           media_type_only(r->arena, ct));
			return NULL;
		}
	}
	if (r->body_len == 0) {
		if (allow_empty)
			return NULL;
		fail_body(r, ERR_BAD_REQUEST,
		          "[\"JSON parse error - Expecting value: line 1 column 1 (char 0)\"]");
		r->err.msg = "JSON parse error - empty body";
		return NULL;
	}
	if (!utf8_valid(r->body, r->body_len)) {
		fail_body(r, ERR_BAD_REQUEST, "[\"Request body is not valid UTF-8.\"]");
		r->err.msg = "Request body is not valid UTF-8.";
		return NULL;
	}
	char err[256];
	bool deep = false;
	json_object *o = json_parse(r->arena, r->body, r->body_len, err, sizeof(err), &deep);
	if (!o) {
		const char *m = deep ? "JSON nesting too deep."
		                     : arena_printf(r->arena, "JSON parse error - %s", err);
		struct buf *b = buf_new(r->arena, 128);
		buf_putc(b, '[');
		json_escape(b, m, strlen(m));
		buf_putc(b, ']');
		fail_body(r, ERR_BAD_REQUEST, b->data);
		r->err.msg = m;
		return NULL;
	}
	if (has_nul_escape(r->body, r->body_len)) {
		fail_body(r, ERR_BAD_REQUEST, "[\"Null characters are not allowed.\"]");
		r->err.msg = "Null characters are not allowed.";
		return NULL;
	}
	if (r->area == AREA_API)
		o = json_keys_to_snake(o);
	r->json_body_cache = o;
	return o;
}

int req_check_param_count(struct request *r)
{
	size_t n = r->params.n;
	if (n <= HTTP_MAX_PARAMS && r->content_type &&
	    media_is(r->content_type, "application/x-www-form-urlencoded") && r->body)
		n = query_pieces(r->body, r->body_len);
	if (n <= HTTP_MAX_PARAMS)
		return 0;
	return fail_withf(r, ERR_BAD_REQUEST, "Too many parameters (%zu); the maximum is %d.", n,
	                  HTTP_MAX_PARAMS);
}

bool req_form_body(struct request *r, struct kvlist *out)
{
	if (!r->content_type || !media_is(r->content_type, "application/x-www-form-urlencoded"))
		return false;
	char *copy = arena_strndup(r->arena, r->body ? r->body : "", r->body_len);
	parse_query(r->arena, copy, out);
	return true;
}

int fail_with(struct request *r, enum err_kind kind, const char *client_msg)
{
	memset(&r->err, 0, sizeof(r->err));
	r->err.kind = kind;
	r->err.msg = client_msg;
	return -1;
}

int fail_withf(struct request *r, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[1024];
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	return fail_with(r, kind, arena_strdup(r->arena, tmp));
}

int fail_body(struct request *r, enum err_kind kind, const char *json_body)
{
	memset(&r->err, 0, sizeof(r->err));
	r->err.kind = kind;
	r->err.body = json_body;
	r->err.msg = json_body;
	return -1;
}

int fail_method(struct request *r, const char *allow)
{
	fail_withf(r, ERR_METHOD, "Method \"%s\" not allowed.", r->is_head ? "HEAD" : r->method);
	r->err.allow = allow;
	return -1;
}

int fail_err(struct request *r, const struct err *e)
{
	r->err = *e;
	if (r->err.kind == ERR_NONE)
		r->err.kind = ERR_INTERNAL;
	return -1;
}
