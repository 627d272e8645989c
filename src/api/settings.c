/* /api/v1/jhe_settings (admin-api.md §15): superuser only. */
#include "api/fields.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *NF_SET = "No JheSetting matches the given query.";
static const char *const TYPES[] = {"string", "int", "bool", "float", "json", NULL};

/* Types of the known keys (data-model.md §5.5). */
static const char *known_type(const char *key)
{
	static const char *const k[][2] = {
	    {"site.url", "string"},
	    {"site.ui.title", "string"},
	    {"site.time_zone", "string"},
	    {"site.registration_invite_code", "string"},
	    {"auth.default_orgs", "string"},
	    {"auth.sso.saml2", "int"},
	    {"auth.sso.valid_domains", "string"},
	    {"auth.patient.invitation_expiration_days", "int"},
	    {"auth.patient.invitation_redemption_window_hours", "int"},
	    {"auth.patient_access_clients", "json"},
	    {"auth.sof.trusted_issuers", "json"},
	    {"auth.sof.trusted_audience", "string"},
	    {"module.ow", "bool"},
	    {"ow.sync_in_progress", "string"},
	    {"ow.api_url", "string"},
	    {"ow.api_key", "string"},
	};
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (!strcmp(key, k[i][0]))
			return k[i][1];
	return NULL;
}

static int set_list(struct request *r)
{
	if (api_require_superuser(r))
		return -1;
	API_LIST(r, 1000, store_setting_list(r->arena, pg_.offset, pg_.size, &count_, &e_));
}

static int set_get(struct request *r)
{
	return api_get_json(r, api_superuser_check, store_setting_json);
}

/* The body's "value" without key normalization (json settings are opaque). */
static json_object *raw_value(struct request *r, json_object *body)
{
	json_object *v = NULL;
	json_object_object_get_ex(body, "value", &v);
	if (!v || !r->body_len ||
	    (r->content_type && !strncasecmp(r->content_type, "application/x-www-form", 22)))
		return v;
	char err[64];
	bool deep;
	json_object *raw = json_parse(r->arena, r->body, r->body_len, err, sizeof(err), &deep);
	json_object *rv = NULL;
	if (raw && json_object_object_get_ex(raw, "value", &rv))
		return rv;
	return v;
}

static bool bool_word(const char *s, bool *out)
{
	static const char *const t[] = {"true", "1", "yes", "y", "on", NULL};
	static const char *const f[] = {"false", "0", "no", "n", "off", NULL};
	for (int i = 0; t[i]; i++)
		if (!strcasecmp(s, t[i])) {
			*out = true;
			return true;
		}
	for (int i = 0; f[i]; i++)
		if (!strcasecmp(s, f[i])) {
			*out = false;
			return true;
		}
	return false;
}

/* Coerce v to the text stored for type; NULL with fe set on failure. */
static const char *coerce(struct request *r, struct field_errors *fe, const char *type,
                          json_object *v)
{
	enum json_type jt = v ? json_object_get_type(v) : json_type_null;
	if (!strcmp(type, "json"))
		return v ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : "null";
	if (!strcmp(type, "string")) {
		if (jt == json_type_null)
			return "";
		if (jt == json_type_string)
			return json_object_get_string(v);
		if (jt == json_type_object || jt == json_type_array) {
			fe_add(r, fe, "value", "Not a valid string.");
			return NULL;
		}
		return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
	}
	if (!strcmp(type, "int")) {
		int64_t n;
		if ((jt == json_type_int && json_as_int(v, &n)) ||
		    (jt == json_type_string && str_to_i64(json_object_get_string(v), &n)))
			return arena_printf(r->arena, "%lld", (long long)n);
		fe_add(r, fe, "value", "A valid integer is required.");
		return NULL;
	}
	if (!strcmp(type, "float")) {
		if (jt == json_type_int || jt == json_type_double)
			return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		if (jt == json_type_string) {
			const char *s = json_object_get_string(v);
			char *end;
			errno = 0;
			double d = strtod(s, &end);
			while (*end && isspace((unsigned char)*end))
				end++;
			if (*s && !*end && !errno && isfinite(d))
				return arena_printf(r->arena, "%.17g", d);
		}
		fe_add(r, fe, "value", "A valid number is required.");
		return NULL;
	}
	/* bool */
	bool b;
	if (jt == json_type_boolean)
		return json_object_get_boolean(v) ? "true" : "false";
	if (jt == json_type_int) {
		int64_t n;
		if (json_as_int(v, &n) && (n == 0 || n == 1))
			return n ? "true" : "false";
	}
	if (jt == json_type_string && bool_word(json_object_get_string(v), &b))
		return b ? "true" : "false";
	fe_add(r, fe, "value", "Must be a valid boolean.");
	return NULL;
}

