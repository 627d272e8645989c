/* RFC 3339 times and dates: time_parse, date_parse, and the format round trip. */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char s[256];
	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = 0;
	usec_t t;
	if (time_parse(s, &t) == 0) {
		char out[40];
		time_format(t, out);
		usec_t u;
		if (time_parse(out, &u) != 0 || u != t)
			abort();
	}
	int y, m, d;
	(void)date_parse(s, &y, &m, &d);
	return 0;
}
