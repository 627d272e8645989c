/*
 * Paging cursors (fhir.md §5.2): base64url of a small JSON object
 *   {"v":1,"p":<page>,"t":<total or -1>,"d":"<params digest>","k":[<sort values>],"i":<id>}
 * then "." and base64url of the first 16 bytes of HMAC-SHA-256 over the first part, keyed with
 * the secret key, so that every worker accepts every worker's cursors and clients cannot alter
 * them. Pure.
 */
#include "fhir/local.h"

#include <string.h>

static void tag(const unsigned char *key, size_t keylen, const char *data, size_t n,
                unsigned char out[32])
{
	hmac_sha256(key, keylen, data, n, out);
}

char *fhir_cursor_encode(struct arena *a, const struct fhir_cursor *c, const unsigned char *key,
                         size_t keylen)
{
	struct buf *j = buf_new(a, 256);
	struct jw w;
	jw_init(&w, j);
	jw_obj_begin(&w);
	jw_kint(&w, "v", 1);
	jw_kint(&w, "p", c->page);
	jw_kint(&w, "t", c->total);
	jw_kstr(&w, "d", c->digest);
	jw_key(&w, "k");
	jw_arr_begin(&w);
	for (int i = 0; i < c->nvals; i++)
		jw_str(&w, c->vals[i]);
	jw_arr_end(&w);
	jw_kint(&w, "i", c->id);
	jw_obj_end(&w);
	char *body = arena_alloc(a, base64_encoded_len(j->len) + 1);
	size_t bl = base64url_encode((const unsigned char *)j->data, j->len, body);
	body[bl] = 0;
	unsigned char mac[32];
	tag(key, keylen, body, bl, mac);
	char t[32];
	size_t tl = base64url_encode(mac, 16, t);
	t[tl] = 0;
	return arena_printf(a, "%s.%s", body, t);
}

int fhir_cursor_decode(struct arena *a, const char *s, struct fhir_cursor *c,
                       const unsigned char *key, size_t keylen)
{
	memset(c, 0, sizeof(*c));
	const char *dot = s ? strchr(s, '.') : NULL;
	if (!dot || dot == s || strlen(dot + 1) != 22)
		return -1;
	size_t bl = (size_t)(dot - s);
	if (bl > 4096)
		return -1;
	for (size_t i = 0; i < bl; i++) {
		char ch = s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return -1;
	}
	unsigned char mac[32];
	tag(key, keylen, s, bl, mac);
	char t[32];
	size_t tl = base64url_encode(mac, 16, t);
	t[tl] = 0;
	if (!ct_equal(t, dot + 1, 22))
		return -1;
	unsigned char *raw = arena_alloc(a, base64_decoded_max(bl) + 1);
	long n = base64_decode(s, bl, raw);
	if (n <= 0)
		return -1;
	char err[64];
	bool deep;
	json_object *o = json_parse(a, (const char *)raw, (size_t)n, err, sizeof(err), &deep);
	if (!o || !json_object_is_type(o, json_type_object))
		return -1;
	int64_t v;
	if (!json_get_int(o, "v", &v) || v != 1 || !json_get_int(o, "p", &c->page) ||
	    !json_get_int(o, "t", &c->total) || !json_get_int(o, "i", &c->id))
		return -1;
	const char *d = json_get_str(o, "d");
	json_object *k = json_get(o, "k");
	if (!d || strlen(d) >= sizeof(c->digest) || !k || !json_object_is_type(k, json_type_array))
		return -1;
	strcpy(c->digest, d);
	size_t nk = json_object_array_length(k);
	if (nk > FHIR_MAX_KEYVALS)
		return -1;
	for (size_t i = 0; i < nk; i++) {
		json_object *e = json_object_array_get_idx(k, i);
		if (!json_object_is_type(e, json_type_string))
			return -1;
		c->vals[i] = arena_strdup(a, json_object_get_string(e));
	}
	c->nvals = (int)nk;
	return 0;
}
