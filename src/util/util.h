/*
 * util: small shared utilities that know nothing about HTTP or SQL.
 * Arena memory, growable buffers, a streaming JSON writer and json-c reading helpers,
 * base64/base64url, RFC 3339 times, crypto helpers (CSPRNG, SHA-256, constant-time compare),
 * configuration, logging and the error value that travels up every layer.
 */
#ifndef JHE_UTIL_H
#define JHE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* The one version: AC_INIT in configure.ac (PACKAGE_VERSION); GET /health, the CapabilityStatement
 * and the console show it with a leading "v". */
#ifndef PACKAGE_VERSION
#error "PACKAGE_VERSION comes from configure (AC_INIT)"
#endif
#define JHE_VERSION "v" PACKAGE_VERSION

/* ---------- arena: per-request memory, freed in one step ---------- */
struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Releases everything but keeps the first block for reuse (between requests). */
void arena_reset(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);       /* zeroed, 16-byte aligned; aborts on OOM */
char *arena_strdup(struct arena *a, const char *s); /* NULL stays NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run fn(ptr) when the arena is reset or freed (e.g. json_object_put, PQclear). */
void arena_defer(struct arena *a, void (*fn)(void *), void *ptr);
/* json-c objects parsed per request: released with the arena. Returns obj. */
json_object *arena_json(struct arena *a, json_object *obj);

/* ---------- buf: growable byte buffer (malloc-backed, released with its arena) ---------- */
struct buf {
	char *data; /* always NUL-terminated */
	size_t len;
	size_t cap;
};
struct buf *buf_new(struct arena *a, size_t initial);
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_truncate(struct buf *b, size_t len);

