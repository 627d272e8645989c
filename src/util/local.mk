libjhe_a_SOURCES += src/util/util.h src/util/arena.c src/util/buf.c src/util/json.c \
	src/util/base64.c src/util/time.c src/util/crypto.c src/util/config.c src/util/log.c \
	src/util/err.c src/util/str.c src/util/lists.c
