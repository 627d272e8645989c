/* Unit tests of util: arena, buffers, JSON writer/reader, base64, times, crypto, config. */
#include "util/util.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

START_TEST(arena_alloc_and_reset)
{
	struct arena *a = arena_new();
	char *s = arena_strdup(a, "hello");
	ck_assert_str_eq(s, "hello");
	/* many allocations spanning several chunks, and one big block */
	for (int i = 0; i < 10000; i++) {
		int *p = arena_alloc(a, 100);
		ck_assert_int_eq(p[0], 0);
		ck_assert_int_eq(((uintptr_t)p) % 16, 0);
	}
	char *big = arena_alloc(a, 1 << 20);
	big[(1 << 20) - 1] = 'x';
	ck_assert_str_eq(arena_printf(a, "%d-%s", 42, "x"), "42-x");
	arena_reset(a);
	ck_assert_str_eq(arena_strdup(a, "again"), "again");
	arena_free(a);
}
END_TEST

static int deferred_count;
static void count_defer(void *p)
{
	(void)p;
	deferred_count++;
}

START_TEST(arena_defer_runs_on_reset)
{
	struct arena *a = arena_new();
	deferred_count = 0;
	arena_defer(a, count_defer, NULL);
	arena_defer(a, count_defer, NULL);
	arena_reset(a);
	ck_assert_int_eq(deferred_count, 2);
	arena_free(a);
	ck_assert_int_eq(deferred_count, 2);
}
END_TEST

START_TEST(buf_grows)
{
	struct arena *a = arena_new();
	struct buf *b = buf_new(a, 4);
	for (int i = 0; i < 1000; i++)
		buf_printf(b, "%d,", i);
	ck_assert(strncmp(b->data, "0,1,2,", 6) == 0);
	ck_assert_uint_eq(b->len, strlen(b->data));
	buf_truncate(b, 2);
	ck_assert_str_eq(b->data, "0,");
	arena_free(a);
}
END_TEST

START_TEST(json_writer_shapes)
{
	struct arena *a = arena_new();
	struct buf *b = buf_new(a, 16);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kint(&w, "id", 40001);
	jw_kstr(&w, "name", "a\"b\\c\n\x01");
	jw_key(&w, "list");
	jw_arr_begin(&w);
	jw_int(&w, 1);
	jw_obj_begin(&w);
	jw_knull(&w, "x");
	jw_obj_end(&w);
	jw_bool(&w, true);
	jw_arr_end(&w);
	jw_kraw(&w, "raw", "{\"k\":[]}");
	jw_key(&w, "d");
	jw_double(&w, 67.5);
	jw_obj_end(&w);
	ck_assert_str_eq(b->data,
	                 "{\"id\":40001,\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"list\":[1,{\"x\":"
	                 "null},true],\"raw\":{\"k\":[]},\"d\":67.5}");
	buf_truncate(b, 0);
	jw_init(&w, b);
	jw_arr_begin(&w);
	jw_int(&w, 1);
	const char *raw = "{\"a\" : [1, 2], \"s\" : \"x y\"}";
	jw_raw_compact(&w, raw, strlen(raw));
	jw_arr_end(&w);
	ck_assert_str_eq(b->data, "[1,{\"a\":[1,2],\"s\":\"x y\"}]");
	buf_truncate(b, 0);
	jw_init(&w, b);
	jw_arr_begin(&w);
	jw_str_prefixed(&w, "Patient/", "40001");
	jw_str_prefixed(&w, "a\"", "b\n");
	jw_str_prefixed(&w, "Device/", NULL);
	jw_arr_end(&w);
	ck_assert_str_eq(b->data, "[\"Patient/40001\",\"a\\\"b\\n\",\"Device/\"]");
	char pg[] = "{\"id\" : 1, \"s\" : \"a \\\" b\", \"l\" : [1, 2]}";
	json_minify(pg);
	ck_assert_str_eq(pg, "{\"id\":1,\"s\":\"a \\\" b\",\"l\":[1,2]}");
	arena_free(a);
}
END_TEST

