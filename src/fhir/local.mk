# FHIR R5 API (fhir.md): routes, search, read, create, Bundles, CapabilityStatement.
libjhe_a_SOURCES += src/fhir/fhir.h src/fhir/local.h src/fhir/routes.c src/fhir/common.c \
	src/fhir/params.c src/fhir/cursor.c src/fhir/resources.c src/fhir/search.c \
	src/fhir/read.c src/fhir/create.c src/fhir/observation.c src/fhir/bundle.c \
	src/fhir/capability.c
