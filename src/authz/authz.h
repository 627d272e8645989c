/*
 * authz: who may do what. Role permissions per organization, patient access, the consent
 * visibility rule and SMART scope narrowing, in one place for the Admin API and FHIR.
 */
#ifndef JHE_AUTHZ_H
#define JHE_AUTHZ_H

#include "http/http.h"

/* True when the token carries SMART resource scopes (patient/..., user/..., system/...),
 * which limit the Admin API to GET /users/profile (admin-api.md §1). */
bool authz_token_has_smart_scopes(const struct principal *p);

#endif
