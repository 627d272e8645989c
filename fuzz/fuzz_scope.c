/* OAuth/SMART scope strings, redirect URI matching and local paths (auth layer parsers). */
#include "auth/auth.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct arena *a = arena_new();
	char *s = arena_strndup(a, (const char *)data, size);
	struct smart_scope sc;
	if (auth_smart_scope_parse(a, s, &sc) == 0 && (sc.n_codes < 0 || sc.n_codes > 8))
		abort();
	char *granted = NULL;
	const char *bad = NULL;
	if (auth_scope_grant(a, s, SCOPE_GRANT_CODE, true, &granted, &bad) == 0 &&
	    !auth_scope_subset(granted, granted))
		abort();
	(void)auth_scope_grant(a, s, SCOPE_GRANT_CLIENT_CREDENTIALS, false, &granted, &bad);
	(void)auth_scope_has(s, "openid");
	(void)auth_redirect_uri_matches("http://localhost/callback", s);
	(void)auth_redirect_uri_matches("https://app.example/cb", s);
	(void)auth_local_path(s);
	(void)auth_pkce_verifier_valid(s);
	arena_free(a);
	return 0;
}
