/* Responses, and the one mapping from an error value to a status and a body per area. */
#include "http/http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void resp_header(struct request *r, const char *name, const char *value)
{
	kv_add(r->arena, &r->resp.headers, name, value);
}

void resp_body(struct request *r, int status, const char *content_type, struct buf *body)
{
	r->resp.status = status;
	r->resp.content_type = content_type;
	r->resp.body = body;
}

void resp_json(struct request *r, int status, struct buf *body)
{
	resp_body(r, status, "application/json", body);
}

void resp_json_str(struct request *r, int status, const char *json)
{
	struct buf *b = buf_new(r->arena, strlen(json) + 1);
	buf_puts(b, json);
	resp_json(r, status, b);
}

void resp_empty(struct request *r, int status)
{
	resp_body(r, status, NULL, NULL);
}

void resp_detail(struct request *r, int status, const char *detail)
{
	struct buf *b = buf_new(r->arena, 64 + strlen(detail));
	buf_puts(b, "{\"detail\":");
	json_escape(b, detail, strlen(detail));
	buf_putc(b, '}');
	resp_json(r, status, b);
}

void resp_redirect(struct request *r, int status, const char *location)
{
	resp_header(r, "Location", location);
	resp_body(r, status, NULL, NULL);
}

/* The one table of statuses: reason phrase and FHIR issue code (fhir.md §10.1). */
static const struct {
	int status;
	const char *text;
	const char *issue;
} statuses[] = {
    {200, "OK", NULL},
    {201, "Created", NULL},
    {204, "No Content", NULL},
    {301, "Moved Permanently", NULL},
    {302, "Found", NULL},
    {303, "See Other", NULL},
    {304, "Not Modified", NULL},
    {400, "Bad Request", "invalid"},
    {401, "Unauthorized", "login"},
    {403, "Forbidden", "forbidden"},
    {404, "Not Found", "not-found"},
    {405, "Method Not Allowed", "not-supported"},
    {406, NULL, "not-supported"},
    {409, "Conflict", "duplicate"},
    {410, "Gone", "deleted"},
    {412, "Precondition Failed", "multiple-matches"},
    {413, "Payload Too Large", "too-costly"},
    {415, "Unsupported Media Type", "not-supported"},
    {422, "Unprocessable Entity", "processing"},
    {429, "Too Many Requests", "throttled"},
    {500, "Internal Server Error", NULL},
    {503, "Service Unavailable", "transient"},
};

const char *fhir_issue_code(int status)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == status && statuses[i].issue)
			return statuses[i].issue;
	return "exception";
}

const char *http_status_text(int status)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == status && statuses[i].text)
			return statuses[i].text;
	return "Unknown";
}

void fhir_outcome(struct jw *w, const char *severity, const char *code, const char *diag,
                  const char *expression)
{
	jw_obj_begin(w);
	jw_kstr(w, "resourceType", "OperationOutcome");
	jw_key(w, "issue");
	jw_arr_begin(w);
	jw_obj_begin(w);
	jw_kstr(w, "severity", severity);
	jw_kstr(w, "code", code);
	if (expression) {
		jw_key(w, "expression");
		jw_arr_begin(w);
		jw_str(w, expression);
		jw_arr_end(w);
	}
	jw_kstr(w, "diagnostics", diag);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
}

char *html_escape(struct arena *a, const char *s)
{
	static const char *const ents[256] = {
	    ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#x27;",
	};
	if (!s)
		return arena_strdup(a, "");
	struct buf *b = buf_new(a, strlen(s) + 16);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (ents[*p])
			buf_puts(b, ents[*p]);
		else
			buf_putc(b, (char)*p);
	}
	return b->data;
}

#define HTML_CSP                                                                                   \
	"default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; "           \
	"base-uri 'none'"

void resp_no_store(struct request *r)
{
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "Pragma", "no-cache");
}

void resp_html_page(struct request *r, int status, const char *title, const char *body_html)
{
	struct buf *b = buf_new(r->arena, 1024 + strlen(body_html));
	buf_printf(b,
	           "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	           "<title>%s</title>\n</head>\n<body>\n<main>\n%s</main>\n</body>\n</html>\n",
	           html_escape(r->arena, title), body_html);
	resp_header(r, "Content-Security-Policy", HTML_CSP);
	resp_header(r, "Cache-Control", "no-store");
	resp_body(r, status, "text/html; charset=utf-8", b);
}

/* ---------- the error writer ---------- */

static void write_operation_outcome(struct request *r, int status, const char *msg)
{
	struct buf *b = buf_new(r->arena, 256);
	struct jw w;
	jw_init(&w, b);
	fhir_outcome(&w, status >= 500 ? "fatal" : "error",
	             r->err.code ? r->err.code : fhir_issue_code(status), msg, r->err.expression);
	resp_body(r, status, "application/fhir+json", b);
}

/* RFC 6749 §5.2 code of an error without its own (a value the database refused, a failure of
 * the server): the code of its status, NULL when the status has none. */
static const char *oauth_code(const struct err *e, int status)
{
	return e->code         ? e->code
	       : status == 400 ? "invalid_request"
	       : status == 500 ? "server_error"
	       : status == 503 ? "temporarily_unavailable"
	                       : NULL;
}

static void write_oauth(struct request *r, int status, const char *code, const char *desc)
{
	struct buf *b = buf_new(r->arena, 128);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kstr(&w, "error", code);
	if (desc)
		jw_kstr(&w, "error_description", desc);
	jw_obj_end(&w);
	resp_json(r, status, b);
}

