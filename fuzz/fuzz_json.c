/* JSON reading: json_parse (json-c with the depth limit), the pre-parse scans, json_minify and
 * json_escape (output must be valid UTF-8). */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct arena *a = arena_new();
	const char *s = (const char *)data;
	char err[128];
	bool deep;
	json_object *o = json_parse(a, s, size, err, sizeof(err), &deep);
	(void)o;
	(void)json_top_array_len(s, size, "entry");
	(void)json_count_containers(s, size);
	char *z = arena_strndup(a, s, size);
	size_t n = json_minify(z);
	if (n > strlen(z) + 1)
		abort();
	struct buf *b = buf_new(a, 64);
	json_escape(b, s, size);
	if (!utf8_valid(b->data, b->len))
		abort();
	arena_free(a);
	return 0;
}
