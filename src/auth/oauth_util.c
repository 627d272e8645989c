/* Pure OAuth helpers: PKCE, redirect URI matching, local paths, CSRF tokens, JWT/JWK. */
#include "auth/auth.h"

#include <ctype.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>
#include <strings.h>

/* ---------- PKCE ---------- */

void auth_pkce_s256(const char *verifier, char out[44])
{
	unsigned char d[32];
	sha256(verifier, strlen(verifier), d);
	base64url_encode(d, 32, out);
	out[43] = 0;
}

static bool unreserved(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool auth_pkce_verifier_valid(const char *v)
{
	size_t n = v ? strlen(v) : 0;
	if (n < 43 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!unreserved(v[i]) || (unsigned char)v[i] > 127)
			return false;
	return true;
}

bool auth_pkce_check(const char *verifier, const char *challenge)
{
	if (!verifier || !challenge || strlen(challenge) != 43)
		return false;
	char got[44];
	auth_pkce_s256(verifier, got);
	return ct_equal(got, challenge, 43);
}

/* ---------- redirect URIs and local paths ---------- */

/* The parts of a URI that passed auth_redirect_uri_valid. */
struct uri_parts {
	const char *host, *port, *rest; /* rest: path, query */
	size_t host_n, port_n;
	bool https;
};

static bool loopback(const char *h, size_t n)
{
	return (n == 9 && !strncmp(h, "localhost", 9)) || (n == 9 && !strncmp(h, "127.0.0.1", 9)) ||
	       (n == 5 && !strncmp(h, "[::1]", 5));
}

/* "http(s)://" host [":" port] then nothing, "/..." or "?...". The host is a DNS name (letters,
 * digits, '-' and '.', no empty label) or a bracketed IPv6 literal; no userinfo, no percent
 * escapes; the port has 1-5 digits and is at most 65535. */
static bool split_uri(const char *u, struct uri_parts *p)
{
	memset(p, 0, sizeof(*p));
	const char *h;
	if (!strncmp(u, "https://", 8)) {
		p->https = true;
		h = u + 8;
	} else if (!strncmp(u, "http://", 7))
		h = u + 7;
	else
		return false;
	const char *end = h + strcspn(h, "/?");
	const char *hend;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (!rb || rb == h + 1)
			return false;
		for (const char *q = h + 1; q < rb; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':' && *q != '.')
				return false;
		hend = rb + 1;
	} else {
		hend = h;
		while (hend < end && *hend != ':') {
			unsigned char c = (unsigned char)*hend;
			if (c == '.' ? hend == h || hend[-1] == '.' : !isalnum(c) && c != '-')
				return false;
			hend++;
		}
		if (hend == h || hend[-1] == '.')
			return false;
	}
	p->host = h;
	p->host_n = (size_t)(hend - h);
	if (hend < end) {
		if (*hend != ':')
			return false;
		p->port = hend + 1;
		p->port_n = (size_t)(end - p->port);
		if (p->port_n < 1 || p->port_n > 5)
			return false;
		long v = 0;
		for (size_t i = 0; i < p->port_n; i++) {
			if (!isdigit((unsigned char)p->port[i]))
				return false;
			v = v * 10 + (p->port[i] - '0');
		}
		if (v > 65535)
			return false;
	}
	p->rest = end;
	return true;
}

bool auth_redirect_uri_valid(const char *u)
{
	if (!u || !*u)
		return false;
	/* printable ASCII only: no whitespace, control characters or raw UTF-8; no fragment; no
	 * backslash (browsers read it as '/' in http URLs) */
	for (const unsigned char *c = (const unsigned char *)u; *c; c++)
		if (*c <= 0x20 || *c >= 0x7f || *c == '#' || *c == '\\')
			return false;
	struct uri_parts p;
	if (!split_uri(u, &p))
		return false;
	return p.https || loopback(p.host, p.host_n);
}

bool auth_redirect_uri_matches(const char *registered, const char *requested)
{
	/* a row registered before the rules were strict is not used either */
	if (!auth_redirect_uri_valid(registered) || !auth_redirect_uri_valid(requested))
		return false;
	if (!strcmp(registered, requested))
		return true;
	struct uri_parts a, b;
	if (!split_uri(registered, &a) || !split_uri(requested, &b))
		return false;
	if (a.https || b.https || !loopback(a.host, a.host_n) || a.host_n != b.host_n ||
	    strncmp(a.host, b.host, a.host_n) != 0)
		return false;
	return strcmp(a.rest, b.rest) == 0;
}

