/*
 * store: the PostgreSQL connection of this process, prepared statements, transactions, and one
 * file per aggregate with the queries. Maps SQLSTATEs to error kinds. Never formats HTTP.
 *
 * Prepared statements are declared next to the function that uses them:
 *     static struct db_stmt q_user = DB_STMT("SELECT ... WHERE id = $1");
 * and prepared lazily, once per connection (re-prepared after a reconnect).
 *
 * Many reads build their JSON in SQL (json_build_object keeps key order): the store returns the
 * JSON text and handlers copy it into the response, one round trip per request.
 */
#ifndef JHE_STORE_H
#define JHE_STORE_H

#include "util/util.h"

/* ---------- connection and statements ---------- */
struct db_stmt {
	const char *sql;
	char name[16];
	unsigned gen; /* connection generation it was prepared on */
};
#define DB_STMT(sqltext)                                                                           \
	{                                                                                          \
		.sql = (sqltext)                                                                   \
	}

struct db_result; /* rows of one statement; released with the arena */

/* Connect with g_config.database (0 on success). Safe to call again. */
int db_connect(void);
/* Make sure the connection is usable (reconnects if needed); ERR_UNAVAILABLE in e if not. */
int db_ensure(struct err *e);
void db_disconnect(void);
/* A libpq connection string fit for messages: every password replaced by "***" (keyword=value
 * and URI forms); "(unparsable connection string)" when libpq cannot parse it. */
char *db_conninfo_masked(struct arena *a, const char *conninfo);
/* Per-request deadline (JHE_REQUEST_TIMEOUT_MS, doc/robustness.md "Cost bounds"): after ms the
 * statement in flight is cancelled and every later statement of the request fails with 503
 * (the handler's transaction is rolled back by dispatch). 0 = none. */
void db_deadline_arm(long ms);
void db_deadline_disarm(void);
/* statement_timeout (ms) of the connections made after this call; the workers set
 * JHE_STATEMENT_TIMEOUT_MS, jhe-admin (migrations, seeding) none. */
void db_set_statement_timeout(long ms);
/* Run a prepared statement. params may contain NULL for SQL NULL. Returns NULL with e set. */
struct db_result *db_query(struct arena *a, struct db_stmt *st, int nparams,
                           const char *const *params, struct err *e);
/* Run SQL text built at run time as an unnamed statement (planned per call). */
struct db_result *db_query_params(struct arena *a, const char *sql, int nparams,
                                  const char *const *params, struct err *e);
/* Run a statement that returns no rows (or whose rows are ignored). Returns affected rows or -1. */
long db_exec(struct arena *a, struct db_stmt *st, int nparams, const char *const *params,
             struct err *e);
/* Run fixed SQL text without parameters (migrations, SET commands). Multiple statements ok. */
int db_exec_sql(const char *sql, struct err *e);
/* COPY ... FROM STDIN with the given text-format data (bulk inserts). Returns rows or -1. */
long db_copy_in(const char *copy_sql, const char *data, size_t len, struct err *e);

int db_nrows(const struct db_result *r);
const char *db_get(const struct db_result *r, int row, int col); /* NULL for SQL NULL */
size_t db_getlen(const struct db_result *r, int row, int col);
bool db_isnull(const struct db_result *r, int row, int col);
int64_t db_get_i64(const struct db_result *r, int row, int col); /* 0 for NULL */
bool db_get_bool(const struct db_result *r, int row, int col);
/* A json/jsonb column as compact JSON text copied into the arena (NULL for SQL NULL): the one way
 * store functions hand JSON built by PostgreSQL to the handlers. */
char *db_get_json(struct arena *a, const struct db_result *r, int row, int col);
long db_affected(const struct db_result *r);

/* ---------- transactions (one per request that writes) ---------- */
int db_begin(struct err *e);
int db_commit(struct err *e);
void db_rollback(void); /* no-op when no transaction is open */
bool db_in_transaction(void);

/* Helpers to format parameters */
char *db_i64(struct arena *a, int64_t v);
char *db_bytea_hex(struct arena *a, const unsigned char *p, size_t n); /* "\\x..." */
/* A bytea column as PostgreSQL prints it ("\\x" and 2*n hex digits) into n bytes; false when
 * NULL or not exactly that. */
bool db_parse_bytea(const char *text, unsigned char *out, size_t n);
char *db_time(struct arena *a, usec_t t); /* RFC 3339 for timestamptz parameters */
/* Parse a timestamptz text as PostgreSQL prints it (ISO, +00 offset) to usec. */
int db_parse_time(const char *s, usec_t *out);

/* ---------- principal from a bearer token digest (one round trip) ---------- */
struct principal;
/* 0 found; 1 not found/expired/revoked/inactive; -1 database error (e set). */
int store_principal_by_token(struct arena *a, const unsigned char digest[32], struct principal *out,
                             struct err *e);
/* Create an access token for a user (jhe-admin token issue, tests). Returns 0 on success. */
int store_token_issue(struct arena *a, const char *email, const char *client_id, long days,
                      const unsigned char digest[32], struct err *e);

/* ---------- audit (data-model.md §7): every audit write goes through store/audit.c ---------- */
/* The columns of every audit_event insert, in the order of store_audit_params: the statements
 * that write audit rows together with other work (fhir_create.c, fhir_search.c, maintenance.c)
 * name them with this and bind the request's values from store_audit_params. */
#define STORE_AUDIT_INSERT                                                                         \
	"INSERT INTO audit_event (time, user_id, oauth_client_id, action, resource_type,"          \
	" resource_id, patient_id, outcome, source_address, request_id, method, path, detail)"
/* Insert one audit row in the current transaction (or autocommit). async=true uses
 * synchronous_commit=off for read audits outside a transaction. */
