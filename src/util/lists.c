/* Repeats in lists of ids and strings, found in O(n log n): request bodies may carry hundreds of
 * thousands of items (doc/robustness.md "Cost bounds"). */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/* The first index of id in the sorted v[0..n) (id is there). */
static size_t lower_bound(const int64_t *v, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t i64_unique(struct arena *a, int64_t *v, size_t n)
{
	if (n < 2)
		return n;
	int64_t *sorted = arena_alloc(a, sizeof(int64_t) * n);
	memcpy(sorted, v, sizeof(int64_t) * n);
	qsort(sorted, n, sizeof(int64_t), cmp_i64);
	bool *seen = arena_alloc(a, n); /* by the index of an id's first place in sorted */
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = lower_bound(sorted, n, v[i]);
		if (seen[k])
			continue;
		seen[k] = true;
		v[m++] = v[i];
	}
	return m;
}

struct placed {
	const char *s;
	size_t i;
};

static int cmp_placed(const void *x, const void *y)
{
	const struct placed *a = x, *b = y;
	int c = strcmp(a->s, b->s);
	return c ? c : (a->i > b->i) - (a->i < b->i);
}

long str_first_repeat(struct arena *a, const char *const *v, size_t n)
{
	if (n < 2)
		return -1;
	struct placed *p = arena_alloc(a, sizeof(*p) * n);
	for (size_t i = 0; i < n; i++)
		p[i] = (struct placed){v[i], i};
	qsort(p, n, sizeof(*p), cmp_placed);
	/* in a run of equal strings (sorted by place) the second is that string's first repeat */
	long first = -1;
	for (size_t k = 1; k < n; k++)
		if (!strcmp(p[k].s, p[k - 1].s) && (k < 2 || strcmp(p[k - 1].s, p[k - 2].s)) &&
		    (first < 0 || (long)p[k].i < first))
			first = (long)p[k].i;
	return first;
}
