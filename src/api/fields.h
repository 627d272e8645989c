/*
 * Private request-field helpers of the Admin API (users, organizations, practitioners, studies,
 * data sources, clients, settings, audit events). Built on api.h; nothing here talks SQL.
 */
#ifndef JHE_API_FIELDS_H
#define JHE_API_FIELDS_H

#include "api/api.h"
#include "store/store.h"

/* The request body as an object: JSON (keys snake_case), a form body (string values) or an empty
 * body ({}; DRF treats an empty body as no data). NULL with r->err set on 415/400. */
json_object *api_body(struct request *r);

/* A string field. Returns true when present and valid (*out set, NULL for null when
 * null_ok). Messages: "This field is required." (missing and required), "This field may not be
 * null.", "Not a valid string.", "This field may not be blank." (empty/blank and !blank_ok),
 * "Ensure this field has no more than N characters." (maxlen > 0). */
bool api_text(struct request *r, struct field_errors *fe, json_object *body, const char *key,
              bool required, bool blank_ok, bool null_ok, size_t maxlen, const char **out);
/* An integer field (id): "This field is required." when required and missing; null counts as
 * missing when required. Returns true when present and valid. */
bool api_id(struct request *r, struct field_errors *fe, json_object *body, const char *key,
            bool required, int64_t *out);
/* {"key": ["Invalid pk \"ID\" - object does not exist."]} */
void api_invalid_pk(struct request *r, struct field_errors *fe, const char *key, int64_t id);
/* Memberships from the setting auth.default_orgs for a new practitioner row (admin-api.md §17).
 * -1 with 400 ["Setting auth.default_orgs is invalid: ..."] or a store error. */
int api_default_orgs(struct request *r, int64_t practitioner_id);
/* Is the key one of the NULL-terminated list? */
bool api_in(const char *k, const char *const *list);

/* Load the page pg_ (parsed by api_page_parse) into json_ and count_: CALL is an expression
 * using pg_.offset / pg_.size, &count_ and &e_ that returns the JSON array text or NULL; it runs
 * again when page=last moves the offset. Returns -1 from the handler on a failure (404 "Invalid
 * page." beyond the end, or the store's error). */
#define API_PAGE_LOAD(r, pg_, count_, json_, CALL)                                                 \
	do {                                                                                       \
		struct err e_ = {0};                                                               \
		for (;;) {                                                                         \
			json_ = (CALL);                                                            \
			if (!json_)                                                                \
				return fail_err((r), &e_);                                         \
			int64_t off_ = pg_.offset;                                                 \
			if (api_page_check((r), &pg_, count_))                                     \
				return -1;                                                         \
			if (pg_.offset == off_)                                                    \
				break;                                                             \
		}                                                                                  \
	} while (0)

/* A whole paged list handler: parse page/pageSize, load the page with CALL (see API_PAGE_LOAD),
 * answer the paging envelope. */
#define API_LIST(r, default_size, CALL)                                                            \
	do {                                                                                       \
		struct page pg_;                                                                   \
		int64_t count_ = 0;                                                                \
		char *json_;                                                                       \
		if (api_page_parse((r), (default_size), &pg_))                                     \
			return -1;                                                                 \
		API_PAGE_LOAD(r, pg_, count_, json_, CALL);                                        \
		api_page_respond((r), &pg_, count_, json_);                                        \
		return 0;                                                                          \
	} while (0)

#define UID(r) ((r)->principal->user_id)
#define IS_SU(r) ((r)->principal->is_superuser)

#endif
