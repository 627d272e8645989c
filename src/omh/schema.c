/*
 * schema.c - JSON Schema registry, compiler and validator (fhir.md §14.2, §14.3).
 *
 * Loading parses every schema file once, registers it under its registration URL (and absolute
 * $id/id), then compiles each document into a graph of `struct sch` nodes allocated in an arena:
 * keywords are decoded into fields, patterns compiled, and every `$ref` resolved to a pointer to
 * the target node (compiled nodes are memoised by the JSON value they come from, so shared and
 * recursive references form a graph). Validation walks that graph with all state on the stack.
 */
#include "omh/omh.h"
#include "omh/omh_int.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------------------ compiled schema */

enum {
	KW_REF = 1u << 0,
	KW_TYPE = 1u << 1,
	KW_ENUM = 1u << 2,
	KW_CONST = 1u << 3,
	KW_MINIMUM = 1u << 4,
	KW_MAXIMUM = 1u << 5,
	KW_EXMIN = 1u << 6,
	KW_EXMAX = 1u << 7,
	KW_MULTOF = 1u << 8,
	KW_MINLEN = 1u << 9,
	KW_MAXLEN = 1u << 10,
	KW_PATTERN = 1u << 11,
	KW_FORMAT = 1u << 12,
	KW_MINITEMS = 1u << 13,
	KW_MAXITEMS = 1u << 14,
	KW_UNIQUE = 1u << 15,
	KW_MINPROPS = 1u << 16,
	KW_MAXPROPS = 1u << 17,
	KW_IF = 1u << 18,
	KW_NOT = 1u << 19,
	KW_ADDPROPS = 1u << 20,
	KW_ITEMS = 1u << 21,
	KW_ADDITEMS = 1u << 22,
	KW_CONTAINS = 1u << 23,
	KW_PROPNAMES = 1u << 24,
	KW_FALSE = 1u << 25, /* the boolean schema false */
};

/* instance type bits */
enum { T_NULL = 1, T_BOOL = 2, T_INT = 4, T_NUM = 8, T_STR = 16, T_ARR = 32, T_OBJ = 64 };

enum { FMT_NONE, FMT_DATE_TIME };

struct sch;

struct prop {
	const char *name;
	struct sch *s;
};

struct patprop {
	const struct omh_re *re;
	struct sch *s;
};

struct dep {
	const char *name;
	const char **req; /* array form */
	size_t nreq;
	struct sch *s; /* schema form */
};

struct sch {
	uint32_t kw;
	uint8_t types;
	uint8_t format;
	struct sch *ref;
	const char *ref_uri; /* absolute URI of the $ref (for the unresolvable message) */
	json_object *enum_, *const_;
	struct sch **all, **any, **one;
	size_t nall, nany, none;
	struct sch *not_, *if_, *then_, *else_;
	struct prop *props;
	size_t nprops;
	json_object
	    *props_obj; /* the `properties` object: O(1) membership for additionalProperties */
	const char **req;
	size_t nreq;
	struct sch *addprops;
	struct patprop *pprops;
	size_t npprops;
	struct dep *deps;
	size_t ndeps;
	struct sch *propnames;
	struct sch *items; /* single-schema form */
	struct sch **items_arr;
	size_t nitems_arr;
	int items_is_arr;
	struct sch *additems;
	struct sch *contains;
	double minimum, maximum, exmin, exmax, multof;
	int64_t minlen, maxlen, minitems, maxitems, minprops, maxprops;
	const struct omh_re *pattern;
	const char *pattern_src;
};

/* ------------------------------------------------------------------ registry */

struct memo_slot {
	json_object *key;
	struct sch *val;
};

struct entry {
	const char *uri;  /* registered URI (without empty fragment) */
	json_object *js;  /* the schema value */
	json_object *doc; /* root of the document containing js */
	const char *base; /* base URI at js */
	int dialect;      /* 4, 6 or 7 */
	struct sch *compiled;
};

struct omh_registry {
	struct arena *arena; /* the compiled schemas, regular expressions and URIs */
	json_object **docs;
	size_t ndocs, capdocs;
	struct entry *tab; /* open addressing on uri */
	size_t cap, n;
	struct memo_slot *memo; /* JSON value -> compiled node (open addressing on the pointer) */
	size_t mcap, mn;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* tab doubled (an open-addressing table of *cap slots, first capacity `first`, a power of two,
 * whose slots begin with their key pointer, NULL in an empty slot): each used slot placed anew
 * by hash, tab freed. NULL on OOM (tab unchanged). */
static void *table_grow(void *tab, size_t *cap, size_t size, size_t first,
                        size_t (*hash)(const void *slot))
{
	size_t ncap = *cap ? *cap * 2 : first;
	char *nt = calloc(ncap, size);
	if (!nt)
		return NULL;
	for (size_t i = 0; i < *cap; i++) {
		const char *slot = (const char *)tab + i * size;
		void *key;
		memcpy(&key, slot, sizeof key);
		if (!key)
			continue;
		size_t j = hash(slot) & (ncap - 1);
		for (;;) {
			memcpy(&key, nt + j * size, sizeof key);
			if (!key)
				break;
			j = (j + 1) & (ncap - 1);
		}
		memcpy(nt + j * size, slot, size);
	}
	free(tab);
	*cap = ncap;
	return nt;
}

static size_t entry_hash(const void *slot)
{
	return hash_str(((const struct entry *)slot)->uri);
}

static struct entry *reg_find(const struct omh_registry *r, const char *uri)
{
	if (!r->cap)
		return NULL;
	size_t i = hash_str(uri) & (r->cap - 1);
	while (r->tab[i].uri) {
		if (strcmp(r->tab[i].uri, uri) == 0)
			return &r->tab[i];
		i = (i + 1) & (r->cap - 1);
	}
	return NULL;
}

/* Adds uri unless present; returns the entry (existing or new), NULL on OOM. *isnew set. */
static struct entry *reg_add(struct omh_registry *r, const char *uri, int *isnew)
{
	*isnew = 0;
	struct entry *e = reg_find(r, uri);
	if (e)
		return e;
	if ((r->n + 1) * 2 > r->cap) {
		struct entry *tab = table_grow(r->tab, &r->cap, sizeof *tab, 256, entry_hash);
		if (!tab)
			return NULL;
		r->tab = tab;
	}
	size_t i = hash_str(uri) & (r->cap - 1);
	while (r->tab[i].uri)
		i = (i + 1) & (r->cap - 1);
	e = &r->tab[i];
	e->uri = arena_strdup(r->arena, uri);
	r->n++;
	*isnew = 1;
	return e;
}

/* ------------------------------------------------------------------ URIs */

#define URI_MAX 4096

static int has_scheme(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return 0;
	for (s++; *s; s++) {
		if (*s == ':')
			return 1;
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '+' || *s == '-' || *s == '.'))
			return 0;
	}
	return 0;
}

/* Removes "." and ".." segments from the path of the absolute URI in buf (size len), in place. */
static void remove_dots(char *buf, size_t len)
{
	char *p = strstr(buf, "://");
	p = p ? strchr(p + 3, '/') : strchr(buf, ':');
	if (!p)
		return;
	if (*p == ':')
		p++;
	size_t plen = strcspn(p, "?#");
	if (!memchr(p, '.', plen))
		return;
	char out[URI_MAX];
	size_t o = 0;
	const char *s = p, *end = p + plen;
	while (s < end) {
		/* s is at the start of a segment, possibly preceded by '/' */
		const char *seg = s;
		int slash = *s == '/';
		if (slash)
			seg++;
		const char *se = seg;
		while (se < end && *se != '/')
			se++;
		size_t sl = (size_t)(se - seg);
		if (sl == 1 && seg[0] == '.') {
			if (se == end && o < sizeof out - 1)
				out[o++] = '/';
		} else if (sl == 2 && seg[0] == '.' && seg[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			if (se == end && o < sizeof out - 1)
				out[o++] = '/';
		} else {
			size_t n = (size_t)(se - s);
			if (o + n >= sizeof out)
				return;
			memcpy(out + o, s, n);
			o += n;
		}
		s = se;
	}
	char tail[URI_MAX];
	snprintf(tail, sizeof tail, "%s", end);
	size_t pre = (size_t)(p - buf);
	snprintf(p, len - pre, "%.*s%s", (int)o, out, tail);
}

/* Resolves ref against base into out (RFC 3986 subset). Returns 0 if the result does not fit. */
static int resolve_uri(const char *base, const char *ref, char *out, size_t outlen)
{
	int n;
	size_t blen = strcspn(base, "#");
	if (has_scheme(ref)) {
		n = snprintf(out, outlen, "%s", ref);
	} else if (ref[0] == '#' || ref[0] == 0) {
		n = snprintf(out, outlen, "%.*s%s", (int)blen, base, ref);
	} else if (ref[0] == '/' && ref[1] == '/') {
		const char *c = strchr(base, ':');
		n = snprintf(out, outlen, "%.*s%s", c ? (int)(c - base + 1) : 0, base, ref);
	} else if (ref[0] == '/') {
		const char *a = strstr(base, "://");
		size_t plen;
		if (a) {
			const char *sl = strchr(a + 3, '/');
			plen = sl ? (size_t)(sl - base) : strcspn(base, "?#");
		} else {
			const char *c = strchr(base, ':');
			plen = c ? (size_t)(c - base + 1) : 0;
		}
		n = snprintf(out, outlen, "%.*s%s", (int)plen, base, ref);
	} else {
		size_t qlen = strcspn(base, "?#");
		size_t dir = qlen;
		while (dir > 0 && base[dir - 1] != '/')
			dir--;
		if (dir == 0) {
			const char *c = strchr(base, ':');
			dir = c && (size_t)(c - base) < qlen ? (size_t)(c - base + 1) : 0;
		}
		n = snprintf(out, outlen, "%.*s%s", (int)dir, base, ref);
	}
	if (n < 0 || (size_t)n >= outlen)
		return 0;
	remove_dots(out, outlen);
	return 1;
}

/* Strips an empty trailing fragment ("...json#") in place. */
static void strip_empty_fragment(char *uri)
{
	size_t n = strlen(uri);
	if (n && uri[n - 1] == '#')
		uri[n - 1] = 0;
}

static int pct_decode(const char *s, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; s[i]; i++) {
		char c = s[i];
		if (c == '%' && s[i + 1] && s[i + 2] && hex_digit(s[i + 1]) >= 0 &&
		    hex_digit(s[i + 2]) >= 0) {
			c = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
			i += 2;
		}
		if (o + 1 >= outlen)
			return 0;
		out[o++] = c;
	}
	out[o] = 0;
	return 1;
}

