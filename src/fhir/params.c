/* Search parameter values (fhir.md §5.5): dates with prefixes, tokens, references, paging. Pure. */
#include "fhir/local.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static usec_t ymd_usec(int64_t y, int m, int d)
{
	return (usec_t)time_days_from_civil(y, m, d) * 86400LL * 1000000LL;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

int fhir_parse_date(const char *raw, struct fhir_date *out, char bad_prefix[3])
{
	memset(out, 0, sizeof(*out));
	out->op = FD_EQ;
	const char *v = raw;
	if (isalpha((unsigned char)v[0]) && isalpha((unsigned char)v[1])) {
		static const char *const pf[] = {"eq", "ne", "gt", "ge", "lt", "le"};
		int found = -1;
		for (int i = 0; i < 6; i++)
			if (!strncmp(v, pf[i], 2))
				found = i;
		if (found < 0 && strncmp(v, "sa", 2) && strncmp(v, "eb", 2) && strncmp(v, "ap", 2))
			return -1; /* not a FHIR prefix: an unparsable value */
		if (found < 0) {
			if (bad_prefix) {
				bad_prefix[0] = v[0];
				bad_prefix[1] = v[1];
				bad_prefix[2] = 0;
			}
			return -2;
		}
		out->op = (enum fhir_date_op)found;
		v += 2;
	}
	size_t n = strlen(v);
	if (n == 4 && all_digits(v, 4)) {
		int y = atoi(v);
		out->lo = ymd_usec(y, 1, 1);
		out->hi = ymd_usec(y + 1, 1, 1);
		return 0;
	}
	if (n == 7 && all_digits(v, 4) && v[4] == '-' && all_digits(v + 5, 2)) {
		int y = atoi(v), m = atoi(v + 5);
		if (m < 1 || m > 12)
			return -1;
		out->lo = ymd_usec(y, m, 1);
		out->hi = m == 12 ? ymd_usec(y + 1, 1, 1) : ymd_usec(y, m + 1, 1);
		return 0;
	}
	if (n == 10) {
		int y, m, d;
		if (date_parse(v, &y, &m, &d) != 0 || m < 1 || m > 12 || d < 1 ||
		    d > time_days_in_month(y, m))
			return -1;
		out->lo = ymd_usec(y, m, d);
		out->hi = out->lo + 86400LL * 1000000LL;
		return 0;
	}
	if (n < 16 || n > 64 || v[10] != 'T')
		return -1;
	char tmp[72];
	memcpy(tmp, v, n + 1);
	/* '+' of an offset arrives as a space (form decoding) */
	for (size_t i = 11; i < n; i++)
		if (tmp[i] == ' ')
			tmp[i] = '+';
	usec_t t;
	if (time_parse(tmp, &t) != 0)
		return -1;
	{
		int y, m, d;
		char day[11];
		memcpy(day, tmp, 10);
		day[10] = 0;
		if (date_parse(day, &y, &m, &d) != 0 || m < 1 || m > 12 || d < 1 ||
		    d > time_days_in_month(y, m))
			return -1;
	}
	out->instant = true;
	out->lo = out->hi = t;
	return 0;
}

void fhir_parse_token(struct arena *a, const char *raw, struct fhir_tok *out)
{
	const char *bar = strchr(raw, '|');
	if (!bar) {
		out->system = NULL;
		out->code = arena_strdup(a, raw);
		return;
	}
	out->system = arena_strndup(a, raw, (size_t)(bar - raw));
	out->code = arena_strdup(a, bar + 1);
}

int64_t fhir_parse_ref(const char *raw, const char *type)
{
	const char *v = raw;
	size_t tl = strlen(type);
	if (!strncmp(v, type, tl) && v[tl] == '/')
		v += tl + 1;
	if (!all_digits(v, strlen(v)) || strlen(v) > 18)
		return -1;
	int64_t id;
	if (!str_to_i64(v, &id))
		return -1;
	return id;
}

int64_t fhir_parse_count(const char *raw)
{
	int64_t n;
	if (!raw || !str_to_i64(raw, &n) || n <= 0)
		return 20;
	return n > 1000 ? 1000 : n;
}

int64_t fhir_parse_page(const char *raw)
{
	if (!raw)
		return 1;
	if (!strcmp(raw, "last"))
		return 0;
	int64_t n;
	/* a page beyond FHIR_MAX_PAGE is past the end of any result; it would also overflow
	 * (page - 1) * _count */
	if (!all_digits(raw, strlen(raw)) || !str_to_i64(raw, &n) || n < 1 || n > FHIR_MAX_PAGE)
		return -1;
	return n;
}

int fhir_split(struct arena *a, const char *raw, const char ***out)
{
	int cap = 1;
	for (const char *p = raw; *p; p++)
		if (*p == ',')
			cap++;
	const char **items = arena_alloc(a, sizeof(*items) * (size_t)cap);
	int n = 0;
	const char *p = raw;
	while (1) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len)
			items[n++] = arena_strndup(a, p, len);
		if (!c)
			break;
		p = c + 1;
	}
	*out = items;
	return n;
}
