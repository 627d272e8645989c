/* Internal interfaces of the FHIR layer (src/fhir/). */
#ifndef JHE_FHIR_LOCAL_H
#define JHE_FHIR_LOCAL_H

#include "authz/authz.h"
#include "fhir/fhir.h"
#include "omh/omh.h"
#include "store/store.h"

/* Identifiers per Observation (doc/robustness.md "Cost bounds"). */
#define FHIR_MAX_IDENTIFIERS 100
/* The largest _page (as the Admin API's page): (page - 1) * 1000 stays far inside int64. */
#define FHIR_MAX_PAGE 1000000000
#define FHIR_SOURCE "https://jupyterhealth.org/jhe"
#define FHIR_SYS_USER_ID "https://jupyterhealth.org/fhir/identifier/jhe-user-id"

extern struct omh_registry *fhir_omh;

/* ---------- common.c ---------- */
enum fhir_rtype fhir_type_parse(const char *s);
const char *fhir_type_name(enum fhir_rtype t);
/* 406 check (Accept / _format); remembers whether to answer application/fhir+json. */
int fhir_negotiate(struct request *r);
/* Respond with the negotiated content type. */
void fhir_respond(struct request *r, int status, struct buf *body);
/* "<origin><prefix>" as the client spelled the prefix. */
const char *fhir_base(struct request *r);
/* PostgreSQL timestamptz text ("2026-08-21 15:26:13.1234+00") -> FHIR instant (out >= 40). */
void fhir_pg_time(const char *pg, char *out);
/* HTTP date (Last-Modified) of a PostgreSQL timestamptz text. */
char *fhir_http_date(struct arena *a, const char *pg);
/* Fail with a specific FHIR issue code. */
int fhir_fail(struct request *r, enum err_kind kind, const char *code, const char *msg);
/* Audit row of this request (reads async after the work; inside a transaction when open). */
int fhir_audit(struct request *r, const char *action, const char *type, const char *id,
               int64_t patient_id, int outcome, const char *detail);
/* Keep a store error. Returns -1. */
int fhir_store_fail(struct request *r, const struct err *e);

/* ---------- SMART scopes (common.c; the rules are authz's) ---------- */
/* authz_fhir_grant of the request's principal for (type, letter 'c'|'r'|'s'). */
void fhir_scope_eval(struct request *r, enum fhir_rtype t, char letter, struct fhir_grant *g);
/* 403 insufficient_scope for interaction ("read", "search", "create") on type. */
int fhir_scope_fail(struct request *r, const char *interaction, enum fhir_rtype t);
/* The start of a read ('r'), search ('s') or create ('c') of type t: fhir_negotiate (406), then
 * fhir_scope_eval into g and fhir_scope_fail (-1) when the scopes forbid the interaction. */
int fhir_begin(struct request *r, enum fhir_rtype t, char letter, struct fhir_grant *g);
/* The challenge of a 403 for missing SMART scopes. */
#define FHIR_INSUFFICIENT_SCOPE "Bearer realm=\"api\", error=\"insufficient_scope\""

/* ---------- params.c (pure) ---------- */
/* Date value with optional prefix. 0 ok, -1 unparsable, -2 unsupported prefix (*bad_prefix). */
int fhir_parse_date(const char *raw, struct fhir_date *out, char bad_prefix[3]);
/* Token "system|code", "code", "|code". */
void fhir_parse_token(struct arena *a, const char *raw, struct fhir_tok *out);
/* Reference "40001" or "<Type>/40001" -> id; -1 when neither form. */
int64_t fhir_parse_ref(const char *raw, const char *type);
/* _count: default 20, max 1000, invalid -> 20. */
int64_t fhir_parse_count(const char *raw);
/* _page: 1-based; 0 = last; -1 invalid. */
int64_t fhir_parse_page(const char *raw);
/* Split a comma list (empty items dropped). Returns count; items in arena. */
int fhir_split(struct arena *a, const char *raw, const char ***out);

/* ---------- cursor.c (pure) ---------- */
struct fhir_cursor {
	int64_t page;  /* the page this cursor leads to */
	int64_t total; /* -1: not computed */
	char digest[33];
	int nvals;
	const char *vals[FHIR_MAX_KEYVALS];
	int64_t id;
};
char *fhir_cursor_encode(struct arena *a, const struct fhir_cursor *c, const unsigned char *key,
                         size_t keylen);
/* 0 ok, -1 bad (format or tag). */
int fhir_cursor_decode(struct arena *a, const char *s, struct fhir_cursor *c,
                       const unsigned char *key, size_t keylen);

/* ---------- resources.c ---------- */
/* Write the Observation of result row i (columns from base) with jw (fhir.md §2.2). */
/* The Observation of result rows row .. row + nrows - 1 (nrows > 1 only for the flat rows of an
 * observation with several identifiers, store.h). */
void fhir_obs_write(struct jw *w, const struct db_result *res, int row, int nrows, int base);

/* ---------- search.c / read.c / create.c / bundle.c / capability.c ---------- */
int fhir_search(struct request *r);
int fhir_search_post(struct request *r);
int fhir_read(struct request *r);
int fhir_vread(struct request *r);
int fhir_create(struct request *r);
int fhir_bundle(struct request *r);
int fhir_metadata(struct request *r);

/* Create pipeline shared by single create and Bundles (create.c). */
struct fhir_entry {
	/* input */
	json_object *resource;
	const char *if_none_exist; /* header or request.ifNoneExist */
	/* result */
	int status;       /* HTTP status of the entry (0 = pending) */
	const char *code; /* FHIR issue code for failures */
	const char *msg;  /* diagnostics */
	int64_t patient_id;
	int64_t id;               /* created or matched observation */
	const char *last_updated; /* pg text */
	const char *system, *codestr;
	const char *status_str;
	int64_t device_id;
	struct omh_times times;
	/* private */
	void *priv;
};
/* r->err from a failed entry (status, issue code, diagnostics). Returns -1. */
int fhir_entry_fail(struct request *r, const struct fhir_entry *x);
/* Runs the checks of fhir.md §3.2/§3.4 and inserts the valid entries (one statement). g: what
 * the token's SMART scopes grant for Observation creates (fhir_scope_eval, evaluated once by the
 * caller). With transaction=true nothing is inserted when one entry fails (*failed = its index).
 * Returns -1 with r->err set on a database failure. */
int fhir_create_entries(struct request *r, const struct fhir_grant *g, struct fhir_entry *ents,
                        int n, bool transaction, int *failed);

#endif
