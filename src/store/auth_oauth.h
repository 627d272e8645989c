/* store: OAuth clients, login users, authorization codes, token families and tokens
 * (store/auth_oauth.c). */
#ifndef JHE_STORE_AUTH_OAUTH_H
#define JHE_STORE_AUTH_OAUTH_H

#include "store/db.h"

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

#endif