/* ---------- JSON writer: compact output, escapes only ", \ and control characters ---------- */
struct jw {
	struct buf *b;
	int depth;
	uint64_t need_comma; /* bit per depth */
	bool after_key;      /* the next value follows a key: no comma */
};
void jw_init(struct jw *w, struct buf *b);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s); /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
/* One string value: prefix followed by s (NULL: the prefix alone), e.g. "Patient/" + id. */
void jw_str_prefixed(struct jw *w, const char *prefix, const char *s);
void jw_int(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_raw(struct jw *w, const char *json); /* already-serialized JSON value */
void jw_rawn(struct jw *w, const char *json, size_t n);
/* Already-serialized JSON copied in compact form (PostgreSQL's json text has spaces). */
void jw_raw_compact(struct jw *w, const char *json, size_t n);
/* Convenience: key + value */
void jw_kstr(struct jw *w, const char *k, const char *v);
void jw_kint(struct jw *w, const char *k, int64_t v);
void jw_kbool(struct jw *w, const char *k, bool v);
void jw_knull(struct jw *w, const char *k);
void jw_kraw(struct jw *w, const char *k, const char *json);
/* Remove whitespace outside strings in place (PostgreSQL json text -> compact). Returns length. */
size_t json_minify(char *s);
/* Escape s as a JSON string literal (with quotes) into b. */
void json_escape(struct buf *b, const char *s, size_t n);

/* ---------- JSON reading (json-c) ---------- */
/* Parse with depth limit 64. On failure returns NULL and a reason in err ("JSON nesting too deep."
 * is reported as depth=true). The object is owned by the arena. */
/* Pre-parse scans of JSON text, linear and allocation-free (bounds the work before json-c
 * builds a tree; doc/robustness.md "Cost bounds"). json_top_array_len: the number of elements of
 * the array under `key` of the top-level object (as far as the text goes), -1 when the text is not
 * an object with such an array. json_count_containers: objects and arrays outside strings. */
long json_top_array_len(const char *s, size_t n, const char *key);
size_t json_count_containers(const char *s, size_t n);
json_object *json_parse(struct arena *a, const char *text, size_t len, char *err, size_t errlen,
                        bool *too_deep);
const char *json_get_str(json_object *o, const char *key); /* NULL if missing or not a string */
bool json_get_int(json_object *o, const char *key, int64_t *out); /* false if missing/not integer */
json_object *json_get(json_object *o, const char *key); /* NULL if missing or o not an object */
/* True for a JSON integer, or a double with zero fraction within int64 range. */
bool json_as_int(json_object *v, int64_t *out);
/* RFC 6901 JSON pointer, already percent-decoded (json-c's json_pointer_get has no step form,
 * which the schema loader needs to rebase at each level). json_ptr_step: *p is at a '/'; decodes
 * the next reference token (~0 ~1) and returns the member or array element of cur it names, *p
 * moved past the token; NULL when it leads nowhere. json_ptr_get: the whole pointer from root (""
 * is root itself); NULL when it leads nowhere. */
json_object *json_ptr_step(json_object *cur, const char **p);
json_object *json_ptr_get(json_object *root, const char *p);

/* ---------- base64 ---------- */
/* Standard alphabet with padding. Returns length written; out needs base64_encoded_len(n)+1. */
size_t base64_encoded_len(size_t n);
size_t base64_encode(const unsigned char *in, size_t n, char *out);
size_t base64url_encode(const unsigned char *in, size_t n, char *out); /* no padding */
/* Decode; accepts both alphabets, optional padding, no whitespace. Returns -1 on bad input. */
long base64_decode(const char *in, size_t n, unsigned char *out);
/* Output capacity needed for decoding n characters. */
size_t base64_decoded_max(size_t n);

/* ---------- time: microseconds since the Unix epoch, UTC ---------- */
typedef int64_t usec_t;
usec_t time_now_usec(void);
/* RFC 3339 / ISO 8601: YYYY-MM-DD[T ]hh:mm[:ss[.frac]][Z|±hh:mm]; no offset = UTC. 0 on success. */
int time_parse(const char *s, usec_t *out);
/* YYYY-MM-DD only. */
int date_parse(const char *s, int *y, int *m, int *d);
/* Proleptic Gregorian calendar arithmetic shared by every date computation. */
int time_days_in_month(int y, int m);
int64_t time_days_from_civil(int64_t y, int m, int d); /* days since 1970-01-01 */
void time_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* "2026-08-21T15:26:13.123456Z" (fraction only when non-zero, 6 digits). out >= 32 bytes. */
void time_format(usec_t t, char *out);

/* ---------- crypto helpers ---------- */
int crypto_init(void); /* sodium_init; 0 on success */
/* A new secret of nbytes random bytes, base64url-encoded (nbytes=32 gives 43 characters). */
char *random_token(struct arena *a, size_t nbytes);
void sha256(const void *data, size_t n, unsigned char out[32]);
/* base64url(SHA-256(s)) without padding (43 characters). */
char *sha256_b64url(struct arena *a, const char *s);
bool ct_equal(const void *a, const void *b, size_t n);
/* HMAC-SHA256 with the process secret key (config secret_key). */
void hmac_sha256(const unsigned char *key, size_t keylen, const void *data, size_t n,
                 unsigned char out[32]);
char *hex_encode(struct arena *a, const unsigned char *p, size_t n);

/* ---------- configuration (process-lifetime, read once at start) ---------- */
struct config {
	char *database;
	char *owner_database; /* jhe-admin's connection (the owner role); "" = database */
	char *site_url;
	char *allowed_hosts;
	char *secret_key_file;
	unsigned char secret_key[64];
	size_t secret_key_len;
	char *oidc_key_file;
	char *oidc_extra_key_files;
	long access_token_lifetime;
	long refresh_token_lifetime;
	long auth_code_lifetime;
	long id_token_lifetime;
	long session_lifetime;
	long throttle_account_free;
	long throttle_address_free;
	long throttle_max_delay;
	long throttle_window;
	unsigned long long argon2_opslimit;
	size_t argon2_memlimit;
	char *schema_dir;
	long fhir_max_bundle_entries;
	char *cors_origins;
	int log_level;
	size_t max_body; /* bytes accepted by the worker (NGINX enforces the public limits) */
	long
	    statement_timeout_ms; /* PostgreSQL statement_timeout of the workers' sessions; 0 off */
	long request_timeout_ms;  /* per-request deadline (doc/robustness.md); 0 off */
};
extern struct config g_config;
/* Load defaults, then the file (path may be NULL: $JHE_CONFIG or JHE_SYSCONFDIR/jhe/jhe.conf;
 * a missing default file is not an error), then environment overrides. 0 on success. */
int config_load(const char *path, char *err, size_t errlen);
/* Parse one "KEY=value" line into the config; used by config_load and tests. */
int config_set(struct config *c, const char *key, const char *value);
void config_defaults(struct config *c);
void config_free(struct config *c); /* release the strings */
/* The Host of a request for the site URL: "host", or "host:port" when the port is not the
 * scheme's default; lower-cased; NULL when the URL names no host. malloc'ed. */
char *config_site_host(const char *site_url);
/* Whether a request's host is accepted: c->allowed_hosts is "*" (any host) or a comma- or
 * space-separated list compared case-insensitively; config_load fills an empty list with the site
 * URL's host. */
bool config_host_allowed(const struct config *c, const char *host);
/* Read the secret key file into c->secret_key. -1 with the reason in err when the file cannot
 * be read or holds fewer than 32 bytes (the worker then refuses to start). */
int config_load_secret(struct config *c, char *err, size_t errlen);

/* ---------- logging (stderr; never tokens, passwords or PHI) ---------- */
enum { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
int log_level_parse(const char *s);

/* ---------- errors: one value travels up every layer ---------- */
enum err_kind {
	ERR_NONE = 0,
	ERR_BAD_REQUEST,   /* 400 */
	ERR_UNAUTHORIZED,  /* 401 */
	ERR_FORBIDDEN,     /* 403 */
	ERR_NOT_FOUND,     /* 404 */
	ERR_METHOD,        /* 405 */
	ERR_CONFLICT,      /* 409 */
	ERR_GONE,          /* 410 */
	ERR_TOO_LARGE,     /* 413 */
	ERR_MEDIA_TYPE,    /* 415 */
	ERR_UNPROCESSABLE, /* 422 */
	ERR_THROTTLED,     /* 429 */
	ERR_UNAVAILABLE,   /* 503: database unreachable */
	ERR_INTERNAL,      /* 500: a bug */
};
/* The body an error response has. ERR_FORMAT_AREA: the request's area decides (/api/v1 and the
 * rest: {"detail"} or the given JSON; /FHIR/R5: OperationOutcome; /o/: the OAuth JSON when an
 * error code is known, else {"detail"}). The others are chosen by the code that fails. */
enum err_format {
	ERR_FORMAT_AREA = 0,
	ERR_FORMAT_OAUTH, /* RFC 6749 §5.2 {"error", "error_description"} (only when msg is set),
	                     with Cache-Control: no-store and Pragma: no-cache */
	ERR_FORMAT_HTML,  /* an HTML page <h1>status text</h1><p>msg</p> titled `title` */
	ERR_FORMAT_JSON,  /* body is the whole application/json body, whatever the status */
};
struct err {
	enum err_kind kind;
	enum err_format format;
	int status;       /* explicit HTTP status override (0 = from kind) */
	const char *msg;  /* for the client (plain sentence) */
	const char *body; /* optional: full JSON body for the client (e.g. field errors) */
	const char *log;  /* for the log only (may be NULL) */
	const char
	    *code; /* optional machine code for the client (OAuth "invalid_grant", FHIR issue) */
	const char *sqlstate; /* the store's PostgreSQL error code, for decisions and logs only */
	/* headers of the error response (NULL/0: the writer's default for the status) */
	const char *www_authenticate; /* 401/403 challenge */
	const char *allow;            /* 405: the methods of the path */
	long retry_after;             /* seconds (429, 503; a 503 without one gets 5) */
	const char *expression;       /* the part of the request at fault (FHIR issue.expression) */
	const char *title;            /* ERR_FORMAT_HTML: the page's <title> */
};
int err_http_status(const struct err *e);
/* The kind of an HTTP error status (a status of no kind: ERR_BAD_REQUEST below 500, else
 * ERR_INTERNAL); err_http_status of {kind, status} gives the status back. */
enum err_kind err_kind_of_status(int status);

/* One audit row (data-model.md §7): the request fills the caller's part (req_audit_row), the
 * handler the action, and the store writes it (store_audit_insert); shared by every layer. */
struct audit_row {
	int64_t user_id;             /* 0 = NULL */
	const char *oauth_client_id; /* NULL ok */
	const char *action;
	const char *resource_type;
	const char *resource_id;
	int64_t patient_id; /* 0 = NULL */
	int outcome;
	const char *source_address;
	const char *request_id;
	const char *method;
	const char *path;
	const char *detail; /* JSON text or NULL */
};

/* Who is calling, from the bearer token (the auth layer fills it; shared by every layer). */
struct principal {
	int64_t user_id;
	int64_t practitioner_id; /* 0 when none */
	int64_t patient_id;      /* 0 when none */
	bool is_superuser;
	bool is_active;
	const char *email;
	const char *oauth_client_id; /* the token's client_id string */
	int64_t application_id;
	const char *scope; /* space-separated granted OAuth scopes */
	int64_t token_id;
	int64_t family_id;
};

/* ---------- strings ---------- */
bool str_eq(const char *a, const char *b); /* NULL-safe */
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
/* Strict decimal int64 parse of the whole string (optional leading '-'). */
bool str_to_i64(const char *s, int64_t *out);
/* True if s is valid UTF-8 (n bytes). */
bool utf8_valid(const char *s, size_t n);
/* Number of Unicode code points in valid UTF-8. */
size_t utf8_len(const char *s, size_t n);
/* The value of one hexadecimal digit (either case); -1 for any other character. */
int hex_digit(int c);
/* Decodes exactly 2*n hexadecimal digits into n bytes; false when one is not a digit. */
bool hex_decode(const char *hex, unsigned char *out, size_t n);

/* ---------- lists: repeats in O(n log n) (lists.c) ---------- */
/* Drops the repeats of v[0..n) in place, keeping each id's first place and the order; returns
 * the new count. O(n log n), scratch from the arena. */
size_t i64_unique(struct arena *a, int64_t *v, size_t n);
/* The index of the first string of v[0..n) equal to an earlier one; -1 when all differ. */
long str_first_repeat(struct arena *a, const char *const *v, size_t n);

#endif