/* ------------------------------------------------------------------ loader */

struct loader {
	struct omh_registry *r;
	struct omh_err e;
	const char *cur_uri; /* document being compiled, for messages */
	int depth;
};

#define lerr(L, ...) omh_fail(&(L)->e, __VA_ARGS__)

static size_t hash_ptr(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static size_t memo_hash(const void *slot)
{
	return hash_ptr(((const struct memo_slot *)slot)->key);
}

static struct sch *memo_get(const struct omh_registry *r, json_object *k)
{
	if (!r->mcap)
		return NULL;
	size_t i = hash_ptr(k) & (r->mcap - 1);
	while (r->memo[i].key) {
		if (r->memo[i].key == k)
			return r->memo[i].val;
		i = (i + 1) & (r->mcap - 1);
	}
	return NULL;
}

static int memo_put(struct omh_registry *r, json_object *k, struct sch *v)
{
	if ((r->mn + 1) * 2 > r->mcap) {
		struct memo_slot *memo =
		    table_grow(r->memo, &r->mcap, sizeof *memo, 1024, memo_hash);
		if (!memo)
			return -1;
		r->memo = memo;
	}
	size_t i = hash_ptr(k) & (r->mcap - 1);
	while (r->memo[i].key)
		i = (i + 1) & (r->mcap - 1);
	r->memo[i].key = k;
	r->memo[i].val = v;
	r->mn++;
	return 0;
}

struct cctx {
	json_object *doc; /* current document root */
	const char *docbase;
	const char *base;
	int dialect;
	/* the schema value whose own id is already applied to base (an entry's root, the target
	 * of a reference to a whole document or embedded resource): compile must not apply it a
	 * second time, which would be wrong for relative ids such as "folder/" */
	json_object *based;
};

static struct sch *compile(struct loader *L, json_object *js, const struct cctx *cx);

static const char *id_of(json_object *js, int dialect)
{
	json_object *v;
	if (json_object_is_type(js, json_type_object) &&
	    json_object_object_get_ex(js, dialect == 4 ? "id" : "$id", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* New base for a schema with an id (NULL when it does not change the base). */
static const char *rebase(struct loader *L, const char *base, const char *id)
{
	if (!id || id[0] == '#' || id[0] == 0)
		return NULL;
	char buf[URI_MAX];
	if (!resolve_uri(base, id, buf, sizeof buf))
		return NULL;
	buf[strcspn(buf, "#")] = 0;
	return arena_strdup(L->r->arena, buf);
}

/* Resolves an absolute URI to a schema value; fills *out with the target context. */
static json_object *lookup_uri(struct loader *L, const char *uri, const struct cctx *cx,
                               struct cctx *out)
{
	size_t dlen = strcspn(uri, "#");
	const char *frag = uri[dlen] == '#' ? uri + dlen + 1 : "";
	char docuri[URI_MAX];
	snprintf(docuri, sizeof docuri, "%.*s", (int)dlen, uri);
	json_object *root;
	if (cx && cx->docbase && strcmp(docuri, cx->docbase) == 0) {
		/* same-document reference: the current document, even if another file claims its id
		 */
		root = cx->doc;
		out->doc = cx->doc;
		out->docbase = cx->docbase;
		out->base = cx->docbase;
		out->dialect = cx->dialect;
		out->based = root;
	} else {
		struct entry *e = reg_find(L->r, docuri);
		if (!e) {
			return NULL;
		}
		/* a file, or an embedded resource (nested id) treated as its own document */
		root = e->js;
		out->doc = e->js;
		out->docbase = e->base;
		out->base = e->base;
		out->dialect = e->dialect;
		out->based = root;
	}
	if (frag[0] == 0)
		return root;
	if (frag[0] != '/') {
		struct entry *e = reg_find(L->r, uri);
		if (!e)
			return NULL;
		out->doc = e->doc;
		out->docbase = e->base;
		out->base = e->base;
		out->dialect = e->dialect;
		out->based = e->js;
		return e->js;
	}
	char dec[URI_MAX];
	if (!pct_decode(frag, dec, sizeof dec))
		return NULL;
	json_object *cur = root;
	const char *p = dec;
	int first = 1;
	while (cur && *p == '/') {
		if (!first) {
			const char *nb = rebase(L, out->base, id_of(cur, out->dialect));
			if (nb)
				out->base = nb;
		}
		first = 0;
		cur = json_ptr_step(cur, &p);
	}
	return cur && !*p ? cur : NULL;
}

static struct sch *compile_sub(struct loader *L, json_object *js, const struct cctx *cx,
                               const char *kw)
{
	if (!json_object_is_type(js, json_type_object) &&
	    !json_object_is_type(js, json_type_boolean)) {
		lerr(L, "%s: the value of %s is not a schema", L->cur_uri, kw);
		return NULL;
	}
	return compile(L, js, cx);
}

static struct sch **compile_arr(struct loader *L, json_object *arr, const struct cctx *cx,
                                const char *kw, size_t *n)
{
	if (!json_object_is_type(arr, json_type_array) || json_object_array_length(arr) == 0) {
		lerr(L, "%s: %s must be a non-empty array of schemas", L->cur_uri, kw);
		return NULL;
	}
	*n = json_object_array_length(arr);
	struct sch **v = arena_alloc(L->r->arena, *n * sizeof *v);
	for (size_t i = 0; i < *n; i++)
		v[i] = compile_sub(L, json_object_array_get_idx(arr, i), cx, kw);
	return v;
}

static int get_num(struct loader *L, json_object *v, const char *kw, double *out)
{
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double)) {
		lerr(L, "%s: %s must be a number", L->cur_uri, kw);
		return 0;
	}
	*out = json_object_get_double(v);
	return 1;
}

static int get_count(struct loader *L, json_object *v, const char *kw, int64_t *out)
{
	double d;
	if (!get_num(L, v, kw, &d))
		return 0;
	if (d < 0 || d != floor(d)) {
		lerr(L, "%s: %s must be a non-negative integer", L->cur_uri, kw);
		return 0;
	}
	*out = d > 9e18 ? INT64_MAX : (int64_t)d;
	return 1;
}

static uint8_t type_bit(const char *t)
{
	static const struct {
		const char *n;
		uint8_t b;
	} tb[] = {{"null", T_NULL},  {"boolean", T_BOOL}, {"integer", T_INT}, {"number", T_NUM},
	          {"string", T_STR}, {"array", T_ARR},    {"object", T_OBJ}};
	for (size_t i = 0; i < sizeof tb / sizeof tb[0]; i++)
		if (strcmp(t, tb[i].n) == 0)
			return tb[i].b;
	return 0;
}

/* "type": one name or a list of names. */
static void kw_type(struct loader *L, struct sch *s, json_object *val)
{
	s->kw |= KW_TYPE;
	if (json_object_is_type(val, json_type_string)) {
		s->types = type_bit(json_object_get_string(val));
		if (!s->types)
			lerr(L, "%s: unknown type \"%s\"", L->cur_uri, json_object_get_string(val));
	} else if (json_object_is_type(val, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(val); i++) {
			json_object *t = json_object_array_get_idx(val, i);
			uint8_t b = json_object_is_type(t, json_type_string)
			                ? type_bit(json_object_get_string(t))
			                : 0;
			if (!b)
				lerr(L, "%s: invalid type list", L->cur_uri);
			s->types |= b;
		}
	} else {
		lerr(L, "%s: invalid type", L->cur_uri);
	}
}

/* A list of property names ("required", the array form of "dependencies"); *n receives its
 * length. */
static const char **name_list(struct loader *L, json_object *val, const char *kw, size_t *n)
{
	*n = json_object_array_length(val);
	const char **v = arena_alloc(L->r->arena, (*n ? *n : 1) * sizeof *v);
	for (size_t i = 0; i < *n; i++) {
		json_object *r = json_object_array_get_idx(val, i);
		if (!json_object_is_type(r, json_type_string))
			lerr(L, "%s: %s must list strings", L->cur_uri, kw);
		else
			v[i] = json_object_get_string(r);
	}
	return v;
}

/* The arena array of an object keyword's members (n of them, each of size bytes); NULL with the
 * error recorded when val is not an object (or memory is out; *n is then 0). */
static void *object_kw(struct loader *L, json_object *val, const char *kw, size_t size, size_t *n)
{
	*n = 0;
	if (!json_object_is_type(val, json_type_object)) {
		lerr(L, "%s: %s must be an object", L->cur_uri, kw);
		return NULL;
	}
	size_t count = (size_t)json_object_object_length(val);
	*n = count;
	return arena_alloc(L->r->arena, (count ? count : 1) * size);
}

static void kw_properties(struct loader *L, struct sch *s, json_object *val, const struct cctx *cx)
{
	s->props = object_kw(L, val, "properties", sizeof *s->props, &s->nprops);
	if (!s->props)
		return;
	s->props_obj = val;
	size_t i = 0;
	json_object_object_foreach(val, pk, pv)
	{
		s->props[i].name = pk;
		s->props[i].s = compile_sub(L, pv, cx, "properties");
		i++;
	}
}

static void kw_pattern_properties(struct loader *L, struct sch *s, json_object *val,
                                  const struct cctx *cx)
{
	s->pprops = object_kw(L, val, "patternProperties", sizeof *s->pprops, &s->npprops);
	if (!s->pprops)
		return;
	struct arena *A = L->r->arena;
	size_t i = 0;
	json_object_object_foreach(val, pk, pv)
	{
		char rerr[200];
		s->pprops[i].re = omh_re_compile(A, pk, rerr, sizeof rerr);
		if (!s->pprops[i].re)
			lerr(L, "%s: unsupported patternProperties pattern \"%s\": %s", L->cur_uri,
			     pk, rerr);
		s->pprops[i].s = compile_sub(L, pv, cx, "patternProperties");
		i++;
	}
}

static void kw_dependencies(struct loader *L, struct sch *s, json_object *val,
                            const struct cctx *cx)
{
	s->deps = object_kw(L, val, "dependencies", sizeof *s->deps, &s->ndeps);
	if (!s->deps)
		return;
	size_t i = 0;
	json_object_object_foreach(val, dk, dv)
	{
		struct dep *dp = &s->deps[i++];
		dp->name = dk;
		if (json_object_is_type(dv, json_type_array))
			dp->req = name_list(L, dv, "dependencies", &dp->nreq);
		else
			dp->s = compile_sub(L, dv, cx, "dependencies");
	}
}

static void kw_items(struct loader *L, struct sch *s, json_object *val, const struct cctx *cx)
{
	s->kw |= KW_ITEMS;
	if (!json_object_is_type(val, json_type_array)) {
		s->items = compile_sub(L, val, cx, "items");
		return;
	}
	s->items_is_arr = 1;
	s->nitems_arr = json_object_array_length(val);
	s->items_arr =
	    arena_alloc(L->r->arena, (s->nitems_arr ? s->nitems_arr : 1) * sizeof *s->items_arr);
	for (size_t i = 0; i < s->nitems_arr; i++)
		s->items_arr[i] = compile_sub(L, json_object_array_get_idx(val, i), cx, "items");
}

static void kw_pattern(struct loader *L, struct sch *s, json_object *val)
{
	if (!json_object_is_type(val, json_type_string)) {
		lerr(L, "%s: pattern must be a string", L->cur_uri);
		return;
	}
	char rerr[200];
	s->kw |= KW_PATTERN;
	s->pattern_src = json_object_get_string(val);
	s->pattern = omh_re_compile(L->r->arena, s->pattern_src, rerr, sizeof rerr);
	if (!s->pattern)
		lerr(L, "%s: unsupported pattern \"%s\": %s", L->cur_uri, s->pattern_src, rerr);
}

/* exclusiveMinimum / exclusiveMaximum: boolean modifiers (draft-04) or numbers (draft-06+); after
 * the other keywords, since the draft-04 form changes minimum / maximum. */
static void kw_exclusive(struct loader *L, struct sch *s, json_object *js)
{
	json_object *v;
	for (int mx = 0; mx < 2; mx++) {
		const char *k = mx ? "exclusiveMaximum" : "exclusiveMinimum";
		if (!json_object_object_get_ex(js, k, &v))
			continue;
		if (json_object_is_type(v, json_type_boolean)) {
			if (json_object_get_boolean(v) &&
			    (s->kw & (mx ? KW_MAXIMUM : KW_MINIMUM))) {
				s->kw &= ~(uint32_t)(mx ? KW_MAXIMUM : KW_MINIMUM);
				s->kw |= mx ? KW_EXMAX : KW_EXMIN;
				if (mx)
					s->exmax = s->maximum;
				else
					s->exmin = s->minimum;
			}
		} else if (get_num(L, v, k, mx ? &s->exmax : &s->exmin)) {
			s->kw |= mx ? KW_EXMAX : KW_EXMIN;
		}
	}
}

/* The keywords that hold subschemas or shape objects and arrays; 0 when key is none of them. */
static int kw_applicator(struct loader *L, struct sch *s, const char *key, json_object *val,
                         const struct cctx *cx)
{
	const int d = cx->dialect;
	if (strcmp(key, "allOf") == 0) {
		s->all = compile_arr(L, val, cx, key, &s->nall);
	} else if (strcmp(key, "anyOf") == 0) {
		s->any = compile_arr(L, val, cx, key, &s->nany);
	} else if (strcmp(key, "oneOf") == 0) {
		s->one = compile_arr(L, val, cx, key, &s->none);
	} else if (strcmp(key, "not") == 0) {
		s->kw |= KW_NOT;
		s->not_ = compile_sub(L, val, cx, key);
	} else if (strcmp(key, "if") == 0 && d >= 7) {
		s->kw |= KW_IF;
		s->if_ = compile_sub(L, val, cx, key);
	} else if (strcmp(key, "then") == 0 && d >= 7) {
		s->then_ = compile_sub(L, val, cx, key);
	} else if (strcmp(key, "else") == 0 && d >= 7) {
		s->else_ = compile_sub(L, val, cx, key);
	} else if (strcmp(key, "properties") == 0) {
		kw_properties(L, s, val, cx);
	} else if (strcmp(key, "required") == 0) {
		if (json_object_is_type(val, json_type_array))
			s->req = name_list(L, val, key, &s->nreq);
		else if (!(d == 4 && json_object_is_type(val, json_type_boolean))) /* draft-03 */
			lerr(L, "%s: required must be an array", L->cur_uri);
	} else if (strcmp(key, "additionalProperties") == 0) {
		s->kw |= KW_ADDPROPS;
		s->addprops = compile_sub(L, val, cx, key);
	} else if (strcmp(key, "patternProperties") == 0) {
		kw_pattern_properties(L, s, val, cx);
	} else if (strcmp(key, "dependencies") == 0) {
		kw_dependencies(L, s, val, cx);
	} else if (strcmp(key, "propertyNames") == 0 && d >= 6) {
		s->kw |= KW_PROPNAMES;
		s->propnames = compile_sub(L, val, cx, key);
	} else if (strcmp(key, "items") == 0) {
		kw_items(L, s, val, cx);
	} else if (strcmp(key, "additionalItems") == 0) {
		s->kw |= KW_ADDITEMS;
		s->additems = compile_sub(L, val, cx, key);
	} else if (strcmp(key, "contains") == 0 && d >= 6) {
		s->kw |= KW_CONTAINS;
		s->contains = compile_sub(L, val, cx, key);
	} else if (strcmp(key, "definitions") == 0) {
		/* compiled too, so that omh_validate() can name them by a JSON-pointer fragment */
		if (json_object_is_type(val, json_type_object)) {
			json_object_object_foreach(val, dk, dv)
			{
				(void)dk;
				if (json_object_is_type(dv, json_type_object) ||
				    json_object_is_type(dv, json_type_boolean))
					compile(L, dv, cx);
			}
		}
	} else {
		return 0;
	}
	return 1;
}

/* The keywords that assert on one value (type, enum, bounds, lengths, pattern, format). */
static void kw_assertion(struct loader *L, struct sch *s, const char *key, json_object *val, int d)
{
	if (strcmp(key, "type") == 0) {
		kw_type(L, s, val);
	} else if (strcmp(key, "enum") == 0) {
		if (!json_object_is_type(val, json_type_array))
			lerr(L, "%s: enum must be an array", L->cur_uri);
		s->kw |= KW_ENUM;
		s->enum_ = val;
	} else if (strcmp(key, "const") == 0 && d >= 6) {
		s->kw |= KW_CONST;
		s->const_ = val;
	} else if (strcmp(key, "minProperties") == 0) {
		s->kw |= KW_MINPROPS;
		get_count(L, val, key, &s->minprops);
	} else if (strcmp(key, "maxProperties") == 0) {
		s->kw |= KW_MAXPROPS;
		get_count(L, val, key, &s->maxprops);
	} else if (strcmp(key, "minItems") == 0) {
		s->kw |= KW_MINITEMS;
		get_count(L, val, key, &s->minitems);
	} else if (strcmp(key, "maxItems") == 0) {
		s->kw |= KW_MAXITEMS;
		get_count(L, val, key, &s->maxitems);
	} else if (strcmp(key, "uniqueItems") == 0) {
		if (json_object_is_type(val, json_type_boolean) && json_object_get_boolean(val))
			s->kw |= KW_UNIQUE;
	} else if (strcmp(key, "minimum") == 0) {
		s->kw |= KW_MINIMUM;
		get_num(L, val, key, &s->minimum);
	} else if (strcmp(key, "maximum") == 0) {
		s->kw |= KW_MAXIMUM;
		get_num(L, val, key, &s->maximum);
	} else if (strcmp(key, "multipleOf") == 0) {
		s->kw |= KW_MULTOF;
		if (get_num(L, val, key, &s->multof) && !(s->multof > 0))
			lerr(L, "%s: multipleOf must be positive", L->cur_uri);
	} else if (strcmp(key, "minLength") == 0) {
		s->kw |= KW_MINLEN;
		get_count(L, val, key, &s->minlen);
	} else if (strcmp(key, "maxLength") == 0) {
		s->kw |= KW_MAXLEN;
		get_count(L, val, key, &s->maxlen);
	} else if (strcmp(key, "pattern") == 0) {
		kw_pattern(L, s, val);
	} else if (strcmp(key, "format") == 0) {
		if (json_object_is_type(val, json_type_string) &&
		    strcmp(json_object_get_string(val), "date-time") == 0) {
			s->kw |= KW_FORMAT;
			s->format = FMT_DATE_TIME;
		}
	}
}

/* "$ref" (drafts 04-07: the keywords next to it are ignored): the target compiled in its own
 * document's context. */
static void compile_ref(struct loader *L, struct sch *s, json_object *v, const struct cctx *cx)
{
	char abs[URI_MAX];
	s->kw = KW_REF;
	if (!resolve_uri(cx->base, json_object_get_string(v), abs, sizeof abs)) {
		lerr(L, "%s: $ref too long", L->cur_uri);
		return;
	}
	strip_empty_fragment(abs);
	s->ref_uri = arena_strdup(L->r->arena, abs);
	struct cctx tc;
	json_object *t = lookup_uri(L, abs, cx, &tc);
	if (t && (json_object_is_type(t, json_type_object) ||
	          json_object_is_type(t, json_type_boolean))) {
		const char *save = L->cur_uri;
		s->ref = compile(L, t, &tc);
		L->cur_uri = save;
	}
}

static struct sch *compile(struct loader *L, json_object *js, const struct cctx *cx0)
{
	if (L->e.failed)
		return NULL;
	struct sch *s = memo_get(L->r, js);
	if (s)
		return s;
	s = arena_alloc(L->r->arena, sizeof *s);
	if (memo_put(L->r, js, s) < 0) {
		lerr(L, "out of memory");
		return NULL;
	}
	if (json_object_is_type(js, json_type_boolean)) {
		if (!json_object_get_boolean(js))
			s->kw = KW_FALSE;
		return s;
	}
	if (!json_object_is_type(js, json_type_object)) {
		lerr(L, "%s: a schema must be an object or a boolean", L->cur_uri);
		return NULL;
	}
	if (++L->depth > 200) {
		lerr(L, "%s: schema nesting too deep", L->cur_uri);
		return NULL;
	}
	struct cctx cx = *cx0;
	const char *nb = cx.based == js ? NULL : rebase(L, cx.base, id_of(js, cx.dialect));
	if (nb)
		cx.base = nb;
	json_object *v;
	if (json_object_object_get_ex(js, "$ref", &v) && json_object_is_type(v, json_type_string)) {
		compile_ref(L, s, v, &cx);
	} else {
		json_object_object_foreach(js, key, val)
		{
			if (L->e.failed)
				break;
			if (!kw_applicator(L, s, key, val, &cx))
				kw_assertion(L, s, key, val, cx.dialect);
		}
		kw_exclusive(L, s, js);
	}
	L->depth--;
	return s;
}

/* ------------------------------------------------------------------ loading files */

struct file {
	char *path;
	char *uri; /* registration URL */
};

struct filelist {
	struct file *v;
	size_t n, cap;
};

static int add_file(struct filelist *fl, const char *path, const char *uri)
{
	struct file *v = omh_grow(fl->v, &fl->cap, fl->n, sizeof *v, 64);
	if (!v)
		return -1;
	fl->v = v;
	fl->v[fl->n].path = strdup(path);
	fl->v[fl->n].uri = strdup(uri);
	if (!fl->v[fl->n].path || !fl->v[fl->n].uri) {
		free(fl->v[fl->n].path);
		free(fl->v[fl->n].uri);
		return -1;
	}
	fl->n++;
	return 0;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Collects *.json files under dir (recursively), registered as base + file name. */
static int scan_dir(const char *dir, const char *base, struct filelist *fl, int depth, char *err,
                    size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (depth == 0 && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open schema directory %s: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *de;
	int rc = 0;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[4096];
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= sizeof path)
			continue;
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 16)
				rc = scan_dir(path, base, fl, depth + 1, err, errlen);
		} else if (S_ISREG(st.st_mode) && ends_with(de->d_name, ".json")) {
			char uri[4096];
			snprintf(uri, sizeof uri, "%s%s", base, de->d_name);
			if (add_file(fl, path, uri) < 0) {
				snprintf(err, errlen, "out of memory");
				rc = -1;
			}
		}
	}
	closedir(d);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	const struct file *x = a, *y = b;
	int c = strcmp(x->uri, y->uri);
	return c ? c : strcmp(x->path, y->path);
}

