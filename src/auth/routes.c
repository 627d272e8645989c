/* OAuth/OIDC, login and discovery routes (oauth.md §1). */
#include "auth/auth.h"

extern const struct route auth_login_routes[];
extern const struct route auth_authorize_routes[];
extern const struct route auth_token_routes[];
extern const struct route auth_endpoint_routes[];

const struct route *const auth_route_tables[] = {
    auth_login_routes, auth_authorize_routes, auth_token_routes, auth_endpoint_routes, NULL,
};
