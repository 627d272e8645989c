/* Unit tests of the pure auth helpers: PBKDF2 (RFC 6070-style vectors for HMAC-SHA-256),
 * Django hashes, PKCE S256, base64url, redirect URIs, local paths, CSRF, JWT/JWK. */
#include "auth/auth.h"

#include <check.h>
#include <ctype.h>
#include <stdio.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static char *django_hash(struct arena *a, const char *pw, const char *salt, int iters)
{
	unsigned char out[32];
	PKCS5_PBKDF2_HMAC(pw, (int)strlen(pw), (const unsigned char *)salt, (int)strlen(salt),
	                  iters, EVP_sha256(), 32, out);
	char b64[64];
	base64_encode(out, 32, b64);
	return arena_printf(a, "pbkdf2_sha256$%d$%s$%s", iters, salt, b64);
}

START_TEST(pbkdf2_known_vectors)
{
	/* PBKDF2-HMAC-SHA256 test vectors (RFC 6070 inputs, SHA-256 outputs as in RFC 7914 §11
	 * and widely published): P="password", S="salt". */
	struct {
		int c;
		const char *hex;
	} v[] = {
	    {1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"},
	    {2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"},
	    {4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"},
	};
	struct arena *a = arena_new();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned char expect[32];
		for (int j = 0; j < 32; j++) {
			unsigned int x;
			sscanf(v[i].hex + 2 * j, "%2x", &x);
			expect[j] = (unsigned char)x;
		}
		char b64[64];
		base64_encode(expect, 32, b64);
		char *stored = arena_printf(a, "pbkdf2_sha256$%d$salt$%s", v[i].c, b64);
		ck_assert(auth_pbkdf2_verify(stored, "password"));
		ck_assert(auth_password_verify(stored, "password"));
		ck_assert(!auth_pbkdf2_verify(stored, "Password"));
	}
	arena_free(a);
}
END_TEST

START_TEST(pbkdf2_django_format)
{
	struct arena *a = arena_new();
	char *h = django_hash(a, "Jhe1234!", "q7Rk3bXy1aZ9", 1000);
	ck_assert(auth_password_verify(h, "Jhe1234!"));
	ck_assert(!auth_password_verify(h, "Jhe1234?"));
	ck_assert(auth_password_needs_rehash(h));
	/* malformed or out-of-range hashes never verify */
	ck_assert(!auth_password_verify("pbkdf2_sha256$0$salt$AAAA", "x"));
	ck_assert(!auth_password_verify("pbkdf2_sha256$10000001$salt$AAAA", "x"));
	ck_assert(!auth_password_verify("pbkdf2_sha256$abc$salt$AAAA", "x"));
	ck_assert(!auth_password_verify("pbkdf2_sha256$1000$salt", "x"));
	ck_assert(!auth_password_verify("pbkdf2_sha1$1000$salt$AAAA", "x"));
	ck_assert(!auth_password_verify("!unusable", "x"));
	ck_assert(!auth_password_verify(NULL, "x"));
	ck_assert(!auth_password_verify("", ""));
	arena_free(a);
}
END_TEST

START_TEST(argon2id_hash_verify_and_limits)
{
	struct arena *a = arena_new();
	g_config.argon2_opslimit = crypto_pwhash_OPSLIMIT_MIN;
	g_config.argon2_memlimit = crypto_pwhash_MEMLIMIT_MIN;
	char *h = auth_password_hash(a, "correct horse");
	ck_assert_ptr_nonnull(h);
	ck_assert(str_starts(h, "$argon2id$v=19$"));
	ck_assert(auth_password_verify(h, "correct horse"));
	ck_assert(!auth_password_verify(h, "correct horsE"));
	ck_assert(!auth_password_needs_rehash(h));
	g_config.argon2_opslimit = crypto_pwhash_OPSLIMIT_MIN + 1;
	ck_assert(auth_password_needs_rehash(h));
	char *big = arena_alloc(a, 1100);
	memset(big, 'x', 1025);
	ck_assert_ptr_null(auth_password_hash(a, big));
	ck_assert(!auth_password_verify(h, big));
	ck_assert_ptr_nonnull(auth_password_policy("short"));
	ck_assert_ptr_nonnull(auth_password_policy("password123"));
	ck_assert_ptr_null(auth_password_policy("a long unusual phrase"));
	arena_free(a);
}
END_TEST

START_TEST(pkce_s256)
{
	/* RFC 7636 Appendix B */
	char c[44];
	auth_pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c);
	ck_assert_str_eq(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	ck_assert(auth_pkce_check("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
	                          "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
	ck_assert(!auth_pkce_check("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK",
	                           "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
	/* the invitation example of oauth.md §7: verifier = base64url(token) */
	char v[64];
	const char *tok = "0wYuXvhoyRfko9yFYl9inpBiNkHLVBMy";
	base64url_encode((const unsigned char *)tok, strlen(tok), v);
	ck_assert_str_eq(v, "MHdZdVh2aG95UmZrbzl5RllsOWlucEJpTmtITFZCTXk");
	auth_pkce_s256(v, c);
	ck_assert_str_eq(c, "IhuJvLASrwLSYTG8YHinLI_Ae9-cUlOk7rs6WcesHHQ");
	ck_assert(auth_pkce_verifier_valid(v));
	ck_assert(!auth_pkce_verifier_valid("short"));
	ck_assert(!auth_pkce_verifier_valid("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX+"));
	char long_v[130];
	memset(long_v, 'a', 129);
	long_v[129] = 0;
	ck_assert(!auth_pkce_verifier_valid(long_v));
	long_v[128] = 0;
	ck_assert(auth_pkce_verifier_valid(long_v));
}
END_TEST

START_TEST(base64url_and_token_hash)
{
	struct arena *a = arena_new();
	/* oauth.md / admin-api.md §9.1 example: tokenHash of the invitation token */
	ck_assert_str_eq(sha256_b64url(a, "0wYuXvhoyRfko9yFYl9inpBiNkHLVBMy"),
	                 "jpyisI204LChK6hHUOb-PqinMrATrLZho8nHqeN87z4");
	char out[16];
	base64url_encode((const unsigned char *)"\xfb\xff", 2, out);
	ck_assert_str_eq(out, "-_8");
	/* the API key example of admin-api.md §14 */
	const char *raw = "Ab3dEf6hIj9kLm2n:Zq8wXe7rTy6uIo5pAs4dFg3hJk2lQw1e";
	char key[128];
	base64_encode((const unsigned char *)raw, strlen(raw), key);
	ck_assert_str_eq(key,
	                 "QWIzZEVmNmhJajlrTG0ybjpacTh3WGU3clR5NnVJbzVwQXM0ZEZnM2hKazJsUXcxZQ==");
	char alnum[33];
	auth_random_alnum(alnum, 32);
	ck_assert_int_eq(strlen(alnum), 32);
	for (int i = 0; i < 32; i++)
		ck_assert(isalnum((unsigned char)alnum[i]));
	char u[37];
	auth_uuid4(u);
	ck_assert_int_eq(strlen(u), 36);
	ck_assert(u[14] == '4');
	ck_assert_str_eq(auth_pct_encode(a, "localhost:8000_abc"), "localhost%3A8000_abc");
	arena_free(a);
}
END_TEST

START_TEST(redirect_uris_and_local_paths)
{
	ck_assert(auth_redirect_uri_matches("https://a.example/cb", "https://a.example/cb"));
	ck_assert(!auth_redirect_uri_matches("https://a.example/cb", "https://a.example/cb/"));
	ck_assert(
	    !auth_redirect_uri_matches("https://a.example:8443/cb", "https://a.example:9443/cb"));
	ck_assert(auth_redirect_uri_matches("http://localhost:8888/smart/cb",
	                                    "http://localhost:8889/smart/cb"));
	ck_assert(
	    auth_redirect_uri_matches("http://127.0.0.1/cb?x=1", "http://127.0.0.1:5000/cb?x=1"));
	ck_assert(auth_redirect_uri_matches("http://[::1]:80/cb", "http://[::1]:81/cb"));
	ck_assert(
	    !auth_redirect_uri_matches("http://localhost:8888/cb", "http://localhost:8888/cb2"));
	ck_assert(
	    !auth_redirect_uri_matches("http://localhost:8888/cb", "https://localhost:8888/cb"));
	ck_assert(
	    !auth_redirect_uri_matches("http://localhost:8888/cb", "http://localhost.evil/cb"));
	ck_assert(!auth_redirect_uri_matches("http://localhost:8888/cb", "http://localhost:x/cb"));
	ck_assert(auth_local_path("/console/"));
	ck_assert(auth_local_path("/o/authorize/?a=b&c=d"));
	ck_assert(!auth_local_path("//evil.example/"));
	ck_assert(!auth_local_path("/\\evil.example/"));
	ck_assert(!auth_local_path("https://evil.example/"));
	ck_assert(!auth_local_path("evil"));
	ck_assert(!auth_local_path(""));
	ck_assert(!auth_local_path(NULL));
	ck_assert(!auth_local_path("/x\r\nSet-Cookie: a=b"));
}
END_TEST

/* Redirect URI registration rules (oauth.md §2.1): the host is parsed exactly. */
static const struct {
	const char *uri;
	bool ok;
} REDIRECT_CASES[] = {
    {"https://a.example/cb", true},
    {"https://a.example", true},
    {"https://a.example:8443/cb?x=1&y=%20", true},
    {"https://10.1.2.3/cb", true},
    {"https://[2001:db8::1]:443/cb", true},
    {"http://localhost/cb", true},
    {"http://localhost:8888/smart/cb", true},
    {"http://localhost", true},
    {"http://localhost?x=1", true},
    {"http://127.0.0.1:5000/cb", true},
    {"http://[::1]/cb", true},
    {"http://[::1]:65535/cb", true},
    {"http://localhost.evil/", false},
    {"http://localhost.evil:80/", false},
    {"http://localhostevil/", false},
    {"http://127.0.0.1.nip.io/", false},
    {"http://127.0.0.10/", false},
    {"http://[::1]x/", false},
    {"http://[::1]evil.example/", false},
    {"http://[::2]/", false},
    {"http://LOCALHOST/", false},
    {"http://localhost./", false},
    {"http://localhost@evil.example/", false},
    {"http://localhost:80@evil.example/", false},
    {"https://user:pw@a.example/cb", false},
    {"https://@a.example/cb", false},
    {"http://localhost:/cb", false},
    {"http://localhost:65536/cb", false},
    {"http://localhost:123456/cb", false},
    {"http://localhost:8x/cb", false},
    {"http://localhost%2eevil/", false},
    {"http://evil.example/", false},
    {"https://a.example/cb#frag", false},
    {"https://a.example/cb#", false},
    {"https://a.example/c b", false},
    {"https://a.example/cb\t", false},
    {"https://a.example/cb\r\nSet-Cookie: x", false},
    {"https://a.example/cb\x7f", false},
    {"https://a.example/caf\xc3\xa9", false},
    {"https://a.example\\@evil.example/", false},
    {"https:///cb", false},
    {"https://", false},
    {"https://a..example/", false},
    {"https://.a.example/", false},
    {"https://a_b.example/", false},
    {"https://[]/", false},
    {"https://[::1/", false},
    {"ftp://a.example/", false},
    {"HTTPS://a.example/", false},
    {"//a.example/cb", false},
    {"/auth/callback", false},
    {"", false},
};

START_TEST(redirect_uri_validation)
{
	for (size_t i = 0; i < sizeof(REDIRECT_CASES) / sizeof(REDIRECT_CASES[0]); i++)
		ck_assert_msg(auth_redirect_uri_valid(REDIRECT_CASES[i].uri) ==
		                  REDIRECT_CASES[i].ok,
		              "case %zu: %s should be %s", i, REDIRECT_CASES[i].uri,
		              REDIRECT_CASES[i].ok ? "accepted" : "refused");
	ck_assert(!auth_redirect_uri_valid(NULL));
	/* matching never uses an invalid registered or requested URI, not even an identical one */
	ck_assert(!auth_redirect_uri_matches("http://localhost.evil/", "http://localhost.evil/"));
	ck_assert(!auth_redirect_uri_matches("http://localhost/cb", "http://localhost:99999/cb"));
	ck_assert(
	    !auth_redirect_uri_matches("http://localhost/cb", "http://localhost:80@e.example/cb"));
	ck_assert(!auth_redirect_uri_matches("https://a.example/cb", "https://a.example/cb#x"));
	ck_assert(auth_redirect_uri_matches("http://localhost/cb", "http://localhost:8889/cb"));
}
END_TEST

START_TEST(csrf_tokens)
{
	struct arena *a = arena_new();
	const unsigned char k1[] = "0123456789abcdef0123456789abcdef";
	const unsigned char k2[] = "1123456789abcdef0123456789abcdef";
	char *t1 = auth_csrf_token(a, k1, 32, "cookie");
	ck_assert_int_eq(strlen(t1), 43);
	ck_assert_str_eq(t1, auth_csrf_token(a, k1, 32, "cookie"));
	ck_assert_str_ne(t1, auth_csrf_token(a, k2, 32, "cookie"));
	ck_assert_str_ne(t1, auth_csrf_token(a, k1, 32, "cookie2"));
	arena_free(a);
}
END_TEST

START_TEST(jwt_sign_and_verify)
{
	struct arena *a = arena_new();
	EVP_PKEY *k = EVP_RSA_gen(2048);
	ck_assert_ptr_nonnull(k);
	char *n, *e;
	ck_assert_int_eq(auth_rsa_jwk(a, k, &n, &e), 0);
	ck_assert_str_eq(e, "AQAB");
	ck_assert_int_eq(strlen(n), 342); /* 256 bytes, no leading zero */
	char *kid = auth_jwk_thumbprint(a, n, e);
	ck_assert_int_eq(strlen(kid), 43);
	char *jwt = auth_jwt_sign(a, k, kid, "{\"sub\":\"10006\",\"aud\":\"carex\"}");
	ck_assert_ptr_nonnull(jwt);
	char *payload = auth_jwt_verify(a, k, jwt);
	ck_assert_ptr_nonnull(payload);
	ck_assert_str_eq(payload, "{\"sub\":\"10006\",\"aud\":\"carex\"}");
	/* header */
	char *dot = strchr(jwt, '.');
	unsigned char hdr[256];
	long hn = base64_decode(jwt, (size_t)(dot - jwt), hdr);
	ck_assert(hn > 0);
	hdr[hn] = 0;
	ck_assert_str_eq(
	    (char *)hdr,
	    arena_printf(a, "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid));
	/* tampering breaks the signature */
	char *t = arena_strdup(a, jwt);
	t[strlen(t) - 5] = t[strlen(t) - 5] == 'A' ? 'B' : 'A';
	ck_assert_ptr_null(auth_jwt_verify(a, k, t));
	char *p2 = arena_printf(a, "%.*s.%s%s", (int)(dot - jwt), jwt, "eyJzdWIiOiIxIn0",
	                        strrchr(jwt, '.'));
	ck_assert_ptr_null(auth_jwt_verify(a, k, p2));
	/* another key does not verify */
	EVP_PKEY *k2 = EVP_RSA_gen(2048);
	ck_assert_ptr_null(auth_jwt_verify(a, k2, jwt));
	EVP_PKEY_free(k2);
	EVP_PKEY_free(k);
	/* RFC 7638 §3.1 example thumbprint */
	ck_assert_str_eq(
	    auth_jwk_thumbprint(
	        a,
	        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6"
	        "tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_"
	        "RN5w6Cf0h4QyQ5v"
	        "-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08"
	        "qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8"
	        "awapJzKnqDKgw",
	        "AQAB"),
	    "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
	arena_free(a);
}
END_TEST

int main(void)
{
	if (crypto_init())
		return 1;
	config_defaults(&g_config);
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pbkdf2_known_vectors);
	tcase_add_test(tc, pbkdf2_django_format);
	tcase_add_test(tc, argon2id_hash_verify_and_limits);
	tcase_add_test(tc, pkce_s256);
	tcase_add_test(tc, base64url_and_token_hash);
	tcase_add_test(tc, redirect_uris_and_local_paths);
	tcase_add_test(tc, redirect_uri_validation);
	tcase_add_test(tc, csrf_tokens);
	tcase_add_test(tc, jwt_sign_and_verify);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
