/* Passwords: Argon2id (libsodium). */
#include "auth/auth.h"

#include <sodium.h>
#include <string.h>

char *auth_password_hash(struct arena *a, const char *password)
{
	char *out = arena_alloc(a, crypto_pwhash_STRBYTES);
	if (crypto_pwhash_str(out, password, strlen(password), g_config.argon2_opslimit,
			      g_config.argon2_memlimit) != 0)
		return NULL;
	return out;
}

bool auth_password_verify(const char *stored, const char *password)
{
	if (!stored || !*stored || stored[0] == '!')
		return false;
	if (str_starts(stored, "$argon2id$"))
		return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
	return false;
}
