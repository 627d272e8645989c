/* Shared pieces of the auth endpoints: HTML pages, OAuth errors, audit rows, cookies, client
 * authentication (oauth.md §2.2). */
#include "auth/auth_int.h"

#include <string.h>
#include <strings.h>

#define HTML_CSP                                                                                   \
	"default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; "           \
	"base-uri 'none'"

char *html_escape(struct arena *a, const char *s)
{
	if (!s)
		return arena_strdup(a, "");
	struct buf *b = buf_new(a, strlen(s) + 16);
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case '&':
			buf_puts(b, "&amp;");
			break;
		case '<':
			buf_puts(b, "&lt;");
			break;
		case '>':
			buf_puts(b, "&gt;");
			break;
		case '"':
			buf_puts(b, "&quot;");
			break;
		case '\'':
			buf_puts(b, "&#x27;");
			break;
		default:
			buf_putc(b, *p);
		}
	}
	return b->data;
}

void auth_html_page(struct request *r, int status, const char *title, const char *body_html)
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

const char *auth_setting(struct request *r, const char *key, const char *def)
{
	struct err e = {0};
	const char *v = store_setting_text(r->arena, key, &e);
	return v && *v ? v : def;
}

int auth_html_error(struct request *r, int status, const char *message)
{
	if (db_in_transaction())
		db_rollback();
	const char *site = auth_setting(r, "site.ui.title", "JupyterHealth Exchange");
	const char *title = arena_printf(r->arena, "Error | %s", site);
	char *body = arena_printf(r->arena, "<h1>%s</h1>\n<p>%s</p>\n",
	                          html_escape(r->arena, http_status_text(status)),
	                          html_escape(r->arena, message));
	auth_html_page(r, status, title, body);
	return 0;
}

void oauth_no_store(struct request *r)
{
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "Pragma", "no-cache");
}

int oauth_error(struct request *r, int status, const char *code, const char *desc)
{
	if (db_in_transaction())
		db_rollback();
	struct buf *b = buf_new(r->arena, 128);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kstr(&w, "error", code);
	if (desc)
		jw_kstr(&w, "error_description", desc);
	jw_obj_end(&w);
	oauth_no_store(r);
	resp_json(r, status, b);
	return 0;
}

int oauth_store_error(struct request *r, const struct err *e)
{
	/* the database rejected a client value (e.g. invalid UTF-8 in a form field): not a 500 */
	if (e->kind == ERR_BAD_REQUEST) {
		if (e->log)
			log_info("request %s: %s", r->request_id, e->log);
		return oauth_error(r, 400, "invalid_request", e->msg ? e->msg : "Invalid value.");
	}
	if (e->log || e->msg)
		log_error("request %s: %s", r->request_id, e->log ? e->log : e->msg);
	if (e->kind == ERR_UNAVAILABLE) {
		resp_header(r, "Retry-After", "5");
		return oauth_error(r, 503, "temporarily_unavailable",
		                   "Service temporarily unavailable.");
	}
	return oauth_error(
	    r, 500, "server_error",
	    arena_printf(r->arena, "Internal server error (request %s).", r->request_id));
}

int auth_audit(struct request *r, const char *action, int64_t user_id, const char *client_id,
               const char *resource_type, const char *resource_id, int64_t patient_id, int outcome,
               const char *detail)
{
	struct audit_row row;
	req_audit_row(r, &row, action, resource_type, resource_id, patient_id, outcome, detail);
	row.user_id = user_id; /* OAuth requests name the user and client themselves */
	row.oauth_client_id = client_id;
	struct err e = {0};
	if (store_audit_insert(r->arena, &row, false, &e)) {
		log_error("request %s: audit row %s not written: %s", r->request_id, action,
		          e.log ? e.log : (e.msg ? e.msg : "?"));
		return -1;
	}
	return 0;
}

const char *auth_cookie(struct request *r, const char *name)
{
	struct kvlist l = {0};
	parse_cookies(r->arena, req_header(r, "Cookie"), &l);
	return kv_get(&l, name);
}

const char *auth_cookie_secure(struct request *r)
{
	return r->scheme && strcmp(r->scheme, "https") == 0 ? "; Secure" : "";
}

bool auth_form(struct request *r, struct kvlist *form)
{
	memset(form, 0, sizeof(*form));
	return req_form_body(r, form);
}

char *auth_issuer(struct request *r)
{
	return arena_printf(r->arena, "%s/o", r->origin);
}

bool auth_is_patient_user(const struct auth_user *u)
{
	return authz_role(u->patient_id, u->practitioner_id, u->is_superuser) == ROLE_PATIENT;
}

