/* FHIR paging cursors: decode (base64url, JSON, HMAC tag) of any text never crashes; a decoded
 * cursor encodes again. */
#include "fhir/local.h"

#include <stdlib.h>
#include <string.h>

static const unsigned char key[32] = "fuzz-key-0123456789abcdef-012345";

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct arena *a = arena_new();
	char *s = arena_strndup(a, (const char *)data, size);
	struct fhir_cursor c;
	memset(&c, 0, sizeof(c));
	if (fhir_cursor_decode(a, s, &c, key, sizeof(key)) == 0) {
		char *again = fhir_cursor_encode(a, &c, key, sizeof(key));
		struct fhir_cursor d;
		memset(&d, 0, sizeof(d));
		if (fhir_cursor_decode(a, again, &d, key, sizeof(key)) != 0 || d.page != c.page)
			abort();
	}
	/* a valid cursor of arbitrary sort values round-trips */
	struct fhir_cursor e;
	memset(&e, 0, sizeof(e));
	e.page = 2;
	e.total = -1;
	memcpy(e.digest, "0123456789abcdef0123456789abcdef", 33);
	e.nvals = 1;
	e.vals[0] = s;
	e.id = 7;
	char *enc = fhir_cursor_encode(a, &e, key, sizeof(key));
	struct fhir_cursor f;
	memset(&f, 0, sizeof(f));
	if (fhir_cursor_decode(a, enc, &f, key, sizeof(key)) == 0 && f.id != 7)
		abort();
	arena_free(a);
	return 0;
}
