/* Organizations, memberships and the Admin API's shared organization helpers (admin-api.md §5). */
#include "store/query.h"

#include <string.h>

static struct db_stmt q_can = DB_STMT("SELECT jhe_can($1, $2, $3)");

int store_can(struct arena *a, int64_t user_id, const char *perm, int64_t org_id, struct err *e)
{
	return store_bool(a, &q_can, DB_PARAMS(db_i64(a, user_id), perm, db_i64(a, org_id)), e);
}

static struct db_stmt q_member = DB_STMT("SELECT jhe_is_member($1, $2)");

int store_is_member(struct arena *a, int64_t user_id, int64_t org_id, struct err *e)
{
	return store_bool(a, &q_member, DB_PARAMS(db_i64(a, user_id), db_i64(a, org_id)), e);
}

static struct db_stmt q_mgr =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM jhe_member_orgs($1) m WHERE m.role = 'manager')");

int store_is_manager_somewhere(struct arena *a, int64_t user_id, struct err *e)
{
	return store_bool(a, &q_mgr, DB_PARAMS(db_i64(a, user_id)), e);
}

static struct db_stmt q_ex_org =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM organization WHERE id = $1)");
static struct db_stmt q_ex_cc =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM codeable_concept WHERE id = $1)");
static struct db_stmt q_ex_ds = DB_STMT("SELECT EXISTS (SELECT 1 FROM data_source WHERE id = $1)");
static struct db_stmt q_ex_app =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM oauth_application WHERE id = $1)");
static struct db_stmt q_ex_pr = DB_STMT("SELECT EXISTS (SELECT 1 FROM practitioner WHERE id = $1)");
static struct db_stmt q_ex_user = DB_STMT("SELECT EXISTS (SELECT 1 FROM jhe_user WHERE id = $1)");

int store_row_exists(struct arena *a, const char *table, int64_t id, struct err *e)
{
	struct db_stmt *st = NULL;
	if (!strcmp(table, "organization"))
		st = &q_ex_org;
	else if (!strcmp(table, "codeable_concept"))
		st = &q_ex_cc;
	else if (!strcmp(table, "data_source"))
		st = &q_ex_ds;
	else if (!strcmp(table, "oauth_application"))
		st = &q_ex_app;
	else if (!strcmp(table, "practitioner"))
		st = &q_ex_pr;
	else if (!strcmp(table, "jhe_user"))
		st = &q_ex_user;
	if (!st) {
		e->kind = ERR_INTERNAL;
		e->log = "store_row_exists: unknown table";
		return -1;
	}
	return store_bool(a, st, DB_PARAMS(db_i64(a, id)), e);
}

/* ---------- organizations ---------- */

static struct db_stmt q_org_info =
    DB_STMT("SELECT o.part_of_id, jhe_org_visible($1, o.id) FROM organization o WHERE o.id = $2");

int store_org_info(struct arena *a, int64_t user_id, int64_t org_id, struct org_info *out,
                   struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct db_result *r =
	    db_query(a, &q_org_info, DB_PARAMS(db_i64(a, user_id), db_i64(a, org_id)), e);
	if (!r)
		return -1;
	if (db_nrows(r) == 0) {
		out->part_of = -1;
		return 0;
	}
	out->exists = true;
	out->part_of = db_isnull(r, 0, 0) ? -1 : db_get_i64(r, 0, 0);
	out->visible = db_get_bool(r, 0, 1);
	return 0;
}

static struct db_stmt q_in_subtree =
    DB_STMT("SELECT EXISTS (SELECT 1 FROM jhe_org_descendants($1) d WHERE d.organization_id = $2)");

int store_org_in_subtree(struct arena *a, int64_t org_id, int64_t candidate, struct err *e)
{
	return store_bool(a, &q_in_subtree, DB_PARAMS(db_i64(a, org_id), db_i64(a, candidate)), e);
}

