/* The Admin API route table: each resource file exports its own list. */
#include "api/api.h"

extern const struct route api_user_routes[];
extern const struct route api_invitation_routes[], api_practitioner_client_routes[]; /* auth */
extern const struct route api_patient_routes[], api_consent_routes[], api_study_patient_routes[],
    api_observation_routes[];
extern const struct route api_organization_routes[], api_practitioners_routes[],
    api_studies_routes[], api_data_sources_routes[], api_clients_routes[], api_settings_routes[],
    api_audit_events_routes[];

const struct route *const api_route_tables[] = {
    api_user_routes,          api_invitation_routes,    api_practitioner_client_routes, /* auth */
    api_organization_routes,  api_practitioners_routes, api_studies_routes,
    api_data_sources_routes,  api_clients_routes,       api_settings_routes,
    api_audit_events_routes,  api_patient_routes,       api_consent_routes,
    api_study_patient_routes, api_observation_routes,   NULL,
};
