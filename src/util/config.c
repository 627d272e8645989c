/* Configuration: defaults, then KEY=value file, then environment overrides. Read once. */
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

struct config g_config = {.log_level = LOG_INFO};

static const char *KEYS[] = {"JHE_DATABASE",
                             "JHE_SITE_URL",
                             "JHE_ALLOWED_HOSTS",
                             "JHE_SECRET_KEY_FILE",
                             "JHE_OIDC_KEY_FILE",
                             "JHE_OIDC_EXTRA_KEY_FILES",
                             "JHE_ACCESS_TOKEN_LIFETIME",
                             "JHE_REFRESH_TOKEN_LIFETIME",
                             "JHE_AUTH_CODE_LIFETIME",
                             "JHE_ID_TOKEN_LIFETIME",
                             "JHE_SESSION_LIFETIME",
                             "JHE_LOGIN_THROTTLE_ACCOUNT_FREE",
                             "JHE_LOGIN_THROTTLE_ADDRESS_FREE",
                             "JHE_LOGIN_THROTTLE_MAX_DELAY",
                             "JHE_LOGIN_THROTTLE_WINDOW",
                             "JHE_ARGON2_OPSLIMIT",
                             "JHE_ARGON2_MEMLIMIT",
                             "JHE_SCHEMA_DIR",
                             "JHE_FHIR_MAX_BUNDLE_ENTRIES",
                             "JHE_CORS_ORIGINS",
                             "JHE_LOG_LEVEL",
                             "JHE_MAX_BODY",
                             "JHE_STATEMENT_TIMEOUT_MS",
                             "JHE_REQUEST_TIMEOUT_MS",
                             "JHE_OWNER_DATABASE",
                             NULL};

void config_free(struct config *c)
{
	char **strs[] = {&c->database,
	                 &c->owner_database,
	                 &c->site_url,
	                 &c->allowed_hosts,
	                 &c->secret_key_file,
	                 &c->oidc_key_file,
	                 &c->oidc_extra_key_files,
	                 &c->schema_dir,
	                 &c->cors_origins};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->database = strdup("dbname=jhe");
	c->owner_database = strdup("");
	c->site_url = strdup("http://localhost:8000");
	c->allowed_hosts = strdup("");
	c->secret_key_file = strdup(JHE_SYSCONFDIR "/jhe/secret.key");
	c->oidc_key_file = strdup(JHE_SYSCONFDIR "/jhe/oidc-key.pem");
	c->oidc_extra_key_files = strdup("");
	c->access_token_lifetime = 1209600;
	c->refresh_token_lifetime = 31536000;
	c->auth_code_lifetime = 60;
	c->id_token_lifetime = 36000;
	c->session_lifetime = 43200;
	c->throttle_account_free = 5;
	c->throttle_address_free = 20;
	c->throttle_max_delay = 900;
	c->throttle_window = 900;
	c->argon2_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	c->argon2_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	c->schema_dir = strdup(JHE_PKGDATADIR "/schemas");
	c->fhir_max_bundle_entries = 10000;
	c->cors_origins = strdup("");
	c->log_level = LOG_INFO;
	c->max_body = 64 * 1024 * 1024 + 1024;
	c->statement_timeout_ms = 10000;
	c->request_timeout_ms = 30000;
}

static int set_min(const char *v, int64_t min, int64_t *x)
{
	return str_to_i64(v, x) && *x >= min ? 0 : -1;
}