static void write_html(struct request *r, int status, const char *msg)
{
	const struct err *e = &r->err;
	char *body = arena_printf(r->arena, "<h1>%s</h1>\n<p>%s</p>\n",
	                          html_escape(r->arena, http_status_text(status)),
	                          html_escape(r->arena, msg));
	resp_html_page(r, status, e->title ? e->title : http_status_text(status), body);
}

/* The Admin API's bodies (and those of every path outside the other areas). */
static void write_detail(struct request *r, int status, const char *msg)
{
	const struct err *e = &r->err;
	if (e->body && status < 500) {
		resp_json_str(r, status, e->body);
		return;
	}
	if (status == 400 && r->area == AREA_API) {
		/* every 400 of /api/v1 is ["..."] or {"field": [...]} (conventions.md §4.1) */
		struct buf *b = buf_new(r->arena, 64 + strlen(msg));
		buf_putc(b, '[');
		json_escape(b, msg, strlen(msg));
		buf_putc(b, ']');
		resp_json(r, status, b);
		return;
	}
	resp_detail(r, status, msg);
}

/* The client's message: the error's own, a fixed one for 500 and 503 (nothing of a failure of
 * the server reaches the client), NULL when an OAuth error has none. Logs the error. */
static const char *client_message(struct request *r, int status)
{
	struct err *e = &r->err;
	if (status == 500) {
		if (e->log)
			log_error("request %s: %s", r->request_id, e->log);
		return arena_printf(r->arena, "Internal server error (request %s).", r->request_id);
	}
	if (e->log)
		log_info("request %s: %s", r->request_id, e->log);
	if (status == 503)
		return "Service temporarily unavailable.";
	if (!e->msg && e->format != ERR_FORMAT_OAUTH)
		return http_status_text(status);
	return e->msg;
}

static void error_headers(struct request *r, int status)
{
	struct err *e = &r->err;
	if (status == 503 && !e->retry_after)
		e->retry_after = 5;
	if (status == 401 && !e->www_authenticate && r->area != AREA_OAUTH && r->area != AREA_HTML)
		e->www_authenticate = r->auth_failed_invalid
		                          ? "Bearer realm=\"api\", error=\"invalid_token\""
		                          : "Bearer realm=\"api\"";
	if (e->www_authenticate)
		resp_header(r, "WWW-Authenticate", e->www_authenticate);
	if (e->allow)
		resp_header(r, "Allow", e->allow);
	if (e->retry_after > 0)
		resp_header(r, "Retry-After", arena_printf(r->arena, "%ld", e->retry_after));
}

void resp_error(struct request *r)
{
	struct err *e = &r->err;
	int status = err_http_status(e);
	const char *msg = client_message(r, status);
	if ((status == 500 || status == 503) && e->format != ERR_FORMAT_JSON)
		e->body = NULL;
	error_headers(r, status);
	switch (e->format) {
	case ERR_FORMAT_OAUTH:
		resp_no_store(r);
		write_oauth(r, status, oauth_code(e, status), msg);
		return;
	case ERR_FORMAT_HTML:
		write_html(r, status, msg);
		return;
	case ERR_FORMAT_JSON:
		resp_json_str(r, status, e->body);
		return;
	case ERR_FORMAT_AREA:
		break;
	}
	switch (r->area) {
	case AREA_FHIR:
		write_operation_outcome(r, status, msg);
		return;
	case AREA_OAUTH:
		if (oauth_code(e, status)) {
			write_oauth(r, status, oauth_code(e, status), e->body ? NULL : msg);
			return;
		}
		break;
	default:
		break;
	}
	write_detail(r, status, msg);
}

static bool has_header(const struct request *r, const char *name)
{
	for (size_t i = 0; i < r->resp.headers.n; i++)
		if (strcasecmp(r->resp.headers.items[i].key, name) == 0)
			return true;
	return false;
}

void resp_serialize(struct request *r, struct buf *out)
{
	const struct response *s = &r->resp;
	buf_printf(out, "Status: %d %s\r\n", s->status, http_status_text(s->status));
	for (size_t i = 0; i < s->headers.n; i++)
		buf_printf(out, "%s: %s\r\n", s->headers.items[i].key, s->headers.items[i].value);
	if (s->content_type)
		buf_printf(out, "Content-Type: %s\r\n", s->content_type);
	buf_printf(out, "X-Request-ID: %s\r\n", r->request_id ? r->request_id : "-");
	buf_puts(out, "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n");
	if (!has_header(r, "Referrer-Policy"))
		buf_puts(out, "Referrer-Policy: no-referrer\r\n");
	if (s->content_type && !has_header(r, "Content-Security-Policy") &&
	    (str_starts(s->content_type, "application/json") ||
	     str_starts(s->content_type, "application/fhir+json")))
		buf_puts(out,
		         "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n");
	if (!has_header(r, "Cache-Control") &&
	    (r->area == AREA_API || r->area == AREA_FHIR || r->area == AREA_HTML))
		buf_puts(out, "Cache-Control: no-store\r\n");
	size_t blen = s->body && !r->is_head ? s->body->len : 0;
	if (s->content_type || blen)
		buf_printf(out, "Content-Length: %zu\r\n", s->body ? s->body->len : (size_t)0);
	buf_puts(out, "\r\n");
	if (blen)
		buf_append(out, s->body->data, blen);
}
