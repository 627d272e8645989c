/* store: permissions, organizations and memberships (store/organizations.c). */
#ifndef JHE_STORE_ORGANIZATIONS_H
#define JHE_STORE_ORGANIZATIONS_H

#include "store/db.h"

/* Permission of admin-api.md §2.2 (jhe_can): 1 yes, 0 no, -1 error. */
int store_can(struct arena *a, int64_t user_id, const char *perm, int64_t org_id, struct err *e);
/* member(c, o) (jhe_is_member): 1 yes, 0 no, -1 error. */
int store_is_member(struct arena *a, int64_t user_id, int64_t org_id, struct err *e);
/* 1 when the user is manager in at least one organization. */
int store_is_manager_somewhere(struct arena *a, int64_t user_id, struct err *e);

struct org_info {
	bool exists;
	bool visible;    /* org_visible(caller, o) */
	int64_t part_of; /* -1 for ROOT */
};
int store_org_info(struct arena *a, int64_t user_id, int64_t org_id, struct org_info *out,
                   struct err *e);
/* Is candidate the organization itself or one of its descendants? 1/0/-1. */
int store_org_in_subtree(struct arena *a, int64_t org_id, int64_t candidate, struct err *e);
char *store_org_list(struct arena *a, int64_t user_id, const int64_t *part_of, int64_t offset,
                     int64_t limit, int64_t *count, struct err *e);
char *store_org_json(struct arena *a, int64_t user_id, int64_t org_id, struct err *e);
char *store_org_tree(struct arena *a, int64_t user_id, int64_t org_id, struct err *e);
/* Insert; the creator's practitioner (if any, and when add_manager) becomes manager. */
int store_org_create(struct arena *a, int64_t user_id, const char *name, const char *type,
                     int64_t parent, bool add_manager, int64_t *id, struct err *e);
/* NULL name/type and parent < 0 keep the current values. */
int store_org_update(struct arena *a, int64_t org_id, const char *name, const char *type,
                     int64_t parent, struct err *e);
int store_org_delete(struct arena *a, int64_t org_id, struct err *e);
char *store_org_members(struct arena *a, int64_t org_id, struct err *e);
char *store_org_studies(struct arena *a, int64_t org_id, struct err *e);
char *store_user_organizations(struct arena *a, int64_t user_id, struct err *e);
/* Create or change a membership; *created tells which. Returns the membership JSON. */
char *store_membership_set(struct arena *a, int64_t org_id, int64_t practitioner_id,
                           const char *role, bool *created, struct err *e);
/* Add a membership unless one exists (default orgs, practitioners create). */
int store_membership_add_missing(struct arena *a, int64_t org_id, int64_t practitioner_id,
                                 const char *role, struct err *e);
int store_membership_remove(struct arena *a, int64_t org_id, int64_t practitioner_id,
                            struct err *e);

/* Exists-check helpers: 1 exists, 0 not, -1 error. */
int store_row_exists(struct arena *a, const char *table, int64_t id, struct err *e);

#endif
