/* Browser login (oauth.md §4): the login form, CSRF, throttling, sessions and logout. */
#include "auth/auth_int.h"

#include <sodium.h>
#include <string.h>

#define CSRF_FAILED "CSRF verification failed. Reload the page and try again."
#define BAD_LOGIN "Please enter a correct email and password."

/* The csrftoken cookie value, set anew when missing (or when fresh is requested). */
static const char *csrf_cookie(struct request *r, bool fresh)
{
	const char *c = auth_cookie(r, "csrftoken");
	if (!fresh && auth_b64url_token(c, 43))
		return c;
	c = random_token(r->arena, 32);
	resp_header(r, "Set-Cookie",
	            arena_printf(r->arena,
	                         "csrftoken=%s; Path=/accounts/; HttpOnly; SameSite=Lax%s", c,
	                         auth_cookie_secure(r)));
	return c;
}

static const char *login_next_default(const char *next)
{
	return auth_local_path(next) ? next : "/console/";
}

static int login_form(struct request *r, int status, bool fresh_csrf, const char *email,
                      const char *message, const char *next)
{
	const char *cookie = csrf_cookie(r, fresh_csrf);
	/* The page that posts the form: under the default no-referrer policy Chromium sends
	 * "Origin: null" with the POST, which the CSRF check refuses; same-origin keeps the real
	 * Origin for this same-origin POST and still sends no Referer to other sites. */
	resp_header(r, "Referrer-Policy", "same-origin");
	const char *token =
	    auth_csrf_token(r->arena, g_config.secret_key, g_config.secret_key_len, cookie);
	const char *site = auth_setting(r, "site.ui.title", "JupyterHealth Exchange");
	struct buf *b = buf_new(r->arena, 2048);
	buf_puts(b, "<h1>Log in</h1>\n");
	if (message)
		buf_printf(b, "<p class=\"error\" role=\"alert\">%s</p>\n",
		           html_escape(r->arena, message));
	const char *action = r->query && *r->query
	                         ? arena_printf(r->arena, "/accounts/login/?%s", r->query)
	                         : "/accounts/login/";
	buf_printf(b, "<form method=\"post\" action=\"%s\">\n", html_escape(r->arena, action));
	buf_printf(b, "<input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"%s\">\n", token);
	buf_printf(b,
	           "<label>Email <input type=\"email\" name=\"username\" autocomplete=\"username\" "
	           "required%s%s%s></label>\n",
	           email ? " value=\"" : "", email ? html_escape(r->arena, email) : "",
	           email ? "\"" : "");
	buf_puts(b, "<label>Password <input type=\"password\" name=\"password\" "
	            "autocomplete=\"current-password\" required></label>\n");
	if (next)
		buf_printf(b, "<input type=\"hidden\" name=\"next\" value=\"%s\">\n",
		           html_escape(r->arena, next));
	buf_puts(b, "<button type=\"submit\">Log in</button>\n</form>\n");
	resp_html_page(r, status, arena_printf(r->arena, "Log in | %s", site), b->data);
	return 0;
}

static int login_get(struct request *r)
{
	return login_form(r, 200, false, NULL, NULL, req_param(r, "next"));
}

/* An Argon2id hash verified for unknown accounts so that timing does not reveal them. */
static const char *dummy_hash(void)
{
	static char h[crypto_pwhash_STRBYTES];
	if (!h[0]) {
		char pw[33];
		auth_random_alnum(pw, 32);
		if (crypto_pwhash_str(h, pw, strlen(pw), g_config.argon2_opslimit,
		                      g_config.argon2_memlimit) != 0)
			h[0] = 0;
	}
	return h;
}

