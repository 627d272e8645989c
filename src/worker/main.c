/*
 * jhe-fcgi: one FastCGI worker. spawn-fcgi hands it a listening socket on fd 0; it serves one
 * request at a time with one PostgreSQL connection. SIGTERM finishes the request in flight, then
 * exits. Nothing mutable is cached between requests.
 */
#include "worker/worker.h"
#include "fhir/fhir.h"
#include "store/store.h"

#include <errno.h>
#include <fcgiapp.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t in_request;

static void on_term(int sig)
{
	(void)sig;
	if (!in_request)
		_exit(0);
	stop_requested = 1;
}

/* Read the body up to the configured limit. Returns 0, or 413 when too large. */
static int read_body(FCGX_Request *fr, struct request *r)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
	int64_t len = 0;
	if (cl && *cl && !str_to_i64(cl, &len))
		return 400;
	if (len < 0)
		return 400;
	if ((uint64_t)len > g_config.max_body)
		return 413;
	if (len == 0) {
		r->body = "";
		r->body_len = 0;
		return 0;
	}
	char *body = arena_alloc(r->arena, (size_t)len + 1);
	size_t got = 0;
	while (got < (size_t)len) {
		int n = FCGX_GetStr(body + got, (int)((size_t)len - got), fr->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	body[got] = 0;
	r->body = body;
	r->body_len = got;
	return 0;
}

/* Split REQUEST_URI into a decoded path and the raw query; 400 on bad percent-encoding. */
static int parse_target(FCGX_Request *fr, struct request *r)
{
	const char *uri = FCGX_GetParam("REQUEST_URI", fr->envp);
	if (!uri || uri[0] != '/')
		uri = FCGX_GetParam("DOCUMENT_URI", fr->envp);
	if (!uri || uri[0] != '/')
		return 400;
	const char *q = strchr(uri, '?');
	size_t plen = q ? (size_t)(q - uri) : strlen(uri);
	r->raw_path = arena_strndup(r->arena, uri, plen);
	char *path = url_decode(r->arena, uri, plen, false, true);
	if (!path || strstr(r->raw_path, "%00"))
		return 400;
	/* the FHIR base has an alias spelled in lower case */
	if (str_starts(path, "/fhir/r5") && (path[8] == 0 || path[8] == '/')) {
		r->fhir_prefix = "/fhir/r5";
		memcpy(path, "/FHIR/R5", 8);
	} else {
		r->fhir_prefix = "/FHIR/R5";
	}
	r->path = path;
	r->query = q ? arena_strdup(r->arena, q + 1) : "";
	parse_query(r->arena, r->query, &r->params);
	return 0;
}

static void access_log(struct request *r)
{
	usec_t d = time_now_usec() - r->start;
	log_info("%s %s %s %d %lldus user=%lld", r->request_id ? r->request_id : "-",
		 r->is_head ? "HEAD" : (r->method ? r->method : "-"),
		 req_log_path(r), r->resp.status, (long long)d,
		 r->principal ? (long long)r->principal->user_id : 0LL);
}

static void serve(FCGX_Request *fr, struct arena *a)
{
	struct request r;
	memset(&r, 0, sizeof(r));
	r.arena = a;
	r.start = time_now_usec();
	r.env = fr->envp;
	req_init_origin(&r);
	const char *method = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	r.method = method ? method : "GET";
	if (strcmp(r.method, "HEAD") == 0) {
		r.method = "GET";
		r.is_head = true;
	}
	r.content_type = FCGX_GetParam("CONTENT_TYPE", fr->envp);
	if (r.content_type && !*r.content_type)
		r.content_type = NULL;
	int st = parse_target(fr, &r);
	if (st == 0)
		st = read_body(fr, &r);
	const char *allowed = g_config.allowed_hosts;
	if (st == 0 && allowed && *allowed) {
		bool ok = false;
		char *list = arena_strdup(a, allowed), *save = NULL;
		for (char *h = strtok_r(list, ", ", &save); h; h = strtok_r(NULL, ", ", &save))
			if (strcmp(h, r.host) == 0)
				ok = true;
		if (!ok) {
			if (!r.path)
				r.path = "/";
			resp_detail(&r, 400, "Invalid host header.");
			st = -1;
		}
	}
	if (st == 413) {
		if (!r.path)
			r.path = "/";
		fail_with(&r, ERR_TOO_LARGE, "Request body too large.");
		r.area = str_starts(r.path, "/FHIR/R5") ? AREA_FHIR : AREA_API;
		resp_error(&r);
	} else if (st == 400) {
		if (!r.path)
			r.path = "/";
		resp_detail(&r, 400, "Malformed request.");
	} else if (st == 0) {
		dispatch(&r);
	}
	struct buf *out = buf_new(a, 4096 + (r.resp.body ? r.resp.body->len : 0));
	resp_serialize(&r, out);
	FCGX_PutStr(out->data, (int)out->len, fr->out);
	access_log(&r);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	char err[512];
	if (crypto_init()) {
		fprintf(stderr, "jhe-fcgi: libsodium initialisation failed\n");
		return 1;
	}
	if (config_load(NULL, err, sizeof(err))) {
		fprintf(stderr, "jhe-fcgi: %s\n", err);
		return 1;
	}
	if (config_load_secret(&g_config))
		log_warn("secret key file %s missing or short: using a per-process key",
			 g_config.secret_key_file);
	if (fhir_init()) {
		log_error("FHIR initialisation failed (schemas in %s)", g_config.schema_dir);
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A page of 1,000 Observations is a few MB of libpq result and response body. With glibc's
	 * dynamic thresholds such blocks were mmapped or trimmed after each request and faulted in
	 * again by the next (~8% of a pull's CPU in page faults); freed heap up to the trim
	 * threshold stays mapped instead. Larger blocks (uploads near the body limit) are still
	 * mmapped and returned at once. */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 6 << 20);
	if (db_connect())
		log_warn("database not reachable at start; will retry per request");
	if (FCGX_Init()) {
		log_error("FCGX_Init failed");
		return 1;
	}
	FCGX_Request fr;
	FCGX_InitRequest(&fr, 0, 0);
	struct arena *a = arena_new();
	log_info("worker ready");
	while (!stop_requested) {
		in_request = 0;
		if (stop_requested)
			break;
		int rc = FCGX_Accept_r(&fr);
		if (rc < 0) {
			if (stop_requested)
				break;
			if (errno == EINTR)
				continue;
			log_error("FCGX_Accept_r failed: %d", rc);
			break;
		}
		in_request = 1;
		serve(&fr, a);
		FCGX_Finish_r(&fr);
		arena_reset(a);
	}
	in_request = 0;
	arena_free(a);
	db_disconnect();
	log_info("worker exiting");
	return 0;
}
