/* store: FHIR search, read and create statements (store/fhir_search.c, fhir_create.c, fhir_util.c;
 * fhir.md). */
#ifndef JHE_STORE_FHIR_H
#define JHE_STORE_FHIR_H

#include "store/db.h"

/* n ids of one kind named by a request. */
struct id_list {
	const int64_t *v;
	int n;
};

enum fhir_rtype {
	FT_NONE = -1,
	FT_OBSERVATION = 0,
	FT_PATIENT,
	FT_GROUP,
	FT_DEVICE,
	FT_ORGANIZATION,
	FT_PRACTITIONER,
	FT_COUNT
};

/* One value of a token parameter: system NULL or "" = any system. */
struct fhir_tok {
	const char *system;
	const char *code;
};
/* One value of a date parameter (fhir.md §5.5): [lo, hi) in microseconds; instant: lo == hi. */
enum fhir_date_op { FD_EQ, FD_NE, FD_GT, FD_GE, FD_LT, FD_LE };
struct fhir_date {
	enum fhir_date_op op;
	bool instant;
	usec_t lo, hi;
};
enum fhir_filter_kind {
	FF_ID,            /* ids */
	FF_LASTUPDATED,   /* dates */
	FF_PATIENT,       /* ids */
	FF_STUDY,         /* ids */
	FF_ORG,           /* ids */
	FF_PATIENT_IDENT, /* toks */
	FF_IDENT,         /* toks */
	FF_CODE,          /* toks */
	FF_DATE,          /* dates (Observation effective_at) */
	FF_STATUS,        /* toks (code only) */
	FF_DEVICE,        /* ids */
	FF_NAME,          /* strs: family or given (Patient, Practitioner) / name */
	FF_FAMILY,        /* strs */
	FF_GIVEN,         /* strs */
	FF_BIRTHDATE,     /* dates */
	FF_TYPE,          /* toks (code only) */
	FF_PARTOF,        /* ids */
};
/* One occurrence of a parameter (repetitions AND), its comma list (values OR). */
struct fhir_filter {
	enum fhir_filter_kind kind;
	int n;
	int64_t *ids; /* -1 for a value that names no row */
	struct fhir_tok *toks;
	const char **strs;
	struct fhir_date *dates;
};
enum fhir_sort_field { FS_ID, FS_LASTUPDATED, FS_DATE, FS_NAME, FS_FAMILY, FS_GIVEN, FS_BIRTHDATE };
struct fhir_sort_key {
	enum fhir_sort_field field;
	bool desc;
};
#define FHIR_MAX_SORT 6
#define FHIR_MAX_KEYVALS 8
struct fhir_query {
	enum fhir_rtype type;
	int64_t user_id;
	bool self_only; /* SMART patient/ compartment: only the caller's patient view */
	/* Observation: > 0 replaces the visibility rule by "every observation of this patient"
	 * (answers to creates, whose access was checked by the create rules) */
	int64_t any_of_patient;
	/* a read by id (the one FF_ID filter, one id): a shape that checks visibility for that row
	 * only, no sort values (FHIR read, fhir.md §6) */
	bool read_by_id;
	/* with read_by_id outside a transaction: the read's audit row, written by the same
	 * statement (synchronous_commit off, as store_audit_insert async); its outcome is the
	 * status when the row is found, 404 otherwise; its patient is the row's */
	const struct audit_row *read_audit;
	bool read_audited; /* out: the statement wrote read_audit */
	struct fhir_filter *filters;
	int nfilters;
	struct fhir_sort_key sort[FHIR_MAX_SORT];
	int nsort;
	/* SMART code restriction on Observations (n == 0: none) */
	struct fhir_tok *scope_codes;
	int nscope_codes;
	int64_t limit;  /* rows to fetch (page size + 1 to detect a next page) */
	int64_t offset; /* offset paging (no cursor) */
	bool want_total;
	bool count_only;
	/* keyset cursor: the sort values and id of the last row of the previous page */
	bool has_cursor;
	int ncur;
	const char *cur_vals[FHIR_MAX_KEYVALS];
	int64_t cur_id;
	/* out: number of sort values per row (columns FHIR_COL_SORT ...) */
	int nvals;
};
/* Result columns of store_fhir_search (one row per resource, in order):
 * 0 total (NULL unless want_total), 1 id, 2..9 sort values as text (for cursors),
 * FHIR_COL_RES...: the resource: Observation columns FOC_* (relative), other types one json.
 * Observation pages (not reads, not count_only) are "flat": one row per (observation,
 * identifier) — an observation with k > 1 identifiers has k consecutive rows differing only in
 * FOC_IDENT_SYSTEM/FOC_IDENT_VALUE, in identifier order — and FOC_IDENTIFIERS is NULL; a join
 * is cheaper than aggregating each row's identifiers into JSON (a third of a 1,000-entry
 * page's statement). Other shapes have one row per observation and FOC_IDENT_* NULL. */
