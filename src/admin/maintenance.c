/* jhe-admin cleanup and jhe-admin scopes add. */
#include "admin/admin.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int cmd_cleanup(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: jhe-admin cleanup\n");
		return 2;
	}
	(void)argv;
	struct arena *a = admin_begin();
	if (!a)
		return 1;
	struct err e = {0};
	long n[5] = {0};
	int rc = 0;
	if (store_cleanup_expired(a, g_config.throttle_window, n, &e)) {
		fprintf(stderr, "cleanup: %s\n", e.log ? e.log : (e.msg ? e.msg : "failed"));
		rc = 1;
	} else {
		printf("cleanup: deleted %ld codes, %ld access tokens, %ld token families, %ld "
		       "sessions, "
		       "%ld throttle rows\n",
		       n[0], n[1], n[2], n[3], n[4]);
	}
	return admin_end(a, rc);
}

int cmd_scopes(int argc, char **argv)
{
	if (argc != 5 || strcmp(argv[1], "add") != 0) {
		fprintf(stderr,
		        "usage: jhe-admin scopes add <coding system> <coding code> <text>\n");
		return 2;
	}
	if (!*argv[2] || !*argv[3] || !*argv[4]) {
		fprintf(stderr, "scopes: system, code and text must not be empty\n");
		return 2;
	}
	struct arena *a = admin_begin();
	if (!a)
		return 1;
	struct err e = {0};
	int rc = 0;
	int64_t id = store_scope_add(a, argv[2], argv[3], argv[4], &e);
	if (id < 0) {
		fprintf(stderr, "scopes: %s\n",
		        e.kind == ERR_CONFLICT ? "this coding system and code already exist"
		                               : (e.log ? e.log : "failed"));
		rc = 1;
	} else {
		printf("scopes: added %s|%s as id %lld\n", argv[2], argv[3], (long long)id);
	}
	return admin_end(a, rc);
}

/* jhe-admin users deactivate|activate EMAIL (called from cmd_users). */
int cmd_users_active(const char *sub, const char *email)
{
	bool active = strcmp(sub, "activate") == 0;
	struct arena *a = admin_begin();
	if (!a)
		return 1;
	struct err e = {0};
	long families = 0;
	int rc = store_user_set_active(a, email, active, &families, &e);
	if (rc < 0)
		fprintf(stderr, "users: %s\n", e.log ? e.log : (e.msg ? e.msg : "failed"));
	else if (rc > 0)
		fprintf(stderr, "users: no user with the email %s\n", email);
	else if (active)
		printf("users: %s activated\n", email);
	else
		printf("users: %s deactivated; %ld token families revoked, sessions ended\n", email,
		       families);
	return admin_end(a, rc == 0 ? 0 : 1);
}
