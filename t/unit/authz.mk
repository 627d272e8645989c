# Unit tests of authz: every rule as a table (SMART scopes, grants, evaluation, roles).
check_PROGRAMS += t/unit/test_authz
TESTS += t/unit/test_authz
t_unit_test_authz_SOURCES = t/unit/test_authz.c
t_unit_test_authz_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_unit_test_authz_LDADD = $(JHE_LIBS) $(CHECK_LIBS)