START_TEST(json_parse_limits)
{
	struct arena *a = arena_new();
	char err[128];
	bool deep;
	json_object *o = json_parse(a, "{\"a\": 1}", 8, err, sizeof(err), &deep);
	ck_assert_ptr_nonnull(o);
	int64_t v;
	ck_assert(json_get_int(o, "a", &v));
	ck_assert_int_eq(v, 1);
	ck_assert_ptr_null(json_parse(a, "{\"a\": }", 7, err, sizeof(err), &deep));
	ck_assert(!deep);
	ck_assert_ptr_null(json_parse(a, "{} x", 4, err, sizeof(err), &deep));
	char nested[200];
	memset(nested, '[', 100);
	memset(nested + 100, ']', 100);
	ck_assert_ptr_null(json_parse(a, nested, 200, err, sizeof(err), &deep));
	ck_assert(deep);
	memset(nested, '[', 60);
	memset(nested + 60, ']', 60);
	ck_assert_ptr_nonnull(json_parse(a, nested, 120, err, sizeof(err), &deep));
	arena_free(a);
}
END_TEST

START_TEST(json_prescans)
{
#define TAL(s, k) json_top_array_len(s, strlen(s), k)
	ck_assert_int_eq(TAL("{\"entry\": []}", "entry"), 0);
	ck_assert_int_eq(TAL("{\"entry\": [{}, {}, {\"a\": [1, 2]}]}", "entry"), 3);
	ck_assert_int_eq(TAL("{\"type\": \"entry\", \"entry\": [\"],\", 2]}", "entry"), 2);
	ck_assert_int_eq(TAL("{\"x\": {\"entry\": [1, 2]}}", "entry"), -1); /* not top level */
	ck_assert_int_eq(TAL("{\"entry\": 5}", "entry"), -1);
	ck_assert_int_eq(TAL("[1, 2]", "entry"), -1);
	ck_assert_int_eq(TAL("{\"entry\": [1, 2", "entry"), 2); /* truncated: what was seen */
	/* a repeated key: the largest array counts (json-c keeps the last one) */
	ck_assert_int_eq(TAL("{\"entry\": [], \"entry\": [{}, {}, {}]}", "entry"), 3);
	ck_assert_int_eq(TAL("{\"e\\\"ntry\": [1], \"entry\": [1, 2]}", "entry"), 2);
	ck_assert_uint_eq(json_count_containers("{\"a\": [{}, \"[{\"]}", 17), 3);
#undef TAL
}
END_TEST

