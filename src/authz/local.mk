libjhe_a_SOURCES += src/authz/authz.h src/authz/scopes.c src/authz/roles.c
libjhe_a_SOURCES += src/authz/observation_write.c
