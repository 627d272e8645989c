/*
 * store-internal: the shapes of a statement's answer, so that each store function says only
 * what differs (its statement and its parameters):
 *
 *     static struct db_stmt q_ds_delete = DB_STMT("DELETE FROM data_source WHERE id = $1");
 *
 *     int store_data_source_delete(struct arena *a, int64_t id, struct err *e)
 *     {
 *         return store_exec(a, &q_ds_delete, DB_PARAMS(db_i64(a, id)), e);
 *     }
 *
 * Included by the .c files of src/store only; the layer's callers include store/store.h.
 */
#ifndef JHE_STORE_QUERY_H
#define JHE_STORE_QUERY_H

#include "store/store.h"

/* The parameters of a statement as the (count, array) pair that db_query and the helpers below
 * take: DB_PARAMS(db_i64(a, id), name) is `2, (const char *const[]){db_i64(a, id), name}`.
 * (sizeof does not evaluate its operand: each parameter is computed once.) */
#define DB_PARAMS(...)                                                                             \
	(int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)),                  \
	    (const char *const[])                                                                  \
	{                                                                                          \
		__VA_ARGS__                                                                        \
	}

/* Run a statement for its effect: 0, or -1 with e set. */
int store_exec(struct arena *a, struct db_stmt *st, int n, const char *const *p, struct err *e);
/* Run a statement that changes rows of one object: 0 when it changed one or more, 1 when none
 * (no such object), -1 with e set. */
int store_exec_found(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                     struct err *e);
/* The first row of the answer: 0 with *r set when there is one, 1 when there is none, -1 with
 * e set. */
int store_row(struct arena *a, struct db_stmt *st, int n, const char *const *p,
              struct db_result **r, struct err *e);
/* The one row of a lookup by a secret's digest (one parameter, the digest), whose column col
 * holds the stored digest: 0 with *r set when it is there and equal (constant time), 1 when
 * not, -1 with e set. */
int store_row_by_digest(struct arena *a, struct db_stmt *st, const unsigned char digest[32],
                        int col, struct db_result **r, struct err *e);
/* First column of the first row as a boolean: 1 true, 0 false or no row, -1 with e set. */
int store_bool(struct arena *a, struct db_stmt *st, int n, const char *const *p, struct err *e);
/* First column of the first row as an integer: 0 found, 1 no row / NULL, -1 with e set. */
int store_i64(struct arena *a, struct db_stmt *st, int n, const char *const *p, int64_t *out,
              struct err *e);
/* First column of the first row as an integer, for statements that return the id of the row they
 * wrote: the id, 0 when no row, -1 with e set. */
int64_t store_id(struct arena *a, struct db_stmt *st, int n, const char *const *p, struct err *e);
/* First column of the first row as text copied into the arena; NULL when there is no row, the
 * value is NULL, or with e set on an error. */
const char *store_text(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                       struct err *e);
/* First column of the first row as JSON (minified); no row or NULL -> ERR_NOT_FOUND with the
 * message nf ("Not found." when NULL). */
char *store_json(struct arena *a, struct db_stmt *st, int n, const char *const *p, const char *nf,
                 struct err *e);
/* First column of the first row as JSON (minified) for statements that always answer one row
 * (an aggregate, a builder call); NULL with e set on an error. */
char *store_json_value(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                       struct err *e);
/* An insert ... ON CONFLICT DO NOTHING RETURNING <json>: 0 with *json set, 1 when the row
 * existed (nothing inserted), -1 with e set. */
int store_json_inserted(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                        char **json, struct err *e);
/* A paged list statement returning one row (count, json array): the array ("[]" when empty)
 * and *count. */
char *store_page(struct arena *a, struct db_stmt *st, int n, const char *const *p, int64_t *count,
                 struct err *e);
/* store_page of a statement whose parameters are ($1 offset, $2 limit). */
char *store_page_at(struct arena *a, struct db_stmt *st, int64_t offset, int64_t limit,
                    int64_t *count, struct err *e);
/* A page of the patient-data lists: one row (count, results, patient ids, single patient, rows)
 * into *out; 0, or -1 with e set. */
int store_phi_page(struct arena *a, struct db_stmt *st, int n, const char *const *p,
                   struct phi_page *out, struct err *e);
/* Parameter text of optional values: NULL (SQL NULL) for 0, "t"/"f" for booleans. */
const char *store_opt_i64(struct arena *a, int64_t v);
const char *store_tf(bool b);

/* PostgreSQL array literals for array parameters ("{...}"; NULL elements allowed). */
struct pgarr {
	struct buf *b;
	int n;
};
void pgarr_init(struct arena *a, struct pgarr *x);
void pgarr_add(struct pgarr *x, const char *s); /* NULL adds SQL NULL */
void pgarr_addi(struct pgarr *x, int64_t v);
const char *pgarr_end(struct pgarr *x); /* the literal ("{}" when empty) */
/* The literal of an id list. */
const char *pgarr_ids(struct arena *a, struct id_list l);

#endif
