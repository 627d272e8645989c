/* The error value of every layer and its one mapping to an HTTP status. */
#include "util/util.h"

static const struct {
	enum err_kind kind;
	int status;
} statuses[] = {
    {ERR_NONE, 200},        {ERR_BAD_REQUEST, 400}, {ERR_UNAUTHORIZED, 401},  {ERR_FORBIDDEN, 403},
    {ERR_NOT_FOUND, 404},   {ERR_METHOD, 405},      {ERR_CONFLICT, 409},      {ERR_GONE, 410},
    {ERR_TOO_LARGE, 413},   {ERR_MEDIA_TYPE, 415},  {ERR_UNPROCESSABLE, 422}, {ERR_THROTTLED, 429},
    {ERR_UNAVAILABLE, 503}, {ERR_INTERNAL, 500},
};
#define N_STATUSES (sizeof(statuses) / sizeof(statuses[0]))

int err_http_status(const struct err *e)
{
	if (e->status)
		return e->status;
	for (size_t i = 0; i < N_STATUSES; i++)
		if (statuses[i].kind == e->kind)
			return statuses[i].status;
	return 500;
}

enum err_kind err_kind_of_status(int status)
{
	for (size_t i = 1; i < N_STATUSES; i++)
		if (statuses[i].status == status)
			return statuses[i].kind;
	return status < 500 ? ERR_BAD_REQUEST : ERR_INTERNAL;
}
