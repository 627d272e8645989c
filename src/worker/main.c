/*
 * jhe-fcgi: one FastCGI worker. spawn-fcgi hands it a listening socket on fd 0; it serves one
 * request at a time with one PostgreSQL connection. SIGTERM finishes the request in flight, then
 * exits; SIGHUP re-reads the configuration and the key files between two requests (a bad new
 * configuration is logged and the old one kept). Nothing mutable is cached between requests.
 * Under systemd socket activation (LISTEN_FDS=1) the socket passed as fd 3 is used instead.
 * The worker refuses to start (exit 1, reason on stderr) when the configuration is invalid or a
 * key file cannot be read: per-process keys would make CSRF tokens and cursors fail across workers.
 */
#include "worker/worker.h"
#include "auth/auth.h"
#include "fhir/fhir.h"
#include "store/store.h"

#include <errno.h>
#include <fcgiapp.h>
#include <malloc.h>
#include <sodium.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t in_request;
static volatile sig_atomic_t reload_requested;

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

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
	         r->is_head ? "HEAD" : (r->method ? r->method : "-"), req_log_path(r),
	         r->resp.status, (long long)d,
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
	/* what fails before dispatch: Admin-API-style bodies, a 413 in the area of its path */
	if (st == 0 && !config_host_allowed(&g_config, r.host)) {
		fail_with(&r, ERR_BAD_REQUEST, "Invalid host header.");
	} else if (st == 413) {
		fail_with(&r, ERR_TOO_LARGE, "Request body too large.");
		r.area = r.path && str_starts(r.path, "/FHIR/R5") ? AREA_FHIR : AREA_API;
	} else if (st == 400) {
		fail_with(&r, ERR_BAD_REQUEST, "Malformed request.");
	}
	if (r.err.kind != ERR_NONE) {
		if (!r.path)
			r.path = "/";
		resp_error(&r);
	} else {
		db_deadline_arm(g_config.request_timeout_ms);
		dispatch(&r);
		db_deadline_disarm();
	}
	struct buf *out = buf_new(a, 4096 + (r.resp.body ? r.resp.body->len : 0));
	resp_serialize(&r, out);
	FCGX_PutStr(out->data, (int)out->len, fr->out);
	access_log(&r);
}

/* Load the configuration and check the key files. 0, or -1 with the reason in err. */
static int load_config(char *err, size_t errlen)
{
	if (config_load(NULL, err, errlen))
		return -1;
	if (config_load_secret(&g_config, err, errlen))
		return -1;
	auth_keys_reset();
	if (!auth_signing_key(NULL)) {
		snprintf(err, errlen, "cannot read the OIDC signing key %s (RSA private key, PEM)",
		         g_config.oidc_key_file);
		return -1;
	}
	return 0;
}

/* SIGHUP: the new configuration replaces the old one only when it is valid. */
static void reload(void)
{
	char err[512];
	struct config old = g_config;
	memset(&g_config, 0, sizeof(g_config));
	if (load_config(err, sizeof(err))) {
		config_free(&g_config);
		g_config = old;
		auth_keys_reset();
		log_error("reload refused, keeping the running configuration: %s", err);
		return;
	}
	bool db_changed = strcmp(old.database, g_config.database) != 0;
	config_free(&old);
	sodium_memzero(old.secret_key, sizeof(old.secret_key));
	if (db_changed)
		db_disconnect(); /* the next request connects with the new connection string */
	log_info("configuration reloaded");
}

/* systemd socket activation: LISTEN_FDS=1 for this process puts the socket on fd 3. */
static int adopt_activation_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	if (!pid || !fds || atol(pid) != (long)getpid())
		return 0;
	if (strcmp(fds, "1") != 0) {
		fprintf(stderr, "jhe-fcgi: expected one socket from systemd, got LISTEN_FDS=%s\n",
		        fds);
		return -1;
	}
	if (dup2(3, 0) < 0) {
		fprintf(stderr, "jhe-fcgi: cannot use the activation socket: %s\n",
		        strerror(errno));
		return -1;
	}
	close(3);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 0;
}

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: jhe-fcgi            serve FastCGI requests on the listening socket on fd 0\n"
	    "                           (spawn-fcgi) or fd 3 (systemd socket activation)\n"
	    "       jhe-fcgi --check    check the configuration and the key files, then exit\n"
	    "       jhe-fcgi --version | --help\n"
	    "Configuration: $JHE_CONFIG (default " JHE_SYSCONFDIR
	    "/jhe/jhe.conf); see jhe-fcgi(8).\n");
}

int main(int argc, char **argv)
{
	char err[512];
	bool check = false;
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("jhe-fcgi %s\n", JHE_VERSION);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--check"))
		check = true;
	else if (argc > 1) {
		usage(stderr);
		return 2;
	}
	if (crypto_init()) {
		fprintf(stderr, "jhe-fcgi: libsodium initialisation failed\n");
		return 1;
	}
	if (load_config(err, sizeof(err))) {
		fprintf(stderr, "jhe-fcgi: refusing to start: %s\n", err);
		return 1;
	}
	if (fhir_init()) {
		fprintf(stderr,
		        "jhe-fcgi: refusing to start: FHIR initialisation failed (schemas in %s)\n",
		        g_config.schema_dir);
		return 1;
	}
	if (check) {
		printf("jhe-fcgi: configuration and key files are valid\n");
		return 0;
	}
	if (adopt_activation_socket())
		return 1;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A page of 1,000 Observations is a few MB of libpq result and response body. With glibc's
	 * dynamic thresholds such blocks were mmapped or trimmed after each request and faulted in
	 * again by the next (~8% of a pull's CPU in page faults); freed heap up to the trim
	 * threshold stays mapped instead. Larger blocks (uploads near the body limit) are still
	 * mmapped and returned at once. */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 6 << 20);
	db_set_statement_timeout(g_config.statement_timeout_ms);
	if (db_connect())
		log_warn("database not reachable at start; will retry per request");
	if (FCGX_Init()) {
		log_error("FCGX_Init failed");
		return 1;
	}
	FCGX_Request fr;
	/* accept() returns on a signal, so a SIGHUP is applied while the worker is idle */
	FCGX_InitRequest(&fr, 0, FCGI_FAIL_ACCEPT_ON_INTR);
	struct arena *a = arena_new();
	/* SIGHUP is only delivered while waiting in accept(): a request's reads and writes are
	 * never interrupted by it */
	sigset_t hup;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	log_info("worker ready");
	while (!stop_requested) {
		in_request = 0;
		sigprocmask(SIG_UNBLOCK, &hup, NULL);
		if (stop_requested)
			break;
		if (reload_requested) {
			reload_requested = 0;
			reload();
		}
		int rc = FCGX_Accept_r(&fr);
		if (rc < 0) {
			if (stop_requested)
				break;
			if (errno == EINTR || rc == -EINTR || reload_requested)
				continue;
			log_error("FCGX_Accept_r failed: %d", rc);
			break;
		}
		sigprocmask(SIG_BLOCK, &hup, NULL);
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