static int dialect_of(json_object *doc, int dflt)
{
	json_object *v;
	if (json_object_is_type(doc, json_type_object) &&
	    json_object_object_get_ex(doc, "$schema", &v) &&
	    json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		if (strstr(s, "draft-04"))
			return 4;
		if (strstr(s, "draft-06"))
			return 6;
		return 7;
	}
	return dflt;
}

/* Registers embedded resources (nested $id/id) of a schema value, walking schema positions only. */
static void scan_ids(struct loader *L, json_object *js, json_object *doc, const char *base,
                     int dialect, int depth)
{
	if (L->e.failed || depth > 100 || !json_object_is_type(js, json_type_object))
		return;
	const char *id = id_of(js, dialect);
	if (id && depth > 0) {
		char abs[URI_MAX];
		if (resolve_uri(base, id, abs, sizeof abs)) {
			strip_empty_fragment(abs);
			int isnew;
			const char *nb = rebase(L, base, id);
			struct entry *e = reg_add(L->r, abs, &isnew);
			if (!e) {
				lerr(L, "out of memory");
				return;
			}
			if (isnew) {
				e->js = js;
				e->doc = doc;
				e->base = nb ? nb : arena_strdup(L->r->arena, base);
				e->dialect = dialect;
			}
			if (nb)
				base = nb;
		}
	}
	json_object_object_foreach(js, key, val)
	{
		if (strcmp(key, "properties") == 0 || strcmp(key, "patternProperties") == 0 ||
		    strcmp(key, "definitions") == 0 || strcmp(key, "dependencies") == 0) {
			if (json_object_is_type(val, json_type_object)) {
				json_object_object_foreach(val, k2, v2)
				{
					(void)k2;
					scan_ids(L, v2, doc, base, dialect, depth + 1);
				}
			}
		} else if (strcmp(key, "items") == 0 || strcmp(key, "allOf") == 0 ||
		           strcmp(key, "anyOf") == 0 || strcmp(key, "oneOf") == 0) {
			if (json_object_is_type(val, json_type_array)) {
				for (size_t i = 0; i < json_object_array_length(val); i++)
					scan_ids(L, json_object_array_get_idx(val, i), doc, base,
					         dialect, depth + 1);
			} else {
				scan_ids(L, val, doc, base, dialect, depth + 1);
			}
		} else if (strcmp(key, "not") == 0 || strcmp(key, "if") == 0 ||
		           strcmp(key, "then") == 0 || strcmp(key, "else") == 0 ||
		           strcmp(key, "additionalProperties") == 0 ||
		           strcmp(key, "additionalItems") == 0 || strcmp(key, "contains") == 0 ||
		           strcmp(key, "propertyNames") == 0) {
			scan_ids(L, val, doc, base, dialect, depth + 1);
		}
	}
}

