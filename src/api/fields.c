/* Shared request-field helpers of the Admin API (see fields.h). */
#include "api/fields.h"

#include <ctype.h>
#include <string.h>

bool api_in(const char *k, const char *const *list)
{
	for (int i = 0; list && list[i]; i++)
		if (strcmp(k, list[i]) == 0)
			return true;
	return false;
}

json_object *api_body(struct request *r)
{
	if (r->json_body_cache)
		return r->json_body_cache;
	struct kvlist form = {0};
	if (req_form_body(r, &form)) {
		json_object *o = arena_json(r->arena, json_object_new_object());
		for (size_t i = 0; i < form.n; i++)
			json_object_object_add(o, camel_to_snake(r->arena, form.items[i].key),
			                       json_object_new_string(form.items[i].value));
		r->json_body_cache = o;
		return o;
	}
	bool blank = true;
	for (size_t i = 0; i < r->body_len; i++)
		if (!isspace((unsigned char)r->body[i]))
			blank = false;
	if (blank) {
		/* still refuse unsupported media types */
		const char *ct = r->content_type;
		if (ct && *ct && strncasecmp(ct, "application/json", 16) != 0)
			return api_body_object(r);
		json_object *o = arena_json(r->arena, json_object_new_object());
		r->json_body_cache = o;
		return o;
	}
	return api_body_object(r);
}

bool api_text(struct request *r, struct field_errors *fe, json_object *body, const char *key,
              bool required, bool blank_ok, bool null_ok, size_t maxlen, const char **out)
{
	json_object *v;
	if (!json_object_object_get_ex(body, key, &v)) {
		if (required)
			fe_add(r, fe, key, "This field is required.");
		return false;
	}
	if (v == NULL) {
		if (!null_ok) {
			fe_add(r, fe, key, "This field may not be null.");
			return false;
		}
		*out = NULL;
		return true;
	}
	if (!json_object_is_type(v, json_type_string)) {
		fe_add(r, fe, key, "Not a valid string.");
		return false;
	}
	const char *s = json_object_get_string(v);
	bool is_blank = true;
	for (const char *c = s; *c; c++)
		if (!isspace((unsigned char)*c))
			is_blank = false;
	if (is_blank && !blank_ok) {
		fe_add(r, fe, key, "This field may not be blank.");
		return false;
	}
	if (maxlen && utf8_len(s, strlen(s)) > maxlen) {
		fe_add(r, fe, key,
		       arena_printf(r->arena, "Ensure this field has no more than %zu characters.",
		                    maxlen));
		return false;
	}
	*out = s;
	return true;
}

bool api_id(struct request *r, struct field_errors *fe, json_object *body, const char *key,
            bool required, int64_t *out)
{
	json_object *v;
	bool has = json_object_object_get_ex(body, key, &v);
	if (!has || (v == NULL && required)) {
		if (required)
			fe_add(r, fe, key, "This field is required.");
		return false;
	}
	bool present;
	return fe_int(r, fe, body, key, out, &present);
}

void api_invalid_pk(struct request *r, struct field_errors *fe, const char *key, int64_t id)
{
	fe_add(
	    r, fe, key,
	    arena_printf(r->arena, "Invalid pk \"%lld\" - object does not exist.", (long long)id));
}

int api_default_orgs(struct request *r, int64_t practitioner_id)
{
	struct err e = {0};
	const char *v = store_setting_text(r->arena, "auth.default_orgs", &e);
	if (e.kind)
		return fail_err(r, &e);
	if (!v)
		return 0;
	char *copy = arena_strdup(r->arena, v);
	char *save = NULL;
	for (char *item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		while (*item == ' ')
			item++;
		if (!*item)
			continue;
		char *colon = strchr(item, ':');
		int64_t org = 0;
		if (colon)
			*colon = 0;
		const char *role = colon ? colon + 1 : NULL;
		if (!colon || !str_to_i64(item, &org) || org <= 0)
			return fail_msg400(r,
			                   arena_printf(r->arena,
			                                "Setting auth.default_orgs is invalid: "
			                                "\"%s\" is not <organization id>:<role>.",
			                                item));
		if (strcmp(role, "member") && strcmp(role, "manager") && strcmp(role, "viewer"))
			return fail_msg400(r, arena_printf(r->arena,
			                                   "Setting auth.default_orgs is invalid: "
			                                   "\"%s\" is not a valid role.",
			                                   role));
		int ex = store_row_exists(r->arena, "organization", org, &e);
		if (ex < 0)
			return fail_err(r, &e);
		if (!ex)
			return fail_msg400(r, arena_printf(r->arena,
			                                   "Setting auth.default_orgs is invalid: "
			                                   "organization %lld does not exist.",
			                                   (long long)org));
		if (store_membership_add_missing(r->arena, org, practitioner_id, role, &e))
			return fail_err(r, &e);
	}
	return 0;
}