static struct db_stmt q_org_list =
    DB_STMT("WITH f AS (SELECT o.* FROM organization o"
            "            WHERE o.id IN (SELECT v.organization_id FROM jhe_visible_org_ids($1) v)"
            "              AND ($2::bigint IS NULL OR o.part_of_id = $2))"
            "SELECT (SELECT count(*) FROM f),"
            "       (SELECT json_agg(jhe_org_json(x, jhe_org_role($1, x.id)) ORDER BY x.name, x.id)"
            "          FROM (SELECT * FROM f ORDER BY f.name, f.id OFFSET $3 LIMIT $4) x)");

char *store_org_list(struct arena *a, int64_t user_id, const int64_t *part_of, int64_t offset,
                     int64_t limit, int64_t *count, struct err *e)
{
	return store_page(a, &q_org_list,
	                  DB_PARAMS(db_i64(a, user_id), part_of ? db_i64(a, *part_of) : NULL,
	                            db_i64(a, offset), db_i64(a, limit)),
	                  count, e);
}

static struct db_stmt q_org_json = DB_STMT("SELECT jhe_org_json_for($1, $2)");

char *store_org_json(struct arena *a, int64_t user_id, int64_t org_id, struct err *e)
{
	return store_json(a, &q_org_json, DB_PARAMS(db_i64(a, user_id), db_i64(a, org_id)),
	                  "No Organization matches the given query.", e);
}

static struct db_stmt q_org_tree = DB_STMT("SELECT jhe_org_tree_json($1, $2)");

char *store_org_tree(struct arena *a, int64_t user_id, int64_t org_id, struct err *e)
{
	return store_json(a, &q_org_tree, DB_PARAMS(db_i64(a, user_id), db_i64(a, org_id)),
	                  "No Organization matches the given query.", e);
}

static struct db_stmt q_org_insert =
    DB_STMT("INSERT INTO organization (name, type, part_of_id) VALUES ($1, $2, $3) RETURNING id");
static struct db_stmt q_org_creator =
    DB_STMT("INSERT INTO practitioner_organization (practitioner_id, organization_id, role)"
            " SELECT pr.id, $2, 'manager' FROM practitioner pr WHERE pr.jhe_user_id = $1"
            " ON CONFLICT (practitioner_id, organization_id) DO UPDATE SET role = 'manager'");

int store_org_create(struct arena *a, int64_t user_id, const char *name, const char *type,
                     int64_t parent, bool add_manager, int64_t *id, struct err *e)
{
	if (store_i64(a, &q_org_insert, DB_PARAMS(name, type, db_i64(a, parent)), id, e))
		return -1;
	if (!add_manager)
		return 0;
	return store_exec(a, &q_org_creator, DB_PARAMS(db_i64(a, user_id), db_i64(a, *id)), e);
}

static struct db_stmt q_org_update =
    DB_STMT("UPDATE organization SET name = COALESCE($2, name), type = COALESCE($3, type),"
            " part_of_id = COALESCE($4::bigint, part_of_id), last_updated = now() WHERE id = $1");

int store_org_update(struct arena *a, int64_t org_id, const char *name, const char *type,
                     int64_t parent, struct err *e)
{
	return store_exec(
	    a, &q_org_update,
	    DB_PARAMS(db_i64(a, org_id), name, type, parent >= 0 ? db_i64(a, parent) : NULL), e);
}

static struct db_stmt q_org_delete = DB_STMT("DELETE FROM organization WHERE id = $1 AND id <> 0");

int store_org_delete(struct arena *a, int64_t org_id, struct err *e)
{
	return store_exec(a, &q_org_delete, DB_PARAMS(db_i64(a, org_id)), e);
}

static struct db_stmt q_org_members =
    DB_STMT("SELECT COALESCE(json_agg(json_build_object('id', u.id, 'email', u.email,"
            "         'firstName', u.first_name, 'lastName', u.last_name, 'role', po.role)"
            "         ORDER BY u.last_name, u.first_name, u.id), '[]'::json)"
            "  FROM practitioner_organization po"
            "  JOIN practitioner pr ON pr.id = po.practitioner_id"
            "  JOIN jhe_user u ON u.id = pr.jhe_user_id"
            " WHERE po.organization_id = $1");

