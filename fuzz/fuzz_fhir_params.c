/* FHIR search parameter values: dates with prefixes, tokens, references, _page/_count, lists. */
#include "fhir/local.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct arena *a = arena_new();
	char *s = arena_strndup(a, (const char *)data, size);
	struct fhir_date d;
	char bad[3];
	(void)fhir_parse_date(s, &d, bad);
	struct fhir_tok t;
	fhir_parse_token(a, s, &t);
	(void)fhir_parse_ref(s, "Patient");
	(void)fhir_parse_ref(s, "");
	int64_t p = fhir_parse_page(s);
	if (p > 1000000000)
		abort();
	int64_t c = fhir_parse_count(s);
	if (c < 1 || c > 1000)
		abort();
	const char **items;
	int n = fhir_split(a, s, &items);
	for (int i = 0; i < n; i++)
		if (!*items[i])
			abort();
	(void)fhir_type_parse(s);
	arena_free(a);
	return 0;
}
