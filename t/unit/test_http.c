/* Unit tests of http: query decoding, casing, router, paging links, cookies, error bodies and
 * audit rows. */
#include "http/http.h"
#include "store/store.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(query_decoding)
{
	struct arena *a = arena_new();
	struct kvlist l = {0};
	parse_query(a,
	            "patient._has%3AGroup%3Amember%3A_id=30001&code=https%3A%2F%2Fw3id.org%"
	            "2Fopenmhealth%7Comh%3Aheart-rate%3A2.0&a=1&a=2&sp=x+y&bad=%zz&empty=&flag",
	            &l);
	ck_assert_str_eq(kv_get(&l, "patient._has:Group:member:_id"), "30001");
	ck_assert_str_eq(kv_get(&l, "code"), "https://w3id.org/openmhealth|omh:heart-rate:2.0");
	ck_assert_str_eq(kv_get(&l, "a"), "1");
	ck_assert_str_eq(kv_get_last(&l, "a"), "2");
	ck_assert_uint_eq(kv_count(&l, "a"), 2);
	ck_assert_str_eq(kv_get(&l, "sp"), "x y");
	ck_assert_str_eq(kv_get(&l, "bad"), "%zz");
	ck_assert_str_eq(kv_get(&l, "empty"), "");
	ck_assert_str_eq(kv_get(&l, "flag"), "");
	ck_assert_ptr_null(url_decode(a, "/a%2", 4, false, true));
	ck_assert_str_eq(url_decode(a, "/a%2Fb", 6, false, true), "/a/b");
	arena_free(a);
}
END_TEST

START_TEST(kv_sort_stable_and_fast)
{
	struct arena *a = arena_new();
	struct kvlist l = {0};
	parse_query(a, "b=1&a=1&c=1&a=2&b=2&a=3", &l);
	kv_sort(a, &l);
	const char *want[][2] = {{"a", "1"}, {"a", "2"}, {"a", "3"},
	                         {"b", "1"}, {"b", "2"}, {"c", "1"}};
	ck_assert_uint_eq(l.n, 6);
	for (size_t i = 0; i < 6; i++) {
		ck_assert_str_eq(l.items[i].key, want[i][0]);
		ck_assert_str_eq(l.items[i].value, want[i][1]);
	}
	/* 40 000 distinct keys in reverse order: was an insertion sort (seconds), now n log n */
	struct kvlist big = {0};
	for (int i = 40000; i > 0; i--)
		kv_add(a, &big, arena_printf(a, "k%06d", i), "v");
	kv_sort(a, &big);
	for (size_t i = 1; i < big.n; i++)
		ck_assert_int_lt(strcmp(big.items[i - 1].key, big.items[i].key), 0);
	ck_assert_uint_eq(query_pieces("a=1&&b=2&", 9), 2);
	ck_assert_uint_eq(query_pieces("", 0), 0);
	ck_assert_uint_eq(query_pieces("&&&", 3), 0);
	arena_free(a);
}
END_TEST

START_TEST(cookies)
{
	struct arena *a = arena_new();
	struct kvlist l = {0};
	parse_cookies(a, "jhe_session=abc; csrftoken=\"x y\";other=1", &l);
	ck_assert_str_eq(kv_get(&l, "jhe_session"), "abc");
	ck_assert_str_eq(kv_get(&l, "csrftoken"), "x y");
	ck_assert_str_eq(kv_get(&l, "other"), "1");
	arena_free(a);
}
END_TEST

START_TEST(casing)
{
	struct arena *a = arena_new();
	ck_assert_str_eq(camel_to_snake(a, "organizationId"), "organization_id");
	ck_assert_str_eq(camel_to_snake(a, "studyScopeConsents"), "study_scope_consents");
	ck_assert_str_eq(camel_to_snake(a, "jheUserId"), "jhe_user_id");
	ck_assert_str_eq(camel_to_snake(a, "name_family"), "name_family");
	ck_assert_str_eq(camel_to_snake(a, "HTTPServer"), "http_server");
	ck_assert_str_eq(camel_to_snake(a, "clientId"), "client_id");
	ck_assert_str_eq(snake_to_camel(a, "name_family"), "nameFamily");
	ck_assert_str_eq(snake_to_camel(a, "current_organization_id"), "currentOrganizationId");
	ck_assert_str_eq(snake_to_camel(a, "client_id"), "client_id");
	ck_assert_str_eq(snake_to_camel(a, "part_of"), "partOf");
	ck_assert_str_eq(snake_to_camel(a, "a__b"), "a_B");
	json_object *o = json_tokener_parse("{\"nameFamily\":\"x\",\"studyScopeConsents\":[{"
	                                    "\"codingCode\":1}],\"plain\":{\"innerKey\":2}}");
	json_keys_to_snake(o);
	ck_assert_str_eq(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	                 "{\"name_family\":\"x\",\"study_scope_consents\":[{\"coding_code\":1}],"
	                 "\"plain\":{\"inner_key\":2}}");
	json_object_put(o);
	arena_free(a);
}
END_TEST

