libjhe_a_SOURCES += src/api/api.h src/api/routes.c src/api/users.c src/api/audit.c src/api/common.c \
	src/api/respond.c
# admin API: users, organizations, practitioners, studies, data sources, clients, settings, audit events
libjhe_a_SOURCES += src/api/fields.h src/api/fields.c src/api/organizations.c \
	src/api/practitioners.c src/api/studies.c src/api/data_sources.c src/api/clients.c \
	src/api/settings.c src/api/audit_events.c
# admin API: patients, consents, enrolments, observations
libjhe_a_SOURCES += src/api/phi.h src/api/phi.c src/api/patients.c src/api/consents.c \
	src/api/study_patients.c src/api/observations.c
# auth: invitations and API keys
libjhe_a_SOURCES += src/api/invitations.c src/api/practitioner_clients.c
