/* base64 (standard and URL-safe, padding optional): decode never writes past
 * base64_decoded_max, and encode/decode round-trips. */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	size_t max = base64_decoded_max(size);
	unsigned char *out = malloc(max + 1);
	long n = base64_decode((const char *)data, size, out);
	if (n > (long)max)
		abort();
	(void)utf8_valid((const char *)data, size);
	free(out);
	char *enc = malloc(base64_encoded_len(size) + 1);
	size_t el = base64_encode(data, size, enc);
	unsigned char *back = malloc(base64_decoded_max(el) + 1);
	long m = el ? base64_decode(enc, el, back) : 0;
	if (m != (long)size || (size && memcmp(back, data, size)))
		abort();
	free(back);
	free(enc);
	return 0;
}