int store_audit_insert(struct arena *a, const struct audit_row *row, bool async, struct err *e);
/* The twelve bound values of an audit row, in the column order of store_audit_insert ($1 user,
 * $2 client, $3 action, $4 type, $5 resource id, $6 patient, $7 outcome, $8 address, $9 request
 * id, $10 method, $11 path, $12 detail), text made valid UTF-8: for statements that write the
 * audit row together with other work (one round trip). */
void store_audit_params(struct arena *a, const struct audit_row *row, const char *params[12]);

/* ---------- settings (read from the database when used: no cache) ---------- */
/* The text value of a setting (string/int/bool/float as text), or NULL when missing. */
const char *store_setting_text(struct arena *a, const char *key, struct err *e);

/* ---------- operator maintenance (jhe-admin) ---------- */
/* Delete expired codes, tokens, families, sessions and stale throttle rows in one transaction;
 * counts[] receives the rows deleted per kind in that order. */
int store_cleanup_expired(struct arena *a, long window_seconds, long counts[5], struct err *e);
/* Add a scope (codeable_concept); returns its id, -1 with e set (ERR_CONFLICT when it exists). */
int64_t store_scope_add(struct arena *a, const char *system, const char *code, const char *text,
                        struct err *e);
/* (De)activate a user by email; deactivation revokes its token families (families receives how
 * many) and sessions. 0 done, 1 no such user, -1 error. */
int store_user_set_active(struct arena *a, const char *email, bool active, long *families,
                          struct err *e);

/* ---------- users ---------- */
/* JSON of GET /api/v1/users/profile for the principal's user (admin-api.md §4.1). */
char *store_user_profile_json(struct arena *a, int64_t user_id, struct err *e);

/* ================= admin API (users, organizations, practitioners, studies, data
 * sources, clients, settings, audit events). JSON texts are minified; list functions return the
 * JSON array of one page and set *count to the total. ================= */
/* Helpers: first column of the first row (minified); no row or NULL -> ERR_NOT_FOUND with nf. */
char *store_json(struct arena *a, struct db_stmt *st, int n, const char *const *p, const char *nf,
                 struct err *e);
/* A paged list statement returning one row (count, json array). */
char *store_page(struct arena *a, struct db_stmt *st, int n, const char *const *p, int64_t *count,
                 struct err *e);
/* First column of the first row as an integer: 0 found, 1 no row / NULL, -1 error. */
int store_i64(struct arena *a, struct db_stmt *st, int n, const char *const *p, int64_t *out,
              struct err *e);
/* Permission of admin-api.md §2.2 (jhe_can): 1 yes, 0 no, -1 error. */
int store_can(struct arena *a, int64_t user_id, const char *perm, int64_t org_id, struct err *e);
/* member(c, o) (jhe_is_member): 1 yes, 0 no, -1 error. */
int store_is_member(struct arena *a, int64_t user_id, int64_t org_id, struct err *e);
/* 1 when the user is manager in at least one organization. */
int store_is_manager_somewhere(struct arena *a, int64_t user_id, struct err *e);

/* organizations */
struct org_info {
	bool exists;
	bool visible;    /* org_visible(caller, o) */
	int64_t part_of; /* -1 for ROOT */
};
int store_org_info(struct arena *a, int64_t user_id, int64_t org_id, struct org_info *out,
                   struct err *e);
/* Is candidate the organization itself or one of its descendants? 1/0/-1. */
int store_org_in_subtree(struct arena *a, int64_t org_id, int64_t candidate, struct err *e);
char *store_org_list(struct arena *a, int64_t user_id, const int64_t *part_of, int64_t offset,
                     int64_t limit, int64_t *count, struct err *e);
char *store_org_json(struct arena *a, int64_t user_id, int64_t org_id, struct err *e);
char *store_org_tree(struct arena *a, int64_t user_id, int64_t org_id, struct err *e);
/* Insert; the creator's practitioner (if any, and when add_manager) becomes manager. */
int store_org_create(struct arena *a, int64_t user_id, const char *name, const char *type,
                     int64_t parent, bool add_manager, int64_t *id, struct err *e);
/* NULL name/type and parent < 0 keep the current values. */
int store_org_update(struct arena *a, int64_t org_id, const char *name, const char *type,
                     int64_t parent, struct err *e);
int store_org_delete(struct arena *a, int64_t org_id, struct err *e);
char *store_org_members(struct arena *a, int64_t org_id, struct err *e);
char *store_org_studies(struct arena *a, int64_t org_id, struct err *e);
char *store_user_organizations(struct arena *a, int64_t user_id, struct err *e);
/* Create or change a membership; *created tells which. Returns the membership JSON. */
char *store_membership_set(struct arena *a, int64_t org_id, int64_t practitioner_id,
                           const char *role, bool *created, struct err *e);
/* Add a membership unless one exists (default orgs, practitioners create). */
int store_membership_add_missing(struct arena *a, int64_t org_id, int64_t practitioner_id,
                                 const char *role, struct err *e);
int store_membership_remove(struct arena *a, int64_t org_id, int64_t practitioner_id,
                            struct err *e);

/* users */
struct user_info {
	int64_t id;
	bool is_superuser;
	int64_t practitioner_id; /* 0 none */
	int64_t patient_id;      /* 0 none */
	const char *user_type;   /* NULL none */
	const char *email;
};
/* By id (email NULL) or by email (case-insensitive). 0 found, 1 not found, -1 error. */
int store_user_info(struct arena *a, int64_t id, const char *email, struct user_info *out,
                    struct err *e);
char *store_user_list(struct arena *a, const char *email, int64_t offset, int64_t limit,
                      int64_t *count, struct err *e);
char *store_user_json(struct arena *a, int64_t user_id, struct err *e);
char *store_user_search_json(struct arena *a, const char *email, struct err *e);
/* Email in use by another user than exclude_id (0 = none)? 1/0/-1. */
int store_email_taken(struct arena *a, const char *email, int64_t exclude_id, struct err *e);
int store_user_create(struct arena *a, const char *email, const char *first, const char *last,
                      const char *user_type, bool is_superuser, int64_t *id, struct err *e);