static char *lower(struct arena *a, const char *s)
{
	char *o = arena_strdup(a, s);
	for (char *p = o; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return o;
}

static const char *failure_detail(struct request *r, const char *email, const char *reason)
{
	/* the email as typed, at most 254 characters (cut on a UTF-8 boundary) */
	size_t n = strlen(email);
	if (n > 254) {
		n = 254;
		while (n > 0 && ((unsigned char)email[n] & 0xC0) == 0x80)
			n--;
	}
	struct buf *b = buf_new(r->arena, 300);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_key(&w, "email");
	jw_strn(&w, email, n);
	jw_kstr(&w, "reason", reason);
	jw_obj_end(&w);
	return b->data;
}

/* Step 1: the CSRF token of the form matches the cookie's, and an Origin is the public origin;
 * "null" (an opaque origin: sandboxed frame, data: URL, file, cross-site redirect) is a mismatch
 * like any other (the login page sends a Referrer-Policy under which browsers send the real
 * origin). */
static bool csrf_ok(struct request *r, const struct kvlist *form, bool is_form)
{
	const char *cookie = auth_cookie(r, "csrftoken");
	const char *field = is_form ? kv_get(form, "csrfmiddlewaretoken") : NULL;
	const char *origin = req_header(r, "Origin");
	return auth_b64url_token(cookie, 43) && field && strlen(field) == 43 &&
	       ct_equal(
	           field,
	           auth_csrf_token(r->arena, g_config.secret_key, g_config.secret_key_len, cookie),
	           43) &&
	       (!origin || strcmp(origin, r->origin) == 0);
}

/* The attempt: what was typed, the user it names, the throttle keys. */
struct login_attempt {
	const char *email, *password, *next_raw, *next;
	const char *akey, *ikey; /* throttle keys: account and address */
	struct auth_user u;
	int found; /* 0: u is the account of email */
};

static void read_attempt(struct request *r, const struct kvlist *form, struct login_attempt *t)
{
	/* next: the form field wins over the query parameter */
	t->next_raw = kv_get(form, "next");
	if (!t->next_raw)
		t->next_raw = req_param(r, "next");
	t->next = login_next_default(t->next_raw);
	t->email = kv_get(form, "username");
	t->password = kv_get(form, "password");
	if (!t->email)
		t->email = "";
	if (!t->password)
		t->password = "";
	if (!utf8_valid(t->email, strlen(t->email)) || strlen(t->email) > 1000)
		t->email = "";
	t->akey = arena_printf(r->arena, "account:%s", lower(r->arena, t->email));
	t->ikey = arena_printf(r->arena, "address:%s", r->remote_addr ? r->remote_addr : "-");
}

/* Step 3: the account and the throttle. -1: r->err (a 429 page when throttled). */
static int throttle_and_find(struct request *r, struct login_attempt *t)
{
	struct err e = {0};
	long w1 = 0, w2 = 0;
	if (store_throttle_wait(r->arena, t->akey, g_config.throttle_account_free, &w1, &e) ||
	    store_throttle_wait(r->arena, t->ikey, g_config.throttle_address_free, &w2, &e))
		return fail_err(r, &e);
	t->found = *t->email ? store_auth_user_by_email(r->arena, t->email, &t->u, &e) : 1;
	if (t->found < 0)
		return fail_err(r, &e);
	long wait = w1 > w2 ? w1 : w2;
	if (wait > 0) {
		auth_audit(r, "login.failure", t->found == 0 ? t->u.id : 0, NULL, "Session", NULL,
		           0, 429, failure_detail(r, t->email, "throttled"));
		auth_html_fail(r, 429,
		               arena_printf(r->arena,
		                            "Too many failed attempts. Try again in %ld seconds.",
		                            wait));
		r->err.retry_after = wait;
		return -1;
	}
	return 0;
}

/* Step 4: the password, verified in the same time whether or not the account exists. NULL:
 * the credentials are good; else the reason of the failure. */
static const char *check_credentials(const struct login_attempt *t)
{
	const char *password = t->password;
	if (strlen(password) > 1024)
		return "bad_credentials";
	if (t->found != 0) {
		auth_password_verify(dummy_hash(), password);
		return "bad_credentials";
	}
	bool pw_ok = auth_password_verify(t->u.password, password);
	if (!t->u.password || !*t->u.password || t->u.password[0] == '!')
		auth_password_verify(dummy_hash(), password);
	if (pw_ok && t->u.is_active)
		return NULL;
	return pw_ok ? "inactive" : "bad_credentials";
}

/* Step 6: the session, in one transaction; the cookie and the redirect to next. */
static int start_session(struct request *r, const struct login_attempt *t)
{
	struct err e = {0};
	const char *new_hash = NULL;
	if (auth_password_needs_rehash(t->u.password)) {
		new_hash = auth_password_hash(r->arena, t->password);
		if (!new_hash)
			log_error("request %s: password rehash failed", r->request_id);
	}
	char *sid = random_token(r->arena, 32);
	unsigned char sd[32];
	sha256(sid, strlen(sid), sd);
	if (db_begin(&e))
		return fail_err(r, &e);
	unsigned char od[32];
	if (auth_session_digest(r, od) && store_session_delete(r->arena, od, NULL, &e))
		return fail_err(r, &e);
	if (store_auth_login_success(r->arena, t->u.id, new_hash, &e) ||
	    store_throttle_clear(r->arena, t->akey, &e) ||
	    store_session_create(r->arena, sd, t->u.id, g_config.session_lifetime, r->remote_addr,
	                         req_header(r, "User-Agent"), &e))
		return fail_err(r, &e);
	if (auth_audit(r, "login.success", t->u.id, NULL, "Session", NULL, 0, 303, NULL))
		return fail_with(r, ERR_INTERNAL, "audit");
	if (db_commit(&e))
		return fail_err(r, &e);
	resp_header(r, "Set-Cookie",
	            arena_printf(r->arena,
	                         "sessionid=%s; Path=/; HttpOnly; SameSite=Lax%s; Max-Age=%ld", sid,
	                         auth_cookie_secure(r), g_config.session_lifetime));
	resp_redirect(r, 303, t->next);
	return 0;
}

static int login_post(struct request *r)
{
	struct kvlist form;
	bool is_form = auth_form(r, &form);
	if (!csrf_ok(r, &form, is_form))
		return auth_html_fail(r, 403, CSRF_FAILED);
	struct login_attempt t = {0};
	read_attempt(r, &form, &t);
	if (throttle_and_find(r, &t))
		return -1;
	const char *reason = check_credentials(&t);
	if (reason) {
		/* 5. failure: recorded, and the form again */
		struct err e = {0};
		if (store_throttle_fail(r->arena, t.akey, &e) ||
		    store_throttle_fail(r->arena, t.ikey, &e))
			return fail_err(r, &e);
		auth_audit(r, "login.failure", t.found == 0 ? t.u.id : 0, NULL, "Session", NULL, 0,
		           200, failure_detail(r, t.email, reason));
		return login_form(r, 200, true, t.email, BAD_LOGIN, t.next_raw);
	}
	return start_session(r, &t);
}

static int logout(struct request *r)
{
	struct err e = {0};
	int64_t uid = 0;
	unsigned char d[32];
	if (auth_session_digest(r, d) && store_session_delete(r->arena, d, &uid, &e))
		return fail_err(r, &e);
	struct kvlist form;
	const char *next = NULL;
	if (auth_form(r, &form))
		next = kv_get(&form, "next");
	if (!next)
		next = req_param(r, "next");
	if (!auth_local_path(next))
		next = "/";
	auth_audit(r, "logout", uid, NULL, "Session", NULL, 0, 303, NULL);
	resp_header(r, "Set-Cookie",
	            arena_printf(r->arena,
	                         "sessionid=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax%s",
	                         auth_cookie_secure(r)));
	resp_redirect(r, 303, next);
	return 0;
}

const struct route auth_login_routes[] = {
    {"GET", "/accounts/login/?", login_get, ROUTE_PUBLIC},
    {"POST", "/accounts/login/?", login_post, ROUTE_PUBLIC},
    {"GET", "/accounts/logout/?", logout, ROUTE_PUBLIC},
    {"POST", "/accounts/logout/?", logout, ROUTE_PUBLIC},
    {NULL, NULL, NULL, 0},
};
