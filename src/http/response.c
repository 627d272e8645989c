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

const char *fhir_issue_code(int status)
{
	switch (status) {
	case 400:
		return "invalid";
	case 401:
		return "login";
	case 403:
		return "forbidden";
	case 404:
		return "not-found";
	case 405:
		return "not-supported";
	case 406:
		return "not-supported";
	case 409:
		return "duplicate";
	case 410:
		return "deleted";
	case 412:
		return "multiple-matches";
	case 413:
		return "too-costly";
	case 415:
		return "not-supported";
	case 422:
		return "processing";
	case 429:
		return "throttled";
	case 503:
		return "transient";
	default:
		return "exception";
	}
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

static void write_operation_outcome(struct request *r, int status, const char *msg)
{
	struct buf *b = buf_new(r->arena, 256);
	struct jw w;
	jw_init(&w, b);
	fhir_outcome(&w, status >= 500 ? "fatal" : "error",
	             r->err.code ? r->err.code : fhir_issue_code(status), msg, r->err.expression);
	resp_body(r, status, "application/fhir+json", b);
}

void resp_error(struct request *r)
{
	struct err *e = &r->err;
	int status = err_http_status(e);
	const char *msg = e->msg;
	if (status == 500) {
		if (e->log)
			log_error("request %s: %s", r->request_id, e->log);
		msg = arena_printf(r->arena, "Internal server error (request %s).", r->request_id);
		e->body = NULL;
	} else if (e->log) {
		log_info("request %s: %s", r->request_id, e->log);
	}
	if (status == 503) {
		msg = "Service temporarily unavailable.";
		if (!e->retry_after)
			e->retry_after = 5;
		e->body = NULL;
	}
	if (!msg)
		msg = http_status_text(status);
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
	switch (r->area) {
	case AREA_FHIR:
		write_operation_outcome(r, status, msg);
		return;
	case AREA_OAUTH: {
		/* RFC 6749 §5.2 body; an error without its own code (a value the database refused,
		 * a failure of the server) gets the code of its status */
		const char *code = e->code         ? e->code
		                   : status == 400 ? "invalid_request"
		                   : status == 500 ? "server_error"
		                   : status == 503 ? "temporarily_unavailable"
		                                   : NULL;
		if (code) {
			struct buf *b = buf_new(r->arena, 128);
			struct jw w;
			jw_init(&w, b);
			jw_obj_begin(&w);
			jw_kstr(&w, "error", code);
			if (msg && !e->body)
				jw_kstr(&w, "error_description", msg);
			jw_obj_end(&w);
			resp_json(r, status, b);
			return;
		}
		break;
	}
	default:
		break;
	}
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

const char *http_status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 303:
		return "See Other";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 412:
		return "Precondition Failed";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
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