static int push_doc(struct omh_registry *r, json_object *doc)
{
	json_object **docs = omh_grow(r->docs, &r->capdocs, r->ndocs, sizeof *docs, 64);
	if (!docs)
		return -1;
	r->docs = docs;
	r->docs[r->ndocs++] = doc;
	return 0;
}

static struct omh_registry *registry_new(void)
{
	struct omh_registry *r = calloc(1, sizeof *r);
	if (r)
		r->arena = arena_new();
	return r;
}

void omh_registry_free(struct omh_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ndocs; i++)
		json_object_put(r->docs[i]);
	free(r->docs);
	free(r->tab);
	free(r->memo);
	arena_free(r->arena);
	free(r);
}

/* Passes 2 and 3 of loading, once every document is registered under its URL: absolute ids,
 * embedded resources, then compilation of everything reachable. Returns 0 or -1 (L->e set). */
static int link_registry(struct loader *L)
{
	struct omh_registry *r = L->r;
	/* pass 2: absolute ids (registration URLs take precedence) and embedded resources */
	size_t nfiles = r->cap;
	struct entry **files = calloc(r->n ? r->n : 1, sizeof *files);
	size_t nf = 0;
	if (!files) {
		lerr(L, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nfiles; i++)
		if (r->tab[i].uri)
			files[nf++] = &r->tab[i];
	/* reg_add may rehash: copy what we need first */
	struct {
		json_object *doc;
		const char *uri;
		int dialect;
	} *fv = calloc(nf ? nf : 1, sizeof *fv);
	if (!fv) {
		free(files);
		lerr(L, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nf; i++) {
		fv[i].doc = files[i]->doc;
		fv[i].uri = files[i]->uri;
		fv[i].dialect = files[i]->dialect;
	}
	free(files);
	for (size_t i = 0; i < nf && !L->e.failed; i++) {
		const char *id = id_of(fv[i].doc, fv[i].dialect);
		char abs[URI_MAX];
		if (id && has_scheme(id) && strlen(id) < sizeof abs) {
			snprintf(abs, sizeof abs, "%s", id);
			abs[strcspn(abs, "#")] = 0;
			const char *base = arena_strdup(r->arena, abs);
			struct entry *self = reg_find(r, fv[i].uri);
			if (self)
				self->base = base;
			int isnew;
			struct entry *e = reg_add(r, abs, &isnew);
			if (!e) {
				lerr(L, "out of memory");
				break;
			}
			if (isnew) {
				e->js = e->doc = fv[i].doc;
				e->dialect = fv[i].dialect;
				e->base = base;
			}
		}
	}
	for (size_t i = 0; i < nf && !L->e.failed; i++) {
		struct entry *self = reg_find(r, fv[i].uri);
		scan_ids(L, fv[i].doc, fv[i].doc, self->base, fv[i].dialect, 0);
	}
	free(fv);
	/* pass 3: compile everything reachable from every entry */
	for (size_t i = 0; i < r->cap && !L->e.failed; i++) {
		struct entry *e = &r->tab[i];
		if (!e->uri)
			continue;
		struct cctx cx = {.doc = e->doc,
		                  .docbase = e->base,
		                  .base = e->base,
		                  .dialect = e->dialect,
		                  .based = e->js};
		if (e->doc != e->js)
			cx.doc = e->js;
		L->cur_uri = e->uri;
		e->compiled = compile(L, e->js, &cx);
	}
	return L->e.failed ? -1 : 0;
}

int omh_registry_load(const char *schema_dir, struct omh_registry **out, char *err, size_t errlen)
{
	char dummy[8];
	if (!err || !errlen)
		err = dummy, errlen = sizeof dummy;
	err[0] = 0;
	if (out)
		*out = NULL;
	if (!schema_dir || !out) {
		snprintf(err, errlen, "invalid arguments");
		return OMH_ERROR;
	}
	struct stat st;
	if (stat(schema_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "schema directory %s is not a directory", schema_dir);
		return OMH_ERROR;
	}
	struct omh_registry *r = registry_new();
	struct filelist fl = {0};
	struct loader L = {.r = r, .e = {.err = err, .errlen = errlen}};
	int rc = OMH_ERROR;
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return OMH_ERROR;
	}
	char sub[4096];
	snprintf(sub, sizeof sub, "%s/omh", schema_dir);
	if (scan_dir(sub, OMH_BASE_OMH, &fl, 0, err, errlen) < 0)
		goto done;
	snprintf(sub, sizeof sub, "%s/ieee", schema_dir);
	if (scan_dir(sub, OMH_BASE_IEEE, &fl, 0, err, errlen) < 0)
		goto done;
	if (fl.n == 0) {
		snprintf(err, errlen, "no schema files under %s/omh or %s/ieee", schema_dir,
		         schema_dir);
		goto done;
	}
	qsort(fl.v, fl.n, sizeof *fl.v, cmp_file);

	/* pass 1: parse and register under the registration URLs (first file wins on flattening
	 * clashes) */
	for (size_t i = 0; i < fl.n; i++) {
		json_object *doc = json_object_from_file(fl.v[i].path);
		if (!doc) {
			snprintf(err, errlen, "%s: not valid JSON: %s", fl.v[i].path,
			         json_util_get_last_err());
			goto done;
		}
		if (push_doc(r, doc) < 0) {
			json_object_put(doc);
			snprintf(err, errlen, "out of memory");
			goto done;
		}
		if (!json_object_is_type(doc, json_type_object) &&
		    !json_object_is_type(doc, json_type_boolean)) {
			snprintf(err, errlen, "%s: a schema must be an object or a boolean",
			         fl.v[i].path);
			goto done;
		}
		int isnew;
		struct entry *e = reg_add(r, fl.v[i].uri, &isnew);
		if (!e) {
			snprintf(err, errlen, "out of memory");
			goto done;
		}
		if (!isnew) {
			r->ndocs--;
			json_object_put(doc);
			continue;
		}
		e->js = e->doc = doc;
		e->dialect = dialect_of(doc, 7);
		e->base = e->uri;
	}
	if (link_registry(&L) < 0)
		goto done;
	rc = OMH_OK;
done:
	for (size_t i = 0; i < fl.n; i++) {
		free(fl.v[i].path);
		free(fl.v[i].uri);
	}
	free(fl.v);
	if (rc == OMH_OK)
		*out = r;
	else
		omh_registry_free(r);
	return rc;
}

int omh_registry_from_json(const char *const *uris, json_object *const *docs, size_t n,
                           int default_dialect, struct omh_registry **out, char *err, size_t errlen)
{
	char dummy[8];
	if (!err || !errlen)
		err = dummy, errlen = sizeof dummy;
	err[0] = 0;
	if (out)
		*out = NULL;
	if (!uris || !docs || !n || !out ||
	    (default_dialect != 4 && default_dialect != 6 && default_dialect != 7)) {
		snprintf(err, errlen, "invalid arguments");
		return OMH_ERROR;
	}
	struct omh_registry *r = registry_new();
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return OMH_ERROR;
	}
	struct loader L = {.r = r, .e = {.err = err, .errlen = errlen}};
	for (size_t i = 0; i < n; i++) {
		json_object *doc = docs[i];
		char uri[URI_MAX];
		if (!uris[i] || !has_scheme(uris[i]) || strlen(uris[i]) >= sizeof uri) {
			snprintf(err, errlen, "document %zu: the URI must be absolute", i);
			goto fail;
		}
		snprintf(uri, sizeof uri, "%s", uris[i]);
		strip_empty_fragment(uri);
		if (!json_object_is_type(doc, json_type_object) &&
		    !json_object_is_type(doc, json_type_boolean)) {
			snprintf(err, errlen, "%s: a schema must be an object or a boolean", uri);
			goto fail;
		}
		int isnew;
		struct entry *e = reg_add(r, uri, &isnew);
		if (!e || push_doc(r, json_object_get(doc)) < 0) {
			if (e)
				json_object_put(doc);
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (!isnew) {
			snprintf(err, errlen, "%s: registered twice", uri);
			goto fail;
		}
		e->js = e->doc = doc;
		e->dialect = dialect_of(doc, default_dialect);
		e->base = e->uri;
	}
	if (link_registry(&L) < 0)
		goto fail;
	*out = r;
	return OMH_OK;
fail:
	omh_registry_free(r);
	return OMH_ERROR;
}

size_t omh_registry_size(const struct omh_registry *r)
{
	return r ? r->n : 0;
}

/* Finds the compiled schema for an absolute URI (with optional JSON-pointer fragment). */
static const struct sch *find_schema(const struct omh_registry *r, const char *uri)
{
	if (!r)
		return NULL;
	struct entry *e = reg_find(r, uri);
	if (e)
		return e->compiled;
	size_t dlen = strcspn(uri, "#");
	char tmp[URI_MAX];
	if (dlen >= sizeof tmp)
		return NULL;
	snprintf(tmp, sizeof tmp, "%.*s", (int)dlen, uri);
	e = reg_find(r, tmp);
	if (!e || uri[dlen] != '#')
		return NULL;
	if (uri[dlen + 1] == 0)
		return e->compiled;
	char dec[URI_MAX];
	if (!pct_decode(uri + dlen + 1, dec, sizeof dec))
		return NULL;
	json_object *t = json_ptr_get(e->js, dec);
	return t ? memo_get(r, t) : NULL;
}

int omh_registry_has(const struct omh_registry *r, const char *uri)
{
	return uri && find_schema(r, uri) != NULL;
}

/* ------------------------------------------------------------------ validation */

#define MAX_PATH 32
#define MAX_RDEPTH 1000 /* nested schema applications (guards against $ref cycles) */
#define MAX_REF_HOPS 64 /* $ref to $ref chains */

enum {
	R_NONE,
	R_TYPE,
	R_ENUM,
	R_CONST,
	R_REQUIRED,
	R_ADDPROP,
	R_MINPROPS,
	R_MAXPROPS,
	R_DEPENDENCY,
	R_PROPNAME,
	R_ADDITEM,
	R_MINITEMS,
	R_MAXITEMS,
	R_UNIQUE,
	R_CONTAINS,
	R_MIN,
	R_EXMIN,
	R_MAX,
	R_EXMAX,
	R_MULTOF,
	R_MINLEN,
	R_MAXLEN,
	R_PATTERN,
	R_FORMAT,
	R_ANYOF,
	R_ONEOF_NONE,
	R_ONEOF_MANY,
	R_NOT,
	R_FALSE,
	R_DEPTH,
};

struct seg {
	const char *key; /* NULL: array index */
	size_t idx;
};

struct verr {
	int depth;
	int reason;
	const char *arg, *arg2;
	double num;
	int npath;
	struct seg path[MAX_PATH];
};

struct vctx {
	int depth;
	int rdepth;
	int has_err;
	const char *fatal_ref; /* unresolvable $ref reached */
	int fatal_depth;       /* recursion limit reached */
	struct verr err;
	struct seg path[MAX_PATH];
};

static int fail4(struct vctx *c, int reason, const char *arg, const char *arg2, double num)
{
	if (!c->has_err || c->depth > c->err.depth) {
		c->has_err = 1;
		c->err.depth = c->depth;
		c->err.reason = reason;
		c->err.arg = arg;
		c->err.arg2 = arg2;
		c->err.num = num;
		c->err.npath = c->depth < MAX_PATH ? c->depth : MAX_PATH;
		memcpy(c->err.path, c->path, (size_t)c->err.npath * sizeof c->path[0]);
	}
	return 0;
}

static int fail_with(struct vctx *c, int reason)
{
	return fail4(c, reason, NULL, NULL, 0);
}

static inline void push_key(struct vctx *c, const char *k)
{
	if (c->depth < MAX_PATH) {
		c->path[c->depth].key = k;
		c->path[c->depth].idx = 0;
	}
	c->depth++;
}

static inline void push_idx(struct vctx *c, size_t i)
{
	if (c->depth < MAX_PATH) {
		c->path[c->depth].key = NULL;
		c->path[c->depth].idx = i;
	}
	c->depth++;
}

static inline void pop(struct vctx *c)
{
	c->depth--;
}

static int inst_types(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		return T_NULL;
	case json_type_boolean:
		return T_BOOL;
	case json_type_int:
		return T_INT | T_NUM;
	case json_type_double: {
		double d = json_object_get_double(v);
		return isfinite(d) && d == floor(d) ? T_INT | T_NUM : T_NUM;
	}
	case json_type_string:
		return T_STR;
	case json_type_array:
		return T_ARR;
	case json_type_object:
		return T_OBJ;
	}
	return 0;
}