/* ---------- client authentication ---------- */

static int client_fail(struct request *r, const char *client_id, int64_t app_id, bool basic)
{
	struct err e = {0};
	if (client_id && strlen(client_id) <= 200) {
		const char *key = arena_printf(r->arena, "client:%s", client_id);
		/* an unrecorded failure would lift the throttle: fail the request instead */
		if (store_throttle_fail(r->arena, key, &e))
			return oauth_store_error(r, &e);
	}
	auth_audit(r, "client.auth_failure", 0, client_id, "Application",
	           app_id ? db_i64(r->arena, app_id) : NULL, 0, 401, NULL);
	if (basic)
		resp_header(r, "WWW-Authenticate", "Basic realm=\"jhe\"");
	return oauth_error(r, 401, "invalid_client", "Client authentication failed.");
}

int auth_client_authenticate(struct request *r, struct kvlist *form, struct auth_client *out)
{
	const char *h = req_header(r, "Authorization");
	const char *basic_id = NULL, *basic_secret = NULL;
	bool basic = false;
	if (h && strncasecmp(h, "Basic ", 6) == 0) {
		basic = true;
		const char *v = h + 6;
		while (*v == ' ')
			v++;
		size_t n = strlen(v);
		if (n > 1024)
			return client_fail(r, NULL, 0, true), 1;
		unsigned char *dec = arena_alloc(r->arena, base64_decoded_max(n) + 1);
		long dl = base64_decode(v, n, dec);
		char *colon = dl > 0 ? memchr(dec, ':', (size_t)dl) : NULL;
		if (dl <= 0 || !colon || memchr(dec, 0, (size_t)dl)) {
			client_fail(r, NULL, 0, true);
			return 1;
		}
		dec[dl] = 0;
		*colon = 0;
		basic_id = url_decode(r->arena, (char *)dec, strlen((char *)dec), true, false);
		basic_secret = url_decode(r->arena, colon + 1, strlen(colon + 1), true, false);
	}
	const char *form_id = kv_get(form, "client_id");
	const char *form_secret = kv_get(form, "client_secret");
	if (kv_count(form, "client_id") > 1 || kv_count(form, "client_secret") > 1)
		return oauth_error(r, 400, "invalid_request", "Repeated client parameters."), 1;
	if (basic && form_secret)
		return oauth_error(r, 400, "invalid_request",
		                   "Use only one client authentication method."),
		       1;
	if (basic && form_id && strcmp(form_id, basic_id) != 0)
		return oauth_error(r, 400, "invalid_request",
		                   "client_id does not match the authenticated client."),
		       1;
	const char *client_id = basic ? basic_id : form_id;
	const char *secret = basic ? basic_secret : form_secret;
	if (!client_id || !*client_id) {
		if (basic)
			resp_header(r, "WWW-Authenticate", "Basic realm=\"jhe\"");
		return oauth_error(r, 401, "invalid_client", "Client authentication failed."), 1;
	}
	if (strlen(client_id) > 200)
		return client_fail(r, NULL, 0, basic), 1;
	struct err e = {0};
	const char *key = arena_printf(r->arena, "client:%s", client_id);
	long wait = 0;
	if (store_throttle_wait(r->arena, key, 5, &wait, &e))
		return oauth_store_error(r, &e), 1;
	if (wait > 0) {
		resp_header(r, "Retry-After", arena_printf(r->arena, "%ld", wait));
		return oauth_error(
		           r, 429, "slow_down",
		           arena_printf(r->arena,
		                        "Too many failed attempts. Try again in %ld seconds.",
		                        wait)),
		       1;
	}
	int rc = store_auth_client(r->arena, client_id, out, &e);
	if (rc < 0)
		return oauth_store_error(r, &e), 1;
	if (rc > 0)
		return client_fail(r, client_id, 0, basic), 1;
	if (!out->confidential) {
		if (secret)
			return oauth_error(r, 400, "invalid_request",
			                   "A public client must not send a secret."),
			       1;
		return 0;
	}
	if (!secret || !out->has_secret)
		return client_fail(r, client_id, out->id, basic), 1;
	unsigned char d[32];
	sha256(secret, strlen(secret), d);
	if (!ct_equal(d, out->secret_digest, 32) || (out->owner_user_id && !out->owner_active))
		return client_fail(r, client_id, out->id, basic), 1;
	if (store_throttle_clear(r->arena, key, &e))
		return oauth_store_error(r, &e), 1;
	return 0;
}