char *store_org_members(struct arena *a, int64_t org_id, struct err *e)
{
	return store_json(a, &q_org_members, DB_PARAMS(db_i64(a, org_id)), NULL, e);
}

static struct db_stmt q_org_studies = DB_STMT(
    "SELECT COALESCE(json_agg(jhe_study_write_json(s.id) ORDER BY s.name, s.id), '[]'::json)"
    "  FROM study s WHERE s.organization_id = $1");

char *store_org_studies(struct arena *a, int64_t org_id, struct err *e)
{
	return store_json(a, &q_org_studies, DB_PARAMS(db_i64(a, org_id)), NULL, e);
}

static struct db_stmt q_user_orgs = DB_STMT(
    "SELECT COALESCE(json_agg(jhe_org_json(o, CASE WHEN jhe_is_superuser($1) THEN 'super_user'"
    "         ELSE m.role END) ORDER BY o.name, o.id), '[]'::json)"
    "  FROM jhe_member_orgs($1) m JOIN organization o ON o.id = m.organization_id");

char *store_user_organizations(struct arena *a, int64_t user_id, struct err *e)
{
	return store_json(a, &q_user_orgs, DB_PARAMS(db_i64(a, user_id)), NULL, e);
}

/* ---------- memberships ---------- */

static struct db_stmt q_mem_find = DB_STMT(
    "SELECT id FROM practitioner_organization WHERE organization_id = $1 AND practitioner_id = $2");
static struct db_stmt q_mem_insert =
    DB_STMT("INSERT INTO practitioner_organization (organization_id, practitioner_id, role)"
            " VALUES ($1, $2, $3) RETURNING id");
static struct db_stmt q_mem_role =
    DB_STMT("UPDATE practitioner_organization SET role = $2 WHERE id = $1");
static struct db_stmt q_mem_json = DB_STMT("SELECT jhe_membership_json($1)");

char *store_membership_set(struct arena *a, int64_t org_id, int64_t practitioner_id,
                           const char *role, bool *created, struct err *e)
{
	const char *p[3] = {db_i64(a, org_id), db_i64(a, practitioner_id), role};
	int64_t id = 0;
	int rc = store_i64(a, &q_mem_find, 2, p, &id, e);
	if (rc < 0)
		return NULL;
	if (rc == 1) {
		if (store_i64(a, &q_mem_insert, 3, p, &id, e))
			return NULL;
		*created = true;
	} else {
		if (store_exec(a, &q_mem_role, DB_PARAMS(db_i64(a, id), role), e))
			return NULL;
		*created = false;
	}
	return store_json(a, &q_mem_json, DB_PARAMS(db_i64(a, id)), NULL, e);
}

static struct db_stmt q_mem_add_missing =
    DB_STMT("INSERT INTO practitioner_organization (organization_id, practitioner_id, role)"
            " VALUES ($1, $2, $3) ON CONFLICT (practitioner_id, organization_id) DO NOTHING");

int store_membership_add_missing(struct arena *a, int64_t org_id, int64_t practitioner_id,
                                 const char *role, struct err *e)
{
	return store_exec(a, &q_mem_add_missing,
	                  DB_PARAMS(db_i64(a, org_id), db_i64(a, practitioner_id), role), e);
}

static struct db_stmt q_mem_remove = DB_STMT(
    "DELETE FROM practitioner_organization WHERE organization_id = $1 AND practitioner_id = $2");

int store_membership_remove(struct arena *a, int64_t org_id, int64_t practitioner_id, struct err *e)
{
	return store_exec(a, &q_mem_remove,
	                  DB_PARAMS(db_i64(a, org_id), db_i64(a, practitioner_id)), e);
}