/* NULL keeps a value; is_superuser -1 keeps it. */
int store_user_update(struct arena *a, int64_t id, const char *email, const char *first,
                      const char *last, int is_superuser, struct err *e);
int store_user_delete(struct arena *a, int64_t id, struct err *e);
int store_superuser_count(struct arena *a, int64_t *n, struct err *e);
/* Patient row for a user (names copied from the user, no birth date). */
int store_patient_create_for_user(struct arena *a, int64_t user_id, struct err *e);

/* practitioners */
/* Practitioner row for a user with the given names (NULL: copied from the user). */
int store_practitioner_create(struct arena *a, int64_t user_id, const char *name_family,
                              const char *name_given, int64_t *id, struct err *e);
char *store_practitioner_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                              struct err *e);
char *store_practitioner_json(struct arena *a, int64_t id, struct err *e);
/* Returns 1 when the practitioner does not exist. NULL names keep the value. */
int store_practitioner_update(struct arena *a, int64_t id, const char *name_family,
                              const char *name_given, struct err *e);
/* Delete the row, then its user when it has no patient row and is not a superuser.
 * 1 when not found. */
int store_practitioner_delete(struct arena *a, int64_t id, struct err *e);
/* Sticky settings (admin-api.md §17) of the user's practitioner row (no-op without one):
 * org_id > = 0 sets current_organization_id; study_id >= 0 sets current_study_id,
 * study_id == -2 removes it, -1 keeps it. Runs in its own statement (autocommit). */
int store_practitioner_sticky(struct arena *a, int64_t user_id, int64_t org_id, int64_t study_id,
                              struct err *e);
/* Exists-check helpers: 1 exists, 0 not, -1 error. */
int store_row_exists(struct arena *a, const char *table, int64_t id, struct err *e);

/* studies */
struct study_info {
	bool exists;
	bool readable; /* study_readable */
	int64_t organization_id;
};
int store_study_info(struct arena *a, int64_t user_id, int64_t id, struct study_info *out,
                     struct err *e);
/* org_id NULL: all readable studies. */
char *store_study_list(struct arena *a, int64_t user_id, const int64_t *org_id, int64_t offset,
                       int64_t limit, int64_t *count, struct err *e);
char *store_study_json(struct arena *a, int64_t id, bool write_shape, struct err *e);
int store_study_create(struct arena *a, const char *name, const char *description, int64_t org,
                       const char *icon_url, bool icon_set, int64_t *id, struct err *e);
int store_study_update(struct arena *a, int64_t id, const char *name, const char *description,
                       const char *icon_url, bool icon_set, struct err *e);
int store_study_delete(struct arena *a, int64_t id, struct err *e);
/* kind: "scope_requests", "clients", "data_sources" */
char *store_study_links(struct arena *a, int64_t study_id, const char *kind, struct err *e);
/* Adds a link; 1 when it already exists. new_id receives the row id. */
int store_study_link_add(struct arena *a, int64_t study_id, const char *kind, int64_t ref,
                         int64_t *new_id, struct err *e);
int store_study_link_remove(struct arena *a, int64_t study_id, const char *kind, int64_t ref,
                            struct err *e);
char *store_scope_request_json(struct arena *a, int64_t id, struct err *e);
/* "system|code" of a codeable concept, NULL when missing. */
const char *store_scope_label(struct arena *a, int64_t id, struct err *e);
/* Is the application a patient client? 1/0/-1 */
int store_app_is_patient_client(struct arena *a, int64_t app_id, struct err *e);

/* data sources */
char *store_data_source_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                             struct err *e);
char *store_data_source_json(struct arena *a, int64_t id, struct err *e);
int store_data_source_create(struct arena *a, const char *name, const char *type, int64_t *id,
                             struct err *e);
int store_data_source_update(struct arena *a, int64_t id, const char *name, const char *type,
                             struct err *e);
int store_data_source_delete(struct arena *a, int64_t id, struct err *e);
char *store_all_scopes(struct arena *a, struct err *e);
char *store_supported_scopes(struct arena *a, int64_t ds_id, struct err *e);
/* 1 when the link exists already. Returns the row JSON in *json. */
int store_supported_scope_add(struct arena *a, int64_t ds_id, int64_t scope_id, char **json,
                              struct err *e);
int store_supported_scope_remove(struct arena *a, int64_t ds_id, int64_t scope_id, struct err *e);

/* clients (patient clients) and OAuth applications */
char *store_client_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                        struct err *e);
char *store_client_json(struct arena *a, int64_t id, struct err *e);
/* Is a client_id used by an application other than exclude_id? 1/0/-1 */
int store_client_id_taken(struct arena *a, const char *client_id, int64_t exclude_id,
                          struct err *e);
int store_client_create(struct arena *a, const char *name, const char *client_id,
                        const char *invitation_url, const char *redirect_uri, int64_t *id,
                        struct err *e);
int store_client_update(struct arena *a, int64_t id, const char *name, const char *client_id,
                        const char *invitation_url, struct err *e);
int store_application_delete(struct arena *a, int64_t id, struct err *e);
char *store_client_data_sources(struct arena *a, int64_t app_id, struct err *e);
int store_client_data_source_add(struct arena *a, int64_t app_id, int64_t ds_id, char **json,
                                 struct err *e);
int store_client_data_source_remove(struct arena *a, int64_t app_id, int64_t ds_id, struct err *e);
/* oauth_applications: not patient clients, not API keys */
char *store_oauth_app_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                           struct err *e);
char *store_oauth_app_json(struct arena *a, int64_t id, struct err *e);
int store_oauth_app_create(struct arena *a, const char *name, const char *client_id,
                           const char *client_type, const char *grant_type,
                           const char *redirect_uris, const char *secret_digest_hex, int64_t *id,
                           struct err *e);
