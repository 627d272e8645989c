/* The OIDC signing key (JHE_OIDC_KEY_FILE) and the published JWKS, loaded once per process. */
#include "auth/auth.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static EVP_PKEY *g_key;
static char g_kid[64];
static bool g_loaded;

static EVP_PKEY *read_key(const char *path, bool private_key)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	EVP_PKEY *k = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL)
	                          : PEM_read_PUBKEY(f, NULL, NULL, NULL);
	if (!k && !private_key) {
		/* a private key file is accepted too */
		rewind(f);
		k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	}
	fclose(f);
	if (k && EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		return NULL;
	}
	return k;
}

void auth_keys_reset(void)
{
	EVP_PKEY_free(g_key);
	g_key = NULL;
	g_kid[0] = 0;
	g_loaded = false;
}

EVP_PKEY *auth_signing_key(const char **kid)
{
	if (!g_loaded) {
		g_loaded = true;
		g_key = read_key(g_config.oidc_key_file, true);
		if (!g_key) {
			log_error("cannot read the OIDC signing key %s", g_config.oidc_key_file);
		} else {
			struct arena *a = arena_new();
			char *n, *e;
			if (auth_rsa_jwk(a, g_key, &n, &e) == 0)
				snprintf(g_kid, sizeof(g_kid), "%s", auth_jwk_thumbprint(a, n, e));
			arena_free(a);
		}
	}
	if (kid)
		*kid = g_kid;
	return g_key;
}

static void jwk_entry(struct arena *a, struct jw *w, EVP_PKEY *k)
{
	char *n, *e;
	if (auth_rsa_jwk(a, k, &n, &e))
		return;
	jw_obj_begin(w);
	jw_kstr(w, "kty", "RSA");
	jw_kstr(w, "use", "sig");
	jw_kstr(w, "alg", "RS256");
	jw_kstr(w, "kid", auth_jwk_thumbprint(a, n, e));
	jw_kstr(w, "n", n);
	jw_kstr(w, "e", e);
	jw_obj_end(w);
}

char *auth_jwks_json(struct arena *a)
{
	EVP_PKEY *key = auth_signing_key(NULL);
	if (!key)
		return NULL;
	struct buf *b = buf_new(a, 2048);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_key(&w, "keys");
	jw_arr_begin(&w);
	jwk_entry(a, &w, key);
	const char *extra = g_config.oidc_extra_key_files;
	if (extra && *extra) {
		char *list = arena_strdup(a, extra), *save = NULL;
		for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			while (*p == ' ')
				p++;
			if (!*p)
				continue;
			EVP_PKEY *k = read_key(p, false);
			if (!k) {
				log_warn("cannot read the extra OIDC key %s", p);
				continue;
			}
			jwk_entry(a, &w, k);
			EVP_PKEY_free(k);
		}
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	return b->data;
}
