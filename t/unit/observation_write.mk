# Unit tests of the Observation write decision (authz/observation_write.c): a table of facts.
check_PROGRAMS += t/unit/test_observation_write
TESTS += t/unit/test_observation_write
t_unit_test_observation_write_SOURCES = t/unit/test_observation_write.c
t_unit_test_observation_write_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_unit_test_observation_write_LDADD = $(JHE_LIBS) $(CHECK_LIBS)
