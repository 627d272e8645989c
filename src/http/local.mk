libjhe_a_SOURCES += src/http/http.h src/http/kv.c src/http/casing.c src/http/request.c \
	src/http/response.c src/http/router.c src/http/paging.c
