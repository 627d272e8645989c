/*
 * The request ceiling of the benchmarks: a FastCGI responder that does nothing but answer a fixed
 * JSON body, started by spawn-fcgi exactly like jhe-fcgi (listening socket on fd 0, one request
 * at a time) behind the same NGINX site template. Built by bench/run:
 *     cc -O2 -o trivial-fcgi bench/trivial-fcgi.c -lfcgi
 * The headers mirror what the real worker sends on a small read (status, type, length, the
 * security headers and Cache-Control), so NGINX does the same work per response.
 */
#include <fcgiapp.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	static const char body[] =
	    "{\"resourceType\":\"Observation\",\"id\":\"60001\",\"status\":\"final\"}";
	/* the whole response is formatted once (FCGX_FPrintF knows no %zu) */
	char resp[1024];
	int n = snprintf(resp, sizeof(resp),
	                 "Status: 200 OK\r\n"
	                 "Content-Type: application/json\r\n"
	                 "Content-Length: %zu\r\n"
	                 "Cache-Control: no-store\r\n"
	                 "X-Content-Type-Options: nosniff\r\n"
	                 "X-Frame-Options: DENY\r\n"
	                 "Referrer-Policy: same-origin\r\n"
	                 "\r\n%s",
	                 strlen(body), body);
	FCGX_Request req;
	if (n <= 0 || FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		/* drain any request body, as a real handler would read it */
		char sink[8192];
		while (FCGX_GetStr(sink, sizeof(sink), req.in) > 0)
			;
		FCGX_PutStr(resp, n, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
