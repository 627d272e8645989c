/* Key casing of the Admin API (conventions.md §2). */
#include "http/http.h"

#include <ctype.h>
#include <string.h>

static const char *IGNORE[] = {"response_type",
                               "client_id",
                               "redirect_uri",
                               "code_challenge",
                               "code_challenge_method",
                               "grant_type",
                               "code_verifier",
                               "token_endpoint",
                               NULL};

char *snake_to_camel(struct arena *a, const char *key)
{
	for (int i = 0; IGNORE[i]; i++)
		if (strcmp(key, IGNORE[i]) == 0)
			return arena_strdup(a, key);
	size_t n = strlen(key);
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		char next = key[i + 1];
		if (c == '_' && ((next >= 'a' && next <= 'z') || (next >= '0' && next <= '9'))) {
			out[o++] = (char)toupper((unsigned char)next);
			i++;
		} else {
			out[o++] = c;
		}
	}
	out[o] = 0;
	return out;
}

char *camel_to_snake(struct arena *a, const char *key)
{
	size_t n = strlen(key);
	char *out = arena_alloc(a, n * 2 + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		if (isupper((unsigned char)c) && i > 0) {
			char prev = key[i - 1];
			char next = key[i + 1];
			bool after_lower =
			    islower((unsigned char)prev) || isdigit((unsigned char)prev);
			bool before_lower = next && islower((unsigned char)next);
			if (after_lower || before_lower)
				out[o++] = '_';
		}
		out[o++] = (char)tolower((unsigned char)c);
	}
	out[o] = 0;
	return out;
}

static bool needs_snake(const char *k)
{
	for (const char *p = k; *p; p++)
		if (isupper((unsigned char)*p))
			return true;
	return false;
}

json_object *json_keys_to_snake(json_object *o)
{
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++)
			json_keys_to_snake(json_object_array_get_idx(o, i));
		return o;
	}
	if (!json_object_is_type(o, json_type_object))
		return o;
	bool any = false;
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		if (needs_snake(k))
			any = true;
	}
	if (!any) {
		json_object_object_foreach(o, k2, v2)
		{
			(void)k2;
			json_keys_to_snake(v2);
		}
		return o;
	}
	/* rebuild in order with renamed keys (json-c keeps insertion order) */
	struct arena *tmp = arena_new();
	json_object *n = json_object_new_object();
	json_object_object_foreach(o, k3, v3)
	{
		const char *nk = needs_snake(k3) ? camel_to_snake(tmp, k3) : k3;
		json_object_object_add(n, nk, json_object_get(v3));
		json_keys_to_snake(v3);
	}
	arena_free(tmp);
	/* move n's members into o so the caller's pointer stays valid */
	struct arena *keys = arena_new();
	size_t cnt = 0;
	json_object_object_foreach(o, k4, v4)
	{
		(void)v4;
		(void)k4;
		cnt++;
	}
	char **names = arena_alloc(keys, (cnt + 1) * sizeof(char *));
	size_t i = 0;
	json_object_object_foreach(o, k5, v5)
	{
		(void)v5;
		names[i++] = arena_strdup(keys, k5);
	}
	for (i = 0; i < cnt; i++)
		json_object_object_del(o, names[i]);
	arena_free(keys);
	json_object_object_foreach(n, k6, v6)
	{
		json_object_object_add(o, k6, json_object_get(v6));
	}
	json_object_put(n);
	return o;
}
