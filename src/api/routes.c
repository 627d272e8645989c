/* The Admin API route table: each resource file exports its own list. */
#include "api/api.h"

extern const struct route api_user_routes[];

const struct route *const api_route_tables[] = {
	api_user_routes,
	NULL,
};
