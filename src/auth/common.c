/* Shared pieces of the auth endpoints: HTML pages, OAuth errors, audit rows, cookies, client
 * authentication (oauth.md §2.2). */
#include "auth/auth_int.h"

#include <string.h>
#include <strings.h>

const char *auth_setting(struct request *r, const char *key, const char *def)
{
	struct err e = {0};
	const char *v = store_setting_text(r->arena, key, &e);
	return v && *v ? v : def;
}

int auth_html_fail(struct request *r, int status, const char *message)
{
	/* the title's setting is read outside a failed transaction */
	if (db_in_transaction())
		db_rollback();
	const char *site = auth_setting(r, "site.ui.title", "JupyterHealth Exchange");
	memset(&r->err, 0, sizeof(r->err));
	r->err.kind = err_kind_of_status(status);
	r->err.status = status;
	r->err.format = ERR_FORMAT_HTML;
	r->err.msg = message;
	r->err.title = arena_printf(r->arena, "Error | %s", site);
	return -1;
}

int oauth_fail(struct request *r, int status, const char *code, const char *desc)
{
	memset(&r->err, 0, sizeof(r->err));
	r->err.kind = err_kind_of_status(status);
	r->err.status = status;
	r->err.format = ERR_FORMAT_OAUTH;
	r->err.code = code;
	r->err.msg = desc;
	return -1;
}

int oauth_form(struct request *r, struct kvlist *form)
{
	if (!auth_form(r, form))
		return oauth_fail(r, 400, "invalid_request",
		                  "The body must be application/x-www-form-urlencoded.");
	return 0;
}

const char *oauth_required(struct request *r, const struct kvlist *form, const char *name)
{
	const char *v = kv_get(form, name);
	if (!v || !*v) {
		oauth_fail(r, 400, "invalid_request",
		           arena_printf(r->arena, "%s is required.", name));
		return NULL;
	}
	return v;
}