START_TEST(base64_roundtrip)
{
	const char *cases[][3] = {{"", "", ""},
	                          {"f", "Zg==", "Zg"},
	                          {"fo", "Zm8=", "Zm8"},
	                          {"foo", "Zm9v", "Zm9v"},
	                          {"\xfb\xff", "+/8=", "-_8"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[32];
		unsigned char dec[32];
		size_t n = strlen(cases[i][0]);
		base64_encode((const unsigned char *)cases[i][0], n, out);
		ck_assert_str_eq(out, cases[i][1]);
		base64url_encode((const unsigned char *)cases[i][0], n, out);
		ck_assert_str_eq(out, cases[i][2]);
		long m = base64_decode(cases[i][1], strlen(cases[i][1]), dec);
		ck_assert_int_eq(m, (long)n);
		ck_assert(memcmp(dec, cases[i][0], n) == 0);
		m = base64_decode(cases[i][2], strlen(cases[i][2]), dec);
		ck_assert_int_eq(m, (long)n);
	}
	unsigned char dec[16];
	ck_assert_int_eq(base64_decode("Zg=x", 4, dec), -1);
	ck_assert_int_eq(base64_decode("Z", 1, dec), -1);
	ck_assert_int_eq(base64_decode("Zh==", 4, dec), -1); /* non-zero trailing bits */
	ck_assert_int_eq(base64_decode("a b=", 4, dec), -1);
}
END_TEST

START_TEST(time_parse_and_format)
{
	usec_t t;
	char out[32];
	ck_assert_int_eq(time_parse("2025-01-01T23:30:00-08:00", &t), 0);
	time_format(t, out);
	ck_assert_str_eq(out, "2025-01-02T07:30:00Z");
	ck_assert_int_eq(time_parse("2026-08-21T15:26:13.123456Z", &t), 0);
	time_format(t, out);
	ck_assert_str_eq(out, "2026-08-21T15:26:13.123456Z");
	ck_assert_int_eq(time_parse("2026-08-21 15:26", &t), 0); /* no offset: UTC */
	time_format(t, out);
	ck_assert_str_eq(out, "2026-08-21T15:26:00Z");
	ck_assert_int_eq(time_parse("1969-12-31T23:59:59.5Z", &t), 0);
	ck_assert_int_eq(t, -500000);
	time_format(t, out);
	ck_assert_str_eq(out, "1969-12-31T23:59:59.500000Z");
	ck_assert_int_ne(time_parse("2026-02-30T00:00:00Z", &t), 0);
	ck_assert_int_ne(time_parse("2026-01-01T24:00:00Z", &t), 0);
	ck_assert_int_ne(time_parse("2026-01-01T00:00:00+", &t), 0);
	ck_assert_int_ne(time_parse("yesterday", &t), 0);
	int y, m, d;
	ck_assert_int_eq(date_parse("2024-02-29", &y, &m, &d), 0);
	ck_assert_int_ne(date_parse("2023-02-29", &y, &m, &d), 0);
}
END_TEST

START_TEST(crypto_digests)
{
	struct arena *a = arena_new();
	ck_assert_int_eq(crypto_init(), 0);
	/* SHA-256("abc") */
	unsigned char d[32];
	sha256("abc", 3, d);
	ck_assert_str_eq(hex_encode(a, d, 32),
	                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	char *t1 = random_token(a, 32), *t2 = random_token(a, 32);
	ck_assert_uint_eq(strlen(t1), 43);
	ck_assert_str_ne(t1, t2);
	ck_assert(ct_equal("abcd", "abcd", 4));
	ck_assert(!ct_equal("abcd", "abce", 4));
	/* RFC 7636 appendix B: S256 of the verifier */
	ck_assert_str_eq(sha256_b64url(a, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
	                 "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	/* RFC 4231 test case 2 */
	unsigned char mac[32];
	hmac_sha256((const unsigned char *)"Jefe", 4, "what do ya want for nothing?", 28, mac);
	ck_assert_str_eq(hex_encode(a, mac, 32),
	                 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	arena_free(a);
}
END_TEST

START_TEST(config_keys)
{
	struct config c;
	config_defaults(&c);
	ck_assert_int_eq(c.access_token_lifetime, 1209600);
	ck_assert_int_eq(config_set(&c, "JHE_ACCESS_TOKEN_LIFETIME", "60"), 0);
	ck_assert_int_eq(c.access_token_lifetime, 60);
	ck_assert_int_eq(config_set(&c, "JHE_ACCESS_TOKEN_LIFETIME", "abc"), -1);
	ck_assert_int_eq(config_set(&c, "JHE_NOPE", "1"), -2);
	ck_assert_int_eq(config_set(&c, "JHE_SITE_URL", "https://x.org/"), 0);
	ck_assert_str_eq(c.site_url, "https://x.org");
	ck_assert_int_eq(config_set(&c, "JHE_LOG_LEVEL", "debug"), 0);
	ck_assert_int_eq(c.log_level, LOG_DEBUG);
	config_free(&c);
}
END_TEST

START_TEST(config_file_and_env)
{
	char path[] = "/tmp/jhe-conf-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char *text =
	    "# comment\nJHE_DATABASE = dbname=x host=/tmp\n\nJHE_AUTH_CODE_LIFETIME=30\n";
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	char err[256];
	setenv("JHE_AUTH_CODE_LIFETIME", "45", 1);
	ck_assert_int_eq(config_load(path, err, sizeof(err)), 0);
	ck_assert_str_eq(g_config.database, "dbname=x host=/tmp");
	ck_assert_int_eq(g_config.auth_code_lifetime, 45);
	unsetenv("JHE_AUTH_CODE_LIFETIME");
	FILE *f = fopen(path, "w");
	fputs("JHE_BOGUS=1\n", f);
	fclose(f);
	ck_assert_int_ne(config_load(path, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "unknown key"));
	unlink(path);
	config_free(&g_config);
}
END_TEST

/* Allowed hosts: an empty list becomes the site URL's host; "*" accepts any. */
static const struct {
	const char *site_url, *host;
} SITE_HOSTS[] = {
    {"https://localhost:9443", "localhost:9443"},
    {"https://jhe.example.org", "jhe.example.org"},
    {"https://JHE.Example.org:443/", "jhe.example.org"},
    {"http://localhost:8000", "localhost:8000"},
    {"http://localhost:80/x", "localhost"},
    {"https://jhe.example.org:80", "jhe.example.org:80"},
    {"https://[::1]:8443/", "[::1]:8443"},
    {"https://[::1]", "[::1]"},
    {"https://u@jhe.example.org/", "jhe.example.org"},
    {"https://", NULL},
    {"localhost", NULL},
};

START_TEST(allowed_hosts)
{
	for (size_t i = 0; i < sizeof(SITE_HOSTS) / sizeof(SITE_HOSTS[0]); i++) {
		char *h = config_site_host(SITE_HOSTS[i].site_url);
		if (SITE_HOSTS[i].host)
			ck_assert_str_eq(h, SITE_HOSTS[i].host);
		else
			ck_assert_ptr_null(h);
		free(h);
	}
	char path[] = "/tmp/jhe-conf-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	const char *text = "JHE_SITE_URL=https://jhe.example.org:8443/\nJHE_ALLOWED_HOSTS=\n";
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	char err[256];
	unsetenv("JHE_ALLOWED_HOSTS");
	ck_assert_int_eq(config_load(path, err, sizeof(err)), 0);
	ck_assert_str_eq(g_config.allowed_hosts, "jhe.example.org:8443");
	ck_assert(config_host_allowed(&g_config, "jhe.example.org:8443"));
	ck_assert(config_host_allowed(&g_config, "JHE.example.org:8443"));
	ck_assert(!config_host_allowed(&g_config, "jhe.example.org"));
	ck_assert(!config_host_allowed(&g_config, "evil.example:8443"));
	ck_assert(!config_host_allowed(&g_config, "jhe.example.org:8443.evil.example"));
	ck_assert(!config_host_allowed(&g_config, ""));
	ck_assert(!config_host_allowed(&g_config, NULL));
	setenv("JHE_ALLOWED_HOSTS", "a.example, b.example:8443", 1);
	ck_assert_int_eq(config_load(path, err, sizeof(err)), 0);
	ck_assert(config_host_allowed(&g_config, "b.example:8443"));
	ck_assert(config_host_allowed(&g_config, "a.example"));
	ck_assert(!config_host_allowed(&g_config, "jhe.example.org:8443"));
	ck_assert(!config_host_allowed(&g_config, "a.exampl"));
	setenv("JHE_ALLOWED_HOSTS", "*", 1);
	ck_assert_int_eq(config_load(path, err, sizeof(err)), 0);
	ck_assert(config_host_allowed(&g_config, "anything.example"));
	unsetenv("JHE_ALLOWED_HOSTS");
	unlink(path);
	config_free(&g_config);
}
END_TEST

START_TEST(strings_and_utf8)
{
	int64_t v;
	ck_assert(str_to_i64("40001", &v) && v == 40001);
	ck_assert(!str_to_i64("40001x", &v));
	ck_assert(!str_to_i64("", &v));
	ck_assert(!str_to_i64("99999999999999999999", &v));
	ck_assert(utf8_valid("h\xc3\xa9llo", 6));
	ck_assert(!utf8_valid("\xc3", 1));
	ck_assert(!utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	ck_assert(!utf8_valid("\xc0\xaf", 2));     /* overlong */
	ck_assert_uint_eq(utf8_len("h\xc3\xa9", 3), 2);
}
END_TEST

START_TEST(hex_digits_and_decode)
{
	ck_assert_int_eq(hex_digit('0'), 0);
	ck_assert_int_eq(hex_digit('9'), 9);
	ck_assert_int_eq(hex_digit('a'), 10);
	ck_assert_int_eq(hex_digit('F'), 15);
	ck_assert_int_eq(hex_digit('g'), -1);
	ck_assert_int_eq(hex_digit('/'), -1);
	ck_assert_int_eq(hex_digit(0), -1);
	unsigned char out[4] = {0};
	ck_assert(hex_decode("00fFa5", out, 3));
	ck_assert_uint_eq(out[0], 0x00);
	ck_assert_uint_eq(out[1], 0xff);
	ck_assert_uint_eq(out[2], 0xa5);
	ck_assert(!hex_decode("0x", out, 1));
	ck_assert(!hex_decode("0", out, 1)); /* a digit short: stops at the NUL */
	ck_assert(hex_decode("", out, 0));
	/* round trip with the encoder */
	struct arena *a = arena_new();
	unsigned char d[32], back[32];
	sha256("abc", 3, d);
	ck_assert(hex_decode(hex_encode(a, d, 32), back, 32));
	ck_assert_mem_eq(d, back, 32);
	arena_free(a);
}
END_TEST

START_TEST(calendar_math)
{
	ck_assert_int_eq(time_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(time_days_from_civil(2000, 3, 1), 11017);
	ck_assert_int_eq(time_days_from_civil(1969, 12, 31), -1);
	ck_assert_int_eq(time_days_from_civil(1600, 1, 1), -135140);
	ck_assert_int_eq(time_days_in_month(2024, 2), 29);
	ck_assert_int_eq(time_days_in_month(2023, 2), 28);
	ck_assert_int_eq(time_days_in_month(1900, 2), 28);
	ck_assert_int_eq(time_days_in_month(2000, 2), 29);
	ck_assert_int_eq(time_days_in_month(2025, 12), 31);
	ck_assert_int_eq(time_days_in_month(2025, 4), 30);
	/* every day of 1599..2401 maps back to itself (counted, one assertion: every ck_assert
	 * writes to Check's pipe) */
	long bad = 0;
	for (int64_t day = time_days_from_civil(1599, 1, 1);
	     day <= time_days_from_civil(2401, 12, 31); day++) {
		int64_t y;
		int m, d;
		time_civil_from_days(day, &y, &m, &d);
		bad += !(m >= 1 && m <= 12 && d >= 1 && d <= time_days_in_month((int)y, m)) ||
		       time_days_from_civil(y, m, d) != day;
	}
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(json_pointer_walk)
{
	struct arena *a = arena_new();
	char err[128];
	bool deep;
	const char *text = "{\"a\":{\"b\":[10,{\"c/d\":1,\"e~f\":2}],\"\":3},\"n\":null,\"01\":4}";
	json_object *root = json_parse(a, text, strlen(text), err, sizeof err, &deep);
	ck_assert_ptr_nonnull(root);
	ck_assert_ptr_eq(json_ptr_get(root, ""), root);
	ck_assert_int_eq(json_object_get_int(json_ptr_get(root, "/a/b/0")), 10);
	ck_assert_int_eq(json_object_get_int(json_ptr_get(root, "/a/b/1/c~1d")), 1);
	ck_assert_int_eq(json_object_get_int(json_ptr_get(root, "/a/b/1/e~0f")), 2);
	ck_assert_int_eq(json_object_get_int(json_ptr_get(root, "/a/")), 3); /* "" member */
	ck_assert_int_eq(json_object_get_int(json_ptr_get(root, "/01")), 4); /* a member name */
	ck_assert_ptr_null(json_ptr_get(root, "/a/b/2"));                    /* past the end */
	ck_assert_ptr_null(json_ptr_get(root, "/a/b/01"));                   /* leading zero */
	ck_assert_ptr_null(json_ptr_get(root, "/a/b/-"));                    /* no "-" for reads */
	ck_assert_ptr_null(json_ptr_get(root, "/a/b/0/x"));                  /* into a number */
	ck_assert_ptr_null(json_ptr_get(root, "/n")); /* null leads nowhere */
	ck_assert_ptr_null(json_ptr_get(root, "/nope"));
	ck_assert_ptr_null(json_ptr_get(root, "a")); /* not a pointer */
	/* one step at a time (a caller that looks at each value on the way) */
	const char *p = "/a/b/1";
	json_object *cur = json_ptr_step(root, &p);
	ck_assert_str_eq(p, "/b/1");
	cur = json_ptr_step(cur, &p);
	ck_assert(json_object_is_type(cur, json_type_array));
	cur = json_ptr_step(cur, &p);
	ck_assert_str_eq(p, "");
	ck_assert(json_object_is_type(cur, json_type_object));
	arena_free(a);
}
END_TEST

START_TEST(id_lists_unique)
{
	struct arena *a = arena_new();
	int64_t v[] = {5, 3, 5, -1, 3, 9, 5, 0, 9, -1};
	size_t n = i64_unique(a, v, sizeof(v) / sizeof(v[0]));
	ck_assert_uint_eq(n, 5);
	const int64_t want[] = {5, 3, -1, 9, 0}; /* first places, in order */
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(v[i], want[i]);
	int64_t one[] = {7};
	ck_assert_uint_eq(i64_unique(a, one, 1), 1);
	ck_assert_uint_eq(i64_unique(a, one, 0), 0);
	/* many repeats of few ids, and many distinct ids */
	enum { N = 200000 };
	int64_t *big = arena_alloc(a, sizeof(int64_t) * N);
	for (size_t i = 0; i < N; i++)
		big[i] = (int64_t)(i % 1000) * 7919 % 1000;
	n = i64_unique(a, big, N);
	ck_assert_uint_eq(n, 1000);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(big[i], (int64_t)i * 7919 % 1000);
	for (size_t i = 0; i < N; i++)
		big[i] = (int64_t)(N - i);
	ck_assert_uint_eq(i64_unique(a, big, N), N);
	ck_assert_int_eq(big[0], N);
	ck_assert_int_eq(big[N - 1], 1);
	arena_free(a);
}
END_TEST

START_TEST(string_lists_first_repeat)
{
	struct arena *a = arena_new();
	const char *none[] = {"a|1", "a|2", "b|1"};
	ck_assert_int_eq(str_first_repeat(a, none, 3), -1);
	ck_assert_int_eq(str_first_repeat(a, none, 0), -1);
	/* "x" repeats at 3 and "y" at 4: the first repeat in list order is 3 */
	const char *two[] = {"y", "x", "z", "x", "y", "x"};
	ck_assert_int_eq(str_first_repeat(a, two, 6), 3);
	const char *late[] = {"y", "x", "y"};
	ck_assert_int_eq(str_first_repeat(a, late, 3), 2);
	enum { N = 100000 };
	const char **big = arena_alloc(a, sizeof(char *) * N);
	for (size_t i = 0; i < N; i++)
		big[i] = arena_printf(a, "urn:x|%zu", i);
	ck_assert_int_eq(str_first_repeat(a, big, N), -1);
	big[N - 1] = big[17];
	ck_assert_int_eq(str_first_repeat(a, big, N), N - 1);
	arena_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, arena_alloc_and_reset);
	tcase_add_test(tc, arena_defer_runs_on_reset);
	tcase_add_test(tc, buf_grows);
	tcase_add_test(tc, json_writer_shapes);
	tcase_add_test(tc, json_parse_limits);
	tcase_add_test(tc, json_prescans);
	tcase_add_test(tc, base64_roundtrip);
	tcase_add_test(tc, time_parse_and_format);
	tcase_add_test(tc, crypto_digests);
	tcase_add_test(tc, config_keys);
	tcase_add_test(tc, config_file_and_env);
	tcase_add_test(tc, allowed_hosts);
	tcase_add_test(tc, strings_and_utf8);
	tcase_add_test(tc, hex_digits_and_decode);
	tcase_add_test(tc, calendar_math);
	tcase_add_test(tc, json_pointer_walk);
	tcase_add_test(tc, id_lists_unique);
	tcase_add_test(tc, string_lists_first_repeat);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
