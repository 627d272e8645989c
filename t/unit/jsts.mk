# Conformance of the JSON Schema engine with the official JSON-Schema-Test-Suite (Debian package
# json-schema-test-suite), drafts 4 and 7. JSTS_DIR (environment) overrides the suite's tests/
# directory; without it the program exits 77 (SKIP).
check_PROGRAMS += t/unit/test_jsts
TESTS += t/unit/test_jsts
t_unit_test_jsts_SOURCES = t/unit/test_jsts.c
t_unit_test_jsts_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_unit_test_jsts_LDADD = libjhe.a $(CHECK_LIBS) $(JSONC_LIBS) -lm
