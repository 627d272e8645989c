libjhe_a_SOURCES += src/store/store.h src/store/db.c src/store/query.h src/store/query.c src/store/tokens.c src/store/audit.c \
	src/store/settings.c src/store/users.c src/store/maintenance.c \
	src/store/fhir_util.c src/store/fhir_search.c src/store/fhir_create.c
libjhe_a_SOURCES += src/store/patients.c src/store/consents.c src/store/study_patients.c \
	src/store/observations.c
# auth:
libjhe_a_SOURCES += src/store/auth_oauth.c src/store/auth_session.c src/store/auth_invitations.c
# admin API: users, organizations, practitioners, studies, data sources, clients, settings, audit events
libjhe_a_SOURCES += src/store/organizations.c src/store/practitioners.c src/store/studies.c \
	src/store/data_sources.c src/store/clients.c src/store/audit_query.c
