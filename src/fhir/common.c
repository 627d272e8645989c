/* FHIR common pieces: resource type names, media types (fhir.md §1.3), times, OperationOutcome
 * bodies, audit rows and SMART scope narrowing (§9). */
#include "fhir/local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const type_names[FT_COUNT] = {"Observation", "Patient",      "Group",
                                                 "Device",      "Organization", "Practitioner"};

enum fhir_rtype fhir_type_parse(const char *s)
{
	for (int i = 0; i < FT_COUNT; i++)
		if (s && strcmp(s, type_names[i]) == 0)
			return (enum fhir_rtype)i;
	return FT_NONE;
}

const char *fhir_type_name(enum fhir_rtype t)
{
	return t >= 0 && t < FT_COUNT ? type_names[t] : "?";
}

struct fhir_ctx {
	bool fhir_json;
};

static struct fhir_ctx *ctx(struct request *r)
{
	if (!r->ctx)
		r->ctx = arena_alloc(r->arena, sizeof(struct fhir_ctx));
	return r->ctx;
}

static bool range_is(const char *s, size_t n, const char *t)
{
	return strlen(t) == n && strncasecmp(s, t, n) == 0;
}

int fhir_negotiate(struct request *r)
{
	struct fhir_ctx *c = ctx(r);
	const char *fmt = req_param(r, "_format");
	if (fmt) {
		if (!strcmp(fmt, "json") || !strcmp(fmt, "application/json")) {
			c->fhir_json = false;
			return 0;
		}
		if (!strcmp(fmt, "fhir+json") || !strcmp(fmt, "application/fhir+json") ||
		    !strcmp(fmt, "fhir json") || !strcmp(fmt, "application/fhir json")) {
			c->fhir_json = true;
			return 0;
		}
		fhir_fail(r, ERR_BAD_REQUEST, "not-supported",
		          arena_printf(r->arena, "Unsupported _format '%s'.", fmt));
		r->err.status = 406;
		return -1;
	}
	const char *acc = req_header(r, "Accept");
	if (!acc || !*acc)
		return 0;
	bool json = false;
	const char *p = acc;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *start = p;
		while (*p && *p != ',' && *p != ';')
			p++;
		const char *end = p;
		while (end > start && end[-1] == ' ')
			end--;
		size_t n = (size_t)(end - start);
		if (range_is(start, n, "application/fhir+json")) {
			json = true;
			c->fhir_json = true;
		} else if (range_is(start, n, "application/json") ||
		           range_is(start, n, "application/*") || range_is(start, n, "*/*")) {
			json = true;
		}
		while (*p && *p != ',')
			p++;
	}
	if (!json) {
		fhir_fail(r, ERR_BAD_REQUEST, "not-supported",
		          "The Accept header admits no JSON media type.");
		r->err.status = 406;
		return -1;
	}
	return 0;
}

void fhir_respond(struct request *r, int status, struct buf *body)
{
	bool fj = r->ctx && ((struct fhir_ctx *)r->ctx)->fhir_json;
	resp_body(r, status, fj ? "application/fhir+json" : "application/json", body);
}

const char *fhir_base(struct request *r)
{
	return arena_printf(r->arena, "%s%s", r->origin,
	                    r->fhir_prefix ? r->fhir_prefix : "/FHIR/R5");
}

void fhir_pg_time(const char *pg, char *out)
{
	usec_t t = 0;
	if (!pg || db_parse_time(pg, &t) != 0) {
		strcpy(out, pg ? pg : "");
		return;
	}
	time_format(t, out);
}

