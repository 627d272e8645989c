/* jhe-admin users passwd EMAIL | users create EMAIL [--superuser] [--practitioner]
 * (oauth.md §11). The password is read from standard input (first line). */
#include "admin/admin.h"
#include "auth/auth.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int admin_read_password(char *buf, size_t n)
{
	if (!fgets(buf, (int)n, stdin))
		return -1;
	size_t l = strlen(buf);
	while (l > 0 && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
		buf[--l] = 0;
	return 0;
}

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: jhe-admin users passwd EMAIL   (new password on standard input)\n"
	    "       jhe-admin users create EMAIL [--superuser] [--practitioner]\n"
	    "                                     (password on standard input; empty: none)\n"
	    "       jhe-admin users deactivate|activate EMAIL\n"
	    "                                     (deactivation revokes tokens and sessions)\n");
	return 2;
}

int cmd_users(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	const char *sub = argv[1], *email = argv[2];
	if (argc == 3 && (!strcmp(sub, "deactivate") || !strcmp(sub, "activate")))
		return cmd_users_active(sub, email);
	bool superuser = false, practitioner = false;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--superuser"))
			superuser = true;
		else if (!strcmp(argv[i], "--practitioner"))
			practitioner = true;
		else
			return usage();
	}
	bool create = !strcmp(sub, "create");
	if (!create && strcmp(sub, "passwd") != 0)
		return usage();
	if (!create && (superuser || practitioner))
		return usage();
	if (!strchr(email, '@')) {
		fprintf(stderr, "users: not an email address: %s\n", email);
		return 2;
	}
	char pw[1100] = {0};
	if (admin_read_password(pw, sizeof(pw)) && !create) {
		fprintf(stderr, "users: no password on standard input\n");
		return 2;
	}
	struct arena *a = arena_new();
	const char *hash = NULL;
	int rc = 1;
	if (*pw || !create) {
		const char *why = auth_password_policy(pw);
		if (why) {
			fprintf(stderr, "users: %s\n", why);
			goto out;
		}
		hash = auth_password_hash(a, pw);
		if (!hash) {
			fprintf(stderr, "users: hashing failed\n");
			goto out;
		}
	}
	if (admin_connect())
		goto out;
	struct err e = {0};
	if (create) {
		int64_t id = store_auth_create_user(a, email, hash, superuser, practitioner, &e);
		if (id < 0) {
			fprintf(stderr, "users: %s\n",
			        e.kind == ERR_CONFLICT ? "a user with this email exists"
			                               : (e.log ? e.log : "failed"));
			goto out_db;
		}
		printf("users: created user %lld\n", (long long)id);
	} else {
		int r = store_auth_set_password(a, email, hash, &e);
		if (r) {
			fprintf(stderr, "users: %s\n",
			        r > 0 ? "no such user" : (e.log ? e.log : "failed"));
			goto out_db;
		}
		printf("users: password changed\n");
	}
	rc = 0;
out_db:
	db_disconnect();
out:
	memset(pw, 0, sizeof(pw));
	arena_free(a);
	return rc;
}
