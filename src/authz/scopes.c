/* OAuth scope lists and SMART scopes (oauth.md §9, fhir.md §9): the one parser of a SMART
 * scope, the grant of a requested scope string, and the evaluation of a token's scopes. */
#include "authz/authz.h"

#include <string.h>

/* ---------- scope lists ---------- */

/* The next space-separated word of *s ([*start, returned end)); NULL at the end. */
static const char *next_word(const char **s, const char **start)
{
	const char *p = *s;
	while (*p == ' ')
		p++;
	if (!*p)
		return NULL;
	const char *e = p;
	while (*e && *e != ' ')
		e++;
	*start = p;
	*s = e;
	return e;
}

/* scope[0..n) is one of the space-separated scopes. */
static bool scope_has_n(const char *scopes, const char *scope, size_t n)
{
	const char *s = scopes, *w, *e;
	while ((e = next_word(&s, &w)))
		if ((size_t)(e - w) == n && !strncmp(w, scope, n))
			return true;
	return false;
}

bool authz_scope_has(const char *scopes, const char *scope)
{
	if (!scopes || !scope)
		return false;
	return scope_has_n(scopes, scope, strlen(scope));
}

bool authz_scope_subset(const char *sub, const char *super)
{
	const char *s = sub ? sub : "", *w, *e;
	/* compared in place: a scope of any length (a copy into a fixed buffer made every scope of
	 * 512 bytes or more "not granted", fuzz_scope) */
	while ((e = next_word(&s, &w)))
		if (!super || !scope_has_n(super, w, (size_t)(e - w)))
			return false;
	return true;
}

/* ---------- one SMART scope ---------- */

static const char *const smart_types[] = {"Observation",  "Patient",      "Group", "Device",
                                          "Organization", "Practitioner", "*",     NULL};

static bool smart_type_known(const char *type)
{
	for (int i = 0; smart_types[i]; i++)
		if (!strcmp(type, smart_types[i]))
			return true;
	return false;
}

/* The SMART_* bit of a v2 letter; 0 for any other character. */
static unsigned smart_bit(char letter)
{
	static const char order[] = "cruds";
	const char *f = letter ? strchr(order, letter) : NULL;
	return f ? 1u << (f - order) : 0;
}

/* v1 read|write|* or v2 letters of "cruds", each at most once and in that order. 0 when
 * invalid. */
static unsigned smart_perms(const char *perm)
{
	if (!strcmp(perm, "read"))
		return SMART_R | SMART_S;
	if (!strcmp(perm, "write"))
		return SMART_C | SMART_U | SMART_D;
	if (!strcmp(perm, "*"))
		return SMART_C | SMART_R | SMART_U | SMART_D | SMART_S;
	unsigned perms = 0;
	for (const char *p = perm; *p; p++) {
		unsigned b = smart_bit(*p);
		if (!b || b <= perms) /* unknown, repeated or out of order */
			return 0;
		perms |= b;
	}
	return perms;
}

/* "?code=<system>|<code>&..." (at least one, at most SMART_MAX_CODES; empty items skipped). */
static int smart_codes(struct arena *a, char *params, struct smart_scope *out)
{
	char *save = NULL;
	for (char *p = strtok_r(params, "&", &save); p; p = strtok_r(NULL, "&", &save)) {
		if (strncmp(p, "code=", 5) != 0 || !p[5])
			return -1;
		char *v = url_decode(a, p + 5, strlen(p + 5), false, true);
		char *bar = v ? strchr(v, '|') : NULL;
		if (!bar || out->n_codes >= SMART_MAX_CODES)
			return -1;
		*bar = 0;
		out->codes[out->n_codes++] = (struct fhir_tok){.system = v, .code = bar + 1};
	}
	return out->n_codes ? 0 : -1;
}

int authz_smart_parse(struct arena *a, const char *scope, size_t n, struct smart_scope *out)
{
	memset(out, 0, sizeof(*out));
	char *t = arena_strndup(a, scope, n);
	if (str_starts(t, "patient/"))
		out->context = 'p', t += 8;
	else if (str_starts(t, "user/"))
		out->context = 'u', t += 5;
	else if (str_starts(t, "system/"))
		out->context = 's', t += 7;
	else
		return -1;
	char *q = strchr(t, '?');
	if (q)
		*q++ = 0;
	/* the type ends at the first '.' (types contain none) */
	char *dot = strchr(t, '.');
	if (!dot)
		return -1;
	*dot = 0;
	if (!smart_type_known(t))
		return -1;
	out->type = t;
	out->perms = smart_perms(dot + 1);
	if (!out->perms)
		return -1;
	if (q && ((strcmp(t, "Observation") != 0 && strcmp(t, "*") != 0) || smart_codes(a, q, out)))
		return -1;
	return 0;
}

/* scope[0..n) names a SMART context: "patient/", "user/" or "system/". */
static bool smart_context(const char *scope, size_t n)
{
	return (n >= 8 && !strncmp(scope, "patient/", 8)) ||
	       (n >= 5 && !strncmp(scope, "user/", 5)) || (n >= 7 && !strncmp(scope, "system/", 7));
}