static int json_equal(json_object *a, json_object *b)
{
	enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
	int na = ta == json_type_int || ta == json_type_double,
	    nb = tb == json_type_int || tb == json_type_double;
	if (na && nb) {
		if (ta == json_type_int && tb == json_type_int)
			return json_object_get_int64(a) == json_object_get_int64(b) &&
			       json_object_get_uint64(a) == json_object_get_uint64(b);
		return json_object_get_double(a) == json_object_get_double(b);
	}
	if (ta != tb)
		return 0;
	switch (ta) {
	case json_type_null:
		return 1;
	case json_type_boolean:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	case json_type_string:
		return json_object_get_string_len(a) == json_object_get_string_len(b) &&
		       memcmp(json_object_get_string(a), json_object_get_string(b),
		              (size_t)json_object_get_string_len(a)) == 0;
	case json_type_array: {
		size_t n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return 0;
		for (size_t i = 0; i < n; i++)
			if (!json_equal(json_object_array_get_idx(a, i),
			                json_object_array_get_idx(b, i)))
				return 0;
		return 1;
	}
	case json_type_object: {
		if (json_object_object_length(a) != json_object_object_length(b))
			return 0;
		json_object_object_foreach(a, k, va)
		{
			json_object *vb;
			if (!json_object_object_get_ex(b, k, &vb) || !json_equal(va, vb))
				return 0;
		}
		return 1;
	}
	default:
		return 0;
	}
}

