/* Query strings, form bodies and cookies: parse_query, parse_cookies, url_decode, query_pieces,
 * kv_sort (must stay sorted and keep every pair). */
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct arena *a = arena_new();
	char *s = arena_strndup(a, (const char *)data, size);
	size_t n = strlen(s);
	struct kvlist l = {0};
	parse_query(a, s, &l);
	if (query_pieces(s, n) != l.n)
		abort();
	kv_sort(a, &l);
	for (size_t i = 1; i < l.n; i++)
		if (strcmp(l.items[i - 1].key, l.items[i].key) > 0)
			abort();
	struct kvlist c = {0};
	parse_cookies(a, s, &c);
	(void)url_decode(a, s, n, false, true);
	(void)url_decode(a, s, n, true, false);
	struct buf *b = buf_new(a, 64);
	url_encode(b, s);
	arena_free(a);
	return 0;
}
