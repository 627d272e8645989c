/* OAuth/OIDC, login and invitation routes (filled in by the OAuth work, issue 3). */
#include "auth/auth.h"

const struct route *const auth_route_tables[] = {
	NULL,
};