static int validate(const struct sch *s, json_object *v, struct vctx *c);

/* Error state saved around speculative evaluation (combinators, not, if, contains). */
struct saved {
	int had;
	struct verr err;
};

static inline void save_err(struct vctx *c, struct saved *sv)
{
	sv->had = c->has_err;
	if (sv->had)
		sv->err = c->err;
	c->has_err = 0;
}

static inline void restore_err(struct vctx *c, const struct saved *sv)
{
	c->has_err = sv->had;
	if (sv->had)
		c->err = sv->err;
}

/* After a failed anyOf/oneOf: keep the deepest branch error if it is below this value, else report
 * `reason` here; then merge with the error saved before (deeper wins). */
static int fail_combinator(struct vctx *c, const struct saved *sv, int reason)
{
	if (!c->has_err || c->err.depth <= c->depth) {
		c->has_err = 0;
		fail_with(c, reason);
	}
	if (sv->had && sv->err.depth > c->err.depth)
		c->err = sv->err;
	return 0;
}

static int validate_object(const struct sch *s, json_object *v, struct vctx *c)
{
	for (size_t i = 0; i < s->nreq; i++)
		if (!json_object_object_get_ex(v, s->req[i], NULL))
			return fail4(c, R_REQUIRED, s->req[i], NULL, 0);
	for (size_t i = 0; i < s->nprops; i++) {
		json_object *pv;
		if (json_object_object_get_ex(v, s->props[i].name, &pv)) {
			push_key(c, s->props[i].name);
			int ok = validate(s->props[i].s, pv, c);
			pop(c);
			if (!ok)
				return 0;
		}
	}
	if (s->npprops || (s->kw & KW_ADDPROPS)) {
		json_object_object_foreach(v, k, pv)
		{
			int matched =
			    s->props_obj && json_object_object_get_ex(s->props_obj, k, NULL);
			push_key(c, k);
			for (size_t i = 0; i < s->npprops; i++) {
				if (omh_re_search(s->pprops[i].re, k, strlen(k))) {
					matched = 1;
					if (!validate(s->pprops[i].s, pv, c)) {
						pop(c);
						return 0;
					}
				}
			}
			if (!matched && (s->kw & KW_ADDPROPS)) {
				if (s->addprops->kw == KW_FALSE) {
					fail_with(c, R_ADDPROP);
					pop(c);
					return 0;
				}
				if (!validate(s->addprops, pv, c)) {
					pop(c);
					return 0;
				}
			}
			pop(c);
		}
	}
	if (s->ndeps) {
		for (size_t i = 0; i < s->ndeps; i++) {
			const struct dep *dp = &s->deps[i];
			if (!json_object_object_get_ex(v, dp->name, NULL))
				continue;
			for (size_t j = 0; j < dp->nreq; j++)
				if (!json_object_object_get_ex(v, dp->req[j], NULL))
					return fail4(c, R_DEPENDENCY, dp->name, dp->req[j], 0);
			if (dp->s && !validate(dp->s, v, c))
				return 0;
		}
	}
	if (s->kw & (KW_MINPROPS | KW_MAXPROPS)) {
		int64_t n = json_object_object_length(v);
		if ((s->kw & KW_MINPROPS) && n < s->minprops)
			return fail4(c, R_MINPROPS, NULL, NULL, (double)s->minprops);
		if ((s->kw & KW_MAXPROPS) && n > s->maxprops)
			return fail4(c, R_MAXPROPS, NULL, NULL, (double)s->maxprops);
	}
	if (s->kw & KW_PROPNAMES) {
		json_object_object_foreach(v, k, pv)
		{
			(void)pv;
			json_object *ks = json_object_new_string(k);
			struct saved sv;
			save_err(c, &sv);
			int ok = ks && validate(s->propnames, ks, c);
			json_object_put(ks);
			restore_err(c, &sv);
			if (c->fatal_ref || c->fatal_depth)
				return 0;
			if (!ok)
				return fail4(c, R_PROPNAME, k, NULL, 0);
		}
	}
	return 1;
}