static int set_long(long *dst, const char *v)
{
	int64_t x;
	if (set_min(v, 0, &x))
		return -1;
	*dst = (long)x;
	return 0;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

/* The settings that are a string or a count of at least 0, by their field. */
static const struct {
	const char *key;
	size_t off;
} str_keys[] =
    {
        {"JHE_DATABASE", offsetof(struct config, database)},
        {"JHE_OWNER_DATABASE", offsetof(struct config, owner_database)},
        {"JHE_SITE_URL", offsetof(struct config, site_url)},
        {"JHE_ALLOWED_HOSTS", offsetof(struct config, allowed_hosts)},
        {"JHE_SECRET_KEY_FILE", offsetof(struct config, secret_key_file)},
        {"JHE_OIDC_KEY_FILE", offsetof(struct config, oidc_key_file)},
        {"JHE_OIDC_EXTRA_KEY_FILES", offsetof(struct config, oidc_extra_key_files)},
        {"JHE_SCHEMA_DIR", offsetof(struct config, schema_dir)},
        {"JHE_CORS_ORIGINS", offsetof(struct config, cors_origins)},
},
  long_keys[] = {
      {"JHE_ACCESS_TOKEN_LIFETIME", offsetof(struct config, access_token_lifetime)},
      {"JHE_REFRESH_TOKEN_LIFETIME", offsetof(struct config, refresh_token_lifetime)},
      {"JHE_AUTH_CODE_LIFETIME", offsetof(struct config, auth_code_lifetime)},
      {"JHE_ID_TOKEN_LIFETIME", offsetof(struct config, id_token_lifetime)},
      {"JHE_SESSION_LIFETIME", offsetof(struct config, session_lifetime)},
      {"JHE_LOGIN_THROTTLE_ACCOUNT_FREE", offsetof(struct config, throttle_account_free)},
      {"JHE_LOGIN_THROTTLE_ADDRESS_FREE", offsetof(struct config, throttle_address_free)},
      {"JHE_LOGIN_THROTTLE_MAX_DELAY", offsetof(struct config, throttle_max_delay)},
      {"JHE_LOGIN_THROTTLE_WINDOW", offsetof(struct config, throttle_window)},
      {"JHE_FHIR_MAX_BUNDLE_ENTRIES", offsetof(struct config, fhir_max_bundle_entries)},
      {"JHE_STATEMENT_TIMEOUT_MS", offsetof(struct config, statement_timeout_ms)},
      {"JHE_REQUEST_TIMEOUT_MS", offsetof(struct config, request_timeout_ms)},
};

/* A whole number of at least min into *x; -1 otherwise. */
int config_set(struct config *c, const char *key, const char *v)
{
	for (size_t i = 0; i < sizeof(str_keys) / sizeof(str_keys[0]); i++)
		if (!strcmp(key, str_keys[i].key)) {
			set_str((char **)((char *)c + str_keys[i].off), v);
			if (!strcmp(key, "JHE_SITE_URL")) {
				size_t n = strlen(c->site_url);
				while (n > 0 && c->site_url[n - 1] == '/')
					c->site_url[--n] = 0;
			}
			return 0;
		}
	for (size_t i = 0; i < sizeof(long_keys) / sizeof(long_keys[0]); i++)
		if (!strcmp(key, long_keys[i].key))
			return set_long((long *)((char *)c + long_keys[i].off), v);
	int64_t x;
	if (!strcmp(key, "JHE_ARGON2_OPSLIMIT")) {
		if (set_min(v, 1, &x))
			return -1;
		c->argon2_opslimit = (unsigned long long)x;
	} else if (!strcmp(key, "JHE_ARGON2_MEMLIMIT")) {
		if (set_min(v, 8192, &x))
			return -1;
		c->argon2_memlimit = (size_t)x;
	} else if (!strcmp(key, "JHE_MAX_BODY")) {
		if (set_min(v, 1024, &x))
			return -1;
		c->max_body = (size_t)x;
	} else if (!strcmp(key, "JHE_LOG_LEVEL")) {
		c->log_level = log_level_parse(v);
	} else {
		return -2;
	}
	return 0;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

int config_load(const char *path, char *err, size_t errlen)
{
	config_free(&g_config);
	config_defaults(&g_config);
	int explicit = path != NULL;
	if (!path) {
		path = getenv("JHE_CONFIG");
		explicit = path != NULL;
	}
	if (!path)
		path = JHE_SYSCONFDIR "/jhe/jhe.conf";
	FILE *f = fopen(path, "r");
	if (!f && explicit) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (f) {
		char line[4096];
		int lineno = 0;
		while (fgets(line, sizeof(line), f)) {
			lineno++;
			char *s = trim(line);
			if (!*s || *s == '#')
				continue;
			char *eq = strchr(s, '=');
			if (!eq) {
				snprintf(err, errlen, "%s:%d: expected KEY=value", path, lineno);
				fclose(f);
				return -1;
			}
			*eq = 0;
			char *k = trim(s), *v = trim(eq + 1);
			int rc = config_set(&g_config, k, v);
			if (rc) {
				snprintf(err, errlen, "%s:%d: %s %s", path, lineno,
				         rc == -2 ? "unknown key" : "bad value for", k);
				fclose(f);
				return -1;
			}
		}
		fclose(f);
	}
	for (int i = 0; KEYS[i]; i++) {
		const char *v = getenv(KEYS[i]);
		if (v && config_set(&g_config, KEYS[i], v)) {
			snprintf(err, errlen, "environment: bad value for %s", KEYS[i]);
			return -1;
		}
	}
	/* No list: only the site URL's own host (a forged Host must not build issuers and links).
	 */
	if (!*g_config.allowed_hosts) {
		char *h = config_site_host(g_config.site_url);
		if (h) {
			free(g_config.allowed_hosts);
			g_config.allowed_hosts = h;
		}
	}
	return 0;
}

char *config_site_host(const char *site_url)
{
	const char *p = strstr(site_url, "://");
	if (!p)
		return NULL;
	size_t scheme_n = (size_t)(p - site_url);
	const char *h = p + 3;
	size_t n = strcspn(h, "/?#");
	const char *at = memchr(h, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - h);
		h = at + 1;
	}
	if (!n)
		return NULL;
	/* the port, unless it is the scheme's default (NGINX passes none then either) */
	const char *colon = NULL;
	for (const char *q = h + n; q > h; q--)
		if (q[-1] == ':') {
			colon = q - 1;
			break;
		} else if (q[-1] == ']') {
			break;
		}
	if (colon) {
		const char *port = colon + 1;
		size_t pn = (size_t)(h + n - port);
		if (pn == 0 ||
		    (scheme_n == 5 && !strncasecmp(site_url, "https", 5) && pn == 3 &&
		     !strncmp(port, "443", 3)) ||
		    (scheme_n == 4 && !strncasecmp(site_url, "http", 4) && pn == 2 &&
		     !strncmp(port, "80", 2)))
			n = (size_t)(colon - h);
	}
	char *out = strndup(h, n);
	if (out)
		for (char *c = out; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	return out;
}

bool config_host_allowed(const struct config *c, const char *host)
{
	const char *list = c->allowed_hosts;
	if (!list || !*list)
		return true;
	if (!host)
		return false;
	size_t hn = strlen(host);
	for (const char *p = list; *p;) {
		p += strspn(p, ", \t");
		size_t n = strcspn(p, ", \t");
		if (n == 1 && *p == '*')
			return true;
		if (n && n == hn && !strncasecmp(p, host, n))
			return true;
		p += n;
	}
	return false;
}

int config_load_secret(struct config *c, char *err, size_t errlen)
{
	FILE *f = fopen(c->secret_key_file, "rb");
	if (!f) {
		snprintf(err, errlen, "cannot read the secret key file %s: %s", c->secret_key_file,
		         strerror(errno));
		return -1;
	}
	unsigned char k[sizeof(c->secret_key)];
	size_t n = fread(k, 1, sizeof(k), f);
	fclose(f);
	if (n < 32) {
		sodium_memzero(k, sizeof(k));
		snprintf(err, errlen, "the secret key file %s holds %zu bytes (at least 32 needed)",
		         c->secret_key_file, n);
		return -1;
	}
	memcpy(c->secret_key, k, n);
	c->secret_key_len = n;
	sodium_memzero(k, sizeof(k));
	return 0;
}
