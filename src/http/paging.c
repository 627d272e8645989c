/* Admin API paging links (conventions.md §3.3). */
#include "http/http.h"

#include <string.h>

char *page_link(struct request *r, int64_t page)
{
	struct kvlist l = {0};
	for (size_t i = 0; i < r->params.n; i++)
		if (strcmp(r->params.items[i].key, "page") != 0)
			kv_add(r->arena, &l, r->params.items[i].key, r->params.items[i].value);
	if (page > 0)
		kv_add(r->arena, &l, "page", arena_printf(r->arena, "%lld", (long long)page));
	kv_sort(r->arena, &l);
	struct buf *b = buf_new(r->arena, 256);
	buf_puts(b, r->origin);
	buf_puts(b, r->raw_path ? r->raw_path : r->path);
	for (size_t i = 0; i < l.n; i++) {
		buf_putc(b, i ? '&' : '?');
		url_encode(b, l.items[i].key);
		buf_putc(b, '=');
		url_encode(b, l.items[i].value);
	}
	return arena_strdup(r->arena, b->data);
}