/* NULL keeps; grant_type/client_type of the row are returned when wanted. */
int store_oauth_app_update(struct arena *a, int64_t id, const char *name, const char *redirect_uris,
                           const char *secret_digest_hex, struct err *e);
/* client_type of an oauth_applications row, NULL when not one. */
const char *store_oauth_app_type(struct arena *a, int64_t id, const char **grant_type,
                                 struct err *e);

/* settings */
char *store_setting_list(struct arena *a, int64_t offset, int64_t limit, int64_t *count,
                         struct err *e);
char *store_setting_json(struct arena *a, int64_t id, struct err *e);
struct setting_row {
	int64_t id;
	const char *key;
	const char *value_type;
	const char *value_text; /* value as text (json as JSON text) */
};
int store_setting_get(struct arena *a, int64_t id, struct setting_row *out, struct err *e);
int store_setting_key_taken(struct arena *a, const char *key, int64_t exclude_id, struct err *e);
/* value is the text of the typed value (JSON text for json). id <= 0 inserts. */
int store_setting_save(struct arena *a, int64_t id, const char *key, const char *value_type,
                       const char *value, int64_t *out_id, struct err *e);
int store_setting_delete(struct arena *a, int64_t id, struct err *e);
/* Rewrite client redirect URIs old_site/auth/callback -> new_site/auth/callback. */
int store_site_url_rewrite(struct arena *a, const char *old_site, const char *new_site,
                           struct err *e);

/* audit events */
struct audit_filter {
	const char *patient_id, *user_id, *outcome; /* decimal text or NULL */
	const char *actions;                        /* comma-separated or NULL */
	const char *resource_type, *request_id;
	const char *since, *until; /* RFC 3339 or NULL */
};
char *store_audit_list(struct arena *a, const struct audit_filter *f, int64_t offset, int64_t limit,
                       int64_t *count, struct err *e);
char *store_audit_json(struct arena *a, int64_t id, struct err *e);
/* ================= end of admin API: users .. audit events ================= */

/* ======================= auth: clients, users, codes, tokens, sessions, throttle,
 * invitations, API keys. Implemented in src/store/auth_*.c. ======================= */
/* True when a bytea column (hex text "\x...") equals the 32-byte digest (constant time). */
bool store_digest_equal(const char *hex, const unsigned char d[32]);

struct auth_client {
	int64_t id; /* application id */
	const char *client_id;
	const char *name;
	bool confidential;
	bool client_credentials;   /* grant type client-credentials (else authorization-code) */
	const char *redirect_uris; /* space-separated */
	bool has_secret;
	unsigned char secret_digest[32];
	int64_t owner_user_id; /* 0: none */
	bool owner_active;     /* owner exists and is active */
	bool introspection_allowed;
};
/* 0 found; 1 unknown; -1 error. */
int store_auth_client(struct arena *a, const char *client_id, struct auth_client *out,
                      struct err *e);

struct auth_user {
	int64_t id;
	const char *email;
	const char *password; /* stored hash or NULL */
	bool is_active;
	bool is_superuser;
	int64_t practitioner_id; /* 0: none */
	int64_t patient_id;      /* 0: none */
};
int store_auth_user_by_email(struct arena *a, const char *email, struct auth_user *out,
                             struct err *e);
int store_auth_user_by_id(struct arena *a, int64_t id, struct auth_user *out, struct err *e);
/* last_login = now(); the password hash replaced when new_hash is not NULL. */
int store_auth_login_success(struct arena *a, int64_t user_id, const char *new_hash, struct err *e);
/* Set a user's password hash (operator CLI). 1 when no such user. */
int store_auth_set_password(struct arena *a, const char *email, const char *hash, struct err *e);
/* Create a user (operator CLI) with optional practitioner row. Returns the id or -1. */
int64_t store_auth_create_user(struct arena *a, const char *email, const char *hash, bool superuser,
                               bool practitioner, struct err *e);
/* Register a client (operator CLI). secret_digest NULL for public clients. */
int64_t store_auth_create_client(struct arena *a, const char *name, const char *client_id,
                                 const char *redirect_uris, bool confidential,
                                 bool client_credentials, bool introspection,
                                 const unsigned char *secret_digest, struct err *e);

/* Authorization codes */
struct auth_code_new {
	int64_t application_id, user_id;
	const char *redirect_uri;
	bool redirect_uri_in_request;
	const char *scope, *challenge, *nonce;
	int64_t auth_time;     /* epoch seconds; 0 = now() */
	int64_t invitation_id; /* 0: none */
};
/* *expires receives the code's expiry as conventions.md §5 text. */
int store_code_create(struct arena *a, const unsigned char digest[32],
                      const struct auth_code_new *c, char **expires, struct err *e);
struct auth_code {
	int64_t id, application_id, user_id, invitation_id, family_id;
	const char *redirect_uri;
	bool redirect_uri_in_request;
	const char *scope, *challenge, *nonce;
	int64_t auth_time;
	bool used, expired;
	struct auth_user user;
};
/* Lock the code row (FOR UPDATE, in the open transaction). 0/1/-1. */
int store_code_lock(struct arena *a, const unsigned char digest[32], struct auth_code *out,
                    struct err *e);
int store_code_mark_used(struct arena *a, int64_t code_id, int64_t family_id, struct err *e);

