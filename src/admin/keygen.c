/* jhe-admin keygen: the RSA key that signs ID tokens and the HMAC secret key. The files are
 * written mode 0640 with the group of their folder (root:jhe for /etc/jhe), so the workers
 * (user jhe) can read them and nobody else can. */
#include "admin/admin.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Create path (truncated) mode 0640, group of its folder; a stdio stream on it or NULL. */
static FILE *open_key(const char *path)
{
	char *copy = strdup(path);
	struct stat dir;
	int have_dir = copy && stat(dirname(copy), &dir) == 0;
	free(copy);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	if ((have_dir && fchown(fd, (uid_t)-1, dir.st_gid) != 0 && errno != EPERM) ||
	    fchmod(fd, 0640) != 0) {
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

static int write_rsa(const char *path)
{
	EVP_PKEY *key = EVP_RSA_gen(3072);
	if (!key)
		return -1;
	FILE *f = open_key(path);
	if (!f) {
		EVP_PKEY_free(key);
		return -1;
	}
	int ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0)
		ok = 0;
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}

static int write_secret(const char *path)
{
	unsigned char k[64];
	randombytes_buf(k, sizeof(k));
	FILE *f = open_key(path);
	if (!f)
		return -1;
	size_t n = fwrite(k, 1, sizeof(k), f);
	if (fclose(f) != 0)
		n = 0;
	sodium_memzero(k, sizeof(k));
	return n == sizeof(k) ? 0 : -1;
}

/* Write the key file at path unless it exists (or force); the notes follow the path in the
 * message. 0, or 1 when it cannot be written. */
static int key_file(const char *path, bool force, int (*write)(const char *path),
                    const char *wrote_note, const char *exists_note)
{
	if (!force && access(path, F_OK) == 0) {
		printf("keygen: %s exists%s\n", path, exists_note);
		return 0;
	}
	if (write(path)) {
		fprintf(stderr, "keygen: cannot write %s\n", path);
		return 1;
	}
	printf("keygen: wrote %s%s\n", path, wrote_note);
	return 0;
}

int cmd_keygen(int argc, char **argv)
{
	bool force;
	int bad = admin_only_flag(argc, argv, "--force", &force);
	if (bad) {
		fprintf(stderr, "keygen: unknown option %s\n", argv[bad]);
		return 2;
	}
	if (key_file(g_config.oidc_key_file, force, write_rsa, " (RSA 3072)",
	             " (use --force to replace)"))
		return 1;
	return key_file(g_config.secret_key_file, force, write_secret, "", "");
}
