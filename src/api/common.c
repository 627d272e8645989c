/* Shared Admin API mechanics: query keys in either casing, paging envelope, field errors. */
#include "api/api.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const char *api_param(struct request *r, const char *snake_key, const char **spelled)
{
	const char *val = NULL;
	for (size_t i = 0; i < r->params.n; i++) {
		const char *k = r->params.items[i].key;
		if (strcmp(k, snake_key) == 0 ||
		    strcmp(camel_to_snake(r->arena, k), snake_key) == 0) {
			val = r->params.items[i].value;
			if (spelled)
				*spelled = k;
		}
	}
	return val;
}

int api_param_id(struct request *r, const char *snake_key, int64_t *out)
{
	const char *spelled = snake_key;
	const char *v = api_param(r, snake_key, &spelled);
	if (!v)
		return 0;
	if (!str_to_i64(v, out)) {
		struct buf *b = buf_new(r->arena, 64);
		const char *msg = arena_printf(r->arena, "%s must be an integer.", spelled);
		buf_putc(b, '[');
		json_escape(b, msg, strlen(msg));
		buf_putc(b, ']');
		fail_body(r, ERR_BAD_REQUEST, b->data);
		return -1;
	}
	return 1;
}

int api_page_parse(struct request *r, int64_t default_size, struct page *pg)
{
	memset(pg, 0, sizeof(*pg));
	pg->size = default_size;
	const char *ps = api_param(r, "page_size", NULL);
	int64_t v;
	if (ps && str_to_i64(ps, &v) && v > 0)
		pg->size = v > 1000 ? 1000 : v;
	const char *p = api_param(r, "page", NULL);
	pg->page = 1;
	if (p) {
		if (strcmp(p, "last") == 0) {
			pg->last = true;
		} else if (!str_to_i64(p, &v) || v < 1 || v > 1000000000) {
			return fail_with(r, ERR_NOT_FOUND, "Invalid page.");
		} else {
			pg->page = v;
		}
	}
	pg->offset = (pg->page - 1) * pg->size;
	return 0;
}

int api_page_check(struct request *r, struct page *pg, int64_t count)
{
	int64_t pages = count == 0 ? 1 : (count + pg->size - 1) / pg->size;
	if (pg->last)
		pg->page = pages;
	if (pg->page > pages)
		return fail_with(r, ERR_NOT_FOUND, "Invalid page.");
	pg->offset = (pg->page - 1) * pg->size;
	return 0;
}

void api_page_respond(struct request *r, const struct page *pg, int64_t count,
                      const char *results_json)
{
	int64_t pages = count == 0 ? 1 : (count + pg->size - 1) / pg->size;
	struct buf *b = buf_new(r->arena, strlen(results_json) + 256);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	jw_kint(&w, "count", count);
	jw_key(&w, "next");
	if (pg->page < pages)
		jw_str(&w, page_link(r, pg->page + 1));
	else
		jw_null(&w);
	jw_key(&w, "previous");
	if (pg->page > 1)
		jw_str(&w, page_link(r, pg->page - 1 == 1 ? 0 : pg->page - 1));
	else
		jw_null(&w);
	jw_kraw(&w, "results", results_json);
	jw_obj_end(&w);
	resp_json(r, 200, b);
}

void fe_add(struct request *r, struct field_errors *fe, const char *field, const char *msg)
{
	if (kv_get(&fe->list, field))
		return;
	kv_add(r->arena, &fe->list, field, msg);
}

bool fe_any(const struct field_errors *fe)
{
	return fe->list.n > 0;
}

