/* Key/value lists, percent-decoding, query strings, cookies and form encoding. */
#include "http/http.h"

#include <string.h>

void kv_add(struct arena *a, struct kvlist *l, const char *key, const char *value)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct kv *items = arena_alloc(a, cap * sizeof(*items));
		if (l->n)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n].key = key;
	l->items[l->n].value = value;
	l->n++;
}

const char *kv_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return l->items[i].value;
	return NULL;
}

const char *kv_get_last(const struct kvlist *l, const char *key)
{
	for (size_t i = l->n; i > 0; i--)
		if (strcmp(l->items[i - 1].key, key) == 0)
			return l->items[i - 1].value;
	return NULL;
}

size_t kv_count(const struct kvlist *l, const char *key)
{
	size_t c = 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			c++;
	return c;
}

/* Bottom-up merge sort on the keys: stable (equal keys keep their order, as the links and
 * digests require) and O(n log n) however many parameters a request sends. */
void kv_sort(struct arena *a, struct kvlist *l)
{
	if (l->n < 2)
		return;
	struct kv *src = l->items, *dst = arena_alloc(a, l->n * sizeof(*dst));
	for (size_t w = 1; w < l->n; w *= 2) {
		for (size_t lo = 0; lo < l->n; lo += 2 * w) {
			size_t mid = lo + w < l->n ? lo + w : l->n;
			size_t hi = lo + 2 * w < l->n ? lo + 2 * w : l->n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				dst[k++] = strcmp(src[j].key, src[i].key) < 0 ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		struct kv *t = src;
		src = dst;
		dst = t;
	}
	if (src != l->items)
		memcpy(l->items, src, l->n * sizeof(*src));
}

size_t query_pieces(const char *s, size_t n)
{
	size_t c = 0;
	const char *end = s + n;
	while (s < end) {
		const char *amp = memchr(s, '&', (size_t)(end - s));
		const char *e = amp ? amp : end;
		if (e > s)
			c++;
		s = e + 1;
	}
	return c;
}

char *url_decode(struct arena *a, const char *s, size_t n, bool form, bool strict)
{
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int hi = i + 1 < n ? hex_digit(s[i + 1]) : -1;
			int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;
			/* %00 is not decoded: a NUL would silently cut the C string ("1%002" would
			 * read as "1"); it stays literal like any other undecodable escape */
			if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
				out[o++] = (char)(hi << 4 | lo);
				i += 2;
				continue;
			}
			if (strict)
				return NULL;
			out[o++] = '%';
		} else if (c == '+' && form) {
			out[o++] = ' ';
		} else {
			out[o++] = c;
		}
	}
	out[o] = 0;
	return out;
}

void url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			buf_putc(b, (char)c);
		} else if (c == ' ') {
			buf_putc(b, '+');
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_append(b, e, 3);
		}
	}
}

void parse_query(struct arena *a, const char *qs, struct kvlist *l)
{
	if (!qs)
		return;
	const char *p = qs;
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len > 0) {
			const char *eq = memchr(p, '=', len);
			size_t klen = eq ? (size_t)(eq - p) : len;
			char *k = url_decode(a, p, klen, true, false);
			char *v = eq ? url_decode(a, eq + 1, len - klen - 1, true, false)
			             : arena_strdup(a, "");
			kv_add(a, l, k, v);
		}
		if (!amp)
			break;
		p = amp + 1;
	}
}

void parse_cookies(struct arena *a, const char *h, struct kvlist *l)
{
	if (!h)
		return;
	const char *p = h;
	while (*p) {
		while (*p == ' ' || *p == ';')
			p++;
		if (!*p)
			break;
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		if (eq) {
			char *k = arena_strndup(a, p, (size_t)(eq - p));
			const char *v = eq + 1;
			size_t vlen = len - (size_t)(eq - p) - 1;
			if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
				v++;
				vlen -= 2;
			}
			kv_add(a, l, k, arena_strndup(a, v, vlen));
		}
		if (!semi)
			break;
		p = semi + 1;
	}
}
