libjhe_a_SOURCES += src/store/store.h src/store/db.c src/store/tokens.c src/store/audit.c \
	src/store/settings.c src/store/users.c
