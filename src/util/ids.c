/* Lists of integer ids. */
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

/* Sorting a copy keeps this O(n log n): a body may carry hundreds of thousands of ids. */
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