#define FHIR_COL_TOTAL 0
#define FHIR_COL_ID 1
#define FHIR_COL_SORT 2
#define FHIR_COL_RES 10
enum fhir_obs_col {
	FOC_ID = 0,
	FOC_LAST_UPDATED, /* timestamptz text */
	FOC_STATUS,
	FOC_PATIENT_ID,
	FOC_USER_ID, /* NULL when the patient has no user */
	FOC_SYSTEM,
	FOC_CODE,
	FOC_DISPLAY,
	FOC_EFF_DT, /* timestamptz text or NULL */
	FOC_EFF_START,
	FOC_EFF_END,
	FOC_DEVICE_ID,    /* NULL when none */
	FOC_IDENTIFIERS,  /* json array text or NULL */
	FOC_OMH,          /* omh_data::text */
	FOC_IDENT_SYSTEM, /* flat rows: one identifier ('' = no system), NULL when none */
	FOC_IDENT_VALUE,
	FOC_NCOLS
};
/* Search (and read, as _id) with the visibility rules of fhir.md §8 in one statement. With
 * count_only the single row has the total in column 0. */
struct db_result *store_fhir_search(struct arena *a, struct fhir_query *q, struct err *e);

/* Location parameter checks (fhir.md §8.2) for a practitioner caller: returns 0 when every id
 * is accessible, else 1 and the first refused (kind 'P' patient, 'O' organization, 'G' study)
 * in *kind / *id. */
int store_fhir_location_check(struct arena *a, int64_t user_id, struct id_list patients,
                              struct id_list orgs, struct id_list studies, char *kind, int64_t *id,
                              struct err *e);

/* What one Observation create asks the database (fhir.md §3.2): its subject, device, code,
 * identifiers, and an If-None-Exist value without a system. */
struct fhir_create_ask {
	int64_t patient_id;
	int64_t device_id; /* 0 = none */
	const char *code;  /* the first coding's code; NULL = none */
	int nident;
	const char **ident_sys, **ident_val;
	const char *any_value; /* If-None-Exist value of any system; NULL = none */
};
/* A subject patient that exists. */
struct fhir_patient_fact {
	int64_t id;
	bool own;     /* the caller's own patient record */
	bool managed; /* the caller manages the patient (organization membership) */
};
/* A data source that exists. */
struct fhir_device_fact {
	int64_t id;
	const char *type;
};
/* An Open mHealth or IEEE 1752 code (codeable concept) of a requested code. */
struct fhir_code_fact {
	int64_t scope_id;
	const char *code, *system;
};
/* A (patient, code) pair the patient consented to for at least one study. */
struct fhir_consent_fact {
	int64_t patient_id;
	const char *code;
};
/* A stored observation holding a requested identifier. */
struct fhir_ident_fact {
	int64_t observation_id;
	int64_t patient_id;
	bool visible; /* the caller may read the observation */
	const char *system, *value, *last_updated;
};
/* Everything the create checks of a Bundle need, from one statement. */
struct fhir_create_facts {
	int npatients, ndevices, ncodes, nconsents, nidents, nvalues;
	struct fhir_patient_fact *patients;
	struct fhir_device_fact *devices;
	struct fhir_code_fact *codes;
	struct fhir_consent_fact *consents;
	struct fhir_ident_fact *idents; /* (system, value) pairs of the asks' identifiers */
	struct fhir_ident_fact *values; /* identifiers with an asked any_value, any system */
};
/* The facts for n asks of the caller user_id, in one statement. 0 ok, -1 with e set. */
int store_fhir_create_facts(struct arena *a, int64_t user_id, int n,
                            const struct fhir_create_ask *asks, struct fhir_create_facts *out,
                            struct err *e);

/* One Observation to insert (array form; see store_fhir_obs_insert). */
struct fhir_obs_new {
	int ord;
	int64_t patient_id;
	int64_t scope_id;
	int64_t data_source_id; /* 0 = NULL */
	const char *status;
	const char *omh_json;
	const char *eff_dt, *eff_start, *eff_end; /* RFC 3339 or NULL */
	int nident;
	const char **ident_sys;
	const char **ident_val;
	int race_status; /* audit outcome if the insert loses an identifier race (409 / 200) */
};
/* An audit row of a Bundle entry that is not inserted (failure, conditional match). */
struct fhir_entry_audit {
	const char *action;
	int outcome;
	int64_t patient_id;
	const char *resource_id;
};
/* The outcome of one inserted row. */
struct fhir_obs_created {
	int ord;
	int64_t id;               /* 0: skipped, it lost an identifier race */
	const char *last_updated; /* pg text */
};
/* store_fhir_obs_insert lost part of an identifier race: nothing was written; decide again. */
#define STORE_FHIR_IDENT_RACE 1
/* Insert the rows in ONE statement: identifiers with ON CONFLICT DO NOTHING, an observation only
 * when all its identifiers were inserted (per-entry atomicity), one audit row per inserted entry
 * and the given other audit rows. out[0..n) in ord order. 0 ok; STORE_FHIR_IDENT_RACE when an
 * entry with several identifiers won only some of them (the statement failed, e set); -1 with e
 * set. */
int store_fhir_obs_insert(struct arena *a, const struct audit_row *who, int n,
                          const struct fhir_obs_new *rows, int nother,
                          const struct fhir_entry_audit *other, struct fhir_obs_created *out,
                          struct err *e);
/* Audit rows of Bundle entries in one statement (outside the data transaction). */
int store_fhir_audit_many(struct arena *a, const struct audit_row *who, int n,
                          const struct fhir_entry_audit *rows, struct err *e);
/* X-JHE-Remember-View (fhir.md §13): practitioner setting current_fhir_resource. */
int store_fhir_remember_view(struct arena *a, int64_t user_id, const char *value, struct err *e);

#endif