static int h1(struct request *r)
{
	(void)r;
	return 1;
}
static int h2(struct request *r)
{
	(void)r;
	return 2;
}

static const struct route table[] = {
    {"GET", "/api/v1/patients", h1, ROUTE_AUTH},
    {"POST", "/api/v1/patients", h2, ROUTE_AUTH},
    {"GET", "/api/v1/patients/{id}", h1, ROUTE_AUTH},
    {"DELETE", "/api/v1/patients/{id}", h2, ROUTE_AUTH},
    {"GET", "/api/v1/patients/{id}/consents", h2, ROUTE_AUTH},
    {"POST", "/api/v1/invitation/{token:s}", h2, 0},
    {"POST", "/o/token/?", h1, 0},
    {NULL, NULL, NULL, 0},
};

static enum route_match route(struct arena *a, const char *method, const char *path,
                              struct request *r, const struct route **found, struct buf *allow)
{
	memset(r, 0, sizeof(*r));
	r->arena = a;
	r->method = method;
	r->path = path;
	const struct route *const tables[] = {table, NULL};
	return router_match(tables, r, found, allow);
}

START_TEST(router)
{
	struct arena *a = arena_new();
	struct request r;
	const struct route *f;
	struct buf *allow = buf_new(a, 32);
	ck_assert_int_eq(route(a, "GET", "/api/v1/patients", &r, &f, NULL), ROUTE_FOUND);
	ck_assert_ptr_eq(f->handler, h1);
	ck_assert_int_eq(route(a, "GET", "/api/v1/patients/40001", &r, &f, NULL), ROUTE_FOUND);
	ck_assert_int_eq(req_path_id(&r, "id"), 40001);
	ck_assert_int_eq(route(a, "GET", "/api/v1/patients/40001/consents", &r, &f, NULL),
	                 ROUTE_FOUND);
	ck_assert_ptr_eq(f->handler, h2);
	ck_assert_int_eq(route(a, "GET", "/api/v1/patients/abc", &r, &f, NULL), ROUTE_NO_PATH);
	ck_assert_int_eq(route(a, "GET", "/api/v1/patients/-1", &r, &f, NULL), ROUTE_NO_PATH);
	ck_assert_int_eq(route(a, "GET", "/api/v1/patients/99999999999999999999", &r, &f, NULL),
	                 ROUTE_NO_PATH);
	ck_assert_int_eq(route(a, "GET", "/api/v1/patients/", &r, &f, NULL), ROUTE_NO_PATH);
	ck_assert_int_eq(route(a, "PUT", "/api/v1/patients/1", &r, &f, allow), ROUTE_NO_METHOD);
	ck_assert_str_eq(allow->data, "GET, HEAD, DELETE, OPTIONS");
	ck_assert_int_eq(route(a, "POST", "/api/v1/invitation/abc-_x", &r, &f, NULL), ROUTE_FOUND);
	ck_assert_str_eq(req_path_str(&r, "token"), "abc-_x");
	ck_assert_int_eq(route(a, "POST", "/o/token/", &r, &f, NULL), ROUTE_FOUND);
	ck_assert_int_eq(route(a, "POST", "/o/token", &r, &f, NULL), ROUTE_FOUND);
	ck_assert_int_eq(route(a, "POST", "/o/token//", &r, &f, NULL), ROUTE_NO_PATH);
	arena_free(a);
}
END_TEST

START_TEST(paging_links)
{
	struct arena *a = arena_new();
	struct request r;
	memset(&r, 0, sizeof(r));
	r.arena = a;
	r.origin = "https://jhe.example.org";
	r.path = r.raw_path = "/api/v1/patients";
	parse_query(a, "pageSize=10&organizationId=20003&page=2&z=a%20b", &r.params);
	ck_assert_str_eq(page_link(&r, 3), "https://jhe.example.org/api/v1/patients?"
	                                   "organizationId=20003&page=3&pageSize=10&z=a+b");
	ck_assert_str_eq(page_link(&r, 0), "https://jhe.example.org/api/v1/patients?"
	                                   "organizationId=20003&pageSize=10&z=a+b");
	arena_free(a);
}
END_TEST

