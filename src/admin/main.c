/* jhe-admin: the operator's tool (init, migrate, seed, keygen, users, clients, tokens, cleanup). */
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
	/* JHE_OWNER_DATABASE (file or environment) names the owner role's connection. */
	if (g_config.owner_database && *g_config.owner_database) {
		free(g_config.database);
		g_config.database = strdup(g_config.owner_database);
	}
	if (db_connect()) {
		struct arena *a = arena_new();
		fprintf(stderr,
		        "jhe-admin: cannot connect to the database (%s); see the message above\n",
		        db_conninfo_masked(a, g_config.database));
		arena_free(a);
		return -1;
	}
	return 0;
}

struct arena *admin_begin(void)
{
	return admin_connect() ? NULL : arena_new();
}

int admin_end(struct arena *a, int rc)
{
	arena_free(a);
	db_disconnect();
	return rc;
}

int admin_only_flag(int argc, char **argv, const char *flag, bool *on)
{
	*on = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], flag))
			return i;
		*on = true;
	}
	return 0;
}

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: jhe-admin <command> [options]\n"
	    "       jhe-admin --version | --help\n"
	    "  init [--admin-email EMAIL]   create the reference data (settings, scopes, data "
	    "sources,\n"
	    "                               the console's OAuth client) and the first superuser\n"
	    "                               (password on standard input); safe to run again\n"
	    "  migrate [--status]           apply missing migrations from $JHE_SQL_DIR (--status: "
	    "list\n"
	    "                               them; exit 3 when some are pending)\n"
	    "  seed [--flush-db] [--demo [--demo-patients N] [--demo-days D] [--demo-seed S]]\n"
	    "                               load the seed data set (seed.md), optionally the demo "
	    "cohort\n"
	    "  token issue --user EMAIL [--client CLIENT_ID] [--days N]\n"
	    "                               print a new access token for scripts\n"
	    "  keygen [--force]             write the OIDC RSA key and the secret key files\n"
	    "  cleanup                      delete expired codes, tokens, sessions, throttle rows\n"
	    "  scopes add SYSTEM CODE TEXT  add a data type (codeable concept)\n"
	    "  users passwd|create EMAIL    set a password / create a user (password on stdin)\n"
	    "  clients add --name N --client-id ID ...   register an OAuth client\n"
	    "Configuration: $JHE_CONFIG (default " JHE_SYSCONFDIR
	    "/jhe/jhe.conf); see jhe-admin(8).\n");
}

int main(int argc, char **argv)
{
	char err[512];
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("jhe-admin %s\n", JHE_VERSION);
		return 0;
	}
	if (argc == 2 &&
	    (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	if (crypto_init()) {
		fprintf(stderr, "jhe-admin: libsodium initialisation failed\n");
		return 1;
	}
	if (config_load(NULL, err, sizeof(err))) {
		fprintf(stderr, "jhe-admin: %s\n", err);
		return 1;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
	    {"init", cmd_init},       {"migrate", cmd_migrate}, {"seed", cmd_seed},
	    {"token", cmd_token},     {"keygen", cmd_keygen},   {"users", cmd_users},
	    {"clients", cmd_clients}, {"cleanup", cmd_cleanup}, {"scopes", cmd_scopes},
	};
	const char *cmd = argv[1];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "jhe-admin: unknown command %s\n", cmd);
	usage(stderr);
	return 2;
}
