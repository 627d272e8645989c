/* Streaming JSON writer (compact, documented key order) and json-c reading helpers. */
#include "util/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The escaped characters of s, without the quotes. */
static void escape_body(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	static const char *const short_escapes['\\' + 1] = {
	    ['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\r'] = "\\r",
	    ['\t'] = "\\t", ['\b'] = "\\b",  ['\f'] = "\\f",
	};
	buf_reserve(b, n + 2);
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x80) {
			/* a valid UTF-8 sequence is copied; an invalid byte becomes U+FFFD, so that
			 * the output is always valid JSON text even for invalid input bytes */
			size_t len = c >= 0xC2 && c <= 0xDF   ? 2
			             : c >= 0xE0 && c <= 0xEF ? 3
			             : c >= 0xF0 && c <= 0xF4 ? 4
			                                      : 0;
			if (len && i + len <= n && utf8_valid(s + i, len)) {
				i += len - 1;
				continue;
			}
			if (i > start)
				buf_append(b, s + start, i - start);
			start = i + 1;
			buf_append(b, "\\ufffd", 6);
			continue;
		}
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (i > start)
			buf_append(b, s + start, i - start);
		start = i + 1;
		if (c < sizeof(short_escapes) / sizeof(short_escapes[0]) && short_escapes[c]) {
			buf_append(b, short_escapes[c], 2);
		} else {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			buf_append(b, u, 6);
		}
	}
	if (n > start)
		buf_append(b, s + start, n - start);
}

void json_escape(struct buf *b, const char *s, size_t n)
{
	buf_putc(b, '"');
	escape_body(b, s, n);
	buf_putc(b, '"');
}

void jw_init(struct jw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->need_comma = 0;
	w->after_key = false;
}

static void sep(struct jw *w)
{
	uint64_t bit = (uint64_t)1 << (w->depth & 63);
	if (w->need_comma & bit)
		buf_putc(w->b, ',');
	w->need_comma |= bit;
}

static void value_prefix(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	sep(w);
}

/* Open an object or array ('{' or '['): nothing written in it yet. */
static void open_level(struct jw *w, char c)
{
	value_prefix(w);
	buf_putc(w->b, c);
	w->depth++;
	w->need_comma &= ~((uint64_t)1 << (w->depth & 63));
}

static void close_level(struct jw *w, char c)
{
	w->depth--;
	buf_putc(w->b, c);
}

void jw_obj_begin(struct jw *w)
{
	open_level(w, '{');
}

void jw_obj_end(struct jw *w)
{
	close_level(w, '}');
}

void jw_arr_begin(struct jw *w)
{
	open_level(w, '[');
}

void jw_arr_end(struct jw *w)
{
	close_level(w, ']');
}

void jw_key(struct jw *w, const char *key)
{
	sep(w);
	json_escape(w->b, key, strlen(key));
	buf_putc(w->b, ':');
	w->after_key = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	value_prefix(w);
	json_escape(w->b, s, n);
}

void jw_str_prefixed(struct jw *w, const char *prefix, const char *s)
{
	value_prefix(w);
	buf_putc(w->b, '"');
	escape_body(w->b, prefix, strlen(prefix));
	if (s)
		escape_body(w->b, s, strlen(s));
	buf_putc(w->b, '"');
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
	value_prefix(w);
	buf_printf(w->b, "%lld", (long long)v);
}

void jw_double(struct jw *w, double v)
{
	value_prefix(w);
	if (!isfinite(v)) {
		buf_puts(w->b, "null");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		buf_printf(w->b, "%.1f", v);
		return;
	}
	buf_printf(w->b, "%.17g", v);
}

void jw_bool(struct jw *w, bool v)
{
	value_prefix(w);
	buf_puts(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	value_prefix(w);
	buf_puts(w->b, "null");
}

void jw_rawn(struct jw *w, const char *json, size_t n)
{
	value_prefix(w);
	buf_append(w->b, json, n);
}

void jw_raw_compact(struct jw *w, const char *json, size_t n)
{
	jw_rawn(w, json, n);
	size_t start = w->b->len - n; /* minify the appended text in place */
	w->b->len = start + json_minify(w->b->data + start);
}

void jw_raw(struct jw *w, const char *json)
{
	if (!json) {
		jw_null(w);
		return;
	}
	jw_rawn(w, json, strlen(json));
}

void jw_kstr(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w, v);
}

void jw_kint(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}

void jw_knull(struct jw *w, const char *k)
{
	jw_key(w, k);
	jw_null(w);
}

void jw_kraw(struct jw *w, const char *k, const char *json)
{
	jw_key(w, k);
	jw_raw(w, json);
}

