/* OAuth/SMART scope strings (authz), redirect URI matching and local paths (auth parsers). */
#include "auth/auth.h"
#include "authz/authz.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct arena *a = arena_new();
	char *s = arena_strndup(a, (const char *)data, size);
	struct smart_scope sc;
	if (authz_smart_parse(a, s, strlen(s), &sc) == 0 &&
	    (sc.n_codes < 0 || sc.n_codes > SMART_MAX_CODES))
		abort();
	struct principal p = {.user_id = 1, .patient_id = 1, .scope = s};
	struct fhir_grant g;
	authz_fhir_grant(a, &p, "Observation", 'r', &g);
	if (g.ncodes < 0 || g.ncodes > 64 || (g.ncodes && !g.allowed))
		abort();
	(void)authz_token_has_smart_scopes(&p);
	char *granted = NULL;
	const char *bad = NULL;
	if (authz_scope_grant(a, s, SCOPE_GRANT_CODE, true, &granted, &bad) == 0 &&
	    !authz_scope_subset(granted, granted))
		abort();
	(void)authz_scope_grant(a, s, SCOPE_GRANT_CLIENT_CREDENTIALS, false, &granted, &bad);
	(void)authz_scope_has(s, "openid");
	(void)auth_redirect_uri_matches("http://localhost/callback", s);
	(void)auth_redirect_uri_matches("https://app.example/cb", s);
	(void)auth_local_path(s);
	(void)auth_pkce_verifier_valid(s);
	arena_free(a);
	return 0;
}