bool authz_token_has_smart_scopes(const struct principal *p)
{
	const char *s = p && p->scope ? p->scope : "", *w, *e;
	while ((e = next_word(&s, &w)))
		if (smart_context(w, (size_t)(e - w)))
			return true;
	return false;
}

/* ---------- granting (/o/authorize, /o/token) ---------- */

/* Does a grant of kind g keep scope t (*keep), or is t invalid (-1)? */
static int grant_one(struct arena *a, const char *t, enum scope_grant g, bool patient_user,
                     bool *keep)
{
	*keep = false;
	if (!strcmp(t, "openid") || !strcmp(t, "email") || !strcmp(t, "fhirUser")) {
		*keep = true;
		return 0;
	}
	if (!strcmp(t, "launch/patient")) {
		*keep = patient_user && g == SCOPE_GRANT_CODE;
		return 0;
	}
	if (!strcmp(t, "offline_access") || !strcmp(t, "online_access") || !strcmp(t, "profile") ||
	    !strcmp(t, "launch"))
		return 0; /* recognised, no effect */
	struct smart_scope sc;
	if (authz_smart_parse(a, t, strlen(t), &sc) != 0)
		return -1;
	if (g == SCOPE_GRANT_CODE && sc.context == 's')
		return -1;
	if (g == SCOPE_GRANT_CLIENT_CREDENTIALS && sc.context == 'p')
		return -1;
	*keep = true;
	return 0;
}

int authz_scope_grant(struct arena *a, const char *requested, enum scope_grant g, bool patient_user,
                      char **granted, const char **bad)
{
	*bad = NULL;
	if (!requested || !*requested) {
		*granted = arena_strdup(a, "openid email");
		return 0;
	}
	if (strlen(requested) > 4096) {
		*bad = "scope";
		return -1;
	}
	struct buf *b = buf_new(a, strlen(requested) + 1);
	char *copy = arena_strdup(a, requested);
	char *save = NULL;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		bool keep;
		if (grant_one(a, t, g, patient_user, &keep)) {
			*bad = t;
			return -1;
		}
		if (keep && !authz_scope_has(b->data, t)) {
			if (b->len)
				buf_putc(b, ' ');
			buf_puts(b, t);
		}
	}
	*granted = b->data;
	return 0;
}

/* ---------- evaluation per FHIR interaction ---------- */

#define GRANT_MAX_CODES 64

void authz_fhir_grant(struct arena *a, const struct principal *p, const char *type, char letter,
                      struct fhir_grant *g)
{
	memset(g, 0, sizeof(*g));
	bool any_resource = false, user_level = false, patient_level = false, unrestricted = false;
	int ncodes = 0;
	struct fhir_tok codes[GRANT_MAX_CODES];
	unsigned bit = smart_bit(letter);
	const char *s = p && p->scope ? p->scope : "", *w, *e;
	while ((e = next_word(&s, &w))) {
		size_t n = (size_t)(e - w);
		if (!smart_context(w, n))
			continue;
		/* a resource scope: the token is limited to what its resource scopes grant (one
		 * that does not parse grants nothing) */
		any_resource = true;
		struct smart_scope sc;
		if (authz_smart_parse(a, w, n, &sc) || !(sc.perms & bit) ||
		    (strcmp(sc.type, "*") != 0 && strcmp(sc.type, type) != 0) ||
		    (sc.context == 'p' && !p->patient_id))
			continue;
		if (sc.context == 'p')
			patient_level = true;
		else
			user_level = true;
		if (sc.n_codes == 0)
			unrestricted = true;
		for (int i = 0; i < sc.n_codes && ncodes < GRANT_MAX_CODES; i++)
			codes[ncodes++] = sc.codes[i];
	}
	if (!any_resource) {
		g->allowed = true;
		return;
	}
	g->allowed = patient_level || user_level;
	g->self_only = patient_level && !user_level;
	if (g->allowed && !unrestricted && !strcmp(type, "Observation") && ncodes > 0) {
		g->ncodes = ncodes;
		g->codes = arena_alloc(a, sizeof(*g->codes) * (size_t)ncodes);
		memcpy(g->codes, codes, sizeof(*g->codes) * (size_t)ncodes);
	}
}

bool authz_omh_system(const char *s)
{
	return s && (!strcmp(s, FHIR_SYS_OMH) || !strcmp(s, FHIR_SYS_IEEE));
}

bool fhir_grant_code_ok(const struct fhir_grant *g, const char *system, const char *code)
{
	if (g->ncodes == 0)
		return true;
	for (int i = 0; i < g->ncodes; i++) {
		const struct fhir_tok *t = &g->codes[i];
		if (strcmp(t->code, code) != 0)
			continue;
		if (!t->system || !*t->system || str_eq(t->system, system) ||
		    (authz_omh_system(t->system) && authz_omh_system(system)))
			return true;
	}
	return false;
}