/* Token issuance: an access token, optionally a refresh token, optionally a new family. */
struct auth_issue {
	int64_t family_id; /* 0: create the family from the fields below (filled on return) */
	int64_t application_id, user_id;
	const char *origin; /* authorization_code, invitation, client_credentials */
	const char *family_scope;
	int64_t patient_context_id; /* 0: none */
	int64_t auth_time;          /* epoch seconds */
	long family_lifetime;       /* seconds; 0 = unlimited */
	const char *scope;          /* scope of the access token */
	const unsigned char *access_digest;
	const unsigned char *refresh_digest; /* NULL: no refresh token */
	long access_lifetime;
};
int store_tokens_issue(struct arena *a, struct auth_issue *in, struct err *e);

struct auth_refresh {
	int64_t id, family_id, application_id, user_id, access_token_id;
	bool rotated, revoked, family_revoked, family_expired;
	bool from_invitation; /* the family's origin is an invitation */
	const char *family_scope;
	int64_t patient_context_id, auth_time;
	struct auth_user user;
};
int store_refresh_lock(struct arena *a, const unsigned char digest[32], struct auth_refresh *out,
                       struct err *e);
/* Mark the refresh token rotated and revoke the access token issued with it. */
int store_refresh_rotate(struct arena *a, int64_t refresh_id, int64_t access_token_id,
                         struct err *e);
/* Revoke a family with its tokens. Returns 1 when it was active, 0 when already revoked. */
int store_family_revoke(struct arena *a, int64_t family_id, const char *reason, struct err *e);

/* A token (access first, then refresh) by digest, for revocation and introspection. */
struct auth_token_info {
	int kind; /* 1 access, 2 refresh */
	int64_t id, family_id, application_id, user_id;
	const char *client_id, *scope, *email;
	bool active;
	int64_t iat, exp; /* epoch seconds; exp 0 = none */
};
int store_token_lookup(struct arena *a, const unsigned char digest[32], struct auth_token_info *out,
                       struct err *e);
int store_access_token_revoke(struct arena *a, int64_t id, struct err *e);

/* Browser sessions (web_session) */
int store_session_create(struct arena *a, const unsigned char digest[32], int64_t user_id,
                         long lifetime, const char *addr, const char *user_agent, struct err *e);
struct auth_session {
	int64_t user_id;
	int64_t auth_time; /* epoch seconds */
	int64_t remaining; /* seconds until expiry */
};
/* 0 valid (user active, not expired); 1 none; -1 error. */
int store_session_get(struct arena *a, const unsigned char digest[32], struct auth_session *out,
                      struct err *e);
/* Delete a session; *user_id receives its user (0 when none). */
int store_session_delete(struct arena *a, const unsigned char digest[32], int64_t *user_id,
                         struct err *e);

/* Login throttle (login_throttle): seconds to wait before the next attempt (0: none). */
int store_throttle_wait(struct arena *a, const char *key, long free_failures, long *wait,
                        struct err *e);
int store_throttle_fail(struct arena *a, const char *key, struct err *e);
int store_throttle_clear(struct arena *a, const char *key, struct err *e);

/* Invitations (admin-api.md §9) */
struct inv_create_in {
	int64_t caller_user_id, patient_id, application_id;
	const char *token_hash;
};
struct inv_create_out {
	int64_t id, patient_id, application_id;
	const char *status, *last_updated, *invitation_url, *site_url;
};
/* The checks of §9.1 steps 2-6 (e set with the documented status and message), then the
 * effects (reissue + insert) in the open transaction. */
int store_invitation_create(struct arena *a, const struct inv_create_in *in,
                            struct inv_create_out *out, struct err *e);
/* Paged list for the caller (superuser: all; else patients it manages). status may be NULL,
 * patient_id 0 = any. Returns the JSON array text and *count. */
char *store_invitation_list(struct arena *a, int64_t caller, bool superuser, int64_t patient_id,
                            const char *status, int64_t limit, int64_t offset, int64_t *count,
                            struct err *e);
/* One invitation visible to the caller as JSON; *patient_id receives its patient. NULL + 404. */
char *store_invitation_get(struct arena *a, int64_t caller, bool superuser, int64_t id,
                           int64_t *patient_id, struct err *e);
/* Cancel (in the open transaction); fills the ids of the token families revoked (max 64). */
int store_invitation_cancel(struct arena *a, int64_t id, int64_t *families, int *n_families,
                            struct err *e);
struct inv_redeem {
	int64_t id, patient_id, user_id, application_id;
	const char *status, *client_id, *site_url;
	bool user_active, expired_now, window_passed;
	bool user_staff; /* the patient's user is a practitioner or a superuser */
};
/* Lock the invitation by token hash in the open transaction. 0/1/-1. */
int store_invitation_lock(struct arena *a, const char *token_hash, struct inv_redeem *out,
                          struct err *e);
int store_invitation_set_expired(struct arena *a, int64_t id, struct err *e);
/* Success effects: last_login, unused codes of the user for the client deleted, status redeemed. */
int store_invitation_redeemed(struct arena *a, const struct inv_redeem *inv, struct err *e);

/* Practitioner API keys (admin-api.md §14) */
/* Create the application and the practitioner_client row; returns the row JSON with "key":null. */
char *store_apikey_create(struct arena *a, int64_t practitioner_id, int64_t user_id,
                          const char *label, const char *client_id, const unsigned char digest[32],
                          struct err *e);
char *store_apikey_list(struct arena *a, int64_t practitioner_id, int64_t limit, int64_t offset,
                        int64_t *count, struct err *e);
char *store_apikey_get(struct arena *a, int64_t practitioner_id, int64_t id, struct err *e);
char *store_apikey_update(struct arena *a, int64_t practitioner_id, int64_t id, const char *label,
                          struct err *e);
int store_apikey_delete(struct arena *a, int64_t practitioner_id, int64_t id, struct err *e);
/* ======================= end of auth ======================= */

/* ==================== admin API: patients, consents, enrolments, observations ====== */
/* One page of a list: total count, the results (JSON array), the patient ids of the page
 * (JSON array, for the audit detail), the only patient of the page (0 when none or several)
 * and the number of rows on the page. */