START_TEST(error_bodies)
{
	struct arena *a = arena_new();
	struct request r;
	memset(&r, 0, sizeof(r));
	r.arena = a;
	r.request_id = "rid1";
	r.area = AREA_API;
	fail_with(&r, ERR_NOT_FOUND, "No Patient matches the given query.");
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 404);
	ck_assert_str_eq(r.resp.body->data, "{\"detail\":\"No Patient matches the given query.\"}");
	memset(&r.resp, 0, sizeof(r.resp));
	fail_body(&r, ERR_BAD_REQUEST, "{\"name\":[\"This field is required.\"]}");
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 400);
	ck_assert_str_eq(r.resp.body->data, "{\"name\":[\"This field is required.\"]}");
	memset(&r.resp, 0, sizeof(r.resp));
	r.area = AREA_FHIR;
	fail_with(&r, ERR_UNPROCESSABLE, "bad");
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 422);
	ck_assert_str_eq(r.resp.content_type, "application/fhir+json");
	ck_assert_ptr_nonnull(strstr(r.resp.body->data, "\"resourceType\":\"OperationOutcome\""));
	memset(&r.resp, 0, sizeof(r.resp));
	r.area = AREA_API;
	struct err e = {.kind = ERR_INTERNAL, .log = "SQL error 42P01: secret detail"};
	fail_err(&r, &e);
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 500);
	ck_assert_str_eq(r.resp.body->data,
	                 "{\"detail\":\"Internal server error (request rid1).\"}");
	arena_free(a);
}
END_TEST

static const char *resp_hdr(const struct request *r, const char *name)
{
	for (size_t i = 0; i < r->resp.headers.n; i++)
		if (!strcmp(r->resp.headers.items[i].key, name))
			return r->resp.headers.items[i].value;
	return NULL;
}

/* The headers an error carries, the one FHIR issue-code table, and a SQLSTATE that stays out of
 * every body. */
START_TEST(error_headers_and_codes)
{
	struct arena *a = arena_new();
	struct request r;
	memset(&r, 0, sizeof(r));
	r.arena = a;
	r.request_id = "rid3";
	r.area = AREA_FHIR;
	fail_with(&r, ERR_FORBIDDEN, "The token's scopes do not permit read on Patient.");
	r.err.code = "forbidden";
	r.err.www_authenticate = "Bearer realm=\"api\", error=\"insufficient_scope\"";
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 403);
	ck_assert_str_eq(resp_hdr(&r, "WWW-Authenticate"),
	                 "Bearer realm=\"api\", error=\"insufficient_scope\"");
	ck_assert_str_eq(
	    r.resp.body->data,
	    "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
	    "\"code\":\"forbidden\",\"diagnostics\":\"The token's scopes do not permit "
	    "read on Patient.\"}]}");
	/* a transaction Bundle's failed entry: its status, its issue code, the expression */
	memset(&r.resp, 0, sizeof(r.resp));
	fail_with(&r, ERR_CONFLICT, "Bundle.entry[2]: Multiple matches for If-None-Exist.");
	r.err.status = 412;
	r.err.expression = "Bundle.entry[2]";
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 412);
	ck_assert_ptr_nonnull(strstr(r.resp.body->data, "\"code\":\"multiple-matches\""));
	ck_assert_ptr_nonnull(strstr(r.resp.body->data, "\"expression\":[\"Bundle.entry[2]\"]"));
	ck_assert_str_eq(fhir_issue_code(406), "not-supported");
	ck_assert_str_eq(fhir_issue_code(503), "transient");
	ck_assert_str_eq(fhir_issue_code(500), "exception");
	/* 405 with Allow; 503 with Retry-After 5 unless the error names another delay */
	memset(&r.resp, 0, sizeof(r.resp));
	r.area = AREA_API;
	fail_with(&r, ERR_METHOD, "Method \"PUT\" not allowed.");
	r.err.allow = "GET, HEAD, OPTIONS";
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 405);
	ck_assert_str_eq(resp_hdr(&r, "Allow"), "GET, HEAD, OPTIONS");
	ck_assert_ptr_null(resp_hdr(&r, "Retry-After"));
	memset(&r.resp, 0, sizeof(r.resp));
	struct err down = {.kind = ERR_UNAVAILABLE, .sqlstate = "57P01", .log = "terminated"};
	fail_err(&r, &down);
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 503);
	ck_assert_str_eq(resp_hdr(&r, "Retry-After"), "5");
	memset(&r.resp, 0, sizeof(r.resp));
	fail_with(&r, ERR_THROTTLED, "Too many requests.");
	r.err.retry_after = 42;
	resp_error(&r);
	ck_assert_str_eq(resp_hdr(&r, "Retry-After"), "42");
	/* a unique violation on an OAuth path: the SQLSTATE is not an OAuth error code */
	memset(&r.resp, 0, sizeof(r.resp));
	r.area = AREA_OAUTH;
	struct err dup = {.kind = ERR_CONFLICT,
	                  .msg = "A row with these values already exists.",
	                  .sqlstate = "23505"};
	fail_err(&r, &dup);
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 409);
	ck_assert_ptr_null(strstr(r.resp.body->data, "23505"));
	/* invalid UTF-8 refused by the database (22021): OAuth's invalid_request */
	memset(&r.resp, 0, sizeof(r.resp));
	struct err bad = {.kind = ERR_BAD_REQUEST, .msg = "Invalid value.", .sqlstate = "22021"};
	fail_err(&r, &bad);
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 400);
	ck_assert_str_eq(
	    r.resp.body->data,
	    "{\"error\":\"invalid_request\",\"error_description\":\"Invalid value.\"}");
	arena_free(a);
}
END_TEST

