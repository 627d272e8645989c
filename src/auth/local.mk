libjhe_a_SOURCES += src/auth/auth.h src/auth/auth_int.h src/auth/bearer.c src/auth/routes.c \
	src/auth/password.c src/auth/oauth_util.c src/auth/keys.c src/auth/common.c \
	src/auth/login.c src/auth/authorize.c src/auth/token.c src/auth/endpoints.c \
	src/auth/redeem.c
