# store: store.h is the layer's public header; it includes one header per aggregate, next to the
# aggregate's .c file. query.h is internal to store/.
libjhe_a_SOURCES += src/store/store.h src/store/db.h src/store/db.c src/store/query.h \
	src/store/query.c src/store/tokens.h src/store/tokens.c src/store/audit.h \
	src/store/audit.c src/store/audit_query.c src/store/settings.h src/store/settings.c \
	src/store/users.h src/store/users.c src/store/maintenance.h src/store/maintenance.c
# FHIR
libjhe_a_SOURCES += src/store/fhir.h src/store/fhir_util.c src/store/fhir_search.c \
	src/store/fhir_create.c
# patient data
libjhe_a_SOURCES += src/store/patients.h src/store/patients.c src/store/consents.h \
	src/store/consents.c src/store/study_patients.h src/store/study_patients.c \
	src/store/observations.h src/store/observations.c
# auth:
libjhe_a_SOURCES += src/store/auth_oauth.h src/store/auth_oauth.c src/store/auth_session.h \
	src/store/auth_session.c src/store/auth_invitations.h src/store/auth_invitations.c
# admin API: organizations, practitioners, studies, data sources, clients
libjhe_a_SOURCES += src/store/organizations.h src/store/organizations.c \
	src/store/practitioners.h src/store/practitioners.c src/store/studies.h \
	src/store/studies.c src/store/data_sources.h src/store/data_sources.c \
	src/store/clients.h src/store/clients.c
