/* FHIR route tables (filled in by the FHIR work, issue 5). */
#include "fhir/fhir.h"

const struct route *const fhir_route_tables[] = {
	NULL,
};

int fhir_init(void)
{
	return 0;
}
