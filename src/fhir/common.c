/* FHIR common pieces: resource type names, media types (fhir.md §1.3), times, OperationOutcome
 * bodies, audit rows and the answer to SMART scopes (§9; authz decides them). */
#include "fhir/local.h"

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

void fhir_scope_eval(struct request *r, enum fhir_rtype t, char letter, struct fhir_grant *g)
{
	authz_fhir_grant(r->arena, r->principal, fhir_type_name(t), letter, g);
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

int fhir_begin(struct request *r, enum fhir_rtype t, char letter, struct fhir_grant *g)
{
	if (fhir_negotiate(r))
		return -1;
	fhir_scope_eval(r, t, letter, g);
	if (g->allowed)
		return 0;
	return fhir_scope_fail(r, letter == 'c' ? "create" : letter == 's' ? "search" : "read", t);
}