int fe_fail(struct request *r, const struct field_errors *fe)
{
	struct buf *b = buf_new(r->arena, 128);
	struct jw w;
	jw_init(&w, b);
	jw_obj_begin(&w);
	for (size_t i = 0; i < fe->list.n; i++) {
		jw_key(&w, snake_to_camel(r->arena, fe->list.items[i].key));
		jw_arr_begin(&w);
		jw_str(&w, fe->list.items[i].value);
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	return fail_body(r, ERR_BAD_REQUEST, arena_strdup(r->arena, b->data));
}

int fail_msg400(struct request *r, const char *msg)
{
	struct buf *b = buf_new(r->arena, 64 + strlen(msg));
	buf_putc(b, '[');
	json_escape(b, msg, strlen(msg));
	buf_putc(b, ']');
	fail_body(r, ERR_BAD_REQUEST, arena_strdup(r->arena, b->data));
	r->err.msg = msg;
	return -1;
}

json_object *api_body_object(struct request *r)
{
	json_object *o = req_json_body(r, false);
	if (!o) {
		if (r->err.kind == ERR_NONE)
			fail_msg400(r, "Expected a JSON object.");
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		fail_msg400(r, "Expected a JSON object.");
		return NULL;
	}
	return o;
}

static bool in_list(const char *k, const char *const *list)
{
	for (int i = 0; list && list[i]; i++)
		if (strcmp(k, list[i]) == 0)
			return true;
	return false;
}

void fe_unknown_keys(struct request *r, struct field_errors *fe, json_object *body,
                     const char *const *allowed, const char *const *ignored)
{
	json_object_object_foreach(body, k, v)
	{
		(void)v;
		if (!in_list(k, allowed) && !in_list(k, ignored))
			fe_add(r, fe, k, "Unknown field.");
	}
}

bool fe_string(struct request *r, struct field_errors *fe, json_object *body, const char *key,
               const char **out, bool *present)
{
	json_object *v;
	bool has = json_object_object_get_ex(body, key, &v);
	if (present)
		*present = has;
	if (!has)
		return false;
	if (v == NULL) {
		*out = NULL;
		return true;
	}
	if (!json_object_is_type(v, json_type_string)) {
		fe_add(r, fe, key, "Not a valid string.");
		return false;
	}
	*out = json_object_get_string(v);
	return true;
}

bool fe_int(struct request *r, struct field_errors *fe, json_object *body, const char *key,
            int64_t *out, bool *present)
{
	json_object *v;
	bool has = json_object_object_get_ex(body, key, &v);
	if (present)
		*present = has;
	if (!has)
		return false;
	if (v && json_object_is_type(v, json_type_string) &&
	    str_to_i64(json_object_get_string(v), out))
		return true; /* form bodies and lenient clients send numbers as strings */
	if (!v || json_object_is_type(v, json_type_boolean) || !json_as_int(v, out)) {
		fe_add(r, fe, key, "A valid integer is required.");
		return false;
	}
	return true;
}

bool fe_bool(struct request *r, struct field_errors *fe, json_object *body, const char *key,
             bool *out, bool *present)
{
	json_object *v;
	bool has = json_object_object_get_ex(body, key, &v);
	if (present)
		*present = has;
	if (!has)
		return false;
	if (v && json_object_is_type(v, json_type_boolean)) {
		*out = json_object_get_boolean(v);
		return true;
	}
	if (v && json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "1")) {
			*out = true;
			return true;
		}
		if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "0")) {
			*out = false;
			return true;
		}
	}
	fe_add(r, fe, key, "Must be a valid boolean.");
	return false;
}

int api_require_practitioner(struct request *r, const char *detail)
{
	if (authz_staff(r->principal))
		return 0;
	return fail_with(r, ERR_FORBIDDEN,
	                 detail ? detail : "You do not have permission to perform this action.");
}

int api_require_superuser(struct request *r)
{
	if (authz_superuser(r->principal))
		return 0;
	return fail_with(r, ERR_FORBIDDEN, "You do not have permission to perform this action.");
}

/* Email addresses (the one validator of every endpoint): Django's rules, simplified. */
static bool email_local_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~-", c))
			continue;
		if (c == '.' && s[i + 1] != '.')
			continue;
		return false;
	}
	return true;
}

static bool email_domain_ok(const char *s, size_t n)
{
	if (n == 9 && strncasecmp(s, "localhost", 9) == 0)
		return true;
	if (n == 0 || n > 253)
		return false;
	size_t label = 0, labels = 0, last_start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
				return false;
			labels++;
			last_start = i - label;
			label = 0;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '-')
			return false;
		label++;
	}
	if (labels < 2)
		return false;
	/* the top-level label: letters only, at least two */
	size_t tl = n - last_start;
	if (tl < 2)
		return false;
	for (size_t i = last_start; i < n; i++)
		if (!isalpha((unsigned char)s[i]))
			return false;
	return true;
}

const char *api_email(struct request *r, const char *in, bool *empty)
{
	*empty = false;
	if (!in) {
		*empty = true;
		return NULL;
	}
	while (*in == ' ' || *in == '\t' || *in == '\n' || *in == '\r')
		in++;
	size_t n = strlen(in);
	while (n &&
	       (in[n - 1] == ' ' || in[n - 1] == '\t' || in[n - 1] == '\n' || in[n - 1] == '\r'))
		n--;
	if (n == 0) {
		*empty = true;
		return NULL;
	}
	if (n > 254)
		return NULL;
	char *s = arena_strndup(r->arena, in, n);
	char *at = strrchr(s, '@');
	if (!at || !email_local_ok(s, (size_t)(at - s)) || !email_domain_ok(at + 1, strlen(at + 1)))
		return NULL;
	for (char *p = at + 1; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}
