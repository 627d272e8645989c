/* Crypto helpers: CSPRNG secrets, SHA-256 digests, HMAC, constant-time comparison. */
#include "util/util.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <string.h>

int crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

char *random_token(struct arena *a, size_t nbytes)
{
	unsigned char raw[128];
	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	randombytes_buf(raw, nbytes);
	char *out = arena_alloc(a, base64_encoded_len(nbytes) + 1);
	base64url_encode(raw, nbytes, out);
	sodium_memzero(raw, sizeof(raw));
	return out;
}

void sha256(const void *data, size_t n, unsigned char out[32])
{
	crypto_hash_sha256(out, data, n);
}

char *sha256_b64url(struct arena *a, const char *s)
{
	unsigned char d[32];
	sha256(s, strlen(s), d);
	char *out = arena_alloc(a, 45);
	base64url_encode(d, 32, out);
	return out;
}

bool ct_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void hmac_sha256(const unsigned char *key, size_t keylen, const void *data, size_t n,
                 unsigned char out[32])
{
	unsigned int len = 32;
	HMAC(EVP_sha256(), key, (int)keylen, data, n, out, &len);
}

char *hex_encode(struct arena *a, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *out = arena_alloc(a, n * 2 + 1);
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	return out;
}
