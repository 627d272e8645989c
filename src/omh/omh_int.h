/*
 * omh_int.h - internal interfaces of the Open mHealth validation layer (not installed, not for
 * other layers): array growth, the ECMA-262-subset regular expressions, date-time parsing.
 */
#ifndef JHE_OMH_OMH_INT_H
#define JHE_OMH_OMH_INT_H

#include <stddef.h>
#include <stdint.h>

/* Compiled schemas and regular expressions live in a struct arena (util.h) that the registry
 * owns for the life of the process. */
struct arena;

/* ---- growth of compile-time scratch arrays ---- */
/* Room for one more element in the malloc'd array v of *cap elements of size bytes holding n:
 * v, or v moved to twice the room (first: the first capacity) when full; NULL on OOM (v is
 * then still valid and unchanged). */
void *omh_grow(void *v, size_t *cap, size_t n, size_t size, size_t first);

/* ---- the first error of a parse: its message into err[errlen], later ones ignored ---- */
struct omh_err {
	char *err;
	size_t errlen;
	int failed;
};
void omh_fail(struct omh_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- regular expressions (ECMA-262 subset, see regex.c) ---- */
struct omh_re;
/* Compiles pattern into arena memory. Returns NULL with a reason in err on syntax errors or
 * unsupported constructs (back-references, look-around, ...). */
struct omh_re *omh_re_compile(struct arena *a, const char *pattern, char *err, size_t errlen);
/* Unanchored search over the UTF-8 string s of length len: nonzero when the pattern matches
 * somewhere in s. Never allocates; runs in O(len * program size). */
int omh_re_search(const struct omh_re *re, const char *s, size_t len);

/* ---- date-time ---- */
/* Strict RFC 3339 date-time as asserted by `format: date-time` (fhir.md §14.3): T/t separator,
 * seconds required, optional fraction, optional offset Z/z/±hh:mm. Returns nonzero when valid. */
int omh_is_date_time(const char *s, size_t len);

#endif /* JHE_OMH_OMH_INT_H */