static int validate_array(const struct sch *s, json_object *v, struct vctx *c)
{
	size_t n = json_object_array_length(v);
	if ((s->kw & KW_MINITEMS) && (int64_t)n < s->minitems)
		return fail4(c, R_MINITEMS, NULL, NULL, (double)s->minitems);
	if ((s->kw & KW_MAXITEMS) && (int64_t)n > s->maxitems)
		return fail4(c, R_MAXITEMS, NULL, NULL, (double)s->maxitems);
	if (s->kw & KW_ITEMS) {
		for (size_t i = 0; i < n; i++) {
			const struct sch *is;
			if (!s->items_is_arr)
				is = s->items;
			else if (i < s->nitems_arr)
				is = s->items_arr[i];
			else if (s->kw & KW_ADDITEMS)
				is = s->additems;
			else
				break;
			push_idx(c, i);
			int ok =
			    is->kw == KW_FALSE
			        ? fail_with(c, s->items_is_arr && i >= s->nitems_arr ? R_ADDITEM
			                                                             : R_FALSE)
			        : validate(is, json_object_array_get_idx(v, i), c);
			pop(c);
			if (!ok)
				return 0;
		}
	}
	if (s->kw & KW_UNIQUE) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (json_equal(json_object_array_get_idx(v, i),
				               json_object_array_get_idx(v, j)))
					return fail_with(c, R_UNIQUE);
	}
	if (s->kw & KW_CONTAINS) {
		struct saved sv;
		save_err(c, &sv);
		int found = 0;
		for (size_t i = 0; i < n && !found; i++) {
			push_idx(c, i);
			found = validate(s->contains, json_object_array_get_idx(v, i), c);
			pop(c);
			if (c->fatal_ref || c->fatal_depth)
				return 0;
		}
		restore_err(c, &sv);
		if (!found)
			return fail_with(c, R_CONTAINS);
	}
	return 1;
}

static int validate_number(const struct sch *s, json_object *v, struct vctx *c)
{
	double d = json_object_get_double(v);
	if ((s->kw & KW_MINIMUM) && d < s->minimum)
		return fail4(c, R_MIN, NULL, NULL, s->minimum);
	if ((s->kw & KW_EXMIN) && d <= s->exmin)
		return fail4(c, R_EXMIN, NULL, NULL, s->exmin);
	if ((s->kw & KW_MAXIMUM) && d > s->maximum)
		return fail4(c, R_MAX, NULL, NULL, s->maximum);
	if ((s->kw & KW_EXMAX) && d >= s->exmax)
		return fail4(c, R_EXMAX, NULL, NULL, s->exmax);
	if (s->kw & KW_MULTOF) {
		int ok;
		if (json_object_is_type(v, json_type_int) && s->multof == floor(s->multof) &&
		    s->multof < 9e18)
			ok = json_object_get_int64(v) % (int64_t)s->multof == 0;
		else {
			double q = d / s->multof;
			ok = isfinite(q) && fabs(q - nearbyint(q)) <= 1e-9 * fmax(1.0, fabs(q));
		}
		if (!ok)
			return fail4(c, R_MULTOF, NULL, NULL, s->multof);
	}
	return 1;
}

static int validate_string(const struct sch *s, json_object *v, struct vctx *c)
{
	const char *str = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	if (s->kw & (KW_MINLEN | KW_MAXLEN)) {
		int64_t len = (int64_t)utf8_len(str, n);
		if ((s->kw & KW_MINLEN) && len < s->minlen)
			return fail4(c, R_MINLEN, NULL, NULL, (double)s->minlen);
		if ((s->kw & KW_MAXLEN) && len > s->maxlen)
			return fail4(c, R_MAXLEN, NULL, NULL, (double)s->maxlen);
	}
	if ((s->kw & KW_PATTERN) && !omh_re_search(s->pattern, str, n))
		return fail4(c, R_PATTERN, s->pattern_src, NULL, 0);
	if ((s->kw & KW_FORMAT) && s->format == FMT_DATE_TIME && !omh_is_date_time(str, n))
		return fail4(c, R_FORMAT, "date-time", NULL, 0);
	return 1;
}

static int validate_inner(const struct sch *s, json_object *v, struct vctx *c);

static int validate(const struct sch *s, json_object *v, struct vctx *c)
{
	if (c->fatal_ref || c->fatal_depth)
		return 0;
	int hops = 0;
	while (s->kw == KW_REF) {
		if (!s->ref) {
			c->fatal_ref = s->ref_uri;
			return 0;
		}
		s = s->ref;
		if (++hops > MAX_REF_HOPS) {
			c->fatal_depth = 1;
			return 0;
		}
	}
	if (s->kw == 0 && !s->nall && !s->nany && !s->none && !s->nprops && !s->nreq &&
	    !s->npprops && !s->ndeps)
		return 1; /* empty schema (also annotations only) */
	if (++c->rdepth > MAX_RDEPTH) {
		c->fatal_depth = 1;
		return 0;
	}
	int ok = validate_inner(s, v, c);
	c->rdepth--;
	return ok;
}

static int validate_inner(const struct sch *s, json_object *v, struct vctx *c)
{
	struct saved sv; /* one per frame: the speculative blocks below run one after the other */
	if (s->kw & KW_FALSE)
		return fail_with(c, R_FALSE);
	int t = inst_types(v);
	if ((s->kw & KW_TYPE) && !(t & s->types))
		return fail4(c, R_TYPE, NULL, NULL, (double)s->types);
	if ((s->kw & KW_ENUM)) {
		size_t n = json_object_array_length(s->enum_);
		size_t i;
		for (i = 0; i < n; i++)
			if (json_equal(v, json_object_array_get_idx(s->enum_, i)))
				break;
		if (i == n)
			return fail_with(c, R_ENUM);
	}
	if ((s->kw & KW_CONST) && !json_equal(v, s->const_))
		return fail_with(c, R_CONST);
	if (t & T_OBJ) {
		if (!validate_object(s, v, c))
			return 0;
	} else if (t & T_ARR) {
		if (!validate_array(s, v, c))
			return 0;
	} else if (t & T_NUM) {
		if ((s->kw & (KW_MINIMUM | KW_MAXIMUM | KW_EXMIN | KW_EXMAX | KW_MULTOF)) &&
		    !validate_number(s, v, c))
			return 0;
	} else if (t & T_STR) {
		if ((s->kw & (KW_MINLEN | KW_MAXLEN | KW_PATTERN | KW_FORMAT)) &&
		    !validate_string(s, v, c))
			return 0;
	}
	for (size_t i = 0; i < s->nall; i++)
		if (!validate(s->all[i], v, c))
			return 0;
	if (s->nany) {
		save_err(c, &sv);
		int ok = 0;
		for (size_t i = 0; i < s->nany && !ok; i++) {
			ok = validate(s->any[i], v, c);
			if (c->fatal_ref || c->fatal_depth)
				return 0;
		}
		if (!ok)
			return fail_combinator(c, &sv, R_ANYOF);
		restore_err(c, &sv);
	}
	if (s->none) {
		save_err(c, &sv);
		int count = 0;
		for (size_t i = 0; i < s->none && count < 2; i++) {
			count += validate(s->one[i], v, c);
			if (c->fatal_ref || c->fatal_depth)
				return 0;
		}
		if (count == 0)
			return fail_combinator(c, &sv, R_ONEOF_NONE);
		restore_err(c, &sv);
		if (count > 1)
			return fail_with(c, R_ONEOF_MANY);
	}
	if (s->kw & KW_NOT) {
		save_err(c, &sv);
		int ok = validate(s->not_, v, c);
		restore_err(c, &sv);
		if (c->fatal_ref || c->fatal_depth)
			return 0;
		if (ok)
			return fail_with(c, R_NOT);
	}
	if (s->kw & KW_IF) {
		save_err(c, &sv);
		int ok = validate(s->if_, v, c);
		restore_err(c, &sv);
		if (c->fatal_ref || c->fatal_depth)
			return 0;
		const struct sch *next = ok ? s->then_ : s->else_;
		if (next && !validate(next, v, c))
			return 0;
	}
	return 1;
}

/* ------------------------------------------------------------------ messages */

