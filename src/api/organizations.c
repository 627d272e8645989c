/* /api/v1/organizations (admin-api.md §5) and /api/v1/users/organizations. */
#include "api/fields.h"

#include <string.h>

static const char *const ORG_TYPES[] = {"prov",
                                        "dept",
                                        "team",
                                        "govt",
                                        "ins",
                                        "pay",
                                        "edu",
                                        "reli",
                                        "crs",
                                        "cg",
                                        "bus",
                                        "other",
                                        "laboratory",
                                        "imaging",
                                        "pharmacy",
                                        "health-information-network",
                                        "health-data-aggregator",
                                        NULL};

static const char *NF_ORG = "No Organization matches the given query.";
static const char *NO_PERM = "You do not have permission to perform this action.";

static int org_list(struct request *r)
{
	int64_t part_of = 0;
	int has = api_param_id(r, "part_of", &part_of);
	if (has < 0)
		return -1;
	API_LIST(r, 20,
	         store_org_list(r->arena, UID(r), has ? &part_of : NULL, pg_.offset, pg_.size,
	                        &count_, &e_));
}

/* Visibility of a path organization: 404 when missing or invisible. */
static int org_visible(struct request *r, int64_t id, struct org_info *oi)
{
	struct err e = {0};
	if (store_org_info(r->arena, UID(r), id, oi, &e))
		return fail_err(r, &e);
	if (!oi->exists || !oi->visible)
		return fail_with(r, ERR_NOT_FOUND, NF_ORG);
	return 0;
}

/* GET of the visible organization {id} as read (its JSON or its tree) for the caller. */
static int org_read(struct request *r,
                    char *(*read)(struct arena *a, int64_t user_id, int64_t org_id, struct err *e))
{
	struct org_info oi;
	int64_t id = req_path_id(r, "id");
	if (org_visible(r, id, &oi))
		return -1;
	struct err e = {0};
	return api_reply(r, 200, read(r->arena, UID(r), id, &e), &e);
}

static int org_get(struct request *r)
{
	return org_read(r, store_org_json);
}

static int org_tree(struct request *r)
{
	return org_read(r, store_org_tree);
}

static int org_types(struct request *r)
{
	resp_json_str(r, 200,
	              "{\"root\":\"ROOT\",\"prov\":\"Healthcare Provider\",\"dept\":\"Hospital "
	              "Department\",\"team\":\"Organizational team\",\"govt\":\"Government\","
	              "\"ins\":\"Insurance Company\",\"pay\":\"Payer\",\"edu\":\"Educational "
	              "Institute\",\"reli\":\"Religious Institution\",\"crs\":\"Clinical Research "
	              "Sponsor\",\"cg\":\"Community Group\",\"bus\":\"Non-Healthcare Business or "
	              "Corporation\",\"other\":\"Other\",\"laboratory\":\"Laboratory\","
	              "\"imaging\":\"Imaging Center\",\"pharmacy\":\"Pharmacy\","
	              "\"health-information-network\":\"Health Information Network\","
	              "\"health-data-aggregator\":\"Health Data Aggregator\"}");
	return 0;
}

/* can(c, perm, org) -> 403 when false */
static int require_can(struct request *r, const char *perm, int64_t org, const char *msg)
{
	struct err e = {0};
	return api_require(r, store_can(r->arena, UID(r), perm, org, &e), &e, ERR_FORBIDDEN,
	                   msg ? msg : NO_PERM);
}

static const char *const ORG_FIELDS[] = {"name", "type", "part_of", NULL};
static const char *const ORG_READONLY[] = {"id", "current_user_role", "children", NULL};

/* name/type validation shared by create and update */
static void org_fields(struct request *r, struct field_errors *fe, json_object *body, bool req,
                       const char **name, const char **type)
{
	api_text(r, fe, body, "name", req, false, false, 0, name);
	const char *t = NULL;
	if (api_text(r, fe, body, "type", req, false, false, 0, &t)) {
		if (!api_in(t, ORG_TYPES))
			fe_add(r, fe, "type",
			       arena_printf(r->arena, "\"%s\" is not a valid choice.", t));
		else
			*type = t;
	}
}

/* partOf from the body: 0 when missing, null or 0; -2 when of a wrong type. */
static int64_t body_part_of(struct request *r, json_object *body, bool *present)
{
	*present = json_object_object_get_ex(body, "part_of", NULL);
	int64_t id = 0;
	int rc = api_opt_id(r, body, "part_of", &id);
	return rc < 0 ? -2 : rc ? id : 0;
}

