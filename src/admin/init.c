/* jhe-admin init: what a production system needs before its first login, without demo rows.
 * The reference data of seed.md §3-§6 (sql/seed/reference.sql: settings, scopes, data sources,
 * the console's OAuth client) and, with --admin-email, the first superuser, whose password is
 * read from standard input. Safe to run again: existing rows and users are left as they are. */
#include "admin/admin.h"
#include "auth/auth.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int usage(void)
{
	fprintf(stderr,
	        "usage: jhe-admin init [--admin-email EMAIL]   (the superuser's password on "
	        "standard input)\n");
	return 2;
}

/* The reference data in one transaction. 0 on success. */
static int init_reference(struct arena *a)
{
	struct err e = {0};
	static struct db_stmt q_conf = DB_STMT("SELECT set_config('jhe.site_url', $1, true)");
	static struct db_stmt q_counts =
	    DB_STMT("SELECT (SELECT count(*) FROM jhe_setting), (SELECT count(*) FROM "
	            "codeable_concept), (SELECT count(*) FROM data_source), (SELECT count(*) FROM "
	            "oauth_application WHERE client_id = 'jhe-admin-ui')");
	const char *p[1] = {g_config.site_url};
	if (db_begin(&e) || !db_query(a, &q_conf, 1, p, &e) ||
	    admin_run_seed_file("reference.sql", &e) || admin_run_seed_file("sequences.sql", &e))
		goto fail;
	struct db_result *r = db_query(a, &q_counts, 0, NULL, &e);
	if (!r || db_commit(&e))
		goto fail;
	printf("init: reference data present: %s settings, %s scopes, %s data sources, console "
	       "client jhe-admin-ui %s\n",
	       db_get(r, 0, 0), db_get(r, 0, 1), db_get(r, 0, 2),
	       strcmp(db_get(r, 0, 3), "1") == 0 ? "registered" : "MISSING");
	return strcmp(db_get(r, 0, 3), "1") == 0 ? 0 : -1;
fail:
	db_rollback();
	fprintf(stderr, "init: failed: %s\n", e.msg ? e.msg : (e.log ? e.log : "?"));
	return -1;
}

/* The first superuser: created with the password from standard input, unless the email exists. */
static int init_admin(struct arena *a, const char *email)
{
	struct err e = {0};
	static struct db_stmt q_user =
	    DB_STMT("SELECT is_superuser FROM jhe_user WHERE lower(email) = lower($1)");
	const char *p[1] = {email};
	struct db_result *r = db_query(a, &q_user, 1, p, &e);
	if (!r) {
		fprintf(stderr, "init: %s\n", e.log ? e.log : "query failed");
		return -1;
	}
	if (db_nrows(r) > 0) {
		bool super = strcmp(db_get(r, 0, 0), "t") == 0;
		printf("init: user %s exists (%s); password unchanged\n", email,
		       super ? "superuser" : "NOT a superuser");
		return 0;
	}
	char pw[1100] = {0};
	int rc = -1;
	if (admin_read_password(pw, sizeof(pw)) || !*pw) {
		fprintf(stderr, "init: no password on standard input for %s\n", email);
		goto out;
	}
	const char *why = auth_password_policy(pw);
	if (why) {
		fprintf(stderr, "init: %s\n", why);
		goto out;
	}
	const char *hash = auth_password_hash(a, pw);
	if (!hash) {
		fprintf(stderr, "init: password hashing failed\n");
		goto out;
	}
	int64_t id = store_auth_create_user(a, email, hash, true, true, &e);
	if (id < 0) {
		fprintf(stderr, "init: %s\n", e.log ? e.log : "cannot create the user");
		goto out;
	}
	printf("init: created superuser %s (user %lld)\n", email, (long long)id);
	rc = 0;
out:
	sodium_memzero(pw, sizeof(pw));
	return rc;
}

int cmd_init(int argc, char **argv)
{
	const char *email = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--admin-email") && i + 1 < argc)
			email = argv[++i];
		else
			return usage();
	}
	if (email && !strchr(email, '@')) {
		fprintf(stderr, "init: not an email address: %s\n", email);
		return 2;
	}
	struct arena *a = admin_begin();
	if (!a)
		return 1;
	return admin_end(a,
	                 init_reference(a) == 0 && (!email || init_admin(a, email) == 0) ? 0 : 1);
}
