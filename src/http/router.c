/* Router: method + path pattern with typed parameters. */
#include "http/http.h"

#include <string.h>

/* Compare one pattern segment with one path segment; fills a parameter when it is one. */
static bool seg_match(const char *pat, size_t plen, const char *seg, size_t slen, struct request *r)
{
	if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
		if (slen == 0)
			return false;
		const char *name = pat + 1;
		size_t nlen = plen - 2;
		bool is_str = nlen > 2 && memcmp(name + nlen - 2, ":s", 2) == 0;
		if (is_str)
			nlen -= 2;
		int64_t id = 0;
		char *str = arena_strndup(r->arena, seg, slen);
		if (!is_str && !str_to_i64(str, &id))
			return false;
		if (!is_str && (str[0] == '-' || (slen > 1 && str[0] == '0')))
			return false;
		if (r->n_path_params < ROUTE_MAX_PARAMS) {
			int i = r->n_path_params++;
			r->path_params[i].name = arena_strndup(r->arena, name, nlen);
			r->path_params[i].str = str;
			r->path_params[i].id = id;
		}
		return true;
	}
	return plen == slen && memcmp(pat, seg, slen) == 0;
}

bool route_pattern_match(const char *pattern, const char *path, struct request *r)
{
	size_t plen = strlen(pattern);
	bool opt_slash = plen >= 2 && strcmp(pattern + plen - 2, "/?") == 0;
	if (opt_slash)
		plen -= 2;
	size_t path_len = strlen(path);
	if (opt_slash && path_len > 1 && path[path_len - 1] == '/')
		path_len--;
	r->n_path_params = 0;
	const char *p = pattern, *pe = pattern + plen;
	const char *s = path, *se = path + path_len;
	while (p < pe && s < se) {
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		const char *pn = memchr(p, '/', (size_t)(pe - p));
		const char *sn = memchr(s, '/', (size_t)(se - s));
		if (!pn)
			pn = pe;
		if (!sn)
			sn = se;
		if (!seg_match(p, (size_t)(pn - p), s, (size_t)(sn - s), r))
			return false;
		p = pn;
		s = sn;
	}
	return p == pe && s == se;
}

enum route_match router_match(const struct route *const *tables, struct request *r,
                              const struct route **found, struct buf *allow)
{
	bool path_found = false;
	*found = NULL;
	const char *seen[8];
	int nseen = 0;
	for (int t = 0; tables[t]; t++) {
		for (const struct route *rt = tables[t]; rt->method; rt++) {
			if (!route_pattern_match(rt->pattern, r->path, r))
				continue;
			path_found = true;
			if (strcmp(rt->method, r->method) == 0) {
				*found = rt;
				return ROUTE_FOUND;
			}
			bool dup = false;
			for (int i = 0; i < nseen; i++)
				if (strcmp(seen[i], rt->method) == 0)
					dup = true;
			if (!dup && nseen < 8)
				seen[nseen++] = rt->method;
		}
	}
	if (!path_found)
		return ROUTE_NO_PATH;
	/* re-match the first route of the path so its parameters are available */
	if (allow) {
		for (int i = 0; i < nseen; i++) {
			if (i)
				buf_puts(allow, ", ");
			buf_puts(allow, seen[i]);
			if (strcmp(seen[i], "GET") == 0)
				buf_puts(allow, ", HEAD");
		}
		if (nseen)
			buf_puts(allow, ", OPTIONS");
	}
	for (int t = 0; tables[t]; t++)
		for (const struct route *rt = tables[t]; rt->method; rt++)
			if (route_pattern_match(rt->pattern, r->path, r)) {
				*found = rt;
				return ROUTE_NO_METHOD;
			}
	return ROUTE_NO_METHOD;
}
