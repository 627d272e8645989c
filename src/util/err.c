/* The error value of every layer and its one mapping to an HTTP status. */
#include "util/util.h"

int err_http_status(const struct err *e)
{
	if (e->status)
		return e->status;
	switch (e->kind) {
	case ERR_NONE:
		return 200;
	case ERR_BAD_REQUEST:
		return 400;
	case ERR_UNAUTHORIZED:
		return 401;
	case ERR_FORBIDDEN:
		return 403;
	case ERR_NOT_FOUND:
		return 404;
	case ERR_METHOD:
		return 405;
	case ERR_CONFLICT:
		return 409;
	case ERR_GONE:
		return 410;
	case ERR_TOO_LARGE:
		return 413;
	case ERR_MEDIA_TYPE:
		return 415;
	case ERR_UNPROCESSABLE:
		return 422;
	case ERR_THROTTLED:
		return 429;
	case ERR_UNAVAILABLE:
		return 503;
	case ERR_INTERNAL:
		return 500;
	}
	return 500;
}
