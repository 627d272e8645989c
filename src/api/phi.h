/*
 * Admin API helpers for requests on patient data (patients, consents, study enrolments,
 * observations): helpers shared by src/api/patients.c, consents.c, study_patients.c and
 * observations.c, defined in src/api/phi.c. Mainly the audit discipline of data-model.md §7 for
 * requests that touch patient data:
 *   - writes: phi_audit() inside the transaction, before db_commit();
 *   - reads: phi_audit() after the response is built (own transaction, async commit);
 *   - failures: phi_fail() rolls back, then writes the row of the attempted action with the
 *     error's status, or access.denied for 401/403.
 */
#ifndef JHE_API_PHI_H
#define JHE_API_PHI_H

#include "api/api.h"
#include "store/store.h"

struct phi_audit {
	const char *action;        /* read, search, create, update, delete */
	const char *resource_type; /* Patient, Consent, StudyPatient, Observation, ... */
	const char *resource_id;   /* NULL when none */
	int64_t patient_id;        /* 0 when not exactly one */
	const char *detail;        /* JSON or NULL */
};

/* r->err is set: roll back, write the audit row of the failure, return -1. */
int phi_fail(struct request *r, const struct phi_audit *au);
/* fail_with + phi_fail in one call. */
int phi_deny(struct request *r, const struct phi_audit *au, enum err_kind kind, const char *msg);
/* A 400 with a bare array of one sentence, audited. */
int phi_fail400(struct request *r, const struct phi_audit *au, const char *msg);
/* The audit row of a successful request (outcome status): for a write inside its open
 * transaction, before db_commit(); for a read after the response is built. 0 or -1. */
int phi_audit(struct request *r, const struct phi_audit *au, int status);
/* {"query": "<query string>", "count": rows, "patientIds": [...]} */
const char *phi_search_detail(struct request *r, const struct phi_page *pg);
/* An integer id filter: 0 absent, 1 present (an explicit 0 becomes -1, which names no row),
 * -1 on a non-integer (r->err set). */
int phi_param_id(struct request *r, const char *snake_key, int64_t *out);
/* The JSON body, syntax checked (415/400, "Expected a JSON object."): *out NULL for an empty
 * body. 0 or -1 with r->err set (not audited). */
int phi_body(struct request *r, json_object **out);
/* The id as decimal text. */
const char *phi_id(struct request *r, int64_t id);
/* JSON type name as DRF reports it ("dict", "str", "int", ...). */
const char *phi_json_type(json_object *v);

/* ---------- shared endings ---------- */
/* A store call failed (*e): its error, rolled back and audited (phi_fail). */
int phi_fail_err(struct request *r, const struct phi_audit *au, const struct err *e);
/* The end of a read: 200 with json (the store's error when NULL), then the read's audit row. */
int phi_read_reply(struct request *r, const struct phi_audit *au, const char *json,
                   const struct err *e);
/* The end of a write in its transaction: the audit row with status, then commit. 0 or -1. */
int phi_commit(struct request *r, const struct phi_audit *au, int status, struct err *e);
/* phi_commit, then answer status without a body. */
int phi_commit_empty(struct request *r, const struct phi_audit *au, int status, struct err *e);
/* Reads one page of rows matching filter (size rows from offset) into *res. 0 or -1 (*e). */
typedef int (*phi_page_fn)(struct request *r, const void *filter, int64_t size, int64_t offset,
                           struct phi_page *res, struct err *e);
/* A paged search: fetch pg (again when page=last moves the offset), answer the paging envelope,
 * then the search row of au (its detail, and its patient when the rows name exactly one). */
int phi_list(struct request *r, struct phi_audit *au, struct page *pg, phi_page_fn fetch,
             const void *filter);
/* A filtered search of patient data (patients, observations): the filter's patient (> 0) is the
 * audit row's, page/pageSize (default 20), a practitioner's organization/study selection
 * remembered, then phi_list. */
int phi_search(struct request *r, struct phi_audit *au, int64_t patient, int64_t org, int64_t study,
               phi_page_fn fetch, const void *filter);

#endif
