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

/* 302 to the client's redirect URI with up to two parameters and the state (a NULL value is
 * left out). */
static int redirect_to_client(struct request *r, const char *uri, const char *k1, const char *v1,
                              const char *k2, const char *v2, const char *state)
{
	struct buf *b = buf_new(r->arena, 256);
	buf_puts(b, uri);
	bool first = true;
	add_param(b, &first, k1, v1);
	if (v2)
		add_param(b, &first, k2, v2);
	if (state)
		add_param(b, &first, "state", state);
	resp_header(r, "Cache-Control", "no-store");
	resp_redirect(r, 302, b->data);
	return 0;
}

static int redirect_error(struct request *r, const char *uri, const char *state, const char *code,
                          const char *desc)
{
	return redirect_to_client(r, uri, "error", code, "error_description", desc, state);
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

static int redirect_login(struct request *r)
{
	resp_header(r, "Cache-Control", "no-store");
	resp_redirect(r, 302, login_next(r));
	return 0;
}

/* What the request asks for, once its client and redirect URI are known. */
struct authz_request {
	struct auth_client client;
	const char *want; /* the redirect_uri parameter (NULL: the registered one) */
	const char *uri;  /* the redirect URI the answer goes to */
	const char *state, *scope, *challenge, *nonce, *prompt;
	char *granted;
};

/* Steps 1-2: the client and the redirect URI; an error here is a page, never a redirect. */
static int find_client(struct request *r, struct authz_request *q)
{
	struct err e = {0};
	const char *client_id = req_param(r, "client_id");
	int rc = client_id && strlen(client_id) <= 200
	             ? store_auth_client(r->arena, client_id, &q->client, &e)
	             : 1;
	if (rc < 0)
		return fail_err(r, &e);
	if (rc > 0)
		return auth_html_fail(r, 400, "Unknown client.");
	q->want = req_param(r, "redirect_uri");
	int n_registered = 0;
	char *list = arena_strdup(r->arena, q->client.redirect_uris), *save = NULL;
	const char *only = NULL;
	for (char *u = strtok_r(list, " \t\n", &save); u; u = strtok_r(NULL, " \t\n", &save)) {
		n_registered++;
		only = u;
		if (q->want && !q->uri && auth_redirect_uri_matches(u, q->want))
			q->uri = q->want;
	}
	if (!q->want && n_registered == 1)
		q->uri = only;
	if (!auth_redirect_uri_valid(q->uri))
		return auth_html_fail(r, 400, "Invalid redirect URI.");
	return 0;
}

/* Step 3: the parameters; an error is sent to the client by redirect (1). */
static int check_params(struct request *r, struct authz_request *q)
{
	const char *uri = q->uri, *state = q->state = req_param(r, "state");
	const char *rt = req_param(r, "response_type");
	if (!rt || strcmp(rt, "code") != 0)
		return redirect_error(r, uri, state, "unsupported_response_type",
		                      "response_type must be code."),
		       1;
	if (q->client.client_credentials)
		return redirect_error(r, uri, state, "unauthorized_client",
		                      "The client may not use the authorization-code grant."),
		       1;
	const char *rm = req_param(r, "response_mode");
	const char *method = req_param(r, "code_challenge_method");
	q->challenge = req_param(r, "code_challenge");
	q->scope = req_param(r, "scope");
	q->nonce = req_param(r, "nonce");
	q->prompt = req_param(r, "prompt");
	const char *bad = NULL;
	const char *invalid = rm && strcmp(rm, "query") != 0    ? "response_mode must be query."
	                      : !q->challenge || !*q->challenge ? "code_challenge is required."
	                      : !method || strcmp(method, "S256") != 0
	                          ? "code_challenge_method must be S256."
	                      : !auth_b64url_token(q->challenge, 43)
	                          ? "code_challenge must be 43 characters of base64url."
	                          : NULL;
	if (invalid)
		return redirect_error(r, uri, state, "invalid_request", invalid), 1;
	char *checked; /* the grant itself is made after sign-in, for the signed-in user */
	if (authz_scope_grant(r->arena, q->scope, SCOPE_GRANT_CODE, false, &checked, &bad))
		return redirect_error(r, uri, state, "invalid_scope",
		                      arena_printf(r->arena, "Scope \"%s\" is not allowed.", bad)),
		       1;
	invalid = q->nonce && strlen(q->nonce) > 512 ? "nonce is too long."
	          : state && strlen(state) > 2048    ? "state is too long."
	                                             : NULL;
	if (invalid)
		return redirect_error(r, uri, state, "invalid_request", invalid), 1;
	return 0;
}

/* Step 4: the logged-in user. 0: *u and *s are set; 1: the answer (login or login_required)
 * is written; -1: r->err. */
static int session_user(struct request *r, const struct authz_request *q, struct auth_session *s,
                        struct auth_user *u)
{
	struct err e = {0};
	unsigned char d[32];
	int have = auth_session_digest(r, d) ? store_session_get(r->arena, d, s, &e) : 1;
	if (have < 0)
		return fail_err(r, &e);
	if (have != 0 || (q->prompt && authz_scope_has(q->prompt, "login"))) {
		if (q->prompt && authz_scope_has(q->prompt, "none"))
			return redirect_error(r, q->uri, q->state, "login_required",
			                      "The user is not logged in."),
			       1;
		return redirect_login(r), 1;
	}
	int rc = store_auth_user_by_id(r->arena, s->user_id, u, &e);
	if (rc < 0)
		return fail_err(r, &e);
	if (rc > 0 || !u->is_active)
		return redirect_login(r), 1;
	return 0;
}

static int authorize(struct request *r)
{
	struct authz_request q = {0};
	if (find_client(r, &q))
		return -1;
	int rc = check_params(r, &q);
	if (rc)
		return rc > 0 ? 0 : -1;
	struct auth_session s = {0};
	struct auth_user u;
	rc = session_user(r, &q, &s, &u);
	if (rc)
		return rc > 0 ? 0 : -1;
	const char *bad;
	if (authz_scope_grant(r->arena, q.scope, SCOPE_GRANT_CODE, auth_is_patient_user(&u),
	                      &q.granted, &bad))
		return redirect_error(r, q.uri, q.state, "invalid_scope", "Scope not allowed.");
	/* 5. the code */
	struct auth_code_new nc = {
	    .application_id = q.client.id,
	    .user_id = u.id,
	    .redirect_uri = q.uri,
	    .redirect_uri_in_request = q.want != NULL,
	    .scope = q.granted,
	    .challenge = q.challenge,
	    .nonce = q.nonce,
	    .auth_time = s.auth_time,
	};
	struct err e = {0};
	char *code = auth_code_issue(r, &nc, NULL, &e);
	if (!code)
		return fail_err(r, &e);
	return redirect_to_client(r, q.uri, "code", code, NULL, NULL, q.state);
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