static int org_create(struct request *r)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	bool present;
	int64_t parent = body_part_of(r, body, &present);
	struct err e = {0};
	/* permission first (an empty body from a non-superuser answers 403) */
	if (!IS_SU(r)) {
		if (parent <= 0)
			return fail_with(r, ERR_FORBIDDEN, NO_PERM);
		if (require_can(r, "organization.manage_for_practitioners", parent, NULL))
			return -1;
	}
	struct field_errors fe = {0};
	fe_unknown_keys(r, &fe, body, ORG_FIELDS, ORG_READONLY);
	if (parent == -2) {
		fe_add(r, &fe, "part_of", "A valid integer is required.");
	} else if (parent > 0) {
		int ex = store_row_exists(r->arena, "organization", parent, &e);
		if (ex < 0)
			return fail_err(r, &e);
		if (!ex)
			api_invalid_pk(r, &fe, "part_of", parent);
	}
	const char *name = NULL, *type = NULL;
	org_fields(r, &fe, body, true, &name, &type);
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	int64_t id;
	if (db_begin(&e) ||
	    store_org_create(r->arena, UID(r), name, type, parent, parent != 0, &id, &e))
		return fail_err(r, &e);
	return api_commit_reply(r, 201, store_org_json(r->arena, UID(r), id, &e), &e);
}

/* Visibility, ROOT and permission checks of update/delete. */
static int org_write_access(struct request *r, int64_t id, struct org_info *oi)
{
	if (org_visible(r, id, oi))
		return -1;
	if (id == 0)
		return fail_with(r, ERR_FORBIDDEN, "The ROOT organization cannot be changed.");
	int64_t scope = oi->part_of == 0 ? id : oi->part_of;
	return require_can(r, "organization.manage_for_practitioners", scope, NULL);
}

static int org_update(struct request *r)
{
	bool put = strcmp(r->method, "PUT") == 0;
	json_object *body = api_body(r);
	if (!body)
		return -1;
	int64_t id = req_path_id(r, "id");
	struct org_info oi;
	if (org_write_access(r, id, &oi))
		return -1;
	struct err e = {0};
	bool present;
	int64_t parent = body_part_of(r, body, &present);
	int64_t new_parent = -1;
	struct field_errors fe = {0};
	if (present && parent == -2) {
		fe_add(r, &fe, "part_of", "A valid integer is required.");
	} else if (present && parent != oi.part_of) {
		/* moving: permission on the new parent, then existence and cycles */
		if (parent == 0) {
			if (require_can(r, "organization.create_top_level", 0, NULL))
				return -1;
		} else {
			if (!IS_SU(r) &&
			    require_can(r, "organization.manage_for_practitioners", parent, NULL))
				return -1;
			int ex = store_row_exists(r->arena, "organization", parent, &e);
			if (ex < 0)
				return fail_err(r, &e);
			if (!ex) {
				api_invalid_pk(r, &fe, "part_of", parent);
			} else {
				int cyc = store_org_in_subtree(r->arena, id, parent, &e);
				if (cyc < 0)
					return fail_err(r, &e);
				if (cyc)
					fe_add(r, &fe, "part_of",
					       "An organization cannot be part of itself or of its "
					       "descendants.");
			}
		}
		new_parent = parent;
	}
	fe_unknown_keys(r, &fe, body, ORG_FIELDS, ORG_READONLY);
	const char *name = NULL, *type = NULL;
	org_fields(r, &fe, body, put, &name, &type);
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	if (db_begin(&e) || store_org_update(r->arena, id, name, type, new_parent, &e))
		return fail_err(r, &e);
	return api_commit_reply(r, 200, store_org_json(r->arena, UID(r), id, &e), &e);
}

static int org_writable(struct request *r, int64_t id)
{
	struct org_info oi;
	return org_write_access(r, id, &oi);
}

static int org_delete(struct request *r)
{
	return api_delete(r, org_writable, store_org_delete);
}

/* members and studies: org_visible (404), then member or superuser (403) */
static int org_member_access(struct request *r, int64_t id)
{
	struct org_info oi;
	if (org_visible(r, id, &oi))
		return -1;
	if (IS_SU(r))
		return 0;
	struct err e = {0};
	return api_require(r, store_is_member(r->arena, UID(r), id, &e), &e, ERR_FORBIDDEN,
	                   NO_PERM);
}

