/* jhe-admin keygen: the RSA key that signs ID tokens and the HMAC secret key. */
#include "admin/admin.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_rsa(const char *path)
{
	EVP_PKEY *key = EVP_RSA_gen(3072);
	if (!key)
		return -1;
	mode_t old = umask(077);
	FILE *f = fopen(path, "w");
	umask(old);
	if (!f) {
		EVP_PKEY_free(key);
		return -1;
	}
	int ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

static int write_secret(const char *path)
{
	unsigned char k[64];
	randombytes_buf(k, sizeof(k));
	mode_t old = umask(077);
	FILE *f = fopen(path, "wb");
	umask(old);
	if (!f)
		return -1;
	size_t n = fwrite(k, 1, sizeof(k), f);
	fclose(f);
	sodium_memzero(k, sizeof(k));
	return n == sizeof(k) ? 0 : -1;
}

int cmd_keygen(int argc, char **argv)
{
	bool force = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = true;
		else {
			fprintf(stderr, "keygen: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	const char *oidc = g_config.oidc_key_file, *secret = g_config.secret_key_file;
	if (force || access(oidc, F_OK) != 0) {
		if (write_rsa(oidc)) {
			fprintf(stderr, "keygen: cannot write %s\n", oidc);
			return 1;
		}
		printf("keygen: wrote %s (RSA 3072)\n", oidc);
	} else {
		printf("keygen: %s exists (use --force to replace)\n", oidc);
	}
	if (force || access(secret, F_OK) != 0) {
		if (write_secret(secret)) {
			fprintf(stderr, "keygen: cannot write %s\n", secret);
			return 1;
		}
		printf("keygen: wrote %s\n", secret);
	} else {
		printf("keygen: %s exists\n", secret);
	}
	return 0;
}
