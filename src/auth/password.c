/* Passwords: Argon2id (libsodium); Django pbkdf2_sha256 hashes verified and upgraded. */
#include "auth/auth.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PASSWORD_MAX 1024

char *auth_password_hash(struct arena *a, const char *password)
{
	if (strlen(password) > PASSWORD_MAX)
		return NULL;
	char *out = arena_alloc(a, crypto_pwhash_STRBYTES);
	if (crypto_pwhash_str(out, password, strlen(password), g_config.argon2_opslimit,
	                      g_config.argon2_memlimit) != 0)
		return NULL;
	return out;
}

bool auth_pbkdf2_verify(const char *stored, const char *password)
{
	if (!str_starts(stored, "pbkdf2_sha256$"))
		return false;
	const char *p = stored + strlen("pbkdf2_sha256$");
	const char *d1 = strchr(p, '$');
	if (!d1)
		return false;
	const char *d2 = strchr(d1 + 1, '$');
	if (!d2 || strchr(d2 + 1, '$'))
		return false;
	char iters[16];
	size_t il = (size_t)(d1 - p);
	if (il == 0 || il >= sizeof(iters))
		return false;
	memcpy(iters, p, il);
	iters[il] = 0;
	int64_t n;
	if (!str_to_i64(iters, &n) || n < 1 || n > 10000000)
		return false;
	const char *salt = d1 + 1;
	size_t saltlen = (size_t)(d2 - salt);
	const char *hash = d2 + 1;
	size_t hl = strlen(hash);
	if (saltlen == 0 || hl == 0 || hl > 200)
		return false;
	unsigned char expect[160];
	long el = base64_decode(hash, hl, expect);
	if (el != 32)
		return false;
	unsigned char got[32];
	if (PKCS5_PBKDF2_HMAC(password, (int)strlen(password), (const unsigned char *)salt,
	                      (int)saltlen, (int)n, EVP_sha256(), 32, got) != 1)
		return false;
	return ct_equal(got, expect, 32);
}

bool auth_password_verify(const char *stored, const char *password)
{
	if (!stored || !*stored || stored[0] == '!' || !password)
		return false;
	if (strlen(password) > PASSWORD_MAX)
		return false;
	if (str_starts(stored, "$argon2id$"))
		return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
	if (str_starts(stored, "pbkdf2_sha256$"))
		return auth_pbkdf2_verify(stored, password);
	return false;
}

bool auth_password_needs_rehash(const char *stored)
{
	if (!stored)
		return false;
	if (str_starts(stored, "pbkdf2_sha256$"))
		return true;
	if (str_starts(stored, "$argon2id$"))
		return crypto_pwhash_str_needs_rehash(stored, g_config.argon2_opslimit,
		                                      g_config.argon2_memlimit) != 0;
	return false;
}

/* A small bundled list of the most common passwords (of 8+ characters). */
static const char *const common_passwords[] = {
    "password",   "password1", "password12",    "password123", "password!",  "passw0rd",
    "12345678",   "123456789", "1234567890",    "12345678910", "87654321",   "11111111",
    "00000000",   "88888888",  "qwertyui",      "qwerty123",   "qwertyuiop", "1q2w3e4r",
    "1q2w3e4r5t", "1qaz2wsx",  "zaq12wsx",      "iloveyou",    "iloveyou1",  "sunshine",
    "princess",   "football",  "baseball",      "welcome1",    "welcome123", "abcd1234",
    "abc12345",   "letmein1",  "trustno1",      "superman",    "starwars",   "michael1",
    "computer",   "whatever",  "dragon123",     "master123",   "monkey123",  "shadow123",
    "changeme",   "changeme1", "administrator", "admin123",    "admin1234",  "qazwsxedc",
    "asdfghjkl",  "asdf1234",  "zxcvbnm1",      "internet",    "jennifer",   "liverpool",
    "1234qwer",   "q1w2e3r4",  "q1w2e3r4t5",    "aa123456",    "a1234567",   "jhe12345",
    NULL,
};

const char *auth_password_policy(const char *password)
{
	size_t n = strlen(password);
	if (n > PASSWORD_MAX)
		return "The password must be at most 1024 bytes.";
	if (!utf8_valid(password, n))
		return "The password must be valid UTF-8.";
	if (utf8_len(password, n) < 8)
		return "The password must have at least 8 characters.";
	for (int i = 0; common_passwords[i]; i++)
		if (strcasecmp(common_passwords[i], password) == 0)
			return "The password is too common.";
	return NULL;
}