static int org_users(struct request *r)
{
	return api_get_json(r, org_member_access, store_org_members);
}

static int org_studies(struct request *r)
{
	return api_get_json(r, org_member_access, store_org_studies);
}

/* Shared steps of POST user / DELETE remove_user; *pr receives the practitioner id. */
static int membership_target(struct request *r, json_object *body, int64_t id, bool want_role,
                             const char **role, int64_t *pr)
{
	struct org_info oi;
	if (org_visible(r, id, &oi))
		return -1;
	if (require_can(r, "organization.manage_for_practitioners", id, NULL))
		return -1;
	if (id == 0)
		return fail_msg400(r, "Members cannot be added to the ROOT organization.");
	struct field_errors fe = {0};
	int64_t uid = 0;
	bool has_uid = api_id(r, &fe, body, "jhe_user_id", true, &uid);
	if (want_role) {
		const char *key =
		    json_object_object_get_ex(body, "organization_partitioner_role", NULL)
		        ? "organization_partitioner_role"
		    : json_object_object_get_ex(body, "organization_practitioner_role", NULL)
		        ? "organization_practitioner_role"
		        : "organization_partitioner_role";
		const char *rv = NULL;
		if (api_text(r, &fe, body, key, true, false, false, 0, &rv)) {
			if (strcmp(rv, "member") && strcmp(rv, "manager") && strcmp(rv, "viewer"))
				fe_add(r, &fe, key,
				       arena_printf(r->arena, "\"%s\" is not a valid choice.", rv));
			else
				*role = rv;
		}
	}
	if (fe_any(&fe))
		return fe_fail(r, &fe);
	(void)has_uid;
	struct user_info ui;
	struct err e = {0};
	if (api_found(r, store_user_info(r->arena, uid, NULL, &ui, &e), &e,
	              "No JheUser matches the given query."))
		return -1;
	if (!ui.practitioner_id)
		return fail_with(r, ERR_NOT_FOUND, "Practitioner not found.");
	*pr = ui.practitioner_id;
	return 0;
}

static int org_add_user(struct request *r)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	int64_t id = req_path_id(r, "id"), pr = 0;
	const char *role = NULL;
	if (membership_target(r, body, id, true, &role, &pr))
		return -1;
	struct err e = {0};
	bool created = false;
	if (db_begin(&e))
		return fail_err(r, &e);
	char *json = store_membership_set(r->arena, id, pr, role, &created, &e);
	return api_commit_reply(r, created ? 201 : 200, json, &e);
}

static int org_remove_user(struct request *r)
{
	json_object *body = api_body(r);
	if (!body)
		return -1;
	int64_t id = req_path_id(r, "id"), pr = 0;
	if (membership_target(r, body, id, false, NULL, &pr))
		return -1;
	struct err e = {0};
	return api_reply_empty(r, 204, store_membership_remove(r->arena, id, pr, &e), &e);
}

static int users_organizations(struct request *r)
{
	struct err e = {0};
	return api_reply(r, 200, store_user_organizations(r->arena, UID(r), &e), &e);
}

const struct route api_organization_routes[] = {
    {"GET", "/api/v1/users/organizations", users_organizations, ROUTE_AUTH},
    {"GET", "/api/v1/organizations", org_list, ROUTE_AUTH},
    {"POST", "/api/v1/organizations", org_create, ROUTE_AUTH},
    {"GET", "/api/v1/organizations/types", org_types, ROUTE_AUTH},
    {"GET", "/api/v1/organizations/{id}", org_get, ROUTE_AUTH},
    {"PUT", "/api/v1/organizations/{id}", org_update, ROUTE_AUTH},
    {"PATCH", "/api/v1/organizations/{id}", org_update, ROUTE_AUTH},
    {"DELETE", "/api/v1/organizations/{id}", org_delete, ROUTE_AUTH},
    {"GET", "/api/v1/organizations/{id}/tree", org_tree, ROUTE_AUTH},
    {"GET", "/api/v1/organizations/{id}/users", org_users, ROUTE_AUTH},
    {"POST", "/api/v1/organizations/{id}/user", org_add_user, ROUTE_AUTH},
    {"DELETE", "/api/v1/organizations/{id}/remove_user", org_remove_user, ROUTE_AUTH},
    {"GET", "/api/v1/organizations/{id}/studies", org_studies, ROUTE_AUTH},
    {NULL, NULL, NULL, 0},
};
