libjhe_a_SOURCES += src/store/store.h src/store/db.c src/store/tokens.c src/store/audit.c \
	src/store/settings.c src/store/users.c
libjhe_a_SOURCES += src/store/patients.c src/store/consents.c src/store/study_patients.c \
	src/store/observations.c
# admin API part A
libjhe_a_SOURCES += src/store/organizations.c src/store/practitioners.c src/store/studies.c \
	src/store/data_sources.c src/store/clients.c src/store/audit_query.c
# auth (issue 3)
libjhe_a_SOURCES += src/store/auth_oauth.c src/store/auth_session.c src/store/auth_invitations.c