struct phi_page {
	int64_t count;
	const char *results;
	const char *patient_ids;
	int64_t single_patient;
	int rows;
};
/* Sticky selection (admin-api.md §17): org saved when non-zero, study saved when non-zero and
 * removed when zero and remove_study. No-op for users without a practitioner row. */
int store_sticky_selection(struct arena *a, int64_t user_id, int64_t org_id, int64_t study_id,
                           bool remove_study, struct err *e);

struct patient_filter {
	int64_t organization_id, study_id, patient_id; /* 0 = absent */
	const char *identifier_value;                  /* NULL = absent */
};
int store_patients_page(struct arena *a, int64_t user_id, const struct patient_filter *f,
                        int64_t limit, int64_t offset, struct phi_page *out, struct err *e);
/* Facts for the checks of one patient (and one organization, 0 when none). */
struct patient_facts {
	bool exists, visible, self, shares, is_practitioner;
	bool in_org;         /* the patient belongs to the organization */
	bool can_manage_org; /* jhe_can(caller, patient.manage_for_organization, org) */
	bool org_exists;
	int64_t user_id; /* the patient's user */
	/* the patient's user has logged in or obtained a token (jhe_patient_signed_in): staff
	 * may no longer record consent for them */
	bool signed_in;
	/* the caller may add the patient to another organization (jhe_may_extend_patient_orgs) */
	bool may_extend_orgs;
};
int store_patient_facts(struct arena *a, int64_t user_id, int64_t patient_id, int64_t org_id,
                        struct patient_facts *out, struct err *e);
/* Patient JSON (admin-api.md §3); NULL with ERR_NOT_FOUND for an unknown id. */
char *store_patient_json(struct arena *a, int64_t patient_id, struct err *e);
struct patient_input {
	const char *email; /* create only */
	const char *name_family, *name_given, *birth_date, *telecom_phone;
	bool has_name_family, has_name_given, has_birth_date, has_telecom_phone;
	const char *identifiers; /* JSON array [{"system","value"}], NULL when absent */
};
/* "system|value" of the first identifier (JSON array, body order) owned by a patient other
 * than exclude_patient; "" when none; NULL on a database error. */
const char *store_identifier_in_use(struct arena *a, const char *identifiers_json,
                                    int64_t exclude_patient, struct err *e);
/* SQL: the user row u is a practitioner or a superuser ("staff"). Such a user never gets a
 * patient row through the API, and invitations (which yield tokens for the whole account
 * without a password) are neither issued to nor redeemed for it. */
#define STORE_SQL_USER_IS_STAFF(u)                                                                 \
	"(" u ".is_superuser OR EXISTS (SELECT 1 FROM practitioner pr_s"                           \
	" WHERE pr_s.jhe_user_id = " u ".id))"
/* SQL: the token family f of user u may be used: a family obtained through an invitation
 * belongs to a patient app and ends when the user becomes a practitioner or a superuser. */
#define STORE_SQL_FAMILY_FITS_USER(f, u)                                                           \
	"NOT (" f ".origin = 'invitation' AND " STORE_SQL_USER_IS_STAFF(u) ")"
#define STORE_MSG_STAFF_INVITATION                                                                 \
	"Invitations are only for patient-only accounts; this patient's user is a practitioner "   \
	"or superuser."
/* In the caller's transaction. Create: reuses the user with that email or creates one;
 * ERR_CONFLICT (message of §7.2) when that user already has a patient row; ERR_BAD_REQUEST
 * with the field error {"telecomEmail": [STORE_MSG_STAFF_EMAIL]} when that user is a
 * practitioner or a superuser (doc/admin-api-notes.md, patient accounts). */
#define STORE_MSG_STAFF_EMAIL                                                                      \
	"This email belongs to a practitioner or superuser account; patients can only be "         \
	"created for new or patient-only accounts."
int64_t store_patient_create(struct arena *a, const struct patient_input *in, int64_t org_id,
                             struct err *e);
int store_patient_update(struct arena *a, int64_t patient_id, const struct patient_input *in,
                         struct err *e);
/* §7.4 steps 2-3; *deleted tells whether the patient (and maybe its user) was deleted. */
int store_patient_remove_org(struct arena *a, int64_t patient_id, int64_t org_id, bool *deleted,
                             struct err *e);
int store_patient_add_org(struct arena *a, int64_t patient_id, int64_t org_id, struct err *e);
/* Bare array [Patient] of the patient whose user has that email (case-insensitive). */
char *store_patient_lookup_email(struct arena *a, const char *email, int64_t *patient_id,
                                 struct err *e);
/* 1 when superuser or some membership role grants patient.manage_for_organization. */
int store_user_manages_patients_somewhere(struct arena *a, int64_t user_id, struct err *e);
char *store_patient_consolidated_clients(struct arena *a, int64_t patient_id, struct err *e);

/* consents (§8) */
char *store_consents_json(struct arena *a, int64_t patient_id, int64_t user_id, bool all_studies,
                          struct err *e);
struct consent_study_access {
	bool exists;
	int64_t org_id;
	const char *role; /* caller's role in the study's organization, NULL when none */
	bool patient_in_org;
};
int store_consent_study_access(struct arena *a, int64_t user_id, int64_t patient_id,
                               const char *study_ids_json, struct consent_study_access *out, int n,
                               struct err *e);
struct consent_item {
	int64_t study_id;
	const char *system, *code;
	bool consented, has_consented;
	/* filled by store_consent_lookup (0 = none) */
	int64_t study_patient_id, code_id, consent_id;
	bool requested, old_consented;
};
int store_consent_lookup(struct arena *a, int64_t patient_id, struct consent_item *items, int n,
                         struct err *e);
