libjhe_a_SOURCES += src/fhir/fhir.h src/fhir/routes.c