static size_t append_ptr(char *buf, size_t pos, size_t len, const char *prefix,
                         const struct verr *e)
{
	pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0, "%s", prefix);
	for (int i = 0; i < e->npath; i++) {
		if (pos < len)
			buf[pos] = '/';
		pos++;
		if (e->path[i].key) {
			for (const char *k = e->path[i].key; *k; k++) {
				const char *rep = *k == '~' ? "~0" : *k == '/' ? "~1" : NULL;
				if (rep)
					pos += (size_t)snprintf(
					    buf + pos, pos < len ? len - pos : 0, "%s", rep);
				else {
					if (pos < len)
						buf[pos] = *k;
					pos++;
				}
			}
		} else {
			pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0, "%zu",
			                        e->path[i].idx);
		}
	}
	if (pos == 0 || (e->npath == 0 && prefix[0] == 0)) {
		pos += (size_t)snprintf(buf + pos, pos < len ? len - pos : 0, "/");
	}
	if (pos < len)
		buf[pos] = 0;
	else if (len)
		buf[len - 1] = 0;
	return pos;
}

static void type_names(int mask, char *out, size_t len)
{
	static const char *names[] = {"null",   "boolean", "integer", "number",
	                              "string", "array",   "object"};
	size_t pos = 0;
	out[0] = 0;
	for (int i = 0; i < 7; i++) {
		if (mask & (1 << i)) {
			int n = snprintf(out + pos, len - pos, "%s%s", pos ? " or " : "", names[i]);
			if (n < 0 || (size_t)n >= len - pos)
				return;
			pos += (size_t)n;
		}
	}
}

/* The reason of a validation error, by its code; args: the values fmt takes (0: none, 'n':
 * e->num, 's': e->arg, '2': e->arg and e->arg2, 't': the names of the types in e->num). */
static const struct {
	const char *fmt;
	char args;
} reason_texts[R_DEPTH] = {
    [R_TYPE] = {"value is not of type %s", 't'},
    [R_ENUM] = {"value is not one of the allowed values", 0},
    [R_CONST] = {"value is not the required constant", 0},
    [R_REQUIRED] = {"required property '%.200s' is missing", 's'},
    [R_ADDPROP] = {"additional property is not allowed", 0},
    [R_MINPROPS] = {"object has fewer than %.15g properties", 'n'},
    [R_MAXPROPS] = {"object has more than %.15g properties", 'n'},
    [R_DEPENDENCY] = {"property '%.200s' requires property '%.200s'", '2'},
    [R_PROPNAME] = {"property name '%.200s' is not allowed", 's'},
    [R_ADDITEM] = {"additional item is not allowed", 0},
    [R_MINITEMS] = {"array has fewer than %.15g items", 'n'},
    [R_MAXITEMS] = {"array has more than %.15g items", 'n'},
    [R_UNIQUE] = {"array items are not unique", 0},
    [R_CONTAINS] = {"array does not contain a matching item", 0},
    [R_MIN] = {"value is less than the minimum %.15g", 'n'},
    [R_EXMIN] = {"value is not greater than %.15g", 'n'},
    [R_MAX] = {"value is greater than the maximum %.15g", 'n'},
    [R_EXMAX] = {"value is not less than %.15g", 'n'},
    [R_MULTOF] = {"value is not a multiple of %.15g", 'n'},
    [R_MINLEN] = {"string is shorter than %.15g characters", 'n'},
    [R_MAXLEN] = {"string is longer than %.15g characters", 'n'},
    [R_PATTERN] = {"string does not match the pattern %.200s", 's'},
    [R_FORMAT] = {"value is not a valid %s", 's'},
    [R_ANYOF] = {"value does not match any of the allowed schemas", 0},
    [R_ONEOF_NONE] = {"value does not match exactly one of the allowed schemas", 0},
    [R_ONEOF_MANY] = {"value matches more than one of the exclusive schemas", 0},
    [R_NOT] = {"value matches a schema it must not match", 0},
    [R_FALSE] = {"no value is allowed here", 0},
};

static void format_error(const struct vctx *c, const char *prefix, char *msg, size_t msglen)
{
	if (!msg || !msglen)
		return;
	if (c->fatal_ref) {
		snprintf(msg, msglen, "Unresolvable schema reference %s.", c->fatal_ref);
		return;
	}
	const struct verr *e = &c->err;
	char ptr[1024], reason[600], tn[80];
	if (c->fatal_depth) {
		snprintf(msg, msglen,
		         "Open mHealth validation failed at %s: schema recursion is too deep",
		         prefix[0] ? prefix : "/");
		return;
	}
	if (!c->has_err) {
		snprintf(msg, msglen, "Open mHealth validation failed at %s: value is invalid",
		         prefix[0] ? prefix : "/");
		return;
	}
	append_ptr(ptr, 0, sizeof ptr, prefix, e);
	const char *fmt = e->reason > R_NONE && e->reason < R_DEPTH && reason_texts[e->reason].fmt
	                      ? reason_texts[e->reason].fmt
	                      : "value is invalid";
	switch (e->reason > R_NONE && e->reason < R_DEPTH ? reason_texts[e->reason].args : 0) {
	case 'n':
		snprintf(reason, sizeof reason, fmt, e->num);
		break;
	case 's':
		snprintf(reason, sizeof reason, fmt, e->arg);
		break;
	case '2':
		snprintf(reason, sizeof reason, fmt, e->arg, e->arg2);
		break;
	case 't':
		type_names((int)e->num, tn, sizeof tn);
		snprintf(reason, sizeof reason, fmt, tn);
		break;
	default:
		snprintf(reason, sizeof reason, "%s", fmt);
	}
	snprintf(msg, msglen, "Open mHealth validation failed at %s: %s", ptr, reason);
}

/* Validates v against s; prefix is the pointer of v inside the reported document. */
static int run(const struct sch *s, json_object *v, const char *prefix, char *msg, size_t msglen)
{
	struct vctx c;
	c.depth = 0;
	c.rdepth = 0;
	c.err.npath = 0;
	c.err.depth = 0;
	c.has_err = 0;
	c.fatal_ref = NULL;
	c.fatal_depth = 0;
	if (validate(s, v, &c))
		return OMH_OK;
	format_error(&c, prefix, msg, msglen);
	return OMH_INVALID;
}

int omh_validate(const struct omh_registry *reg, const char *schema_uri, json_object *instance,
                 char *msg, size_t msglen)
{
	if (msg && msglen)
		msg[0] = 0;
	const struct sch *s = schema_uri ? find_schema(reg, schema_uri) : NULL;
	if (!s) {
		if (msg && msglen)
			snprintf(msg, msglen, "Unresolvable schema reference %s.",
			         schema_uri ? schema_uri : "(null)");
		return OMH_INVALID;
	}
	return run(s, instance, "", msg, msglen);
}

int omh_validate_data_point(const struct omh_registry *reg, const char *code, json_object *dp,
                            char *msg, size_t msglen)
{
	if (msg && msglen)
		msg[0] = 0;
	json_object *header, *body;
	if (!dp || !json_object_is_type(dp, json_type_object) ||
	    !json_object_object_get_ex(dp, "header", &header) ||
	    !json_object_is_type(header, json_type_object) ||
	    !json_object_object_get_ex(dp, "body", &body) ||
	    !json_object_is_type(body, json_type_object)) {
		if (msg && msglen)
			snprintf(msg, msglen,
			         "Open mHealth data point must have a header and a body.");
		return OMH_INVALID;
	}
	const struct sch *hs = find_schema(reg, OMH_HEADER_SCHEMA);
	if (!hs) {
		if (msg && msglen)
			snprintf(msg, msglen, "Unresolvable schema reference %s.",
			         OMH_HEADER_SCHEMA);
		return OMH_INVALID;
	}
	int rc = run(hs, header, "/header", msg, msglen);
	if (rc != OMH_OK)
		return rc;
	/* code -> schema URL */
	const struct sch *bs = NULL;
	const char *c1 = code ? strchr(code, ':') : NULL;
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c1 && c2 && !strchr(c2 + 1, ':') && c2 > c1 + 1 && c2[1] &&
	    !strpbrk(code, "/#?% \t\r\n")) {
		const char *base = NULL;
		if ((size_t)(c1 - code) == 3 && strncmp(code, "omh", 3) == 0)
			base = OMH_BASE_OMH;
		else if ((size_t)(c1 - code) == 4 && strncmp(code, "ieee", 4) == 0)
			base = OMH_BASE_IEEE;
		char url[512];
		if (base && (size_t)snprintf(url, sizeof url, "%s%.*s-%s.json", base,
		                             (int)(c2 - c1 - 1), c1 + 1, c2 + 1) < sizeof url)
			bs = find_schema(reg, url);
	}
	if (!bs) {
		if (msg && msglen)
			snprintf(msg, msglen, "No Open mHealth schema is available for code %s.",
			         code ? code : "");
		return OMH_INVALID;
	}
	return run(bs, body, "/body", msg, msglen);
}
