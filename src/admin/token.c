/* jhe-admin token issue: a new access token for scripts and operators, stored as a digest. */
#include "admin/admin.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_token(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "issue") != 0) {
		fprintf(stderr,
		        "usage: jhe-admin token issue --user EMAIL [--client ID] [--days N]\n");
		return 2;
	}
	const char *user = NULL, *client = "jhe-admin-ui";
	long days = 14;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--user") && i + 1 < argc)
			user = argv[++i];
		else if (!strcmp(argv[i], "--client") && i + 1 < argc)
			client = argv[++i];
		else if (!strcmp(argv[i], "--days") && i + 1 < argc)
			days = atol(argv[++i]);
		else {
			fprintf(stderr, "token: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (!user || days < 1 || days > 3650) {
		fprintf(stderr, "token: --user EMAIL is required; --days between 1 and 3650\n");
		return 2;
	}
	struct arena *a = admin_begin();
	if (!a)
		return 1;
	char *token = random_token(a, 32);
	unsigned char digest[32];
	sha256(token, strlen(token), digest);
	struct err e = {0};
	int rc = 0;
	if (store_token_issue(a, user, client, days, digest, &e)) {
		fprintf(stderr, "token: %s\n", e.msg ? e.msg : (e.log ? e.log : "failed"));
		rc = 1;
	} else {
		printf("%s\n", token);
	}
	return admin_end(a, rc);
}
