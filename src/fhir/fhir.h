/*
 * fhir: the FHIR R5 API (/FHIR/R5 and the /fhir/r5 alias): Observation create/read/search and
 * batch/transaction Bundles, read-only projections of Patient, Group, Device, Organization and
 * Practitioner, CapabilityStatement, OperationOutcome errors. No SQL text here.
 */
#ifndef JHE_FHIR_H
#define JHE_FHIR_H

#include "http/http.h"

extern const struct route *const fhir_route_tables[];

/* Called once at worker start (loads the OMH schema registry); 0 on success. */
int fhir_init(void);

#endif