/* Validation of the known keys' values; may rewrite *value (site.url without trailing /). */
static void known_value(struct request *r, struct field_errors *fe, const char *key,
                        const char **value)
{
	const char *v = *value;
	if (!strcmp(key, "site.url")) {
		size_t n = strlen(v);
		while (n && v[n - 1] == '/')
			n--;
		char *u = arena_strndup(r->arena, v, n);
		const char *rest = str_starts(u, "https://")  ? u + 8
		                   : str_starts(u, "http://") ? u + 7
		                                              : NULL;
		if (!rest || !*rest || *rest == '/' || strchr(u, ' ') || strchr(u, '#') ||
		    strchr(u, '?'))
			fe_add(r, fe, "value", "site.url must be an absolute http or https URL.");
		else
			*value = u;
	} else if (!strcmp(key, "auth.default_orgs")) {
		char *copy = arena_strdup(r->arena, v), *save = NULL;
		for (char *it = strtok_r(copy, ";", &save); it; it = strtok_r(NULL, ";", &save)) {
			char *colon = strchr(it, ':');
			int64_t org;
			struct err e = {0};
			if (colon)
				*colon = 0;
			if (!colon || !str_to_i64(it, &org) || org <= 0 ||
			    (strcmp(colon + 1, "member") && strcmp(colon + 1, "manager") &&
			     strcmp(colon + 1, "viewer"))) {
				fe_add(
				    r, fe, "value",
				    "auth.default_orgs must be empty or <organization id>:<role> "
				    "separated by ;.");
				return;
			}
			if (store_row_exists(r->arena, "organization", org, &e) != 1) {
				fe_add(r, fe, "value",
				       arena_printf(r->arena, "Organization %lld does not exist.",
				                    (long long)org));
				return;
			}
		}
	} else if (!strcmp(key, "auth.patient.invitation_expiration_days") ||
	           !strcmp(key, "auth.patient.invitation_redemption_window_hours")) {
		bool days = strstr(key, "days") != NULL;
		int64_t n = 0;
		str_to_i64(v, &n);
		if (days ? (n < 1 || n > 365) : (n < 0 || n > 720))
			fe_add(r, fe, "value",
			       days ? "Must be an integer from 1 to 365."
			            : "Must be an integer from 0 to 720.");
	}
}

static int set_write(struct request *r, int64_t id)
{
	static const char *const fields[] = {"key", "value_type", "value", NULL};
	static const char *const ro[] = {"id", "resolved_value", "last_updated", NULL};
	json_object *body = api_superuser_body(r);
	if (!body)
		return -1;
	bool put = strcmp(r->method, "PUT") == 0, create = id == 0;
	struct setting_row cur = {0};
	struct err e = {0};
	if (!create && api_found(r, store_setting_get(r->arena, id, &cur, &e), &e, NF_SET))
		return -1;
	bool all = create || put;
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, fields, ro);
	const char *key = NULL, *type = NULL;
	bool has_key = api_text(r, &fe, body, "key", all, false, false, 0, &key);
	bool has_type = false;
	const char *t = NULL;
	if (api_text(r, &fe, body, "value_type", all, false, false, 0, &t)) {
		if (!api_in(t, TYPES))
			fe_add(r, &fe, "value_type",
			       arena_printf(r->arena, "\"%s\" is not a valid choice.", t));
		else {
			type = t;
			has_type = true;
		}
	}
	bool has_value = json_object_object_get_ex(body, "value", NULL);
	if (!has_value && all)
		fe_add(r, &fe, "value", "This field is required.");
	if (!has_value && !all && has_type && strcmp(type, cur.value_type))
		fe_add(r, &fe, "value", "Required when changing valueType.");
	const char *eff_key = has_key ? key : cur.key;
	const char *eff_type = has_type ? type : cur.value_type;
	if (has_key && key) {
		int taken = store_setting_key_taken(r->arena, key, id, &e);
		if (taken < 0)
			return fail_err(r, &e);
		if (taken)
			fe_add(r, &fe, "key", "jhe setting with this key already exists.");
	}
	const char *kt = eff_key ? known_type(eff_key) : NULL;
	if (kt && eff_type && strcmp(kt, eff_type) && (has_key || has_type))
		fe_add(r, &fe, "value_type",
		       arena_printf(r->arena, "%s must be %s %s.", eff_key,
		                    !strcmp(kt, "int") ? "an" : "a", kt));
	const char *value = cur.value_text;
	if (has_value && eff_type && api_in(eff_type, TYPES)) {
		value = coerce(r, &fe, eff_type, raw_value(r, body));
		if (value && eff_key && !fe_any(&fe))
			known_value(r, &fe, eff_key, &value);
	}
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	int64_t out_id = id;
	if (db_begin(&e) || store_setting_save(r->arena, id, eff_key, eff_type, value, &out_id, &e))
		return fail_err(r, &e);
	if (!create && !strcmp(eff_key, "site.url") && !strcmp(cur.key, "site.url") &&
	    cur.value_text && value && strcmp(cur.value_text, value) &&
	    store_site_url_rewrite(r->arena, cur.value_text, value, &e))
		return fail_err(r, &e);
	return api_commit_reply(r, create ? 201 : 200, store_setting_json(r->arena, out_id, &e),
	                        &e);
}

static int set_create(struct request *r)
{
	return set_write(r, 0);
}

static int set_update(struct request *r)
{
	return set_write(r, req_path_id(r, "id"));
}

/* The superuser (403), then the setting {id} (404). */
static int set_exists(struct request *r, int64_t id)
{
	if (api_require_superuser(r))
		return -1;
	struct setting_row cur;
	struct err e = {0};
	return api_found(r, store_setting_get(r->arena, id, &cur, &e), &e, NF_SET);
}

static int set_delete(struct request *r)
{
	return api_delete(r, set_exists, store_setting_delete);
}

const struct route api_settings_routes[] = {
    {"GET", "/api/v1/jhe_settings", set_list, ROUTE_AUTH},
    {"POST", "/api/v1/jhe_settings", set_create, ROUTE_AUTH},
    {"GET", "/api/v1/jhe_settings/{id}", set_get, ROUTE_AUTH},
    {"PUT", "/api/v1/jhe_settings/{id}", set_update, ROUTE_AUTH},
    {"PATCH", "/api/v1/jhe_settings/{id}", set_update, ROUTE_AUTH},
    {"DELETE", "/api/v1/jhe_settings/{id}", set_delete, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
