/* jhe-admin: the operator's command-line tool. */
#ifndef JHE_ADMIN_H
#define JHE_ADMIN_H

#include "util/util.h"

/* Folder with the migrations and seed SQL ($JHE_SQL_DIR or the installed sql folder). */
const char *admin_sql_dir(void);
/* Read a whole file into a malloc'd NUL-terminated string (NULL on error). */
char *admin_read_file(const char *path);
/* Connect as the owner role ($JHE_OWNER_DATABASE, else JHE_DATABASE). 0 on success. */
int admin_connect(void);
/* The start of a command's database work: admin_connect and a fresh arena (NULL when the
 * connection failed, the message printed). */
struct arena *admin_begin(void);
/* The end of it: the arena freed, the connection closed; returns rc. */
int admin_end(struct arena *a, int rc);
/* A command whose only option is flag: *on when given. 0, or the index of the first other
 * argument (the caller reports it). */
int admin_only_flag(int argc, char **argv, const char *flag, bool *on);

int cmd_init(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
/* Run the SQL file sql/seed/NAME (inside the caller's transaction). 0 on success. */
int admin_run_seed_file(const char *name, struct err *e);
/* Read one line (the password) from standard input without its line end. 0 on success. */
int admin_read_password(char *buf, size_t n);
int cmd_seed(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_cleanup(int argc, char **argv);
int cmd_scopes(int argc, char **argv);
int cmd_users(int argc, char **argv);
int cmd_clients(int argc, char **argv);
int cmd_users_active(const char *sub, const char *email);
/* The demo cohort of seed.md §13 (after the base seed; own transactions, COPY). 0 on success. */
int demo_seed(long patients, long days, uint64_t seed);

#endif