int oauth_store_error(struct request *r, const struct err *e)
{
	struct err in = *e; /* e may be r->err */
	/* the database rejected a client value (e.g. invalid UTF-8 in a form field): not a 500 */
	if (in.kind == ERR_BAD_REQUEST) {
		oauth_fail(r, 400, "invalid_request", in.msg ? in.msg : "Invalid value.");
		r->err.log = in.log;
		return -1;
	}
	if (in.log || in.msg)
		log_error("request %s: %s", r->request_id, in.log ? in.log : in.msg);
	if (in.kind == ERR_UNAVAILABLE)
		return oauth_fail(r, 503, "temporarily_unavailable", NULL);
	return oauth_fail(r, 500, "server_error", NULL);
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

const char *auth_fhir_user(struct request *r, bool patient_user, int64_t patient_id,
                           int64_t practitioner_id)
{
	if (patient_user)
		return arena_printf(r->arena, "%s/FHIR/R5/Patient/%lld", r->origin,
		                    (long long)patient_id);
	if (practitioner_id)
		return arena_printf(r->arena, "%s/FHIR/R5/Practitioner/%lld", r->origin,
		                    (long long)practitioner_id);
	return NULL;
}

bool auth_session_digest(struct request *r, unsigned char d[32])
{
	const char *sid = auth_cookie(r, "sessionid");
	if (!sid || !*sid || strlen(sid) >= 200)
		return false;
	sha256(sid, strlen(sid), d);
	return true;
}

bool auth_b64url_token(const char *s, size_t len)
{
	if (!s || strlen(s) != len)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

char *auth_code_issue(struct request *r, const struct auth_code_new *nc, char **expires,
                      struct err *e)
{
	char *code = random_token(r->arena, 32);
	unsigned char cd[32];
	sha256(code, strlen(code), cd);
	if (store_code_create(r->arena, cd, nc, expires, e))
		return NULL;
	return code;
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

static int invalid_client(struct request *r, bool basic)
{
	oauth_fail(r, 401, "invalid_client", "Client authentication failed.");
	if (basic)
		r->err.www_authenticate = "Basic realm=\"jhe\"";
	return -1;
}

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
	return invalid_client(r, basic);
}

/* The client id and secret of an Authorization: Basic header (form-decoded), or -1 with the
 * error in r->err when the header is not a valid one. */
static int basic_credentials(struct request *r, const char *h, const char **id, const char **secret)
{
	const char *v = h + 6;
	while (*v == ' ')
		v++;
	size_t n = strlen(v);
	if (n > 1024)
		return client_fail(r, NULL, 0, true);
	unsigned char *dec = arena_alloc(r->arena, base64_decoded_max(n) + 1);
	long dl = base64_decode(v, n, dec);
	char *colon = dl > 0 ? memchr(dec, ':', (size_t)dl) : NULL;
	if (dl <= 0 || !colon || memchr(dec, 0, (size_t)dl))
		return client_fail(r, NULL, 0, true);
	dec[dl] = 0;
	*colon = 0;
	*id = url_decode(r->arena, (char *)dec, strlen((char *)dec), true, false);
	*secret = url_decode(r->arena, colon + 1, strlen(colon + 1), true, false);
	return 0;
}

/* The client id and secret of the request (header or form), checked for mixing methods. */
static int client_credentials(struct request *r, struct kvlist *form, bool *basic,
                              const char **client_id, const char **secret)
{
	const char *h = req_header(r, "Authorization");
	const char *basic_id = NULL, *basic_secret = NULL;
	*basic = h && strncasecmp(h, "Basic ", 6) == 0;
	if (*basic && basic_credentials(r, h, &basic_id, &basic_secret))
		return -1;
	const char *form_id = kv_get(form, "client_id");
	const char *form_secret = kv_get(form, "client_secret");
	if (kv_count(form, "client_id") > 1 || kv_count(form, "client_secret") > 1)
		return oauth_fail(r, 400, "invalid_request", "Repeated client parameters.");
	if (*basic && form_secret)
		return oauth_fail(r, 400, "invalid_request",
		                  "Use only one client authentication method.");
	if (*basic && form_id && strcmp(form_id, basic_id) != 0)
		return oauth_fail(r, 400, "invalid_request",
		                  "client_id does not match the authenticated client.");
	*client_id = *basic ? basic_id : form_id;
	*secret = *basic ? basic_secret : form_secret;
	return 0;
}

int auth_client_authenticate(struct request *r, struct kvlist *form, struct auth_client *out)
{
	bool basic;
	const char *client_id, *secret;
	if (client_credentials(r, form, &basic, &client_id, &secret))
		return -1;
	if (!client_id || !*client_id)
		return invalid_client(r, basic);
	if (strlen(client_id) > 200)
		return client_fail(r, NULL, 0, basic);
	struct err e = {0};
	const char *key = arena_printf(r->arena, "client:%s", client_id);
	long wait = 0;
	if (store_throttle_wait(r->arena, key, 5, &wait, &e))
		return oauth_store_error(r, &e);
	if (wait > 0) {
		oauth_fail(r, 429, "slow_down",
		           arena_printf(r->arena,
		                        "Too many failed attempts. Try again in %ld seconds.",
		                        wait));
		r->err.retry_after = wait;
		return -1;
	}
	int rc = store_auth_client(r->arena, client_id, out, &e);
	if (rc < 0)
		return oauth_store_error(r, &e);
	if (rc > 0)
		return client_fail(r, client_id, 0, basic);
	if (!out->confidential)
		return secret ? oauth_fail(r, 400, "invalid_request",
		                           "A public client must not send a secret.")
		              : 0;
	if (!secret || !out->has_secret)
		return client_fail(r, client_id, out->id, basic);
	unsigned char d[32];
	sha256(secret, strlen(secret), d);
	if (!ct_equal(d, out->secret_digest, 32) || (out->owner_user_id && !out->owner_active))
		return client_fail(r, client_id, out->id, basic);
	if (store_throttle_clear(r->arena, key, &e))
		return oauth_store_error(r, &e);
	return 0;
}
