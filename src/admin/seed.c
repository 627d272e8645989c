/* jhe-admin seed: the seed data set of seed.md in one transaction. */
#include "admin/admin.h"
#include "auth/auth.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int admin_run_seed_file(const char *name, struct err *e)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/seed/%s", admin_sql_dir(), name);
	char *sql = admin_read_file(path);
	if (!sql) {
		fprintf(stderr, "seed: cannot read %s\n", path);
		return -1;
	}
	int rc = db_exec_sql(sql, e);
	free(sql);
	return rc;
}

int cmd_seed(int argc, char **argv)
{
	bool flush = false, demo = false;
	long demo_patients = 20, demo_days = 28;
	unsigned long long demo_seed_value = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--flush-db") || !strcmp(argv[i], "--flush"))
			flush = true;
		else if (!strcmp(argv[i], "--demo"))
			demo = true;
		else if (!strcmp(argv[i], "--demo-patients") && i + 1 < argc)
			demo_patients = atol(argv[++i]);
		else if (!strcmp(argv[i], "--demo-days") && i + 1 < argc)
			demo_days = atol(argv[++i]);
		else if (!strcmp(argv[i], "--demo-seed") && i + 1 < argc)
			demo_seed_value = strtoull(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "seed: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	struct arena *a = admin_begin();
	if (!a)
		return 1;
	struct err e = {0};
	int rc = 1;
	static struct db_stmt q_empty =
	    DB_STMT("SELECT (SELECT count(*) FROM jhe_user) + (SELECT count(*) FROM organization "
	            "WHERE id <> 0)");
	static struct db_stmt q_conf =
	    DB_STMT("SELECT set_config('jhe.seed_password_hash', $1, true),"
	            "       set_config('jhe.site_url', $2, true)");
	char *hash = auth_password_hash(a, "Jhe1234!");
	if (!hash) {
		fprintf(stderr, "seed: password hashing failed\n");
		goto out;
	}
	if (db_begin(&e))
		goto fail;
	if (flush && admin_run_seed_file("flush.sql", &e))
		goto fail;
	struct db_result *r = db_query(a, &q_empty, 0, NULL, &e);
	if (!r)
		goto fail;
	if (db_get_i64(r, 0, 0) != 0) {
		db_rollback();
		if (demo) { /* the base seed is already present: only the demo cohort (seed.md §13)
			     */
			rc = demo_seed(demo_patients, demo_days, demo_seed_value) ? 1 : 0;
			goto out;
		}
		fprintf(stderr, "seed: database is not empty (use --flush-db)\n");
		goto out;
	}
	const char *p[2] = {hash, g_config.site_url};
	if (!db_query(a, &q_conf, 2, p, &e))
		goto fail;
	/* the reference data (also `jhe-admin init`), the demonstration rows, the next ids */
	if (admin_run_seed_file("reference.sql", &e) || admin_run_seed_file("base.sql", &e) ||
	    admin_run_seed_file("sequences.sql", &e))
		goto fail;
	if (db_commit(&e))
		goto fail;
	printf("seed: loaded (site.url %s)\n", g_config.site_url);
	rc = demo ? (demo_seed(demo_patients, demo_days, demo_seed_value) ? 1 : 0) : 0;
	goto out;
fail:
	db_rollback();
	fprintf(stderr, "seed: failed: %s\n", e.msg ? e.msg : (e.log ? e.log : "?"));
out:
	return admin_end(a, rc);
}
