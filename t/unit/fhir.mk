# Unit tests of the FHIR layer's pure parts (search parameter values, cursors, times).
check_PROGRAMS += t/unit/test_fhir
TESTS += t/unit/test_fhir
t_unit_test_fhir_SOURCES = t/unit/test_fhir.c
t_unit_test_fhir_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_unit_test_fhir_LDADD = $(JHE_LIBS) $(CHECK_LIBS)
