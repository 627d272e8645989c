/*
 * omh.h - Open mHealth / IEEE 1752 validation layer (fhir.md §14, data-model.md §4.3).
 *
 * A small JSON Schema engine (drafts 04, 06 and 07, the keywords of fhir.md §14.3), a registry of
 * schemas compiled once per process, the data point check that the FHIR layer runs on every
 * uploaded Observation, and the projection of `body.effective_time_frame` onto the derived
 * effective-time columns of the observation table.
 *
 * Thread safety: a loaded registry is immutable; any number of threads may validate against it at
 * the same time. Validation does not allocate memory (all state lives on the caller's stack).
 */
#ifndef JHE_OMH_OMH_H
#define JHE_OMH_OMH_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Namespace base URLs of the registry (fhir.md §14.2). */
#define OMH_BASE_OMH "https://w3id.org/openmhealth/schemas/omh/"
#define OMH_BASE_IEEE "https://w3id.org/ieee/ieee-1752-schema/"
/* The IEEE 1752 header schema every data point header is validated against. */
#define OMH_HEADER_SCHEMA OMH_BASE_IEEE "header-1.0.json"

/* Recommended size of the message buffers given to the validation functions. */
#define OMH_MSG_SIZE 512

/* Return codes. */
enum {
	OMH_OK = 0,      /* valid / success */
	OMH_INVALID = 1, /* the document is invalid: msg holds the 422 client message */
	OMH_ERROR = -1   /* load error or bad arguments: msg/err holds a description */
};

struct omh_registry;

/*
 * Loads and compiles every `*.json` file under schema_dir:
 *   <schema_dir>/omh/<file>        registered as https://w3id.org/openmhealth/schemas/omh/<file>
 *   <schema_dir>/ieee/.../<file> (any depth) as https://w3id.org/ieee/ieee-1752-schema/<file>
 * A file whose `$id` (draft-06/07) or `id` (draft-04) is an absolute URI is also registered under
 * it (the registration URLs above take precedence). Every `$ref` is resolved at load time; a
 * reference that cannot be resolved is not a load error: validation that reaches it fails with
 * "Unresolvable schema reference <uri>.". Nothing is fetched from the network.
 * Returns OMH_OK and sets *out, or OMH_ERROR with a description in err (unreadable directory,
 * a file that is not JSON, a malformed schema such as an unsupported `pattern`).
 */
int omh_registry_load(const char *schema_dir, struct omh_registry **out, char *err, size_t errlen);

/*
 * Builds a registry from schema documents already in memory (tests, tools): docs[i] is registered
 * under the absolute URI uris[i] (its base URI unless the document has an absolute `$id`/`id`,
 * which is registered too), then ids and references are resolved and everything is compiled
 * exactly as by omh_registry_load. A document without `$schema` uses default_dialect (4, 6 or 7).
 * The registry takes its own reference to each document (json_object_get); the caller keeps
 * theirs. Returns OMH_OK and sets *out, or OMH_ERROR with a description in err.
 */
int omh_registry_from_json(const char *const *uris, json_object *const *docs, size_t n,
                           int default_dialect, struct omh_registry **out, char *err,
                           size_t errlen);

/* Frees a registry (NULL is accepted). */
void omh_registry_free(struct omh_registry *reg);

/* Number of URIs registered (files plus absolute ids); for diagnostics and tests. */
size_t omh_registry_size(const struct omh_registry *reg);

/* Nonzero when schema_uri (absolute, optionally with a JSON-pointer fragment) resolves. */
int omh_registry_has(const struct omh_registry *reg, const char *schema_uri);

/*
 * Validates an OMH/IEEE data point for the Observation code `code` (fhir.md §14.1), in this order:
 *   1. data_point is an object with an object `header` and an object `body`, else
 *      "Open mHealth data point must have a header and a body."
 *   2. header against OMH_HEADER_SCHEMA;
 *   3. body against the schema of the code: "omh:<name>:<version>" maps to
 *      OMH_BASE_OMH "<name>-<version>.json", "ieee:<name>:<version>" to OMH_BASE_IEEE ...; any
 *      other form, or a schema missing from the registry, gives
 *      "No Open mHealth schema is available for code <code>."
 * A schema failure gives "Open mHealth validation failed at <pointer>: <reason>" where pointer is
 * the RFC 6901 pointer of the failing value inside the data point (e.g. /body/heart_rate/unit); a
 * $ref outside the registry gives "Unresolvable schema reference <uri>.". Returns OMH_OK, or
 * OMH_INVALID with the client message in msg (OMH_MSG_SIZE bytes suffice).
 */
int omh_validate_data_point(const struct omh_registry *reg, const char *code,
                            json_object *data_point, char *msg, size_t msglen);

/*
 * Validates any JSON value against the registered schema schema_uri (absolute URI, optionally with
 * a JSON-pointer fragment). Messages as above, with pointers relative to `instance` (the root is
 * written "/"). An unknown schema_uri gives "Unresolvable schema reference <uri>.".
 * Returns OMH_OK or OMH_INVALID.
 */
int omh_validate(const struct omh_registry *reg, const char *schema_uri, json_object *instance,
                 char *msg, size_t msglen);

/*
 * Effective-time projection (data-model.md §4.3) of an OMH body's `effective_time_frame`.
 * Instants are microseconds since 1970-01-01T00:00:00Z.
 */
struct omh_times {
	int has_date_time; /* effective_date_time is set */
	int has_start;     /* effective_period_start is set */
	int has_end;       /* effective_period_end is set */
	int64_t date_time;
	int64_t start;
	int64_t end;
};

/*
 * Fills *out (all flags cleared first). body may be NULL or any JSON value; anything not recognised
 * leaves every column unset, which is not an error. Returns the number of columns set (0 to 2).
 */
int omh_effective_times(json_object *body, struct omh_times *out);

#ifdef __cplusplus
}
#endif

#endif /* JHE_OMH_OMH_H */
