/* jhe-admin: migrate, seed, token issue, keygen. */
#include "admin/admin.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *admin_sql_dir(void)
{
	const char *d = getenv("JHE_SQL_DIR");
	return d && *d ? d : JHE_PKGDATADIR "/sql";
}

char *admin_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *s = malloc((size_t)n + 1);
	if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		fclose(f);
		return NULL;
	}
	s[n] = 0;
	fclose(f);
	return s;
}

int admin_connect(void)
{
	const char *owner = getenv("JHE_OWNER_DATABASE");
	if (owner && *owner) {
		free(g_config.database);
		g_config.database = strdup(owner);
	}
	if (db_connect()) {
		fprintf(stderr, "jhe-admin: cannot connect to the database (%s)\n",
			g_config.database);
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: jhe-admin <command> [options]\n"
		"  migrate                      apply missing migrations from $JHE_SQL_DIR\n"
		"  seed [--flush-db] [--demo [--demo-patients N] [--demo-days D] [--demo-seed S]]\n"
		"                               load the seed data set (seed.md), optionally the demo cohort\n"
		"  token issue --user EMAIL [--client CLIENT_ID] [--days N]\n"
		"                               print a new access token for scripts\n"
		"  keygen [--force]             write the OIDC RSA key and the secret key files\n"
		"  cleanup                      delete expired codes, tokens, sessions, throttle rows\n"
		"  scopes add SYSTEM CODE TEXT  add a data type (codeable concept)\n"
		"  users passwd|create EMAIL    set a password / create a user (password on stdin)\n"
		"  clients add --name N --client-id ID ...   register an OAuth client\n");
}

int main(int argc, char **argv)
{
	char err[512];
	if (crypto_init()) {
		fprintf(stderr, "jhe-admin: libsodium initialisation failed\n");
		return 1;
	}
	if (config_load(NULL, err, sizeof(err))) {
		fprintf(stderr, "jhe-admin: %s\n", err);
		return 1;
	}
	if (argc < 2) {
		usage();
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(argc - 1, argv + 1);
	if (!strcmp(cmd, "seed"))
		return cmd_seed(argc - 1, argv + 1);
	if (!strcmp(cmd, "token"))
		return cmd_token(argc - 1, argv + 1);
	if (!strcmp(cmd, "keygen"))
		return cmd_keygen(argc - 1, argv + 1);
	int cmd_users(int, char **), cmd_clients(int, char **); /* src/admin/users.c, clients.c */
	if (!strcmp(cmd, "users"))
		return cmd_users(argc - 1, argv + 1);
	if (!strcmp(cmd, "clients"))
		return cmd_clients(argc - 1, argv + 1);
	if (!strcmp(cmd, "cleanup"))
		return cmd_cleanup(argc - 1, argv + 1);
	if (!strcmp(cmd, "scopes"))
		return cmd_scopes(argc - 1, argv + 1);
	usage();
	return 2;
}