json_object *json_parse(struct arena *a, const char *text, size_t len, char *err, size_t errlen,
                        bool *too_deep)
{
	if (too_deep)
		*too_deep = false;
	struct json_tokener *tok = json_tokener_new_ex(65);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	json_object *o = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		snprintf(err, errlen, "Unexpected end of input");
		o = NULL;
	} else if (jerr != json_tokener_success) {
		if (jerr == json_tokener_error_depth && too_deep)
			*too_deep = true;
		snprintf(err, errlen, "%s", json_tokener_error_desc(jerr));
		o = NULL;
	} else if (json_tokener_get_parse_end(tok) < len) {
		/* trailing non-whitespace */
		size_t i = json_tokener_get_parse_end(tok);
		while (i < len &&
		       (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
			i++;
		if (i < len) {
			snprintf(err, errlen, "Extra data after the JSON value");
			json_object_put(o);
			o = NULL;
		}
	}
	json_tokener_free(tok);
	if (o && a)
		arena_json(a, o);
	return o;
}

json_object *json_get(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

const char *json_get_str(json_object *o, const char *key)
{
	json_object *v = json_get(o, key);
	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool json_as_int(json_object *v, int64_t *out)
{
	if (!v)
		return false;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return true;
	}
	if (json_object_is_type(v, json_type_double)) {
		double d = json_object_get_double(v);
		if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18) {
			*out = (int64_t)d;
			return true;
		}
	}
	return false;
}

bool json_get_int(json_object *o, const char *key, int64_t *out)
{
	return json_as_int(json_get(o, key), out);
}

size_t json_minify(char *s)
{
	/* drop insignificant whitespace outside strings (PostgreSQL's json output has some) */
	char *o = s;
	bool in_str = false;
	for (char *p = s; *p; p++) {
		char c = *p;
		if (in_str) {
			*o++ = c;
			if (c == '\\' && p[1]) {
				*o++ = *++p;
			} else if (c == '"') {
				in_str = false;
			}
			continue;
		}
		if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
			continue;
		if (c == '"')
			in_str = true;
		*o++ = c;
	}
	*o = 0;
	return (size_t)(o - s);
}

json_object *json_ptr_step(json_object *cur, const char **pp)
{
	const char *p = *pp;
	if (*p != '/')
		return NULL;
	p++;
	char tok[1024];
	size_t t = 0;
	while (*p && *p != '/') {
		char c = *p++;
		if (c == '~' && *p == '0')
			c = '~', p++;
		else if (c == '~' && *p == '1')
			c = '/', p++;
		if (t + 1 >= sizeof tok)
			return NULL;
		tok[t++] = c;
	}
	tok[t] = 0;
	*pp = p;
	json_object *next = NULL;
	if (json_object_is_type(cur, json_type_object)) {
		if (!json_object_object_get_ex(cur, tok, &next))
			return NULL;
	} else if (json_object_is_type(cur, json_type_array)) {
		char *end;
		if (!t || (t > 1 && tok[0] == '0'))
			return NULL;
		unsigned long idx = strtoul(tok, &end, 10);
		if (*end || idx >= json_object_array_length(cur))
			return NULL;
		next = json_object_array_get_idx(cur, idx);
	}
	return next;
}

json_object *json_ptr_get(json_object *root, const char *p)
{
	json_object *cur = root;
	while (cur && *p == '/')
		cur = json_ptr_step(cur, &p);
	return cur && !*p ? cur : NULL;
}

/* Skip a JSON string starting at s[i] == '"'; the index after its closing quote, or n. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
		i++;
	return i;
}

long json_top_array_len(const char *s, size_t n, const char *key)
{
	size_t klen = strlen(key);
	size_t i = skip_ws(s, n, 0);
	if (i >= n || s[i] != '{')
		return -1;
	int depth = 0;
	long best = -1;
	bool want_key = false; /* at depth 1, the next string is a key */
	for (; i < n; i++) {
		char c = s[i];
		if (c == '"') {
			size_t e = skip_string(s, n, i);
			if (depth == 1 && want_key && e - i == klen + 2 &&
			    !memcmp(s + i + 1, key, klen)) {
				size_t j = skip_ws(s, n, e);
				if (j < n && s[j] == ':')
					j = skip_ws(s, n, j + 1);
				if (j >= n || s[j] != '[') {
					want_key = false;
					i = e - 1;
					continue;
				}
				/* count the elements of this array: commas at its own depth */
				long count = 0;
				int d = 0;
				bool any = false;
				for (j++; j < n; j++) {
					char ch = s[j];
					if (ch == '"') {
						any = true;
						j = skip_string(s, n, j) - 1;
					} else if (ch == '[' || ch == '{') {
						any = true;
						d++;
					} else if (ch == ']' || ch == '}') {
						if (d == 0)
							break;
						d--;
					} else if (ch == ',' && d == 0) {
						count++;
					} else if (ch != ' ' && ch != '\n' && ch != '\r' &&
					           ch != '\t') {
						any = true;
					}
				}
				/* a repeated key: the largest array counts (json-c keeps the last)
				 */
				if (any && count + 1 > best)
					best = count + 1;
				else if (!any && best < 0)
					best = 0;
				want_key = false;
				i = j; /* the closing bracket (or the end) */
				continue;
			}
			want_key = false;
			i = e - 1;
		} else if (c == '{' || c == '[') {
			depth++;
			want_key = c == '{' && depth == 1;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (c == ',' && depth == 1) {
			want_key = true;
		}
	}
	return best;
}

size_t json_count_containers(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			i = skip_string(s, n, i) - 1;
		else if (s[i] == '{' || s[i] == '[')
			c++;
	}
	return c;
}
