/* SMART scope detection on the principal's token. */
#include "authz/authz.h"

#include <string.h>

bool authz_token_has_smart_scopes(const struct principal *p)
{
	if (!p || !p->scope)
		return false;
	const char *s = p->scope;
	while (*s) {
		while (*s == ' ')
			s++;
		if (str_starts(s, "patient/") || str_starts(s, "user/") || str_starts(s, "system/"))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}