/* The bodies an error chooses itself: OAuth JSON (with no-store), an HTML page, a whole JSON
 * body (the /health 503), and the status and issue-code table. */
START_TEST(error_formats)
{
	struct arena *a = arena_new();
	struct request r;
	memset(&r, 0, sizeof(r));
	r.arena = a;
	r.request_id = "rid4";
	r.area = AREA_OAUTH;
	struct err e = {.kind = ERR_UNAUTHORIZED,
	                .format = ERR_FORMAT_OAUTH,
	                .code = "invalid_token",
	                .www_authenticate = "Bearer error=\"invalid_token\""};
	fail_err(&r, &e);
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 401);
	ck_assert_str_eq(r.resp.body->data, "{\"error\":\"invalid_token\"}");
	ck_assert_str_eq(resp_hdr(&r, "WWW-Authenticate"), "Bearer error=\"invalid_token\"");
	ck_assert_str_eq(resp_hdr(&r, "Cache-Control"), "no-store");
	ck_assert_str_eq(resp_hdr(&r, "Pragma"), "no-cache");
	/* an OAuth 500 says nothing of the failure; a 503 has its code and Retry-After */
	memset(&r.resp, 0, sizeof(r.resp));
	struct err boom = {.kind = ERR_INTERNAL, .format = ERR_FORMAT_OAUTH, .msg = "secret"};
	fail_err(&r, &boom);
	resp_error(&r);
	ck_assert_str_eq(r.resp.body->data,
	                 "{\"error\":\"server_error\",\"error_description\":\"Internal server "
	                 "error (request rid4).\"}");
	memset(&r.resp, 0, sizeof(r.resp));
	struct err down = {.kind = ERR_UNAVAILABLE, .format = ERR_FORMAT_OAUTH};
	fail_err(&r, &down);
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 503);
	ck_assert_str_eq(resp_hdr(&r, "Retry-After"), "5");
	ck_assert_str_eq(r.resp.body->data,
	                 "{\"error\":\"temporarily_unavailable\",\"error_description\":\"Service "
	                 "temporarily unavailable.\"}");
	/* an HTML page, escaped */
	memset(&r.resp, 0, sizeof(r.resp));
	struct err page = {.kind = ERR_FORBIDDEN,
	                   .format = ERR_FORMAT_HTML,
	                   .msg = "<b>no</b>",
	                   .title = "Error | Site"};
	fail_err(&r, &page);
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 403);
	ck_assert_str_eq(r.resp.content_type, "text/html; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(r.resp.body->data, "<title>Error | Site</title>"));
	ck_assert_ptr_nonnull(
	    strstr(r.resp.body->data, "<h1>Forbidden</h1>\n<p>&lt;b&gt;no&lt;/b&gt;</p>\n"));
	ck_assert_ptr_nonnull(resp_hdr(&r, "Content-Security-Policy"));
	/* a whole JSON body, kept for a 503 */
	memset(&r.resp, 0, sizeof(r.resp));
	r.area = AREA_PLAIN;
	struct err health = {.kind = ERR_UNAVAILABLE,
	                     .format = ERR_FORMAT_JSON,
	                     .body = "{\"status\":\"unavailable\"}"};
	fail_err(&r, &health);
	resp_error(&r);
	ck_assert_int_eq(r.resp.status, 503);
	ck_assert_str_eq(r.resp.body->data, "{\"status\":\"unavailable\"}");
	ck_assert_str_eq(resp_hdr(&r, "Retry-After"), "5");
	/* the kinds of statuses, the one status table */
	ck_assert_int_eq(err_kind_of_status(429), ERR_THROTTLED);
	ck_assert_int_eq(err_kind_of_status(412), ERR_BAD_REQUEST);
	ck_assert_int_eq(err_kind_of_status(502), ERR_INTERNAL);
	ck_assert_str_eq(http_status_text(412), "Precondition Failed");
	ck_assert_str_eq(http_status_text(406), "Unknown");
	ck_assert_str_eq(fhir_issue_code(412), "multiple-matches");
	ck_assert_str_eq(html_escape(a, "a&'\""), "a&amp;&#x27;&quot;");
	arena_free(a);
}
END_TEST

