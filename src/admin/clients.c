/* jhe-admin clients add --name NAME --client-id ID [--redirect-uri URI]... [--confidential]
 * [--grant authorization-code|client-credentials] [--introspection] (oauth.md §2.1). A
 * confidential client's 32-byte secret is printed once (base64url); only its digest is stored. */
#include "admin/admin.h"
#include "auth/auth.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr,
	        "usage: jhe-admin clients add --name NAME --client-id ID [--redirect-uri URI]...\n"
	        "         [--confidential] [--grant authorization-code|client-credentials]"
	        " [--introspection]\n");
	return 2;
}

int cmd_clients(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "add") != 0)
		return usage();
	const char *name = NULL, *client_id = NULL, *grant = "authorization-code";
	bool confidential = false, introspection = false;
	struct arena *a = arena_new();
	struct buf *uris = buf_new(a, 256);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc)
			name = argv[++i];
		else if (!strcmp(argv[i], "--client-id") && i + 1 < argc)
			client_id = argv[++i];
		else if (!strcmp(argv[i], "--redirect-uri") && i + 1 < argc) {
			const char *u = argv[++i];
			if (!auth_redirect_uri_valid(u)) {
				/* not echoed: it may hold control characters */
				fprintf(stderr, "clients: invalid redirect URI (https, or http on "
				                "localhost, 127.0.0.1 or [::1]; no fragment, "
				                "userinfo or whitespace)\n");
				arena_free(a);
				return 2;
			}
			if (uris->len)
				buf_putc(uris, ' ');
			buf_puts(uris, u);
		} else if (!strcmp(argv[i], "--confidential"))
			confidential = true;
		else if (!strcmp(argv[i], "--introspection"))
			introspection = true;
		else if (!strcmp(argv[i], "--grant") && i + 1 < argc)
			grant = argv[++i];
		else {
			arena_free(a);
			return usage();
		}
	}
	bool cc = !strcmp(grant, "client-credentials");
	if (!name || !client_id || (!cc && strcmp(grant, "authorization-code") != 0) ||
	    (cc && !confidential) || (!cc && uris->len == 0) || (cc && uris->len)) {
		arena_free(a);
		return usage();
	}
	unsigned char d[32];
	char *secret = NULL;
	if (confidential) {
		secret = random_token(a, 32);
		sha256(secret, strlen(secret), d);
	}
	int rc = 1;
	if (admin_connect()) {
		arena_free(a);
		return 1;
	}
	struct err e = {0};
	int64_t id = store_auth_create_client(a, name, client_id, uris->data, confidential, cc,
	                                      introspection, confidential ? d : NULL, &e);
	if (id < 0) {
		fprintf(stderr, "clients: %s\n",
		        e.kind == ERR_CONFLICT ? "the client id is taken"
		                               : (e.log ? e.log : "failed"));
	} else {
		printf("clients: registered application %lld (%s)\n", (long long)id, client_id);
		if (secret)
			printf("client_secret: %s\n", secret);
		rc = 0;
	}
	db_disconnect();
	arena_free(a);
	return rc;
}
