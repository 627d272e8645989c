libjhe_a_SOURCES += src/auth/auth.h src/auth/bearer.c src/auth/routes.c src/auth/password.c