/* op 'c' insert, 'u' update, 'd' delete; returns the row id. */
int64_t store_consent_write(struct arena *a, char op, const struct consent_item *it, struct err *e);
/* {"studyScopeConsents":[...]} for consent ids (JSON array, in that order). */
char *store_consent_rows_json(struct arena *a, const char *ids_json, struct err *e);
struct consent_deleted {
	int64_t id, study_id;
	const char *code; /* "system|code" */
	bool old;
};
/* Delete every consent row of the patient; returns the number (rows in *out) or -1. */
int store_consents_reset(struct arena *a, int64_t patient_id, struct consent_deleted **out,
                         struct err *e);

/* study enrolments (§10) */
struct study_facts {
	bool exists, data_readable, can_manage, is_superuser;
	int64_t org_id;
};
int store_study_facts(struct arena *a, int64_t user_id, int64_t study_id, struct study_facts *out,
                      struct err *e);
int store_study_patients_page(struct arena *a, int64_t study_id, int64_t limit, int64_t offset,
                              struct phi_page *out, struct err *e);
struct enrol_check {
	int64_t patient_id;
	bool exists, in_org;
	int64_t study_patient_id; /* 0 when not enrolled */
};
int store_enrol_check(struct arena *a, int64_t study_id, int64_t org_id, const char *ids_json,
                      struct enrol_check *out, int n, struct err *e);
int64_t store_enrol(struct arena *a, int64_t study_id, int64_t patient_id, struct err *e);
int64_t store_unenrol(struct arena *a, int64_t study_id, int64_t patient_id, struct err *e);
char *store_study_patient_rows_json(struct arena *a, const char *ids_json, struct err *e);

/* observations (§11) */
struct observation_filter {
	int64_t organization_id, study_id, patient_id, observation_id; /* 0 = absent */
};
int store_observations_page(struct arena *a, int64_t user_id, const struct observation_filter *f,
                            int64_t limit, int64_t offset, struct phi_page *out, struct err *e);
struct observation_facts {
	bool exists, visible, manages;
	int64_t patient_id;
};
int store_observation_facts(struct arena *a, int64_t user_id, int64_t observation_id,
                            struct observation_facts *out, struct err *e);
char *store_observation_json(struct arena *a, int64_t observation_id, struct err *e);
int store_observation_delete(struct arena *a, int64_t observation_id, struct err *e);
/* ==================== end of admin API: patient data ==================== */

/* ====================================================================================== */
/* ---------- FHIR (fhir.md; src/store/fhir_*.c) ---------- */
/* ====================================================================================== */

/* PostgreSQL array literals for array parameters ("{...}"; NULL elements allowed). */
struct pgarr {
	struct buf *b;
	int n;
};
void pgarr_init(struct arena *a, struct pgarr *x);
void pgarr_add(struct pgarr *x, const char *s); /* NULL adds SQL NULL */
void pgarr_addi(struct pgarr *x, int64_t v);
const char *pgarr_end(struct pgarr *x); /* the literal ("{}" when empty) */

enum fhir_rtype {
	FT_NONE = -1,
	FT_OBSERVATION = 0,
	FT_PATIENT,
	FT_GROUP,
	FT_DEVICE,
	FT_ORGANIZATION,
	FT_PRACTITIONER,
	FT_COUNT
};

/* One value of a token parameter: system NULL or "" = any system. */
struct fhir_tok {
	const char *system;
	const char *code;
};
/* One value of a date parameter (fhir.md §5.5): [lo, hi) in microseconds; instant: lo == hi. */
enum fhir_date_op { FD_EQ, FD_NE, FD_GT, FD_GE, FD_LT, FD_LE };
struct fhir_date {
	enum fhir_date_op op;
	bool instant;
	usec_t lo, hi;
};
enum fhir_filter_kind {
	FF_ID,            /* ids */
	FF_LASTUPDATED,   /* dates */
	FF_PATIENT,       /* ids */
	FF_STUDY,         /* ids */
	FF_ORG,           /* ids */
	FF_PATIENT_IDENT, /* toks */
	FF_IDENT,         /* toks */
	FF_CODE,          /* toks */
	FF_DATE,          /* dates (Observation effective_at) */
	FF_STATUS,        /* toks (code only) */
	FF_DEVICE,        /* ids */
	FF_NAME,          /* strs: family or given (Patient, Practitioner) / name */
	FF_FAMILY,        /* strs */
	FF_GIVEN,         /* strs */
	FF_BIRTHDATE,     /* dates */
	FF_TYPE,          /* toks (code only) */
	FF_PARTOF,        /* ids */
};
/* One occurrence of a parameter (repetitions AND), its comma list (values OR). */
struct fhir_filter {
	enum fhir_filter_kind kind;
	int n;
	int64_t *ids; /* -1 for a value that names no row */
	struct fhir_tok *toks;
	const char **strs;
	struct fhir_date *dates;
};
enum fhir_sort_field { FS_ID, FS_LASTUPDATED, FS_DATE, FS_NAME, FS_FAMILY, FS_GIVEN, FS_BIRTHDATE };
struct fhir_sort_key {
	enum fhir_sort_field field;
	bool desc;
};
#define FHIR_MAX_SORT 6
#define FHIR_MAX_KEYVALS 8
struct fhir_query {
	enum fhir_rtype type;
	int64_t user_id;
	bool self_only; /* SMART patient/ compartment: only the caller's patient view */
	/* Observation: > 0 replaces the visibility rule by "every observation of this patient"
	 * (answers to creates, whose access was checked by the create rules) */
	int64_t any_of_patient;
	/* a read by id (the one FF_ID filter, one id): a shape that checks visibility for that row
	 * only, no sort values (FHIR read, fhir.md §6) */
	bool read_by_id;
	/* with read_by_id outside a transaction: the read's audit row, written by the same
	 * statement (synchronous_commit off, as store_audit_insert async); its outcome is the
	 * status when the row is found, 404 otherwise; its patient is the row's */
	const struct audit_row *read_audit;
	bool read_audited; /* out: the statement wrote read_audit */
	struct fhir_filter *filters;
	int nfilters;
	struct fhir_sort_key sort[FHIR_MAX_SORT];
	int nsort;
	/* SMART code restriction on Observations (n == 0: none) */
	struct fhir_tok *scope_codes;
	int nscope_codes;
	int64_t limit;  /* rows to fetch (page size + 1 to detect a next page) */
	int64_t offset; /* offset paging (no cursor) */
	bool want_total;
	bool count_only;
	/* keyset cursor: the sort values and id of the last row of the previous page */
	bool has_cursor;
	int ncur;
	const char *cur_vals[FHIR_MAX_KEYVALS];
	int64_t cur_id;
	/* out: number of sort values per row (columns FHIR_COL_SORT ...) */
	int nvals;
};
/* Result columns of store_fhir_search (one row per resource, in order):
 * 0 total (NULL unless want_total), 1 id, 2..9 sort values as text (for cursors),
 * FHIR_COL_RES...: the resource: Observation columns FOC_* (relative), other types one json.
 * Observation pages (not reads, not count_only) are "flat": one row per (observation,
 * identifier) — an observation with k > 1 identifiers has k consecutive rows differing only in
 * FOC_IDENT_SYSTEM/FOC_IDENT_VALUE, in identifier order — and FOC_IDENTIFIERS is NULL; a join
 * is cheaper than aggregating each row's identifiers into JSON (a third of a 1,000-entry
 * page's statement). Other shapes have one row per observation and FOC_IDENT_* NULL. */
