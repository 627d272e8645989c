check_PROGRAMS += t/unit/test_util t/unit/test_http
TESTS += t/unit/test_util t/unit/test_http
t_unit_test_util_SOURCES = t/unit/test_util.c
t_unit_test_util_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_unit_test_util_LDADD = $(JHE_LIBS) $(CHECK_LIBS)
t_unit_test_http_SOURCES = t/unit/test_http.c
t_unit_test_http_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_unit_test_http_LDADD = $(JHE_LIBS) $(CHECK_LIBS)
