libjhe_a_SOURCES += src/api/api.h src/api/routes.c src/api/users.c src/api/audit.c src/api/common.c
