/* GET /o/authorize/ (oauth.md §5.1): authorization-code requests from a browser session. */
#include "auth/auth_int.h"

#include <string.h>

/* Append key=value (form-encoded) to a URL that may already have a query. */
static void add_param(struct buf *b, bool *first, const char *k, const char *v)
{
	buf_putc(b, *first ? (strchr(b->data, '?') ? '&' : '?') : '&');
	*first = false;
	url_encode(b, k);
	buf_putc(b, '=');
	url_encode(b, v);
}

static int redirect_error(struct request *r, const char *uri, const char *state, const char *code,
                          const char *desc)
{
	struct buf *b = buf_new(r->arena, 256);
	buf_puts(b, uri);
	bool first = true;
	add_param(b, &first, "error", code);
	if (desc)
		add_param(b, &first, "error_description", desc);
	if (state)
		add_param(b, &first, "state", state);
	resp_header(r, "Cache-Control", "no-store");
	resp_redirect(r, 302, b->data);
	return 0;
}

static bool b64url_chars(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return false;
	return true;
}

/* /o/authorize/?<query without prompt=login>, percent-encoded as a login `next`. */
static char *login_next(struct request *r)
{
	struct buf *q = buf_new(r->arena, strlen(r->query) + 16);
	char *copy = arena_strdup(r->arena, r->query);
	char *save = NULL;
	for (char *p = strtok_r(copy, "&", &save); p; p = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(p, '=');
		const char *k =
		    url_decode(r->arena, p, eq ? (size_t)(eq - p) : strlen(p), true, false);
		const char *v = eq ? url_decode(r->arena, eq + 1, strlen(eq + 1), true, false) : "";
		if (!strcmp(k, "prompt") && !strcmp(v, "login"))
			continue;
		if (q->len)
			buf_putc(q, '&');
		buf_puts(q, p);
	}
	char *target = arena_printf(r->arena, "%s%s%s", r->path, q->len ? "?" : "", q->data);
	struct buf *b = buf_new(r->arena, strlen(target) * 3 + 32);
	buf_puts(b, "/accounts/login/?next=");
	buf_puts(b, auth_pct_encode(r->arena, target));
	return b->data;
}

