/* Bearer-token authentication: SHA-256 digest lookup, constant-time final comparison. */
#include "auth/auth.h"
#include "store/store.h"

#include <string.h>
#include <strings.h>

int auth_bearer(struct request *r)
{
	const char *h = req_header(r, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return 1;
	const char *tok = h + 7;
	while (*tok == ' ')
		tok++;
	size_t n = strlen(tok);
	while (n > 0 && tok[n - 1] == ' ')
		n--;
	r->auth_failed_invalid = true;
	if (n == 0 || n > 512)
		return fail_with(r, ERR_UNAUTHORIZED,
		                 "The access token is invalid, expired or revoked.");
	unsigned char digest[32];
	sha256(tok, n, digest);
	struct principal *p = arena_alloc(r->arena, sizeof(*p));
	struct err e = {0};
	int rc = store_principal_by_token(r->arena, digest, p, &e);
	if (rc < 0)
		return fail_err(r, &e);
	if (rc > 0)
		return fail_with(r, ERR_UNAUTHORIZED,
		                 "The access token is invalid, expired or revoked.");
	r->auth_failed_invalid = false;
	r->principal = p;
	return 0;
}