#define FHIR_COL_TOTAL 0
#define FHIR_COL_ID 1
#define FHIR_COL_SORT 2
#define FHIR_COL_RES 10
enum fhir_obs_col {
	FOC_ID = 0,
	FOC_LAST_UPDATED, /* timestamptz text */
	FOC_STATUS,
	FOC_PATIENT_ID,
	FOC_USER_ID, /* NULL when the patient has no user */
	FOC_SYSTEM,
	FOC_CODE,
	FOC_DISPLAY,
	FOC_EFF_DT, /* timestamptz text or NULL */
	FOC_EFF_START,
	FOC_EFF_END,
	FOC_DEVICE_ID,    /* NULL when none */
	FOC_IDENTIFIERS,  /* json array text or NULL */
	FOC_OMH,          /* omh_data::text */
	FOC_IDENT_SYSTEM, /* flat rows: one identifier ('' = no system), NULL when none */
	FOC_IDENT_VALUE,
	FOC_NCOLS
};
/* Search (and read, as _id) with the visibility rules of fhir.md §8 in one statement. With
 * count_only the single row has the total in column 0. */
struct db_result *store_fhir_search(struct arena *a, struct fhir_query *q, struct err *e);

/* Location parameter checks (fhir.md §8.2) for a practitioner caller: returns 0 when every id
 * is accessible, else 1 and the first refused (kind 'P' patient, 'O' organization, 'G' study)
 * in *kind / *id. Arrays are PostgreSQL literals (NULL = none). */
int store_fhir_location_check(struct arena *a, int64_t user_id, const char *patients,
                              const char *orgs, const char *studies, char *kind, int64_t *id,
                              struct err *e);

/* Create lookups, one statement for a whole Bundle. Result rows (kind, a, b, c, s1, s2, s3):
 *   'P' patient a exists: b = its user id (or NULL), c = 1 when it is the caller's own, s1 = '1'
 *       when the caller manages it;
 *   'D' data source a: s1 = type;
 *   'C' scope a: s1 = code, s2 = system, s3 = text (OMH systems only);
 *   'K' patient a consented (any study) to code s1;
 *   'I' identifier s1|s2 exists on observation a of patient b;
 *   'V' identifier with value s2 (any system s1) exists on observation a of patient b. */
struct db_result *store_fhir_create_lookup(struct arena *a, int64_t user_id, const char *patients,
                                           const char *devices, const char *codes,
                                           const char *consent_patients, const char *consent_codes,
                                           const char *ident_systems, const char *ident_values,
                                           const char *any_values, struct err *e);

/* One Observation to insert (array form; see store_fhir_obs_insert). */
struct fhir_obs_new {
	int ord;
	int64_t patient_id;
	int64_t scope_id;
	int64_t data_source_id; /* 0 = NULL */
	const char *status;
	const char *omh_json;
	const char *eff_dt, *eff_start, *eff_end; /* RFC 3339 or NULL */
	int nident;
	const char **ident_sys;
	const char **ident_val;
	int race_status; /* audit outcome if the insert loses an identifier race (409 / 200) */
};
/* An audit row of a Bundle entry that is not inserted (failure, conditional match). */
struct fhir_entry_audit {
	const char *action;
	int outcome;
	int64_t patient_id;
	const char *resource_id;
};
/* Insert the rows in ONE statement: identifiers with ON CONFLICT DO NOTHING, an observation only
 * when all its identifiers were inserted (per-entry atomicity), one audit row per inserted entry
 * and the given other audit rows. Result rows in ord order: (ord, id or NULL when skipped by an
 * identifier race, last_updated). */
struct db_result *store_fhir_obs_insert(struct arena *a, const struct audit_row *who, int n,
                                        const struct fhir_obs_new *rows, int nother,
                                        const struct fhir_entry_audit *other, struct err *e);
/* Audit rows of Bundle entries in one statement (outside the data transaction). */
int store_fhir_audit_many(struct arena *a, const struct audit_row *who, int n,
                          const struct fhir_entry_audit *rows, struct err *e);
/* X-JHE-Remember-View (fhir.md §13): practitioner setting current_fhir_resource. */
int store_fhir_remember_view(struct arena *a, int64_t user_id, const char *value, struct err *e);

#endif