bool auth_local_path(const char *next)
{
	if (!next || next[0] != '/')
		return false;
	if (next[1] == '/' || next[1] == '\\')
		return false;
	for (const char *p = next; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return false;
	/* no scheme: a ':' before the first '/', '?' or '#' after the leading slash cannot occur
	 * in a path starting with '/', but reject embedded "://" as well */
	if (strstr(next, "://"))
		return false;
	return true;
}

/* ---------- CSRF ---------- */

char *auth_csrf_token(struct arena *a, const unsigned char *key, size_t keylen, const char *cookie)
{
	char *msg = arena_printf(a, "csrf:%s", cookie);
	unsigned char mac[32];
	hmac_sha256(key, keylen, msg, strlen(msg), mac);
	char *out = arena_alloc(a, 45);
	base64url_encode(mac, 32, out);
	return out;
}

/* ---------- JWT / JWK ---------- */

static char *b64url(struct arena *a, const void *p, size_t n)
{
	char *out = arena_alloc(a, base64_encoded_len(n) + 1);
	base64url_encode(p, n, out);
	return out;
}

static char *bn_b64url(struct arena *a, const BIGNUM *bn)
{
	int n = BN_num_bytes(bn);
	unsigned char *buf = arena_alloc(a, (size_t)n + 1);
	BN_bn2bin(bn, buf); /* big-endian, no leading zero bytes */
	return b64url(a, buf, (size_t)n);
}

int auth_rsa_jwk(struct arena *a, EVP_PKEY *key, char **n, char **e)
{
	BIGNUM *bn = NULL, *be = NULL;
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
		return -1;
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &bn) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &be)) {
		BN_free(bn);
		BN_free(be);
		return -1;
	}
	*n = bn_b64url(a, bn);
	*e = bn_b64url(a, be);
	BN_free(bn);
	BN_free(be);
	return 0;
}

char *auth_jwk_thumbprint(struct arena *a, const char *n, const char *e)
{
	char *s = arena_printf(a, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", e, n);
	unsigned char d[32];
	sha256(s, strlen(s), d);
	return b64url(a, d, 32);
}

char *auth_jwt_sign(struct arena *a, EVP_PKEY *key, const char *kid, const char *payload_json)
{
	char *header = arena_printf(a, "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", kid);
	char *h64 = b64url(a, header, strlen(header));
	char *p64 = b64url(a, payload_json, strlen(payload_json));
	char *input = arena_printf(a, "%s.%s", h64, p64);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return NULL;
	size_t siglen = 0;
	unsigned char *sig = NULL;
	char *out = NULL;
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestSign(ctx, NULL, &siglen, (const unsigned char *)input, strlen(input)) == 1) {
		sig = arena_alloc(a, siglen);
		if (EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)input,
		                   strlen(input)) == 1)
			out = arena_printf(a, "%s.%s", input, b64url(a, sig, siglen));
	}
	EVP_MD_CTX_free(ctx);
	return out;
}

char *auth_jwt_verify(struct arena *a, EVP_PKEY *key, const char *jwt)
{
	const char *d1 = strchr(jwt, '.');
	const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (!d2 || strchr(d2 + 1, '.'))
		return NULL;
	const char *s64 = d2 + 1;
	unsigned char *sig = arena_alloc(a, base64_decoded_max(strlen(s64)) + 1);
	long siglen = base64_decode(s64, strlen(s64), sig);
	if (siglen <= 0)
		return NULL;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return NULL;
	bool ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
	          EVP_DigestVerify(ctx, sig, (size_t)siglen, (const unsigned char *)jwt,
	                           (size_t)(d2 - jwt)) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return NULL;
	size_t pl = (size_t)(d2 - d1 - 1);
	char *payload = arena_alloc(a, base64_decoded_max(pl) + 1);
	long n = base64_decode(d1 + 1, pl, (unsigned char *)payload);
	if (n < 0)
		return NULL;
	payload[n] = 0;
	return payload;
}

/* ---------- misc ---------- */

void auth_random_alnum(char *out, size_t n)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[randombytes_uniform(62)];
	out[n] = 0;
}

void auth_uuid4(char out[37])
{
	unsigned char b[16];
	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	static const char hex[] = "0123456789abcdef";
	int o = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = 0;
}

char *auth_pct_encode(struct arena *a, const char *s)
{
	struct buf *b = buf_new(a, strlen(s) * 3 + 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || *p == '_' || *p == '.' || *p == '-' || *p == '~')
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
	return b->data;
}
