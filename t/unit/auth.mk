# Unit tests of the auth layer's pure helpers (PBKDF2, PKCE, scopes, JWT, CSRF, redirect URIs).
check_PROGRAMS += t/unit/test_auth
TESTS += t/unit/test_auth
t_unit_test_auth_SOURCES = t/unit/test_auth.c
t_unit_test_auth_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_unit_test_auth_LDADD = $(JHE_LIBS) $(CHECK_LIBS)
