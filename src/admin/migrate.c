/* jhe-admin migrate: apply the numbered sql/NNN_*.sql files not applied yet, each in its own
 * transaction, then every file of sql/functions (the SQL functions) in one transaction. */
#include "admin/admin.h"
#include "store/store.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the .sql files of dir in name order (numbered: only NNN_*.sql), malloc'ed, at
 * most max; -1 when dir cannot be opened, -2 (said on stderr) when it holds more than max. */
static int list_sql(const char *dir, bool numbered, char **names, int max)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		bool wanted = (!numbered || (nm[0] >= '0' && nm[0] <= '9')) && nm[0] != '.' &&
		              str_ends(nm, ".sql");
		if (!wanted)
			continue;
		if (n == max) { /* never apply part of a folder */
			fprintf(stderr, "migrate: %s holds more than %d files\n", dir, max);
			while (n > 0)
				free(names[--n]);
			closedir(d);
			return -2;
		}
		names[n++] = strdup(nm);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(char *), cmp_str);
	return n;
}

/* Apply every file of dir/functions (sql/README.md) in one transaction: the definitions of the
 * SQL functions, re-applied by every migrate so that each function has one source. 0 or 1. */
static int apply_functions(struct arena *a, const char *dir)
{
	const char *fdir = arena_printf(a, "%s/functions", dir);
	char *names[128];
	int n = list_sql(fdir, false, names, 128);
	if (n == -1)
		return 0; /* an older sql/ without functions/ (t/sql/upgrade_check.sh migrates one)
		           */
	if (n < 0)
		return 1;
	struct err e = {0};
	const char *failed = db_begin(&e) ? "BEGIN" : NULL;
	for (int i = 0; i < n && !failed; i++) {
		char *sql = admin_read_file(arena_printf(a, "%s/%s", fdir, names[i]));
		if (!sql || db_exec_sql(sql, &e))
			failed = names[i];
		free(sql);
	}
	if (!failed && db_commit(&e))
		failed = "COMMIT";
	if (failed) {
		fprintf(stderr, "migrate: functions/%s failed: %s\n", failed,
		        e.msg ? e.msg : (e.log ? e.log : "cannot read the file"));
		db_rollback();
	} else {
		printf("functions: %d files applied (%s)\n", n, fdir);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	return failed ? 1 : 0;
}

/* migrate --status: one line per migration file; 0 when none is pending, 3 otherwise. */
static int migrate_status(struct arena *a, const char *dir, char **names, int n)
{
	struct err e = {0};
	static struct db_stmt q_table =
	    DB_STMT("SELECT to_regclass('schema_migration') IS NOT NULL");
	static struct db_stmt q_applied = DB_STMT(
	    "SELECT to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    " FROM schema_migration WHERE version = $1");
	struct db_result *t = db_query(a, &q_table, 0, NULL, &e);
	if (!t) {
		fprintf(stderr, "migrate: %s\n", e.log ? e.log : "query failed");
		return 1;
	}
	bool has_table = strcmp(db_get(t, 0, 0), "t") == 0;
	int pending = 0;
	for (int i = 0; i < n; i++) {
		const char *when = NULL;
		if (has_table) {
			const char *p[1] = {db_i64(a, strtol(names[i], NULL, 10))};
			struct db_result *r = db_query(a, &q_applied, 1, p, &e);
			if (!r) {
				fprintf(stderr, "migrate: %s\n", e.log ? e.log : "query failed");
				return 1;
			}
			if (db_nrows(r) > 0)
				when = db_get(r, 0, 0);
		}
		if (!when)
			pending++;
		printf("%-32s %s\n", names[i], when ? when : "pending");
	}
	printf("migrations: %d of %d applied, %d pending (%s)\n", n - pending, n, pending, dir);
	return pending ? 3 : 0;
}

int cmd_migrate(int argc, char **argv)
{
	bool status;
	if (admin_only_flag(argc, argv, "--status", &status)) {
		fprintf(stderr, "usage: jhe-admin migrate [--status]\n");
		return 2;
	}
	if (admin_connect())
		return 1;
	struct err e = {0};
	if (!status &&
	    db_exec_sql("SET client_min_messages = warning; CREATE TABLE IF NOT EXISTS "
	                "schema_migration (version int PRIMARY KEY, applied_at timestamptz NOT "
	                "NULL DEFAULT now())",
	                &e)) {
		fprintf(stderr, "migrate: %s\n", e.msg);
		return 1;
	}
	const char *dir = admin_sql_dir();
	char *names[512];
	int n = list_sql(dir, true, names, 512);
	if (n == -1)
		fprintf(stderr, "migrate: cannot open %s\n", dir);
	if (n < 0)
		return 1;
	struct arena *a = arena_new();
	if (status) {
		int rc = migrate_status(a, dir, names, n);
		for (int i = 0; i < n; i++)
			free(names[i]);
		arena_free(a);
		db_disconnect();
		return rc;
	}
	static struct db_stmt q_has = DB_STMT("SELECT 1 FROM schema_migration WHERE version = $1");
	static struct db_stmt q_mark =
	    DB_STMT("INSERT INTO schema_migration (version, applied_at) VALUES ($1, now())");
	int applied = 0, rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		long version = strtol(names[i], NULL, 10);
		const char *p[1] = {db_i64(a, version)};
		struct db_result *r = db_query(a, &q_has, 1, p, &e);
		if (!r) {
			fprintf(stderr, "migrate: %s\n", e.log ? e.log : "query failed");
			rc = 1;
			break;
		}
		if (db_nrows(r) > 0)
			continue;
		char *path = arena_printf(a, "%s/%s", dir, names[i]);
		char *sql = admin_read_file(path);
		if (!sql) {
			fprintf(stderr, "migrate: cannot read %s\n", path);
			rc = 1;
			break;
		}
		if (db_begin(&e) || db_exec_sql(sql, &e) || db_exec(a, &q_mark, 1, p, &e) < 0 ||
		    db_commit(&e)) {
			fprintf(stderr, "migrate: %s failed: %s\n", names[i],
			        e.msg ? e.msg : (e.log ? e.log : "?"));
			db_rollback();
			rc = 1;
		} else {
			printf("applied %s\n", names[i]);
			applied++;
		}
		free(sql);
	}
	if (rc == 0)
		rc = apply_functions(a, dir);
	for (int i = 0; i < n; i++)
		free(names[i]);
	arena_free(a);
	if (rc == 0)
		printf("migrations: %d applied, database up to date\n", applied);
	db_disconnect();
	return rc;
}
