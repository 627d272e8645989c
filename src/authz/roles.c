/* The roles of a user (admin-api.md §1, fhir.md §3): the facts are the user's patient and
 * practitioner ids and its superuser flag. */
#include "authz/authz.h"

enum authz_role authz_role(int64_t patient_id, int64_t practitioner_id, bool is_superuser)
{
	if (is_superuser)
		return ROLE_SUPERUSER;
	if (practitioner_id)
		return ROLE_PRACTITIONER;
	return patient_id ? ROLE_PATIENT : ROLE_NONE;
}

static enum authz_role principal_role(const struct principal *p)
{
	return p ? authz_role(p->patient_id, p->practitioner_id, p->is_superuser) : ROLE_NONE;
}

bool authz_patient_user(const struct principal *p)
{
	return principal_role(p) == ROLE_PATIENT;
}

bool authz_staff(const struct principal *p)
{
	return principal_role(p) >= ROLE_PRACTITIONER;
}

bool authz_superuser(const struct principal *p)
{
	return principal_role(p) == ROLE_SUPERUSER;
}