static int authorize(struct request *r)
{
	struct err e = {0};
	const char *client_id = req_param(r, "client_id");
	struct auth_client c;
	int rc = client_id && strlen(client_id) <= 200
	             ? store_auth_client(r->arena, client_id, &c, &e)
	             : 1;
	if (rc < 0)
		return fail_err(r, &e);
	if (rc > 0)
		return auth_html_fail(r, 400, "Unknown client.");
	/* 2. redirect URI */
	const char *want = req_param(r, "redirect_uri");
	const char *uri = NULL;
	int n_registered = 0;
	char *list = arena_strdup(r->arena, c.redirect_uris), *save = NULL;
	const char *only = NULL;
	for (char *u = strtok_r(list, " \t\n", &save); u; u = strtok_r(NULL, " \t\n", &save)) {
		n_registered++;
		only = u;
		if (want && !uri && auth_redirect_uri_matches(u, want))
			uri = want;
	}
	if (!want && n_registered == 1)
		uri = only;
	if (!auth_redirect_uri_valid(uri))
		return auth_html_fail(r, 400, "Invalid redirect URI.");
	/* 3. errors by redirect */
	const char *state = req_param(r, "state");
	const char *rt = req_param(r, "response_type");
	if (!rt || strcmp(rt, "code") != 0)
		return redirect_error(r, uri, state, "unsupported_response_type",
		                      "response_type must be code.");
	if (c.client_credentials)
		return redirect_error(r, uri, state, "unauthorized_client",
		                      "The client may not use the authorization-code grant.");
	const char *rm = req_param(r, "response_mode");
	if (rm && strcmp(rm, "query") != 0)
		return redirect_error(r, uri, state, "invalid_request",
		                      "response_mode must be query.");
	const char *challenge = req_param(r, "code_challenge");
	if (!challenge || !*challenge)
		return redirect_error(r, uri, state, "invalid_request",
		                      "code_challenge is required.");
	const char *method = req_param(r, "code_challenge_method");
	if (!method || strcmp(method, "S256") != 0)
		return redirect_error(r, uri, state, "invalid_request",
		                      "code_challenge_method must be S256.");
	if (!b64url_chars(challenge, 43))
		return redirect_error(r, uri, state, "invalid_request",
		                      "code_challenge must be 43 characters of base64url.");
	const char *scope = req_param(r, "scope");
	char *granted;
	const char *bad;
	if (authz_scope_grant(r->arena, scope, SCOPE_GRANT_CODE, false, &granted, &bad))
		return redirect_error(r, uri, state, "invalid_scope",
		                      arena_printf(r->arena, "Scope \"%s\" is not allowed.", bad));
	const char *nonce = req_param(r, "nonce");
	if (nonce && strlen(nonce) > 512)
		return redirect_error(r, uri, state, "invalid_request", "nonce is too long.");
	if (state && strlen(state) > 2048)
		return redirect_error(r, uri, state, "invalid_request", "state is too long.");
	/* 4. session */
	const char *prompt = req_param(r, "prompt");
	const char *sid = auth_cookie(r, "sessionid");
	struct auth_session s = {0};
	int have = 1;
	if (sid && *sid && strlen(sid) < 200) {
		unsigned char d[32];
		sha256(sid, strlen(sid), d);
		have = store_session_get(r->arena, d, &s, &e);
		if (have < 0)
			return fail_err(r, &e);
	}
	bool force_login = prompt && authz_scope_has(prompt, "login");
	if (have != 0 || force_login) {
		if (prompt && authz_scope_has(prompt, "none"))
			return redirect_error(r, uri, state, "login_required",
			                      "The user is not logged in.");
		resp_header(r, "Cache-Control", "no-store");
		resp_redirect(r, 302, login_next(r));
		return 0;
	}
	struct auth_user u;
	rc = store_auth_user_by_id(r->arena, s.user_id, &u, &e);
	if (rc < 0)
		return fail_err(r, &e);
	if (rc > 0 || !u.is_active) {
		resp_header(r, "Cache-Control", "no-store");
		resp_redirect(r, 302, login_next(r));
		return 0;
	}
	if (authz_scope_grant(r->arena, scope, SCOPE_GRANT_CODE, auth_is_patient_user(&u), &granted,
	                      &bad))
		return redirect_error(r, uri, state, "invalid_scope", "Scope not allowed.");
	/* 5. the code */
	char *code = random_token(r->arena, 32);
	unsigned char cd[32];
	sha256(code, strlen(code), cd);
	struct auth_code_new nc = {
	    .application_id = c.id,
	    .user_id = u.id,
	    .redirect_uri = uri,
	    .redirect_uri_in_request = want != NULL,
	    .scope = granted,
	    .challenge = challenge,
	    .nonce = nonce,
	    .auth_time = s.auth_time,
	};
	if (store_code_create(r->arena, cd, &nc, NULL, &e))
		return fail_err(r, &e);
	struct buf *b = buf_new(r->arena, 256);
	buf_puts(b, uri);
	bool first = true;
	add_param(b, &first, "code", code);
	if (state)
		add_param(b, &first, "state", state);
	resp_header(r, "Cache-Control", "no-store");
	resp_redirect(r, 302, b->data);
	return 0;
}

static int authorize_post(struct request *r)
{
	oauth_fail(r, 405, "invalid_request", "Method \"POST\" not allowed.");
	r->err.allow = "GET, HEAD, OPTIONS";
	return -1;
}

const struct route auth_authorize_routes[] = {
    {"GET", "/o/authorize/?", authorize, ROUTE_CORS_PUBLIC},
    {"POST", "/o/authorize/?", authorize_post, ROUTE_CORS_PUBLIC},
    {NULL, NULL, NULL, 0},
};