START_TEST(audit_rows)
{
	struct arena *a = arena_new();
	struct request r;
	memset(&r, 0, sizeof(r));
	r.arena = a;
	r.method = "GET";
	r.is_head = true;
	r.path = "/api/v1/invitation/SeCrEt-token";
	r.remote_addr = "192.0.2.7";
	r.request_id = "rid2";
	struct audit_row row = {.detail = "left over"};
	req_audit_row(&r, &row, "read", "Observation", "7", 40001, 404, NULL);
	ck_assert_int_eq(row.user_id, 0);
	ck_assert_ptr_null(row.oauth_client_id);
	ck_assert_str_eq(row.action, "read");
	ck_assert_str_eq(row.resource_type, "Observation");
	ck_assert_str_eq(row.resource_id, "7");
	ck_assert_int_eq(row.patient_id, 40001);
	ck_assert_int_eq(row.outcome, 404);
	ck_assert_ptr_null(row.detail); /* nothing left over */
	ck_assert_str_eq(row.method, "HEAD");
	ck_assert_str_eq(row.path, "/api/v1/invitation/<redacted>");
	ck_assert_str_eq(row.source_address, "192.0.2.7");
	ck_assert_str_eq(row.request_id, "rid2");
	struct principal p = {.user_id = 10005, .oauth_client_id = "console"};
	r.principal = &p;
	r.is_head = false;
	r.path = "/api/v1/patients/40001";
	req_audit_row(&r, &row, NULL, NULL, NULL, 0, 0, NULL);
	ck_assert_int_eq(row.user_id, 10005);
	ck_assert_str_eq(row.oauth_client_id, "console");
	ck_assert_str_eq(row.method, "GET");
	ck_assert_str_eq(row.path, "/api/v1/patients/40001");
	/* the store's binding: invalid UTF-8 becomes '?', an empty address NULL, ids as text */
	row.action = "read";
	row.resource_id = "4\xff"
	                  "1";
	row.patient_id = 40001;
	row.outcome = 404;
	row.source_address = "";
	row.path = "/fhir/r5/Observation/\xc3";
	const char *v[12];
	store_audit_params(a, &row, v);
	ck_assert_str_eq(v[0], "10005");
	ck_assert_str_eq(v[1], "console");
	ck_assert_str_eq(v[2], "read");
	ck_assert_ptr_null(v[3]);
	ck_assert_str_eq(v[4], "4?1");
	ck_assert_str_eq(v[5], "40001");
	ck_assert_str_eq(v[6], "404");
	ck_assert_ptr_null(v[7]);
	ck_assert_str_eq(v[8], "rid2");
	ck_assert_str_eq(v[10], "/fhir/r5/Observation/?");
	ck_assert_ptr_null(v[11]);
	arena_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, query_decoding);
	tcase_add_test(tc, cookies);
	tcase_add_test(tc, kv_sort_stable_and_fast);
	tcase_add_test(tc, casing);
	tcase_add_test(tc, router);
	tcase_add_test(tc, paging_links);
	tcase_add_test(tc, error_bodies);
	tcase_add_test(tc, audit_rows);
	tcase_add_test(tc, error_headers_and_codes);
	tcase_add_test(tc, error_formats);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
