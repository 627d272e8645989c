/* store: access tokens by digest and tokens issued by the operator CLI (store/tokens.c). */
#ifndef JHE_STORE_TOKENS_H
#define JHE_STORE_TOKENS_H

#include "store/db.h"

struct principal;
/* 0 found; 1 not found/expired/revoked/inactive; -1 database error (e set). */
int store_principal_by_token(struct arena *a, const unsigned char digest[32], struct principal *out,
                             struct err *e);
/* Create an access token for a user (jhe-admin token issue, tests). Returns 0 on success. */
int store_token_issue(struct arena *a, const char *email, const char *client_id, long days,
                      const unsigned char digest[32], struct err *e);

#endif
