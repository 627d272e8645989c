/* /api/v1/users */
#include "api/api.h"
#include "store/store.h"

static int users_profile(struct request *r)
{
	struct err e = {0};
	char *json = store_user_profile_json(r->arena, r->principal->user_id, &e);
	if (!json)
		return fail_err(r, &e);
	resp_json_str(r, 200, json);
	return 0;
}

const struct route api_user_routes[] = {
	{"GET", "/api/v1/users/profile", users_profile, ROUTE_AUTH},
	{NULL, NULL, NULL, 0},
};