char *fhir_http_date(struct arena *a, const char *pg)
{
	usec_t t = 0;
	if (!pg || db_parse_time(pg, &t) != 0)
		return NULL;
	time_t s = (time_t)(t / 1000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	char *out = arena_alloc(a, 40);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return out;
}

int fhir_fail(struct request *r, enum err_kind kind, const char *code, const char *msg)
{
	fail_with(r, kind, msg);
	r->err.code = code;
	return -1;
}

int fhir_store_fail(struct request *r, const struct err *e)
{
	return fail_err(r, e);
}

int fhir_audit(struct request *r, const char *action, const char *type, const char *id,
               int64_t patient_id, int outcome, const char *detail)
{
	struct audit_row row;
	req_audit_row(r, &row, action, type, id, patient_id, outcome, detail);
	struct err e = {0};
	if (store_audit_insert(r->arena, &row, !db_in_transaction(), &e))
		return fhir_store_fail(r, &e);
	return 0;
}

/* ---------- SMART scopes ---------- */

struct scope {
	char ctx;         /* 'p' patient, 'u' user, 's' system */
	const char *type; /* "*" or a type name */
	char perms[8];
	int ncodes;
	struct fhir_tok codes[8];
};

static bool parse_scope(struct arena *a, const char *tok, size_t n, struct scope *s)
{
	char *t = arena_strndup(a, tok, n);
	memset(s, 0, sizeof(*s));
	if (str_starts(t, "patient/"))
		s->ctx = 'p', t += 8;
	else if (str_starts(t, "user/"))
		s->ctx = 'u', t += 5;
	else if (str_starts(t, "system/"))
		s->ctx = 's', t += 7;
	else
		return false;
	char *q = strchr(t, '?');
	if (q)
		*q++ = 0;
	char *dot = strrchr(t, '.');
	if (!dot)
		return false;
	*dot = 0;
	s->type = t;
	const char *perm = dot + 1;
	if (!strcmp(perm, "read"))
		strcpy(s->perms, "rs");
	else if (!strcmp(perm, "write"))
		strcpy(s->perms, "cud");
	else if (!strcmp(perm, "*"))
		strcpy(s->perms, "cruds");
	else
		snprintf(s->perms, sizeof(s->perms), "%s", perm);
	while (q && *q) {
		char *amp = strchr(q, '&');
		if (amp)
			*amp = 0;
		if (str_starts(q, "code=") && s->ncodes < 8) {
			char *v = url_decode(a, q + 5, strlen(q + 5), false, false);
			fhir_parse_token(a, v, &s->codes[s->ncodes++]);
		}
		q = amp ? amp + 1 : NULL;
	}
	return true;
}

void fhir_scope_eval(struct request *r, enum fhir_rtype t, char letter, struct fhir_grant *g)
{
	memset(g, 0, sizeof(*g));
	const struct principal *p = r->principal;
	if (!p || !p->scope) {
		g->allowed = true;
		return;
	}
	bool any_resource = false, user_level = false, patient_level = false, unrestricted = false;
	int ncodes = 0;
	struct fhir_tok codes[64];
	const char *s = p->scope;
	while (*s) {
		while (*s == ' ')
			s++;
		const char *e = s;
		while (*e && *e != ' ')
			e++;
		struct scope sc;
		if (e > s && parse_scope(r->arena, s, (size_t)(e - s), &sc)) {
			any_resource = true;
			bool type_ok = !strcmp(sc.type, "*") || !strcmp(sc.type, fhir_type_name(t));
			if (type_ok && strchr(sc.perms, letter)) {
				bool usable = sc.ctx != 'p' || p->patient_id != 0;
				if (usable) {
					if (sc.ctx == 'p')
						patient_level = true;
					else
						user_level = true;
					if (sc.ncodes == 0)
						unrestricted = true;
					for (int i = 0; i < sc.ncodes && ncodes < 64; i++)
						codes[ncodes++] = sc.codes[i];
				}
			}
		}
		s = e;
	}
	if (!any_resource) {
		g->allowed = true;
		return;
	}
	g->allowed = patient_level || user_level;
	g->self_only = patient_level && !user_level;
	if (g->allowed && !unrestricted && t == FT_OBSERVATION && ncodes > 0) {
		g->ncodes = ncodes;
		g->codes = arena_alloc(r->arena, sizeof(*g->codes) * (size_t)ncodes);
		memcpy(g->codes, codes, sizeof(*g->codes) * (size_t)ncodes);
	}
}

int fhir_scope_fail(struct request *r, const char *interaction, enum fhir_rtype t)
{
	if (fhir_audit(r, "access.denied", fhir_type_name(t), NULL, 0, 403, NULL))
		return -1;
	fhir_fail(r, ERR_FORBIDDEN, "forbidden",
	          arena_printf(r->arena, "The token's scopes do not permit %s on %s.", interaction,
	                       fhir_type_name(t)));
	r->err.www_authenticate = FHIR_INSUFFICIENT_SCOPE;
	return -1;
}

static bool omh_system(const char *s)
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
		    (omh_system(t->system) && omh_system(system)))
			return true;
	}
	return false;
}
